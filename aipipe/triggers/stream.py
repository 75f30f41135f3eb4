"""Stream triggers (aws): run on batches of records from a Kinesis stream or from a DynamoDB table's stream of
item changes, through an event source mapping that polls the stream — so the function needs read access to it
(`consumes`: the Kinesis stream's read actions, the table's stream actions)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from aipipe.semantics.symbols import Attr
from aipipe.spec.context import CheckContext
from aipipe.spec.model import StrictModel
from aipipe.spec.values import ResourceName
from aipipe.triggers.base import TriggerKind, TriggerUse, failed_events_queue

# StartingPosition of docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html (LATEST and
# TRIM_HORIZON for Kinesis and DynamoDB streams alike; AT_TIMESTAMP is Kinesis only, and not offered)
STARTING_POSITIONS = {"latest": "LATEST", "trim-horizon": "TRIM_HORIZON"}


class StreamTrigger(StrictModel):
    """Run on batches of records from a Kinesis stream, or a DynamoDB table's stream (aws)."""

    stream: ResourceName = Field(description="A `stream`, or a `table` with `stream` set.")
    # BatchSize, MaximumRetryAttempts, BisectBatchOnFunctionError and ReportBatchItemFailures take the same
    # values for Kinesis and DynamoDB streams (docs.aws.amazon.com/lambda/latest/dg/with-ddb.html,
    # /with-kinesis.html: batch size up to 10,000)
    batch_size: Annotated[int, Field(ge=1, le=10000)] = 100
    starting_position: Literal["latest", "trim-horizon"] = "latest"
    # docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html#services-kinesis-errors: by default Lambda retries a
    # failing batch until its records expire, and the shard makes no progress meanwhile
    retries: Annotated[int, Field(ge=0, le=10000)] = Field(
        3,
        description="Retries of a failing batch before it goes to the function's dead letter and the shard moves "
        "on (0-10000; Lambda's own default retries until the records expire, blocking the shard).",
    )
    bisect: bool = Field(True, description="Split a failing batch in two and retry the halves, to isolate bad records.")
    partial_batch: bool = Field(
        True,
        description='The handler may return `{"batchItemFailures": [{"itemIdentifier": SEQUENCE_NUMBER}]}` '
        "so only the records from the first failed one are retried (ReportBatchItemFailures); a response "
        "without that key still counts as a success.",
    )


def _check(ctx: CheckContext, use: TriggerUse) -> None:
    """A table starts a function only through its stream: it must have one."""
    source = ctx.checkable().get(use.trigger.stream)
    if ctx.cloud == "aws" and source is not None and source.type == "table" and source.stream is None:
        ctx.report(
            "AP407",
            f"table `{use.trigger.stream}` has no stream to trigger from: give it `stream: new_image` (or "
            "`keys_only`, `old_image`, `new_and_old_images`)",
            use.path + ("stream",),
        )


def _aws_function(spec, use: TriggerUse) -> dict:
    trigger = use.trigger
    # a table's records come from its stream (pulumi-aws dynamodb.Table stream_arn), a Kinesis stream's from it
    from_table = spec.resources[trigger.stream].type == "table"
    return {
        "template": "triggers/stream/aws-function.py.j2",
        "position": use.position,
        "source": trigger.stream,
        "source_arn": Attr(trigger.stream, "stream_arn" if from_table else "arn"),
        "batch_size": trigger.batch_size,
        "starting_position": STARTING_POSITIONS[trigger.starting_position],
        "retries": trigger.retries,
        "bisect": trigger.bisect,
        "response_types": ["ReportBatchItemFailures"] if trigger.partial_batch else None,
        # the mapping sends a record range it gave up on here (sqs:SendMessage for the function's role)
        "on_failure": failed_events_queue(use),
    }


def takes(trigger: StreamTrigger, happened: str, detail) -> bool:
    """Every record of a Kinesis stream, every item change of a table's stream (no filter criteria rendered)."""
    return happened in ("record", "change")


TRIGGER = TriggerKind(
    key="stream",
    model=StreamTrigger,
    source_kinds=("stream", "table"),
    label=lambda trigger: "triggers",
    check=_check,
    wiring={("aws", "function"): _aws_function},
    consumer_access={"aws": "consumes"},
    one_per_source=True,
    invocation={"aws": "poll"},
    takes=takes,
    # docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html, /with-ddb.html: the event source mapping lives in the
    # function's region and reads a stream of that region
    same_region={"aws": "Lambda reads a Kinesis or DynamoDB stream only from a function in the stream's region"},
)
