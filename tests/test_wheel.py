"""The installable wheel: it carries the templates and the examples `aipipe init` copies, and never a state
folder left beside an example (rendered programs, build caches with installed wheels, a passphrase)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

from conftest import ROOT

LEFT_OUT = shutil.ignore_patterns(".git", ".aipipe", "__pycache__", "mutants", "*.egg-info", ".venv", "venv")


def test_the_wheel_ships_templates_and_examples_but_no_state_folder(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=LEFT_OUT)
    planted = source / "specs" / "event-driven-ingest" / ".aipipe"
    (planted / "build" / "deps").mkdir(parents=True)
    (planted / "passphrase").write_text("not to be shipped")
    (planted / "build" / "deps" / "numpy.so").write_bytes(b"\0" * 1024)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(tmp_path), str(source)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    [wheel] = tmp_path.glob("aipipe-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "aipipe/templates/program.py.j2" in names and "aipipe/build/artifacts.py" in names
    assert "aipipe/examples/event-driven-ingest/aipipe.yaml" in names
    assert "aipipe/examples/async-training-pipeline/profile/requirements.txt" in names
    assert [name for name in names if ".aipipe" in name or "__pycache__" in name] == []
