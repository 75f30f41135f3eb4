"""What the AWS templates need beyond the spec itself: runtimes, IAM statements, trigger wiring and the
bucket notification table (one BucketNotification per bucket, holding every function it triggers)."""

from __future__ import annotations

from aipipe.program import asl
from aipipe.codegen.expressions import attribute_expression
from aipipe.program.iam import access_statements, arn_of, concat, merge, policy_document, trust_policy
from aipipe.codegen.safe import Code, identifier, literal
from aipipe.spec.catalogue import RUNTIMES
from aipipe.spec.function import BucketTrigger, Function, ScheduleTrigger, StreamTrigger, TopicTrigger
from aipipe.spec.links import links_of

S3_EVENTS = {"created": "s3:ObjectCreated:*", "deleted": "s3:ObjectRemoved:*"}
STARTING_POSITIONS = {"latest": "LATEST", "trim-horizon": "TRIM_HORIZON"}
LOG_RETENTION_DAYS = 30


def function_extras(view, job) -> dict:
    """The Lambda template's values: runtime id, code path, environment, policy, and each trigger."""
    spec, expressions = job.spec, job.expressions
    function: Function = view.model
    statements = [{"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                   "Resource": [concat(Code(f"{view.var('logs')}.arn"), ":*")]}]
    for link in links_of(view.name, function):
        if link.role in ("reads", "writes"):
            statements += access_statements(spec, link.target, link.role, link.prefix)
    triggers = []
    for position, trigger in enumerate(function.triggers):
        entry = {"position": position}
        if isinstance(trigger, BucketTrigger):
            entry.update(kind="bucket", source=trigger.bucket, source_arn=arn_of(spec, trigger.bucket),
                         permission=identifier(view.name, f"invoke_from_{trigger.bucket.replace('-', '_')}"))
        elif isinstance(trigger, StreamTrigger):
            statements += access_statements(spec, trigger.stream, "reads")
            entry.update(kind="stream", source=trigger.stream, source_arn=arn_of(spec, trigger.stream),
                         batch_size=trigger.batch_size,
                         starting_position=STARTING_POSITIONS[trigger.starting_position])
        elif isinstance(trigger, TopicTrigger):
            entry.update(kind="topic", source=trigger.topic, source_arn=arn_of(spec, trigger.topic))
        elif isinstance(trigger, ScheduleTrigger):
            entry.update(kind="schedule", schedule=trigger.schedule, rule=view.var(f"schedule_{position}"))
        triggers.append(entry)
    return {
        "runtime": RUNTIMES["aws"][function.runtime],
        "code_path": job.code_path(function.code),
        "environment": expressions.mapping(function.environment),
        "trust_policy": trust_policy("lambda.amazonaws.com"),
        "policy": policy_document(merge(statements)),
        "triggers": _unique_bucket_permissions(triggers),
        "log_retention": LOG_RETENTION_DAYS,
    }


def subscription_extras(view, job) -> dict:
    """The SQS template's values: the topic's ARN, the queue policy for that topic, the filter policy."""
    spec, expressions = job.spec, job.expressions
    subscription = view.model
    topic_arn = arn_of(spec, subscription.topic)
    queue_policy = policy_document([{
        "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": ["sqs:SendMessage"],
        "Resource": [Code(f"{view.var('queue')}.arn")], "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
    }])
    filter_policy = None
    if subscription.filter:  # JSON text for SNS; Output.json_dumps so references inside resolve too
        filter_policy = Code("pulumi.Output.json_dumps(" + literal(expressions.data(subscription.filter)) + ")")
    return {"topic_arn": topic_arn, "queue_policy": queue_policy, "filter_policy": filter_policy}


# Step Functions log delivery: these actions do not support resource-level permissions, so AWS requires "*".
# (AWS's sample policy also lists logs:CreateLogStream and logs:PutLogEvents there; those two can be scoped
# to the log group, so they are.)
LOG_DELIVERY_ACTIONS = ["logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:DescribeLogGroups",
                        "logs:DescribeResourcePolicies", "logs:GetLogDelivery", "logs:ListLogDeliveries",
                        "logs:PutResourcePolicy", "logs:UpdateLogDelivery"]


def workflow_extras(view, job) -> dict:
    """The state machine template's values: ASL definition and a role that invokes exactly its functions."""
    spec = job.spec
    workflow = view.model
    statements = [{"Effect": "Allow", "Action": ["lambda:InvokeFunction"],
                   "Resource": [arn_of(spec, name) for name in asl.invoked_functions(workflow)]}]
    if workflow.logging:
        statements.append({"Effect": "Allow", "Action": LOG_DELIVERY_ACTIONS, "Resource": ["*"]})
        statements.append({"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                           "Resource": [concat(Code(f"{view.var('logs')}.arn"), ":*")]})
    return {"trust_policy": trust_policy("states.amazonaws.com"), "policy": policy_document(statements),
            "definition": asl.definition(spec, workflow), "log_retention": LOG_RETENTION_DAYS}


def replication_extras(view, job) -> dict:
    """Replication role, policy and wiring. S3 replication is configured on the source bucket, so that
    resource uses the source bucket's provider (its region) and waits for both buckets' versioning."""
    spec, views = job.spec, job.views
    replication = view.model
    source, destination = replication.source, replication.destination
    source_arn, destination_arn = arn_of(spec, source), arn_of(spec, destination)
    if replication.method == "s3":
        statements = [
            {"Effect": "Allow", "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
             "Resource": [source_arn]},
            {"Effect": "Allow", "Action": ["s3:GetObjectVersionAcl", "s3:GetObjectVersionForReplication",
                                           "s3:GetObjectVersionTagging"], "Resource": [concat(source_arn, "/*")]},
            {"Effect": "Allow", "Action": ["s3:ReplicateDelete", "s3:ReplicateObject", "s3:ReplicateTags"],
             "Resource": [concat(destination_arn, "/*")]},
        ]
        versionings = [views[name].var("versioning") for name in (source, destination)
                       if not spec.resources[name].existing]
        trust = trust_policy("s3.amazonaws.com")
        arn = Code(f"{view.var('role')}.arn")
    else:
        statements = []
        for name, arn_value, extra in ((source, source_arn, ["s3:GetObjectVersion", "s3:GetObjectVersionTagging"]),
                                       (destination, destination_arn, [])):
            statements += [
                {"Effect": "Allow", "Action": ["s3:GetBucketLocation", "s3:ListBucket",
                                               "s3:ListBucketMultipartUploads"], "Resource": [arn_value]},
                {"Effect": "Allow", "Action": ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject",
                                               "s3:GetObjectTagging", "s3:ListMultipartUploadParts",
                                               "s3:PutObject", "s3:PutObjectTagging", *extra],
                 "Resource": [concat(arn_value, "/*")]},
            ]
        versionings = []
        trust = trust_policy("datasync.amazonaws.com")
        arn = Code(f"{view.var('task')}.arn")
    source_view = views[source]
    source_id = attribute_expression(spec.cloud, "bucket", source, "id", spec.resources[source])
    return {
        "trust_policy": trust, "policy": policy_document(merge(statements)), "arn": arn,
        "source_arn": source_arn, "destination_arn": destination_arn, "source_bucket": source_id,
        "source_opts": view.opts(provider=source_view.provider, depends_on=[view.var("policy"), *versionings]),
    }


def _unique_bucket_permissions(triggers: list[dict]) -> list[dict]:
    # One lambda.Permission per (function, bucket), even when several triggers watch the same bucket.
    seen = set()
    for entry in triggers:
        if entry["kind"] == "bucket":
            entry["new_permission"] = entry["source"] not in seen
            seen.add(entry["source"])
    return triggers


def bucket_notifications(spec, views: dict, expressions) -> tuple[dict[str, list[dict]], dict[str, Code]]:
    """bucket name -> the notification entries of every function it triggers, and the resource options of
    its BucketNotification: the bucket's provider, and the permissions it must wait for (S3 checks it may
    invoke each function when the configuration is set)."""
    entries: dict[str, list[dict]] = {}
    permissions: dict[str, list[Code]] = {}
    for name, resource in spec.resources.items():
        if not isinstance(resource, Function):
            continue
        for trigger in resource.triggers:
            if isinstance(trigger, BucketTrigger):
                entries.setdefault(trigger.bucket, []).append({
                    "function": views[name].var("function"),
                    "events": [S3_EVENTS[event] for event in trigger.events],
                    "prefix": expressions.value(trigger.prefix) if trigger.prefix else None,
                    "suffix": expressions.value(trigger.suffix) if trigger.suffix else None})
                permission = identifier(name, f"invoke_from_{trigger.bucket.replace('-', '_')}")
                if permission not in permissions.setdefault(trigger.bucket, []):
                    permissions[trigger.bucket].append(permission)
    options = {}
    for bucket, waits_for in permissions.items():
        provider = views[bucket].provider
        parts = ([f"provider={provider}"] if provider else []) + ["depends_on=[" + ", ".join(waits_for) + "]"]
        options[bucket] = Code("pulumi.ResourceOptions(" + ", ".join(parts) + ")")
    return entries, options
