"""The local gcp cloud (aipipe.local.gcp): Cloud Storage on gcp-storage-emulator and Pub/Sub's Publish, reached
by real google-cloud-storage and google-cloud-pubsub clients running as handlers do (a subprocess with only the
cloud's handler environment), buckets mirrored as files, occurrences, local attribute values, loopback only."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from aipipe.kinds.registry import KINDS
from aipipe.local.bucket_files import object_path
from aipipe.local.egress import proxy_environment
from aipipe.local.gcp import GcpLocalCloud
from aipipe.validation import load_spec

from conftest import DATA, ROOT

pytest.importorskip("gcp_storage_emulator", reason="the local gcp cloud needs gcp-storage-emulator (test extras)")

PUBSUB = ROOT / "specs" / "distributed-pubsub" / "aipipe.yaml"
EVERYTHING = DATA / "good" / "gcp-everything.yaml"


def spec_of(path: Path, stack: str = "dev"):
    result = load_spec(str(path), stack)
    assert result.spec is not None, result.diagnostics
    return result.spec


@pytest.fixture
def pubsub_cloud(tmp_path):
    cloud = GcpLocalCloud(spec_of(PUBSUB), "dev", tmp_path / "data")
    cloud.start()
    yield cloud
    cloud.stop()


def run_handler(cloud: GcpLocalCloud, code: str) -> str:
    """Run `code` as a handler would: another interpreter, only the cloud's handler environment, the proxy variables
    LocalHandlers adds (every call but the local ones refused: the emulators must stay reachable) and PATH."""
    handler_environment = cloud.handler_environment()
    environment = {"PATH": os.environ.get("PATH", ""), **handler_environment, **proxy_environment(handler_environment)}
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def listening_addresses(port: int) -> set[str]:
    """The local addresses a TCP port of this machine listens on (Linux /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].rsplit(":", 1)
            if fields[3] == "0A" and int(port_hex, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


LOOPBACK = {"0100007F", "0000000000000000FFFF00000100007F"}  # 127.0.0.1 and ::ffff:127.0.0.1 as /proc writes them


def port_of(address: str) -> int:
    return int(address.rsplit(":", 1)[1])


# --- start, stop, ports ----------------------------------------------------------------------------------------


def test_it_starts_quickly_and_stops_releasing_its_ports(tmp_path):
    cloud = GcpLocalCloud(spec_of(PUBSUB), "dev", tmp_path / "data")
    began = time.perf_counter()
    cloud.start()
    elapsed = time.perf_counter() - began
    environment = cloud.handler_environment()
    ports = [port_of(environment["STORAGE_EMULATOR_HOST"]), port_of(environment["PUBSUB_EMULATOR_HOST"])]
    print(f"local gcp cloud started in {elapsed * 1000:.0f} ms (start_seconds {cloud.start_seconds:.3f})")
    assert cloud.start_seconds is not None and cloud.start_seconds <= elapsed
    assert elapsed < 5, "starting the local gcp cloud took more than 5 s"
    cloud.stop()
    for port in ports:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's table of listening sockets")
def test_it_listens_on_the_loopback_address_only(pubsub_cloud):
    environment = pubsub_cloud.handler_environment()
    assert environment["STORAGE_EMULATOR_HOST"].startswith("http://127.0.0.1:")
    assert environment["PUBSUB_EMULATOR_HOST"].startswith("127.0.0.1:")
    for address in (environment["STORAGE_EMULATOR_HOST"], environment["PUBSUB_EMULATOR_HOST"]):
        # 127.0.0.1, as IPv4 or IPv4-mapped IPv6 (gRPC's sockets), and neither 0.0.0.0 nor ::
        assert listening_addresses(port_of(address)) <= LOOPBACK, address


def test_the_handler_environment_holds_no_credentials(pubsub_cloud):
    environment = pubsub_cloud.handler_environment()
    assert environment["GOOGLE_CLOUD_PROJECT"] == "local-distributed-pubsub"
    assert not Path(environment["GOOGLE_APPLICATION_CREDENTIALS"]).exists()
    assert not any("TOKEN" in name or "SECRET" in name or "KEY" in name for name in environment)
    # a client that is not pointed at an emulator finds no credentials, rather than a user's gcloud login
    out = run_handler(
        pubsub_cloud,
        """
        import google.auth, google.auth.exceptions
        try:
            google.auth.default()
        except google.auth.exceptions.DefaultCredentialsError as error:
            print("refused:", error)
        """,
    )
    assert out.startswith("refused:")


def test_the_handler_environment_needs_a_started_cloud(tmp_path):
    with pytest.raises(RuntimeError, match="start"):
        GcpLocalCloud(spec_of(PUBSUB), "dev", tmp_path).handler_environment()


# --- Cloud Storage through a handler's client ------------------------------------------------------------------


def test_a_handlers_storage_client_lists_uploads_and_downloads(pubsub_cloud):
    bucket = pubsub_cloud.attribute("embeddings", "name")
    pubsub_cloud.put_object("embeddings", "inputs/item.json", b'{"id": 1}')
    pubsub_cloud.occurrences()
    out = run_handler(
        pubsub_cloud,
        f"""
        import json
        from google.cloud import storage
        client = storage.Client()
        bucket = client.bucket({bucket!r})
        listed = [blob.name for blob in client.list_blobs(bucket)]
        read = bucket.blob("inputs/item.json").download_as_bytes().decode()
        bucket.blob("vectors/item.json").upload_from_string('{{"v": [1, 2]}}', content_type="application/json")
        large = bucket.blob("vectors/large.bin", chunk_size=256 * 1024)  # a resumable upload in three parts
        large.upload_from_string(b"x" * (600 * 1024))
        print(json.dumps({{"listed": listed, "read": read, "buckets": [b.name for b in client.list_buckets()]}}))
        """,
    )
    seen = json.loads(out)
    assert seen == {"listed": ["inputs/item.json"], "read": '{"id": 1}', "buckets": [bucket]}
    occurrences = pubsub_cloud.occurrences()
    # finalized-object semantics: one occurrence per completed upload, the three-part one included
    assert [(o.source, o.kind, o.detail["event"], o.detail["key"]) for o in occurrences] == [
        ("embeddings", "object", "created", "vectors/item.json"),
        ("embeddings", "object", "created", "vectors/large.bin"),
    ]
    small, large = (o.detail for o in occurrences)
    assert small["bucket"] == bucket and small["size"] == 13 and small["contentType"] == "application/json"
    assert large["size"] == 600 * 1024
    for detail in (small, large):
        resource = detail["object"]  # the CloudEvent's StorageObjectData
        assert resource["name"] == detail["key"] and resource["bucket"] == bucket
        assert resource["generation"] == detail["generation"] and detail["generation"].isdigit()
        assert detail["md5Hash"] == resource["md5Hash"] and detail["etag"]
        assert detail["time"].endswith("Z") and detail["timeCreated"] == resource["timeCreated"]
        assert resource["metageneration"] == "1"  # a new generation's first metadata, as Cloud Storage says
    folder = pubsub_cloud.data_dir / "embeddings"
    assert (folder / "vectors" / "item.json").read_text() == '{"v": [1, 2]}'
    assert (folder / "vectors" / "large.bin").stat().st_size == 600 * 1024


def test_a_handlers_delete_is_reported_and_removes_the_file(pubsub_cloud):
    bucket = pubsub_cloud.attribute("embeddings", "name")
    pubsub_cloud.put_object("embeddings", "vectors/old/item.json", b"[]")
    assert (pubsub_cloud.data_dir / "embeddings" / "vectors" / "old" / "item.json").exists()
    pubsub_cloud.occurrences()
    run_handler(
        pubsub_cloud,
        f"""
        from google.cloud import storage
        storage.Client().bucket({bucket!r}).blob("vectors/old/item.json").delete()
        """,
    )
    [deleted] = pubsub_cloud.occurrences()
    assert (deleted.source, deleted.detail["event"]) == ("embeddings", "deleted")
    assert deleted.detail["key"] == "vectors/old/item.json"
    assert deleted.detail["size"] == 2 and deleted.detail["object"]["name"] == "vectors/old/item.json"
    assert not (pubsub_cloud.data_dir / "embeddings" / "vectors").exists()  # emptied folders go too
    assert (pubsub_cloud.data_dir / "embeddings").is_dir()


def test_a_handlers_copy_is_a_finalized_object(pubsub_cloud):
    bucket = pubsub_cloud.attribute("embeddings", "name")
    pubsub_cloud.put_object("embeddings", "vectors/a.json", b"[1]")
    pubsub_cloud.occurrences()
    run_handler(
        pubsub_cloud,
        f"""
        from google.cloud import storage
        bucket = storage.Client().bucket({bucket!r})
        bucket.copy_blob(bucket.blob("vectors/a.json"), bucket, "vectors/b.json")
        """,
    )
    [copied] = pubsub_cloud.occurrences()
    assert (copied.detail["event"], copied.detail["key"], copied.detail["size"]) == ("created", "vectors/b.json", 3)
    assert (pubsub_cloud.data_dir / "embeddings" / "vectors" / "b.json").read_bytes() == b"[1]"


def test_objects_of_buckets_the_spec_does_not_have_are_not_reported(pubsub_cloud):
    run_handler(
        pubsub_cloud,
        """
        from google.cloud import storage
        client = storage.Client()
        client.create_bucket("scratch-of-the-handler").blob("a.txt").upload_from_string("a")
        """,
    )
    assert pubsub_cloud.occurrences() == []
    assert not (pubsub_cloud.data_dir / "scratch-of-the-handler").exists()


# --- the data folder -------------------------------------------------------------------------------------------


def test_bucket_contents_round_trip_through_the_data_folder(tmp_path):
    data = tmp_path / "data"
    (data / "embeddings" / "vectors").mkdir(parents=True)
    (data / "embeddings" / "vectors" / "before.json").write_text("[0]")
    spec = spec_of(PUBSUB)
    with GcpLocalCloud(spec, "dev", data) as cloud:
        assert cloud.occurrences() == []  # what was there before the run is no event
        bucket = cloud.attribute("embeddings", "name")
        out = run_handler(
            cloud,
            f"""
            from google.cloud import storage
            bucket = storage.Client().bucket({bucket!r})
            print(bucket.blob("vectors/before.json").download_as_text())
            bucket.blob("vectors/after.json").upload_from_string("[1]")
            """,
        )
        assert out.strip() == "[0]"
    assert (data / "embeddings" / "vectors" / "after.json").read_text() == "[1]"
    with GcpLocalCloud(spec, "dev", data) as again:
        out = run_handler(
            again,
            f"""
            from google.cloud import storage
            print(sorted(blob.name for blob in storage.Client().list_blobs({bucket!r})))
            """,
        )
        assert out.strip() == "['vectors/after.json', 'vectors/before.json']"


def test_keys_that_cannot_be_files_are_reported_as_problems(pubsub_cloud):
    pubsub_cloud.put_object("embeddings", "a//b", b"x")
    [created] = pubsub_cloud.occurrences()
    assert created.detail["key"] == "a//b"
    assert pubsub_cloud.problems and "a//b" in pubsub_cloud.problems[0]


@pytest.mark.parametrize("key", ["", "a//b", "../x", "a/./b", "folder/"])
def test_keys_with_empty_dot_or_dotdot_segments_have_no_file(tmp_path, key):
    assert object_path(tmp_path, key) is None


def test_a_key_is_a_file_under_its_bucket_folder(tmp_path):
    assert object_path(tmp_path, "raw/data/x.json") == tmp_path / "raw" / "data" / "x.json"


# --- Pub/Sub ---------------------------------------------------------------------------------------------------


def test_publish_records_a_message(pubsub_cloud):
    message_id = pubsub_cloud.publish("work-items", b'{"id": 7}', {"kind": "image"})
    [message] = pubsub_cloud.occurrences()
    assert (message.source, message.kind) == ("work-items", "message")
    detail = message.detail
    assert detail["message_id"] == message_id and detail["data"] == '{"id": 7}'
    assert detail["data_base64"] == "eyJpZCI6IDd9" and detail["attributes"] == {"kind": "image"}
    assert detail["topic"] == "projects/local-distributed-pubsub/topics/distributed-pubsub-dev-work-items"
    assert detail["time"] == detail["publish_time"] and detail["time"].endswith("Z")
    assert pubsub_cloud.publish("work-items", b"again") != message_id


def test_a_handlers_pubsub_publisher_works_unchanged(pubsub_cloud):
    topic = pubsub_cloud.attribute("work-items", "id")
    out = run_handler(
        pubsub_cloud,
        f"""
        from google.api_core import exceptions
        from google.cloud import pubsub_v1
        publisher = pubsub_v1.PublisherClient()
        print(publisher.publish({topic!r}, b"\\xff binary", kind="poison").result(timeout=30))
        try:
            publisher.publish("projects/local-distributed-pubsub/topics/nope", b"x").result(timeout=30)
        except exceptions.NotFound:
            print("not found")
        """,
    )
    message_id, refused = out.split()[0], " ".join(out.split()[1:])
    assert refused == "not found"
    [message] = pubsub_cloud.occurrences()
    assert message.source == "work-items" and message.detail["message_id"] == message_id
    assert message.detail["data_base64"] == "/yBiaW5hcnk=" and message.detail["attributes"] == {"kind": "poison"}


def test_inputs_must_name_the_specs_buckets_and_topics(pubsub_cloud):
    with pytest.raises(KeyError, match="no bucket"):
        pubsub_cloud.put_object("work-items", "a", b"")
    with pytest.raises(KeyError, match="no topic"):
        pubsub_cloud.publish("embeddings", b"")
    with pytest.raises(ValueError, match="non-empty data field or at least one attribute"):
        pubsub_cloud.publish("work-items", b"")
    with pytest.raises(TypeError, match="strings"):
        pubsub_cloud.publish("work-items", b"", {"n": 1})  # type: ignore[dict-item]


def test_there_are_no_workflows_on_gcp(pubsub_cloud):
    with pytest.raises(ValueError, match="no workflow"):
        pubsub_cloud.start_workflow("embed", {}, lambda function, event: None)  # type: ignore[arg-type,return-value]


# --- gcp-everything: every kind's attributes, seeds, what is not run -------------------------------------------


@pytest.fixture(scope="module")
def everything(tmp_path_factory):
    cloud = GcpLocalCloud(spec_of(EVERYTHING), "dev", tmp_path_factory.mktemp("everything"))
    cloud.start()
    yield cloud
    cloud.stop()


def test_every_attribute_of_every_resource_has_a_local_value(everything):
    spec = everything.spec
    lacking = {("bq-sub", "dead_letter_subscription")}
    lacking |= {(name, "table_spec") for name, model in spec.resources.items() if getattr(model, "columns", 1) is None}
    for name, model in spec.resources.items():
        for attribute in KINDS[model.type].clouds["gcp"].attributes_for(dict(model)):
            if (name, attribute) in lacking:
                with pytest.raises(KeyError):
                    everything.attribute(name, attribute)
            else:
                value = everything.attribute(name, attribute)
                assert isinstance(value, str) and value and "${" not in value, (name, attribute, value)


EXPECTED = {
    ("landing", "name"): "gcp-everything-dev-landing",
    ("landing", "url"): "gs://gcp-everything-dev-landing",
    ("landing", "id"): "gcp-everything-dev-landing",
    ("shared", "name"): "shared-datasets-bucket",  # an existing bucket keeps its name
    ("updates", "id"): "projects/local-gcp-everything/topics/gcp-everything-dev-updates",
    ("updates", "name"): "gcp-everything-dev-updates",
    ("updates-sub", "id"): "projects/local-gcp-everything/subscriptions/gcp-everything-dev-updates-sub",
    ("updates-sub", "name"): "gcp-everything-dev-updates-sub",
    ("updates-sub", "dead_letter_subscription"): "gcp-everything-dev-updates-sub-dead-letters",
    ("on-upload", "name"): "gcp-everything-dev-on-upload",
    ("on-upload", "url"): "https://gcp-everything-dev-on-upload.functions.aipipe.invalid",
    ("data-key", "id"): "projects/local-gcp-everything/locations/europe/keyRings/gcp-everything-dev-data-key-ring/"
    "cryptoKeys/gcp-everything-dev-data-key",
    ("events-bq", "name"): "analytics_events",
    ("events-bq", "id"): "projects/local-gcp-everything/datasets/analytics_events",
    ("events-bq", "table_spec"): "local-gcp-everything:analytics_events.events_bq",
    ("scratch-bq", "name"): "gcp_everything_dev_scratch_bq",
    ("to-text", "job_id"): "not-run-locally-gcp-everything-dev-to-text",
    ("results", "dataset_id"): "results",
    ("results", "urn"): "urn:pulumi:dev::gcp-everything::aipipe:index:Pulumi$gcp:bigquery/dataset:Dataset::results",
    ("results-events", "dataset_id"): "results",  # `${results.dataset_id}` resolved locally
    ("results-events", "table_id"): "events",
    ("results", "self_link"): "not-run-locally-gcp-everything-dev-results-self_link",
}


@pytest.mark.parametrize(("resource", "attribute"), sorted(EXPECTED))
def test_attribute_values(everything, resource, attribute):
    assert everything.attribute(resource, attribute) == EXPECTED[resource, attribute]


def test_unknown_attributes_and_resources_are_key_errors(everything):
    with pytest.raises(KeyError, match="has no attribute `arn`"):
        everything.attribute("landing", "arn")
    with pytest.raises(KeyError, match="no resource"):
        everything.attribute("nothing", "name")


def test_it_creates_every_bucket_and_uploads_seed_objects(everything):
    out = run_handler(
        everything,
        """
        from google.cloud import storage
        client = storage.Client()
        print(sorted(bucket.name for bucket in client.list_buckets()))
        print(client.bucket("gcp-everything-dev-temp").blob("config/settings.json").download_as_text())
        """,
    )
    buckets, settings = out.split("\n", 1)
    assert buckets == str(sorted(["gcp-everything-dev-landing", "gcp-everything-dev-temp", "shared-datasets-bucket"]))
    assert settings.strip() == (DATA / "good" / "seed" / "settings.json").read_text().strip()
    assert (everything.data_dir / "temp" / "config" / "settings.json").is_file()


def test_a_seed_object_is_uploaded_again_only_when_it_changed(tmp_path):
    spec, data = spec_of(EVERYTHING), tmp_path / "data"
    with GcpLocalCloud(spec, "dev", data) as cloud:
        assert [(o.source, o.detail["key"]) for o in cloud.occurrences()] == [("temp", "config/settings.json")]
    with GcpLocalCloud(spec, "dev", data) as cloud:
        assert cloud.occurrences() == []  # the data folder holds it as the seed has it
    (data / "temp" / "config" / "settings.json").write_text("{}")
    with GcpLocalCloud(spec, "dev", data) as cloud:
        assert [o.detail["key"] for o in cloud.occurrences()] == ["config/settings.json"]


def test_what_is_not_run_locally_is_listed(everything):
    listed = dict(everything.not_run_locally())
    assert {"to-text", "to-bq", "custom", "events-bq", "scratch-bq", "data-key", "results", "results-events"} <= set(
        listed
    )
    assert "Dataflow" in listed["to-text"] and "pubsub-to-gcs-text" in listed["to-text"]
    assert "BigQuery dataset `analytics_events`" in listed["events-bq"]
    assert "deletes objects after 365d" in listed["landing"] and "archives objects after 30d" in listed["landing"]
    assert "gcp:bigquery/dataset:Dataset" in listed["results"]
    assert not {"updates", "updates-sub", "on-upload", "shared"} & set(listed)


def test_two_stacks_never_share_names(tmp_path):
    spec = spec_of(EVERYTHING, "prod")
    cloud = GcpLocalCloud(spec, "prod", tmp_path)
    assert cloud.attribute("landing", "name") == "gcp-everything-prod-landing"
    assert cloud.attribute("updates", "name") == "gcp-everything-prod-updates"


def test_a_symlinked_folder_in_the_data_folder_is_not_written_through(tmp_path):
    from aipipe.local.bucket_files import remove_object, stored_objects, write_object

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.txt").write_text("keep")
    bucket = tmp_path / "data" / "raw"
    bucket.mkdir(parents=True)
    (bucket / "link").symlink_to(outside, target_is_directory=True)
    assert "through a symlink" in write_object(bucket, "link/new.txt", b"x")
    assert "through a symlink" in write_object(bucket, "link/victim.txt", b"overwritten")
    remove_object(bucket, "link/victim.txt")
    assert (
        sorted(p.name for p in outside.iterdir()) == ["victim.txt"] and (outside / "victim.txt").read_text() == "keep"
    )
    assert write_object(bucket, "in/a.txt", b"ok") is None and list(stored_objects(bucket)) == [
        ("in/a.txt", bucket / "in" / "a.txt")
    ]
