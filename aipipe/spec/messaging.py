"""Messaging resource types: `topic` (Pub/Sub / SNS) and `subscription` (Pub/Sub / SQS on SNS)."""


from typing import Annotated, Any, Literal

from pydantic import Field

from aipipe.spec.common import ResourceBase, StrictModel, cloud_only
from aipipe.spec.values import Duration, ResourceName, duration_between


class Topic(ResourceBase):
    """A Pub/Sub topic (gcp) or SNS topic (aws)."""

    attributes = {"aws": ("id", "name", "arn"), "gcp": ("id", "name")}

    type: Literal["topic"]
    retention: Duration | None = cloud_only(
        "gcp", description="Keep published messages this long (10m to 31d) so subscriptions can seek back."
    )


class DeadLetter(StrictModel):
    """Undeliverable messages go to a generated dead-letter topic (gcp) or queue (aws)."""

    max_attempts: Annotated[int, Field(ge=5, le=100)] = Field(
        5, description="Delivery attempts before a message is dead-lettered (5-100)."
    )


class RetryPolicy(StrictModel):
    """Exponential backoff between redeliveries."""

    min_backoff: Annotated[Duration, duration_between(0, 600)] = Field(10, description="0s to 600s.")
    max_backoff: Annotated[Duration, duration_between(0, 600)] = Field(600, description="0s to 600s.")


class Subscription(ResourceBase):
    """A Pub/Sub subscription (gcp) or an SQS queue subscribed to the SNS topic (aws)."""

    attributes = {"aws": ("id", "name", "arn", "url"), "gcp": ("id", "name")}

    type: Literal["subscription"]
    topic: ResourceName
    ack_deadline: Annotated[Duration, duration_between(10, 600)] | None = Field(
        None, description="Time a consumer has to acknowledge (SQS visibility timeout): 10s to 600s."
    )
    retention: Duration | None = Field(
        None, description="How long unacknowledged messages are kept (gcp 10m-7d, aws 60s-14d)."
    )
    dead_letter: DeadLetter | None = None
    retry: RetryPolicy | None = cloud_only("gcp", description="Redelivery backoff.")
    filter: str | dict[str, Any] | None = Field(
        None,
        description="gcp: a Pub/Sub filter expression (string); aws: an SNS filter policy (mapping).",
    )
    exactly_once: bool | None = cloud_only("gcp", description="Exactly-once delivery.")
