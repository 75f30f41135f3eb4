"""The local AWS cloud (aipipe.local.aws): a stack's resources on moto's server in this process, its bucket
contents as files, what happens to its resources as occurrences, and workflows run in moto's Step Functions
interpreter with their Lambda tasks dispatched to an invoker (here a small in-test one)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("moto")
pytest.importorskip("flask")  # moto's server (the `local` extra)

import boto3

from aipipe.kinds.registry import KINDS
from aipipe.local.aws import AwsLocalCloud
from aipipe.local.aws.names import MAX_NAME, local_name
from aipipe.local.aws.server import DUMMY_KEY_ID, is_inherited_aws_variable
from aipipe.local.bucket_files import object_path
from aipipe.local.contract import Outcome
from aipipe.validation import load_spec

from conftest import DATA, ROOT

AWS_SPECS = {
    "event-driven-ingest": ROOT / "specs" / "event-driven-ingest" / "aipipe.yaml",
    "async-training-pipeline": ROOT / "specs" / "async-training-pipeline" / "aipipe.yaml",
    "cross-region-replication": ROOT / "specs" / "cross-region-replication" / "aipipe.yaml",
    "aws-everything": DATA / "good" / "aws-everything.yaml",
}

SMALL = """\
aipipe: 1
name: small
cloud: aws
region: eu-west-1
resources:
  inbox: {type: bucket}
  alerts: {type: topic}
  work: {type: queue}
  work-fifo: {type: queue, fifo: true}
  alert-copies: {type: subscription, topic: alerts, dead_letter: {max_attempts: 5}}
  clicks: {type: stream, shards: 2}
  orders:
    type: table
    partition_key: {name: id, type: string}
    stream: new_and_old_images
  handle: {type: function, runtime: python3.12, handler: app.handler, code: ./app}
  flow:
    type: workflow
    steps:
      - handle
      - {task: {service: sns.publish, topic: alerts, message: $.handle}, result_path: $.published}
      - {name: Send, task: {service: sqs.send, queue: work, message: {file: $.key}}}
"""


def spec_of(path: Path, stack: str = "dev"):
    result = load_spec(str(path), stack)
    assert result.spec is not None, result.diagnostics
    return result.spec


@pytest.fixture
def small(write_spec, tmp_path):
    """The SMALL spec's local cloud, started, with its data folder under tmp_path/data."""
    cloud = AwsLocalCloud(spec_of(write_spec(SMALL)), "dev", tmp_path / "data")
    with cloud:
        yield cloud


def handler_client(cloud: AwsLocalCloud, service: str):
    """A client configured only from handler_environment(), as a handler's boto3 would be."""
    env = cloud.handler_environment()
    return boto3.session.Session(
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        region_name=env["AWS_REGION"],
    ).client(service, endpoint_url=env["AWS_ENDPOINT_URL"])


# --- start and stop ------------------------------------------------------------------------------------------


def test_start_and_stop_serve_on_loopback_only(write_spec, tmp_path):
    cloud = AwsLocalCloud(spec_of(write_spec(SMALL)), "dev", tmp_path)
    cloud.start()
    try:
        host, port = cloud.endpoint.removeprefix("http://").split(":")
        assert host == "127.0.0.1"
        assert listening_addresses() == {("127.0.0.1", int(port))}
        assert os.environ["MOTO_PORT"] == port  # where moto's interpreter reaches the other services
        second = AwsLocalCloud(spec_of(write_spec(SMALL)), "dev", tmp_path)
        with pytest.raises(RuntimeError, match="another local AWS cloud"):
            second.start()
        second.stop()  # stops nothing: the running cloud keeps its server and settings
        assert os.environ["MOTO_PORT"] == port and listening_addresses() == {("127.0.0.1", int(port))}
    finally:
        cloud.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", int(port)), timeout=1)
    assert "MOTO_PORT" not in os.environ
    cloud.stop()  # a second stop does nothing
    with AwsLocalCloud(spec_of(write_spec(SMALL)), "dev", tmp_path):  # the next one may start
        pass


def listening_addresses() -> set[tuple[str, int]]:
    """The TCP addresses this process listens on, from /proc (its socket inodes in the tables of listeners)."""
    if not Path("/proc/self/fd").is_dir():
        pytest.skip("needs Linux's /proc")
    inodes = set()
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = set()
    for table, size in (("/proc/self/net/tcp", 4), ("/proc/self/net/tcp6", 16)):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                address, port = fields[1].split(":")
                packed = bytes.fromhex(address)
                if size == 4:
                    host = socket.inet_ntop(socket.AF_INET, packed[::-1])
                else:
                    words = b"".join(packed[i : i + 4][::-1] for i in range(0, 16, 4))
                    host = socket.inet_ntop(socket.AF_INET6, words)
                found.add((host, int(port, 16)))
    return found


def test_an_example_starts_within_two_seconds(tmp_path):
    spec = spec_of(AWS_SPECS["event-driven-ingest"])
    started = time.perf_counter()
    with AwsLocalCloud(spec, "dev", tmp_path):
        elapsed = time.perf_counter() - started
    assert elapsed < 2, f"event-driven-ingest took {elapsed:.2f} s to start"


def test_the_handlers_environment_holds_no_real_credentials(small, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALREALREAL")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-secret")
    monkeypatch.setenv("AWS_PROFILE", "production")
    env = small.handler_environment()
    assert env["AWS_ACCESS_KEY_ID"] == DUMMY_KEY_ID and "real" not in env["AWS_SECRET_ACCESS_KEY"]
    assert env["AWS_ENDPOINT_URL"] == small.endpoint and env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert env["AWS_SHARED_CREDENTIALS_FILE"] == env["AWS_CONFIG_FILE"] == os.devnull
    assert "AWS_PROFILE" not in env and is_inherited_aws_variable("AWS_PROFILE")
    assert not is_inherited_aws_variable("PATH")
    # the cloud's own clients sign with the dummy key whatever the environment holds, and ignore its profile
    kinesis = small.client("kinesis", "us-west-2")
    assert kinesis._request_signer._credentials.access_key == DUMMY_KEY_ID
    assert kinesis.list_streams()["StreamNames"] == []
    monkeypatch.delenv("AWS_PROFILE")  # as the handler's environment drops it
    assert handler_client(small, "s3").list_buckets()["Buckets"]  # a handler's boto3 reaches moto


# --- resources -----------------------------------------------------------------------------------------------


def expected_names(spec, stack: str) -> dict[str, set[str]]:
    prefix = f"{spec.header.name}-{stack}-".lower()
    by_type: dict[str, set[str]] = {}
    for name, model in spec.resources.items():
        local = getattr(model, "existing", None) or prefix + name
        if model.type == "queue" and model.fifo:
            local += ".fifo"
        by_type.setdefault(model.type, set()).add(local)
        if model.type == "subscription" and model.dead_letter:
            by_type.setdefault("queue", set()).add(prefix + name + "-dead-letters")
    return by_type


@pytest.mark.parametrize("example", sorted(AWS_SPECS))
def test_each_resource_that_runs_locally_exists_in_moto(example, tmp_path):
    spec = spec_of(AWS_SPECS[example])
    expected = expected_names(spec, "dev")
    with AwsLocalCloud(spec, "dev", tmp_path) as cloud:
        cloud.create_state_machines()
        regions = {cloud.names.region(name) for name in spec.resources} | {spec.header.region}
        found: dict[str, set[str]] = {}
        found["bucket"] = {bucket["Name"] for bucket in cloud.client("s3").list_buckets()["Buckets"]}
        for region in regions:
            topics = cloud.client("sns", region).list_topics()["Topics"]
            found.setdefault("topic", set()).update(topic["TopicArn"].rsplit(":", 1)[1] for topic in topics)
            urls = cloud.client("sqs", region).list_queues().get("QueueUrls", [])
            found.setdefault("queue", set()).update(url.rsplit("/", 1)[1] for url in urls)
            found.setdefault("stream", set()).update(cloud.client("kinesis", region).list_streams()["StreamNames"])
            found.setdefault("table", set()).update(cloud.client("dynamodb", region).list_tables()["TableNames"])
            machines = cloud.client("stepfunctions", region).list_state_machines()["stateMachines"]
            found.setdefault("workflow", set()).update(machine["name"] for machine in machines)
        skipped = {name for name, _ in cloud.not_run_locally()}
    assert found["bucket"] == expected.get("bucket", set())
    assert found["topic"] == expected.get("topic", set())
    assert found["queue"] == expected.get("queue", set()) | expected.get("subscription", set())
    assert found["stream"] == expected.get("stream", set())
    assert found["table"] == expected.get("table", set())
    assert found["workflow"] == expected.get("workflow", set())
    not_local = {name for name, model in spec.resources.items() if model.type in ("replication", "key", "pulumi")}
    if example == "aws-everything":
        not_local.add("orchestrate")  # its Glue and workflow.start steps
    assert skipped == not_local


def test_what_does_not_run_locally_says_what_the_cloud_would_do(tmp_path):
    with AwsLocalCloud(spec_of(AWS_SPECS["aws-everything"]), "dev", tmp_path) as cloud:
        skipped = dict(cloud.not_run_locally())
    assert skipped["to-replica"] == "S3 replication copies every new object of `landing` to `replica` (deletions too)"
    assert "DataSync" in skipped["nightly"] and "cron(0 3 * * ? *)" in skipped["nightly"]
    assert "aws:dynamodb/table:Table" in skipped["results"]
    assert "nothing is encrypted" in skipped["data-key"]
    steps = [what for name, what in cloud.not_run_locally() if name == "orchestrate"]
    assert steps == [
        "step `Etl` starts the Glue job `nightly-etl`, which does not exist locally: the step fails there",
        "step `RunPipeline` starts workflow `subflow`: moto's interpreter cannot run `workflow.start` tasks, so the "
        "step fails locally with States.Runtime",
        "step `StartPipeline` starts workflow `pipeline`: moto's interpreter cannot run `workflow.start` tasks, so "
        "the step fails locally with States.Runtime",
    ]


def test_stack_only_resources_follow_the_stack(tmp_path):
    spec = spec_of(AWS_SPECS["aws-everything"], "prod")
    with AwsLocalCloud(spec, "prod", tmp_path) as cloud:
        buckets = {bucket["Name"] for bucket in cloud.client("s3").list_buckets()["Buckets"]}
    assert "aws-everything-prod-audit" in buckets and "aws-everything-prod-landing" in buckets


def test_long_names_are_cut_to_the_services_limit_and_stay_distinct():
    first = local_name("p" * 40, "s" * 40, "bucket-one", "bucket")
    second = local_name("p" * 40, "s" * 40, "bucket-two", "bucket")
    assert len(first) == len(second) == MAX_NAME["bucket"] and first != second
    assert local_name("Ingest", "dev", "raw", "bucket") == "ingest-dev-raw"


# --- attributes ----------------------------------------------------------------------------------------------


def test_attributes_are_the_local_resources_own(small):
    sqs, sns = small.client("sqs"), small.client("sns")
    assert small.attribute("inbox", "name") == "small-dev-inbox"
    assert small.attribute("inbox", "url") == "s3://small-dev-inbox"
    assert small.attribute("inbox", "arn") == "arn:aws:s3:::small-dev-inbox"
    [topic] = sns.list_topics()["Topics"]
    assert small.attribute("alerts", "arn") == small.attribute("alerts", "id") == topic["TopicArn"]
    assert topic["TopicArn"] == "arn:aws:sns:eu-west-1:123456789012:small-dev-alerts"
    for queue in ("work", "work-fifo", "alert-copies"):
        url = sqs.get_queue_url(QueueName=small.attribute(queue, "name"))["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        assert small.attribute(queue, "url") == url and small.attribute(queue, "arn") == arn
    assert small.attribute("alert-copies", "id") == small.attribute("alert-copies", "url")
    assert small.attribute("work-fifo", "name").endswith(".fifo")
    redrive = sqs.get_queue_attributes(QueueUrl=small.attribute("alert-copies", "url"), AttributeNames=["All"])
    policy = json.loads(redrive["Attributes"]["RedrivePolicy"])
    assert policy["maxReceiveCount"] == 5
    assert policy["deadLetterTargetArn"].endswith(":small-dev-alert-copies-dead-letters")
    assert small.dead_letter_queue_url("alert-copies").endswith("/small-dev-alert-copies-dead-letters")
    stream = small.client("kinesis").describe_stream(StreamName=small.attribute("clicks", "name"))
    assert small.attribute("clicks", "arn") == stream["StreamDescription"]["StreamARN"]
    table = small.client("dynamodb").describe_table(TableName=small.attribute("orders", "name"))["Table"]
    assert small.attribute("orders", "arn") == table["TableArn"]
    assert small.attribute("orders", "stream_arn") == table["LatestStreamArn"]
    assert small.attribute("handle", "arn") == "arn:aws:lambda:eu-west-1:123456789012:function:small-dev-handle"
    small.create_state_machines()
    [machine] = small.client("stepfunctions").list_state_machines()["stateMachines"]
    assert (
        small.attribute("flow", "arn") == machine["stateMachineArn"]
        and small.attribute("flow", "name") == "small-dev-flow"
    )


def test_every_attribute_of_every_kind_has_a_local_value(tmp_path):
    spec = spec_of(AWS_SPECS["aws-everything"])
    with AwsLocalCloud(spec, "dev", tmp_path) as cloud:
        for name, model in spec.resources.items():
            form = KINDS[model.type].clouds["aws"]
            attributes = ("id", "urn") if model.type == "pulumi" else form.attributes_for(model)
            for attribute in attributes:
                value = cloud.attribute(name, attribute)
                assert isinstance(value, str) and (value or attribute == "stream_arn"), (name, attribute)
        assert cloud.attribute("sessions", "stream_arn") == ""  # no stream: empty, as pulumi-aws leaves it
        assert cloud.attribute("vendor-drop", "name") == "vendor-drop-bucket-2024"  # an existing bucket's own
        assert cloud.attribute("replica", "arn") == "arn:aws:s3:::aws-everything-dev-replica"
        assert cloud.resolve("${events.arn}|${stack}|${region}|${account}") == (
            "arn:aws:sns:us-east-1:123456789012:aws-everything-dev-events|dev|us-east-1|123456789012"
        )
        with pytest.raises(LookupError, match="no local `arn`"):
            cloud.attribute("results", "arn")


def test_stored_secrets_hold_the_environments_value(tmp_path, monkeypatch):
    monkeypatch.setenv("LABELLING_API_KEY", "local-key")
    with AwsLocalCloud(spec_of(AWS_SPECS["event-driven-ingest"]), "dev", tmp_path) as cloud:
        arn = cloud.resolve("${secret.LABELLING_API_KEY.arn}")
        assert arn.startswith("arn:aws:secretsmanager:us-east-1:123456789012:secret:event-driven-ingest-dev-")
        value = handler_client(cloud, "secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
        assert value == "local-key"
        assert cloud.resolve("${secret.LABELLING_API_KEY}") == "local-key"
        monkeypatch.delenv("LABELLING_API_KEY")
        with pytest.raises(LookupError, match="not set in the environment"):
            cloud.resolve("${secret.LABELLING_API_KEY}")


def test_a_resource_in_another_region_is_there_locally(tmp_path):
    spec = spec_of(AWS_SPECS["cross-region-replication"])
    with AwsLocalCloud(spec, "dev", tmp_path) as cloud:
        name = cloud.attribute("corpus-eu", "name")
        assert cloud.client("s3").get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"


# --- bucket contents as files --------------------------------------------------------------------------------


def test_bucket_files_load_at_start_and_changes_are_written_back(write_spec, tmp_path):
    spec = spec_of(write_spec(SMALL))
    data = tmp_path / "data"
    (data / "inbox" / "raw").mkdir(parents=True)
    (data / "inbox" / "raw" / "a.json").write_bytes(b'{"a": 1}')
    with AwsLocalCloud(spec, "dev", data) as cloud:
        s3 = handler_client(cloud, "s3")
        assert s3.get_object(Bucket="small-dev-inbox", Key="raw/a.json")["Body"].read() == b'{"a": 1}'
        assert cloud.occurrences() == []  # what was there at start is not news
        cloud.put_object("inbox", "raw/b.json", b"user")
        s3.put_object(Bucket="small-dev-inbox", Key="out/deep/c.txt", Body=b"handler")  # a handler's write
        s3.delete_object(Bucket="small-dev-inbox", Key="raw/a.json")
        s3.put_object(Bucket="small-dev-inbox", Key="../escape.txt", Body=b"no")
        assert (data / "inbox" / "raw" / "b.json").read_bytes() == b"user"
        assert (data / "inbox" / "out" / "deep" / "c.txt").read_bytes() == b"handler"
        assert not (data / "inbox" / "raw" / "a.json").exists()
        assert not (data / "escape.txt").exists() and not (tmp_path / "escape.txt").exists()
        assert cloud.unwritten_objects == [("inbox", "../escape.txt")]
        events = [(o.detail["event"], o.detail["key"]) for o in cloud.occurrences()]
        assert events == [
            ("created", "raw/b.json"),
            ("created", "out/deep/c.txt"),
            ("deleted", "raw/a.json"),
            ("created", "../escape.txt"),
        ]
    with AwsLocalCloud(spec, "dev", data) as cloud:  # the next run starts from the files
        keys = [item["Key"] for item in cloud.client("s3").list_objects_v2(Bucket="small-dev-inbox")["Contents"]]
        assert keys == ["out/deep/c.txt", "raw/b.json"]


HANDLER = """
import os, boto3
s3 = boto3.client("s3")  # configured only by the environment, as in Lambda
s3.put_object(Bucket=os.environ["BUCKET"], Key="out/from-handler.txt", Body=b"written by a handler")
boto3.client("sns").publish(TopicArn=os.environ["TOPIC"], Message="done")
"""


def test_a_handler_process_reaches_the_local_cloud_through_its_environment(small, tmp_path):
    env = {name: value for name, value in os.environ.items() if not is_inherited_aws_variable(name)}
    env.update(small.handler_environment(), BUCKET=small.attribute("inbox", "name"))
    env["TOPIC"] = small.attribute("alerts", "arn")
    subprocess.run([sys.executable, "-c", HANDLER], env=env, check=True, timeout=60)
    assert (tmp_path / "data" / "inbox" / "out" / "from-handler.txt").read_bytes() == b"written by a handler"
    assert [(o.source, o.kind) for o in small.occurrences()] == [("inbox", "object"), ("alerts", "message")]


def test_seed_objects_are_in_the_bucket_and_its_folder(tmp_path):
    spec = spec_of(AWS_SPECS["aws-everything"])
    with AwsLocalCloud(spec, "dev", tmp_path) as cloud:
        body = cloud.client("s3").get_object(Bucket="aws-everything-dev-landing", Key="config/output-bucket.txt")
        assert body["Body"].read() == b"aws-everything-dev-scratch"  # `${scratch.name}`, resolved locally
        assert cloud.occurrences() == []
    assert (tmp_path / "landing" / "config" / "output-bucket.txt").read_text() == "aws-everything-dev-scratch"
    assert (tmp_path / "landing" / "config" / "settings.json").is_file()


def test_only_plain_keys_map_to_files(tmp_path):
    assert object_path(tmp_path / "b", "a/b.txt") == tmp_path / "b" / "a" / "b.txt"
    for key in ("../x", "a/../../x", "/etc/passwd", "a//b", "a/", "", ".", "a/./b", "a\\..\\b"):
        assert object_path(tmp_path / "b", key) is None, key


# --- occurrences ---------------------------------------------------------------------------------------------


def test_every_source_reports_what_happened_in_order(small):
    small.put_object("inbox", "in/x.csv", b"1,2")
    small.publish("alerts", b'{"kind": "image"}', {"kind": "image"})
    handler_client(small, "sqs").send_message(
        QueueUrl=small.attribute("work", "url"),
        MessageBody="job-1",
        MessageAttributes={"priority": {"DataType": "String", "StringValue": "high"}},
    )
    handler_client(small, "kinesis").put_record(
        StreamName=small.attribute("clicks", "name"), Data=b"click-1", PartitionKey="user-7"
    )
    dynamodb = handler_client(small, "dynamodb")
    table = small.attribute("orders", "name")
    dynamodb.put_item(TableName=table, Item={"id": {"S": "o1"}, "n": {"N": "1"}})
    dynamodb.put_item(TableName=table, Item={"id": {"S": "o1"}, "n": {"N": "2"}})
    dynamodb.delete_item(TableName=table, Key={"id": {"S": "o1"}})
    occurrences = small.occurrences()
    assert [(o.source, o.kind) for o in occurrences] == [
        ("inbox", "object"),
        ("alerts", "message"),
        ("work", "message"),
        ("clicks", "record"),
        ("orders", "change"),
        ("orders", "change"),
        ("orders", "change"),
    ]
    put, published, sent, record, *changes = (o.detail for o in occurrences)
    assert put["bucket"] == "small-dev-inbox" and put["key"] == "in/x.csv" and put["size"] == 3
    assert put["event"] == "created" and len(put["etag"]) == 32 and put["time"].endswith("Z")
    assert published["data"] == '{"kind": "image"}' and published["attributes"] == {"kind": "image"}
    assert published["message_id"] and published["time"].endswith("Z")
    assert sent["data"] == "job-1" and sent["attributes"] == {"priority": "high"}
    assert base64.b64decode(record["data"]) == b"click-1" and record["partition_key"] == "user-7"
    assert int(record["sequence_number"]) > 0 and record["shard_id"].startswith("shardId-")
    assert sent["md5_of_body"] == hashlib.md5(b"job-1").hexdigest()
    assert [change["event"] for change in changes] == ["INSERT", "MODIFY", "REMOVE"]
    assert changes[0]["keys"] == {"id": {"S": "o1"}} and changes[0]["old_image"] is None
    assert changes[1]["old_image"]["n"] == {"N": "1"} and changes[1]["new_image"]["n"] == {"N": "2"}
    assert changes[2]["new_image"] is None
    assert changes[0]["view_type"] == "NEW_AND_OLD_IMAGES" and changes[0]["size_bytes"] > 0 and changes[0]["event_id"]
    assert small.occurrences() == []  # each is reported once


def test_sent_messages_are_drained_for_the_engine_to_deliver(small):
    sqs = handler_client(small, "sqs")
    url = small.attribute("work-fifo", "url")
    sqs.send_message(QueueUrl=url, MessageBody="a", MessageGroupId="g", MessageDeduplicationId="1")
    [occurrence] = small.occurrences()
    assert occurrence.source == "work-fifo" and occurrence.detail["group_id"] == "g"
    assert sqs.receive_message(QueueUrl=url).get("Messages", []) == []


def test_message_attributes_keep_their_data_types_for_filters_and_events(small):
    from aipipe.semantics.filters import delivers

    handler_client(small, "sns").publish(
        TopicArn=small.attribute("alerts", "arn"),
        Message="m",
        Subject="Hello",
        MessageAttributes={
            "kind": {"DataType": "String", "StringValue": "image"},
            "size": {"DataType": "Number", "StringValue": "42"},
            "ratio": {"DataType": "Number.float", "StringValue": "0.50"},
            "tags": {"DataType": "String.Array", "StringValue": '["a", "b"]'},
            "sig": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        },
    )
    handler_client(small, "sqs").send_message(
        QueueUrl=small.attribute("work", "url"),
        MessageBody="job",
        MessageAttributes={
            "n": {"DataType": "Number", "StringValue": "7"},
            "b": {"DataType": "Binary", "BinaryValue": b"\x02"},
        },
    )
    published, sent = (o.detail for o in small.occurrences())
    # what SNS filters compare: numbers, the array's elements, no Binary
    assert published["attributes"] == {"kind": "image", "size": 42, "ratio": 0.5, "tags": ["a", "b"]}
    assert published["message_attributes"] == {
        "kind": {"type": "String", "value": "image"},
        "size": {"type": "Number", "value": "42"},
        "ratio": {"type": "Number.float", "value": "0.50"},
        "tags": {"type": "String.Array", "value": '["a", "b"]'},
        "sig": {"type": "Binary", "value": base64.b64encode(b"\x00\x01").decode()},
    }
    assert published["subject"] == "Hello"
    attributes = published["attributes"]
    assert delivers("aws", {"size": [{"numeric": [">", 10]}]}, attributes)
    assert delivers("aws", {"ratio": [{"numeric": ["<", 1]}], "tags": ["a"]}, attributes)
    assert not delivers("aws", {"tags": ["c"]}, attributes)
    assert not delivers("aws", {"sig": [{"exists": True}]}, attributes)  # SNS ignores Binary attributes
    assert sent["attributes"] == {"n": 7}
    assert sent["message_attributes"] == {
        "n": {"type": "Number", "value": "7"},
        "b": {"type": "Binary", "value": base64.b64encode(b"\x02").decode()},
    }


def test_the_engine_may_send_to_a_queue_as_a_source_would(small):
    small.send_message("work", b"from s3", {"origin": "inbox"})
    small.send_message("work-fifo", b"ordered")
    sent = [(o.source, o.detail["data"], o.detail["attributes"]) for o in small.occurrences()]
    assert sent == [("work", "from s3", {"origin": "inbox"}), ("work-fifo", "ordered", {})]


def test_each_stream_shard_and_each_put_is_reported(small):
    kinesis = handler_client(small, "kinesis")
    records = [{"Data": f"r{i}".encode(), "PartitionKey": f"key-{i}"} for i in range(6)]
    kinesis.put_records(StreamName=small.attribute("clicks", "name"), Records=records)
    reported = small.occurrences()
    assert sorted(base64.b64decode(o.detail["data"]) for o in reported) == [f"r{i}".encode() for i in range(6)]


# --- workflows -----------------------------------------------------------------------------------------------


class Invoker:
    """Runs no code: answers each function with its input plus `{function: "done"}`, or fails as scripted."""

    def __init__(self, cloud: AwsLocalCloud, failing: dict[str, int] | None = None):
        self.cloud = cloud
        self.failing = dict(failing or {})
        self.calls: list[tuple[str, dict]] = []

    def __call__(self, function: str, event):
        self.calls.append((function, event))
        if self.failing.get(function, 0) > 0:
            self.failing[function] -= 1
            return Outcome(ok=False, error_type="ValueError", error_message=f"{function} failed")
        bucket = self.cloud.attribute("datasets", "name") if "datasets" in self.cloud.spec.resources else None
        if bucket:  # what a handler writes shows up as occurrences
            handler_client(self.cloud, "s3").put_object(Bucket=bucket, Key=f"out/{function}.json", Body=b"{}")
        return Outcome(ok=True, value={**event, function: "done"})

    def functions(self) -> list[str]:
        return [function for function, _ in self.calls]


@pytest.fixture
def training(tmp_path):
    with AwsLocalCloud(spec_of(AWS_SPECS["async-training-pipeline"]), "dev", tmp_path) as cloud:
        yield cloud


def test_the_training_pipeline_runs_its_steps_in_order(training):
    invoke = Invoker(training)
    run = training.start_workflow("training-pipeline", {"run": 7}, invoke)
    assert run.status == "SUCCEEDED", (run.error, run.cause)
    functions = invoke.functions()
    assert functions[0] == "preprocess" and functions[-1] == "predict"
    assert sorted(functions[1:3]) == ["profile", "train"]  # the parallel branch
    entered = [state for state, what in run.steps if what == "entered"]
    assert entered[:2] == ["Preprocess", "TrainAndProfile"] and entered[-1] == "BatchPredict"
    assert set(entered[2:4]) == {"Train", "Profile"} and "NotifyFailure" not in entered
    branches = run.output["TrainAndProfile"]
    assert branches["Train"]["train"] == "done" and branches["Profile"]["profile"] == "done"
    assert run.output["predict"] == "done"
    written = [o.detail["key"] for o in training.occurrences()]
    assert written[0] == "out/preprocess.json" and written[-1] == "out/predict.json" and len(written) == 4


def test_a_failing_step_is_retried_then_reaches_its_catch(training):
    invoke = Invoker(training, failing={"train": 3})
    run = training.start_workflow("training-pipeline", {"run": 7}, invoke)
    assert (run.status, run.error) == ("FAILED", "aipipe.StepFailed")
    assert invoke.functions().count("train") == 3 and "predict" not in invoke.functions()
    assert training.retry_waits == [30.0, 60.0]  # Train: retry {attempts: 2, interval: 30s}, recorded not slept
    assert ("Train", "failed") in run.steps and ("Train", "retried") in run.steps
    entered = [state for state, what in run.steps if what == "entered"]
    assert entered[-2:] == ["NotifyFailure", "aipipe:failed"]
    [(_, notified)] = [call for call in invoke.calls if call[0] == "notify"]
    assert notified["error"]["Error"] == "ValueError"
    assert json.loads(notified["error"]["Cause"])["errorMessage"] == "train failed"


def test_service_tasks_publish_and_send_as_occurrences(small):
    invoke = Invoker(small)
    run = small.start_workflow("flow", {"key": "k.csv"}, invoke)
    assert run.status == "SUCCEEDED", (run.error, run.cause)
    assert [state for state, what in run.steps if what == "entered"] == ["handle", "sns.publish alerts", "Send"]
    occurrences = small.occurrences()
    assert [(o.source, o.kind) for o in occurrences] == [("alerts", "message"), ("work", "message")]
    assert occurrences[0].detail["data"] == "done"  # the message was `$.handle`
    assert json.loads(occurrences[1].detail["data"]) == {"file": "k.csv"}


def test_a_workflow_is_a_spec_workflow(small):
    with pytest.raises(LookupError, match="not a workflow"):
        small.start_workflow("handle", {}, Invoker(small))
