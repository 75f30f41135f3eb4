"""`type: pulumi`: any other resource of the cloud's provider, checked against the installed SDK without importing
it, rendered as the SDK class with the spec's properties, planned under mocks like every other kind."""

from __future__ import annotations

import ast
from collections import Counter

import pytest
import yaml

from aipipe.codegen.context import keyword_argument, sdk_class
from aipipe.codegen.project import render_program
from aipipe.codegen.safe import RenderError, check_program
from aipipe.kinds.pulumi_resource import checks, values
from aipipe.kinds.pulumi_resource.sdk import installed
from aipipe.kinds.pulumi_resource.shapes import Shape, mismatches, shape_of
from aipipe.kinds.registry import KINDS
from aipipe.offline import diff
from aipipe.offline.mocks import Plan
from aipipe.offline.plan import plan_spec
from aipipe.semantics.symbols import Attr, Concat, Deployment
from aipipe.validation import load_spec

from test_fast_paths import heavy_modules
from test_render_hostile import TEXTS

AWS = """\
aipipe: 1
name: demo
cloud: aws
region: us-east-1
resources:
  alarms: {type: topic, encryption: none}
  results:
    type: pulumi
    resource: aws:dynamodb/table:Table
    protect: true
    tags: {owner: data}
    properties:
      billing_mode: PAY_PER_REQUEST
      hash_key: id
      attributes: [{name: id, type: S}]
      stream_enabled: true
      stream_view_type: NEW_IMAGE
      global_secondary_indexes: [{name: by-kind, hash_key: kind, projection_type: ALL}]
  throttled:
    type: pulumi
    resource: aws:cloudwatch/metricAlarm:MetricAlarm
    depends_on: [fn]
    properties:
      comparison_operator: GreaterThanThreshold
      evaluation_periods: 1
      metric_name: ThrottledRequests
      namespace: AWS/DynamoDB
      period: 300
      statistic: Sum
      threshold: 0
      dimensions: {TableName: "${results.name}"}
      alarm_actions: ["${alarms.arn}"]
      alarm_description: Throttled on ${results.name} in ${stack}
  fn:
    type: function
    runtime: python3.12
    handler: app.handler
    code: ./app
    environment: {TABLE: "${results.name}", STREAM: "${results.stream_arn}"}
outputs:
  table: ${results.arn}
"""


def _load(write_spec, text: str):
    result = load_spec(str(write_spec(text)), "dev")
    assert result.valid, result.diagnostics
    return result.spec


def test_properties_arrive_at_the_resource_and_references_resolve_both_ways(write_spec):
    planned = plan_spec(_load(write_spec, AWS))
    by_name = {(r.type, r.name): r for r in planned.resources}
    table = by_name["aws:dynamodb/table:Table", "results"]
    # the SDK turns the Python names (and nested mappings' keys) into the provider's
    assert table.inputs["billingMode"] == "PAY_PER_REQUEST"
    assert table.inputs["attributes"] == [{"name": "id", "type": "S"}]
    assert table.inputs["globalSecondaryIndexes"] == [{"name": "by-kind", "hashKey": "kind", "projectionType": "ALL"}]
    assert table.inputs["streamEnabled"] is True
    assert table.inputs["tags"] == {
        "aipipe:project": "demo",
        "aipipe:stack": "dev",
        "aipipe:resource": "results",
        "owner": "data",
    }
    assert table.options["protect"] is True
    # references out of its properties: a topic's ARN, its own table's name, the stack
    alarm = by_name["aws:cloudwatch/metricAlarm:MetricAlarm", "throttled"]
    assert alarm.inputs["alarmActions"] == ["arn:aws:sns:us-east-1:123456789012:topic/alarms"]
    assert alarm.inputs["dimensions"] == {"TableName": "results"}
    assert alarm.inputs["alarmDescription"] == "Throttled on results in dev"
    assert table.urn in alarm.dependencies
    # depends_on orders it after the function (no reference says so)
    function = by_name["aws:lambda/function:Function", "fn"]
    assert any(dependency.endswith("::fn") for dependency in alarm.options["depends_on"])
    # references into its outputs, as the mocks compute them (clouds.aws: the table's ARN and stream ARN)
    assert function.inputs["environment"]["variables"] == {
        "TABLE": "results",
        "STREAM": "arn:aws:dynamodb:us-east-1:123456789012:table/results/stream/2026-01-01T00:00:00.000",
    }
    assert planned.outputs["table"] == "arn:aws:dynamodb:us-east-1:123456789012:table/results"
    # each cloud resource is owned by its spec resource, through its component
    component = by_name["aipipe:index:Pulumi", "results"]
    assert table.parent == component.urn
    owners = {(change.resource, change.kind) for change in diff.compare(Plan([], {}), planned)}
    assert {("results", "pulumi"), ("throttled", "pulumi")} <= owners


def test_the_component_registers_every_output_of_the_sdk_class(write_spec):
    program = render_program(_load(write_spec, AWS), write_spec("x").parent)["__main__.py"]
    line = next(text for text in program.splitlines() if text.startswith("results.register_outputs("))
    for output in ("id", "urn", "arn", "stream_arn", "name", "billing_mode", "tags_all"):
        assert f"'{output}': results_resource.{output}," in line
    assert "results_resource = aws.dynamodb.Table(" in program
    assert "throttled_resource = aws.cloudwatch.MetricAlarm(" in program


def test_gcp_resources_plan_with_labels_and_the_project_setup(write_spec):
    spec = _load(
        write_spec,
        """\
aipipe: 1
name: demo
cloud: gcp
region: europe-west1
resources:
  results:
    type: pulumi
    resource: gcp:bigquery/dataset:Dataset
    tags: {tier: curated}
    properties: {dataset_id: results, location: EU, delete_contents_on_destroy: true}
  events:
    type: pulumi
    resource: gcp:bigquery/table:Table
    properties: {dataset_id: "${results.dataset_id}", table_id: events, deletion_protection: false}
""",
    )
    planned = plan_spec(spec)
    counts = Counter(r.type for r in planned.resources)
    assert counts["gcp:bigquery/dataset:Dataset"] == counts["gcp:bigquery/table:Table"] == 1
    assert counts["aipipe:index:Pulumi"] == 2
    [service] = [r for r in planned.resources if r.inputs.get("service") == "bigquery.googleapis.com"]
    [dataset] = [r for r in planned.resources if r.type == "gcp:bigquery/dataset:Dataset"]
    [table] = [r for r in planned.resources if r.type == "gcp:bigquery/table:Table"]
    assert dataset.inputs["labels"]["tier"] == "curated" and dataset.inputs["labels"]["aipipe-resource"] == "results"
    assert table.inputs["datasetId"] == "results" and dataset.urn in table.dependencies
    assert service.urn in dataset.dependencies  # the API is enabled first
    assert diff.holds_data(dataset)


def test_values_name_the_sdk_class_from_its_index_and_keep_references_symbolic(write_spec):
    spec = _load(write_spec, AWS)
    found = values("aws", None, "throttled", spec.resources["throttled"])
    assert found["sdk_class"] == "cloudwatch.MetricAlarm" and found["tags_argument"] == "tags"
    assert found["arguments"]["dimensions"] == {"TableName": Attr("results", "name")}
    assert found["arguments"]["alarm_description"] == Concat(
        "Throttled on ", Attr("results", "name"), " in ", Deployment("stack")
    )
    form = KINDS["pulumi"].clouds["aws"]
    assert form.attributes_for({"resource": "aws:dynamodb/table:Table"})[:3] == ("id", "urn", "arn")
    assert form.attributes_for({"resource": "aws:nothing/here:Here"}) == ()  # unknown: references not judged


def test_hostile_property_values_and_keys_arrive_unchanged_and_never_as_code(write_spec):
    texts = [text for text in TEXTS if text][:14]
    document = yaml.safe_load(AWS)
    document["resources"]["throttled"]["properties"].update(
        {
            "alarm_description": texts[0] + "".join(texts),
            "dimensions": {text: text for text in texts},  # mapping keys: any string, rendered as literals
            "ok_actions": texts,
        }
    )
    spec = _load(write_spec, yaml.safe_dump(document, allow_unicode=True))
    program = render_program(spec, write_spec("x").parent)["__main__.py"]
    check_program(program)
    planned = plan_spec(spec)
    [alarm] = [r for r in planned.resources if r.type == "aws:cloudwatch/metricAlarm:MetricAlarm"]
    expected = [text.replace("$${", "${") for text in texts]
    assert alarm.inputs["dimensions"] == dict(zip(texts, expected, strict=True))  # keys are taken literally
    assert alarm.inputs["okActions"] == expected
    assert alarm.inputs["alarmDescription"] == expected[0] + "".join(expected)


HOSTILE_KEYS = ["x) or __import__('os').system('id') #", "a b", "class", "opts", "__class__", "billing_mode=1, x"]


@pytest.mark.parametrize("key", HOSTILE_KEYS)
def test_hostile_argument_names_are_refused_at_validate_and_again_at_render(key, write_spec):
    document = yaml.safe_load(AWS)
    document["resources"]["results"]["properties"][key] = "x"
    diagnostics = load_spec(str(write_spec(yaml.safe_dump(document)))).diagnostics
    assert [(d.code, d.path) for d in diagnostics if d.severity.value == "error"] == [
        ("AP421", f"resources.results.properties.{key}")
    ]
    resource = _load(write_spec, AWS).resources["results"].model_copy(update={"properties": {key: "x"}})
    with pytest.raises(LookupError):
        values("aws", None, "results", resource)  # the values builder checks the names against the class again


@pytest.mark.parametrize("key", [key for key in HOSTILE_KEYS if not key.isidentifier()] + ["class", "lambda"])
def test_only_identifiers_render_as_argument_names(key):
    with pytest.raises(RenderError):
        keyword_argument(key)


@pytest.mark.parametrize("path", ["dynamodb.Table; import os", "os.system", "dynamodb.Table(", "__import__.X"])
def test_only_sdk_class_paths_render_as_code(path):
    with pytest.raises(RenderError):
        sdk_class("aws", path)


def test_validate_never_imports_the_sdk(write_spec):
    path = write_spec(AWS)
    assert heavy_modules(["validate", str(path)]) == "HEAVY="
    bad = write_spec(AWS.replace("hash_key: id", "hash_kye: id"), "bad.yaml")
    assert heavy_modules(["validate", str(bad)]) == "HEAVY="


def test_without_the_sdk_the_properties_are_not_checked_and_a_warning_says_so(write_spec, monkeypatch):
    monkeypatch.setattr(checks, "installed", lambda package: None)
    result = load_spec(str(write_spec(AWS.replace("hash_key: id", "hash_kye: id"))), "dev")
    assert [(d.code, d.severity.value, d.path) for d in result.diagnostics] == [
        ("AP424", "warning", "resources.results.resource"),
        ("AP424", "warning", "resources.throttled.resource"),
    ]
    assert "pip install 'pulumi-aws" in result.diagnostics[0].message
    # and rendering says so instead of failing with a traceback
    spec = _load(write_spec, AWS)
    with pytest.raises(RenderError, match="resource `results`: `aws:dynamodb/table:Table` is not a resource class"):
        render_program(spec, write_spec("x").parent)


def test_a_missing_output_is_refused_with_did_you_mean(write_spec):
    [error] = load_spec(str(write_spec(AWS.replace("${results.stream_arn}", "${results.stream}")))).diagnostics
    assert error.code == "AP301" and "(did you mean `stream_arn`?)" in error.message


def test_the_sdk_index_maps_tokens_to_python_modules_and_files():
    aws = installed("pulumi_aws")
    assert aws.resource("aws:lambda/function:Function").path == "lambda_.Function"  # `lambda` is a keyword
    assert aws.resource("aws:appsync/graphQLApi:GraphQLApi").path == "appsync.GraphQLApi"  # graph_ql_api.py
    # `<Class>InitArgs` where `<Class>Args` is a nested input type
    versioning = aws.resource("aws:s3/bucketVersioning:BucketVersioning")
    assert versioning.arguments["bucket"].required
    assert "resource_name" not in aws.resource("aws:lightsail/bucketResourceAccess:BucketResourceAccess").arguments
    assert installed("pulumi_gcp").resource("gcp:bigquery/dataset:Dataset").arguments["dataset_id"].required
    assert installed("no_such_sdk_package") is None


@pytest.mark.parametrize(
    "annotation, value, fits",
    [
        ("pulumi.Input[Optional[_builtins.str]]", "x", True),
        ("pulumi.Input[Optional[_builtins.str]]", 1, False),
        ("pulumi.Input[_builtins.int]", True, False),
        ("pulumi.Input[_builtins.float]", 2, True),
        ("pulumi.Input[Optional['TableTtlArgs']]", {"enabled": True}, True),
        ("pulumi.Input[Optional['TableTtlArgs']]", "on", False),
        ("pulumi.Input[Sequence[pulumi.Input[_builtins.str]]]", ["a", 1], False),
        ("pulumi.Input[Mapping[str, pulumi.Input[_builtins.str]]]", {"k": "v"}, True),
        ("pulumi.Input[Union[_builtins.str, 'CannedAcl']]", 5, True),  # an enum: left to the SDK
        ("pulumi.Input[_builtins.int]", "${other.count}", True),  # known once deployed
        ("pulumi.Archive", "code.zip", True),
    ],
)
def test_simple_value_types_are_judged_against_the_annotation(annotation, value, fits):
    shape = shape_of(ast.parse(annotation, mode="eval").body)
    assert (next(mismatches(value, shape), None) is None) is fits


def test_a_mismatch_names_the_place_inside_the_value():
    shape = Shape("list", (Shape("object", name="TableAttributeArgs"),))
    assert [(p.path, p.kind, p.expected) for p in mismatches([{}, "id"], shape)] == [((1,), "type", shape.items[0])]
    assert shape.describe() == "a list of mappings (TableAttributeArgs)"


def test_nested_input_types_are_read_from_the_sdk_and_their_keys_checked():
    sdk = installed("pulumi_aws")
    ttl = sdk.nested("dynamodb", "TableTtlArgsDict")
    assert set(ttl) == {"attribute_name", "enabled"} and not ttl["enabled"].required
    assert sdk.nested("dynamodb", "NoSuchArgs") is None and sdk.nested("dynamodb", "x; import os") is None
    shape = Shape("list", (Shape("object", name="TableAttributeArgs"),))
    problems = list(mismatches([{"name": "id", "typ": "S"}], shape, (), lambda name: sdk.nested("dynamodb", name)))
    assert [(p.path, p.kind, p.name) for p in problems] == [((0, "typ"), "unknown", "typ"), ((0,), "missing", "type")]
    # a type that takes no keys takes no keys
    assert [p.kind for p in mismatches({"x": 1}, Shape("object", name="E"), (), lambda name: {})] == ["unknown"]


def test_a_firestore_database_enables_its_api(write_spec):
    spec = _load(
        write_spec,
        """\
aipipe: 1
name: demo
cloud: gcp
region: europe-west1
resources:
  store:
    type: pulumi
    resource: gcp:firestore/database:Database
    properties: {name: (default), location_id: eur3, type: FIRESTORE_NATIVE}
""",
    )
    program = render_program(spec, write_spec("x").parent)["__main__.py"]
    assert "service='firestore.googleapis.com'" in program and "gcp.firestore.Database(" in program
