"""How the cloud delivers one trigger's events to its target, and what it does when the target fails: a `Policy`
per trigger use, read from the very values the renderer configures the cloud with (the trigger kinds' wiring,
the function's `on_failure`, the queue's redrive, `semantics/delivery`), plus the cloud's own defaults, each with
its source below.

Sources:
- Lambda asynchronous invocation (S3, SNS and EventBridge invoke a function asynchronously: the trigger kinds'
  `invocation`): "If the function returns an error, by default Lambda attempts to run it two more times, with a
  one-minute wait between the first two attempts, and two minutes between the second and third attempts"
  (docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html); `on_failure.retries` (0-2) and
  `max_event_age` set them (aipipe.kinds.function.model.OnFailure), then the on-failure destination, the
  function's `<function>-failed` queue (aipipe.triggers.base.failed_events_queue).
- SQS event source mappings: "if Lambda encounters an error at any point while processing a batch, all messages in
  that batch return to the queue. After the visibility timeout, the messages become visible to Lambda again",
  partial batch responses return only the failed ones (docs.aws.amazon.com/lambda/latest/dg/
  services-sqs-configure.html);
  a message whose receive count would exceed the redrive's maxReceiveCount moves to the dead-letter queue
  (docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html); without one
  it is redelivered until the queue's retention drops it.
- Kinesis and DynamoDB stream mappings: a failing batch is retried up to MaximumRetryAttempts, then its records go
  to the on-failure destination; BisectBatchOnFunctionError "splits a failed batch into two smaller batches ...
  Splitting batches doesn't consume the retry quota" (docs.aws.amazon.com/lambda/latest/dg/
  kinesis-on-failure-destination.html; aipipe.triggers.stream renders retries, bisect and the destination).
- Eventarc (gcp bucket and topic triggers): "when a destination can't acknowledge a message, Pub/Sub will send the
  message again with an exponential backoff delay ... a minimum of 10 seconds ... up to a maximum of 600 seconds.
  Eventarc sets the default message retention duration to 24 hours", after which "it's discarded unless a
  dead-letter topic is configured" (cloud.google.com/eventarc/docs/retry-events) — only when the trigger's
  retry_policy is RETRY_POLICY_RETRY (cloud.google.com/functions/docs/writing/retries), as the wiring renders it.
- Cloud Scheduler (gcp schedules): the job's retry_config is not rendered, and RetryConfig.retry_count defaults to
  0 (pulumi-gcp cloudscheduler JobRetryConfig: "The number of attempts that the system will make to run a job
  using the exponential backoff procedure"; Cloud Scheduler REST reference: default 0): one attempt.
- Subscription triggers: the subscription's own delivery (aipipe.semantics.delivery: ack deadline, retention,
  retry backoff, dead_letter.max_attempts), as aipipe.triggers.subscription wires it — SQS redrive to the
  subscription's dead-letter queue on aws, Pub/Sub's dead-letter topic after max_delivery_attempts on gcp.
- Pub/Sub's exponential backoff formula is not documented: doubling from the minimum, capped at the maximum.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aipipe.kinds.function.model import OnFailure
from aipipe.semantics.delivery import delivery_of
from aipipe.triggers.base import TriggerUse, failed_events_queue
from aipipe.triggers.registry import trigger_kind

# Lambda's waits before the 2nd and 3rd asynchronous attempts (invocation-async-error-handling.html)
LAMBDA_ASYNC_WAITS = (60, 120)
# Eventarc's transport subscription (cloud.google.com/eventarc/docs/retry-events)
EVENTARC_BACKOFF = (10, 600)
EVENTARC_RETENTION = 24 * 3600
# the suffix of a subscription's dead-letter queue (aws) or topic (gcp): templates/subscription/<cloud>.py.j2
DEAD_LETTERS = "-dead-letters"
# The modes of delivery a Policy has
ASYNC, SQS, STREAM, PUBSUB, ONCE, ENQUEUE, WORKFLOW = "async", "sqs", "stream", "pubsub", "once", "enqueue", "workflow"


@dataclass(frozen=True)
class Policy:
    """What the cloud does with one trigger's events: how it batches and retries them, and where they end."""

    mode: str  # ASYNC | SQS | STREAM | PUBSUB | ONCE | ENQUEUE | WORKFLOW
    attempts: int | None = 1  # deliveries before giving up; None: until the retention drops the event
    dead_letter: str | None = None  # the queue an event goes to after its last attempt (None: dropped)
    batch_size: int = 1
    partial: bool = False  # the handler may report batchItemFailures
    bisect: bool = False
    visibility: int = 0  # SQS: seconds before a failed message is received again
    backoff: tuple[int, int] | None = None  # Pub/Sub (min, max) seconds between redeliveries
    max_age: int | None = None  # seconds after which an event is no longer retried (Lambda async, retention)
    # Pub/Sub push: the subscription's ack deadline is the push request's timeout (pulumi-gcp pubsub.Subscription
    # ack_deadline_seconds: "For push delivery, this value is also used to set the request timeout for the call
    # to the push endpoint"); a handler running longer is a failed delivery, redelivered, though it ran to its end
    deadline: int | None = None
    why: str = ""  # the cloud's behaviour in a few words, for notes in the trace

    def wait(self, attempt: int) -> float:
        """Seconds the cloud waits after failed attempt number `attempt` before the next one."""
        if self.mode == ASYNC:
            return LAMBDA_ASYNC_WAITS[min(attempt, len(LAMBDA_ASYNC_WAITS)) - 1]
        if self.mode == SQS:
            return self.visibility
        if self.mode == PUBSUB and self.backoff:
            low, high = self.backoff
            return min(high, low * 2 ** (attempt - 1))
        return 0


def failed_queue_name(use: TriggerUse) -> str | None:
    """The dead letter of a function's events (`<function>-failed`), or None when it keeps none."""
    return f"{use.owner}-failed" if failed_events_queue(use) is not None else None


def policy_for(spec: Any, use: TriggerUse) -> Policy:
    """The delivery of trigger `use` on the spec's cloud."""
    target_type = use.target.type
    if target_type == "workflow":
        # EventBridge and pipes start the execution; a failing execution is not redelivered (it fails the run)
        return Policy(WORKFLOW, why="an execution starts; a failed execution is not retried")
    if target_type == "queue":
        return Policy(ENQUEUE, why="the event becomes a message of the queue")
    kind = trigger_kind(use.trigger)
    wiring = kind.wiring[(spec.cloud, target_type)](spec, use)
    if kind.key == "subscription":
        return _subscription_policy(spec, use, wiring)
    if spec.cloud == "gcp":
        return _gcp_policy(wiring)
    if kind.key == "queue":
        return _sqs_policy(spec, use, wiring)
    if kind.key == "stream":
        return Policy(
            STREAM,
            attempts=1 + wiring["retries"],
            dead_letter=failed_queue_name(use) if wiring["on_failure"] is not None else None,
            batch_size=wiring["batch_size"],
            partial=bool(wiring["response_types"]),
            bisect=wiring["bisect"],
            why=f"a failing batch is retried {wiring['retries']} times"
            + (", split in two first" if wiring["bisect"] else ""),
        )
    on_failure = getattr(use.target, "on_failure", None) or OnFailure()
    return Policy(
        ASYNC,
        attempts=1 + on_failure.retries,
        dead_letter=failed_queue_name(use),
        max_age=on_failure.max_event_age,
        why=_async_retries(on_failure.retries),
    )


def _async_retries(retries: int) -> str:
    """`Lambda retries an asynchronous event 2 times (after 1m, then 2m)`, for 0, 1 or 2 retries."""
    if not retries:
        return "Lambda does not retry it (`on_failure: {retries: 0}`)"
    waits = ", then ".join(f"{LAMBDA_ASYNC_WAITS[n] // 60}m" for n in range(retries))
    return f"Lambda retries an asynchronous event {retries} time{'s' if retries > 1 else ''} (after {waits})"


def _sqs_policy(spec: Any, use: TriggerUse, wiring: dict) -> Policy:
    queue = spec.resources[use.trigger.queue]
    dead_letter = queue.dead_letter
    return Policy(
        SQS,
        attempts=dead_letter.max_receives if dead_letter else None,
        dead_letter=dead_letter.queue if dead_letter else None,
        batch_size=wiring["batch_size"],
        partial=bool(wiring["response_types"]),
        visibility=queue.visibility_timeout,
        max_age=queue.retention,
        why=f"SQS redelivers a failed message after the {queue.visibility_timeout}s visibility timeout"
        + (f", {dead_letter.max_receives} receives then `{dead_letter.queue}`" if dead_letter else " until retention"),
    )


def _subscription_policy(spec: Any, use: TriggerUse, wiring: dict) -> Policy:
    """A subscription consumed by a function: its own delivery (semantics/delivery) — on aws its SQS queue polled
    by an event source mapping, on gcp a push with the subscription's backoff — ending in its dead letter."""
    name = use.trigger.subscription
    delivery = delivery_of(spec.resources[name], spec.cloud)
    dead_letter = f"{name}{DEAD_LETTERS}" if delivery.max_attempts else None
    until = f", {delivery.max_attempts} deliveries then `{dead_letter}`" if dead_letter else " until retention"
    if spec.cloud == "aws":
        return Policy(
            SQS,
            attempts=delivery.max_attempts,
            dead_letter=dead_letter,
            batch_size=wiring["batch_size"],
            partial=bool(wiring["response_types"]),
            visibility=delivery.ack_deadline,
            max_age=delivery.retention,
            why=f"SQS redelivers a failed message after the {delivery.ack_deadline}s visibility timeout" + until,
        )
    again = (
        f"with backoff {delivery.backoff[0]}s-{delivery.backoff[1]}s"
        if delivery.backoff
        else "at once (no `retry` policy: Pub/Sub's immediate redelivery)"
    )
    return Policy(
        PUBSUB,
        attempts=delivery.max_attempts,
        dead_letter=dead_letter,
        backoff=delivery.backoff,
        max_age=delivery.retention,
        deadline=delivery.ack_deadline,
        why=f"Pub/Sub pushes a failed message again {again}" + until,
    )


def _gcp_policy(wiring: dict) -> Policy:
    event_trigger = wiring.get("event_trigger")
    if event_trigger is None:  # a schedule: Cloud Scheduler, no retry_config rendered
        return Policy(ONCE, why="Cloud Scheduler does not retry a failed job (retry_count 0)")
    if event_trigger.get("retry_policy") != "RETRY_POLICY_RETRY":
        return Policy(ONCE, why="the trigger's retry policy does not retry")
    return Policy(
        PUBSUB,
        attempts=None,
        backoff=EVENTARC_BACKOFF,
        max_age=EVENTARC_RETENTION,
        why="Eventarc redelivers with backoff 10s-600s for up to 24h, then discards (no dead-letter topic)",
    )
