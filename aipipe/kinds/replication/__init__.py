"""`replication` (aws): copy objects from one bucket to another, continuously with S3 replication (one
configuration per source bucket, a rule per replication: s3.py) or on a schedule with a DataSync task
(datasync.py)."""

from __future__ import annotations

from aipipe.kinds.base import CloudForm, GraphShape, Kind, RenderInputs
from aipipe.kinds.replication import datasync
from aipipe.kinds.replication.checks import check
from aipipe.kinds.replication.model import Replication
from aipipe.kinds.replication.s3 import configuration_parts, role_of
from aipipe.semantics.symbols import Child
from aipipe.spec.links import Link


def links(replication: Replication):
    yield Link(replication.source, ("source",), ("bucket",), "source")
    yield Link(replication.destination, ("destination",), ("bucket",), "destination")


def aws_values(job: RenderInputs, name: str, replication: Replication) -> dict:
    """The template's values: a DataSync task and its locations; S3 replication renders as a part of the source."""
    if replication.method == "s3":
        return {"title": "S3 replication", "source": replication.source, "destination": replication.destination}
    return {"title": "DataSync task", **datasync.values(job.spec, name, replication)}


def _special_attribute(name: str, replication: Replication, attribute: str) -> Child:
    """`arn` is the replication role's (s3: shared by every replication from the source) or the DataSync task's."""
    return role_of(replication.source) if replication.method == "s3" else Child(name, "task", "arn")


def parts(cloud: str, spec) -> list:
    """S3 replication's configuration per source bucket, DataSync's log policy per region."""
    return configuration_parts(cloud, spec) + (datasync.log_policy_parts(spec) if cloud == "aws" else [])


KIND = Kind(
    name="replication",
    model=Replication,
    clouds={
        "aws": CloudForm(
            "S3 replication or DataSync task",
            {"arn": ("role", "arn")},
            values=aws_values,
            special_attribute=_special_attribute,
        )
    },
    graph=GraphShape(('[/"', '"/]'), "parallelogram"),
    links=links,
    check=check,
    parts=parts,
)
