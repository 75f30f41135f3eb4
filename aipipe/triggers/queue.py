"""Queue triggers (aws): run on batches of messages from an SQS queue of the spec, through a Lambda event source
mapping that polls the queue — so the function's role reads it (receive, delete, change visibility, get
attributes: docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#events-sqs-permissions), and with a customer-managed
key decrypts with it.

A message the function fails on returns to the queue after its visibility timeout and, after `max_receives`, moves
to the queue's own `dead_letter` (the event source mapping has no on-failure destination for SQS: pulumi-aws
lambda.EventSourceMapping destination_config "Only available for stream sources ... and Kafka sources"), so the
function's `on_failure` does not apply.

Sources (docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html): BatchSize default 10, "For standard
queues, the maximum is 10,000. For FIFO queues, the maximum is 10"; MaximumBatchingWindowInSeconds "Batching window
is not supported for FIFO queues", 0 to 300 s (pulumi-aws maximum_batching_window_in_seconds "between 0 and 300");
"when you set BatchSize to a value greater than 10, you must set MaximumBatchingWindowInSeconds to at least 1"
(Lambda API, GetEventSourceMapping MaximumBatchingWindowInSeconds). "Your function's timeout must be less than or
equal to the queue's visibility timeout. Lambda validates this requirement when you create or update an event
source mapping" (services-sqs-configure.html): AP504. "The Lambda function and the Amazon SQS queue must be in the
same AWS Region" (same page).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from aipipe.semantics.symbols import Attr
from aipipe.spec.context import CheckContext
from aipipe.spec.model import StrictModel
from aipipe.spec.values import Duration, ResourceName, duration_between, format_duration
from aipipe.triggers.base import TriggerKind, TriggerUse

MAX_BATCH = 10000
MAX_FIFO_BATCH = 10
MAX_UNWINDOWED_BATCH = 10
MAX_BATCH_WINDOW = 300


class QueueTrigger(StrictModel):
    """Run on batches of messages from an SQS queue (aws)."""

    queue: ResourceName
    batch_size: Annotated[int, Field(ge=1, le=MAX_BATCH)] = Field(
        10, description="Most messages per invocation: 1-10000 (10 for a FIFO queue; above 10 needs `batch_window`)."
    )
    batch_window: Annotated[Duration, duration_between(0, MAX_BATCH_WINDOW)] | None = Field(
        None,
        description="Gather messages this long before invoking (0s-5m; standard queues only). Default: invoke as "
        "soon as messages arrive.",
    )
    partial_failures: bool = Field(
        True,
        description='The handler may return `{"batchItemFailures": [{"itemIdentifier": MESSAGE_ID}]}` so only '
        "those messages return to the queue (ReportBatchItemFailures); otherwise a failure returns the whole batch.",
    )


def _check(ctx: CheckContext, use: TriggerUse) -> None:
    """Batch size and window against the queue's type."""
    queue = ctx.checkable().get(use.trigger.queue)
    check_batch(ctx, use, fifo=getattr(queue, "type", None) == "queue" and queue.fifo)


def check_batch(ctx: CheckContext, use: TriggerUse, fifo: bool) -> None:
    """A trigger's `batch_size` and `batch_window` against what Lambda takes from a FIFO or standard queue (the
    queue trigger's, and the subscription trigger's: a subscription's queue is standard)."""
    trigger = use.trigger
    if fifo and trigger.batch_size > MAX_FIFO_BATCH:
        ctx.report(
            "AP402",
            f"`batch_size` {trigger.batch_size} is above the {MAX_FIFO_BATCH} Lambda takes from a FIFO queue",
            use.path + ("batch_size",),
        )
    if fifo and trigger.batch_window is not None:
        ctx.report(
            "AP403", "`batch_window` is not supported for FIFO queues; remove it", use.path + ("batch_window",), True
        )
    elif trigger.batch_size > MAX_UNWINDOWED_BATCH and not trigger.batch_window and not fifo:
        ctx.report(
            "AP403",
            f"a `batch_size` above {MAX_UNWINDOWED_BATCH} needs a `batch_window` of at least 1s (Lambda refuses the "
            f"mapping otherwise), e.g. `batch_window: 5s`; got {format_duration(trigger.batch_window or 0)}",
            use.path + ("batch_size",),
        )


def mapping_values(use: TriggerUse, source: str) -> dict:
    """The event source mapping's values for the SQS queue of spec resource `source` (its `arn` attribute): the
    queue trigger's, and the subscription trigger's (a subscription's queue), rendered by one template."""
    trigger = use.trigger
    return {
        "template": "triggers/queue/aws-function.py.j2",
        "position": use.position,
        "source": source,
        "source_arn": Attr(source, "arn"),
        "batch_size": trigger.batch_size,
        "batch_window": trigger.batch_window,
        "response_types": ["ReportBatchItemFailures"] if trigger.partial_failures else None,
    }


def _aws_function(spec, use: TriggerUse) -> dict:
    return mapping_values(use, use.trigger.queue)


def takes(trigger: QueueTrigger, happened: str, detail) -> bool:
    """Every message sent to the queue (an event source mapping has no filter here)."""
    return happened == "message"


TRIGGER = TriggerKind(
    key="queue",
    model=QueueTrigger,
    source_kinds=("queue",),
    label=lambda trigger: f"batches of {trigger.batch_size}",
    check=_check,
    wiring={("aws", "function"): _aws_function},
    consumer_access={"aws": "reads"},
    one_per_source=True,
    takes=takes,
    same_region={"aws": "Lambda polls an SQS queue only from a function in the queue's region"},
)
