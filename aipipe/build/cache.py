"""The build cache under `.aipipe/build/`: installed dependencies keyed by what decides them — the
requirements text given to the installer, the target (cloud, Python, architecture, wheel platform) and this
cache's format — so a rebuild with unchanged requirements installs nothing. Entries are written to a
temporary folder and renamed into place, so a build that stops half way (or a second build beside it)
never leaves a partial entry that looks complete."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path

from aipipe.build.targets import Target
from aipipe.core.state_folder import STATE_FOLDER, protect

BUILD_FOLDER = "build"
CACHE_FORMAT = "3"  # 2: installed trees hold no console scripts (bin/); 3: resolutions never build
MANIFEST = "aipipe-build.json"


LEFTOVER_AFTER_SECONDS = 3600  # a staging folder or partial file this old belongs to a build that was killed


def build_root(base_dir: Path) -> Path:
    """`.aipipe/build/` beside the spec (created with the `.aipipe/.gitignore`), without what killed builds left
    behind (see `sweep`)."""
    protect(base_dir / STATE_FOLDER)
    root = build_folder(base_dir)
    sweep(root)
    return root


def build_folder(base_dir: Path) -> Path:
    """Where `.aipipe/build/` is beside the spec, whether or not it exists yet (nothing is created)."""
    return base_dir / STATE_FOLDER / BUILD_FOLDER


def sweep(root: Path, now: float | None = None) -> None:
    """Remove hidden staging folders and `.partial` files an hour old from the build folders: a build stopped
    by a signal (SIGTERM runs no `finally`) leaves them, possibly hundreds of MB, and nothing else would."""
    now = time.time() if now is None else now
    # the build folder, its kinds and stacks (deps/, resolved/, dev/), and the cache entries (deps/<key>/)
    folders = [root, *root.glob("*/"), *root.glob("*/*/")]
    for folder in (item for item in folders if not item.name.startswith(".") or item == root):
        for leftover in folder.glob(".*"):
            try:
                old = now - leftover.stat().st_mtime > LEFTOVER_AFTER_SECONDS
            except OSError:
                continue
            if old and leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            elif old and leftover.name.endswith(".partial"):
                leftover.unlink(missing_ok=True)


def cache_key(kind: str, requirements_text: str, target: Target) -> str:
    """The key of a cache entry: what was asked, for which target, by which cache format."""
    parts = [CACHE_FORMAT, kind, target.cloud, target.python or "", target.architecture, target.platform]
    digest = hashlib.sha256("\0".join(parts).encode() + b"\0" + requirements_text.encode())
    return digest.hexdigest()[:24]


def entry_folder(root: Path, kind: str, key: str) -> Path:
    """Where the entry of `key` lives: `.aipipe/build/<kind>/<key>/`."""
    return root / kind / key


def read_manifest(folder: Path) -> dict | None:
    """The manifest of a complete cache entry, or None (absent, unreadable: a miss)."""
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def store(folder: Path, fill, manifest: dict) -> dict:
    """Create the entry at `folder`: `fill(staging)` writes its content into a temporary folder, which is
    renamed into place with its manifest. If another build stored the same entry meanwhile, that one stays."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        extra = fill(staging) or {}
        # each stored entry is one of a kind: an entry deleted and installed again (newer unpinned versions)
        # is a new identity, so nothing built from the old one is taken for built from it
        manifest = {**manifest, **extra, "identity": uuid.uuid4().hex}
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
        try:
            os.rename(staging, folder)
        except OSError:  # stored by a parallel build meanwhile (or a stale entry): keep the complete one
            if read_manifest(folder) is None:
                shutil.rmtree(folder, ignore_errors=True)
                os.rename(staging, folder)
            return read_manifest(folder) or manifest
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return manifest
