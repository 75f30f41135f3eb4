"""Topic triggers: run on every message published to a topic.

aws: an SNS subscription of the Lambda function and the permission SNS needs to invoke it; or of an SQS queue, with
the queue policy statement SNS needs to send to it.
gcp: an Eventarc trigger on the Pub/Sub topic's messagePublished event.
"""

from __future__ import annotations

from aipipe.clouds.aws import AWS
from aipipe.core.diagnostics import Severity
from aipipe.semantics.iam import service_may_send
from aipipe.semantics.symbols import Attr, Child, Options
from aipipe.spec.context import CheckContext
from aipipe.spec.model import StrictModel
from aipipe.spec.values import ResourceName
from aipipe.triggers.base import TriggerKind, TriggerUse, failed_events_queue, regions_of

# cloud.google.com/eventarc/docs/reference/supported-events#pubsub
PUBSUB_EVENT = "google.cloud.pubsub.topic.v1.messagePublished"


class TopicTrigger(StrictModel):
    """Run on every message published to a topic."""

    topic: ResourceName


def _invoke_permission() -> dict:
    """What the lambda.Permission says: sns may invoke the function."""
    return {"action": "lambda:InvokeFunction", "principal": AWS.principals["sns"]}


def topic_region(resources: dict, home: str, use: TriggerUse) -> tuple[str, str]:
    """The topic's region and the function's."""
    return regions_of(resources, home, use.trigger.topic, use.target)


def redrive_queue(spec, use: TriggerUse) -> Child | None:
    """The dead letter of the subscription: the function's failed-events queue, where SNS puts a message it
    could not deliver (docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html) — when that queue can
    serve: "the Amazon SNS subscription and Amazon SQS queue must be under the same AWS account and Region"."""
    queue = failed_events_queue(use)
    source, target = topic_region(spec.resources, spec.header.region, use)
    return queue if source == target else None


def _check(ctx: CheckContext, use: TriggerUse) -> None:
    if ctx.cloud != "aws" or failed_events_queue(use) is None:
        return
    source, target = topic_region(ctx.checkable(), ctx.data.get("region"), use)
    if source != target:
        ctx.report(
            "AP406",
            f"`{use.trigger.topic}` is in {source} and this function in {target}: a message SNS cannot deliver "
            "is lost, because its dead-letter queue must be in the topic's region; give the function "
            f"`region: {source}` to keep such messages",
            use.path + ("topic",),
            severity=Severity.WARNING,
        )


def _aws_function(spec, use: TriggerUse) -> dict:
    return {
        "template": "triggers/topic/aws-function.py.j2",
        "position": use.position,
        **_invoke_permission(),
        "source": use.trigger.topic,
        "source_arn": Attr(use.trigger.topic, "arn"),
        # Subscribe is a call on the topic, in the topic's region (docs.aws.amazon.com/sns/latest/api/
        # API_Subscribe.html; cross-region delivery to Lambda is supported): the topic's provider
        "subscription_opts": Options(use.owner, provider_of=use.trigger.topic),
        "redrive": redrive_queue(spec, use),
    }


def _aws_queue(spec, use: TriggerUse) -> dict:
    """An SQS queue subscribed to an SNS topic (the fan-out pattern): the subscription, made once the queue policy
    lets SNS send for this topic only (docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html:
    the queue policy allows sns.amazonaws.com sqs:SendMessage with aws:SourceArn the topic). Messages arrive in
    SNS's JSON envelope (the subscription's RawMessageDelivery stays false, SNS's default)."""
    return {
        "template": "triggers/topic/aws-queue.py.j2",
        "source": use.trigger.topic,
        "source_arn": Attr(use.trigger.topic, "arn"),
        "statement": service_may_send(
            AWS.principals["sns"], Child(use.owner, "queue", "arn"), Attr(use.trigger.topic, "arn")
        ),
        # Subscribe is a call on the topic, in its region (cross-region SQS subscriptions are supported)
        "subscription_opts": Options(
            use.owner, provider_of=use.trigger.topic, depends_on=(Child(use.owner, "policy"),)
        ),
    }


def _gcp_function(spec, use: TriggerUse) -> dict:
    return {
        "event_trigger": {
            "event_type": PUBSUB_EVENT,
            "pubsub_topic": Attr(use.trigger.topic, "id"),
            "retry_policy": "RETRY_POLICY_RETRY",
            # the function's caller account, which may only invoke it (aipipe.kinds.function.gcp)
            "service_account_email": Child(use.owner, "caller", "email"),
        },
        # direct Pub/Sub events: the trigger's account needs no eventarc.eventReceiver (cloud.google.com/
        # eventarc/standard/docs/functions/roles-permissions)
        "receive_events": False,
    }


def takes(trigger: TopicTrigger, happened: str, detail) -> bool:
    """Every message published to the topic: a function's SNS subscription and Eventarc's Pub/Sub trigger have no
    filter (filters belong to `subscription` resources, aipipe.semantics.filters)."""
    return happened == "message"


TRIGGER = TriggerKind(
    key="topic",
    model=TopicTrigger,
    source_kinds=("topic",),
    label=lambda trigger: "triggers",
    check=_check,
    wiring={("aws", "function"): _aws_function, ("aws", "queue"): _aws_queue, ("gcp", "function"): _gcp_function},
    eventarc=True,
    invocation={"aws": "async"},
    one_per_source=True,
    takes=takes,
)
