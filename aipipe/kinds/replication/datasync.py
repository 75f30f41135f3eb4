"""DataSync (`method: datasync`): scheduled copies by a task in the destination's region, with an S3
location per bucket in that bucket's region, a role per location, and a log group the task writes."""

from __future__ import annotations

from aipipe.clouds.aws import AWS
from aipipe.kinds.replication.model import Replication
from aipipe.kinds.replication.s3 import replication_keys
from aipipe.semantics.iam import policy_document, statement, trust_policy
from aipipe.semantics.kms import key_statements
from aipipe.semantics.symbols import Attr, Child, Concat, Deployment, Json, Options
from aipipe.spec.model import region_of
from aipipe.spec.parts import ProgramPart

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
        *key_statements("s3", role, kms_key),
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


def log_group_prefix(spec, name: str) -> str:
    """The name prefix of a task's log group: every task of the stack shares `/aws/datasync/<project>-<stack>-`."""
    return f"{stack_log_prefix(spec)}{name}-"


def stack_log_prefix(spec) -> str:
    return f"/aws/datasync/{spec.header.name}-{spec.stack}-"


def log_policy(spec, region: str) -> Json:
    """The CloudWatch Logs resource policy letting DataSync write the log groups of this stack's tasks in
    `region`, for this account's tasks of that region only. DataSync needs a resource policy on its log group
    (docs.aws.amazon.com/datasync/latest/userguide/monitor-datasync.html), and an account has at most 10 per
    region (docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutResourcePolicy.html): one
    policy per stack and region, whatever its number of tasks."""
    account = Deployment("aws_account_id")
    arn = Concat("arn:", Deployment("aws_partition"), f":logs:{region}:", account, ":log-group:")
    return policy_document(
        [
            {
                "Effect": "Allow",
                "Principal": {"Service": AWS.principals["datasync"]},
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [Concat(arn, f"{stack_log_prefix(spec)}*:*")],
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


def by_region(spec) -> dict[str, list[str]]:
    """The DataSync replications of a spec by the region their task runs in (the destination's)."""
    found: dict[str, list[str]] = {}
    for name, resource in spec.resources.items():
        if resource.type == "replication" and resource.method == "datasync":
            region = region_of(spec.resources[resource.destination], spec.header.region)
            found.setdefault(region, []).append(name)
    return found


def log_policy_parts(spec) -> list[ProgramPart]:
    """One log resource policy per region that runs this stack's DataSync tasks, before the tasks."""
    parts = []
    for region, names in by_region(spec).items():
        first = names[0]
        parts.append(
            ProgramPart(
                "replication/aws-datasync-logs.py.j2",
                {
                    "region": region,
                    "variable": Child(first, "log_policy"),
                    "policy_name": f"aipipe-{spec.header.name}-{spec.stack}-datasync-logs-{region}",
                    "policy": log_policy(spec, region),
                    "options": Options(first, provider_of=spec.resources[first].destination, top_level=True),
                },
                before=True,
            )
        )
    return parts


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


def _region_log_policy(spec, name: str) -> Child:
    first = next(names[0] for names in by_region(spec).values() if name in names)
    return Child(first, "log_policy")


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
            "log_group_prefix": log_group_prefix(spec, name),
            "log_retention": LOG_RETENTION_DAYS,
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
        # after the region's log policy (log_policy_parts: the variable of the region's first task)
        "task_opts": Options(name, depends_on=(_region_log_policy(spec, name),), provider_of=destination),
    }
