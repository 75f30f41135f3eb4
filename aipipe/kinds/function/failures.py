"""What becomes of the events a Lambda function fails on: Lambda's asynchronous retries and maximum event age
for the triggers that invoke it asynchronously (bucket, topic, schedule), and the `<function>-failed` SQS queue
that asynchronous invocations, stream mappings and SNS subscriptions send what they gave up on to.

Sources: docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html (destinations; the
execution role needs sqs:SendMessage on an SQS destination), docs.aws.amazon.com/lambda/latest/dg/
with-kinesis.html (on-failure destinations of stream mappings), docs.aws.amazon.com/sns/latest/dg/
sns-dead-letter-queues.html (the queue policy must let SNS send, for that topic only)."""

from __future__ import annotations

from aipipe.clouds.aws import AWS
from aipipe.kinds.function.model import Function, OnFailure
from aipipe.semantics.delivery import LIMITS
from aipipe.semantics.iam import policy_document, service_may_send, statement
from aipipe.semantics.symbols import Child
from aipipe.triggers.base import TriggerUse, failed_events_queue
from aipipe.triggers.registry import trigger_kind


def failure_values(name: str, function: Function, uses: list[TriggerUse], wirings: list[dict]) -> dict:
    """The template's values for failures: the async invoke config, the queue, and who may send to it."""
    on_failure = function.on_failure or OnFailure()
    invocations = {trigger_kind(use.trigger).invocation.get("aws") for use in uses}
    asynchronous = "async" in invocations
    # the queue exists when a trigger would send to it: the one rule of failed_events_queue, for the triggers
    # that hand Lambda events it can give up on
    queue_arn = failed_events_queue(uses[0]) if uses and invocations & {"async", "poll"} else None
    queue = queue_arn is not None
    sns_sources = [wiring["source_arn"] for wiring in wirings if wiring.get("redrive") is not None]
    return {
        "invoke_config": {
            "maximum_retry_attempts": on_failure.retries,
            "maximum_event_age_in_seconds": on_failure.max_event_age,
            "destination": queue_arn,
        }
        if asynchronous
        else None,
        "failed_queue": {"retention": LIMITS["aws"].dead_letter_retention} if queue else None,
        # SNS sends undeliverable messages to the queue itself (a queue policy, only for the function's topics)
        "failed_queue_policy": policy_document(
            [service_may_send(AWS.principals["sns"], Child(name, "failed", "arn"), sns_sources)]
        )
        if queue and sns_sources
        else None,
    }


def failure_statements(name: str, values: dict) -> list[dict]:
    """What the function's role needs: Lambda sends failed asynchronous events and stream batches to the queue
    with the function's own execution role."""
    return [statement(["sqs:SendMessage"], [Child(name, "failed", "arn")])] if values["failed_queue"] else []
