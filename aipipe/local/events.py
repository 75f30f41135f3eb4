"""The payload a cloud delivers to a trigger's target, built from local occurrences, and realistic sample
occurrences for `aipipe invoke --trigger N`.

`delivered_event(spec, use, occurrences, cloud)` answers, for a trigger `use` (aipipe.triggers.base.TriggerUse):
- a function on aws: the Lambda event (S3 notification records, SNS records, SQS / Kinesis / DynamoDB batches, an
  EventBridge event for a schedule or for a bucket routed through EventBridge);
- a queue on aws (a bucket or topic filling it): the message body the queue receives (a JSON string);
- a workflow on aws: the execution's input (the EventBridge event; for a topic, the pipe's one-record array);
- a function on gcp: a CloudEvent `{"attributes": ..., "data": ...}`, or `{"http": ...}` for Cloud Scheduler and
  for a subscription's push (the raw Pub/Sub push request, which functions-framework turns into a CloudEvent).
Which route the cloud takes is the renderer's own rule (aipipe.triggers.eventbridge.bucket_via_eventbridge), and
event types come from the trigger kinds (S3_EVENTS, STORAGE_EVENTS, PUBSUB_EVENT): one source of truth."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import uuid
from datetime import datetime, timezone
from typing import Any

from aipipe.local import events_aws as aws
from aipipe.local import events_gcp as gcp
from aipipe.local.contract import Occurrence
from aipipe.local.naming import LOCAL_ACCOUNT, local_name, local_project
from aipipe.local.values import resolve_text
from aipipe.triggers.base import TriggerUse
from aipipe.triggers.bucket import STORAGE_EVENTS
from aipipe.triggers.eventbridge import bucket_via_eventbridge
from aipipe.triggers.registry import trigger_kind
from aipipe.triggers.topic import PUBSUB_EVENT

SAMPLE_DATA = '{"sample": true}'


class NoEvent(Exception):
    """A trigger whose delivery aipipe does not model locally (its text says why)."""


def now() -> str:
    """The current time as the clouds write it: ISO 8601 UTC with milliseconds."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def delivered_event(spec: Any, use: TriggerUse, occurrences: list[Occurrence], cloud: Any) -> Any:
    """The payload the cloud delivers to the target of trigger `use` for these occurrences (several for a
    queue or stream batch, one otherwise)."""
    if not occurrences:
        raise ValueError("no occurrences to deliver")
    key = trigger_kind(use.trigger).key
    if spec.cloud == "gcp":
        return _gcp_event(spec, use, key, occurrences, cloud)
    return _aws_event(spec, use, key, occurrences, cloud)


def _aws_event(spec: Any, use: TriggerUse, key: str, occurrences: list[Occurrence], cloud: Any) -> Any:
    target = getattr(use.target, "type", None)
    source = trigger_kind(use.trigger).source(use.trigger)
    if key == "schedule":
        return aws.scheduled_event(spec, use.owner, use.position, occurrences[0].detail["time"])
    if key == "bucket":
        if target == "queue":
            return json.dumps(aws.s3_notification(spec, source, occurrences[:1], _configuration(use)))
        if bucket_via_eventbridge(spec.resources, use):
            return aws.s3_eventbridge(spec, source, occurrences[0])
        return aws.s3_notification(spec, source, occurrences[:1], _configuration(use))
    where = aws.region(spec, source)
    if key == "topic":
        topic_arn = cloud.attribute(source, "arn")
        if target == "queue":
            return json.dumps(aws.sns_envelope(topic_arn, occurrences[0], where))
        if target == "workflow":
            # the trigger's own queue, which the EventBridge pipe reads one message at a time
            envelope = json.dumps(aws.sns_envelope(topic_arn, occurrences[0], where))
            message = Occurrence(source, "message", {**occurrences[0].detail, "data": envelope})
            return [aws.sqs_record(_pipe_queue_arn(spec, use), message, aws.region(spec, use.owner))]
        return aws.sns_records(topic_arn, occurrences[:1], where)
    if key in ("queue", "subscription"):  # a subscription's queue: raw message delivery, the body is the message
        queue_arn = cloud.attribute(source, "arn")
        return {"Records": [aws.sqs_record(queue_arn, occurrence, where) for occurrence in occurrences]}
    if key == "stream":
        resource = spec.resources[source]
        if resource.type == "table":
            view = aws.STREAM_VIEW_TYPES[resource.stream]
            stream_arn = cloud.attribute(source, "stream_arn")
            return {"Records": [aws.dynamodb_record(stream_arn, view, occ, where) for occ in occurrences]}
        stream_arn = cloud.attribute(source, "arn")
        role = f"arn:aws:iam::{LOCAL_ACCOUNT}:role/{local_name(spec, use.owner)}"
        return {"Records": [aws.kinesis_record(stream_arn, role, occ, where) for occ in occurrences]}
    raise NoEvent(f"a {key} trigger of a {target} on aws is not run locally")


def _gcp_event(spec: Any, use: TriggerUse, key: str, occurrences: list[Occurrence], cloud: Any) -> Any:
    occurrence = occurrences[0]
    if key == "bucket":
        return gcp.storage_event(STORAGE_EVENTS[occurrence.detail["event"]], occurrence)
    if key == "topic":
        topic_id = _topic_id(spec, use.trigger.topic, cloud)
        return gcp.pubsub_event(PUBSUB_EVENT, topic_id, _eventarc_subscription(spec, use), occurrence)
    if key == "subscription":
        return gcp.push_request(_subscription_id(spec, use.trigger.subscription, cloud), occurrence)
    if key == "schedule":
        job = f"projects/{local_project(spec)}/locations/{spec.header.region}/jobs/{local_name(spec, use.owner)}"
        return gcp.scheduler_request(f"{job}-schedule-{use.position}", occurrence.detail["time"])
    raise NoEvent(f"a {key} trigger on gcp is not run locally")


def _configuration(use: TriggerUse) -> str:
    """The id of the trigger's entry in the bucket's notification configuration (the program sets none, so the
    provider makes one up; this one names the entry's target)."""
    return f"aipipe-{use.owner}-{use.position}"


def _pipe_queue_arn(spec: Any, use: TriggerUse) -> str:
    name = f"{local_name(spec, use.owner)}-trigger-{use.position}-queue"
    return f"arn:aws:sqs:{aws.region(spec, use.owner)}:{LOCAL_ACCOUNT}:{name}"


def _topic_id(spec: Any, topic: str, cloud: Any) -> str:
    """`projects/<project>/topics/<name>`, as the topic's `id` attribute is on gcp."""
    topic_id = cloud.attribute(topic, "id")
    if topic_id.startswith("projects/"):
        return topic_id
    return f"projects/{local_project(spec)}/topics/{cloud.attribute(topic, 'name')}"


def _subscription_id(spec: Any, subscription: str, cloud: Any) -> str:
    """`projects/<project>/subscriptions/<name>`, as the push request names the subscription."""
    subscription_id = cloud.attribute(subscription, "id")
    if subscription_id.startswith("projects/"):
        return subscription_id
    return f"projects/{local_project(spec)}/subscriptions/{cloud.attribute(subscription, 'name')}"


def _eventarc_subscription(spec: Any, use: TriggerUse) -> str:
    """The subscription Eventarc creates for a Pub/Sub trigger (named after the trigger)."""
    return f"projects/{local_project(spec)}/subscriptions/eventarc-{spec.header.region}-{local_name(spec, use.owner)}"


def sample_occurrences(spec: Any, use: TriggerUse, cloud: Any) -> list[Occurrence]:
    """One realistic occurrence that fires trigger `use`: an object under its prefix and suffix for its first
    event, a message, a Kinesis record or a table change, a schedule firing."""
    key = trigger_kind(use.trigger).key
    time = now()
    if key == "schedule":
        return [Occurrence(use.owner, "schedule", {"time": time})]
    source = trigger_kind(use.trigger).source(use.trigger)
    if key == "bucket":
        return [_sample_object(spec, use, source, cloud, time)]
    if key in ("topic", "queue", "subscription"):
        data = _queue_body(spec, source, cloud) if key == "queue" else SAMPLE_DATA
        detail = {"data": data, "attributes": {}, "message_id": str(uuid.uuid4()), "time": time}
        return [Occurrence(source, "message", detail)]
    if spec.resources[source].type == "table":
        return [Occurrence(source, "change", _sample_change(spec.resources[source], time))]
    detail = {
        "data": base64.b64encode(SAMPLE_DATA.encode()).decode(),
        "partition_key": "sample",
        "sequence_number": str(int(datetime.now(timezone.utc).timestamp() * 1e6)).ljust(56, "0"),
        "time": time,
    }
    return [Occurrence(source, "record", detail)]


def _sample_object(spec: Any, use: TriggerUse, bucket: str, cloud: Any, time: str) -> Occurrence:
    trigger = use.trigger
    prefix = resolve_text(trigger.prefix or "", spec, cloud, os.environ)
    suffix = resolve_text(trigger.suffix or "", spec, cloud, os.environ)
    digest = hashlib.md5(SAMPLE_DATA.encode()).hexdigest()
    detail = {
        "bucket": cloud.attribute(bucket, "name"),
        "key": f"{prefix}sample{suffix or '.json'}",
        "size": len(SAMPLE_DATA.encode()),
        "etag": digest,
        "md5": digest,
        "event": trigger.events[0],
        "time": time,
    }
    return Occurrence(bucket, "object", detail)


def _queue_body(spec: Any, queue: str, cloud: Any) -> str:
    """A sample message body of a queue: what its own trigger (a bucket or a topic) puts there, else JSON."""
    resource = spec.resources[queue]
    for position, trigger in enumerate(getattr(resource, "triggers", ())):
        feeding = TriggerUse(queue, position, trigger, resource)
        return delivered_event(spec, feeding, sample_occurrences(spec, feeding, cloud), cloud)
    return SAMPLE_DATA


_SAMPLE_KEY_VALUES = {"string": "sample-id", "number": 1, "binary": b"sample"}


def _sample_change(table: Any, time: str) -> dict:
    keys = {key.name: _SAMPLE_KEY_VALUES[key.type] for key in (table.partition_key, table.sort_key) if key}
    return {"event": "INSERT", "keys": keys, "new_image": {**keys, "sample": True}, "old_image": None, "time": time}
