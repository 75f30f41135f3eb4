"""Bucket triggers: run when objects are created or deleted in a bucket, optionally only for keys with a
prefix and a suffix.

aws: an S3 event notification (one configuration per bucket holds every function it triggers, since S3 keeps
a single notification configuration per bucket) and the permission S3 needs to invoke the function. A bucket
aipipe does not own (`existing`) never gets a notification configuration from aipipe: PutBucketNotification-
Configuration "replaces the existing notification configuration with the configuration you include in the
request body" (docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketNotificationConfiguration.html), so
writing one would wipe its owner's notifications, and destroying it would leave none. Its triggers go through
EventBridge rules instead (aipipe.triggers.eventbridge), once its owner has turned EventBridge delivery on.
Workflows are started through EventBridge too (aipipe.triggers.to_workflow); on a bucket aipipe creates, that
turns EventBridge delivery on in the bucket's one configuration.
gcp: an Eventarc trigger on the Cloud Storage event, which filters by bucket only.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from aipipe.clouds.aws import AWS
from aipipe.clouds.gcp import ROLES
from aipipe.core.diagnostics import Severity
from aipipe.semantics.iam import service_may_send
from aipipe.semantics.keys import KeyPattern
from aipipe.semantics.symbols import Attr, Child, Concat, Deployment, Json, Options
from aipipe.spec.context import CheckContext
from aipipe.spec.model import StrictModel
from aipipe.spec.parts import ProgramPart
from aipipe.spec.references import symbolic
from aipipe.spec.values import ResourceName
from aipipe.triggers.base import TriggerKind, TriggerUse
from aipipe.triggers.eventbridge import (
    PATTERN_LIMIT,
    PATTERN_QUOTA_MAX,
    bucket_via_eventbridge,
    pattern_size,
    rule,
    s3_event_pattern,
)

# docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html
S3_EVENTS = {"created": "s3:ObjectCreated:*", "deleted": "s3:ObjectRemoved:*"}
# cloud.google.com/eventarc/docs/reference/supported-events#cloud-storage
STORAGE_EVENTS = {
    "created": "google.cloud.storage.object.v1.finalized",
    "deleted": "google.cloud.storage.object.v1.deleted",
}
MAX_NOTIFICATIONS_PER_BUCKET = 100


class BucketTrigger(StrictModel):
    """Run when objects are created or deleted in a bucket, optionally filtered by key prefix and suffix."""

    bucket: ResourceName
    events: list[Literal["created", "deleted"]] = Field(default_factory=lambda: ["created"], min_length=1)
    prefix: str | None = None
    suffix: str | None = None

    @property
    def keys(self) -> KeyPattern:
        """The object keys this trigger fires for."""
        return KeyPattern(self.prefix or "", self.suffix or "")

    def matches(self, event: str, key: str) -> bool:
        """Whether an object event (`created` | `deleted`) on `key` in its bucket fires this trigger."""
        return event in self.events and self.keys.matches(key)

    def fires_on_write(self, bucket: str, prefix: str) -> bool:
        """Whether writing objects into `bucket` under `prefix` can fire this trigger."""
        return bucket == self.bucket and "created" in self.events and KeyPattern(prefix).overlaps(self.keys)

    def fires_on_delete(self, bucket: str, prefix: str) -> bool:
        """Whether deleting objects in `bucket` under `prefix` can fire this trigger."""
        return bucket == self.bucket and "deleted" in self.events and KeyPattern(prefix).overlaps(self.keys)


def overlaps(a: BucketTrigger, b: BucketTrigger) -> bool:
    """Whether one object event can fire both triggers (same bucket, a shared event, overlapping keys)."""
    return a.bucket == b.bucket and bool(set(a.events) & set(b.events)) and a.keys.overlaps(b.keys)


def _check(ctx: CheckContext, use: TriggerUse) -> None:
    if ctx.cloud == "aws" and use.target.type != "queue":  # a queue takes buckets of the spec only (kinds.queue)
        _check_eventbridge(ctx, use)
    if ctx.cloud != "gcp":
        return
    trigger = use.trigger
    for field_name in ("prefix", "suffix"):
        if getattr(trigger, field_name) is not None:
            ctx.report(
                "AP407",
                f"`{field_name}` is not supported on gcp (Eventarc filters Cloud Storage events by "
                "bucket only); filter object names in your handler",
                use.path + (field_name,),
                True,
            )
    if len(trigger.events) > 1:
        ctx.report(
            "AP407",
            "on gcp one trigger takes one event type; use two functions for created and deleted",
            use.path + ("events",),
        )
    bucket = ctx.checkable().get(trigger.bucket)
    if getattr(bucket, "type", None) == "bucket" and bucket.existing and not bucket.location:
        ctx.report(
            "AP407",
            f"`{trigger.bucket}` is an existing bucket whose location aipipe does not know, and the Eventarc trigger "
            "must be in the bucket's location (a trigger elsewhere is refused: 'Bucket location does not match "
            f"trigger location'); give `{trigger.bucket}` its `location` (`gcloud storage buckets describe "
            f"gs://{bucket.existing} --format='value(location)'`)",
            use.path + ("bucket",),
        )


def trigger_region(spec, bucket_name: str) -> str:
    """Where the Eventarc trigger of a bucket's events must be: the bucket's location, lower-case — a region,
    a dual-region (`eur4`) or a multi-region (`eu`, `us`, `asia`). cloud.google.com/eventarc/docs/
    understand-locations: "since the Cloud Storage bucket is in the europe-west1 region, the trigger must also
    be located in europe-west1"; Cloud Storage triggers "support single-region, dual-region, and multi-region
    locations" (cloud.google.com/blog/topics/developers-practitioners/closer-look-locations-eventarc), named
    as gcloud eventarc locations list does, in lower case. Without trigger_region the provider puts the trigger
    in the function's region (pulumi-gcp FunctionEventTrigger.trigger_region: "If not provided, defaults to
    the same region as the function"), which a bucket elsewhere refuses."""
    bucket = spec.resources[bucket_name]
    return (bucket.location or spec.header.region).lower()


# docs.aws.amazon.com/AmazonS3/latest/userguide/enable-event-notifications-eventbridge.html: the console switch;
# its CLI example puts `{"EventBridgeConfiguration": {}}` alone, which would replace the other entries, so the fix
# keeps them (get, add, put back)
ENABLE_EVENTBRIDGE = (
    "S3 console → the bucket → Properties → Event notifications → Amazon EventBridge → Edit → On; or `aws s3api "
    'get-bucket-notification-configuration --bucket {name} > n.json`, add `"EventBridgeConfiguration": {{}}` to '
    "n.json, then `aws s3api put-bucket-notification-configuration --bucket {name} --notification-configuration "
    "file://n.json` (put replaces the whole configuration: keep the entries that are there)"
)


def _check_eventbridge(ctx: CheckContext, use: TriggerUse) -> None:
    """A trigger on an `existing` bucket needs the owner to have turned EventBridge delivery on; a pattern must fit
    EventBridge's size."""
    bucket = ctx.checkable().get(use.trigger.bucket)
    if bucket is None or getattr(bucket, "type", None) != "bucket":
        return
    if bucket.existing and not bucket.eventbridge:
        ctx.report(
            "AP406",
            f"`{use.trigger.bucket}` is an existing bucket, whose notification configuration aipipe never writes "
            "(S3 keeps one per bucket and writing it replaces its owner's notifications): this trigger goes "
            "through EventBridge, which the bucket's owner turns on. Once it is on, set `eventbridge: true` on "
            f"`{use.trigger.bucket}`. To turn it on without losing the other notifications: "
            + ENABLE_EVENTBRIDGE.format(name=bucket.existing),
            use.path + ("bucket",),
        )
    if bucket_via_eventbridge(ctx.checkable(), use):
        size = pattern_size(use.trigger, bucket.existing)
        if size is not None and size > PATTERN_LIMIT:
            raisable = size <= PATTERN_QUOTA_MAX
            ctx.report(
                "AP402",
                f"this trigger's EventBridge event pattern would be {size} characters, above the {PATTERN_LIMIT} "
                + (
                    "EventBridge takes unless its quota is raised (Service Quotas > Amazon EventBridge)"
                    if raisable
                    else f"EventBridge takes ({PATTERN_QUOTA_MAX} with a raised quota)"
                )
                + "; shorten `prefix` or `suffix`",
                use.path,
                severity=Severity.WARNING if raisable else Severity.ERROR,
            )


def _check_uses(ctx: CheckContext, uses: list[TriggerUse]) -> None:
    """S3 refuses notification configurations on one bucket whose event, prefix and suffix overlap."""
    if ctx.cloud != "aws":
        return
    by_bucket: dict[str, list[TriggerUse]] = {}
    for use in uses:
        if bucket_via_eventbridge(ctx.checkable(), use):
            continue  # an EventBridge rule of its own, not an entry of the bucket's notification configuration
        by_bucket.setdefault(use.trigger.bucket, []).append(use)
    for bucket, same_bucket in by_bucket.items():
        if len(same_bucket) > MAX_NOTIFICATIONS_PER_BUCKET:
            ctx.report(
                "AP407",
                f"bucket `{bucket}` has {len(same_bucket)} triggers; aipipe supports at most "
                f"{MAX_NOTIFICATIONS_PER_BUCKET} per bucket",
                same_bucket[-1].path,
            )
            continue
        for index, use in enumerate(same_bucket):
            for other in same_bucket[:index]:
                if overlaps(use.trigger, other.trigger):
                    ctx.report(
                        "AP407",
                        f"this trigger overlaps the one of `{other.owner}` on bucket `{bucket}` "
                        "(same event, overlapping prefix and suffix); S3 rejects overlapping notifications: "
                        "make the prefixes or suffixes disjoint",
                        use.path,
                    )
                    break  # one report per trigger is enough


def _permission(use: TriggerUse) -> Child:
    return Child(use.owner, f"invoke_from_{use.trigger.bucket.replace('-', '_')}")


def _invoke_permission() -> dict:
    """What the lambda.Permission says: s3 may invoke the function."""
    return {"action": "lambda:InvokeFunction", "principal": AWS.principals["s3"]}


def _aws_function(spec, use: TriggerUse) -> dict:
    if bucket_via_eventbridge(spec.resources, use):
        # an existing bucket: an EventBridge rule in its region, the function as target, and the permission
        # EventBridge needs for this rule alone
        return {
            "template": "triggers/bucket/aws-function-eventbridge.py.j2",
            "position": use.position,
            "action": "lambda:InvokeFunction",
            "principal": AWS.principals["events"],
            "rule": rule(use),
            "pattern": Json(s3_event_pattern(use.trigger)),
        }
    # One lambda.Permission per (function, bucket), even when several triggers watch the same bucket.
    earlier = [
        t
        for t in use.target.triggers[: use.position]
        if isinstance(t, BucketTrigger) and t.bucket == use.trigger.bucket
    ]
    return {
        "template": "triggers/bucket/aws-function.py.j2",
        "position": use.position,
        **_invoke_permission(),
        "source": use.trigger.bucket,
        "source_arn": Attr(use.trigger.bucket, "arn"),
        "permission": _permission(use),
        "new_permission": not earlier,
    }


def _aws_queue(spec, use: TriggerUse) -> dict:
    """The queue policy statement letting S3 send this bucket's events to the queue: for this bucket, in this
    account only (the entry itself is in the bucket's one notification configuration, below)."""
    return {
        "statement": service_may_send(
            AWS.principals["s3"],
            Child(use.owner, "queue", "arn"),
            Attr(use.trigger.bucket, "arn"),
            Deployment("aws_account_id"),
        )
    }


def _gcp_function(spec, use: TriggerUse) -> dict:
    return {
        "event_trigger": {
            "event_type": STORAGE_EVENTS[use.trigger.events[0]],
            "event_filters": [{"attribute": "bucket", "value": Attr(use.trigger.bucket, "name")}],
            "trigger_region": trigger_region(spec, use.trigger.bucket),
            "retry_policy": "RETRY_POLICY_RETRY",
            "service_account_email": Child(use.owner, "caller", "email"),
        },
        # not a direct Pub/Sub event: the trigger's account receives events (roles/eventarc.eventReceiver), and
        # the function waits for the storage agent's publisher grant (the part below), as the provider's
        # example does (pulumi-gcp cloudfunctionsv2.Function, "Cloudfunctions2 Basic Gcs")
        "receive_events": True,
        "waits": [PUBLISHER],
    }


# The storage agent's publisher grant (templates/triggers/bucket/gcp-publisher.py.j2), as a program variable.
PUBLISHER = Child("storage-events", "publisher")


def _parts(cloud: str, spec, uses: list[TriggerUse]) -> list[ProgramPart]:
    if cloud == "gcp":
        # Cloud Storage publishes object events through Pub/Sub as its own service agent.
        return (
            [
                ProgramPart(
                    "triggers/bucket/gcp-publisher.py.j2",
                    {
                        "variable": PUBLISHER,
                        "role": ROLES["publish"],
                        "project": Deployment("gcp_project_id"),
                        "member": Concat("serviceAccount:", Deployment("gcp_storage_agent_email")),
                    },
                    before=True,
                )
            ]
            if uses
            else []
        )
    entries: dict[str, list[dict]] = {}
    permissions: dict[str, list[Child]] = {}
    eventbridge: set[str] = set()
    for use in uses:
        trigger = use.trigger
        if spec.resources[trigger.bucket].existing:
            continue  # not written: its owner's configuration stays whole (its triggers have EventBridge rules)
        if bucket_via_eventbridge(spec.resources, use):
            eventbridge.add(trigger.bucket)  # a workflow: S3 sends the bucket's events to EventBridge
            continue
        entry = {
            "events": [S3_EVENTS[event] for event in trigger.events],
            "prefix": symbolic(trigger.prefix) if trigger.prefix else None,
            "suffix": symbolic(trigger.suffix) if trigger.suffix else None,
        }
        waits = permissions.setdefault(trigger.bucket, [])
        if use.target.type == "queue":
            # S3 sends a test message when the configuration is set: the queue policy must let it in first
            entries.setdefault(trigger.bucket, []).append({"queue_arn": Child(use.owner, "queue", "arn"), **entry})
            wait = Child(use.owner, "policy")
        else:
            function_arn = Child(use.owner, "function", "arn")
            entries.setdefault(trigger.bucket, []).append({"function_arn": function_arn, **entry})
            wait = _permission(use)
        if wait not in waits:
            waits.append(wait)
    asked = [
        name
        for name, resource in spec.resources.items()
        if resource.type == "bucket" and not resource.existing and (resource.eventbridge or name in eventbridge)
    ]
    # S3 checks that it may invoke each function when the configuration is set: wait for the permissions.
    return [
        ProgramPart(
            "triggers/bucket/aws-notifications.py.j2",
            {
                "bucket": bucket,
                "bucket_id": Child(bucket, "bucket", "id"),
                "entries": [entry for entry in entries.get(bucket, []) if "function_arn" in entry],
                "queue_entries": [entry for entry in entries.get(bucket, []) if "queue_arn" in entry],
                "eventbridge": bucket in asked,
                "options": Options(
                    bucket, depends_on=tuple(permissions.get(bucket, ())), provider_of=bucket, top_level=True
                ),
            },
        )
        for bucket in [*entries, *(name for name in asked if name not in entries)]
    ]


def takes(trigger: BucketTrigger, happened: str, detail) -> bool:
    """An object event fires the trigger when its event and key pass the notification's (or EventBridge rule's)
    filter: `matches`, the rule the rendered configuration holds."""
    return happened == "object" and trigger.matches(detail["event"], detail["key"])


def _label(trigger: BucketTrigger) -> str:
    pattern = f" {trigger.prefix or ''}*{trigger.suffix or ''}" if trigger.prefix or trigger.suffix else ""
    return "/".join(trigger.events) + pattern


TRIGGER = TriggerKind(
    key="bucket",
    model=BucketTrigger,
    source_kinds=("bucket",),
    label=_label,
    check=_check,
    check_uses=_check_uses,
    wiring={("aws", "function"): _aws_function, ("aws", "queue"): _aws_queue, ("gcp", "function"): _gcp_function},
    eventarc=True,
    parts=_parts,
    invocation={"aws": "async"},
    takes=takes,
    # docs.aws.amazon.com/AmazonS3/latest/userguide/EventNotifications.html: the destination of an event
    # notification must be in the bucket's region
    same_region={"aws": "S3 sends event notifications only to a function or queue in the bucket's region"},
)
