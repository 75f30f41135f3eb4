"""`aipipe up` of a spec with a Dataflow job, against a fake stack: the job's `state` in the stack after the
update decides whether the deploy succeeded (aipipe.deploy.jobs; the facts in aipipe.kinds.dataflow.states)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from aipipe.cli import deploy as cli_deploy
from aipipe.cli.app import app
from aipipe.deploy import stack as deploy_stack
from aipipe.deploy.jobs import job_states

import fake_stack as fake
from conftest import copy_example

runner = CliRunner()
FLEX = "gcp:dataflow/flexTemplateJob:FlexTemplateJob"
CLASSIC = "gcp:dataflow/job:Job"
JOB_URN = "urn:pulumi:dev::realtime-replication::aipipe:index:Dataflow${}::stream-to-gcs"
CREATE_JOB = [fake.pre("create", FLEX, "stream-to-gcs", "aipipe:index:Dataflow")]
DEPLOY_JOB = [
    fake.pre("create", FLEX, "stream-to-gcs", "aipipe:index:Dataflow"),
    fake.done("create", FLEX, "stream-to-gcs", "aipipe:index:Dataflow"),
    fake.summary(create=1),
]


def exported(state: str, token: str = FLEX) -> list[dict]:
    """The stack's resources as `pulumi stack export` lists them, with the job in `state`."""
    return [
        {"urn": "urn:pulumi:dev::realtime-replication::pulumi:pulumi:Stack::realtime-replication-dev", "type": "x"},
        {
            "urn": JOB_URN.format(token),
            "type": token,
            "outputs": {"jobId": "2026-11-22_01_02_03-123", "region": "europe-west1", "state": state},
        },
    ]


@pytest.fixture
def project(tmp_path, monkeypatch, program_virtualenv):
    """A copy of the realtime-replication example (a Dataflow job) in a temporary folder."""
    monkeypatch.setenv("AIPIPE_PROGRAM_VIRTUALENV", str(program_virtualenv))
    monkeypatch.setenv("AIPIPE_ALLOW_LOCAL_STATE", "1")
    for variable in ("PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE", "PULUMI_BACKEND_URL"):
        monkeypatch.delenv(variable, raising=False)
    folder = tmp_path / "replication"
    copy_example("realtime-replication", folder)
    monkeypatch.setattr(cli_deploy, "is_interactive", lambda: False)
    return folder


def install(monkeypatch, state: str | None, token: str = FLEX, preview=CREATE_JOB) -> fake.FakeStack:
    stack = fake.FakeStack(
        preview_events=preview,
        up_events=DEPLOY_JOB,
        outputs={"job_id": "2026-11-22_01_02_03-123"},
        resources=exported(state, token) if state else [],
    )
    monkeypatch.setattr(deploy_stack, "open_stack", lambda settings, create=True: stack)
    return stack


def test_a_running_job_is_a_green_deploy(project, monkeypatch):
    stack = install(monkeypatch, "JOB_STATE_RUNNING")
    result = runner.invoke(app, ["up", str(project), "--yes"])
    assert result.exit_code == 0, result.output
    assert stack.calls == ["preview", "up", "resources"]
    assert "Dataflow job" not in result.output


def test_a_job_still_starting_is_a_warning(project, monkeypatch):
    """A classic template job is created as soon as it is launched: it may still be queued."""
    install(monkeypatch, "JOB_STATE_PENDING", CLASSIC)
    result = runner.invoke(app, ["up", str(project), "--yes"])
    assert result.exit_code == 0, result.output
    assert (
        "warning: Dataflow job `stream-to-gcs` (line 33) is JOB_STATE_PENDING, not yet running; check it with "
        "`gcloud dataflow jobs describe 2026-11-22_01_02_03-123 --region europe-west1`" in result.output
    )


@pytest.mark.parametrize("state", ["JOB_STATE_FAILED", "JOB_STATE_CANCELLED", "JOB_STATE_DRAINING"])
def test_a_stopped_job_fails_the_deploy(project, monkeypatch, state):
    install(monkeypatch, state, CLASSIC)
    result = runner.invoke(app, ["up", str(project), "--yes"])
    assert result.exit_code == 1, result.output
    assert f"Dataflow job `stream-to-gcs` (line 33) is {state}, not running" in result.output
    assert "run `aipipe up` again" in result.output


def test_nothing_to_deploy_still_reports_a_job_that_stopped(project, monkeypatch):
    """The provider dropped the failed job from the stack on refresh, or it is still there stopped: either way
    a rerun says so rather than "nothing to deploy" and exit 0."""
    stack = install(monkeypatch, "JOB_STATE_FAILED", CLASSIC, preview=[])
    result = runner.invoke(app, ["up", str(project), "--yes"])
    assert result.exit_code == 1, result.output
    assert "nothing to deploy" in result.output and "is JOB_STATE_FAILED" in result.output
    assert stack.calls == ["preview", "resources"]


def test_job_states_reads_only_dataflow_jobs():
    [job] = job_states(exported("JOB_STATE_RUNNING"))
    assert (job.resource, job.state, job.region) == ("stream-to-gcs", "JOB_STATE_RUNNING", "europe-west1")
    assert job_states([{"urn": JOB_URN.format(CLASSIC), "type": CLASSIC, "outputs": {}}])[0].state == "unknown"
