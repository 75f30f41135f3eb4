"""Helpers of the build tests (tests/test_build_*.py): a spec whose functions have code folders in a temporary
folder, local wheels made on the spot (a wheel is a zip with a .dist-info), zips read back, limits made small,
and whether PyPI answers (tests marked `network` skip, saying so, when it does not)."""

from __future__ import annotations

import base64
import dataclasses
import functools
import hashlib
import tarfile
import urllib.request
import zipfile
from pathlib import Path

import pytest

from aipipe.build.artifacts import BuildReport, build_functions
from aipipe.clouds.base import PackageLimits
from aipipe.clouds.registry import CLOUDS
from aipipe.core.diagnostics import Severity
from aipipe.validation import DEFAULT_STACK, load_spec

HEADER = {
    "aws": "aipipe: 1\nname: builds\ncloud: aws\nregion: us-east-1\nresources:\n",
    "gcp": "aipipe: 1\nname: builds\ncloud: gcp\nregion: us-central1\nresources:\n",
}
HANDLER = {"aws": "app.handler", "gcp": "handle"}
CODE = {
    "aws": ("app.py", "def handler(event, context):\n    return event\n"),
    "gcp": ("main.py", "def handle(event):\n    return event\n"),
}
PYPI = "https://pypi.org/simple/six/"


def write_spec(folder: Path, cloud: str = "aws", functions: dict[str, dict] | None = None) -> Path:
    """An aipipe.yaml in `folder` with one function per entry of `functions` (name -> extra fields, `code`
    defaulting to ./<name>); each code folder gets its handler file unless it exists. Returns the spec path."""
    functions = functions if functions is not None else {"fn": {}}
    text = HEADER[cloud]
    for name, fields in functions.items():
        fields = {"runtime": "python3.12", "handler": HANDLER[cloud], "code": f"./{name}", **fields}
        text += f"  {name}:\n    type: function\n" + "".join(f"    {key}: {value}\n" for key, value in fields.items())
        code = folder / fields["code"]
        code.mkdir(parents=True, exist_ok=True)
        file, source = CODE[cloud]
        if not (code / file).exists():
            (code / file).write_text(source)
    (folder / "aipipe.yaml").write_text(text)
    return folder / "aipipe.yaml"


def load(spec_path: Path):
    """The valid Spec of a file (the test fails with the diagnostics otherwise)."""
    result = load_spec(str(spec_path), DEFAULT_STACK)
    assert result.spec is not None, [d.message for d in result.diagnostics]
    return result.spec


def build(spec_path: Path, only: str | None = None, offline: Severity = Severity.ERROR) -> BuildReport:
    """build_functions on a spec file."""
    return build_functions(load(spec_path), only=only, offline_severity=offline)


def make_wheel(folder: Path, name: str, version: str, files: dict[str, bytes], tag: str = "py3-none-any") -> Path:
    """A real, installable wheel `name-version-tag.whl` in `folder` holding `files` (archive name -> bytes)
    plus its METADATA, WHEEL and RECORD; stored uncompressed, so a large file costs no time to write."""
    folder.mkdir(parents=True, exist_ok=True)
    dist_info = f"{name}-{version}.dist-info"
    files = {
        **files,
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{dist_info}/WHEEL": f"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: {tag}\n".encode(),
    }
    record = [f"{path},sha256={_record_hash(data)},{len(data)}" for path, data in files.items()]
    files[f"{dist_info}/RECORD"] = ("\n".join([*record, f"{dist_info}/RECORD,,"]) + "\n").encode()
    path = folder / f"{name}-{version}-{tag}.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as wheel:
        for archive_name, data in files.items():
            wheel.writestr(archive_name, data)
    return path


def _record_hash(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def local_index(monkeypatch, wheels: Path) -> None:
    """uv finds packages only among the wheels in `wheels` (its environment, so the requirements text, and
    with it the cache key, is the same as with PyPI)."""
    monkeypatch.setenv("UV_NO_INDEX", "1")
    monkeypatch.setenv("UV_FIND_LINKS", str(wheels))


def unreachable_index(monkeypatch) -> None:
    """uv's index is a closed port on this machine: a cold install fails at once (no retries)."""
    monkeypatch.setenv("UV_INDEX_URL", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("UV_HTTP_RETRIES", "0")
    monkeypatch.delenv("UV_NO_INDEX", raising=False)
    monkeypatch.delenv("UV_FIND_LINKS", raising=False)


def small_limits(monkeypatch, **limits: int) -> None:
    """Patch a cloud's package limits (`aws_unzipped=...`, `gcp_source_zip=...`): the clouds' real limits
    (250 MB, 10 GB, 100 MB) would take that many bytes on disk to cross, while the code that compares is the
    same whatever the number."""
    for cloud in ("aws", "gcp"):
        mine = {key.split("_", 1)[1]: value for key, value in limits.items() if key.startswith(f"{cloud}_")}
        if mine:
            functions = CLOUDS[cloud].functions
            package = dataclasses.replace(functions.package or PackageLimits(), **mine)
            patched = dataclasses.replace(CLOUDS[cloud], functions=dataclasses.replace(functions, package=package))
            monkeypatch.setitem(CLOUDS, cloud, patched)


def zip_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


def tar_names(path: Path) -> list[str]:
    with tarfile.open(path) as archive:
        return archive.getnames()


@functools.lru_cache(maxsize=1)
def pypi_reachable() -> bool:
    """Whether PyPI's simple index answers from here (once per test process)."""
    try:
        with urllib.request.urlopen(PYPI, timeout=10) as response:
            return response.status == 200
    except OSError:
        return False


def require_pypi() -> None:
    """Skip, saying why, when pypi.org cannot be reached (CI reaches it: the tests that call this run there)."""
    if not pypi_reachable():
        pytest.skip(f"pypi.org is unreachable from this machine ({PYPI}); these tests install real wheels")
