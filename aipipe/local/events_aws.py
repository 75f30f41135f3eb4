"""The events AWS delivers, built from local occurrences (aipipe.local.contract), each in the documented shape:

- S3 event notification record, version 2.1: docs.aws.amazon.com/AmazonS3/latest/userguide/
  notification-content-structure.html ("The object key name value is URL encoded. For example, `red flower.jpg`
  becomes `red+flower.jpg`"; `sequencer`, "a string representation of a hexadecimal value"); event names per
  docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html
  (`ObjectRemoved:DeleteMarkerCreated` when a versioned bucket keeps the object under a delete marker).
- S3 events through EventBridge (`Object Created`, `Object Deleted`): docs.aws.amazon.com/AmazonS3/latest/
  userguide/ev-events.html.
- SNS to Lambda: docs.aws.amazon.com/lambda/latest/dg/with-sns.html; the JSON an SQS subscriber receives (raw
  delivery off), the JSON
  document of docs.aws.amazon.com/sns/latest/dg/http-notification-json.html ("Subject" only when one was given).
- SQS to Lambda: docs.aws.amazon.com/lambda/latest/dg/with-sqs.html (the EventBridge pipe to a workflow passes
  the same records, as a JSON array: docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-sqs.html).
- Kinesis to Lambda: docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html; DynamoDB streams to Lambda:
  docs.aws.amazon.com/lambda/latest/dg/with-ddb.html.
- EventBridge scheduled events: docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html.
The samples these shapes are checked against are in tests/data/aws_events/ (with their addresses)."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote_plus

from aipipe.local.contract import Occurrence
from aipipe.local.naming import LOCAL_ACCOUNT, local_name
from aipipe.spec.model import region_of

SNS_SIGNATURE = "EXAMPLE"  # nothing signs local messages; the field is there, as handlers may read it
S3_DETAIL_TYPES = {"created": "Object Created", "deleted": "Object Deleted"}
STREAM_VIEW_TYPES = {
    "keys_only": "KEYS_ONLY",
    "new_image": "NEW_IMAGE",
    "old_image": "OLD_IMAGE",
    "new_and_old_images": "NEW_AND_OLD_IMAGES",
}


def region(spec: Any, resource: str) -> str:
    """The region a spec resource lives in."""
    return region_of(spec.resources.get(resource), spec.header.region)


def epoch(time: str) -> float:
    """An ISO 8601 time as seconds since the epoch."""
    return datetime.fromisoformat(time.replace("Z", "+00:00")).timestamp()


def sequencer(time: str) -> str:
    """An S3 sequencer: hexadecimal, growing with time (S3 orders events of one key by it)."""
    return f"{int(epoch(time) * 1_000_000):018X}"


def s3_event_name(event: str, versioned: bool) -> str:
    """`ObjectCreated:Put`, `ObjectRemoved:Delete`, or `ObjectRemoved:DeleteMarkerCreated` on a versioned bucket."""
    if event == "created":
        return "ObjectCreated:Put"
    return "ObjectRemoved:DeleteMarkerCreated" if versioned else "ObjectRemoved:Delete"


def s3_record(spec: Any, bucket: str, occurrence: Occurrence, configuration: str) -> dict:
    """One S3 event notification record."""
    detail = occurrence.detail
    versioned = bool(getattr(spec.resources.get(bucket), "versioning", False))
    name = detail["bucket"]
    obj: dict = {"key": quote_plus(detail["key"], safe="/")}
    if detail["event"] == "created":
        obj.update(size=int(detail.get("size", 0)), eTag=detail.get("etag", ""))
    if versioned:
        obj["versionId"] = detail.get("version_id") or _version_id(detail)
    obj["sequencer"] = sequencer(detail["time"])
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": region(spec, bucket),
        "eventTime": detail["time"],
        "eventName": s3_event_name(detail["event"], versioned),
        "userIdentity": {"principalId": f"AWS:{LOCAL_ACCOUNT}"},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": _request_id(detail), "x-amz-id-2": _request_id(detail) * 4},
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": configuration,
            "bucket": {"name": name, "ownerIdentity": {"principalId": LOCAL_ACCOUNT}, "arn": f"arn:aws:s3:::{name}"},
            "object": obj,
        },
    }


def s3_notification(spec: Any, bucket: str, occurrences: list[Occurrence], configuration: str) -> dict:
    """What S3 sends to a function or a queue: `{"Records": [...]}` (one record per event)."""
    return {"Records": [s3_record(spec, bucket, occurrence, configuration) for occurrence in occurrences]}


def s3_eventbridge(spec: Any, bucket: str, occurrence: Occurrence) -> dict:
    """An S3 object event as EventBridge delivers it to a rule's target."""
    detail = occurrence.detail
    versioned = bool(getattr(spec.resources.get(bucket), "versioning", False))
    obj: dict = {"key": detail["key"]}
    if detail["event"] == "created":
        obj.update(size=int(detail.get("size", 0)), etag=detail.get("etag", ""))
    if versioned:
        obj["version-id"] = detail.get("version_id") or _version_id(detail)
    obj["sequencer"] = sequencer(detail["time"])
    body: dict = {"version": "0", "event-version": "1.0", "bucket": {"name": detail["bucket"]}, "object": obj}
    body.update({"request-id": _request_id(detail), "requester": LOCAL_ACCOUNT, "source-ip-address": "127.0.0.1"})
    if detail["event"] == "created":
        body["reason"] = "PutObject"
    else:
        body["reason"] = "DeleteObject"
        body["deletion-type"] = "Delete Marker Created" if versioned else "Permanently Deleted"
    return _eventbridge(
        S3_DETAIL_TYPES[detail["event"]],
        "aws.s3",
        region(spec, bucket),
        [f"arn:aws:s3:::{detail['bucket']}"],
        detail["time"],
        body,
    )


def scheduled_event(spec: Any, owner: str, position: int, time: str) -> dict:
    """An EventBridge `Scheduled Event` from the rule of a schedule trigger."""
    rule = f"arn:aws:events:{region(spec, owner)}:{LOCAL_ACCOUNT}:rule/{local_name(spec, owner)}-schedule-{position}"
    return _eventbridge("Scheduled Event", "aws.events", region(spec, owner), [rule], time, {})


def _eventbridge(detail_type: str, source: str, where: str, resources: list, time: str, detail: dict) -> dict:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": source,
        "account": LOCAL_ACCOUNT,
        "time": time.split(".")[0].rstrip("Z") + "Z",  # EventBridge times have whole seconds
        "region": where,
        "resources": resources,
        "detail": detail,
    }


def sns_envelope(topic_arn: str, occurrence: Occurrence, region_name: str) -> dict:
    """The SNS notification JSON an SQS subscriber (raw delivery off) receives as its message body."""
    detail = occurrence.detail
    envelope = {
        "Type": "Notification",
        "MessageId": detail["message_id"],
        "TopicArn": topic_arn,
        **({"Subject": detail["subject"]} if detail.get("subject") else {}),
        "Message": detail["data"],
        "Timestamp": detail["time"],
        "SignatureVersion": "1",
        "Signature": SNS_SIGNATURE,
        "SigningCertURL": f"https://sns.{region_name}.amazonaws.com/SimpleNotificationService-local.pem",
        "UnsubscribeURL": f"https://sns.{region_name}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={topic_arn}",
    }
    if attributes := sns_attributes(detail):
        envelope["MessageAttributes"] = attributes
    return envelope


def sns_records(topic_arn: str, occurrences: list[Occurrence], region_name: str) -> dict:
    """What SNS delivers to a subscribed function (one record per message)."""
    records = []
    for occurrence in occurrences:
        envelope = sns_envelope(topic_arn, occurrence, region_name)
        message = {
            "SignatureVersion": "1",
            "Timestamp": envelope["Timestamp"],
            "Signature": SNS_SIGNATURE,
            "SigningCertUrl": envelope["SigningCertURL"],
            "MessageId": envelope["MessageId"],
            "Message": envelope["Message"],
            "MessageAttributes": sns_attributes(occurrence.detail),
            "Type": "Notification",
            "UnsubscribeUrl": envelope["UnsubscribeURL"],
            "TopicArn": topic_arn,
            "Subject": occurrence.detail.get("subject") or None,  # null when the publish had none
        }
        records.append(
            {
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{topic_arn}:{uuid.uuid5(uuid.NAMESPACE_URL, topic_arn)}",
                "EventSource": "aws:sns",
                "Sns": message,
            }
        )
    return {"Records": records}


def sent_attributes(detail: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """A message's attributes as sent: name -> (data type, text; Binary base64). The occurrence's
    `message_attributes` when the local cloud reported them, else its `attributes` typed by their values (text a
    String, a number a Number, a list a String.Array)."""
    sent = detail.get("message_attributes")
    if sent:
        return {name: (value["type"], value["value"]) for name, value in sent.items()}
    typed = {}
    for name, value in (detail.get("attributes") or {}).items():
        if isinstance(value, (list, tuple)):
            typed[name] = ("String.Array", json.dumps(list(value)))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            typed[name] = ("Number", str(value))
        else:
            typed[name] = ("String", str(value))
    return typed


def sns_attributes(detail: Mapping[str, Any]) -> dict:
    """`MessageAttributes` of an SNS notification: {name: {"Type": data type, "Value": text}} (Binary base64), as
    in docs.aws.amazon.com/sns/latest/dg/example-filter-policies.html's notification."""
    return {name: {"Type": kind, "Value": text} for name, (kind, text) in sent_attributes(detail).items()}


def sqs_message_attributes(detail: Mapping[str, Any]) -> dict:
    """`messageAttributes` of an SQS record in a Lambda event (docs.aws.amazon.com/lambda/latest/dg/with-sqs.html):
    `stringValue` for String and Number types (String.Array, which SNS raw delivery passes on, included),
    `binaryValue` (base64) for Binary ones."""
    result = {}
    for name, (kind, text) in sent_attributes(detail).items():
        value = {"binaryValue": text} if kind.startswith("Binary") else {"stringValue": text}
        result[name] = {**value, "stringListValues": [], "binaryListValues": [], "dataType": kind}
    return result


def sqs_record(queue_arn: str, occurrence: Occurrence, region_name: str) -> dict:
    """One SQS message as Lambda (and an EventBridge pipe) receives it."""
    detail = occurrence.detail
    sent = str(int(epoch(detail["time"]) * 1000))
    receives = detail.get("receive_count", 1)
    return {
        "messageId": detail["message_id"],
        "receiptHandle": receipt_handle(detail, sent),
        "body": detail["data"],
        "attributes": {
            "ApproximateReceiveCount": str(receives),
            "SentTimestamp": sent,
            "SenderId": LOCAL_ACCOUNT,
            "ApproximateFirstReceiveTimestamp": sent,
        },
        "messageAttributes": sqs_message_attributes(detail),
        "md5OfBody": hashlib.md5(detail["data"].encode()).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region_name,
    }


def receipt_handle(detail: Mapping[str, Any], sent: str) -> str:
    """A receipt handle for one receive of a message (`receive_count`): "If you receive a message more than once,
    the receipt handle you get each time you receive the message is different" (SQS DeleteMessage,
    docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessage.html)."""
    return base64.b64encode(f"{detail['message_id']}:{sent}:{detail.get('receive_count', 1)}".encode()).decode()


def kinesis_record(stream_arn: str, role_arn: str, occurrence: Occurrence, region_name: str) -> dict:
    """One Kinesis record as Lambda receives it (`data` base64, as put)."""
    detail = occurrence.detail
    shard = detail.get("shard_id", "shardId-000000000000")
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": detail["partition_key"],
            "sequenceNumber": detail["sequence_number"],
            "data": detail["data"],
            "approximateArrivalTimestamp": epoch(detail["time"]),
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{shard}:{detail['sequence_number']}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": role_arn,
        "awsRegion": region_name,
        "eventSourceARN": stream_arn,
    }


def dynamodb_record(stream_arn: str, view: str, occurrence: Occurrence, region_name: str) -> dict:
    """One item change of a table's stream as Lambda receives it; the images the view type keeps."""
    detail = occurrence.detail
    change: dict = {"ApproximateCreationDateTime": float(int(epoch(detail["time"])))}
    change["Keys"] = typed_item(detail["keys"])
    if view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES") and detail.get("new_image") is not None:
        change["NewImage"] = typed_item(detail["new_image"])
    if view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES") and detail.get("old_image") is not None:
        change["OldImage"] = typed_item(detail["old_image"])
    change["SequenceNumber"] = str(detail.get("sequence_number") or int(epoch(detail["time"]) * 1_000_000))
    change["SizeBytes"] = len(json.dumps(change["Keys"]) + json.dumps(change.get("NewImage", {})))
    change["StreamViewType"] = view
    return {
        "eventID": uuid.uuid5(uuid.NAMESPACE_URL, f"{stream_arn}/{change['SequenceNumber']}").hex,
        "eventName": detail["event"],
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region_name,
        "dynamodb": change,
        "eventSourceARN": stream_arn,
    }


def typed_item(item: Mapping[str, Any]) -> dict:
    """An item in DynamoDB's typed JSON (`{"id": {"S": "1"}}`); values already typed stay as they are."""
    return {name: typed_value(value) for name, value in item.items()}


_TYPE_KEYS = {"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"}


def typed_value(value: Any) -> dict:
    """One value in DynamoDB's typed JSON."""
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _TYPE_KEYS:
        return value
    if isinstance(value, bool):
        return {"BOOL": value}
    if value is None:
        return {"NULL": True}
    if isinstance(value, (int, float)):
        return {"N": str(value)}
    if isinstance(value, bytes):
        return {"B": base64.b64encode(value).decode()}
    if isinstance(value, dict):
        return {"M": typed_item(value)}
    if isinstance(value, (list, tuple)):
        return {"L": [typed_value(item) for item in value]}
    return {"S": str(value)}


def _request_id(detail: Mapping[str, Any]) -> str:
    return hashlib.sha1(f"{detail['bucket']}/{detail['key']}/{detail['time']}".encode()).hexdigest()[:16].upper()


def _version_id(detail: Mapping[str, Any]) -> str:
    return hashlib.sha1(f"{detail['key']}/{detail['time']}".encode()).hexdigest()[:32]
