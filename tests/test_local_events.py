"""The events `aipipe invoke` and `aipipe run` deliver, checked against the documented shapes: AWS events have the
keys (at every level) and the JSON types of the documented samples in tests/data/aws_events/; GCP CloudEvents'
data validate against google-cloudevents' JSON schemas and their attributes are those of its examples
(tests/data/cloudevents/). Every trigger of the good corpora and the examples is delivered."""

from __future__ import annotations

import base64
import json
from urllib.parse import unquote_plus

import jsonschema
import pytest
from local_fakes import FakeLocalCloud

from aipipe.local.contract import Occurrence
from aipipe.local.events import delivered_event, sample_occurrences
from aipipe.triggers.eventbridge import bucket_via_eventbridge
from aipipe.triggers.registry import TRIGGERS, trigger_kind, trigger_uses
from aipipe.validation import load_spec

from conftest import DATA, EXAMPLES

AWS_SAMPLES = DATA / "aws_events"
CLOUDEVENTS = DATA / "cloudevents"
SPECS = [DATA / "good" / "aws-everything.yaml", DATA / "good" / "gcp-everything.yaml", *EXAMPLES]
# maps whose keys are the user's data (attribute names, item keys), not part of the shape
FREE_MAPS = {"messageAttributes", "MessageAttributes", "Keys", "NewImage", "OldImage", "detail"}


def _sample(name: str):
    return json.loads((AWS_SAMPLES / name).read_text())


def _kind(value) -> str:
    return {bool: "bool", int: "number", float: "number", str: "string", list: "list", dict: "object"}.get(
        type(value), "null"
    )


def assert_same_shape(actual, sample, where="", optional=frozenset(), nullable=frozenset(), extra=frozenset()):
    """`actual` has the keys of `sample` at every level (less `optional`, plus `extra`) with values of the
    same JSON type (`nullable` keys may be null)."""
    if isinstance(sample, dict):
        assert isinstance(actual, dict), f"{where}: {actual!r} is not an object"
        name = where.rsplit(".", 1)[-1]
        if name in FREE_MAPS:
            return
        missing = set(sample) - set(actual) - optional
        unexpected = set(actual) - set(sample) - extra
        assert not missing and not unexpected, f"{where}: missing {sorted(missing)}, unexpected {sorted(unexpected)}"
        for key in set(actual) & set(sample):
            if key in nullable and actual[key] is None:
                continue
            assert_same_shape(actual[key], sample[key], f"{where}.{key}", optional, nullable, extra)
    elif isinstance(sample, list):
        assert isinstance(actual, list) and actual, f"{where}: not a non-empty list"
        for item in actual:
            assert_same_shape(item, sample[0], f"{where}[]", optional, nullable, extra)
    else:
        assert _kind(actual) == _kind(sample), f"{where}: {actual!r} is a {_kind(actual)}, documented {_kind(sample)}"


def _uses(path):
    result = load_spec(str(path), "dev")
    assert result.valid, [d.message for d in result.diagnostics]
    spec = result.spec
    return spec, [use for uses in trigger_uses(spec.resources).values() for use in uses]


def _all_uses():
    for path in SPECS:
        spec, uses = _uses(path)
        for use in uses:
            yield pytest.param(spec, use, id=f"{path.parent.name}/{path.stem}:{use.owner}#{use.position + 1}")


def _relaxed_validator(schema):
    """google-cloudevents' schemas say "integer" for int64 fields that events carry as decimal strings."""
    integer = jsonschema.Draft4Validator.TYPE_CHECKER.redefine(
        "integer",
        lambda checker, value: (
            (isinstance(value, int) and not isinstance(value, bool))
            or (isinstance(value, str) and value.lstrip("-").isdigit())
        ),
    )
    return jsonschema.validators.extend(jsonschema.Draft4Validator, type_checker=integer)(schema)


def _schema(name: str):
    return json.loads((CLOUDEVENTS / name).read_text())


def _check_aws(spec, use, event):
    key, target = trigger_kind(use.trigger).key, use.target.type
    if key == "bucket" and target == "queue":
        assert_same_shape(json.loads(event), _sample("s3-notification.json"))
    elif key == "bucket" and bucket_via_eventbridge(spec.resources, use):
        deleted = event["detail-type"] == "Object Deleted"
        assert_same_shape(
            event,
            _sample("s3-eventbridge-object-created.json"),
            optional={"size", "etag", "version-id"} if deleted else {"version-id"},
            extra={"deletion-type"},
        )
    elif key == "bucket":
        deleted = event["Records"][0]["eventName"].startswith("ObjectRemoved")
        optional = {"size", "eTag", "versionId"} if deleted else {"versionId"}
        assert_same_shape(event, _sample("s3-notification.json"), optional=optional)
    elif key == "topic" and target == "queue":
        assert_same_shape(json.loads(event), _sample("sns-http-notification.json"), optional={"Subject"})
    elif key == "topic" and target == "workflow":  # the pipe's array of one SQS record, its body SNS's JSON
        assert len(event) == 1
        assert_same_shape({"Records": event}, _sample("sqs.json"))
        assert_same_shape(json.loads(event[0]["body"]), _sample("sns-http-notification.json"), optional={"Subject"})
    elif key == "topic":
        assert_same_shape(event, _sample("sns.json"), nullable={"Subject"})
    elif key in ("queue", "subscription"):  # a subscription's queue (raw delivery: the body is the message)
        assert_same_shape(event, _sample("sqs.json"))
    elif key == "stream" and spec.resources[use.trigger.stream].type == "table":
        # ApproximateCreationDateTime: on every record Lambda delivers (with-ddb.html's other examples have it)
        assert_same_shape(event, _sample("dynamodb.json"), extra={"ApproximateCreationDateTime"})
    elif key == "stream":
        assert_same_shape(event, _sample("kinesis.json"))
    else:
        assert key == "schedule"
        assert_same_shape(event, _sample("scheduled-event.json"))


def _check_gcp(spec, use, event):
    key = trigger_kind(use.trigger).key
    if key == "schedule":
        assert event["http"]["method"] == "POST"
        assert event["http"]["headers"]["User-Agent"] == "Google-Cloud-Scheduler"
        return
    if key == "subscription":  # the raw push request, which functions-framework converts to a CloudEvent
        assert event["http"]["method"] == "POST"
        body = json.loads(event["http"]["body"])
        assert set(body) == {"message", "subscription"}
        assert body["subscription"].startswith("projects/") and "/subscriptions/" in body["subscription"]
        properties = _schema("schema_pubsub_v1_MessagePublishedData.json")["definitions"]["PubsubMessage"]["properties"]
        assert {"data", "messageId", "publishTime"} <= set(body["message"])
        assert set(body["message"]) <= set(properties) | {"message_id", "publish_time"}
        return
    example, schema = {
        "bucket": ("structured_storage_StorageObjectDataWorkflows.json", "schema_storage_v1_StorageObjectData.json"),
        "topic": ("structured_pubsub_MessagePublishedData.json", "schema_pubsub_v1_MessagePublishedData.json"),
    }[key]
    documented = json.loads((CLOUDEVENTS / example).read_text())
    assert set(event["attributes"]) == set(documented) - {"data"}
    assert event["attributes"]["specversion"] == "1.0"
    _relaxed_validator(_schema(schema)).validate(event["data"])
    assert event["attributes"]["type"] in _schema(schema)["cloudeventTypes"]
    # the schemas allow any other property: no field of ours is outside the documented ones
    definitions = _schema(schema)["definitions"]
    if key == "bucket":
        assert set(event["data"]) <= set(definitions["StorageObjectData"]["properties"])
    else:
        assert set(event["data"]) <= set(definitions["MessagePublishedData"]["properties"])
        duplicated = {"message_id", "publish_time"}  # testdata MessagePublishedData-duplicatedFields.json
        assert set(event["data"]["message"]) <= set(definitions["PubsubMessage"]["properties"]) | duplicated


@pytest.mark.parametrize(("spec", "use"), list(_all_uses()))
def test_every_trigger_delivers_its_documented_shape(spec, use):
    cloud = FakeLocalCloud(spec)
    event = delivered_event(spec, use, sample_occurrences(spec, use, cloud), cloud)
    json.dumps(event)  # what the handler gets is JSON
    (_check_gcp if spec.cloud == "gcp" else _check_aws)(spec, use, event)


def test_the_corpora_deliver_every_trigger_kind_on_each_cloud():
    covered = {"aws": set(), "gcp": set()}
    for path in SPECS:
        spec, uses = _uses(path)
        covered[spec.cloud] |= {trigger_kind(use.trigger).key for use in uses}
    for cloud in covered:
        wired = {key for key, kind in TRIGGERS.items() if any(c == cloud for c, _ in kind.wiring)}
        assert covered[cloud] == wired


@pytest.mark.parametrize(("spec", "use"), list(_all_uses()))
def test_a_sample_fires_its_own_trigger(spec, use):
    """The sample object lies under the trigger's prefix and suffix, for an event it takes (the model's own rule)."""
    for occurrence in sample_occurrences(spec, use, FakeLocalCloud(spec)):
        if occurrence.kind == "object":
            assert use.trigger.matches(occurrence.detail["event"], occurrence.detail["key"])


def _example(name: str):
    return next(path for path in EXAMPLES if path.parent.name == name)


def _spec_use(path, owner: str, key: str):
    spec, uses = _uses(path)
    return spec, next(use for use in uses if use.owner == owner and trigger_kind(use.trigger).key == key)


def test_s3_keys_are_url_encoded_as_s3_does_and_event_names_follow_versioning():
    spec, use = _spec_use(_example("event-driven-ingest"), "preprocess", "bucket")
    cloud = FakeLocalCloud(spec)
    sample = sample_occurrences(spec, use, cloud)[0]
    created = Occurrence(sample.source, "object", {**sample.detail, "key": "data/red flower=1.json"})
    record = delivered_event(spec, use, [created], cloud)["Records"][0]
    assert record["s3"]["object"]["key"] == "data/red+flower%3D1.json"
    assert unquote_plus(record["s3"]["object"]["key"]) == "data/red flower=1.json"
    assert record["eventName"] == "ObjectCreated:Put"
    assert record["s3"]["bucket"] == {
        "name": "event-driven-ingest-dev-raw",
        "ownerIdentity": {"principalId": "123456789012"},
        "arn": "arn:aws:s3:::event-driven-ingest-dev-raw",
    }
    deleted = Occurrence(sample.source, "object", {**sample.detail, "event": "deleted"})
    removed = delivered_event(spec, use, [deleted], cloud)["Records"][0]
    assert removed["eventName"] == "ObjectRemoved:DeleteMarkerCreated"  # the example's buckets are versioned
    assert "size" not in removed["s3"]["object"]


def _record(sample, data: bytes, number: str) -> dict:
    return {**sample.detail, "data": base64.b64encode(data).decode(), "sequence_number": number}


def test_batches_hold_one_record_per_occurrence_and_kinesis_data_stays_base64():
    spec, use = _spec_use(_example("event-driven-ingest"), "index-events", "stream")
    cloud = FakeLocalCloud(spec)
    sample = sample_occurrences(spec, use, cloud)[0]
    records = [
        Occurrence(sample.source, "record", _record(sample, text, n))
        for n, text in (("1", b'{"a": 1}'), ("2", b'{"a": 2}'))
    ]
    event = delivered_event(spec, use, records, cloud)
    assert [base64.b64decode(r["kinesis"]["data"]) for r in event["Records"]] == [b'{"a": 1}', b'{"a": 2}']
    assert event["Records"][0]["eventSourceARN"] == cloud.attribute("record-events", "arn")
    assert event["Records"][1]["eventID"] == "shardId-000000000000:2"


def test_a_pubsub_cloudevent_carries_the_message_as_eventarc_does():
    spec, use = _spec_use(DATA / "good" / "gcp-everything.yaml", "on-update", "topic")
    cloud = FakeLocalCloud(spec)
    sample = sample_occurrences(spec, use, cloud)[0]
    message = Occurrence(sample.source, "message", {**sample.detail, "data": '{"id": "7"}', "attributes": {"k": "v"}})
    event = delivered_event(spec, use, [message], cloud)
    assert event["attributes"]["source"].startswith("//pubsub.googleapis.com/projects/")
    assert event["attributes"]["source"].endswith("/topics/" + cloud.attribute("updates", "name"))
    assert base64.b64decode(event["data"]["message"]["data"]) == b'{"id": "7"}'
    assert event["data"]["message"]["attributes"] == {"k": "v"}
    duplicated = json.loads((CLOUDEVENTS / "testdata_pubsub_v1_MessagePublishedData-duplicatedFields.json").read_text())
    assert set(duplicated["message"]) - {"@type"} <= set(event["data"]["message"])


def test_the_int64_relaxation_is_what_the_documented_storage_data_needs():
    documented = json.loads((CLOUDEVENTS / "testdata_storage_v1_StorageObjectData-simple.json").read_text())
    schema = _schema("schema_storage_v1_StorageObjectData.json")
    _relaxed_validator(schema).validate(documented)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate(documented)


# a message as the local AWS cloud reports a publish with every SNS data type (aipipe.local.aws.observe)
TYPED_MESSAGE = {
    "data": "hello",
    "attributes": {"kind": "image", "size": 1.5, "tags": ["a", "b"]},  # as SNS filters compare them: no Binary
    "message_attributes": {
        "kind": {"type": "String", "value": "image"},
        "size": {"type": "Number", "value": "1.50"},
        "tags": {"type": "String.Array", "value": '["a", "b"]'},
        "sig": {"type": "Binary", "value": "AAE="},
    },
    "subject": "Greeting",
    "message_id": "m-1",
    "time": "2026-01-02T03:04:05.000Z",
}


def test_sns_and_sqs_records_carry_each_attributes_data_type_and_the_subject():
    spec, uses = _uses(DATA / "good" / "aws-everything.yaml")
    cloud = FakeLocalCloud(spec)
    by_key = {(use.owner, trigger_kind(use.trigger).key): use for use in uses}
    topic, queue = by_key[("ingest", "topic")], by_key[("worker", "queue")]
    message = Occurrence(trigger_kind(topic.trigger).source(topic.trigger), "message", TYPED_MESSAGE)
    expected = {
        "kind": {"Type": "String", "Value": "image"},
        "size": {"Type": "Number", "Value": "1.50"},  # the text as sent
        "tags": {"Type": "String.Array", "Value": '["a", "b"]'},
        "sig": {"Type": "Binary", "Value": "AAE="},
    }
    sns = delivered_event(spec, topic, [message], cloud)["Records"][0]["Sns"]
    assert sns["MessageAttributes"] == expected and sns["Subject"] == "Greeting"
    envelope = json.loads(delivered_event(spec, by_key[("jobs", "topic")], [message], cloud))
    assert envelope["MessageAttributes"] == expected and envelope["Subject"] == "Greeting"
    untitled = Occurrence(message.source, "message", {**TYPED_MESSAGE, "subject": None})
    assert delivered_event(spec, topic, [untitled], cloud)["Records"][0]["Sns"]["Subject"] is None
    assert "Subject" not in json.loads(delivered_event(spec, by_key[("jobs", "topic")], [untitled], cloud))
    sent = Occurrence(trigger_kind(queue.trigger).source(queue.trigger), "message", TYPED_MESSAGE)
    record = delivered_event(spec, queue, [sent], cloud)["Records"][0]
    assert {name: value["dataType"] for name, value in record["messageAttributes"].items()} == {
        "kind": "String",
        "size": "Number",
        "tags": "String.Array",
        "sig": "Binary",
    }
    assert record["messageAttributes"]["size"]["stringValue"] == "1.50"
    assert (
        record["messageAttributes"]["sig"]["binaryValue"] == "AAE="
        and "stringValue" not in (record["messageAttributes"]["sig"])
    )
    # attributes with no reported types (the user's --publish) are typed by their values
    plain = Occurrence(sent.source, "message", {**TYPED_MESSAGE, "message_attributes": {}})
    types = {
        n: v["dataType"]
        for n, v in delivered_event(spec, queue, [plain], cloud)["Records"][0]["messageAttributes"].items()
    }
    assert types == {"kind": "String", "size": "Number", "tags": "String.Array"}


def test_a_redelivered_sqs_message_counts_its_receives_and_gets_a_new_receipt_handle():
    spec, uses = _uses(DATA / "good" / "aws-everything.yaml")
    cloud = FakeLocalCloud(spec)
    queue = next(use for use in uses if use.owner == "worker" and trigger_kind(use.trigger).key == "queue")
    source = trigger_kind(queue.trigger).source(queue.trigger)
    records = [
        delivered_event(spec, queue, [Occurrence(source, "message", {**TYPED_MESSAGE, **extra})], cloud)["Records"][0]
        for extra in ({}, {"receive_count": 1}, {"receive_count": 2})
    ]
    assert [r["attributes"]["ApproximateReceiveCount"] for r in records] == ["1", "1", "2"]
    assert records[0]["receiptHandle"] == records[1]["receiptHandle"] != records[2]["receiptHandle"]
    assert len({r["messageId"] for r in records}) == 1
