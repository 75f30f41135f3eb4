"""The installer: uv (on PyPI, a dependency of aipipe) resolves and installs requirements for a target
platform and Python that need not be the machine's own — `uv pip install --target DIR --python-platform
x86_64-manylinux_2_34 --python-version 3.12 --only-binary :all:` (docs.astral.sh/uv/reference/cli/
#uv-pip-install; `--only-binary :all:` is its `--no-build`, and uv refuses the two together) — and `uv pip
compile` resolves without installing. Its failures are sorted into what the
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
    met for the target), `needs_build` (only an sdist or a local project would do) or `failed` (anything
    else). `packages` are the names uv's explanation mentions."""

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
    """Resolve `requirements` for `target` without installing; returns the pinned requirements. Raises
    InstallFailure. Never builds: reading an sdist's metadata may mean running its setup.py, which would let a
    requirements file (a pull request's, in `aipipe diff`) run code on this machine; such a requirement is a
    `needs_build` failure, which the caller reports as unchecked (the cloud builds sdists itself)."""
    command = [uv_binary(), "pip", "compile", str(requirements), "--no-header", "--no-annotate", "--no-build"]
    command += _target_switches(target)
    return _run(command, requirements.parent)


def _target_switches(target: Target) -> list[str]:
    return ["--python-platform", target.platform, "--python-version", target.python or "3.12", "--color", "never"]


def _run(command: list[str], cwd: Path) -> str:
    # the target's Python is only a version to resolve for: never download one (uv pip compile would try)
    defaults = {"UV_HTTP_TIMEOUT": "30", "UV_PYTHON_DOWNLOADS": "never"}
    environment = {**defaults, **os.environ, "UV_NO_PROGRESS": "1"}
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
    lines = _error_lines(stderr)
    detail = " ".join(lines) or "the installer failed without a message"
    lowered = detail.lower()
    if "network was disabled" in lowered:  # UV_OFFLINE with a cold uv cache: "not found in the cache"
        return InstallFailure("unreachable", _explanation(lines))
    if "no solution found" in lowered or "unsatisfiable" in lowered or "not found in the package registry" in lowered:
        explanation = _explanation(lines)
        # "hint: Wheels are required for `docopt` because building from source is disabled": only an sdist
        reason = "needs_build" if "building from source is disabled" in lowered else "unsatisfiable"
        return InstallFailure(reason, explanation, _mentioned(explanation))
    if "building source distributions is disabled" in lowered:  # a local project or sdist, never built here
        return InstallFailure("needs_build", _explanation(lines), _mentioned(detail))
    if any(words in lowered for words in UNREACHABLE):
        return InstallFailure("unreachable", _network_reason(lines))
    return InstallFailure("failed", detail, _mentioned(detail))


def _error_lines(stderr: str) -> list[str]:
    """uv's error, stripped, from its `error:` line on: the warnings before it (a Python version it could not
    find, with their network causes) are not the failure."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    first = next((index for index, line in enumerate(lines) if line.startswith("error:")), None)
    return lines[first:] if first is not None else [line for line in lines if not line.startswith("Using ")]


def _explanation(lines: list[str]) -> str:
    """uv's reason, without its preamble and hints: `numpy==1.24.4 has no usable wheels ...`, every line of it
    (a resolver's derivation goes on over `And because ...` lines)."""
    for index, line in enumerate(lines):
        if line.startswith(("cause:", "╰─▶")):
            first = line.split(":", 1)[1] if line.startswith("cause:") else line.removeprefix("╰─▶")
            rest = []
            for more in lines[index + 1 :]:
                if more.lower().startswith(("hint:", "cause:", "error:", "warning:")):
                    break
                rest.append(more)
            return " ".join([first.strip(), *rest])
    return " ".join(line for line in lines if not line.lower().startswith("hint:"))


def _network_reason(lines: list[str]) -> str:
    """`Failed to fetch: https://… (Connection refused (os error 111))`: what uv tried, and the innermost cause."""
    head = lines[0].removeprefix("error:").strip() if lines else "the package index cannot be reached"
    causes = [line.removeprefix("cause:").strip() for line in lines[1:] if line.startswith("cause:")]
    return f"{head} ({causes[-1]})" if causes else head


def _mentioned(detail: str) -> list[str]:
    """Package names in uv's explanation, first mention first."""
    names = []
    for name in MENTIONED.findall(detail):
        if name.lower() not in NOT_NAMES and name not in names:
            names.append(name)
    return names
