"""DataSync (`method: datasync`): scheduled copies by a task in the destination's region, with an S3
location per bucket in that bucket's region, a role per location, and a log group the task writes."""

from __future__ import annotations

from aipipe.clouds.aws import AWS
from aipipe.kinds.replication.model import Replication
from aipipe.kinds.replication.s3 import replication_keys
from aipipe.semantics.iam import policy_document, statement, trust_policy
from aipipe.semantics.kms import key_statements
from aipipe.semantics.symbols import Attr, Child, Concat, Deployment, Json, Options
from aipipe.spec.references import symbolic

LOG_RETENTION_DAYS = 30


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


def location_statements(bucket_arn, role: str, kms_key: str | None) -> list[dict]:
    """One location's role: read-only on a source (DataSync never writes there), read-write on a destination,
    and the bucket's customer-managed key for what it reads (kms:Decrypt) or writes (and GenerateDataKey)."""
    objects = DATASYNC_READ_ACTIONS if role == "reads" else DATASYNC_WRITE_ACTIONS
    return [
        statement(DATASYNC_BUCKET_ACTIONS, [bucket_arn]),
        statement(objects, [Concat(bucket_arn, "/*")]),
        *key_statements("s3", role, kms_key, symbolic(kms_key) if kms_key else None),
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


def log_policy(name: str, region: str) -> Json:
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


# DataSync task options (docs.aws.amazon.com/datasync/latest/userguide/API_Options.html), spec value -> API value
OVERWRITE_MODES = {"always": "ALWAYS", "never": "NEVER"}
VERIFY_MODES = {
    "point-in-time-consistent": "POINT_IN_TIME_CONSISTENT",
    "only-files-transferred": "ONLY_FILES_TRANSFERRED",
    "none": "NONE",
}


def task_options(replication: Replication) -> dict:
    return {
        "overwrite_mode": OVERWRITE_MODES[replication.overwrite or "always"],
        "verify_mode": VERIFY_MODES[replication.verify or "point-in-time-consistent"],
        "preserve_deleted_files": "REMOVE" if replication.delete_removed else "PRESERVE",
        "log_level": "BASIC",  # errors and transferred-file summaries to the task's log group
    }


def values(spec, name: str, replication: Replication) -> dict:
    """The DataSync template's values: per-location roles, the log group and its policy, the task's options."""
    source, destination = replication.source, replication.destination
    source_arn, destination_arn = Attr(source, "arn"), Attr(destination, "arn")
    keys = replication_keys(spec.resources, spec.header.region, replication)
    return {
        "source": source,
        "destination": destination,
        "schedule": {"schedule_expression": replication.schedule.eventbridge()} if replication.schedule else None,
        "options": task_options(replication),
        # one role per location, each with only what that side needs
        "locations": {
            "trust_policy": datasync_trust(),
            "source_policy": policy_document(location_statements(source_arn, "reads", keys.source)),
            "destination_policy": policy_document(location_statements(destination_arn, "writes", keys.destination)),
            "log_group_prefix": f"/aws/datasync/{spec.header.name}-{spec.stack}-{name}-",
            "log_retention": LOG_RETENTION_DAYS,
            "log_policy": log_policy(name, keys.destination_region),
            # resource policies are named per account and region: the project and stack keep names apart
            "log_policy_name": f"aipipe-{spec.header.name}-{spec.stack}-{name}-datasync-logs",
        },
        "source_arn": source_arn,
        "destination_arn": destination_arn,
        # across regions (docs.aws.amazon.com/datasync/latest/userguide/tutorial_s3-s3-cross-region-transfer.html):
        # each S3 location in its bucket's region, the task (and its log group) in the destination's
        "source_location_opts": Options(name, depends_on=(Child(name, "source_policy"),), provider_of=source),
        "destination_location_opts": Options(
            name, depends_on=(Child(name, "destination_policy"),), provider_of=destination
        ),
        "log_opts": Options(name, provider_of=destination),
        "task_opts": Options(name, depends_on=(Child(name, "log_policy"),), provider_of=destination),
    }
