"""How messages are delivered to a subscription on each cloud: acknowledgement deadline, retention, retries
and dead letters — the effective values (the spec's, else the cloud's defaults) that checks, the renderer
and the local runner all use, and the ranges each cloud accepts.

Sources: SQS visibility timeout default 30 s, retention 60 s-14 d default 4 d (docs.aws.amazon.com/
AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html); Pub/Sub ack deadline default 10 s,
subscription retention 10 min-7 d default 7 d, topic retention 10 min-31 d, retry backoff 0-600 s default
10 s / 600 s, dead-letter attempts 5-100 (cloud.google.com/pubsub/docs/reference/rest/v1/projects.subscriptions).
"""

from __future__ import annotations

from dataclasses import dataclass

DAY = 86400


@dataclass(frozen=True)
class DeliveryLimits:
    """What one cloud accepts and assumes for a subscription."""

    service: str  # for messages: "SQS", "Pub/Sub"
    default_ack_deadline: int
    default_retention: int
    retention_range: tuple[int, int]
    dead_letter_retention: int | None  # how long the generated dead-letter queue keeps messages


LIMITS = {
    "aws": DeliveryLimits(
        "SQS",
        default_ack_deadline=30,
        default_retention=4 * DAY,
        retention_range=(60, 14 * DAY),
        dead_letter_retention=14 * DAY,
    ),
    "gcp": DeliveryLimits(
        "Pub/Sub",
        default_ack_deadline=10,
        default_retention=7 * DAY,
        retention_range=(600, 7 * DAY),
        dead_letter_retention=None,
    ),
}
TOPIC_RETENTION_RANGE = {"gcp": (600, 31 * DAY)}  # SNS topics keep no messages
# What a consumer of an SQS queue needs (docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#events-sqs-permissions):
# a subscription's queue read by a function, a queue of its own read or polled by a queue trigger
SQS_CONSUMER_ACTIONS = [
    "sqs:ChangeMessageVisibility",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:ReceiveMessage",
]
ACK_DEADLINE_RANGE = (10, 600)
MAX_ATTEMPTS_RANGE = (5, 100)


@dataclass(frozen=True)
class Delivery:
    """The effective delivery of one subscription."""

    ack_deadline: int  # seconds a consumer has before the message is delivered again
    retention: int  # seconds an unacknowledged message is kept
    max_attempts: int | None  # deliveries before the message goes to the dead letter; None: until it expires
    backoff: tuple[int, int] | None  # (min, max) seconds between redeliveries; None: at once (or SQS's visibility)


def delivery_of(subscription, cloud: str) -> Delivery:
    """The effective delivery of a validated subscription model on `cloud`."""
    limits = LIMITS[cloud]
    retry = subscription.retry
    # without a retry policy Pub/Sub redelivers at once ("By default, subscriptions use immediate redelivery",
    # cloud.google.com/pubsub/docs/handling-failures);; a `retry: {}` takes 10 s / 600 s
    backoff = (retry.min_backoff, retry.max_backoff) if retry else None
    dead_letter = subscription.dead_letter
    return Delivery(
        ack_deadline=subscription.ack_deadline or limits.default_ack_deadline,
        retention=subscription.retention or limits.default_retention,
        max_attempts=dead_letter.max_attempts if dead_letter else None,
        backoff=backoff,
    )
