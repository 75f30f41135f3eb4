"""What the local gcp cloud does not run, each with what the cloud would do, so that a run says so rather than
faking it: Dataflow jobs, BigQuery tables, KMS keys, `type: pulumi` resources, bucket lifecycle rules."""

from __future__ import annotations

from typing import Any

from aipipe.kinds.table.gcp import dataset_id

DAY = 86400  # lifecycle durations are whole days (kinds/bucket.py checks it)


def _dataflow(name: str, job: Any) -> str:
    reads = f" reading `{job.input}`" if job.input else ""
    writes = f", writing to {job.output}" if job.output else ""
    return f"a Dataflow streaming job from template `{job.template}`{reads}{writes}; locally it does not run"


def _table(spec: Any, name: str, table: Any) -> str:
    dataset = dataset_id(spec, name, table)
    held = " and its table" if table.columns is not None else ""
    return (
        f"the BigQuery dataset `{dataset}`{held}; locally there is no BigQuery: a handler's BigQuery calls are "
        "not served (they fail, and never reach a real project: handlers get no credentials)"
    )


def _key(name: str, key: Any) -> str:
    return "a Cloud KMS key ring and crypto key encrypting the resources that name it; local data is not encrypted"


def _pulumi(name: str, resource: Any) -> str:
    return f"a `{resource.resource}` resource; locally it does not exist, and its outputs are placeholders"


def _lifecycle(name: str, bucket: Any) -> str | None:
    rules = bucket.lifecycle
    if rules is None:
        return None
    parts = []
    if rules.archive_after:
        parts.append(f"archives objects after {rules.archive_after // DAY}d")
    if rules.expire_after:
        parts.append(f"deletes objects after {rules.expire_after // DAY}d")
    return "Cloud Storage " + " and ".join(parts) + " (lifecycle); locally objects stay as they are"


def not_run_locally(spec: Any) -> list[tuple[str, str]]:
    """(resource, what the cloud would do) for each resource, or part of one, the local cloud does not run."""
    found = []
    for name, resource in spec.resources.items():
        kind = resource.type
        if kind == "dataflow":
            found.append((name, _dataflow(name, resource)))
        elif kind == "table":
            found.append((name, _table(spec, name, resource)))
        elif kind == "key":
            found.append((name, _key(name, resource)))
        elif kind == "pulumi":
            found.append((name, _pulumi(name, resource)))
        elif kind == "bucket":
            lifecycle = _lifecycle(name, resource)
            if lifecycle:
                found.append((name, lifecycle))
    return found
