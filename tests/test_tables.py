"""The `table` kind (issue 15): a DynamoDB table on aws, whose stream triggers functions through the stream
trigger, and a BigQuery dataset with an optional table on gcp — its template values as plain data, and the
planned program under mocks (keys, capacity, stream wiring, deletion protection, grants)."""

from __future__ import annotations

import json

import pytest

from aipipe.codegen.context import RenderJob, built_artifacts
from aipipe.kinds.registry import KINDS, attribute_problem
from aipipe.offline.plan import plan_spec
from aipipe.semantics.symbols import Attr, Child, Concat, Deployment
from aipipe.validation import load_spec

from conftest import DATA

AWS_HEADER = "aipipe: 1\nname: shop\ncloud: aws\nregion: us-east-1\nresources:\n"
GCP_HEADER = "aipipe: 1\nname: shop\ncloud: gcp\nregion: europe-west1\nproject: ml-platform-123\nresources:\n"
KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def _spec(path, stack="dev"):
    result = load_spec(str(path), stack)
    assert result.valid, result.diagnostics
    return result.spec


def _values(spec, name):
    resource = spec.resources[name]
    return KINDS["table"].clouds[spec.cloud].values(RenderJob(spec, built_artifacts(spec)), name, resource)


def _find(planned, token, name=None):
    return [r for r in planned.resources if r.type == token and (name is None or r.name == name)]


# --- values ----------------------------------------------------------------------------------------------------


def test_aws_table_values_from_the_everything_spec():
    spec = _spec(DATA / "good" / "aws-everything.yaml")
    orders = _values(spec, "orders")
    assert orders["attributes"] == [{"name": "customer", "type": "S"}, {"name": "placed_at", "type": "N"}]
    assert (orders["hash_key"], orders["range_key"]) == ("customer", "placed_at")
    assert (orders["billing_mode"], orders["read_capacity"], orders["write_capacity"]) == ("PROVISIONED", 5, 5)
    assert orders["ttl"] == {"attribute_name": "expires_at", "enabled": True}
    assert orders["stream_view_type"] == "NEW_AND_OLD_IMAGES"
    assert orders["server_side_encryption"]["enabled"] is True
    assert orders["deletion_protection"] is True and orders["retain"] is True
    sessions = _values(spec, "sessions")
    assert sessions["attributes"] == [{"name": "id", "type": "B"}] and sessions["range_key"] is None
    assert (sessions["billing_mode"], sessions["read_capacity"]) == ("PAY_PER_REQUEST", None)
    assert sessions["point_in_time_recovery"] == {"enabled": False}
    assert sessions["stream_view_type"] is None and sessions["ttl"] is None
    # `encryption: default` is the AWS-owned key: no server_side_encryption block at all
    assert sessions["server_side_encryption"] is None
    assert sessions["deletion_protection"] is False and sessions["retain"] is False


def test_aws_table_defaults_hold_data_safely(write_spec):
    spec = _spec(write_spec(AWS_HEADER + "  t:\n    type: table\n    partition_key: {name: id}\n"))
    table = _values(spec, "t")
    assert table["point_in_time_recovery"] == {"enabled": True}
    assert table["billing_mode"] == "PAY_PER_REQUEST"
    assert table["deletion_protection"] is True and table["retain"] is True


def test_kms_without_a_key_is_the_aws_managed_key(write_spec):
    spec = _spec(write_spec(AWS_HEADER + "  t: {type: table, partition_key: {name: id}, encryption: kms}\n"))
    assert _values(spec, "t")["server_side_encryption"] == {"enabled": True}
    statements = KINDS["table"].access("aws", "reads")("t", spec.resources["t"], "")
    assert not any("kms:Decrypt" in s["Action"] for s in statements)  # no grant on an AWS-managed key


def test_gcp_table_values_from_the_everything_spec():
    spec = _spec(DATA / "good" / "gcp-everything.yaml")
    events = _values(spec, "events-bq")
    assert events["dataset_id"] == "analytics_events" and events["location"] == "EU"
    assert events["expiration_ms"] == 90 * 86400 * 1000
    assert events["delete_contents_on_destroy"] is False and events["retain"] is True
    table = events["table"]
    assert table["table_id"] == "events_bq" and table["deletion_protection"] is True
    assert json.loads(table["schema"]) == [
        {"name": "id", "type": "STRING", "mode": "REQUIRED"},
        {"name": "at", "type": "TIMESTAMP", "mode": "NULLABLE"},
        {"name": "tags", "type": "STRING", "mode": "REPEATED"},
    ]
    assert table["time_partitioning"] == {"type": "DAY", "field": "at"}
    scratch = _values(spec, "scratch-bq")
    # one dataset per project, stack and resource unless the spec names it; in the spec's region
    assert scratch["dataset_id"] == "gcp_everything_dev_scratch_bq" and scratch["location"] == "europe-west1"
    assert scratch["table"] is None and scratch["expiration_ms"] is None and scratch["retain"] is False


def test_attributes_only_where_the_table_has_them():
    assert attribute_problem("table", "aws", {"stream": None}, "stream_arn")
    assert attribute_problem("table", "aws", {"stream": "keys_only"}, "stream_arn") is None
    assert attribute_problem("table", "gcp", {"columns": None}, "table_spec")
    assert attribute_problem("table", "gcp", {"columns": []}, "table_spec") is None
    spec = _spec(DATA / "good" / "gcp-everything.yaml")
    form = KINDS["table"].clouds["gcp"]
    assert form.attribute("events-bq", spec.resources["events-bq"], "table_spec") == Concat(
        Child("events-bq", "table", "project"), ":", Child("events-bq", "table", "dataset_id"), ".", "events_bq"
    )


def test_aws_access_is_exact_actions_on_the_table_and_its_stream():
    spec = _spec(DATA / "good" / "aws-everything.yaml")
    form = KINDS["table"].clouds["aws"]
    orders = spec.resources["orders"]
    reads, reads_key = form.access["reads"]("orders", orders, "")
    assert reads["Resource"] == [Attr("orders", "arn")] and "dynamodb:PutItem" not in reads["Action"]
    assert reads_key["Action"] == ["kms:Decrypt"] and reads_key["Resource"] == [KEY]
    writes = form.access["writes"]("orders", orders, "")[0]
    assert set(writes["Action"]) == {
        "dynamodb:BatchWriteItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:DeleteItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
    }
    stream = form.access["consumes"]("orders", orders, "")[0]
    assert stream["Resource"] == [Concat(Attr("orders", "arn"), "/stream/*")]
    assert "dynamodb:GetItem" not in stream["Action"] and "dynamodb:GetRecords" in stream["Action"]


def test_gcp_access_is_a_dataset_role_and_the_job_role_once():
    form = KINDS["table"].clouds["gcp"]
    viewer, jobs = form.access["reads"]("events-bq", None, "")
    assert (viewer["iam_class"], viewer["role"], viewer["resource"]) == (
        "bigquery.DatasetIamMember",
        "roles/bigquery.dataViewer",
        Attr("events-bq", "name"),
    )
    assert form.access["writes"]("events-bq", None, "")[0]["role"] == "roles/bigquery.dataEditor"
    assert jobs["role"] == "roles/bigquery.jobUser" and jobs["resource"] == Deployment("gcp_project_id")
    assert jobs["once"] == "bigquery-jobs"


# --- plans -----------------------------------------------------------------------------------------------------

STREAMED = """\
  orders:
    type: table
    partition_key: {name: id}
    stream: new_image
  audit:
    type: function
    runtime: python3.12
    handler: app.handler
    code: ./app
    triggers:
      - {stream: orders, batch_size: 25, retries: 2}
"""


def test_a_table_stream_triggers_a_function_through_an_event_source_mapping(write_spec):
    planned = plan_spec(_spec(write_spec(AWS_HEADER + STREAMED)))
    [table] = _find(planned, "aws:dynamodb/table:Table", "orders")
    assert table.inputs["streamEnabled"] is True and table.inputs["streamViewType"] == "NEW_IMAGE"
    assert table.inputs["deletionProtectionEnabled"] is True and table.options["retain_on_delete"] is True
    [mapping] = _find(planned, "aws:lambda/eventSourceMapping:EventSourceMapping")
    # the mapping reads the table's stream, not the table
    assert mapping.inputs["eventSourceArn"] == (
        "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000"
    )
    assert (mapping.inputs["batchSize"], mapping.inputs["maximumRetryAttempts"]) == (25, 2)
    assert mapping.inputs["startingPosition"] == "LATEST"
    [policy] = _find(planned, "aws:iam/rolePolicy:RolePolicy", "audit-policy")
    statements = json.loads(policy.inputs["policy"])["Statement"]
    stream = next(s for s in statements if "dynamodb:GetRecords" in s["Action"])
    assert stream["Resource"] == ["arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/*"]
    # consuming the stream grants no item access
    assert not any("dynamodb:GetItem" in s["Action"] or "dynamodb:PutItem" in s["Action"] for s in statements)


def test_a_table_not_retained_is_deleted_with_the_stack(write_spec):
    text = AWS_HEADER + "  t: {type: table, partition_key: {name: id}, retain_on_destroy: false, protect: true}\n"
    planned = plan_spec(_spec(write_spec(text)))
    [table] = _find(planned, "aws:dynamodb/table:Table", "t")
    assert table.inputs["deletionProtectionEnabled"] is False and table.options["retain_on_delete"] is False
    assert table.options["protect"] is True


BIGQUERY = """\
  events:
    type: table
    columns:
      - {name: id, type: string, mode: required}
      - {name: day, type: date}
    partition_by: day
  reporter:
    type: function
    runtime: python3.12
    handler: main
    code: ./app
    reads: [events]
    writes: [events]
outputs:
  spec: ${events.table_spec}
"""


def test_a_bigquery_table_and_the_grants_of_a_function_using_it(write_spec):
    planned = plan_spec(_spec(write_spec(GCP_HEADER + BIGQUERY)))
    [dataset] = _find(planned, "gcp:bigquery/dataset:Dataset")
    assert dataset.inputs["datasetId"] == "shop_dev_events" and dataset.inputs["location"] == "europe-west1"
    assert dataset.inputs["deleteContentsOnDestroy"] is False and dataset.options["retain_on_delete"] is True
    [table] = _find(planned, "gcp:bigquery/table:Table")
    assert table.inputs["datasetId"] == "shop_dev_events" and table.inputs["tableId"] == "events"
    assert table.inputs["timePartitioning"] == {"type": "DAY", "field": "day"}
    assert table.inputs["deletionProtection"] is True
    members = {
        r.name: (r.inputs["role"], r.inputs.get("datasetId") or r.inputs.get("project"))
        for r in planned.resources
        if r.name.startswith("reporter-") and r.type.lower().endswith("iammember")
    }
    # the job role once, though the function both reads and writes the dataset
    assert members == {
        "reporter-reads-events": ("roles/bigquery.dataViewer", "shop_dev_events"),
        "reporter-bigquery-jobs": ("roles/bigquery.jobUser", "ml-platform-123"),
        "reporter-writes-events": ("roles/bigquery.dataEditor", "shop_dev_events"),
    }
    assert planned.outputs["spec"] == "ml-platform-123:shop_dev_events.events"


@pytest.mark.parametrize("cloud", ["aws", "gcp"])
def test_a_stream_trigger_on_a_table_is_refused_where_it_cannot_work(cloud, write_spec):
    text = (AWS_HEADER if cloud == "aws" else GCP_HEADER) + "  t:\n    type: table\n"
    if cloud == "aws":
        text += "    partition_key: {name: id}\n"
    handler = "app.handler" if cloud == "aws" else "main"
    text += f"  f:\n    type: function\n    runtime: python3.12\n    handler: {handler}\n    code: ./app\n"
    text += "    triggers: [{stream: t}]\n"
    result = load_spec(str(write_spec(text)), "dev")
    assert [d.code for d in result.diagnostics if d.severity.name == "ERROR"] == ["AP407"]


def test_the_schema_requires_a_partition_key_on_aws_only():
    import jsonschema
    import yaml

    from aipipe.schema import spec_json_schema

    validator = jsonschema.Draft202012Validator(spec_json_schema())
    aws = yaml.safe_load(AWS_HEADER + "  t: {type: table}\n")
    assert not validator.is_valid(aws)
    aws["resources"]["t"]["partition_key"] = {"name": "id"}
    assert validator.is_valid(aws)
    assert validator.is_valid(yaml.safe_load(GCP_HEADER + "  t: {type: table}\n"))


DATAFLOW_INTO_TABLE = """\
  events:
    type: table
    columns:
      - {name: payload, type: json}
  clicks:
    type: topic
  loader:
    type: dataflow
    template: pubsub-to-bigquery
    input: clicks
    output: ${events.table_spec}
    temp: gs://fixed-temp-bucket/tmp/
    ignore: [AP506]
"""


def test_a_dataflow_job_writes_a_table_of_the_spec_with_a_derived_grant(write_spec):
    planned = plan_spec(_spec(write_spec(GCP_HEADER + DATAFLOW_INTO_TABLE)))
    [job] = _find(planned, "gcp:dataflow/flexTemplateJob:FlexTemplateJob")
    assert job.inputs["parameters"]["outputTableSpec"] == "ml-platform-123:shop_dev_events.events"
    [grant] = _find(planned, "gcp:bigquery/datasetIamMember:DatasetIamMember", "loader-dataset")
    assert (grant.inputs["datasetId"], grant.inputs["project"], grant.inputs["role"]) == (
        "shop_dev_events",
        "ml-platform-123",
        "roles/bigquery.dataEditor",
    )
    [table] = _find(planned, "gcp:bigquery/table:Table")
    assert table.urn in grant.dependencies  # the grant (and so the job) waits for the table


def test_a_dataflow_output_names_a_table_of_the_spec_or_a_table_written_out(write_spec):
    text = GCP_HEADER + DATAFLOW_INTO_TABLE.replace("${events.table_spec}", "${clicks.table_spec}")
    result = load_spec(str(write_spec(text)), "dev")
    assert sorted(d.code for d in result.diagnostics if d.severity.name == "ERROR") == ["AP301", "AP408"]
