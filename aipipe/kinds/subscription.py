"""`subscription`: a Pub/Sub subscription (gcp) or an SQS queue subscribed to the SNS topic (aws), with an
optional dead letter (a generated dead-letter topic or queue and the permissions it needs)."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any, Literal

from pydantic import Field

from aipipe.clouds.aws import AWS
from aipipe.clouds.gcp import ROLES
from aipipe.kinds.base import CloudForm, GraphShape, Kind, arn_statement, resource_grant
from aipipe.semantics.delivery import ACK_DEADLINE_RANGE, DAY, LIMITS, MAX_ATTEMPTS_RANGE, SQS_CONSUMER_ACTIONS
from aipipe.semantics.filters import FILTER_PARSERS, FilterError
from aipipe.semantics.iam import policy_document, service_may_send
from aipipe.semantics.symbols import Attr, Child, Deployment, Json, Options
from aipipe.spec.context import CheckContext
from aipipe.spec.links import Link
from aipipe.spec.model import ResourceBase, StrictModel, cloud_only
from aipipe.spec.references import symbolic, symbolic_data
from aipipe.spec.values import Duration, ResourceName, duration_between, duration_range_problem, format_duration
from aipipe.triggers.subscription import push_config


class DeadLetter(StrictModel):
    """Undeliverable messages go to a generated dead-letter topic (gcp) or queue (aws)."""

    max_attempts: Annotated[int, Field(ge=MAX_ATTEMPTS_RANGE[0], le=MAX_ATTEMPTS_RANGE[1])] = Field(
        5, description="Delivery attempts before a message is dead-lettered (5-100)."
    )


class RetryPolicy(StrictModel):
    """Exponential backoff between redeliveries."""

    min_backoff: Annotated[Duration, duration_between(0, 600)] = Field(10, description="0s to 600s.")
    max_backoff: Annotated[Duration, duration_between(0, 600)] = Field(600, description="0s to 600s.")


class Subscription(ResourceBase):
    """A Pub/Sub subscription (gcp) or an SQS queue subscribed to the SNS topic (aws)."""

    type: Literal["subscription"]
    topic: ResourceName
    ack_deadline: Annotated[Duration, duration_between(*ACK_DEADLINE_RANGE)] | None = Field(
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
    expire_after: Duration | None = cloud_only(
        "gcp",
        description="Delete the subscription (and its backlog) after it has had no subscriber this long (at "
        "least 1d, and at least its `retention`). Default: never; Pub/Sub's own default would be 31 idle days.",
    )


def check(ctx: CheckContext, name: str, subscription: Subscription) -> None:
    """Retention per cloud, the filter's form per cloud, retry bounds in order."""
    if subscription.retention is not None and ctx.cloud in LIMITS:
        limits = LIMITS[ctx.cloud]
        problem = duration_range_problem(subscription.retention, *limits.retention_range)
        if problem:
            what = "Pub/Sub subscription retention" if ctx.cloud == "gcp" else "SQS message retention"
            ctx.report("AP402", f"{what} {problem}", ctx.at(name, "retention"))
    if subscription.filter is not None:
        _check_filter(ctx, name, subscription.filter)
    _check_expiry(ctx, name, subscription)
    retry = subscription.retry
    if retry and retry.min_backoff > retry.max_backoff:
        ctx.report("AP403", "`min_backoff` must not exceed `max_backoff`", ctx.at(name, "retry", "min_backoff"))


# pulumi-gcp pubsub.Subscription expiration_policy (terraform-provider-google resource_pubsub_subscription.go
# "expiration_policy"): without a policy the subscription is deleted after 31 idle days; ttl "" never expires;
# "The minimum allowed value for expirationPolicy.ttl is 1 day". The expiration period may not be shorter than
# the message retention duration: "according to the docs, the subscription expiration should always be greater
# than the message retention duration" (github.com/peburrows/kane/pull/38, citing the Pub/Sub subscription docs;
# the stored copy of cloud.google.com/pubsub/docs/subscription-properties#expiration_period is cut off before it,
# so equal durations are accepted here).
MIN_EXPIRY = DAY


def _check_expiry(ctx: CheckContext, name: str, subscription: Subscription) -> None:
    """`expire_after` is at least a day and not shorter than the retention it would cut short."""
    expiry = subscription.expire_after
    if expiry is None or ctx.cloud != "gcp":
        return
    if expiry < MIN_EXPIRY:
        ctx.report(
            "AP402",
            f"`expire_after` must be at least 1d (Pub/Sub's minimum), got {format_duration(expiry)}",
            ctx.at(name, "expire_after"),
        )
        return
    retention = subscription.retention or LIMITS["gcp"].default_retention
    if expiry < retention:
        ctx.report(
            "AP403",
            f"`expire_after` ({format_duration(expiry)}) must not be shorter than the message retention "
            f"({format_duration(retention)}{'' if subscription.retention else ', the default'}): Pub/Sub "
            "refuses an expiration period below the retention",
            ctx.at(name, "expire_after"),
        )


def _check_filter(ctx: CheckContext, name: str, value) -> None:
    """The filter's form per cloud, and the filter itself as the cloud would parse it (semantics/filters)."""
    path = ctx.at(name, "filter")
    if ctx.cloud == "gcp":
        if not isinstance(value, str):
            ctx.report(
                "AP202",
                "on gcp `filter` is a Pub/Sub filter expression string, e.g. 'attributes.kind = \"image\"'",
                path,
            )
            return
    elif ctx.cloud == "aws":
        if not isinstance(value, dict):
            ctx.report("AP202", "on aws `filter` is an SNS filter policy mapping, e.g. {kind: [image]}", path)
            return
    else:
        return
    try:
        FILTER_PARSERS[ctx.cloud](value)
    except FilterError as error:
        ctx.report("AP202", f"`filter`: {error}", path)


def links(subscription: Subscription):
    yield Link(subscription.topic, ("topic",), ("topic",), "topic")


def aws_values(spec, name: str, subscription: Subscription) -> dict:
    """The SQS template's values: the topic's ARN, the queue policy for that topic, the filter policy."""
    topic_arn = Attr(subscription.topic, "arn")
    queue_policy = policy_document([service_may_send(AWS.principals["sns"], Child(name, "queue", "arn"), topic_arn)])
    filter_policy = Json(symbolic_data(subscription.filter)) if subscription.filter else None
    dead_letter = subscription.dead_letter
    return {
        "topic": subscription.topic,
        "topic_arn": topic_arn,
        "queue_policy": queue_policy,
        "filter_policy": filter_policy,
        # Subscribe is a call on the topic, in the topic's region (docs.aws.amazon.com/sns/latest/dg/
        # sns-cross-region-delivery.html: SNS delivers to a queue of another region)
        "subscription_opts": Options(name, provider_of=subscription.topic),
        "visibility_timeout": subscription.ack_deadline,
        "message_retention": subscription.retention,
        "dead_letter_retention": LIMITS["aws"].dead_letter_retention if dead_letter else None,
        "redrive": {
            "deadLetterTargetArn": Child(name, "dead_letters", "arn"),
            "maxReceiveCount": dead_letter.max_attempts,
        }
        if dead_letter
        else None,
    }


def gcp_values(spec, name: str, subscription: Subscription) -> dict:
    """The subscription template's values: its topic's full id, the Pub/Sub service agent, and the push to the
    function that consumes it, if one does."""
    dead_letter, retry = subscription.dead_letter, subscription.retry
    push = push_config(spec.spec, name)  # `spec` is the render job (RenderInputs)
    return {
        "topic": subscription.topic,
        "topic_id": Attr(subscription.topic, "id"),
        # a function's subscription trigger makes it a push subscription to that function (aipipe.triggers.
        # subscription), made once the function may be invoked by the push's account
        "push_config": push["config"] if push else None,
        "push_waits": push["waits"] if push else [],
        "pubsub_agent": pubsub_agent(),
        "ack_deadline": subscription.ack_deadline,
        "message_retention": f"{subscription.retention}s" if subscription.retention else None,
        "dead_letter_policy": {
            "dead_letter_topic": Child(name, "dead_letters", "id"),
            "max_delivery_attempts": dead_letter.max_attempts,
        }
        if dead_letter
        else None,
        "retry_policy": {"minimum_backoff": f"{retry.min_backoff}s", "maximum_backoff": f"{retry.max_backoff}s"}
        if retry
        else None,
        "filter": symbolic(subscription.filter) if subscription.filter else None,
        "exactly_once": bool(subscription.exactly_once),
        "expiration_policy": expiration_policy(subscription.expire_after),
        # the dead-letter topic's own subscription: without one, dead-lettered messages are lost
        "dead_letter_retention": f"{DEAD_LETTER_RETENTION}s",
        # what the Pub/Sub service agent needs to move messages to the dead-letter topic
        "roles": {"publish": ROLES["publish"], "subscribe": ROLES["subscribe"]},
    }


# "Users should ensure that there is a subscription attached to this topic since messages published to a topic
# with no subscriptions are lost" (Pub/Sub REST reference, DeadLetterPolicy.dead_letter_topic). So the dead-letter
# topic gets a pull subscription people inspect, keeping messages for the most Pub/Sub allows: 31 days (pulumi-gcp
# pubsub.Subscription message_retention_duration "Cannot be more than 31 days"), and never expiring.
DEAD_LETTER_RETENTION = 31 * DAY


def expiration_policy(expire_after: int | None) -> dict:
    """A subscription's expiration policy: after `expire_after` idle seconds, else never (ttl "" — without a
    policy Pub/Sub deletes a subscription after 31 idle days, backlog and all)."""
    return {"ttl": f"{expire_after}s" if expire_after else ""}


def _dead_letter_attribute_problem(model: dict, attribute: str) -> str | None:
    """`${sub.dead_letter_subscription}` exists only on a subscription with `dead_letter`."""
    if attribute == "dead_letter_subscription" and not model.get("dead_letter"):
        return "has no `dead_letter`, so no dead-letter subscription"
    return None


def pubsub_agent() -> Deployment:
    """The IAM member of this project's Pub/Sub service agent, which moves messages to dead-letter topics
    (cloud.google.com/pubsub/docs/handling-failures#grant_forwarding_permissions)."""
    return Deployment("gcp_pubsub_agent")


SUBSCRIPTION_MEMBER = ("pubsub.SubscriptionIAMMember", "subscription")

KIND = Kind(
    name="subscription",
    model=Subscription,
    clouds={
        "aws": CloudForm(
            "SQS queue subscribed to the SNS topic",
            {"id": ("queue", "id"), "name": ("queue", "name"), "arn": ("queue", "arn"), "url": ("queue", "url")},
            values=aws_values,
            access={"reads": partial(arn_statement, SQS_CONSUMER_ACTIONS)},
        ),
        "gcp": CloudForm(
            "Pub/Sub subscription",
            {
                "id": ("subscription", "id"),
                "name": ("subscription", "name"),
                "dead_letter_subscription": ("dead_letter_subscription", "name"),
            },
            values=gcp_values,
            attribute_problem=_dead_letter_attribute_problem,
            access={"reads": partial(resource_grant, *SUBSCRIPTION_MEMBER, ROLES["subscribe"])},
            iam_member=SUBSCRIPTION_MEMBER,
        ),
    },
    graph=GraphShape(('>"', '"]'), "cds"),
    links=links,
    check=check,
)
