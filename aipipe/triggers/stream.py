"""Stream triggers (aws): run on batches of records from a Kinesis stream, through an event source mapping
that polls the stream — so the function needs read access to it."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from aipipe.semantics.symbols import Attr
from aipipe.spec.model import StrictModel
from aipipe.spec.values import ResourceName
from aipipe.triggers.base import TriggerKind, TriggerUse

# StartingPosition of docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
STARTING_POSITIONS = {"latest": "LATEST", "trim-horizon": "TRIM_HORIZON"}


class StreamTrigger(StrictModel):
    """Run on batches of records from a Kinesis stream (aws)."""

    stream: ResourceName
    batch_size: Annotated[int, Field(ge=1, le=10000)] = 100
    starting_position: Literal["latest", "trim-horizon"] = "latest"


def _aws_function(spec, use: TriggerUse) -> dict:
    trigger = use.trigger
    return {
        "template": "triggers/stream/aws-function.py.j2",
        "position": use.position,
        "source": trigger.stream,
        "source_arn": Attr(trigger.stream, "arn"),
        "batch_size": trigger.batch_size,
        "starting_position": STARTING_POSITIONS[trigger.starting_position],
    }


TRIGGER = TriggerKind(
    key="stream",
    model=StreamTrigger,
    source_kinds=("stream",),
    label=lambda trigger: "triggers",
    wiring={("aws", "function"): _aws_function},
    consumer_access={"aws": "reads"},
    # docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html: the event source mapping lives in the function's
    # region and reads a stream of that region
    same_region={"aws": "Lambda reads a Kinesis stream only from a function in the stream's region"},
)
