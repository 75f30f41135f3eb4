"""The README's two commands stay true: the test command is what CI runs, the example spec exists."""

from __future__ import annotations

import re

from conftest import ROOT


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = "python -m pytest -n auto"
    assert f"pip install -e '.[test]' && {test_command}" in readme
    assert re.search(rf"^{re.escape(test_command)}$", ci, re.MULTILINE)


def test_readme_main_job_names_an_existing_example():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    spec = re.search(r"aipipe plan (specs/\S+\.yaml)", readme).group(1)
    assert (ROOT / spec).is_file()
