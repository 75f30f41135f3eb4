"""The deploy commands through the CLI against a fake stack replaying real engine events: progress,
confirmations, retained resources, exit codes, secrets, errors — and the real workspace wiring."""

from __future__ import annotations

import json
import os
import stat

import pytest
import yaml
from pulumi.automation import errors as auto_errors
from pulumi.automation._cmd import CommandResult
from typer.testing import CliRunner

from aipipe.cli import deploy as cli_deploy
from aipipe.cli.app import app
from aipipe.deploy import settings as deploy_settings
from aipipe.deploy import stack as deploy_stack
from aipipe.validation import load_spec

import fake_stack as fake
from conftest import copy_example

runner = CliRunner()
SECRET = "sup3r-s3cret-labelling-key"


@pytest.fixture
def project(tmp_path, monkeypatch, program_virtualenv):
    """A copy of the event-driven example in a temporary folder, its secret in the environment, the program's
    Python environment given (building one would download the SDKs)."""
    monkeypatch.setenv("AIPIPE_PROGRAM_VIRTUALENV", str(program_virtualenv))
    monkeypatch.setenv("AIPIPE_ALLOW_LOCAL_STATE", "1")  # a first deploy without a terminal
    folder = tmp_path / "ingest"
    copy_example("event-driven-ingest", folder)
    monkeypatch.setenv("LABELLING_API_KEY", SECRET)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    monkeypatch.delenv("PULUMI_BACKEND_URL", raising=False)
    monkeypatch.setattr(cli_deploy, "is_interactive", lambda: False)
    return folder


@pytest.fixture
def stack(monkeypatch):
    """Install a fake stack behind the seam; returns it (tests set its events) and the settings it got."""
    holder = {
        "stack": fake.FakeStack(
            preview_events=fake.CREATE_TWO,
            up_events=fake.DEPLOY_TWO,
            destroy_events=fake.DEPLOY_TWO,
            outputs={"raw_bucket": "raw-8d2f"},
        )
    }

    def open_stack(settings, create=True):
        holder["settings"], holder["create"] = settings, create
        return holder["stack"]

    monkeypatch.setattr(deploy_stack, "open_stack", open_stack)
    return holder


def run(*arguments, input=None):
    return runner.invoke(app, [str(a) for a in arguments], input=input)


def files_text(folder):
    return "".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file())


# --- up -----------------------------------------------------------------------------------------------------


def test_up_with_yes_previews_deploys_and_records(project, stack):
    result = run("up", project, "--yes")
    assert result.exit_code == 0, result.output
    assert stack["stack"].calls == ["preview", "up"]
    assert "stack dev: 2 to create" in result.output
    assert "creating aws:s3/bucket:Bucket raw" in result.output and "done: preprocess" in result.output
    assert "raw_bucket = raw-8d2f" in result.output
    record = json.loads((project / ".aipipe" / "deployments.json").read_text())
    assert record["dev"]["spec"] == "aipipe.yaml" and record["dev"]["resources"] == 2
    assert (project / ".aipipe" / "dev" / "program" / "__main__.py").is_file()


def test_up_refuses_without_a_terminal_and_without_yes(project, stack):
    result = run("up", project)
    assert result.exit_code == 2 and "--yes" in result.output
    assert stack["stack"].calls == ["preview"]


@pytest.mark.parametrize("answer, code, calls", [("y\n", 0, ["preview", "up"]), ("n\n", 1, ["preview"])])
def test_up_asks_on_a_terminal(project, stack, monkeypatch, answer, code, calls):
    monkeypatch.setattr(cli_deploy, "is_interactive", lambda: True)
    result = run("up", project, input=answer)
    assert result.exit_code == code
    assert "Deploy these changes to stack dev?" in result.output
    assert stack["stack"].calls == calls


def test_up_calls_out_data_loss(project, stack):
    stack["stack"].preview_events = [
        fake.pre("delete", fake.BUCKET, "curated"),
        fake.pre("replace", "aws:kinesis/stream:Stream", "record-events", "aipipe:index:Stream"),
        fake.pre("update", fake.FUNCTION, "preprocess", "aipipe:index:Function"),
    ]
    result = run("up", project, "--yes")
    assert "1 to update, 1 to replace, 1 to delete" in result.output
    assert "!! delete   aws:s3/bucket:Bucket curated (spec: curated)" in result.output
    assert "WARNING: replace of aws:kinesis/stream:Stream `record-events` loses the data it holds" in result.output
    assert "   update   aws:lambda/function:Function preprocess" in result.output


def test_up_failure_names_the_spec_resource_and_its_line(project, stack):
    stack["stack"].up_events = fake.FAIL_FUNCTION
    result = run("up", project, "--yes")
    assert result.exit_code == 1
    line = load_spec(str(project / "aipipe.yaml")).spec.resource_lines["preprocess"]
    assert f"preprocess (spec resource `preprocess`, line {line}): creating Lambda Function" in result.output
    assert "InvalidParameterValueException: bad role" in result.output
    assert "FAILED: preprocess" in result.output
    # the closing error names the resource too, although the CLI exited non-zero (the SDK raised)
    assert "the update failed:\n  preprocess (spec resource `preprocess`" in result.output
    assert "pulumi failed" not in result.output
    assert not (project / ".aipipe" / "deployments.json").exists()


def test_up_json_streams_events_as_json_lines(project, stack):
    result = run("up", project, "--yes", "--json")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert [(r["phase"], r["event"]) for r in records[:-1]] == [
        ("preview", "planned"),
        ("preview", "planned"),
        ("update", "start"),
        ("update", "done"),
        ("update", "start"),
        ("update", "done"),
        ("update", "summary"),
    ]
    updates = [r for r in records[:-1] if r["phase"] == "update"]
    assert updates[0]["spec_resource"] == "raw" and updates[2]["spec_resource"] == "preprocess"
    assert records[-1] == {"outputs": {"raw_bucket": "raw-8d2f"}}


def test_nothing_to_deploy(project, stack):
    stack["stack"].preview_events = [fake.pre("same", fake.BUCKET, "raw")]
    result = run("up", project)
    assert result.exit_code == 0 and "nothing to deploy" in result.output
    assert stack["stack"].calls == ["preview", "outputs"]


# --- secrets ------------------------------------------------------------------------------------------------


def test_missing_secret_stops_before_anything_runs(project, stack, monkeypatch):
    monkeypatch.delenv("LABELLING_API_KEY")
    result = run("up", project, "--yes")
    assert result.exit_code == 1 and "LABELLING_API_KEY" in result.output and "export" in result.output
    assert "stack" not in stack or stack["stack"].calls == []
    assert not (project / ".aipipe").exists()


def test_secret_value_never_appears_in_output_or_on_disk(project, stack):
    outputs = [run("up", project, "--yes").output, run("up", project, "--yes", "--json").output]
    stack["stack"].up_events = fake.FAIL_FUNCTION + [fake.diagnostic(f"provider echoed {SECRET}")]
    outputs.append(run("up", project, "--yes").output)
    assert all(SECRET not in text for text in outputs)
    assert SECRET not in files_text(project / ".aipipe")
    assert stack["settings"].secret_config == {"event-driven-ingest:LABELLING_API_KEY": SECRET}
    assert SECRET not in repr(stack["settings"])


def test_generated_passphrase_is_private(project, stack):
    run("up", project, "--yes")
    passphrase = project / ".aipipe" / "passphrase"
    assert stat.S_IMODE(passphrase.stat().st_mode) == 0o600
    assert stack["settings"].environment["PULUMI_CONFIG_PASSPHRASE_FILE"] == str(passphrase)


# --- destroy ------------------------------------------------------------------------------------------------


def test_destroy_from_the_directory_lists_retained_buckets_and_needs_the_name(project, stack, monkeypatch):
    run("up", project, "--yes")
    versioning = fake.pre("create", "aws:s3/bucketVersioning:BucketVersioning", "raw-versioning")
    stack["stack"].destroy_events = [*fake.DEPLOY_TWO, versioning]
    monkeypatch.chdir(project)
    monkeypatch.setattr(cli_deploy, "is_interactive", lambda: True)
    refused = run("destroy", input="prod\n")
    assert refused.exit_code == 1 and "did not match" in refused.output
    assert "kept in the cloud with their data (removed from the stack only): raw." in refused.output
    assert "retain   aws:s3/bucket:Bucket raw" in refused.output
    assert "retain   aws:s3/bucketVersioning:BucketVersioning raw-versioning" in refused.output
    assert stack["stack"].calls[-1] == "preview_destroy" and stack["create"] is False
    accepted = run("destroy", input="dev\n")
    assert accepted.exit_code == 0, accepted.output
    assert stack["stack"].calls[-1] == "destroy"
    assert json.loads((project / ".aipipe" / "deployments.json").read_text()) == {}


def test_destroy_without_terminal_needs_yes(project, stack, monkeypatch):
    run("up", project, "--yes")
    monkeypatch.chdir(project)
    assert run("destroy").exit_code == 2
    assert run("destroy", "--yes").exit_code == 0


def test_destroy_with_several_stacks_asks_which(project, stack, monkeypatch):
    run("up", project, "--yes")
    run("up", project, "--yes", "--stack", "prod")
    monkeypatch.chdir(project)
    result = run("destroy", "--yes")
    assert result.exit_code == 2 and "dev, prod" in result.output and "--stack" in result.output
    assert run("destroy", "--yes", "--stack", "prod").exit_code == 0
    assert stack["settings"].stack_name == "prod"


def test_destroy_with_nothing_deployed(tmp_path, monkeypatch, stack):
    monkeypatch.chdir(tmp_path)
    result = run("destroy", "--yes")
    assert result.exit_code == 1 and "nothing was deployed from this directory" in result.output


# --- refresh, outputs, ls, cancel -----------------------------------------------------------------------------


def test_outputs_ls_refresh_cancel(project, stack, monkeypatch):
    run("up", project, "--yes")
    monkeypatch.chdir(project)
    assert json.loads(run("outputs", "--json").output) == {"outputs": {"raw_bucket": "raw-8d2f"}}
    listing = run("ls")
    assert "dev" in listing.output and "event-driven-ingest" in listing.output and " 2 " in listing.output
    assert run("refresh").exit_code == 0
    cancelled = run("cancel")
    assert cancelled.exit_code == 0 and "aipipe refresh --stack dev" in cancelled.output
    assert stack["stack"].calls[-3:] == ["outputs", "refresh", "cancel"]


# --- errors and interrupts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "error, expected",
    [
        (
            auto_errors.ConcurrentUpdateError(CommandResult("", "conflict: stack is locked", 255)),
            "aipipe cancel --stack dev",
        ),
        (auto_errors.RuntimeError(CommandResult("", "Exception: boom", 1)), "This is a bug in aipipe"),
    ],
)
def test_automation_errors_become_clear_messages(project, stack, error, expected):
    stack["stack"].raises = {"up": error}
    result = run("up", project, "--yes")
    assert result.exit_code == 1 and expected in result.output and "Traceback" not in result.output


def test_missing_stack_for_outputs(project, stack):
    stack["stack"].raises = {
        "outputs": auto_errors.StackNotFoundError(CommandResult("", "no stack named 'dev' found", 255))
    }
    result = run("outputs", project)
    assert result.exit_code == 1 and "does not exist" in result.output


def test_ctrl_c_exits_130_with_recovery_advice(project, stack):
    stack["stack"].raises = {"up": KeyboardInterrupt()}
    result = run("up", project, "--yes")
    assert result.exit_code == 130
    assert "aipipe cancel --stack dev" in result.output and "aipipe refresh" in result.output


def test_without_the_pulumi_cli_every_deploy_command_points_at_doctor(project, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    for command in (
        ["up", project, "--yes"],
        ["preview", project],
        ["destroy", project, "--yes"],
        ["outputs", project],
        ["refresh", project],
        ["cancel", project],
    ):
        result = run(*command)
        assert result.exit_code == 1, command
        assert "aipipe doctor" in result.output and "Traceback" not in result.output


# --- the real Automation API wiring (no CLI needed) ----------------------------------------------------------


def test_settings_default_to_local_state_and_generated_passphrase(project):
    spec = load_spec(str(project / "aipipe.yaml"), "prod").spec
    settings = deploy_settings.settings_for(spec, {"LABELLING_API_KEY": "x"})
    assert settings.backend_url == "file://" + (project / ".aipipe" / "state").as_posix()
    assert (project / ".aipipe" / "state").is_dir()
    assert settings.environment == {
        "PULUMI_BACKEND_URL": settings.backend_url,
        "PULUMI_CONFIG_PASSPHRASE_FILE": str(project / ".aipipe" / "passphrase"),
    }
    assert settings.program_dir == project / ".aipipe" / "prod" / "program"
    options = deploy_stack.workspace_options(settings)
    assert options.work_dir == str(settings.program_dir)
    assert options.env_vars == settings.environment and options.secrets_provider == "passphrase"


def test_backend_and_passphrase_from_the_spec_and_environment(project):
    spec_path = project / "aipipe.yaml"
    spec = load_spec(str(spec_path)).spec
    environ = {"LABELLING_API_KEY": "x", "PULUMI_BACKEND_URL": "s3://team-state", "PULUMI_CONFIG_PASSPHRASE": "pw"}
    settings = deploy_settings.settings_for(spec, environ)
    assert settings.backend_url == "s3://team-state"
    assert settings.environment["PULUMI_CONFIG_PASSPHRASE"] == "pw"
    assert not (project / ".aipipe" / "passphrase").exists()
    spec_path.write_text(
        spec_path.read_text().replace("region: us-east-1\n", "region: us-east-1\nbackend: https://api.pulumi.com\n", 1)
    )
    cloud = deploy_settings.settings_for(load_spec(str(spec_path)).spec, environ)
    assert cloud.backend_url == "https://api.pulumi.com"  # the spec wins over PULUMI_BACKEND_URL
    assert "PULUMI_CONFIG_PASSPHRASE" not in cloud.environment
    assert deploy_stack.workspace_options(cloud).secrets_provider is None


def test_rendered_deploy_program_has_provider_config(project, stack, program_virtualenv):
    run("up", project, "--yes", "--endpoint", "http://localhost:4566")
    program = project / ".aipipe" / "dev" / "program"
    project_file = (program / "Pulumi.yaml").read_text()
    runtime = {"name": "python", "options": {"toolchain": "pip", "virtualenv": str(program_virtualenv.resolve())}}
    assert yaml.safe_load(project_file)["runtime"] == runtime
    assert "aws:region" in project_file and "http://localhost:4566" in project_file
    assert "aws:s3UsePathStyle" in project_file and "aws:skipCredentialsValidation" in project_file
    assert stack["settings"].endpoint == "http://localhost:4566"
    assert os.path.exists(program / "__main__.py")


def test_commands_that_need_no_secret_neither_read_nor_write_one(project, stack, monkeypatch):
    run("up", project, "--yes")
    assert stack["settings"].secret_config  # up stores the secret
    monkeypatch.delenv("LABELLING_API_KEY")
    monkeypatch.chdir(project)
    for command in (["outputs"], ["refresh"], ["cancel"], ["destroy", "--yes"]):
        result = run(*command)
        assert result.exit_code == 0, result.output
        assert stack["settings"].secrets == {} and stack["settings"].secret_config == {}


def test_a_failed_destroy_exits_one_names_the_resource_and_keeps_the_record(project, stack):
    """An engine error during destroy is a failure: exit 1 with the error, and the stack stays recorded (it still
    exists) so `aipipe destroy` can run again from here."""
    assert run("up", project, "--yes").exit_code == 0
    stack["stack"].destroy_events = [
        fake.pre("delete", fake.FUNCTION, "preprocess", "aipipe:index:Function"),
        fake.diagnostic(
            "deleting Lambda Function (preprocess): AccessDeniedException: not allowed",
            on=fake.urn(fake.FUNCTION, "preprocess", "aipipe:index:Function"),
        ),
        fake.failed("delete", fake.FUNCTION, "preprocess", "aipipe:index:Function"),
        fake.summary(delete=0),
    ]
    result = run("destroy", project, "--yes")
    assert result.exit_code == 1
    assert "AccessDeniedException: not allowed" in result.output and "destroyed stack" not in result.output
    assert "dev" in json.loads((project / ".aipipe" / "deployments.json").read_text())


def test_an_empty_secret_is_missing(project, monkeypatch):
    """A deployed pipeline with an empty API key fails later and less clearly: refuse before deploying."""
    monkeypatch.setenv("LABELLING_API_KEY", "")
    spec = load_spec(str(project / "aipipe.yaml")).spec
    with pytest.raises(deploy_settings.DeployError, match="LABELLING_API_KEY"):
        deploy_settings.settings_for(spec, {"LABELLING_API_KEY": ""})


def test_components_are_not_changes(project, stack):
    """The aipipe components group cloud resources; only cloud resources are counted and listed."""
    stack["stack"].preview_events = [
        fake.pre("create", "aipipe:index:Bucket", "raw", "pulumi:pulumi:Stack"),
        fake.pre("create", fake.BUCKET, "raw"),
    ]
    result = run("preview", project)
    assert result.exit_code == 0, result.output
    assert "stack dev: 1 to create" in result.output and "aipipe:index:Bucket" not in result.output
