"""The dependency sources a function's code folder declares, and where each requirement is written.

In order of precedence: `requirements.txt` (pip's format, options and all: uv reads it as pip does), or
`pyproject.toml`'s `[project].dependencies`, pinned by `uv.lock` when one lies beside it (exported with
`uv export --frozen`, so the lock decides the versions). Each requirement keeps its file, line and column,
so a problem with one (no wheel for the target, not found) points at the line that asks for it."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from aipipe.core.local_paths import ReadableArea

REQUIREMENTS = "requirements.txt"
PYPROJECT = "pyproject.toml"
LOCK = "uv.lock"
# PEP 508's name at the start of a requirement (PEP 503 normalises it for comparison)
NAME = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")
# why aipipe may not read a resolved path (the words after its name), or None when it may
Refusal = Callable[[Path], str | None]


def normalized(name: str) -> str:
    """PEP 503's normal form of a distribution name: `Pillow_SIMD` -> `pillow-simd`."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Requirement:
    """One requirement as written: its name, text, and place."""

    name: str
    text: str
    file: Path
    line: int
    column: int


@dataclass
class DependencySource:
    """What a code folder asks to install: the file that says so, its requirements, and the text given to the
    installer (requirements.txt format)."""

    file: Path
    requirements: list[Requirement] = field(default_factory=list)
    installer_text: str = ""
    locked: bool = False

    def find(self, name: str) -> Requirement | None:
        """The requirement that names distribution `name`, if one does."""
        wanted = normalized(name)
        return next((item for item in self.requirements if normalized(item.name) == wanted), None)


class SourceProblem(Exception):
    """A dependency file that cannot be read or understood; `line` and `column` point into `file`."""

    def __init__(self, file: Path, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.file, self.line, self.column = file, line, column


def dependency_source(code: Path, area: ReadableArea | None = None, alone: bool = False) -> DependencySource | None:
    """The dependency source of a code folder, or None when it declares no dependencies. With `area` (what the
    spec may read: aipipe.core.local_paths), a requirements file may read only files aipipe may read (see
    `check_local_files`); when the code folder is installed `alone` by the cloud (Cloud Build gets only the
    uploaded folder), only files inside it."""
    requirements = code / REQUIREMENTS
    if requirements.is_file():
        if area is not None:
            check_local_files(requirements, _inside(code.resolve()) if alone else area.refusal)
        return _requirements_file(requirements)
    pyproject = code / PYPROJECT
    if pyproject.is_file():
        return _pyproject(pyproject)
    return None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise SourceProblem(path, f"`{path.name}` is not valid UTF-8 ({error.reason})") from None
    except OSError as error:
        raise SourceProblem(path, f"`{path.name}` cannot be read: {error.strerror}") from None


def _requirements_file(path: Path) -> DependencySource:
    text = _read(path)
    requirements = []
    for number, line in enumerate(text.splitlines(), start=1):
        content = line.split(" #", 1)[0].strip()
        if not content or content.startswith(("#", "-")):  # comments and pip options (-r, --index-url, ...)
            continue
        match = NAME.match(line)
        if match is None:
            continue  # a URL or a path: the installer judges it
        requirements.append(Requirement(match.group(1), content, path, number, match.start(1) + 1))
    return DependencySource(path, requirements, text)


def _pyproject(path: Path) -> DependencySource | None:
    text = _read(path)
    try:
        document = _toml_loads(text)
    except ValueError as error:
        line, column = _toml_position(str(error))
        raise SourceProblem(path, f"`{path.name}` is not valid TOML: {error}", line, column) from None
    project = document.get("project")
    dependencies = project.get("dependencies", []) if isinstance(project, dict) else []
    if not isinstance(dependencies, list) or not all(isinstance(item, str) for item in dependencies):
        raise SourceProblem(path, "`[project].dependencies` must be a list of requirement strings")
    if not dependencies:
        return None
    lines = text.splitlines()
    requirements = []
    for item in dependencies:
        line, column = _position_of(lines, item)
        match = NAME.match(item)
        requirements.append(Requirement(match.group(1) if match else item, item, path, line, column))
    lock = path.parent / LOCK
    if lock.is_file():
        return DependencySource(path, requirements, _export_lock(path.parent), locked=True)
    return DependencySource(path, requirements, "\n".join(dependencies) + "\n")


def _position_of(lines: list[str], item: str) -> tuple[int, int]:
    """Line and column of a dependency string in pyproject.toml (its quoted form), or the file's start."""
    for quote in ('"', "'"):
        needle = quote + item + quote
        for number, line in enumerate(lines, start=1):
            column = line.find(needle)
            if column >= 0:
                return number, column + 2
    return 1, 1


# options of a requirements file whose argument is a local file or folder (`-r base.txt`, `-f wheels`)
INCLUDES = ("-r", "--requirement", "-c", "--constraint")
FILE_OPTIONS = (*INCLUDES, "-f", "--find-links", "-e", "--editable")
# pip's (and uv's) environment variable expansion in requirements files: `${HOME}/...`
EXPANSION = re.compile(r"\$\{?[A-Za-z_]")


@dataclass(frozen=True)
class Reference:
    """A local file or folder a requirements file names: where, as written, resolved, and whether it is a
    requirements or constraints file read in turn."""

    line: int
    column: int
    token: str
    path: Path
    included: bool


def file_references(requirements: Path) -> list[Reference]:
    """Every local file or folder a requirements file names: the argument of a file option (`-r base.txt`,
    `--find-links=./wheels`, `-rbase.txt`) and any other token that can name one (anything with a path
    separator, `.`/`..`, or a `file:` URL: `pkg @ file:../x.whl`, `--index-url file:///srv/index`, `-e ../pkg`).
    Comments are skipped. One scan serves the cache key (`local_inputs`) and the check (`check_local_files`)."""
    found = []
    for number, line in enumerate(_read_quietly(requirements).splitlines(), start=1):
        content = line.split(" #", 1)[0]
        words = content.split()
        if not words or words[0].startswith("#"):
            continue
        argument = _option_argument(words)
        tokens = [token for word in words for token in word.split("=", 1)[-1:]]
        if argument is not None and argument not in tokens:  # attached to its option: `-rbase.txt`
            tokens.insert(0, argument)
        for token in tokens:
            path = _named_file(requirements.parent, token, token == argument)
            if path is not None:
                included = token == argument and words[0].startswith(INCLUDES)
                found.append(Reference(number, line.find(token) + 1, token, path, included))
    return found


def _option_argument(words: list[str]) -> str | None:
    """The argument of a line's file option, written `-r x`, `-r=x`, `--requirement=x` or `-rx`."""
    first = words[0]
    option, _, attached = first.partition("=")
    if option in FILE_OPTIONS:
        return attached or (words[1] if len(words) > 1 else None)
    short = first[:2]
    if short in FILE_OPTIONS and not first.startswith("--") and len(first) > 2:
        return first[2:]
    return None


def _named_file(folder: Path, token: str, is_argument: bool = False) -> Path | None:
    """The file a requirements token names, resolved against `folder`, or None for a name, a version, a
    marker, an option or a remote URL. A file option's argument is a file whatever it looks like."""
    if token.startswith("file:"):
        token = token.removeprefix("file:")
        token = token[2:] if token.startswith("//") else token
    elif (
        "://" in token
        or token.startswith("-")
        or not (is_argument or "/" in token or "\\" in token or token in (".", ".."))
    ):
        return None
    return (folder / token).resolve()


def local_inputs(source: DependencySource) -> str:
    """The content of the local files a requirements.txt reads besides itself (included requirement and
    constraint files, --find-links folders, wheel paths), as text: with the requirements it decides what is
    installed, so it is part of the cache key (a changed `-r base.txt` or a rebuilt wheel is a new entry)."""
    if source.file.name != REQUIREMENTS:
        return ""
    seen: dict[Path, str] = {}
    _local_files(source.file, seen)
    seen.pop(source.file, None)
    places = {os.path.relpath(path, source.file.parent): digest for path, digest in seen.items()}  # movable
    return "".join(f"\0{place}\0{digest}" for place, digest in sorted(places.items()))


def _local_files(requirements: Path, seen: dict[Path, str]) -> None:
    seen[requirements] = _digest(requirements)
    for reference in file_references(requirements):
        path = reference.path
        if path.is_dir():  # a --find-links folder: the archives in it
            seen.update({item: _digest(item) for item in sorted(path.iterdir()) if item.is_file()})
        elif path.is_file() and path not in seen:
            if reference.included:
                _local_files(path, seen)
            else:
                seen[path] = _digest(path)


def check_local_files(requirements: Path, refusal: Refusal, seen: set[Path] | None = None) -> None:
    """Refuse a requirements file that reads a file aipipe may not read (`refusal` says why, as the words after
    the path: `-r /home/me/.aws/credentials`, `-f ../../wheels`, `pkg @ file:///etc/...`, `-e ../../pkg`,
    `--index-url file:///...`), here or in a file it includes: the installer would read it, and its errors would
    print it, on every machine that plans a pull request. Environment variables are refused outright (the
    installer expands them; this check cannot). Raises SourceProblem at the line."""
    seen = seen if seen is not None else set()
    seen.add(requirements.resolve())
    for number, line in enumerate(_read_quietly(requirements).splitlines(), start=1):
        content = line.split(" #", 1)[0]
        expansion = EXPANSION.search(content)
        if expansion and not content.lstrip().startswith("#"):
            raise SourceProblem(
                requirements,
                "environment variables are not allowed in a requirements file aipipe builds from: what they "
                "name cannot be checked to stay inside the project. Write the path or the value out",
                number,
                expansion.start() + 1,
            )
    for reference in file_references(requirements):
        why = refusal(reference.path)
        if why is not None:
            message = f"`{reference.token}` {why} (or install it from a package index)"
            raise SourceProblem(requirements, message, reference.line, reference.column)
        if reference.included and reference.path.is_file() and reference.path not in seen:
            check_local_files(reference.path, refusal, seen)


def _inside(code: Path) -> Refusal:
    """The refusal of a code folder the cloud installs alone: anything outside it."""

    def refusal(path: Path) -> str | None:
        if path.is_relative_to(code):
            return None
        return (
            f"is outside the code folder ({code}): the cloud builds from the uploaded folder alone. Move it into "
            "the code folder"
        )

    return refusal


def _digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "unreadable"


def _read_quietly(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _export_lock(project: Path) -> str:
    """The locked requirements of a uv project, as requirements.txt text. `--locked` (not `--frozen`): a lock
    that no longer matches pyproject.toml (a dependency added without `uv lock`) is refused, offline, instead
    of silently leaving the new dependency out (docs.astral.sh/uv/reference/cli/#uv-export)."""
    from aipipe.build.installer import uv_binary

    command = [uv_binary(), "export", "--locked", "--no-emit-project", "--no-hashes", "--no-header", "--quiet"]
    command += ["--format", "requirements-txt", "--directory", str(project)]
    result = subprocess.run(command, check=False, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        detail = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else f"exit {result.returncode}"
        raise SourceProblem(project / LOCK, f"`uv.lock` cannot be exported: {detail}. Fix: run `uv lock` in {project}")
    return result.stdout


def _toml_loads(text: str) -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - python 3.10
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(str(error)) from None


def _toml_position(message: str) -> tuple[int, int]:
    match = re.search(r"line (\d+), column (\d+)", message)
    return (int(match.group(1)), int(match.group(2))) if match else (1, 1)
