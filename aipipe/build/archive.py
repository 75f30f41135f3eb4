"""Deterministic archives: the same files give the same bytes, so an unchanged function has the same hash
and `up` changes nothing. Entries are sorted, every timestamp is 1980-01-01 (the zip format's first date),
modes are 0644 (0755 when the file was executable), owner bits only in the unix attributes, no directory
entries; what never belongs in a function (caches, VCS folders, virtual environments, tests, aipipe's and
Pulumi's own folders) is left out of the code folder."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path

from aipipe.core.state_folder import STATE_FOLDER

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
# folders never packed from a code folder, at any depth
SKIPPED_FOLDERS = {
    "__pycache__",
    ".git",
    ".hg",
    ".svn",
    STATE_FOLDER,
    ".pulumi",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    "tests",
    "test",
}
SKIPPED_SUFFIXES = (".pyc", ".pyo")
SKIPPED_FILES = {".DS_Store"}
VIRTUALENV_MARKER = "pyvenv.cfg"  # any folder holding one is a virtual environment, whatever its name


@dataclass(frozen=True)
class Entry:
    """One file of an archive: its name inside, where its bytes are, whether it is executable."""

    name: str
    source: Path
    executable: bool = False

    @property
    def mode(self) -> int:
        """The permission bits it is packed with: 0755 when executable, else 0644."""
        return 0o755 if self.executable else 0o644


class OutsideLink(Exception):
    """A file of a code folder is a symlink to a file outside it, or into a `.aipipe/` folder: packing it
    would upload whatever it names (a passphrase, a credentials file)."""

    def __init__(self, link: Path, target: Path):
        super().__init__(f"{link} -> {target}")
        self.link, self.target = link, target


def code_entries(folder: Path) -> list[Entry]:
    """The files of a code folder that belong in its function, by archive name. Raises OutsideLink."""
    inside = folder.resolve()
    entries = []
    for root, directories, names in os.walk(folder):  # symlinked folders are listed, never entered
        root_path = Path(root)
        directories[:] = [
            name
            for name in directories
            if name not in SKIPPED_FOLDERS and not (root_path / name / VIRTUALENV_MARKER).exists()
        ]
        for name in names:
            path = root_path / name
            if name in SKIPPED_FILES or name.endswith(SKIPPED_SUFFIXES) or not path.is_file():
                continue  # also a symlink to a folder, or a dangling one
            if path.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(inside) or STATE_FOLDER in target.relative_to(inside).parts:
                    raise OutsideLink(path.relative_to(folder), target)
            entries.append(Entry(path.relative_to(folder).as_posix(), path, _executable(path)))
    return entries


INSTALLER_LOCK = ".lock"  # uv's lock file at the top of a --target folder: not part of any package


def tree_entries(folder: Path) -> list[Entry]:
    """Every file under an installed-dependencies folder (or compiled code), by archive name."""
    entries = []
    for root, _directories, names in os.walk(folder):  # its __pycache__ holds only bytecode aipipe compiled
        for name in names:
            path = Path(root) / name
            if root == str(folder) and name == INSTALLER_LOCK:
                continue
            if path.is_file():
                entries.append(Entry(path.relative_to(folder).as_posix(), path, _executable(path)))
    return entries


def _executable(path: Path) -> bool:
    return bool(path.stat().st_mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH))


def merged(*layers: list[Entry]) -> list[Entry]:
    """Entries of several layers by name, a later layer winning (the function's code over its dependencies),
    sorted by name."""
    by_name: dict[str, Entry] = {}
    for layer in layers:
        for entry in layer:
            by_name[entry.name] = entry
    return [by_name[name] for name in sorted(by_name)]


@dataclass(frozen=True)
class ArchiveFacts:
    """What was written: the file, its sha256, its size, and the size of what it unpacks to."""

    path: Path
    sha256: str
    zipped_bytes: int
    unzipped_bytes: int
    files: int
    compiled: bool = False  # the code's bytecode is in it


def unpacked_size(entries: list[Entry]) -> int:
    """Bytes the entries take once unpacked (what Lambda's 250 MB limit counts)."""
    return sum(entry.source.stat().st_size for entry in entries)


def write_zip(entries: list[Entry], path: Path) -> ArchiveFacts:
    """Write `entries` (sorted by name) as a deterministic zip at `path`, atomically."""
    with replacing(path) as partial, zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        unzipped = sum(_add(archive, entry) for entry in sorted(entries, key=lambda item: item.name))
    return ArchiveFacts(path, file_sha256(path), path.stat().st_size, unzipped, len(entries))


def write_layered(base: ArchiveFacts, entries: list[Entry], path: Path) -> ArchiveFacts:
    """The zip `base` (the dependencies, written once per cache entry) with `entries` (the code, sorted by name)
    appended, at `path`, atomically: a code change compresses the code alone. Deterministic as write_zip is;
    the entries must not share a name with the base (merged() and write_zip take that case)."""
    with replacing(path) as partial:
        shutil.copyfile(base.path, partial)
        with zipfile.ZipFile(partial, "a", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            unzipped = sum(_add(archive, entry) for entry in sorted(entries, key=lambda item: item.name))
    files = base.files + len(entries)
    return ArchiveFacts(path, file_sha256(path), path.stat().st_size, base.unzipped_bytes + unzipped, files)


@contextlib.contextmanager
def replacing(path: Path):
    """A hidden partial file to write, put in place of `path` once written; if anything stops the writing (an
    error, Ctrl-C), the partial file goes and `path` stays as it was (cache.sweep removes what a kill leaves)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        yield partial
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, path)


def zip_names(path: Path) -> set[str]:
    """The names a zip holds (from its central directory)."""
    with zipfile.ZipFile(path) as archive:
        return set(archive.namelist())


def _add(archive: zipfile.ZipFile, entry: Entry) -> int:
    """Add one entry with the fixed date and mode; returns its unpacked size."""
    info = zipfile.ZipInfo(entry.name, FIXED_TIME)
    info.create_system = 3  # unix, so the mode below is read
    info.external_attr = (stat.S_IFREG | entry.mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    size = 0
    with entry.source.open("rb") as source, archive.open(info, "w") as target:
        for chunk in iter(lambda: source.read(1 << 20), b""):
            target.write(chunk)
            size += len(chunk)
    return size


def entries_digest(entries: list[Entry]) -> str:
    """A digest of what entries hold (names, executable bits, bytes), without writing an archive."""
    digest = hashlib.sha256()
    for entry in sorted(entries, key=lambda item: item.name):
        digest.update(f"{entry.name}\0{int(entry.executable)}\0{file_sha256(entry.source)}\0".encode())
    return digest.hexdigest()


def reusable(path: Path, inputs: str) -> ArchiveFacts | None:
    """The zip at `path` if it was written from the same `inputs` (a digest of everything that goes in)."""
    try:
        known = json.loads(_sidecar(path).read_text(encoding="utf-8"))
        # the zip is replaced before its record is written: a build stopped (or overtaken) between the two leaves
        # a record of another zip, so the bytes themselves are checked (~20 ms for 16 MB)
        if (
            known["inputs"] == inputs
            and path.stat().st_size == known["zipped_bytes"]
            and file_sha256(path) == known["sha256"]
        ):
            figures = [known[key] for key in ("sha256", "zipped_bytes", "unzipped_bytes", "files", "compiled")]
            return ArchiveFacts(path, *figures)
    except (OSError, ValueError, KeyError):
        pass
    return None


def write_recorded(entries: list[Entry], path: Path, inputs: str, compiled: bool, base=None) -> ArchiveFacts:
    """Write the zip (write_zip, or write_layered on a `base`) and keep its facts and `inputs` beside it, for
    `reusable`."""
    written = write_layered(base, entries, path) if base is not None else write_zip(entries, path)
    facts = dataclasses.replace(written, compiled=compiled)
    record = {"inputs": inputs, "sha256": facts.sha256, "zipped_bytes": facts.zipped_bytes}
    record |= {"unzipped_bytes": facts.unzipped_bytes, "files": facts.files, "compiled": compiled}
    _sidecar(path).write_text(json.dumps(record, sort_keys=True), encoding="utf-8")
    return facts


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def file_sha256(path: Path, prefix: bytes = b"") -> str:
    """The hex sha256 of a file's bytes (after `prefix`)."""
    digest = hashlib.sha256(prefix)
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
