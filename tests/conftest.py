"""Shared test helpers: paths to the test data and the example specs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
EXAMPLES = sorted((ROOT / "specs").glob("*/aipipe.yaml"))
# copies of the examples leave out the state folder that rendering them here (builds, plans) leaves beside them
WITHOUT_STATE = shutil.ignore_patterns(".aipipe")


def copy_example(name: str, folder: Path) -> Path:
    """A copy of the example `specs/<name>` (its code, not its state folder) at `folder`; returns `folder`."""
    shutil.copytree(ROOT / "specs" / name, folder, ignore=WITHOUT_STATE)
    return folder


@pytest.fixture
def write_spec(tmp_path):
    """Write spec text to a file in a temporary folder (with an `app/` code directory) and return its path."""

    def write(text: str, name: str = "aipipe.yaml") -> Path:
        (tmp_path / "app").mkdir(exist_ok=True)
        (tmp_path / "app" / "app.py").write_text("def handler(event, context):\n    return event\n")
        (tmp_path / "app" / "main.py").write_text("def main(event):\n    return event\n")  # gcp's entry file
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def program_virtualenv(tmp_path_factory):
    """A real virtualenv with pip, as aipipe hands Pulumi one, made offline by the standard library's venv
    (ensurepip installs the pip wheel Python ships)."""
    import venv

    path = tmp_path_factory.mktemp("program-env") / "venv"
    venv.create(path, with_pip=True)
    return path
