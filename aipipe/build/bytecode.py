"""Bytecode for the target Python, compiled ahead so a cold start does not compile (Lambda's /var/task is
read-only: a .py imported without its .pyc is compiled again on every cold start). Only an interpreter of the
target's own version can write its bytecode (the format changes with each minor version), so this happens
when one is on PATH (`python3.12`) or aipipe itself runs on it; otherwise the archive ships sources only and
says so. Unchecked-hash pycs (PEP 552) hold no timestamps: the archive stays deterministic."""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
from pathlib import Path

TASK_ROOT = "/var/task"  # LAMBDA_TASK_ROOT: where tracebacks say the code is


@functools.cache
def interpreter_for(python: str | None) -> str | None:
    """An interpreter of version `python` (`3.12`) on this machine that runs, or None. A `python3.12` on PATH
    may be a shim that refuses to run (pyenv's, when that version is not selected): it is asked first."""
    if python is None:
        return None
    if f"{sys.version_info.major}.{sys.version_info.minor}" == python:
        return sys.executable
    candidate = shutil.which(f"python{python}")
    if candidate is None:
        return None
    try:
        answer = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            check=False,
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return candidate if answer.returncode == 0 and answer.stdout.strip() == python else None


def compile_tree(folder: Path, interpreter: str) -> bool:
    """Compile every .py under `folder` into its __pycache__ with `interpreter`; False if that failed (the
    archive then ships the sources alone, which still run)."""
    command = [interpreter, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash"]
    command += ["-s", str(folder), "-p", TASK_ROOT, str(folder)]
    try:
        result = subprocess.run(command, check=False, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0
