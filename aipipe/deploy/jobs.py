"""After `aipipe up`: did every Dataflow job of the stack reach JOB_STATE_RUNNING? Read from the state of the
stack (the jobs' `state` outputs), because a classic template job is created as soon as it is launched, and a
job that fails at start would otherwise leave a green `up` behind (aipipe.kinds.dataflow.states)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aipipe.deploy.settings import DeployError
from aipipe.kinds.dataflow.states import JOB_TYPES, RUNNING, has_stopped


@dataclass(frozen=True)
class JobState:
    """One deployed Dataflow job: its spec resource, id, region and state."""

    resource: str
    job_id: str
    region: str
    state: str


def job_states(resources: list[dict]) -> list[JobState]:
    """The Dataflow jobs among a stack's resources (as `pulumi stack export` lists them: urn, type, outputs).
    A job's logical name is its spec resource's name (templates/dataflow/gcp.py.j2)."""
    return [
        JobState(
            resource["urn"].rsplit("::", 1)[-1],
            str(resource.get("outputs", {}).get("jobId", "")),
            str(resource.get("outputs", {}).get("region", "")),
            str(resource.get("outputs", {}).get("state", "") or "unknown"),
        )
        for resource in resources
        if resource.get("type") in JOB_TYPES
    ]


def report_jobs(jobs: list[JobState], lines: dict[str, int], echo: Callable[[str], None]) -> None:
    """One line per job not running; a job that has stopped (failed, cancelled, drained) fails the deploy with
    exit 1, a job still starting is a warning (it may yet run)."""
    stopped = []
    for job in jobs:
        if job.state == RUNNING:
            continue
        where = f"`{job.resource}` (line {lines[job.resource]})" if job.resource in lines else f"`{job.resource}`"
        look = f"gcloud dataflow jobs describe {job.job_id} --region {job.region}" if job.job_id else "the console"
        if has_stopped(job.state):
            stopped.append(f"  Dataflow job {where} is {job.state}, not running: see `{look}` and its logs")
        else:
            echo(f"warning: Dataflow job {where} is {job.state}, not yet running; check it with `{look}`")
    if stopped:
        raise DeployError(
            "the deploy finished, but not every Dataflow job runs:\n" + "\n".join(stopped) + "\nFix the cause "
            "(grants, parameters, quotas) and run `aipipe up` again: a stopped job is launched anew"
        )
