"""`stream` (aws): a Kinesis data stream, provisioned shards or on-demand capacity, encrypted by default."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Literal

from pydantic import Field

from aipipe.kinds.base import CloudForm, GraphShape, Kind, arn_statement, check_kms_key, kms_key_links, kms_key_value
from aipipe.semantics.kms import key_statements
from aipipe.spec.context import CheckContext
from aipipe.spec.model import ResourceBase
from aipipe.spec.values import Duration, duration_between, format_duration

HOUR = 3600


class Stream(ResourceBase):
    """A Kinesis data stream (aws): provisioned shards or on-demand capacity, encrypted by default."""

    type: Literal["stream"]
    shards: Annotated[int, Field(ge=1, le=10000)] | None = Field(None, description="Provisioned shard count.")
    mode: Literal["provisioned", "on-demand"] | None = Field(
        None, description="Capacity mode; default provisioned with `shards` (1 when not given)."
    )
    retention: Annotated[Duration, duration_between(24 * 3600, 365 * 86400)] = Field(
        24 * 3600, description="How long records are kept: 24h to 365d."
    )
    encryption: bool = Field(True, description="Server-side encryption with the AWS-managed KMS key.")
    kms_key: str | None = Field(
        None,
        description="A customer-managed KMS key: the name of a `key` resource of the spec or an existing key's ARN, "
        "in the stream's region (producers and consumers get grants).",
    )


def check(ctx: CheckContext, name: str, stream: Stream) -> None:
    """Shards only in provisioned mode; a KMS key only with encryption."""
    if stream.mode == "on-demand" and stream.shards is not None:
        ctx.report(
            "AP403",
            "`shards` cannot be set with `mode: on-demand` (capacity scales by itself)",
            ctx.at(name, "shards"),
            True,
        )
    if stream.kms_key and not stream.encryption:
        ctx.report("AP403", "`kms_key` needs `encryption: true`", ctx.at(name, "kms_key"), True)
    check_kms_key(ctx, name, stream)
    # RetentionPeriodHours is a whole number of hours (docs.aws.amazon.com/kinesis/latest/APIReference/
    # API_IncreaseStreamRetentionPeriod.html): 1470m would silently become 24h
    if stream.retention % HOUR:
        hours = stream.retention // HOUR
        ctx.report(
            "AP402",
            f"Kinesis keeps records for whole hours: `retention` {format_duration(stream.retention)} "
            f"is not one; write {hours}h or {hours + 1}h",
            ctx.at(name, "retention"),
        )


def aws_values(job, name: str, stream: Stream) -> dict:
    """The Kinesis template's values: capacity mode, retention in hours, encryption."""
    on_demand = stream.mode == "on-demand"
    return {
        "shard_count": None if on_demand else stream.shards or 1,
        "mode": {"stream_mode": "ON_DEMAND" if on_demand else "PROVISIONED"},
        "retention_hours": stream.retention // HOUR,  # whole hours: the check above
        "encryption_type": "KMS" if stream.encryption else "NONE",
        # the AWS-managed key unless the spec names one
        "kms_key": kms_key_value(stream.kms_key or "alias/aws/kinesis", "arn") if stream.encryption else None,
    }


# no kinesis:SubscribeToShard: that is for enhanced fan-out consumers, which aipipe does not create
_READ = [
    "kinesis:DescribeStream",
    "kinesis:DescribeStreamSummary",
    "kinesis:GetRecords",
    "kinesis:GetShardIterator",
    "kinesis:ListShards",
]
_WRITE = ["kinesis:PutRecord", "kinesis:PutRecords"]


def _access(role: str, actions: list[str], name: str, stream: Stream, prefix: str) -> list[dict]:
    """The stream's actions, and the key's when it is customer managed."""
    return arn_statement(actions, name, stream, prefix) + key_statements("kinesis", role, stream.kms_key)


KIND = Kind(
    name="stream",
    model=Stream,
    clouds={
        "aws": CloudForm(
            "Kinesis data stream",
            {"name": ("stream", "name"), "arn": ("stream", "arn")},
            values=aws_values,
            access={
                "reads": partial(_access, "reads", _READ),
                "writes": partial(_access, "writes", _WRITE),
                # what a `{stream: NAME}` trigger's event source mapping reads: the same as a reader
                "consumes": partial(_access, "reads", _READ),
            },
        ),
    },
    graph=GraphShape(('[("', '")]'), "cylinder"),
    links=kms_key_links,
    check=check,
)
