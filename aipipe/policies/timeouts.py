"""AP504: a function that may run longer than its source allows."""

from __future__ import annotations

from aipipe.clouds.gcp import EVENT_FUNCTION_TIMEOUT
from aipipe.core.diagnostics import Severity
from aipipe.kinds.registry import links_of
from aipipe.policies.base import Finding, PolicyCheck
from aipipe.semantics.delivery import LIMITS, delivery_of
from aipipe.spec.values import format_duration
from aipipe.triggers.queue import QueueTrigger
from aipipe.triggers.registry import trigger_kind
from aipipe.triggers.stream import StreamTrigger
from aipipe.triggers.subscription import SubscriptionTrigger


class TimeoutBeyondSource(PolicyCheck):
    code = "AP504"
    severity = Severity.ERROR
    title = "a function may run longer than its source allows"
    why = (
        "An event-triggered Cloud Function may run at most 9 minutes (an error: GCP refuses it). A function "
        "consuming a subscription should finish before the message's acknowledgement deadline (SQS visibility "
        "timeout), or the message is delivered again while it is still being processed: duplicate work and "
        "writes (a warning). A function a queue triggers may not run longer than the queue's visibility timeout: "
        "Lambda refuses to create the event source mapping (an error; docs.aws.amazon.com/lambda/latest/dg/"
        "services-sqs-configure.html); one that reads a queue itself gets the subscription's warning. A function a "
        "subscription triggers: on aws the same error (its queue's visibility timeout is the `ack_deadline`), on gcp "
        "the warning (the push request times out after the `ack_deadline`)."
    )
    fix = (
        "Lower the function's `timeout`, or raise the subscription's `ack_deadline` (the queue's "
        "`visibility_timeout`) above it."
    )

    def findings(self, ctx):
        resources = ctx.checkable()
        for name, function in resources.items():
            if function.type != "function":
                continue
            event = any(trigger_kind(t).eventarc for t in function.triggers)
            if ctx.cloud == "gcp" and event and function.timeout > EVENT_FUNCTION_TIMEOUT:
                yield Finding(
                    name,
                    ctx.at(name, "timeout"),
                    f"`timeout` {format_duration(function.timeout)} exceeds the 9m an event-triggered Cloud "
                    "Function may run",
                )
            for link in links_of(function):
                subscription = resources.get(link.target)
                if (
                    link.role == "reads"
                    and subscription is not None
                    and subscription.type == "subscription"
                    and ctx.cloud in LIMITS
                ):
                    deadline = delivery_of(subscription, ctx.cloud).ack_deadline
                    if function.timeout > deadline:
                        yield Finding(
                            name,
                            ctx.at(name, *link.path),
                            f"`{name}` may run {format_duration(function.timeout)} but messages of "
                            f"`{link.target}` are redelivered after {format_duration(deadline)} "
                            "(`ack_deadline`)",
                            severity=Severity.WARNING,
                        )
            yield from _queue_findings(ctx, name, function)
            yield from _subscription_findings(ctx, name, function)
            for position, trigger in enumerate(function.triggers):
                stream = resources.get(getattr(trigger, "stream", ""))
                if (
                    isinstance(trigger, StreamTrigger)
                    and stream is not None
                    and stream.type == "stream"
                    and function.timeout >= stream.retention
                ):
                    yield Finding(
                        name,
                        ctx.at(name, "triggers", position),
                        f"`{name}` may run longer than `{trigger.stream}` keeps records",
                        severity=Severity.WARNING,
                    )


CHECK = TimeoutBeyondSource()


def _queue_findings(ctx, name: str, function):
    """A queue trigger whose queue hides a message for less time than the function may run (an error: Lambda
    refuses the mapping), and a queue the function reads itself (a warning, as for subscriptions)."""
    if ctx.cloud != "aws":
        return  # queues exist on aws only (AP204 at their `type`)
    resources = ctx.checkable()
    for position, trigger in enumerate(function.triggers):
        queue = resources.get(getattr(trigger, "queue", ""))
        if (
            isinstance(trigger, QueueTrigger)
            and getattr(queue, "type", None) == "queue"
            and function.timeout > queue.visibility_timeout
        ):
            yield Finding(
                name,
                ctx.at(name, "triggers", position, "queue"),
                f"`{name}` may run {format_duration(function.timeout)} but `{trigger.queue}` hides a received "
                f"message for {format_duration(queue.visibility_timeout)} (`visibility_timeout`): Lambda refuses "
                "an SQS trigger on a function whose timeout exceeds the queue's visibility timeout",
            )
    for link in links_of(function):
        queue = resources.get(link.target)
        if link.role != "reads" or getattr(queue, "type", None) != "queue":
            continue
        if function.timeout > queue.visibility_timeout:
            yield Finding(
                name,
                ctx.at(name, *link.path),
                f"`{name}` may run {format_duration(function.timeout)} but messages of `{link.target}` are "
                f"received again after {format_duration(queue.visibility_timeout)} (`visibility_timeout`)",
                severity=Severity.WARNING,
            )


def _subscription_findings(ctx, name: str, function):
    """A subscription trigger whose subscription redelivers sooner than the function may run: on aws its queue's
    visibility timeout (an error, as for a queue trigger: Lambda refuses the mapping); on gcp the push request's
    timeout, which is the ack deadline ("For push delivery, this value is also used to set the request timeout for
    the call to the push endpoint": pulumi-gcp pubsub.Subscription ack_deadline_seconds) — a warning, as for a
    function that reads a subscription."""
    resources = ctx.checkable()
    for position, trigger in enumerate(function.triggers):
        subscription = resources.get(getattr(trigger, "subscription", ""))
        if not isinstance(trigger, SubscriptionTrigger) or getattr(subscription, "type", None) != "subscription":
            continue
        if ctx.cloud not in LIMITS:
            continue
        deadline = delivery_of(subscription, ctx.cloud).ack_deadline
        if function.timeout <= deadline:
            continue
        message = (
            f"`{name}` may run {format_duration(function.timeout)} but `{trigger.subscription}` redelivers a message "
            f"after {format_duration(deadline)} (`ack_deadline`)"
        )
        if ctx.cloud == "aws":
            message += (
                ": Lambda refuses an SQS trigger on a function whose timeout exceeds the queue's visibility timeout"
            )
        yield Finding(
            name,
            ctx.at(name, "triggers", position, "subscription"),
            message,
            severity=Severity.ERROR if ctx.cloud == "aws" else Severity.WARNING,
        )
