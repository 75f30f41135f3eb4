"""Real wheels from PyPI, installed for the function's target and not for this machine (issue 14's proof):
numpy's compiled core for cp312 on x86_64 and on aarch64 (the tests run on CPython 3.11), and AP601 at the
requirement's line for what has no wheel for the target or does not exist. Marked `network`: they skip,
saying so, where pypi.org cannot be reached; CI reaches it. Projects are built once per module."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from aipipe.build.installer import uv_binary

from build_helpers import build, require_pypi, write_spec, zip_names

pytestmark = pytest.mark.network
CORE = "numpy/_core/_multiarray_umath.cpython-312-{machine}-linux-gnu.so"
HOST_TAG = f"cpython-{sys.version_info.major}{sys.version_info.minor}"
LOCKED = '[project]\nname = "fn"\nversion = "0"\nrequires-python = ">=3.10"\ndependencies = ["six==1.16.0"]\n'


@pytest.fixture(scope="module", autouse=True)
def _pypi():
    """Before the module's builds: skip them all when PyPI is out of reach."""
    require_pypi()


@pytest.fixture(scope="module")
def numpy_build(tmp_path_factory):
    folder = tmp_path_factory.mktemp("numpy")
    spec = write_spec(folder, functions={"x86": {"code": "./fn"}, "arm": {"code": "./fn", "architecture": "arm64"}})
    (folder / "fn" / "requirements.txt").write_text("numpy==2.1.3\n")
    report = build(spec)
    assert report.diagnostics == []
    return report


@pytest.fixture(scope="module")
def failures(tmp_path_factory):
    """One build of the requirements that cannot be met, each in a function of its own."""
    folder = tmp_path_factory.mktemp("failures")
    files = {
        "sdist": "six==1.16.0\ndocopt==0.6.2\n",  # docopt publishes a source distribution only
        "oldnumpy": "# numpy before cp312 wheels\nsix==1.16.0\n  numpy==1.24.4\n",
        "unknown": "aipipe-no-such-package-4e1d==1.0\n",
    }
    spec = write_spec(folder, functions={name: {} for name in files})
    for name, text in files.items():
        (folder / name / "requirements.txt").write_text(text)
    return {problem.file.split("/")[-2]: problem for problem in build(spec).diagnostics}


@pytest.mark.parametrize(("function", "machine"), [("x86", "x86_64"), ("arm", "aarch64")])
def test_numpy_is_installed_for_the_lambda_machine_not_this_one(numpy_build, function, machine):
    artifact = numpy_build.artifacts[function]
    assert artifact.packages == ("numpy==2.1.3",) and artifact.package == "zip"
    names = zip_names(artifact.path)
    assert CORE.format(machine=machine) in names and "app.py" in names
    other = "aarch64" if machine == "x86_64" else "x86_64"
    assert not any(HOST_TAG in name or other in name for name in names if name.endswith(".so"))
    assert not any(name.startswith("bin/") for name in names)  # f2py's #! would name this machine's python
    assert 10 * 2**20 < artifact.unzipped_bytes < artifact.limit_bytes


def test_both_architectures_have_their_own_cache_entries(numpy_build):
    x86, arm = numpy_build.artifacts["x86"], numpy_build.artifacts["arm"]
    assert x86.cache == arm.cache == "miss" and x86.digest != arm.digest


def test_a_source_only_package_is_ap601_at_its_line(failures):
    problem = failures["sdist"]
    assert (problem.code, problem.line, problem.column) == ("AP601", 2, 1)
    assert problem.file.endswith("sdist/requirements.txt")
    assert problem.message.startswith("`docopt==0.6.2` cannot be installed for function `sdist`, Lambda python3.12")
    assert "(wheels cp312 manylinux_2_34 x86_64)" in problem.message
    assert "pin a version that publishes a wheel for this target" in problem.message
    assert "pip wheel` in public.ecr.aws/lambda/python:3.12" in problem.message


def test_a_version_without_wheels_for_the_python_is_ap601_at_its_line_and_column(failures):
    problem = failures["oldnumpy"]
    assert (problem.code, problem.line, problem.column) == ("AP601", 3, 3)
    assert "`numpy==1.24.4` cannot be installed" in problem.message and "cp312" in problem.message
    assert "Fix: pin a version that publishes a wheel" in problem.message


def test_an_unknown_package_is_ap601_check_the_name(failures):
    problem = failures["unknown"]
    assert (problem.code, problem.line) == ("AP601", 1)
    assert "aipipe-no-such-package-4e1d" in problem.message and "Fix: check the name" in problem.message


def test_gcp_resolves_and_refuses_an_unknown_package(tmp_path):
    spec = write_spec(tmp_path, "gcp", functions={"ok": {}, "bad": {}})
    (tmp_path / "ok" / "requirements.txt").write_text("six==1.16.0\n")
    (tmp_path / "bad" / "requirements.txt").write_text("six==1.16.0\naipipe-no-such-package-4e1d\n")
    report = build(spec)
    [problem] = report.diagnostics
    assert (problem.code, problem.line) == ("AP601", 2) and problem.file.endswith("bad/requirements.txt")
    assert "Cloud Functions python3.12" in problem.message and "Fix: check the name" in problem.message
    assert report.artifacts["ok"].packages == ("six==1.16.0",) and report.artifacts["ok"].package == "source"


def test_a_pyproject_dependency_is_located_at_its_string(tmp_path):
    spec = write_spec(tmp_path)
    (tmp_path / "fn" / "pyproject.toml").write_text(
        '[project]\nname = "fn"\nversion = "0"\ndependencies = [\n    "six==1.16.0",\n    "docopt==0.6.2",\n]\n'
    )
    [problem] = build(spec).diagnostics
    assert (problem.code, problem.line, problem.column) == ("AP601", 6, 6)
    assert problem.file.endswith("fn/pyproject.toml") and "`docopt==0.6.2`" in problem.message


def test_a_lock_made_by_uv_pins_what_is_installed(tmp_path):
    """`uv lock` against PyPI while the project asks six>=1.15: the build installs the locked version, and once
    the pyproject changes without a new lock the build refuses it (AP600 at uv.lock) instead of half-using it."""
    spec = write_spec(tmp_path)
    pyproject = tmp_path / "fn" / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "fn"\nversion = "0"\nrequires-python = ">=3.10"\ndependencies = ["six>=1.15"]\n'
    )
    command = [uv_binary(), "lock", "--quiet", "--python", sys.executable, "--directory", str(tmp_path / "fn")]
    subprocess.run(command, check=True, env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"}, timeout=120)
    packages = (tmp_path / "fn" / "uv.lock").read_text().split("[[package]]")
    [locked] = [entry for entry in packages if entry.lstrip().startswith('name = "six"')]
    version = locked.split('version = "')[1].split('"')[0]
    artifact = build(spec).artifacts["fn"]
    assert artifact.packages == (f"six=={version}",) and "six.py" in zip_names(artifact.path)
    pyproject.write_text(pyproject.read_text().replace('"six>=1.15"', '"six>=1.15", "idna"'))
    [stale] = build(spec).diagnostics
    assert (stale.code, Path(stale.file).name) == ("AP600", "uv.lock") and "run `uv lock`" in stale.message
