"""Local bucket contents as ordinary files: `data_dir/<bucket resource>/<key>`, read at start and kept in step as
objects are written and deleted, so outputs can be inspected and fed to the next run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path


def key_path(folder: Path, key: str) -> Path | None:
    """Where object `key` lives under a bucket's folder, or None when a key cannot be a file there: an empty,
    `.` or `..` segment (`a//b`, `../x`) or a trailing `/` (a "folder" placeholder object)."""
    parts = key.split("/")
    if not key or any(part in ("", ".", "..") for part in parts):
        return None
    return folder.joinpath(*parts)


def stored_files(folder: Path) -> Iterator[tuple[str, Path]]:
    """Every regular file under a bucket's folder as (key, path), in key order."""
    if not folder.is_dir():
        return
    found = []
    for directory, _, names in os.walk(folder):
        for name in names:
            path = Path(directory) / name
            if path.is_file():
                found.append((path.relative_to(folder).as_posix(), path))
    yield from sorted(found)


def write_object(folder: Path, key: str, content: bytes) -> str | None:
    """Write an object's content to its file; the problem, when the key cannot be a file there."""
    path = key_path(folder, key)
    if path is None:
        return f"object `{key}` has no file form under {folder} (empty, `.` or `..` path segment)"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    except OSError as error:  # `a` and `a/b` both objects: one of them cannot be a file
        return f"object `{key}` could not be written to {path}: {error.strerror}"
    return None


def remove_object(folder: Path, key: str) -> None:
    """Remove a deleted object's file, and the folders it leaves empty (never the bucket's own folder)."""
    path = key_path(folder, key)
    if path is None or not path.is_file():
        return
    path.unlink()
    parent = path.parent
    while parent != folder and folder in parent.parents and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent
