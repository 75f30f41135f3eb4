"""The values each kind and trigger kind builds for its template, checked as plain data and symbols: no
Jinja, no Pulumi. The end-to-end tests (goldens, plans) check the same values once rendered."""

from __future__ import annotations

import copy
import shutil

import pytest
import yaml

from aipipe.codegen.context import RenderJob, built_artifacts
from aipipe.kinds.dataflow.catalogue import CATALOGUE, INPUT_PARAMETER
from aipipe.kinds.registry import KINDS, attribute_problem
from aipipe.kinds.workflow import asl
from aipipe.kinds.workflow.asl import TRANSIENT_LAMBDA_RETRY
from aipipe.offline.plan import plan_spec
from aipipe.semantics.symbols import Attr, Child, CodeFolder, Concat, Deployment, Json, Options, Secret
from aipipe.validation import load_spec

from conftest import DATA

AWS = DATA / "good" / "aws-everything.yaml"
GCP = DATA / "good" / "gcp-everything.yaml"


@pytest.fixture(scope="module")
def aws():
    return load_spec(str(AWS), "dev").spec


@pytest.fixture(scope="module")
def gcp():
    return load_spec(str(GCP), "dev").spec


def values(spec, name):
    resource = spec.resources[name]
    return KINDS[resource.type].clouds[spec.cloud].values(RenderJob(spec, built_artifacts(spec)), name, resource)


def test_aws_bucket_values_from_the_spec(aws):
    landing = values(aws, "landing")
    assert landing["versioning"] == {"status": "Enabled"} and landing["retain"] is True
    rule, cleanup = landing["lifecycle_rules"]
    # archived objects stay readable (Glacier Instant Retrieval); old versions and delete markers expire too
    assert rule["transitions"] == [{"days": 30, "storage_class": "GLACIER_IR"}] and rule["expiration"] == {"days": 365}
    assert rule["noncurrent_version_expiration"] == {"noncurrent_days": 365}
    assert cleanup == {
        "id": "aipipe-cleanup",
        "status": "Enabled",
        "filter": {},
        "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
        "expiration": {"expired_object_delete_marker": True},
    }
    [encryption] = landing["encryption_rules"]
    assert encryption["apply_server_side_encryption_by_default"]["sse_algorithm"] == "aws:kms"
    scratch = values(aws, "scratch")
    assert scratch["retain"] is False and scratch["force_destroy"] is True
    assert scratch["encryption_rules"] == [{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}]
    assert values(aws, "vendor-drop") == {"existing": "vendor-drop-bucket-2024"}


def test_an_unversioned_bucket_needs_no_version_cleanup(write_spec):
    head = "aipipe: 1\nname: demo\ncloud: aws\nregion: us-east-1\nresources:\n"
    spec = load_spec(
        str(write_spec(head + "  tmp: {type: bucket, versioning: false, lifecycle: {expire_after: 7d}}\n"))
    ).spec
    rule, cleanup = values(spec, "tmp")["lifecycle_rules"]
    assert rule == {"id": "aipipe-lifecycle", "status": "Enabled", "filter": {}, "expiration": {"days": 7}}
    assert "expiration" not in cleanup and cleanup["abort_incomplete_multipart_upload"] == {"days_after_initiation": 7}


def test_gcp_bucket_values_from_the_spec(gcp):
    landing = values(gcp, "landing")
    assert landing["location"] == "EU" and landing["versioning"] == {"enabled": False}
    assert [rule["condition"]["age"] for rule in landing["lifecycle_rules"]] == [30, 365]
    assert values(gcp, "temp")["location"] == "europe-west1"  # the spec's region when no location is given


def test_stream_capacity_retention_and_key(aws):
    clicks, burst = values(aws, "clicks"), values(aws, "burst")
    assert (clicks["shard_count"], clicks["mode"], clicks["retention_hours"]) == (
        2,
        {"stream_mode": "PROVISIONED"},
        168,
    )
    assert (burst["shard_count"], burst["mode"]) == (None, {"stream_mode": "ON_DEMAND"})
    assert burst["kms_key"] == Attr("data-key", "arn")  # a key of the spec, by its ARN once it exists
    assert clicks["kms_key"] == "alias/aws/kinesis"


def test_aws_subscription_dead_letters_and_filter(aws):
    queue = values(aws, "events-queue")
    assert queue["dead_letter_retention"] == 14 * 86400  # SQS's maximum: time to inspect what failed
    assert queue["redrive"] == {
        "deadLetterTargetArn": Child("events-queue", "dead_letters", "arn"),
        "maxReceiveCount": 8,
    }
    assert queue["filter_policy"] == Json({"kind": ["image", "text"]})
    [statement] = queue["queue_policy"].document["Statement"]
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": Attr("events", "arn")}}


def test_gcp_subscription_durations_and_dead_letter(gcp):
    sub = values(gcp, "updates-sub")
    assert (sub["ack_deadline"], sub["message_retention"]) == (600, "172800s")
    assert sub["retry_policy"] == {"minimum_backoff": "5s", "maximum_backoff": "600s"}
    assert sub["dead_letter_policy"]["max_delivery_attempts"] == 20 and sub["exactly_once"] is True


def test_a_consumed_gcp_subscription_pushes_to_its_function(gcp):
    work = values(gcp, "work-sub")
    assert work["push_config"] == {
        "push_endpoint": Child("on-work", "function", "service_config.uri"),
        "oidc_token": {"service_account_email": Child("on-work", "caller", "email")},
    }
    assert work["push_waits"] == [Child("on-work", "invoker"), Child("on-work", "push_tokens")]
    assert (values(gcp, "updates-sub")["push_config"], values(gcp, "updates-sub")["push_waits"]) == (None, [])
    [wiring] = values(gcp, "on-work")["triggers"]
    assert (wiring["grant_tokens"], wiring["role"]) == (True, "roles/iam.serviceAccountTokenCreator")
    assert (wiring["pubsub_agent"], wiring["caller_name"]) == (
        Deployment("gcp_pubsub_agent"),
        Child("on-work", "caller", "name"),
    )
    assert (
        values(gcp, "on-work")["event_trigger"] is None and values(gcp, "on-work")["ingress"] == "ALLOW_INTERNAL_ONLY"
    )
    # the subscription is made after the function it names: the dependency runs from it to the function
    assert "on-work" in gcp.dependencies["work-sub"] and "work-sub" not in gcp.dependencies["on-work"]


def test_a_consumed_aws_subscription_is_polled_as_a_queue(aws):
    on_order = values(aws, "on-order")
    [mapping] = [t for t in on_order["triggers"] if t.get("source") == "order-events"]
    assert (mapping["template"], mapping["source_arn"]) == (
        "triggers/queue/aws-function.py.j2",
        Attr("order-events", "arn"),
    )
    assert (mapping["batch_size"], mapping["batch_window"], mapping["response_types"]) == (50, 10, None)
    reads = [s for s in on_order["policy"].document["Statement"] if s["Resource"] == [Attr("order-events", "arn")]]
    assert reads and reads[0]["Action"] == [
        "sqs:ChangeMessageVisibility",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:ReceiveMessage",
    ]
    assert "on-order" in aws.dependencies and "order-events" in aws.dependencies["on-order"]


def test_aws_function_policy_and_trigger_wiring(aws):
    ingest = values(aws, "ingest")
    assert (ingest["runtime"], ingest["memory_size"], ingest["timeout"]) == ("python3.12", 1024, 300)
    # the function ships the zip aipipe built beside the spec, for its architecture
    assert ingest["package"]["path"] == CodeFolder(".aipipe/build/dev/ingest.zip")
    assert (ingest["package"]["kind"], ingest["package"]["architecture"]) == ("zip", "x86_64")
    assert ingest["environment"]["TOKEN"] == Secret("API_TOKEN")
    assert ingest["environment"]["STAGE"] == Deployment("stack")
    assert ingest["environment"]["LITERAL"] == "${not-a-reference}"
    assert [t["template"].split("/")[1] for t in ingest["triggers"]] == [
        "bucket",
        "bucket",
        "stream",
        "topic",
        "schedule",
    ]
    first, second = ingest["triggers"][:2]
    assert first["new_permission"] and not second["new_permission"]  # one permission per (function, bucket)
    statements = ingest["policy"].document["Statement"]
    reads_of_clicks = [s for s in statements if s["Resource"] == [Attr("clicks", "arn")]]
    assert len(reads_of_clicks) == 1  # `reads: [clicks]` and the stream trigger need the same, granted once


def test_gcp_function_takes_one_event_trigger_and_schedules(gcp):
    on_upload = values(gcp, "on-upload")
    assert on_upload["event_trigger"]["event_type"] == "google.cloud.storage.object.v1.finalized"
    assert on_upload["event_trigger"]["trigger_region"] == "eu"  # the landing bucket's location, lower-case
    assert on_upload["triggers"] == []  # a schedule goes on a function without an event trigger (AP407)
    assert [t["cron"] for t in values(gcp, "hourly")["triggers"]] == ["0 * * * *"]
    assert on_upload["available_memory"] == "2048M"
    assert {g["role"] for g in on_upload["grants"] if "-permission-" not in g["name"]} == {
        "roles/storage.objectViewer",
        "roles/storage.objectUser",
        "roles/pubsub.subscriber",
        "roles/pubsub.publisher",
    }


def test_state_machine_document_refers_to_functions_by_symbol(aws):
    document = asl.definition("aws-everything", aws.resources["pipeline"]).document
    assert document["StartAt"] == "ingest"
    train = document["States"]["Train"]
    assert train["Resource"] == Attr("train", "arn") and train["TimeoutSeconds"] == 600
    assert train["Retry"] == [
        TRANSIENT_LAMBDA_RETRY,
        {"ErrorEquals": ["States.ALL"], "IntervalSeconds": 10, "MaxAttempts": 2, "BackoffRate": 1.5},
    ]
    assert train["Catch"][0]["Next"] == "Cleanup"
    fanout = document["States"]["Fanout"]
    assert [b["StartAt"] for b in fanout["Branches"]] == ["IngestAgain", "TrainAgain"] and fanout["End"] is True


def test_replication_options_and_ordering(aws):
    nightly, to_replica = values(aws, "nightly"), values(aws, "to-replica")
    assert nightly["options"] == {
        "overwrite_mode": "NEVER",
        "verify_mode": "POINT_IN_TIME_CONSISTENT",
        "preserve_deleted_files": "PRESERVE",
        "log_level": "BASIC",
    }
    assert nightly["schedule"] == {"schedule_expression": "cron(0 3 * * ? *)"}
    assert to_replica == {"title": "S3 replication", "source": "landing", "destination": "replica"}
    # S3 replication is one configuration on the source: in its region, after the policy and both versionings
    [role, configuration] = [p for p in KINDS["replication"].parts("aws", aws) if p.values.get("source") == "landing"]
    assert role.before and not configuration.before
    assert configuration.values["options"] == Options(
        "landing",
        depends_on=(
            Child("landing", "replication_policy"),
            Child("landing", "versioning"),
            Child("replica", "versioning"),
        ),
        provider_of="landing",
        top_level=True,
    )


def test_dataflow_catalogue_parameters(gcp):
    job = values(gcp, "to-text")
    # the Flex template, reading the subscription aipipe creates for the job on the topic
    assert job["template_path"] == "gs://dataflow-templates-europe-west1/latest/flex/Cloud_PubSub_to_GCS_Text_Flex"
    assert job["parameters"]["inputSubscription"] == Child("to-text", "input", "id")
    assert job["input_topic"] == Attr("updates", "id")
    assert job["parameters"]["userTempLocation"] == Concat(Attr("temp", "url"), "/dataflow/")
    assert job["parameters"]["outputDirectory"] == Concat(Attr("landing", "url"), "/stream/")
    assert job["parameters"]["outputFilenameSuffix"] == ".txt"
    assert job["generated_account"] is False
    # a gs:// template's parameters pass as they are; a secret among them stays a secret
    assert values(gcp, "custom")["parameters"] == {"apiToken": Secret("API_TOKEN")}


@pytest.mark.parametrize("path", [AWS, GCP], ids=["aws", "gcp"])
def test_every_attribute_of_every_kind_resolves_in_the_program(path, write_spec):
    """The attribute table of each kind names variables its template defines: a spec whose outputs read every
    attribute of every resource plans, and each output has a value."""
    document = yaml.safe_load(path.read_text())
    spec = load_spec(str(path), "dev").spec
    outputs = {
        f"{name}_{attribute}".replace("-", "_"): f"${{{name}.{attribute}}}"
        for name, resource in spec.resources.items()
        for attribute in KINDS[resource.type].attributes(spec.cloud)
        if attribute_problem(resource.type, spec.cloud, document["resources"][name], attribute) is None
    }
    document = copy.deepcopy(document)
    document["outputs"] = outputs
    written = write_spec(yaml.safe_dump(document))
    (written.parent / "app").mkdir(exist_ok=True)
    shutil.copytree(path.parent / "seed", written.parent / "seed")  # the buckets' seed files
    checked = load_spec(str(written), "dev")
    assert checked.valid, checked.diagnostics
    planned = plan_spec(checked.spec).outputs
    assert set(planned) == set(outputs) and len(outputs) >= 25
    assert all(value not in (None, "", "[unknown]") for value in planned.values()), planned


def test_a_replications_arn_is_its_role_or_its_task(aws):
    form = KINDS["replication"].clouds["aws"]
    # every S3 replication from a source shares the source's role (one configuration per bucket)
    assert form.attribute("to-replica", aws.resources["to-replica"], "arn") == Child(
        "landing", "replication_role", "arn"
    )
    assert form.attribute("nightly", aws.resources["nightly"], "arn") == Child("nightly", "task", "arn")


def test_dataflow_catalogue_accepts_what_it_sets():
    """Every parameter aipipe passes to a catalogue template (input, output, temp, fixed defaults) is one the
    template defines: a Flex launch refuses the others."""
    for entry in CATALOGUE.values():
        assert {INPUT_PARAMETER, entry.output_parameter, *entry.extra} <= entry.accepted, entry.name
        assert entry.temp_parameter is None or entry.temp_parameter in entry.accepted, entry.name
        assert set(entry.extra) <= set(entry.optional()), entry.name
