"""Golden files: the rendered program of every example and good spec, and a snapshot of the values its
templates render (the program context), so a refactoring that keeps both byte-identical changed nothing.

`AIPIPE_UPDATE_GOLDEN=1` rewrites the files and then fails the test, so a run that updates goldens can never
pass by comparing a file with itself.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

import pytest

from conftest import DATA

GOLDEN = DATA / "golden"


def compare_with_golden(name: str, rendered: str) -> None:
    """Fail with a unified diff when `rendered` differs from tests/data/golden/<name>."""
    golden = GOLDEN / name
    if os.environ.get("AIPIPE_UPDATE_GOLDEN"):
        if not golden.exists() or golden.read_text() != rendered:
            golden.write_text(rendered)
            pytest.fail(
                f"golden/{name} rewritten (AIPIPE_UPDATE_GOLDEN is set): review the change with git diff, "
                "then run the tests again without AIPIPE_UPDATE_GOLDEN"
            )
        return pytest.fail("AIPIPE_UPDATE_GOLDEN is set: unset it, goldens are compared only without it")
    expected = golden.read_text() if golden.exists() else ""
    diff = "".join(
        difflib.unified_diff(expected.splitlines(True), rendered.splitlines(True), f"golden/{name}", "rendered")
    )
    assert not diff, f"{name} changed (AIPIPE_UPDATE_GOLDEN=1 accepts it, then rerun):\n{diff}"


def golden_name(path: Path, suffix: str) -> str:
    """examples are named by folder (event-driven-ingest.py), good specs by file (aws-everything.py)."""
    stem = path.parent.name if path.name == "aipipe.yaml" else path.stem
    return stem + suffix


def snapshot(value) -> str:
    """A stable JSON text of nested values; anything not JSON (Code, views) as its text."""
    return json.dumps(value, indent=1, sort_keys=True, default=str, ensure_ascii=False) + "\n"
