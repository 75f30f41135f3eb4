"""Local bucket contents as ordinary files: `data_dir/<bucket resource>/<key>`, loaded into the emulator at start
and kept in step as objects are written and deleted, so outputs can be inspected and fed to the next run. One
module for both clouds' local storage.

An object key is untrusted text (a handler chooses it): only keys whose every segment is a plain name map to a
file — never `..`, `.`, an absolute path, an empty segment (`a//b`, a trailing `/` "folder" placeholder), a
backslash or NUL — so nothing is written outside the bucket's folder; symlinks are never followed out of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path, PurePosixPath

PARTIAL = ".aipipe-partial"  # the suffix of a file being written (renamed into place once whole)


def object_path(folder: Path, key: str) -> Path | None:
    """The file of object `key` in a bucket's folder, or None when the key cannot be a file there."""
    if not key or key.startswith("/") or "\\" in key or "\x00" in key:
        return None
    parts = PurePosixPath(key).parts
    if any(part in (".", "..") for part in key.split("/")) or len(parts) != key.count("/") + 1:
        return None
    return folder / Path(*parts)


def stored_objects(folder: Path) -> Iterator[tuple[str, Path]]:
    """Every regular file in a bucket's folder with the key it stands for, in key order (symlinks and files
    half-written are skipped)."""
    if not folder.is_dir():
        return
    root = folder.resolve()
    for path in sorted(folder.rglob("*")):
        if path.name.endswith(PARTIAL) or path.is_symlink() or not path.is_file():
            continue
        if path.resolve().is_relative_to(root):
            yield path.relative_to(folder).as_posix(), path


def write_object(folder: Path, key: str, data: bytes) -> str | None:
    """Write an object's bytes to its file; the problem, when the key cannot be a file there (see `object_path`,
    or `a` and `a/b` both objects)."""
    path = object_path(folder, key)
    if path is None:
        return f"object `{key}` has no file form under {folder} (an empty, `.` or `..` segment, or `/`-led)"
    if path.is_dir():
        return f"object `{key}` cannot be written to {path}: a folder of that name holds other objects"
    if not _inside(folder, path):
        return f"object `{key}` is not written: {path.parent} leads out of {folder} through a symlink"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}{PARTIAL}")
        temporary.write_bytes(data)
        temporary.replace(path)  # a reader never sees half a file
    except OSError as error:  # an object named like this key's folder is a file already
        return f"object `{key}` could not be written to {path}: {error.strerror}"
    return None


def _inside(folder: Path, path: Path) -> bool:
    """Whether the folder that holds `path` is inside the bucket's folder once symlinks are resolved."""
    return path.parent.resolve().is_relative_to(folder.resolve())


def remove_object(folder: Path, key: str) -> None:
    """Remove a deleted object's file and the folders it leaves empty (never the bucket's own folder)."""
    path = object_path(folder, key)
    if path is None or not path.is_file() or not _inside(folder, path):
        return
    path.unlink()
    parent = path.parent
    while parent != folder and parent.is_relative_to(folder) and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent
