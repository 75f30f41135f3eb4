"""The installer: uv (on PyPI, a dependency of aipipe) resolves and installs requirements for a target
platform and Python that need not be the machine's own — `uv pip install --target DIR --python-platform
x86_64-manylinux_2_34 --python-version 3.12 --only-binary :all:` (docs.astral.sh/uv/reference/cli/
#uv-pip-install) — and `uv pip compile` resolves without installing. Its failures are sorted into what the
user can act on: a requirement that cannot be met for the target, or a package index that cannot be reached.

The index is uv's: PyPI unless UV_INDEX_URL / UV_DEFAULT_INDEX (or `--index-url` in requirements.txt) say
otherwise; uv does not read pip's configuration."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from aipipe.build.targets import Target

INSTALL_TIMEOUT_SECONDS = 900
# uv's words when the network, not the requirement, failed (uv's crates/uv-client error texts)
UNREACHABLE = (
    "error sending request",
    "dns error",
    "tcp connect error",
    "connection refused",
    "network is unreachable",
    "operation timed out",
    "failed to fetch",
    "could not connect",
)
# package names uv's resolver names in its explanation ("Because numpy==1.24.4 has no usable wheels ...")
MENTIONED = re.compile(r"(?:Because|and|depends on|requires?|of) ([A-Za-z0-9][A-Za-z0-9._-]*)")
NOT_NAMES = {"you", "we", "your", "all", "the", "there", "only", "no"}


@dataclass
class InstallFailure(Exception):
    """uv could not install or resolve: `unreachable` (no index), `unsatisfiable` (a requirement cannot be
    met for the target) or `failed` (anything else). `packages` are the names uv's explanation mentions."""

    reason: str
    detail: str
    packages: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return self.detail


def uv_binary() -> str:
    """The uv executable installed with aipipe (the `uv` distribution ships it)."""
    from uv import find_uv_bin

    return find_uv_bin()


def install(requirements: Path, target: Target, into: Path) -> None:
    """Install the wheels `requirements` asks for, for `target`, into the folder `into` (flat, as Lambda's
    /var/task or a layer's python/ expects). Raises InstallFailure."""
    command = [uv_binary(), "pip", "install", "--target", str(into), "--requirements", str(requirements)]
    command += _target_switches(target) + ["--only-binary", ":all:", "--link-mode", "copy"]
    _run(command, requirements.parent)


def resolve(requirements: Path, target: Target) -> str:
    """Resolve `requirements` for `target` without installing (sdists allowed: the cloud builds them);
    returns the pinned requirements. Raises InstallFailure."""
    command = [uv_binary(), "pip", "compile", str(requirements), "--no-header", "--no-annotate"]
    command += _target_switches(target)
    return _run(command, requirements.parent)


def _target_switches(target: Target) -> list[str]:
    return ["--python-platform", target.platform, "--python-version", target.python or "3.12", "--color", "never"]


def _run(command: list[str], cwd: Path) -> str:
    environment = {**os.environ, "UV_NO_PROGRESS": "1", "UV_HTTP_TIMEOUT": os.environ.get("UV_HTTP_TIMEOUT", "30")}
    try:
        result = subprocess.run(
            command,
            check=False,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_SECONDS,
            env=environment,
        )
    except subprocess.TimeoutExpired:
        raise InstallFailure("failed", f"the installer did not finish within {INSTALL_TIMEOUT_SECONDS}s") from None
    except OSError as error:
        raise InstallFailure("failed", f"the installer (uv) cannot run: {error.strerror}") from None
    if result.returncode == 0:
        return result.stdout
    raise classify(result.stderr)


def classify(stderr: str) -> InstallFailure:
    """Sort uv's error output into an InstallFailure."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip() and not line.startswith("Using ")]
    detail = " ".join(lines) or "the installer failed without a message"
    lowered = detail.lower()
    if "no solution found" in lowered or "unsatisfiable" in lowered or "not found in the package registry" in lowered:
        return InstallFailure("unsatisfiable", _explanation(lines), _mentioned(detail))
    if any(words in lowered for words in UNREACHABLE):
        return InstallFailure("unreachable", _first_and_last(lines))
    return InstallFailure("failed", detail, _mentioned(detail))


def _first_and_last(lines: list[str]) -> str:
    """`Failed to fetch: URL (Connection refused)`: what uv tried, and its deepest cause."""
    first = lines[0].removeprefix("error:").strip()
    last = lines[-1].removeprefix("cause:").strip()
    return first if len(lines) == 1 else f"{first} ({last})"


def _explanation(lines: list[str]) -> str:
    """uv's reason, without its preamble and hints: `numpy==1.24.4 has no usable wheels`."""
    for line in lines:
        if line.startswith("cause:") or line.startswith("╰─▶"):
            return line.split(":", 1)[1].strip() if line.startswith("cause:") else line[2:].strip()
    return " ".join(line for line in lines if not line.lower().startswith("hint:"))


def _mentioned(detail: str) -> list[str]:
    """Package names in uv's explanation, first mention first."""
    names = []
    for name in MENTIONED.findall(detail):
        if name.lower() not in NOT_NAMES and name not in names:
            names.append(name)
    return names
