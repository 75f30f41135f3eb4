"""The `function` type (Lambda / Cloud Functions 2nd gen) and its triggers."""


from typing import Annotated, Any, Literal

from pydantic import Field

from aipipe.spec.common import ResourceBase, StrictModel, tagged_union
from aipipe.spec.values import AccessTarget, Duration, EnvironmentName, MemorySize, ResourceName, ScheduleExpression, Text


class BucketTrigger(StrictModel):
    """Run when objects are created or deleted in a bucket, optionally filtered by key prefix and suffix."""

    bucket: ResourceName
    events: list[Literal["created", "deleted"]] = Field(default_factory=lambda: ["created"], min_length=1)
    prefix: str | None = None
    suffix: str | None = None


class StreamTrigger(StrictModel):
    """Run on batches of records from a Kinesis stream (aws)."""

    stream: ResourceName
    batch_size: Annotated[int, Field(ge=1, le=10000)] = 100
    starting_position: Literal["latest", "trim-horizon"] = "latest"


class TopicTrigger(StrictModel):
    """Run on every message published to a topic."""

    topic: ResourceName


class ScheduleTrigger(StrictModel):
    """Run on a schedule: `rate(1 hour)` or `cron(0 12 * * ? *)`."""

    schedule: ScheduleExpression


TRIGGER_KINDS = ("bucket", "stream", "topic", "schedule")


def _trigger_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        for kind in TRIGGER_KINDS:
            if kind in value:
                return f"{kind} trigger"
    return None


Trigger = tagged_union(
    {"bucket trigger": BucketTrigger, "stream trigger": StreamTrigger, "topic trigger": TopicTrigger,
     "schedule trigger": ScheduleTrigger},
    _trigger_kind,
    "trigger_kind",
    "a trigger is a mapping with one of `bucket`, `stream`, `topic` or `schedule`",
)


class Function(ResourceBase):
    """A Lambda function (aws) or Cloud Function 2nd gen (gcp) built from a local code directory."""

    attributes = {"aws": ("name", "arn"), "gcp": ("name", "url")}

    type: Literal["function"]
    runtime: str = Field(description="`python3.12` style on both clouds; mapped per cloud.")
    handler: str = Field(description="aws: `module.function`; gcp: the entry-point function name.")
    code: str = Field(description="Directory with the function's code, relative to the spec file.")
    memory: MemorySize = Field(256, description="Memory in MB (aws 128-10240, gcp 128-32768).")
    timeout: Duration = Field(60, description="Maximum run time (aws up to 15m, gcp up to 60m / 9m for events).")
    environment: dict[EnvironmentName, Text] = Field(
        default_factory=dict, description="Environment variables; values may hold references and secrets."
    )
    reads: list[AccessTarget] = Field(
        default_factory=list, description="Resources the function may read (least-privilege access is generated)."
    )
    writes: list[AccessTarget] = Field(
        default_factory=list, description="Resources the function may write (least-privilege access is generated)."
    )
    triggers: list[Trigger] = Field(default_factory=list, max_length=50)
