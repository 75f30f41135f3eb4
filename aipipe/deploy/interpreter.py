"""The Python environment a deployed program runs in: a virtualenv per cloud holding only that cloud's Pulumi SDK.

Why not aipipe's own interpreter: Pulumi's Python language host reports every installed package that carries a
`pulumi-plugin.json` to the engine, which then installs all their provider plugins (pulumi/pulumi
sdk/python/cmd/pulumi-language-python/main.go `GetRequiredPackages` -> `listPulumiPackageInfos`, which runs
`python -m pip list --format json`, sdk/python/toolchain/pip.go), so
an AWS spec would download the GCP provider too. That listing runs pip inside the interpreter and a failure is
fatal ("failed to discover package requirements"), so the environment must have pip; virtualenvs made by
`uv venv` have none. Pulumi.yaml names the environment (`runtime.options.virtualenv`, toolchain `pip`), which
makes the interpreter explicit whatever lock files surround the program.

The environment is built once per cloud and SDK versions, pinned to the versions installed with aipipe (the ones
its tests ran against), in the user's cache. AIPIPE_PROGRAM_VIRTUALENV names an existing one instead (offline
machines, or a team's own build).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from aipipe.codegen.project import program_requirements
from aipipe.deploy.settings import DeployError

OVERRIDE = "AIPIPE_PROGRAM_VIRTUALENV"
COMPLETE = ".aipipe-complete"  # written when a build finished, so an interrupted one is rebuilt


def python_of(virtualenv: Path) -> Path:
    """The interpreter inside a virtualenv."""
    return virtualenv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def cache_folder(environ: Mapping[str, str]) -> Path:
    """Where aipipe keeps the program environments: $XDG_CACHE_HOME/aipipe, else ~/.cache/aipipe."""
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "aipipe" / "program-envs"


def default_virtualenv(cloud: str, environ: Mapping[str, str]) -> Path:
    """The cache path of the environment for `cloud` with the pinned versions (a new version, a new one)."""
    pins = program_requirements(cloud)
    digest = hashlib.sha256("\n".join(pins).encode()).hexdigest()[:12]
    return cache_folder(environ) / f"{cloud}-{digest}"


Runner = Callable[[list[str]], subprocess.CompletedProcess]


def _run(command: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, check=False)


def has_pip(python: Path, run: Runner = _run) -> bool:
    """Whether `python -m pip` works there (the language host's plugin discovery needs it)."""
    return python.is_file() and run([str(python), "-m", "pip", "--version"]).returncode == 0


def _no_pip(virtualenv: Path) -> DeployError:
    python = python_of(virtualenv)
    return DeployError(
        f"the program's Python environment {virtualenv} has no pip, which Pulumi needs to find the program's "
        f"packages (environments made by `uv venv` have none). Add it: `{python} -m ensurepip` (or "
        f"`uv pip install --python {python} pip`)"
    )


def ensure_virtualenv(cloud: str, environ: Mapping[str, str], echo: Callable[[str], None], run: Runner = _run) -> Path:
    """The program environment for `cloud`: AIPIPE_PROGRAM_VIRTUALENV when set (checked, never changed), else the
    cached one, built on first use. Raises DeployError saying how to fix what is missing."""
    if environ.get(OVERRIDE):
        virtualenv = Path(environ[OVERRIDE]).expanduser().resolve()
        if not python_of(virtualenv).is_file():
            raise DeployError(f"{OVERRIDE}={environ[OVERRIDE]} is not a virtualenv (no {python_of(virtualenv)})")
        if not has_pip(python_of(virtualenv), run):
            raise _no_pip(virtualenv)
        return virtualenv
    virtualenv = default_virtualenv(cloud, environ)
    complete = virtualenv / COMPLETE
    if complete.is_file():
        return virtualenv
    pins = program_requirements(cloud)
    echo(f"preparing the program's Python environment for {cloud} ({', '.join(pins)}), once, in {virtualenv}")
    shutil.rmtree(virtualenv, ignore_errors=True)  # a build that was interrupted
    steps = [
        [sys.executable, "-m", "venv", str(virtualenv)],
        [str(python_of(virtualenv)), "-m", "pip", "install", "--disable-pip-version-check", "--quiet", *pins],
    ]
    for step in steps:
        result = run(step)
        if result.returncode != 0:
            shutil.rmtree(virtualenv, ignore_errors=True)
            detail = "\n".join((result.stderr or result.stdout or "").strip().splitlines()[-8:])
            raise DeployError(
                f"could not build the program's Python environment ({' '.join(step[:4])} ...):\n{detail}\n"
                f"Without access to a package index, make a virtualenv with pip and {', '.join(pins)} and set "
                f"{OVERRIDE} to its path"
            )
    if not has_pip(python_of(virtualenv), run):
        raise _no_pip(virtualenv)
    complete.write_text("\n".join(pins) + "\n", encoding="utf-8")  # written last: the build finished
    return virtualenv
