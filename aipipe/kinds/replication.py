"""`replication` (aws): copy objects from one bucket to another, continuously with S3 replication (a role S3
assumes and a replication configuration on the source bucket) or on a schedule with a DataSync task."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from aipipe.clouds.aws import AWS
from aipipe.core.diagnostics import Severity
from aipipe.kinds.base import CloudForm, GraphShape, Kind, RenderInputs
from aipipe.semantics.iam import merge, policy_document, statement, trust_policy
from aipipe.semantics.symbols import Attr, Child, Concat, Options
from aipipe.spec.context import CheckContext
from aipipe.spec.links import Link
from aipipe.spec.model import ResourceBase
from aipipe.spec.values import ResourceName, ScheduleExpression


class Replication(ResourceBase):
    """Copy objects from one bucket to another: continuous S3 replication or scheduled DataSync (aws)."""

    type: Literal["replication"]
    source: ResourceName
    destination: ResourceName
    method: Literal["s3", "datasync"] = "s3"
    schedule: ScheduleExpression | None = Field(None, description="datasync only: when the copy runs.")
    overwrite: Literal["always", "never"] | None = Field(None, description="datasync only.")
    verify: Literal["point-in-time-consistent", "only-files-transferred", "none"] | None = Field(
        None, description="datasync only."
    )
    delete_removed: bool = Field(
        False, description="Remove from the destination what was deleted at the source (s3: delete markers)."
    )


def check(ctx: CheckContext, name: str, replication: Replication) -> None:
    """Source and destination differ; S3 replication needs versioning; DataSync-only options stay there."""
    if replication.source == replication.destination:
        ctx.report("AP406", "`source` and `destination` are the same bucket", ctx.at(name, "destination"))
    if replication.method == "s3" and not ctx.was_dropped(name, "method"):
        for field_name in ("schedule", "overwrite", "verify"):
            if getattr(replication, field_name) is not None:
                ctx.report(
                    "AP403",
                    f"`{field_name}` applies only to `method: datasync` (S3 replication is continuous)",
                    ctx.at(name, field_name),
                    True,
                )
        for field_name in ("source", "destination"):
            bucket = ctx.checkable().get(getattr(replication, field_name))
            # docs.aws.amazon.com/AmazonS3/latest/userguide/replication-requirements.html: both versioned
            if bucket is not None and bucket.type == "bucket" and not bucket.existing and not bucket.versioning:
                ctx.report(
                    "AP406",
                    f"S3 replication needs versioning on the {field_name} bucket "
                    f"`{getattr(replication, field_name)}`; remove `versioning: false` there or use "
                    "`method: datasync`",
                    ctx.at(name, field_name),
                )
            elif bucket is not None and bucket.type == "bucket" and bucket.existing and field_name == "destination":
                ctx.report(
                    "AP406",
                    f"S3 replication fails unless versioning is enabled on the existing {field_name} bucket "
                    f"`{bucket.existing}`, which aipipe does not manage: `aws s3api put-bucket-versioning --bucket "
                    f"{bucket.existing} --versioning-configuration Status=Enabled` (or use `method: datasync`)",
                    ctx.at(name, field_name),
                    severity=Severity.WARNING,
                )
        _check_one_configuration_per_source(ctx, name, replication)
        _check_source_owned(ctx, name, replication)


def _check_source_owned(ctx: CheckContext, name: str, replication: Replication) -> None:
    """S3 replication writes the source bucket's replication configuration, which PutBucketReplication "creates
    ... or replaces" whole (docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketReplication.html): on a bucket
    aipipe does not own it would overwrite its owner's rules, and destroy would delete them."""
    bucket = ctx.checkable().get(replication.source)
    if bucket is None or bucket.type != "bucket" or not bucket.existing:
        return
    ctx.report(
        "AP406",
        f"S3 replication from the existing bucket `{bucket.existing}` would replace its whole replication "
        "configuration (S3 keeps one per bucket), its owner's rules with it, and destroy would delete it; use "
        "`method: datasync` (it only reads the source), or ask the owner to add a rule for this destination to "
        "their configuration",
        ctx.at(name, "source"),
    )


def _check_one_configuration_per_source(ctx: CheckContext, name: str, replication: Replication) -> None:
    """S3 keeps one replication configuration per bucket (PutBucketReplication replaces it): two `method: s3`
    replications from one source would overwrite each other at every deploy."""
    same_source = [
        other
        for other, resource in ctx.checkable().items()
        if resource.type == "replication" and resource.method == "s3" and resource.source == replication.source
    ]
    first = same_source[0]  # the first in the spec keeps the configuration; the others are reported
    if first != name:
        ctx.report(
            "AP406",
            f"`{first}` already replicates bucket `{replication.source}` with S3 replication, and S3 keeps one "
            "replication configuration per bucket (each deploy would overwrite the other); replicate from this "
            "source with `method: datasync`, or chain from the first destination",
            ctx.at(name, "source"),
        )


def links(replication: Replication):
    yield Link(replication.source, ("source",), ("bucket",), "source")
    yield Link(replication.destination, ("destination",), ("bucket",), "destination")


def _s3_statements(source_arn, destination_arn) -> list[dict]:
    # docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html
    return [
        statement(["s3:GetReplicationConfiguration", "s3:ListBucket"], [source_arn]),
        statement(
            ["s3:GetObjectVersionAcl", "s3:GetObjectVersionForReplication", "s3:GetObjectVersionTagging"],
            [Concat(source_arn, "/*")],
        ),
        statement(["s3:ReplicateDelete", "s3:ReplicateObject", "s3:ReplicateTags"], [Concat(destination_arn, "/*")]),
    ]


# docs.aws.amazon.com/datasync/latest/userguide/create-s3-location.html#create-role-manually: what DataSync needs
# on a bucket, and on its objects when it reads them (a source) or writes and verifies them (a destination)
DATASYNC_BUCKET_ACTIONS = ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"]
DATASYNC_READ_ACTIONS = [
    "s3:GetObject",
    "s3:GetObjectTagging",
    "s3:GetObjectVersion",
    "s3:GetObjectVersionTagging",
    "s3:ListMultipartUploadParts",
]
DATASYNC_WRITE_ACTIONS = [
    *DATASYNC_READ_ACTIONS,
    "s3:AbortMultipartUpload",
    "s3:DeleteObject",
    "s3:PutObject",
    "s3:PutObjectTagging",
]


def _datasync_statements(source_arn, destination_arn) -> list[dict]:
    """Read-only on the source (DataSync never writes there), read-write on the destination."""
    return [
        statement(DATASYNC_BUCKET_ACTIONS, [source_arn]),
        statement(DATASYNC_READ_ACTIONS, [Concat(source_arn, "/*")]),
        statement(DATASYNC_BUCKET_ACTIONS, [destination_arn]),
        statement(DATASYNC_WRITE_ACTIONS, [Concat(destination_arn, "/*")]),
    ]


def aws_values(job: RenderInputs, name: str, replication: Replication) -> dict:
    """Replication role, policy and wiring. S3 replication is configured on the source bucket, so that
    resource uses the source bucket's provider (its region) and waits for both buckets' versioning."""
    spec = job.spec
    source, destination = replication.source, replication.destination
    source_arn, destination_arn = Attr(source, "arn"), Attr(destination, "arn")
    if replication.method == "s3":
        statements = _s3_statements(source_arn, destination_arn)
        versionings = [
            Child(bucket, "versioning") for bucket in (source, destination) if not spec.resources[bucket].existing
        ]
        principal = AWS.principals["s3"]
    else:
        statements, versionings, principal = (
            _datasync_statements(source_arn, destination_arn),
            [],
            AWS.principals["datasync"],
        )
    return {
        "title": "S3 replication" if replication.method == "s3" else "DataSync task",
        "source": source,
        "destination": destination,
        "rules": _s3_rules(replication, destination_arn) if replication.method == "s3" else None,
        "schedule": {"schedule_expression": replication.schedule.eventbridge()} if replication.schedule else None,
        "options": _datasync_options(replication),
        "trust_policy": trust_policy(principal),
        "policy": policy_document(merge(statements)),
        "source_arn": source_arn,
        "destination_arn": destination_arn,
        "source_bucket": Attr(source, "id"),
        "source_opts": Options(name, depends_on=(Child(name, "policy"), *versionings), provider_of=source),
        # DataSync across regions (docs.aws.amazon.com/datasync/latest/userguide/tutorial_s3-s3-cross-region-
        # transfer.html): each S3 location in its bucket's region, the task in the destination's
        "source_location_opts": Options(name, depends_on=(Child(name, "policy"),), provider_of=source),
        "destination_location_opts": Options(name, depends_on=(Child(name, "policy"),), provider_of=destination),
        "task_opts": Options(name, provider_of=destination),
    }


def _s3_rules(replication: Replication, destination_arn) -> list[dict]:
    # one rule for the whole bucket; delete markers replicate when deletions should follow the source
    return [
        {
            "id": "aipipe-replication",
            "status": "Enabled",
            "filter": {},
            "delete_marker_replication": {"status": "Enabled" if replication.delete_removed else "Disabled"},
            "destination": {"bucket": destination_arn},
        }
    ]


# DataSync task options (docs.aws.amazon.com/datasync/latest/userguide/API_Options.html), spec value -> API value
OVERWRITE_MODES = {"always": "ALWAYS", "never": "NEVER"}
VERIFY_MODES = {
    "point-in-time-consistent": "POINT_IN_TIME_CONSISTENT",
    "only-files-transferred": "ONLY_FILES_TRANSFERRED",
    "none": "NONE",
}


def _datasync_options(replication: Replication) -> dict:
    return {
        "overwrite_mode": OVERWRITE_MODES[replication.overwrite or "always"],
        "verify_mode": VERIFY_MODES[replication.verify or "point-in-time-consistent"],
        "preserve_deleted_files": "REMOVE" if replication.delete_removed else "PRESERVE",
    }


def _special_attribute(name: str, replication: Replication, attribute: str) -> Child:
    """`arn` is the replication role's (s3) or the DataSync task's."""
    return _arn(name, replication)


def _arn(name: str, replication: Replication) -> Child:
    return Child(name, "role" if replication.method == "s3" else "task", "arn")


KIND = Kind(
    name="replication",
    model=Replication,
    clouds={
        "aws": CloudForm(
            "S3 replication or DataSync task",
            {"arn": ("role", "arn")},
            values=aws_values,
            special_attribute=_special_attribute,
        )
    },
    graph=GraphShape(('[/"', '"/]'), "parallelogram"),
    links=links,
    check=check,
)
