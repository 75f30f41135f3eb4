"""What a local handler's interpreter may import, besides its own code: the function's dependencies, installed by
aipipe's packaging build for this machine, and what the cloud's runtime itself provides.

- aws: the Lambda Python runtimes include the AWS SDK for Python, boto3 (docs.aws.amazon.com/lambda/latest/dg/
  lambda-python.html: "The Python runtime includes the AWS SDK for Python (Boto3)").
- gcp: Cloud Functions installs functions-framework for a Python function that does not ask for it
  (cloud.google.com/functions/docs/writing/specifying-dependencies-python: "The Functions Framework is a
  required dependency for all functions. Although Cloud Run functions installs it on your behalf ...").
Both are taken from the environment aipipe runs in, as a folder of links to exactly those distributions and what
they require, so the handler sees them and nothing else of aipipe's environment (not aipipe, not pydantic)."""

from __future__ import annotations

import hashlib
import platform
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from aipipe.build import dependencies as deps_of
from aipipe.build.sources import dependency_source
from aipipe.build.targets import Target
from aipipe.core.local_paths import ReadableArea

RUNTIME_PACKAGES = {"aws": ("boto3",), "gcp": ("functions-framework",)}
LOCAL_FOLDER = "local"  # under the build root: .aipipe/build/local/
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class RuntimeMissing(Exception):
    """A distribution the cloud's runtime provides is not installed beside aipipe."""


@dataclass(frozen=True)
class LocalTarget(Target):
    """This machine, as a build target: wheels for the interpreter that runs local handlers."""

    machine: str = ""

    @property
    def platform(self) -> str:
        """uv's `--python-platform` for this machine (`x86_64-unknown-linux-gnu`)."""
        return self.machine

    @property
    def glibc_tag(self) -> str:
        return "local"


def local_target(cloud: str) -> LocalTarget:
    """The target of this machine and of the interpreter running aipipe."""
    machine = platform.machine().lower()
    machine = {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)
    system = {"linux": "unknown-linux-gnu", "darwin": "apple-darwin", "win32": "pc-windows-msvc"}
    triple = f"{machine}-{system.get(sys.platform, 'unknown-linux-gnu')}"
    python = f"python{sys.version_info.major}.{sys.version_info.minor}"
    return LocalTarget(cloud, python, "arm64" if machine == "aarch64" else "x86_64", machine=triple)


def function_dependencies(spec, function, build_root: Path) -> Path | None:
    """The function's dependencies installed for this machine (cached like the cloud builds' under
    `.aipipe/build/deps/`), or None when its code folder declares none. Raises InstallFailure, SourceProblem."""
    code = spec.base_dir / function.code
    source = dependency_source(code, ReadableArea.of(spec.base_dir), alone=spec.cloud == "gcp")
    if source is None:
        return None
    return deps_of.installed(source, local_target(spec.cloud), build_root).tree


def runtime_tree(cloud: str, build_root: Path) -> Path:
    """A folder of links to the distributions the cloud's runtime provides and everything they require; one per
    set of installed versions, made once (a new folder when they change, so a running handler keeps its own)."""
    distributions = _closure(RUNTIME_PACKAGES[cloud])
    versions = sorted(f"{d.metadata['Name']}=={d.version}@{d.locate_file('')}" for d in distributions)
    digest = hashlib.sha256("\n".join(versions).encode()).hexdigest()[:12]
    python = f"py{sys.version_info.major}{sys.version_info.minor}"
    folder = build_root / LOCAL_FOLDER / f"runtime-{cloud}-{python}-{digest}"
    if folder.is_dir():
        return folder
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=_made(folder.parent)))
    for distribution in distributions:
        for item in _top_level(distribution):
            link = staging / item.name
            if not link.exists():
                link.symlink_to(item, target_is_directory=item.is_dir())
    try:
        staging.rename(folder)
    except OSError:  # another aipipe made it meanwhile
        shutil.rmtree(staging, ignore_errors=True)
    return folder


def _made(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _closure(names: tuple[str, ...]) -> list[metadata.Distribution]:
    """The distributions `names` and, recursively, their requirements, extras left out. Other markers are not
    evaluated: a requirement for another Python is either not installed (and skipped) or harmless to see."""
    found: dict[str, metadata.Distribution] = {}
    waiting = list(names)
    while waiting:
        name = waiting.pop()
        key = name.lower().replace("_", "-")
        if key in found:
            continue
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            if name in names:
                raise RuntimeMissing(f"`{name}` is not installed beside aipipe (pip install {name})") from None
            continue
        found[key] = distribution
        for text in distribution.requires or []:
            requirement, _, marker = text.partition(";")
            name_match = _NAME.match(requirement.strip())
            if name_match and "extra" not in marker:
                waiting.append(name_match.group(0))
    return list(found.values())


def _top_level(distribution: metadata.Distribution) -> list[Path]:
    """The importable modules and packages a distribution installed, and its metadata folder."""
    names: set[str] = set()
    for file in distribution.files or []:
        first = file.parts[0]
        module = len(file.parts) == 1 and first.endswith((".py", ".so", ".pyd"))
        package = len(file.parts) > 1 and first not in ("..", "__pycache__", "bin") and not first.endswith(".data")
        if module or package:
            names.add(first)
    base = Path(str(distribution.locate_file("")))
    return [base / name for name in sorted(names) if (base / name).exists()]
