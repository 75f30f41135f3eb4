"""The rendered Pulumi.yaml (checked against Pulumi's own schema) and the Python environment a deployed program
runs in: one cloud's SDK only, pinned, with pip, named explicitly."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import venv
from pathlib import Path

import jsonschema
import pytest
import yaml

from aipipe.codegen.project import program_requirements, render_program
from aipipe.deploy.interpreter import COMPLETE, OVERRIDE, default_virtualenv, ensure_virtualenv, python_of
from aipipe.deploy.settings import DeployError
from aipipe.validation import load_spec

from conftest import DATA, EXAMPLES

SCHEMA = json.loads((DATA / "pulumi" / "project.schema.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("spec_path", EXAMPLES, ids=lambda p: p.parent.name)
@pytest.mark.parametrize(
    "virtualenv, endpoint", [(None, None), ("/opt/envs/aws", None), (None, "http://localhost:4566")]
)
def test_every_rendered_pulumi_yaml_validates_against_pulumis_schema(spec_path, virtualenv, endpoint, tmp_path):
    spec = load_spec(str(spec_path)).spec
    if endpoint and spec.cloud != "aws":
        pytest.skip("--endpoint is for AWS emulators")
    project = yaml.safe_load(render_program(spec, tmp_path, endpoint=endpoint, virtualenv=virtualenv)["Pulumi.yaml"])
    jsonschema.validate(project, SCHEMA)
    assert project["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": virtualenv or "venv"}}


def test_the_schema_check_is_real():
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"name": "x", "runtime": {"name": "python", "toolchain": "pip"}}, SCHEMA)


@pytest.mark.parametrize(
    "cloud, sdk, other", [("aws", "pulumi-aws", "pulumi-gcp"), ("gcp", "pulumi-gcp", "pulumi-aws")]
)
def test_a_program_needs_exactly_its_clouds_sdk_pinned_to_what_aipipe_runs_with(cloud, sdk, other):
    # gcp programs may wait for service agents with pulumiverse-time's Sleep (aipipe.codegen.gcp_project)
    # aws programs may build container-image functions with pulumi-docker-build (aipipe.kinds.function.package)
    extra = ["pulumiverse-time"] if cloud == "gcp" else ["pulumi-docker-build"]
    assert program_requirements(cloud) == [
        f"pulumi=={importlib.metadata.version('pulumi')}",
        f"{sdk}=={importlib.metadata.version(sdk)}",
        *(f"{package}=={importlib.metadata.version(package)}" for package in extra),
    ]
    spec = next(load_spec(str(p)).spec for p in EXAMPLES if load_spec(str(p)).spec.cloud == cloud)
    requirements = render_program(spec, Path("/tmp"))["requirements.txt"]
    assert requirements.splitlines() == program_requirements(cloud) and other not in requirements


def test_the_named_environment_is_used_as_it_is(program_virtualenv):
    environ = {OVERRIDE: str(program_virtualenv)}
    assert ensure_virtualenv("aws", environ, echo=pytest.fail) == program_virtualenv.resolve()


def test_a_named_folder_that_is_no_virtualenv_is_refused(tmp_path):
    with pytest.raises(DeployError, match=f"{OVERRIDE}=.* is not a virtualenv"):
        ensure_virtualenv("aws", {OVERRIDE: str(tmp_path)}, echo=print)


def test_an_environment_without_pip_is_refused_with_the_fix(tmp_path):
    """Pulumi lists the program's packages with `python -m pip list`; without pip it cannot start (uv venv)."""
    bare = tmp_path / "bare"
    venv.create(bare, with_pip=False)
    with pytest.raises(DeployError) as raised:
        ensure_virtualenv("gcp", {OVERRIDE: str(bare)}, echo=print)
    assert "has no pip" in str(raised.value) and f"{python_of(bare)} -m ensurepip" in str(raised.value)


class Recorder:
    """Stands in for subprocess.run: records the commands, makes `-m venv` produce an interpreter."""

    def __init__(self, fail_on: str | None = None):
        self.commands: list[list[str]] = []
        self.fail_on = fail_on

    def __call__(self, command):
        self.commands.append(command)
        if self.fail_on and self.fail_on in command:
            return subprocess.CompletedProcess(command, 1, "", "ERROR: Could not find a version that satisfies\n")
        if command[1:3] == ["-m", "venv"]:
            python_of(Path(command[3])).parent.mkdir(parents=True)
            python_of(Path(command[3])).write_text("")
        return subprocess.CompletedProcess(command, 0, "", "")


def test_the_default_environment_is_built_once_with_the_pins(tmp_path):
    environ = {"XDG_CACHE_HOME": str(tmp_path)}
    run, said = Recorder(), []
    folder = ensure_virtualenv("aws", environ, echo=said.append, run=run)
    assert folder == default_virtualenv("aws", environ) and folder.parent == tmp_path / "aipipe" / "program-envs"
    assert [c[1:4] for c in run.commands] == [
        ["-m", "venv", str(folder)],
        ["-m", "pip", "install"],
        ["-m", "pip", "--version"],
    ]
    assert run.commands[1][-len(program_requirements("aws")) :] == program_requirements("aws")
    assert (folder / COMPLETE).read_text().splitlines() == program_requirements("aws")
    assert "once" in said[0]
    again = Recorder()
    assert ensure_virtualenv("aws", environ, echo=pytest.fail, run=again) == folder and again.commands == []


def test_other_versions_or_clouds_get_their_own_environment(tmp_path):
    environ = {"XDG_CACHE_HOME": str(tmp_path)}
    assert default_virtualenv("aws", environ) != default_virtualenv("gcp", environ)
    assert default_virtualenv("aws", environ).name.startswith("aws-")


def test_a_failed_build_leaves_nothing_and_says_how_to_work_offline(tmp_path):
    environ = {"XDG_CACHE_HOME": str(tmp_path)}
    with pytest.raises(DeployError) as raised:
        ensure_virtualenv("gcp", environ, echo=print, run=Recorder(fail_on="install"))
    message = str(raised.value)
    assert "Could not find a version" in message and f"set {OVERRIDE}" in message
    assert not default_virtualenv("gcp", environ).exists()


def test_an_interrupted_build_is_redone(tmp_path):
    environ = {"XDG_CACHE_HOME": str(tmp_path)}
    half = default_virtualenv("aws", environ)
    python_of(half).parent.mkdir(parents=True)
    python_of(half).write_text("")  # a venv without the completion marker
    run = Recorder()
    ensure_virtualenv("aws", environ, echo=print, run=run)
    assert run.commands[0][1:3] == ["-m", "venv"]
