"""The deploy workflow in docs/ci.md: valid YAML with the safety it promises, and its aipipe commands run as
written against the stand-in pulumi CLI on a fresh checkout with a shared backend, as CI runs them."""

from __future__ import annotations

import json
import re
import shlex

import pytest
import yaml
from typer.testing import CliRunner

from aipipe.cli.app import app

from conftest import EXAMPLES, ROOT, copy_example
from fake_pulumi_fixture import install_fake_pulumi

DOC = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
BLOCKS = {block.splitlines()[0]: yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", DOC, re.S)}
WORKFLOW = BLOCKS["# .github/workflows/deploy.yml"]
GCP_STEP = BLOCKS["# GCP credentials step"][0]


def steps():
    return WORKFLOW["jobs"]["deploy"]["steps"]


def test_the_workflow_deploys_one_at_a_time_with_oidc_and_the_shared_passphrase():
    assert WORKFLOW[True]["push"]["branches"] == ["main"]  # YAML 1.1 reads the key `on` as True
    assert WORKFLOW["permissions"]["id-token"] == "write"
    assert WORKFLOW["concurrency"] == {"group": "aipipe-deploy-prod", "cancel-in-progress": False}
    env = WORKFLOW["jobs"]["deploy"]["env"]
    assert env["PULUMI_CONFIG_PASSPHRASE"] == "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}"
    uses = [step.get("uses", "").split("@")[0] for step in steps()]
    assert "aws-actions/configure-aws-credentials" in uses and "pulumi/actions" in uses
    assert "role-to-assume" in next(s for s in steps() if "configure-aws-credentials" in s.get("uses", ""))["with"]
    assert GCP_STEP["uses"].startswith("google-github-actions/auth@")
    assert {"workload_identity_provider", "service_account"} <= set(GCP_STEP["with"])
    artifact = next(s for s in steps() if s.get("uses", "").startswith("actions/upload-artifact"))
    assert artifact["if"] == "always()" and artifact["with"]["path"] == "deploy-prod.jsonl"


def aipipe_commands():
    return [step["run"] for step in steps() if step.get("run", "").startswith("aipipe ")]


def test_the_secrets_the_workflow_passes_are_the_ones_the_example_spec_declares():
    spec = yaml.safe_load(next(p for p in EXAMPLES if p.parent.name == "event-driven-ingest").read_text())
    env = WORKFLOW["jobs"]["deploy"]["env"]
    assert set(spec["secrets"]) <= set(env)


@pytest.fixture
def checkout(tmp_path, monkeypatch, program_virtualenv):
    """A fresh CI checkout of a repository holding the event-driven example with a shared backend."""
    folder = tmp_path / "repo"
    copy_example("event-driven-ingest", folder)
    spec = folder / "aipipe.yaml"
    spec.write_text(spec.read_text().replace("\nresources:", "\nbackend: s3://my-state-bucket/aipipe\nresources:", 1))
    for variable in ("PULUMI_BACKEND_URL", "PULUMI_CONFIG_PASSPHRASE_FILE", "AIPIPE_ALLOW_LOCAL_STATE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "from-a-ci-secret")
    monkeypatch.setenv("LABELLING_API_KEY", "from-a-ci-secret-too")
    monkeypatch.setenv("AIPIPE_PROGRAM_VIRTUALENV", str(program_virtualenv))
    monkeypatch.chdir(folder)
    return folder


def run_step(command: str):
    """A `run:` line as the runner's shell would run it (one command, optionally `> FILE`)."""
    command, _, target = command.partition(" > ")
    result = CliRunner().invoke(app, shlex.split(command)[1:])
    if target:
        with open(target.strip(), "w", encoding="utf-8") as handle:
            handle.write(result.stdout)
    return result


def test_the_workflows_commands_deploy_from_a_fresh_checkout(checkout, tmp_path, monkeypatch):
    fake = install_fake_pulumi(monkeypatch, tmp_path, outputs={"raw_bucket": "raw-8d2f"})
    assert len(aipipe_commands()) == 2
    for command in aipipe_commands():
        result = run_step(command)
        assert result.exit_code == 0, (command, result.output)
    lines = [json.loads(line) for line in (checkout / "deploy-prod.jsonl").read_text().splitlines()]
    assert lines[-1] == {"outputs": {"raw_bucket": "raw-8d2f"}}
    assert {line.get("phase") for line in lines[:-1]} == {"preview", "update"}
    assert any(argv[1:2] == ["up"] and "prod" in argv for argv in fake.argvs())


def test_the_same_checkout_with_local_state_is_refused(checkout, tmp_path, monkeypatch):
    install_fake_pulumi(monkeypatch, tmp_path)
    spec = checkout / "aipipe.yaml"
    spec.write_text(spec.read_text().replace("backend: s3://my-state-bucket/aipipe\n", ""))
    deploy = next(command for command in aipipe_commands() if command.startswith("aipipe up"))
    result = run_step(deploy)
    assert result.exit_code == 2 and "this is CI" in result.output
