"""Deploying from CI and as a team: a fresh checkout with local state is refused instead of creating a second
copy of the pipeline; a shared backend needs a shared passphrase."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from aipipe.cli import deploy as cli_deploy
from aipipe.cli.app import app
from aipipe.deploy.guards import local_state_exists

from conftest import copy_example
from fake_pulumi_fixture import install_fake_pulumi

runner = CliRunner()


@pytest.fixture
def project(tmp_path, monkeypatch, program_virtualenv):
    folder = tmp_path / "ingest"
    copy_example("event-driven-ingest", folder)
    for variable in (
        "PULUMI_CONFIG_PASSPHRASE",
        "PULUMI_CONFIG_PASSPHRASE_FILE",
        "PULUMI_BACKEND_URL",
        "AIPIPE_ALLOW_LOCAL_STATE",
        "CI",
    ):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LABELLING_API_KEY", "k")
    monkeypatch.setenv("AIPIPE_PROGRAM_VIRTUALENV", str(program_virtualenv))
    monkeypatch.setattr(cli_deploy, "is_interactive", lambda: False)
    return folder


def run(*arguments):
    return runner.invoke(app, [str(a) for a in arguments])


@pytest.mark.parametrize("command", [["up", "--yes"], ["preview"], ["destroy", "--yes"], ["refresh"]])
def test_a_fresh_checkout_without_a_terminal_is_refused_and_nothing_is_touched(project, tmp_path, monkeypatch, command):
    fake = install_fake_pulumi(monkeypatch, tmp_path)
    result = run(command[0], project, *command[1:])
    assert result.exit_code == 2, result.output
    message = result.output.replace("\n", " ")
    assert "refusing to deploy stack `dev` with local state" in message and "there is no terminal" in message
    assert "backend: s3://my-state-bucket/aipipe" in message and "--allow-local-state" in message
    assert not (project / ".aipipe").exists() and fake.argvs() == []


def test_ci_is_refused_even_on_a_terminal(project, tmp_path, monkeypatch):
    install_fake_pulumi(monkeypatch, tmp_path)
    monkeypatch.setattr(cli_deploy, "is_interactive", lambda: True)
    monkeypatch.setenv("CI", "true")
    result = run("up", project, "--yes")
    assert result.exit_code == 2 and "this is CI" in result.output


@pytest.mark.parametrize("opt_in", [["--allow-local-state"], []])
def test_opting_in_deploys_and_later_runs_use_the_state(project, tmp_path, monkeypatch, opt_in):
    fake = install_fake_pulumi(monkeypatch, tmp_path)
    if not opt_in:
        monkeypatch.setenv("AIPIPE_ALLOW_LOCAL_STATE", "1")
    first = run("up", project, "--yes", *opt_in)
    assert first.exit_code == 0, first.output
    assert "first deploy of stack `dev` with local state" in first.output
    assert local_state_exists(project / ".aipipe" / "state", "event-driven-ingest", "dev")
    monkeypatch.delenv("AIPIPE_ALLOW_LOCAL_STATE", raising=False)
    monkeypatch.setenv("CI", "true")
    again = run("up", project, "--yes")  # the state exists now: used as before
    assert again.exit_code == 0, again.output
    assert "first deploy" not in again.output
    assert sum(1 for argv in fake.argvs() if argv[1:2] == ["up"]) == 2


def test_a_person_at_a_terminal_is_told_where_the_state_lives(project, tmp_path, monkeypatch):
    install_fake_pulumi(monkeypatch, tmp_path)
    monkeypatch.setattr(cli_deploy, "is_interactive", lambda: True)
    result = run("up", project, "--yes")
    assert result.exit_code == 0, result.output
    assert f"with local state in {project / '.aipipe' / 'state'}" in result.output.replace("\n", "")


@pytest.mark.parametrize("layout", ["stacks/event-driven-ingest/dev.json", "stacks/dev.json.gz", "stacks/dev.json.zst"])
def test_state_in_either_layout_counts(tmp_path, layout):
    path = tmp_path / ".pulumi" / layout
    path.parent.mkdir(parents=True)
    path.write_text("{}")
    assert local_state_exists(tmp_path, "event-driven-ingest", "dev")
    assert not local_state_exists(tmp_path, "event-driven-ingest", "prod")


def test_a_shared_backend_needs_a_shared_passphrase(project, tmp_path, monkeypatch):
    fake = install_fake_pulumi(monkeypatch, tmp_path)
    monkeypatch.setenv("PULUMI_BACKEND_URL", "s3://team-state/aipipe")
    refused = run("up", project, "--yes")
    assert refused.exit_code == 1
    assert "the backend s3://team-state/aipipe is shared" in refused.output.replace("\n", " ")
    assert not (project / ".aipipe" / "passphrase").exists() and fake.argvs() == []
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "team secret")
    result = run("preview", project)
    assert "is shared" not in result.output and any(argv[1:2] == ["preview"] for argv in fake.argvs())


def test_pulumi_cloud_needs_no_passphrase(project, tmp_path, monkeypatch):
    fake = install_fake_pulumi(monkeypatch, tmp_path, backend="cloud")
    monkeypatch.setenv("PULUMI_BACKEND_URL", "https://api.pulumi.com")
    result = run("preview", project)
    assert "is shared" not in result.output and "refusing" not in result.output
    assert any(argv[1:2] == ["preview"] for argv in fake.argvs())


def test_ls_names_each_stacks_backend_and_warns_about_local_state(project, tmp_path, monkeypatch):
    install_fake_pulumi(monkeypatch, tmp_path)
    assert run("up", project, "--yes", "--allow-local-state").exit_code == 0
    monkeypatch.chdir(project)
    listing = run("ls")
    assert "file://" + (project / ".aipipe" / "state").as_posix() in listing.output
    assert "warning: dev keeps state in local files" in listing.output
    records = json.loads(runner.invoke(app, ["ls", "--json"]).stdout)
    assert records["dev"]["local_state"] is True
