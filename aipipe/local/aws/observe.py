"""What happened to the stack's resources, read from moto's backends after every request: objects created and
deleted (by anyone), messages published to topics, messages sent to queues (drained: their delivery is the
engine's), Kinesis records put, DynamoDB stream changes. Bucket changes are written back to the data folder.

moto keeps each topic's published messages (`Topic.sent_notifications`), each shard's records and each table
stream's records, so those are read past what was seen; buckets are compared with the last snapshot.
"""

from __future__ import annotations

import base64
import datetime
import json
import math
import threading
from pathlib import Path
from typing import Any

from aipipe.local.aws.names import ACCOUNT, PARTITION, LocalNames
from aipipe.local.bucket_files import remove_object, write_object
from aipipe.local.contract import Occurrence


def _now() -> str:
    return _iso(datetime.datetime.now(datetime.timezone.utc))


def _iso(moment: datetime.datetime) -> str:
    """ISO 8601 in UTC with a `Z`; moto's naive datetimes are UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Watcher:
    """Turns changes in moto's backends into occurrences, in the order the requests that made them ended."""

    def __init__(self, names: LocalNames, data_dir: Path):
        self.names = names
        self.data_dir = data_dir
        self.lock = threading.RLock()
        self.pending: list[Occurrence] = []
        self.unwritten: list[tuple[str, str]] = []  # (bucket resource, key) objects that cannot be files
        self.active = False
        self._objects: dict[str, dict[str, tuple]] = {}
        self._published: dict[str, int] = {}
        self._records: dict[tuple[str, str], int] = {}
        self._changes: dict[str, int] = {}
        resources = names.spec.resources
        self._of_type = {
            kind: [name for name, model in resources.items() if model.type == kind]
            for kind in ("bucket", "topic", "queue", "subscription", "stream", "table")
        }

    def baseline(self) -> None:
        """Take what exists now as the starting point; report only what changes after it."""
        with self.lock:
            self._objects = {bucket: self._snapshot(bucket) for bucket in self._of_type["bucket"]}
            self._published = {topic: len(self._topic(topic).sent_notifications) for topic in self._of_type["topic"]}
            for stream in self._of_type["stream"]:
                for shard_id, shard in self._shards(stream):
                    self._records[(stream, shard_id)] = len(shard.records)
            self._changes = {table: len(self._stream_records(table)) for table in self._of_type["table"]}
            self.active = True

    def observe(self) -> None:
        """Record what changed since the last look (runs after every request to the server)."""
        with self.lock:
            if not self.active:
                return
            for bucket in self._of_type["bucket"]:
                self._observe_bucket(bucket)
            for topic in self._of_type["topic"]:
                self._observe_topic(topic)
            for queue in self._of_type["queue"] + self._of_type["subscription"]:
                self._drain_queue(queue)
            for stream in self._of_type["stream"]:
                self._observe_stream(stream)
            for table in self._of_type["table"]:
                self._observe_table(table)

    def take(self) -> list[Occurrence]:
        """Everything observed since the last call, in order."""
        with self.lock:
            self.observe()
            taken, self.pending = self.pending, []
            return taken

    # --- buckets ------------------------------------------------------------------------------------------

    def _bucket(self, bucket: str) -> Any:
        from moto.s3.models import s3_backends

        return s3_backends[ACCOUNT][PARTITION].buckets[self.names.name(bucket)]

    def _snapshot(self, bucket: str) -> dict[str, tuple]:
        from moto.s3.models import FakeDeleteMarker

        current = {}
        for key, stored in list(self._bucket(bucket).keys.items()):
            if not isinstance(stored, FakeDeleteMarker):
                current[key] = (stored.etag, stored.last_modified, stored.version_id, stored.size, stored)
        return current

    def _observe_bucket(self, bucket: str) -> None:
        before, after = self._objects.get(bucket, {}), self._snapshot(bucket)
        self._objects[bucket] = after
        changed = [key for key, state in after.items() if before.get(key, ())[:3] != state[:3]]
        for key in sorted(changed, key=lambda key: after[key][1]):
            etag, modified, _, size, stored = after[key]
            if write_object(self.data_dir / bucket, key, stored.value) is not None:
                self.unwritten.append((bucket, key))
            self._object(bucket, key, "created", size, etag.strip('"'), _iso(modified))
        for key in sorted(set(before) - set(after)):
            remove_object(self.data_dir / bucket, key)
            self._object(bucket, key, "deleted", 0, "", _now())

    def _object(self, bucket: str, key: str, event: str, size: int, etag: str, time: str) -> None:
        detail = {"bucket": self.names.name(bucket), "key": key, "size": size, "etag": etag, "event": event}
        self.pending.append(Occurrence(bucket, "object", {**detail, "time": time}))

    # --- topics and queues --------------------------------------------------------------------------------

    def _topic(self, topic: str) -> Any:
        from moto.sns.models import sns_backends

        backend = sns_backends[ACCOUNT][self.names.region(topic)]
        return backend.topics[self.names.attribute(topic, "arn")]

    def _observe_topic(self, topic: str) -> None:
        sent = self._topic(topic).sent_notifications
        seen = self._published.get(topic, 0)
        for message_id, message, subject, attributes, _group in sent[seen:]:
            compared, sent_attributes = _sns_attributes(attributes)
            detail = {"data": message, "attributes": compared, "message_attributes": sent_attributes}
            detail["message_id"] = message_id
            if subject:
                detail["subject"] = subject
            self.pending.append(Occurrence(topic, "message", {**detail, "time": _now()}))
        self._published[topic] = len(sent)

    def _drain_queue(self, queue: str) -> None:
        from moto.sqs.models import sqs_backends

        backend = sqs_backends[ACCOUNT][self.names.region(queue)]
        stored = backend.queues.get(self.names.name(queue))
        if stored is None or not stored._messages:
            return
        with stored._messages_lock:  # moto's own lock over the queue's messages
            messages, stored._messages = stored._messages, []
        for message in messages:
            sent = message.sent_timestamp
            time = _iso(datetime.datetime.fromtimestamp(int(sent) / 1000, datetime.timezone.utc)) if sent else _now()
            compared, sent_attributes = _sqs_attributes(message.message_attributes)
            detail = {"data": message.body, "attributes": compared, "message_attributes": sent_attributes}
            detail["md5_of_body"] = message.body_md5
            if message.group_id is not None:
                detail["group_id"] = message.group_id
            self.pending.append(Occurrence(queue, "message", {**detail, "message_id": message.id, "time": time}))

    # --- streams and tables -------------------------------------------------------------------------------

    def _shards(self, stream: str) -> list[tuple[str, Any]]:
        from moto.kinesis.models import kinesis_backends

        backend = kinesis_backends[ACCOUNT][self.names.region(stream)]
        return sorted(backend.streams[self.names.name(stream)].shards.items())

    def _observe_stream(self, stream: str) -> None:
        new = []
        for shard_id, shard in self._shards(stream):
            records = list(shard.records.values())
            new += [(shard_id, record) for record in records[self._records.get((stream, shard_id), 0) :]]
            self._records[(stream, shard_id)] = len(records)
        for shard_id, record in sorted(new, key=lambda pair: pair[1].created_at):
            detail = {"data": record.data, "partition_key": record.partition_key, "shard_id": shard_id}
            detail["sequence_number"] = str(record.sequence_number)
            self.pending.append(Occurrence(stream, "record", {**detail, "time": _iso(record.created_at_datetime)}))

    def _stream_records(self, table: str) -> list:
        from moto.dynamodb.models import dynamodb_backends

        stored = dynamodb_backends[ACCOUNT][self.names.region(table)].tables[self.names.name(table)]
        return stored.stream_shard.items if stored.stream_shard is not None else []

    def _observe_table(self, table: str) -> None:
        records = self._stream_records(table)
        for item in records[self._changes.get(table, 0) :]:
            change = item.record["dynamodb"]
            detail = {
                "event": item.record["eventName"],
                "keys": change.get("Keys", {}),
                "new_image": change.get("NewImage"),
                "old_image": change.get("OldImage"),
                "sequence_number": change.get("SequenceNumber"),
                "size_bytes": change.get("SizeBytes"),
                "view_type": change.get("StreamViewType"),
                "event_id": item.record.get("eventID"),
                "time": _iso(change["ApproximateCreationDateTime"]),
            }
            self.pending.append(Occurrence(table, "change", detail))
        self._changes[table] = len(records)


def _sns_attributes(attributes: dict | None) -> tuple[dict[str, Any], dict[str, dict]]:
    """SNS message attributes as moto keeps a publish's ({name: {Type, Value}}, Binary values base64): see
    `typed_attributes`."""
    return typed_attributes(
        (name, value.get("Type") or value.get("DataType") or "String", value.get("Value", value.get("StringValue")))
        for name, value in (attributes or {}).items()
    )


def _sqs_attributes(attributes: dict | None) -> tuple[dict[str, Any], dict[str, dict]]:
    """SQS message attributes as moto keeps a sent message's ({name: {DataType, StringValue | BinaryValue}})."""
    entries = []
    for name, value in (attributes or {}).items():
        text = value.get("StringValue", value.get("string_value"))
        if text is None:
            text = value.get("BinaryValue", value.get("binary_value", ""))
        entries.append((name, value.get("DataType") or value.get("data_type") or "String", text))
    return typed_attributes(entries)


def typed_attributes(entries) -> tuple[dict[str, Any], dict[str, dict]]:
    """(name, data type, value) triples as a message occurrence's `attributes` — each value as SNS filter
    policies compare it: a Number a number, a String.Array the list it encodes, a String text, and Binary ones
    left out, as SNS compares policies "only to message attributes that have the following data types: String,
    String.Array, Number" (docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html) — and
    its `message_attributes`, every attribute as sent ({"type": data type, "value": text; Binary base64}) for
    the events handlers receive. Data types may carry a custom label (`Number.float`): the prefix decides."""
    compared: dict[str, Any] = {}
    sent: dict[str, dict] = {}
    for name, data_type, value in entries:
        if isinstance(value, (bytes, bytearray)):
            value = base64.b64encode(value).decode()
        text = "" if value is None else str(value)
        sent[name] = {"type": data_type, "value": text}
        if data_type.startswith("Binary"):
            continue
        compared[name] = _compared(data_type, text)
    return compared, sent


def _compared(data_type: str, text: str) -> Any:
    """One attribute's value as an SNS filter compares it (its text when it does not parse as its type)."""
    if data_type.startswith("Number"):
        for parse in (int, float):
            try:
                number = parse(text)
            except ValueError:
                continue
            return number if math.isfinite(number) else text
        return text
    if data_type == "String.Array":  # "An array, formatted as a string" [sns-message-attributes.html]
        try:
            decoded = json.loads(text)
        except ValueError:
            return text
        return decoded if isinstance(decoded, list) else text
    return text
