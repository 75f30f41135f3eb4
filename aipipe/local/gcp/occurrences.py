"""What happened to the local gcp resources, as `Occurrence`s in the order it happened: objects finalized and
deleted in Cloud Storage, messages published to Pub/Sub topics. The detail carries contract.py's keys and what a
CloudEvent of the event needs (the object resource; the message as Pub/Sub delivers it)."""

from __future__ import annotations

import base64
import threading
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from aipipe.local.contract import Occurrence


def utc_now() -> str:
    """Now, as Cloud Storage and Pub/Sub write times: RFC 3339 in UTC with `Z`."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def object_detail(event: str, bucket: str, key: str, resource: Mapping[str, Any]) -> dict[str, Any]:
    """An "object" occurrence's detail. `object` is the object resource as the Cloud Storage JSON API returns it
    (kind, id, selfLink, name, bucket, generation, metageneration, contentType, timeCreated, updated,
    storageClass, size, md5Hash, crc32c, etag, mediaLink...): the `data` of the storage CloudEvents
    (google.cloud.storage.object.v1.finalized / .deleted carry a StorageObjectData, the same fields)."""
    created = event == "created"
    return {
        "bucket": bucket,
        "key": key,
        "size": int(resource.get("size") or 0),
        "etag": resource.get("etag"),
        "event": event,
        "time": (resource.get("updated") or resource.get("timeCreated")) if created else utc_now(),
        "generation": resource.get("generation"),
        "md5Hash": resource.get("md5Hash"),
        "crc32c": resource.get("crc32c"),
        "contentType": resource.get("contentType"),
        "timeCreated": resource.get("timeCreated"),
        "object": dict(resource),
    }


def message_detail(
    topic_id: str, message_id: str, data: bytes, attributes: Mapping[str, str], ordering_key: str = ""
) -> dict[str, Any]:
    """A "message" occurrence's detail: `data` as text (UTF-8, undecodable bytes replaced) and exactly as
    `data_base64`, which is what a Pub/Sub push or CloudEvent carries in `message.data`."""
    published = utc_now()
    return {
        "data": data.decode("utf-8", errors="replace"),
        "data_base64": base64.b64encode(data).decode("ascii"),
        "attributes": dict(attributes),
        "message_id": message_id,
        "time": published,
        "publish_time": published,
        "ordering_key": ordering_key,
        "topic": topic_id,
    }


class OccurrenceLog:
    """Occurrences reported from any thread (the emulator's, the publish server's, the caller's), in order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[Occurrence] = []
        self._message_ids = 0

    def add(self, occurrence: Occurrence) -> None:
        """Record one occurrence."""
        with self._lock:
            self._pending.append(occurrence)

    def next_message_id(self) -> str:
        """A new message id: Pub/Sub's are decimal strings, unique per topic; these are unique per cloud."""
        with self._lock:
            self._message_ids += 1
            return str(self._message_ids)

    def drain(self) -> list[Occurrence]:
        """Every occurrence since the last call, oldest first."""
        with self._lock:
            drained, self._pending = self._pending, []
        return drained
