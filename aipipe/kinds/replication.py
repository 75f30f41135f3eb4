"""`replication` (aws): copy objects from one bucket to another, continuously with S3 replication (a role S3
assumes and a replication configuration on the source bucket) or on a schedule with a DataSync task."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from aipipe.clouds.aws import AWS
from aipipe.core.diagnostics import Severity
from aipipe.kinds.base import CloudForm, GraphShape, Kind, RenderInputs
from aipipe.semantics.iam import merge, policy_document, statement, trust_policy
from aipipe.semantics.kms import is_aws_managed, key_statements
from aipipe.semantics.symbols import Attr, Child, Concat, Deployment, Json, Options
from aipipe.spec.context import CheckContext
from aipipe.spec.links import Link
from aipipe.spec.model import ResourceBase
from aipipe.spec.references import symbolic as kms_symbol
from aipipe.spec.values import ResourceName, ScheduleExpression

LOG_RETENTION_DAYS = 30


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


def links(replication: Replication):
    yield Link(replication.source, ("source",), ("bucket",), "source")
    yield Link(replication.destination, ("destination",), ("bucket",), "destination")


def _s3_statements(source_arn, destination_arn, keys: ReplicationKeys) -> list[dict]:
    # docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html; for SSE-KMS objects
    # docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html: kms:Decrypt on the
    # source key and kms:Encrypt on the destination key (GenerateDataKey too: aipipe turns S3 Bucket Keys on,
    # whose data keys come from GenerateDataKey), each only through S3 of its bucket's region (the
    # encryption-context condition of that page is left out: with S3 Bucket Keys the context is the bucket's
    # ARN, not the object's)
    kms = []
    if keys.source:
        kms.append(statement(["kms:Decrypt"], [kms_symbol(keys.source)], _via_s3(keys.source_region)))
    if keys.destination:
        kms.append(
            statement(
                ["kms:Encrypt", "kms:GenerateDataKey"], [kms_symbol(keys.destination)], _via_s3(keys.destination_region)
            )
        )
    return kms + [
        statement(["s3:GetReplicationConfiguration", "s3:ListBucket"], [source_arn]),
        statement(
            ["s3:GetObjectVersionAcl", "s3:GetObjectVersionForReplication", "s3:GetObjectVersionTagging"],
            [Concat(source_arn, "/*")],
        ),
        statement(["s3:ReplicateDelete", "s3:ReplicateObject", "s3:ReplicateTags"], [Concat(destination_arn, "/*")]),
    ]


def _via_s3(region: str) -> dict:
    return {"StringEquals": {"kms:ViaService": Concat(f"s3.{region}.", Deployment("aws_dns_suffix"))}}


@dataclass(frozen=True)
class ReplicationKeys:
    """The customer-managed keys S3 replication uses: the source's (objects to decrypt) and the destination's
    (replicas to encrypt), and their buckets' regions. `kms` says whether the source's objects are SSE-KMS at
    all (with the AWS-managed key too), which makes S3 skip them unless the rule says to replicate them."""

    kms: bool
    source: str | None
    destination: str | None
    source_region: str
    destination_region: str


def replication_keys(resources: dict, home: str, replication: Replication) -> ReplicationKeys:
    """The keys of a replication's buckets (a key given by alias needs no grant and is left out)."""
    source, destination = resources.get(replication.source), resources.get(replication.destination)

    def customer_key(bucket) -> str | None:
        key = getattr(bucket, "kms_key", None)
        return key if key and not is_aws_managed(key) else None

    def region(bucket) -> str:
        return getattr(bucket, "region", None) or home

    return ReplicationKeys(
        kms=getattr(source, "encryption", None) == "kms" or bool(getattr(source, "kms_key", None)),
        source=customer_key(source),
        destination=customer_key(destination),
        source_region=region(source),
        destination_region=region(destination),
    )


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


def _datasync_location_statements(bucket_arn, role: str, kms_key: str | None) -> list[dict]:
    """One location's role: read-only on a source (DataSync never writes there), read-write on a destination,
    and the bucket's customer-managed key for what it reads (kms:Decrypt) or writes (and GenerateDataKey)."""
    objects = DATASYNC_READ_ACTIONS if role == "reads" else DATASYNC_WRITE_ACTIONS
    return [
        statement(DATASYNC_BUCKET_ACTIONS, [bucket_arn]),
        statement(objects, [Concat(bucket_arn, "/*")]),
        *key_statements("s3", role, kms_key, kms_symbol(kms_key) if kms_key else None),
    ]


def datasync_trust() -> Json:
    """DataSync's trust with the confused-deputy conditions its docs recommend (docs.aws.amazon.com/datasync/
    latest/userguide/create-s3-location.html#create-role-manually): this account's DataSync only. The region
    in aws:SourceArn is a wildcard: across regions the locations and the task live in different ones."""
    account = Deployment("aws_account_id")
    return trust_policy(
        AWS.principals["datasync"],
        {
            "StringEquals": {"aws:SourceAccount": account},
            "ArnLike": {"aws:SourceArn": Concat("arn:", Deployment("aws_partition"), ":datasync:*:", account, ":*")},
        },
    )


def _datasync_log_policy(name: str, region: str) -> Json:
    """The CloudWatch Logs resource policy letting DataSync write this task's log group, for this account's
    tasks of that region only (docs.aws.amazon.com/datasync/latest/userguide/monitor-datasync.html: DataSync
    needs a resource policy on the log group; an account has at most 10 such policies per region)."""
    account = Deployment("aws_account_id")
    return policy_document(
        [
            {
                "Effect": "Allow",
                "Principal": {"Service": AWS.principals["datasync"]},
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [Concat(Child(name, "logs", "arn"), ":*")],
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account},
                    "ArnLike": {
                        "aws:SourceArn": Concat(
                            "arn:", Deployment("aws_partition"), f":datasync:{region}:", account, ":task/*"
                        )
                    },
                },
            }
        ]
    )


def aws_values(job: RenderInputs, name: str, replication: Replication) -> dict:
    """Replication role, policy and wiring. S3 replication is configured on the source bucket, so that
    resource uses the source bucket's provider (its region) and waits for both buckets' versioning."""
    spec = job.spec
    source, destination = replication.source, replication.destination
    source_arn, destination_arn = Attr(source, "arn"), Attr(destination, "arn")
    keys = replication_keys(spec.resources, spec.header.region, replication)
    s3 = replication.method == "s3"
    versionings = (
        [Child(bucket, "versioning") for bucket in (source, destination) if not spec.resources[bucket].existing]
        if s3
        else []
    )
    return {
        "title": "S3 replication" if s3 else "DataSync task",
        "source": source,
        "destination": destination,
        "rules": _s3_rules(replication, destination_arn, keys) if s3 else None,
        "schedule": {"schedule_expression": replication.schedule.eventbridge()} if replication.schedule else None,
        "options": _datasync_options(replication),
        "trust_policy": trust_policy(AWS.principals["s3"]) if s3 else None,
        "policy": policy_document(merge(_s3_statements(source_arn, destination_arn, keys))) if s3 else None,
        # DataSync: one role per location, each with only what that side needs
        "locations": None
        if s3
        else {
            "trust_policy": datasync_trust(),
            "source_policy": policy_document(_datasync_location_statements(source_arn, "reads", keys.source)),
            "destination_policy": policy_document(
                _datasync_location_statements(destination_arn, "writes", keys.destination)
            ),
            "log_group_prefix": f"/aws/datasync/{spec.header.name}-{spec.stack}-{name}-",
            "log_retention": LOG_RETENTION_DAYS,
            "log_policy": _datasync_log_policy(name, keys.destination_region),
            # resource policies are named per account and region: the project and stack keep names apart
            "log_policy_name": f"aipipe-{spec.header.name}-{spec.stack}-{name}-datasync-logs",
        },
        "source_arn": source_arn,
        "destination_arn": destination_arn,
        "source_bucket": Attr(source, "id"),
        "source_opts": Options(name, depends_on=(Child(name, "policy"), *versionings), provider_of=source),
        # DataSync across regions (docs.aws.amazon.com/datasync/latest/userguide/tutorial_s3-s3-cross-region-
        # transfer.html): each S3 location in its bucket's region, the task (and its log group) in the
        # destination's
        "source_location_opts": Options(name, depends_on=(Child(name, "source_policy"),), provider_of=source),
        "destination_location_opts": Options(
            name, depends_on=(Child(name, "destination_policy"),), provider_of=destination
        ),
        "log_opts": Options(name, provider_of=destination),
        "task_opts": Options(name, depends_on=(Child(name, "log_policy"),), provider_of=destination),
    }


def _s3_rules(replication: Replication, destination_arn, keys: ReplicationKeys) -> list[dict]:
    # one rule for the whole bucket; delete markers replicate when deletions should follow the source
    rule: dict = {
        "id": "aipipe-replication",
        "status": "Enabled",
        "filter": {},
        "delete_marker_replication": {"status": "Enabled" if replication.delete_removed else "Disabled"},
        "destination": {"bucket": destination_arn},
    }
    if keys.kms:
        # S3 replicates SSE-KMS objects only when the rule says so, and then needs the key for the replicas
        # (docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html); the check
        # below makes sure the destination names one
        rule["source_selection_criteria"] = {"sse_kms_encrypted_objects": {"status": "Enabled"}}
        if keys.destination:
            rule["destination"]["encryption_configuration"] = {"replica_kms_key_id": kms_symbol(keys.destination)}
    return [rule]


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
        "log_level": "BASIC",  # errors and transferred-file summaries to the task's log group
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
