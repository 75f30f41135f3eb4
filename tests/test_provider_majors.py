"""The GCP programs under the other pulumi-gcp major aipipe supports (pyproject: 9 and 10). The test suite runs
against whatever the environment installed; CI (.ci/run) also builds an environment with the other major and
names its interpreter in AIPIPE_OTHER_GCP_PYTHON, where the rendered programs must type-check with pyright and
plan to the same resources."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from aipipe.codegen.project import write_project
from aipipe.offline.plan import plan_spec

from test_programs import ALL, key, spec_of

OTHER = os.environ.get("AIPIPE_OTHER_GCP_PYTHON")
GCP = [path for path in ALL if spec_of(path).cloud == "gcp"]

pytestmark = pytest.mark.skipif(
    not OTHER, reason="AIPIPE_OTHER_GCP_PYTHON names no second environment (.ci/run makes one)"
)


def _version(python: str) -> str:
    code = "import importlib.metadata as m; print(m.version('pulumi-gcp'))"
    return subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def test_the_other_environment_has_the_other_major():
    from importlib.metadata import version

    assert _version(OTHER).split(".")[0] != version("pulumi-gcp").split(".")[0]


def test_gcp_programs_type_check_under_the_other_major(tmp_path):
    for path in GCP:
        write_project(spec_of(path), tmp_path / key(path).replace("/", "_").removesuffix(".yaml"))
    executable = shutil.which("pyright") or str(Path(sys.executable).parent / "pyright")
    result = subprocess.run(
        [executable, "--outputjson", "--pythonpath", OTHER, str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    report = json.loads(result.stdout)
    errors = [d for d in report["generalDiagnostics"] if d["severity"] == "error"]
    assert report["summary"]["filesAnalyzed"] == len(GCP)
    assert errors == [], "\n".join(f"{e['file']}:{e['range']['start']['line'] + 1}: {e['message']}" for e in errors)


@pytest.mark.parametrize("path", GCP, ids=key)
def test_gcp_programs_plan_the_same_resources_under_the_other_major(path):
    result = subprocess.run(
        [OTHER, "-m", "aipipe", "plan", str(path), "--json"], capture_output=True, text=True, check=False, timeout=600
    )
    assert result.returncode == 0, result.stderr
    other = Counter(resource["type"] for resource in json.loads(result.stdout)["resources"])
    assert other == Counter(resource.type for resource in plan_spec(spec_of(path)).resources)
