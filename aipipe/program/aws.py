"""What the AWS templates need beyond the spec itself: runtimes, IAM statements, trigger wiring and the
bucket notification table (one BucketNotification per bucket, holding every function it triggers)."""

from __future__ import annotations

from aipipe.program.iam import access_statements, arn_of, concat, merge, policy_document, trust_policy
from aipipe.render import Code, identifier
from aipipe.spec.catalogue import RUNTIMES
from aipipe.spec.function import BucketTrigger, Function, ScheduleTrigger, StreamTrigger, TopicTrigger
from aipipe.spec.links import links_of

S3_EVENTS = {"created": "s3:ObjectCreated:*", "deleted": "s3:ObjectRemoved:*"}
STARTING_POSITIONS = {"latest": "LATEST", "trim-horizon": "TRIM_HORIZON"}
LOG_RETENTION_DAYS = 30


def function_extras(view, spec, expressions, code_path: str) -> dict:
    """The Lambda template's values: runtime id, code path, environment, policy, and each trigger."""
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
        "code_path": code_path,
        "environment": expressions.mapping(function.environment),
        "trust_policy": trust_policy("lambda.amazonaws.com"),
        "policy": policy_document(merge(statements)),
        "triggers": _unique_bucket_permissions(triggers),
        "log_retention": LOG_RETENTION_DAYS,
    }


def _unique_bucket_permissions(triggers: list[dict]) -> list[dict]:
    # One lambda.Permission per (function, bucket), even when several triggers watch the same bucket.
    seen = set()
    for entry in triggers:
        if entry["kind"] == "bucket":
            entry["new_permission"] = entry["source"] not in seen
            seen.add(entry["source"])
    return triggers


def bucket_notifications(spec, views: dict) -> tuple[dict[str, list[dict]], dict[str, list[Code]]]:
    """bucket name -> the notification entries of every function it triggers, and the permissions the
    BucketNotification must wait for (S3 checks it may invoke each function when the configuration is set)."""
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
                    "prefix": trigger.prefix, "suffix": trigger.suffix})
                permission = identifier(name, f"invoke_from_{trigger.bucket.replace('-', '_')}")
                if permission not in permissions.setdefault(trigger.bucket, []):
                    permissions[trigger.bucket].append(permission)
    return entries, permissions
