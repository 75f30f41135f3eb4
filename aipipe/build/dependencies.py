"""A function's dependencies, through the cache: installed for the target (aws: the wheels ship in the
function's archive) or resolved for it (gcp: Cloud Build installs requirements.txt itself, so aipipe only
proves that the requirements can be met, with the answer cached the same way)."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from aipipe.build import installer
from aipipe.build.bytecode import compile_tree, interpreter_for
from aipipe.build.cache import cache_key, entry_folder, read_manifest, store
from aipipe.build.sources import REQUIREMENTS, DependencySource, local_inputs
from aipipe.build.targets import Target

SITE = "site"  # the installed tree inside a cache entry
SCRIPTS = "bin"  # where `uv pip install --target` puts console scripts
DIST_INFO = re.compile(r"(.+)-([^-]+)\.dist-info$")


@dataclass(frozen=True)
class Dependencies:
    """Installed (or resolved) dependencies: the tree to pack (None when only resolved), the packages as
    `name==version`, whether the cache already had them, and whether their bytecode is compiled."""

    tree: Path | None
    packages: tuple[str, ...]
    cache_hit: bool
    bytecode: bool = False
    identity: str = ""  # of the cache entry (aipipe.build.cache.store): what an archive built from it names


def installed(source: DependencySource, target: Target, root: Path) -> Dependencies:
    """The dependencies installed for `target`, from the cache or installed now. Raises InstallFailure."""

    def fill(staging: Path) -> dict:
        requirements = _requirements_file(source, staging)
        installer.install(requirements, target, staging / SITE)
        (staging / SITE).mkdir(exist_ok=True)  # requirements that install nothing still make a tree
        # console scripts: their `#!` names this machine's Python (no use on the target, and the archive's
        # hash would differ from one build machine to another)
        shutil.rmtree(staging / SITE / SCRIPTS, ignore_errors=True)
        interpreter = interpreter_for(target.python)
        return {
            "packages": _installed_packages(staging / SITE),
            "bytecode": bool(interpreter and compile_tree(staging / SITE, interpreter)),
        }

    folder, manifest, hit = _cached("deps", source, target, root, fill)
    packages, bytecode = tuple(manifest["packages"]), bool(manifest.get("bytecode"))
    return Dependencies(folder / SITE, packages, hit, bytecode, str(manifest.get("identity", "")))


def resolved(source: DependencySource, target: Target, root: Path) -> Dependencies:
    """The requirements resolved for `target` (nothing installed), from the cache or now. Raises
    InstallFailure."""

    def fill(staging: Path) -> dict:
        return {"packages": _pinned(installer.resolve(_requirements_file(source, staging), target))}

    _, manifest, hit = _cached("resolved", source, target, root, fill)
    return Dependencies(None, tuple(manifest["packages"]), hit)


def _cached(kind: str, source: DependencySource, target: Target, root: Path, fill) -> tuple[Path, dict, bool]:
    """The cache entry of `kind` for these requirements and target: (its folder, its manifest, whether it was
    there already); `fill(staging)` makes it when it was not."""
    folder = entry_folder(root, kind, cache_key(kind, source.installer_text + local_inputs(source), target))
    manifest = read_manifest(folder)
    if manifest is not None:
        return folder, manifest, True
    return folder, store(folder, fill, {"target": target.describe(), "requirements": str(source.file)}), False


def _requirements_file(source: DependencySource, staging: Path) -> Path:
    """A requirements.txt the installer reads: the code folder's own (its relative `-r`, `-f` paths then
    work), or the exported text of a pyproject.toml / uv.lock."""
    if source.file.name == REQUIREMENTS:
        return source.file
    path = staging / "requirements.in"
    path.write_text(source.installer_text, encoding="utf-8")
    return path


def _installed_packages(site: Path) -> list[str]:
    """`name==version` of every distribution installed in `site`, sorted."""
    packages = []
    for item in site.glob("*.dist-info"):
        match = DIST_INFO.match(item.name)
        if match:
            packages.append(f"{match.group(1)}=={match.group(2)}")
    return sorted(packages, key=str.lower)


def _pinned(text: str) -> list[str]:
    """The `name==version` lines of `uv pip compile` output."""
    return sorted((line.split(";")[0].strip() for line in text.splitlines() if "==" in line), key=str.lower)
