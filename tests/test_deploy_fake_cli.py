"""`aipipe preview/up/destroy/refresh/outputs/cancel` end to end: the real open_stack and AutomationStack, the
real pulumi.automation, and a fake `pulumi` executable on PATH that replays real engine event streams."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from aipipe.cli import deploy as cli_deploy
from aipipe.cli.app import app
from aipipe.validation import load_spec

from conftest import EXAMPLES, WITHOUT_STATE
from engine_streams import derive, records, with_root_stack
from fake_pulumi_fixture import install_fake_pulumi

runner = CliRunner()
SECRET = "sup3r-s3cret-labelling-key"
AWS_TYPES = {"pkgA:m:typA": "aws:s3/bucket:Bucket", "pkgA:m:typB": "aws:lambda/function:Function"}
GCP_TYPES = {"pkgA:m:typA": "gcp:storage/bucket:Bucket", "pkgA:m:typB": "gcp:cloudfunctionsv2/function:Function"}


def example(name):
    return next(p for p in EXAMPLES if p.parent.name == name).parent


@pytest.fixture
def deploy(tmp_path, monkeypatch, program_virtualenv):
    """Returns setup(example name, scenario streams...) -> (project folder, fake CLI)."""

    def setup(name="event-driven-ingest", types=AWS_TYPES, names=None, **scenarios):
        folder = tmp_path / name
        shutil.copytree(example(name), folder, ignore=WITHOUT_STATE)
        monkeypatch.setenv("LABELLING_API_KEY", SECRET)
        for variable in ("PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE", "PULUMI_BACKEND_URL"):
            monkeypatch.delenv(variable, raising=False)
        monkeypatch.setenv("AIPIPE_PROGRAM_VIRTUALENV", str(program_virtualenv))
        monkeypatch.setenv("AIPIPE_ALLOW_LOCAL_STATE", "1")  # a first deploy without a terminal
        monkeypatch.setattr(cli_deploy, "is_interactive", lambda: False)
        stack = "dev"
        files = {}
        for key, stream in scenarios.items():
            path = tmp_path / f"{key}.jsonl"
            derived = derive(records(stream), types=types, names=names, project=name, stack=stack)
            path.write_text("\n".join(json.dumps(r) for r in with_root_stack(derived, name, stack)) + "\n")
            files[key] = str(path)
        fake = install_fake_pulumi(monkeypatch, tmp_path, **files)
        return folder, fake

    return setup


def run(*arguments):
    return runner.invoke(app, [str(a) for a in arguments])


def test_up_on_aws_creates_reports_progress_and_outputs(deploy):
    folder, fake = deploy(scenario="create", names={"resA": "raw", "resB": "raw-policy", "resC": "curated"})
    fake.configure(outputs={"raw_bucket": "raw-8d2f"})
    result = run("up", folder, "--yes")
    assert result.exit_code == 0, result.output
    assert "stack dev: 3 to create" in result.output  # the root stack is not counted
    assert "creating aws:s3/bucket:Bucket raw" in result.output and "done: curated" in result.output
    assert "deployed stack dev: 3 create" in result.output and "raw_bucket = raw-8d2f" in result.output
    commands = [argv[1:3] for argv in fake.argvs() if argv[0] == "--non-interactive"]
    assert ["preview", "--refresh"] not in commands
    operations = [argv[1] for argv in fake.argvs() if argv[1:2] and argv[1] in ("preview", "up")]
    assert operations == ["preview", "up"]


def test_preview_up_refresh_destroy_on_gcp(deploy):
    folder, fake = deploy("distributed-pubsub", types=GCP_TYPES, scenario="create")
    fake.configure(outputs={"topic": "projects/p/topics/t"})
    previewed = run("preview", folder)
    assert previewed.exit_code == 0 and "stack dev: 3 to create" in previewed.output
    result = run("up", folder, "--yes")
    assert result.exit_code == 0, result.output
    assert "creating gcp:storage/bucket:Bucket" in result.output and "topic = projects/p/topics/t" in result.output
    fake.configure(scenario=None)
    assert run("refresh", folder).exit_code == 0
    destroyed = run("destroy", folder, "--yes")
    assert destroyed.exit_code == 0 and "destroyed stack dev" in destroyed.output
    project = (folder / ".aipipe" / "dev" / "program" / "Pulumi.yaml").read_text()
    assert (
        "gcp:region" in project
        and "pulumi-gcp" in (folder / ".aipipe" / "dev" / "program" / "requirements.txt").read_text()
    )


@pytest.mark.parametrize("state, code", [("JOB_STATE_RUNNING", 0), ("JOB_STATE_FAILED", 1)])
def test_up_reads_each_dataflow_job_state_from_the_stack_export(deploy, state, code):
    """After the update, `aipipe up` exports the stack (the real AutomationStack.resources through the SDK) and a
    job that stopped fails the deploy (aipipe.deploy.jobs)."""
    flex = "gcp:dataflow/flexTemplateJob:FlexTemplateJob"
    folder, fake = deploy(
        "realtime-replication",
        types={"pkgA:m:typA": flex},  # the stream's three resources (resA, its children resB, resC) become jobs
        names={"resA": "stream-to-gcs"},
        scenario="create",
    )
    job = {"state": state, "jobId": "j-1", "region": "europe-west1"}
    fake.configure(resource_outputs={"stream-to-gcs": job, "resB": job, "resC": job})
    result = run("up", folder, "--yes")
    assert result.exit_code == code, result.output
    assert ("is JOB_STATE_FAILED, not running" in result.output) is (code == 1)
    # the export keeps secret outputs encrypted (the SDK's own export_stack adds --show-secrets)
    assert ["--non-interactive", "stack", "export", "--stack", "dev"] in fake.argvs()


def test_a_failure_names_the_spec_resource_and_its_line(deploy):
    folder, _ = deploy(scenario="create", scenario_up="create-failed", names={"resA-child": "preprocess"})
    result = run("up", folder, "--yes")
    assert result.exit_code == 1
    line = load_spec(str(folder / "aipipe.yaml")).spec.resource_lines["preprocess"]
    assert f"the update failed:\n  preprocess (spec resource `preprocess`, line {line}): create failed" in result.output
    assert "<{%" not in result.output and "Traceback" not in result.output


def test_a_locked_stack_says_how_to_unlock(deploy):
    folder, fake = deploy()
    fake.configure(scenario_up="locked")
    result = run("up", folder, "--yes")
    assert result.exit_code == 1 and "aipipe cancel --stack dev" in result.output


def test_an_old_cli_is_refused_before_anything_runs(deploy):
    folder, fake = deploy()
    fake.configure(version="v3.110.0")
    result = run("up", folder, "--yes")
    assert result.exit_code == 1
    assert "the pulumi CLI is too old: aipipe needs 3.120.0 or newer" in result.output
    assert [argv for argv in fake.argvs() if argv != ["version"]] == []


def test_no_secret_value_reaches_any_argv_and_the_stack_keeps_it_encrypted(deploy):
    folder, fake = deploy()
    assert run("up", folder, "--yes").exit_code == 0
    assert all(SECRET not in " ".join(argv) for argv in fake.argvs())
    config = fake.state()["stacks"]["dev"]["config"]
    assert config["event-driven-ingest:LABELLING_API_KEY"] == {"value": SECRET, "secret": True}
    on_disk = "".join(p.read_text(errors="replace") for p in (folder / ".aipipe").rglob("*") if p.is_file())
    assert SECRET not in on_disk


def test_destroy_and_refresh_run_through_the_sdk(deploy):
    folder, fake = deploy(scenario="create")
    assert run("up", folder, "--yes").exit_code == 0
    fake.configure(scenario=None)
    destroyed = run("destroy", folder, "--yes")
    assert destroyed.exit_code == 0, destroyed.output
    assert "destroyed stack dev" in destroyed.output
    assert run("refresh", folder).exit_code == 0
    verbs = [argv[1] for argv in fake.argvs() if argv[:1] == ["--non-interactive"]]
    assert "destroy" in verbs and "refresh" in verbs


def test_a_failed_destroy_names_what_failed(deploy):
    folder, fake = deploy(scenario="create")
    assert run("up", folder, "--yes").exit_code == 0
    fake.configure(scenario_destroy="protected-destroy-refused")
    result = run("destroy", folder, "--yes")
    assert result.exit_code == 1 and "the destroy failed:" in result.output


def test_a_failed_preview_names_the_spec_resource(deploy):
    folder, _ = deploy(scenario="create-failed", names={"resA-child": "preprocess"})
    result = run("preview", folder)
    assert result.exit_code == 1
    assert "the preview failed:\n  preprocess (spec resource `preprocess`" in result.output
    assert "pulumi failed" not in result.output


# --- guards: passphrase, endpoint, stack config ----------------------------------------------------------------


def test_a_new_passphrase_for_a_stack_deployed_with_the_generated_one_is_refused(deploy, monkeypatch):
    folder, fake = deploy()
    assert run("up", folder, "--yes").exit_code == 0
    generated = folder / ".aipipe" / "passphrase"
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "something-else")
    refused = run("up", folder, "--yes")
    assert refused.exit_code == 1 and "incorrect passphrase" in refused.output
    assert f'export PULUMI_CONFIG_PASSPHRASE="$(cat {generated})"' in refused.output.replace("\n", "")
    calls = len(fake.argvs())
    assert run("outputs", folder).exit_code == 1 and len(fake.argvs()) == calls  # refused before any CLI call
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", generated.read_text().strip())
    assert run("up", folder, "--yes").exit_code == 0
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE")
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE_FILE", str(generated))
    assert run("up", folder, "--yes").exit_code == 0


def test_an_emulator_stack_is_not_moved_to_the_real_cloud_and_keeps_its_endpoint(deploy):
    folder, _ = deploy()
    assert run("up", folder, "--yes", "--endpoint", "http://localhost:4566").exit_code == 0
    refused = run("up", folder, "--yes")
    assert refused.exit_code == 1
    assert "was deployed to the emulator at http://localhost:4566" in refused.output.replace("\n", " ")
    assert run("destroy", folder, "--yes").exit_code == 0  # no --endpoint: destroy takes the recorded one
    project_file = (folder / ".aipipe" / "dev" / "program" / "Pulumi.yaml").read_text()
    assert "http://localhost:4566" in project_file


def test_a_real_stack_is_not_moved_to_an_emulator(deploy):
    folder, _ = deploy()
    assert run("up", folder, "--yes").exit_code == 0
    refused = run("preview", folder, "--endpoint", "http://localhost:4566")
    assert refused.exit_code == 1 and "was deployed to the real cloud" in refused.output.replace("\n", " ")


def test_stack_config_that_overrides_the_spec_is_refused_and_extra_keys_are_warned(deploy):
    folder, _ = deploy()
    assert run("up", folder, "--yes").exit_code == 0
    stack_file = folder / ".aipipe" / "dev" / "program" / "Pulumi.dev.yaml"
    stack_file.write_text("config:\n  aws:region: eu-west-1\n  event-driven-ingest:LABELLING_API_KEY:\n    secure: x\n")
    refused = run("up", folder, "--yes")
    assert refused.exit_code == 1
    assert "`aws:region` is 'eu-west-1' there, 'us-east-1' in the spec" in refused.output.replace("\n", " ")
    stack_file.write_text("config:\n  aws:region: us-east-1\n  aws:profile: ops\n")
    warned = run("up", folder, "--yes")
    assert warned.exit_code == 0 and "sets `aws:profile`, which the spec does not" in warned.output.replace("\n", " ")


# --- Ctrl-C ----------------------------------------------------------------------------------------------------


def _start_up(folder):
    """`aipipe up` in its own process group, as a terminal runs a foreground job (Ctrl-C reaches the group)."""
    command = [sys.executable, "-m", "aipipe", "up", str(folder), "--yes"]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )


def _wait_for_line(process, text, timeout=20.0):
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        seen.append(line)
        if text in line:
            return seen
    raise AssertionError(f"never saw {text!r}: {''.join(seen)}")


def test_ctrl_c_waits_for_pulumi_to_stop_cleanly_and_leaves_the_stack_unlocked(deploy):
    folder, fake = deploy(scenario_up="create")
    fake.configure(event_delay=0.4)
    process = _start_up(folder)
    _wait_for_line(process, "creating")
    os.killpg(process.pid, signal.SIGINT)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 130, output
    assert "pulumi is stopping cleanly" in output and "pulumi stopped cleanly" in output
    assert not (fake.state_dir / "locks" / "dev.json").exists()
    assert not any((fake.state_dir / "locks").glob("*")) if (fake.state_dir / "locks").exists() else True
    fake.configure(event_delay=None)
    assert run("up", folder, "--yes").exit_code == 0  # not locked


def test_a_second_ctrl_c_stops_waiting_and_says_how_to_unlock(deploy):
    folder, fake = deploy(scenario_up="create")
    fake.configure(event_delay=0.4)
    process = _start_up(folder)
    _wait_for_line(process, "creating")
    os.kill(process.pid, signal.SIGINT)  # aipipe only: pulumi keeps going
    _wait_for_line(process, "pulumi is stopping cleanly")
    os.kill(process.pid, signal.SIGINT)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 130, output
    assert "aipipe cancel --stack dev" in output


def test_cancel_unlocks_a_local_stack_and_explains_a_refusal_from_pulumi_cloud(deploy):
    folder, fake = deploy()
    assert run("up", folder, "--yes").exit_code == 0
    unlocked = run("cancel", folder)
    assert unlocked.exit_code == 0 and "stack dev unlocked" in unlocked.output
    fake.configure(backend="cloud")
    refused = run("cancel", folder)
    assert refused.exit_code == 1
    assert "could not cancel an update of stack `dev`" in refused.output
    assert "If no update is running, the stack is not locked" in refused.output.replace("\n", " ")


def test_destroy_and_refresh_build_nothing_and_up_refuses_an_unbuildable_function(deploy, monkeypatch, tmp_path):
    """destroy and refresh work from the stack's state: a function that can no longer be built (here a
    requirement no index has) blocks neither, and neither installs anything; up refuses it at the
    requirement's line before anything runs."""
    monkeypatch.setenv("UV_NO_INDEX", "1")  # uv looks only in an empty local folder: offline, and nothing found
    monkeypatch.setenv("UV_FIND_LINKS", str(tmp_path))
    folder, fake = deploy(scenario="create")
    assert run("up", folder, "--yes").exit_code == 0
    (folder / "preprocess" / "requirements.txt").write_text("# no cp312 wheel anywhere\nnot-a-real-package-zz9==1\n")
    fake.configure(scenario=None)
    for command in (["refresh"], ["destroy", "--yes"]):
        result = run(command[0], folder, *command[1:])
        assert result.exit_code == 0, result.output
        assert "AP60" not in result.output
    assert not (folder / ".aipipe" / "build" / "deps").exists()
    calls = len(fake.argvs())
    refused = run("up", folder, "--yes")
    assert refused.exit_code == 1 and "preprocess/requirements.txt:2:1: AP601" in refused.output
    assert len(fake.argvs()) == calls  # nothing ran
