"""Topic triggers: run on every message published to a topic.

aws: an SNS subscription of the Lambda function and the permission SNS needs to invoke it.
gcp: an Eventarc trigger on the Pub/Sub topic's messagePublished event.
"""

from __future__ import annotations

from aipipe.clouds.aws import AWS
from aipipe.semantics.symbols import Attr, Child, Options
from aipipe.spec.model import StrictModel
from aipipe.spec.values import ResourceName
from aipipe.triggers.base import TriggerKind, TriggerUse

# cloud.google.com/eventarc/docs/reference/supported-events#pubsub
PUBSUB_EVENT = "google.cloud.pubsub.topic.v1.messagePublished"


class TopicTrigger(StrictModel):
    """Run on every message published to a topic."""

    topic: ResourceName


def _invoke_permission() -> dict:
    """What the lambda.Permission says: sns may invoke the function."""
    return {"action": "lambda:InvokeFunction", "principal": AWS.principals["sns"]}


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
    }


def _gcp_function(spec, use: TriggerUse) -> dict:
    return {
        "event_trigger": {
            "event_type": PUBSUB_EVENT,
            "pubsub_topic": Attr(use.trigger.topic, "id"),
            "retry_policy": "RETRY_POLICY_RETRY",
            "service_account_email": Child(use.owner, "account", "email"),
        }
    }


TRIGGER = TriggerKind(
    key="topic",
    model=TopicTrigger,
    source_kinds=("topic",),
    label=lambda trigger: "triggers",
    wiring={("aws", "function"): _aws_function, ("gcp", "function"): _gcp_function},
    eventarc=True,
)
