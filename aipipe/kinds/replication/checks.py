"""Rules for replications: distinct buckets, S3 replication's versioning, KMS and ownership requirements, one
rule per destination of a source, and DataSync-only options."""

from __future__ import annotations

from aipipe.core.diagnostics import Severity
from aipipe.kinds.replication.model import Replication
from aipipe.kinds.replication.s3 import by_source, replication_keys
from aipipe.semantics.schedules import shortest_interval
from aipipe.spec.context import CheckContext
from aipipe.spec.values import format_duration

# docs.aws.amazon.com/datasync/latest/userguide/task-scheduling.html: a task runs at most once an hour
DATASYNC_SHORTEST_INTERVAL = 3600


def check(ctx: CheckContext, name: str, replication: Replication) -> None:
    """Source and destination differ; S3 replication needs versioning; DataSync-only options stay there."""
    if replication.source == replication.destination:
        ctx.report("AP406", "`source` and `destination` are the same bucket", ctx.at(name, "destination"))
    if replication.method == "datasync" and replication.schedule is not None:
        interval = shortest_interval(replication.schedule)
        if interval is not None and interval < DATASYNC_SHORTEST_INTERVAL:
            ctx.report(
                "AP402",
                f"`{replication.schedule}` would start the DataSync task {format_duration(interval)} apart, and "
                "DataSync runs a task at most once an hour; use `rate(1 hour)` or a longer period",
                ctx.at(name, "schedule"),
            )
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
        _check_one_rule_per_destination(ctx, name, replication)
        _check_replica_key(ctx, name, replication)
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


def _check_one_rule_per_destination(ctx: CheckContext, name: str, replication: Replication) -> None:
    """Replications from one source share its configuration, one rule each; two rules to one destination would
    copy every object twice over."""
    same_source = by_source(ctx.checkable()).get(replication.source, [])
    first = next(other for other in same_source if ctx.checkable()[other].destination == replication.destination)
    if first != name:
        ctx.report(
            "AP406",
            f"`{first}` already replicates bucket `{replication.source}` to `{replication.destination}`; remove one "
            "of the two",
            ctx.at(name, "destination"),
        )


def _check_replica_key(ctx: CheckContext, name: str, replication: Replication) -> None:
    """Replicating SSE-KMS objects needs a customer-managed key for the replicas in the destination's region:
    ReplicaKmsKeyID "Specifies the ID (Key ARN or Alias ARN) of the customer managed AWS KMS key stored in AWS
    Key Management Service (KMS) for the destination bucket" (S3 API EncryptionConfiguration)."""
    destination = ctx.checkable().get(replication.destination)
    if destination is None or destination.type != "bucket":
        return
    keys = replication_keys(ctx.checkable(), ctx.data.get("region"), replication)
    if keys.kms and not keys.destination:
        ctx.report(
            "AP406",
            f"the source bucket `{replication.source}` encrypts with KMS, and S3 replicates such objects only into "
            f"a customer-managed key of the destination: give `{replication.destination}` `encryption: kms` and a "
            f"`kms_key` ARN in {keys.destination_region}",
            ctx.at(name, "destination"),
        )
