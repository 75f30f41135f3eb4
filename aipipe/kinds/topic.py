"""`topic`: a Pub/Sub topic (gcp, optionally retaining messages for replay) or an SNS topic (aws)."""

from __future__ import annotations

from functools import partial
from typing import Literal

from aipipe.clouds.gcp import ROLES
from aipipe.kinds.base import CloudForm, GraphShape, Kind, arn_statement, resource_grant
from aipipe.semantics.delivery import TOPIC_RETENTION_RANGE
from aipipe.spec.context import CheckContext
from aipipe.spec.model import ResourceBase, cloud_only
from aipipe.spec.values import Duration, duration_range_problem


class Topic(ResourceBase):
    """A Pub/Sub topic (gcp) or SNS topic (aws)."""

    type: Literal["topic"]
    retention: Duration | None = cloud_only(
        "gcp", description="Keep published messages this long (10m to 31d) so subscriptions can seek back."
    )


def check(ctx: CheckContext, name: str, topic: Topic) -> None:
    """Pub/Sub topic retention is 10m to 31d."""
    if ctx.cloud == "gcp" and topic.retention is not None:
        problem = duration_range_problem(topic.retention, *TOPIC_RETENTION_RANGE["gcp"])
        if problem:
            ctx.report("AP402", f"Pub/Sub topic retention {problem}", ctx.at(name, "retention"))


def gcp_values(job, name: str, topic: Topic) -> dict:
    """The Pub/Sub topic template's values: message retention, as Pub/Sub writes durations (`600s`)."""
    return {"message_retention": f"{topic.retention}s" if topic.retention else None}


KIND = Kind(
    name="topic",
    model=Topic,
    clouds={
        "aws": CloudForm(
            "SNS topic",
            {"id": ("topic", "id"), "name": ("topic", "name"), "arn": ("topic", "arn")},
            access={"writes": partial(arn_statement, ["sns:Publish"])},
        ),
        "gcp": CloudForm(
            "Pub/Sub topic",
            {"id": ("topic", "id"), "name": ("topic", "name")},
            values=gcp_values,
            access={"writes": partial(resource_grant, "pubsub.TopicIAMMember", "topic", ROLES["publish"])},
        ),
    },
    graph=GraphShape(('>"', '"]'), "cds"),
    check=check,
)
