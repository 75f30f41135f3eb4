"""The CloudEvents Eventarc delivers to a Cloud Function (2nd gen), as `{"attributes": {...}, "data": {...}}`.

Shapes from github.com/googleapis/google-cloudevents (commit 6fda292): the data schemas
jsonschema/google/events/cloud/storage/v1/StorageObjectData.json and .../pubsub/v1/MessagePublishedData.json,
and the examples examples/structured/storage/StorageObjectDataWorkflows.json (source
`//storage.googleapis.com/projects/_/buckets/<bucket>`, subject `objects/<name>`, the `bucket` extension
attribute) and examples/structured/pubsub/MessagePublishedData.json (source `//pubsub.googleapis.com/projects/
<project>/topics/<topic>`). Integers of the object (size, generation, metageneration) are JSON strings, as proto3's
JSON mapping writes int64 and as the testdata StorageObjectData-simple.json shows. A Pub/Sub event carries the
message's fields in both spellings (messageId and message_id, publishTime and publish_time), as
testdata/google/events/cloud/pubsub/v1/MessagePublishedData-duplicatedFields.json shows Eventarc sends them.
The copies the tests validate against are in tests/data/cloudevents/.

A schedule trigger is no CloudEvent: Cloud Scheduler POSTs to the function's URL (templates/triggers/schedule/
gcp-function.py.j2: `http_method: POST`, no body), so its event is `{"http": {...}}`, which the local handler
delivers to an HTTP function through functions-framework. A subscription trigger's push is no CloudEvent either:
the raw Pub/Sub push request, POSTed as JSON (`push_request`)."""

from __future__ import annotations

import base64
import json
import uuid
from urllib.parse import quote

from aipipe.local.contract import Occurrence

SPECVERSION = "1.0"
# Cloud Scheduler API v1, HttpTarget.headers: the User-Agent "will be set to Google-Cloud-Scheduler",
# X-CloudScheduler to true, X-CloudScheduler-JobName to the job's name, X-CloudScheduler-ScheduleTime to the
# schedule time for unix-cron jobs
SCHEDULER_USER_AGENT = "Google-Cloud-Scheduler"


def storage_event(event_type: str, occurrence: Occurrence) -> dict:
    """A Cloud Storage object CloudEvent (`google.cloud.storage.object.v1.finalized` / `.deleted`)."""
    detail = occurrence.detail
    bucket, name = detail["bucket"], detail["key"]
    generation = str(detail.get("generation") or _microseconds(detail["time"]))
    data: dict = {
        "bucket": bucket,
        "contentType": detail.get("content_type", "application/octet-stream"),
        "etag": detail.get("etag", ""),
        "generation": generation,
        "id": f"{bucket}/{name}/{generation}",
        "kind": "storage#object",
        "mediaLink": f"https://storage.googleapis.com/download/storage/v1/b/{bucket}/o/{quote(name, safe='')}"
        f"?generation={generation}&alt=media",
        "metageneration": "1",
        "name": name,
        "selfLink": f"https://www.googleapis.com/storage/v1/b/{bucket}/o/{quote(name, safe='')}",
        "size": str(int(detail.get("size", 0))),
        "storageClass": "STANDARD",
        "timeCreated": detail["time"],
        "timeStorageClassUpdated": detail["time"],
        "updated": detail["time"],
    }
    md5 = detail.get("md5")
    if md5:
        data["md5Hash"] = base64.b64encode(bytes.fromhex(md5)).decode()
    if detail.get("crc32c"):
        data["crc32c"] = detail["crc32c"]
    attributes = {
        "specversion": SPECVERSION,
        "id": str(detail.get("event_id") or uuid.uuid4().int % 10**16),
        "source": f"//storage.googleapis.com/projects/_/buckets/{bucket}",
        "type": event_type,
        "subject": f"objects/{name}",
        "time": detail["time"],
        "datacontenttype": "application/json",
        "bucket": bucket,
    }
    return {"attributes": attributes, "data": data}


def pubsub_message(detail) -> dict:
    """A PubsubMessage as Eventarc and push requests carry it: base64 `data`, `attributes` when there are any, and
    the id and publish time in both spellings."""
    # the exact bytes where the cloud kept them (`data` is text, undecodable bytes replaced)
    data = detail.get("data_base64") or base64.b64encode(detail["data"].encode()).decode()
    message: dict = {
        "data": data,
        "messageId": detail["message_id"],
        "message_id": detail["message_id"],
        "publishTime": detail["time"],
        "publish_time": detail["time"],
    }
    if detail.get("attributes"):
        message["attributes"] = dict(detail["attributes"])
    return message


def pubsub_event(event_type: str, topic_id: str, subscription: str, occurrence: Occurrence) -> dict:
    """A Pub/Sub `messagePublished` CloudEvent for one message of the topic (`projects/<p>/topics/<t>`)."""
    detail = occurrence.detail
    message = pubsub_message(detail)
    attributes = {
        "specversion": SPECVERSION,
        "id": detail["message_id"],
        "source": f"//pubsub.googleapis.com/{topic_id}",
        "type": event_type,
        "time": detail["time"],
        "datacontenttype": "application/json",
    }
    return {"attributes": attributes, "data": {"subscription": subscription, "message": message}}


def push_request(subscription: str, occurrence: Occurrence) -> dict:
    """The HTTP request a push subscription (`projects/<p>/subscriptions/<s>`) POSTs for one message: the wrapped
    JSON body `{"message": {...}, "subscription": ...}` (cloud.google.com/pubsub/docs/push, "Receiving messages"),
    the message's fields in both spellings as for Eventarc above. functions-framework turns it into a CloudEvent
    for a CloudEvent handler (event_conversion._is_raw_pubsub_payload needs `subscription`, `message.data` and
    `message.messageId`)."""
    body = json.dumps({"message": pubsub_message(occurrence.detail), "subscription": subscription})
    headers = {"Content-Type": "application/json"}
    return {"http": {"method": "POST", "path": "/", "headers": headers, "body": body}}


def scheduler_request(job: str, time: str) -> dict:
    """The HTTP request Cloud Scheduler job `job` (`projects/<p>/locations/<region>/jobs/<name>`) sends."""
    headers = {
        "User-Agent": SCHEDULER_USER_AGENT,
        "X-CloudScheduler": "true",
        "X-CloudScheduler-JobName": job,
        "X-CloudScheduler-ScheduleTime": time,
    }
    return {"http": {"method": "POST", "path": "/", "headers": headers, "body": ""}}


def _microseconds(time: str) -> int:
    from datetime import datetime

    return int(datetime.fromisoformat(time.replace("Z", "+00:00")).timestamp() * 1_000_000)
