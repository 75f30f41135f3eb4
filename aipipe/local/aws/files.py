"""Local bucket contents as ordinary files: `data_dir/<bucket resource>/<key>` (local-brief). Loaded into moto
at start; written back as objects change, so outputs can be inspected and fed to the next run.

An object key is untrusted text (a handler chooses it): only keys whose every segment is a plain name map to a
file, never `..`, an absolute path or an empty segment, so nothing is written outside the bucket's folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path, PurePosixPath

PARTIAL = ".aipipe-partial"  # the suffix of a file being written (renamed into place once whole)


def object_path(data_dir: Path, bucket: str, key: str) -> Path | None:
    """The file of object `key` in the bucket's folder, or None when the key cannot be a file there."""
    if not key or key.startswith("/") or "\\" in key or "\x00" in key:
        return None
    parts = PurePosixPath(key).parts
    if any(part in (".", "..") for part in key.split("/")) or len(parts) != key.count("/") + 1:
        return None  # `..`, `.` or an empty segment (`a//b`, a trailing `/` folder marker)
    return data_dir / bucket / Path(*parts)


def stored_objects(data_dir: Path, bucket: str) -> Iterator[tuple[str, Path]]:
    """Every file in the bucket's folder with the key it stands for, in key order (symlinks are not followed
    out of the folder: only regular files inside it count)."""
    folder = data_dir / bucket
    if not folder.is_dir():
        return
    root = folder.resolve()
    for path in sorted(folder.rglob("*")):
        if path.name.endswith(PARTIAL) or path.is_symlink() or not path.is_file():
            continue
        if path.resolve().is_relative_to(root):
            yield path.relative_to(folder).as_posix(), path


def write_object(data_dir: Path, bucket: str, key: str, data: bytes) -> bool:
    """Write an object's bytes to its file; False when the key cannot be a file (see `object_path`) or a
    folder of the same name is in the way."""
    path = object_path(data_dir, bucket, key)
    if path is None or path.is_dir():
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):  # an object named like this key's folder is a file already
        return False
    temporary = path.with_name(f".{path.name}{PARTIAL}")
    temporary.write_bytes(data)
    temporary.replace(path)  # a reader never sees half a file
    return True


def remove_object(data_dir: Path, bucket: str, key: str) -> None:
    """Remove an object's file and the folders it leaves empty (up to the bucket's folder)."""
    path = object_path(data_dir, bucket, key)
    if path is None or not path.is_file():
        return
    path.unlink()
    folder, top = path.parent, data_dir / bucket
    while folder != top and folder.is_relative_to(top) and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
