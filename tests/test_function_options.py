"""Function options (issue 15): layers, reserved concurrency, minimum instances, VPC attachment and the `deletes`
role, from their values to the planned resources and permissions. Facts and sources:
aipipe/kinds/function/options.py, aipipe/kinds/bucket_access.py."""

from __future__ import annotations

import json

import pytest

from aipipe.codegen.context import RenderJob, built_artifacts
from aipipe.kinds.function.options import CONNECTOR, LAYER_ARN, VPC_ACTIONS
from aipipe.kinds.registry import KINDS
from aipipe.offline.graph import pipeline_edges
from aipipe.offline.plan import plan_spec
from aipipe.semantics.symbols import Attr, Concat, Deployment
from aipipe.validation import load_spec

AWS_SPEC = """\
aipipe: 1
name: opts
cloud: aws
region: eu-west-1
resources:
  raw: {type: bucket}
  fn:
    type: function
    runtime: python3.12
    handler: app.handler
    code: ./app
    layers:
      - arn:aws:lambda:eu-west-1:123456789012:layer:deps:3
      - arn:aws:lambda:eu-west-1:580247275435:layer:insights:52
    reserved_concurrency: 4
    vpc: {subnets: [subnet-0123456789abcdef0, subnet-abcdef01], security_groups: [sg-0123456789abcdef0]}
    writes: [raw/out/]
    deletes: [raw/tmp/]
  plain:
    type: function
    runtime: python3.12
    handler: app.handler
    code: ./app
"""

GCP_SPEC = """\
aipipe: 1
name: opts
cloud: gcp
region: europe-west1
project: opts-project
resources:
  raw: {type: bucket}
  fn:
    type: function
    runtime: python3.12
    handler: main
    code: ./app
    min_instances: 0
    max_instances: 3
    vpc: {connector: shared, egress: all}
    writes: [raw/out/]
    deletes: [raw/out/, raw/tmp/]
  full:
    type: function
    runtime: python3.12
    handler: main
    code: ./app
    vpc: {connector: projects/host-project/locations/europe-west1/connectors/shared}
"""


def _spec(write_spec, text):
    result = load_spec(str(write_spec(text)), "dev")
    assert result.valid, result.diagnostics
    return result.spec


def _values(spec, name):
    resource = spec.resources[name]
    return KINDS[resource.type].clouds[spec.cloud].values(RenderJob(spec, built_artifacts(spec)), name, resource)


def _one(plan, type_token, name):
    [found] = [r for r in plan.resources if r.type == type_token and r.name == name]
    return found


@pytest.mark.parametrize(
    ("arn", "valid"),
    [
        ("arn:aws:lambda:us-east-1:123456789012:layer:my_layer-2:10", True),
        ("arn:aws-us-gov:lambda:us-gov-west-1:123456789012:layer:x:1", True),
        ("arn:aws:lambda:us-east-1:123456789012:layer:x", False),  # no version
        ("arn:aws:lambda:us-east-1:12345678901:layer:x:1", False),  # an account has 12 digits
        ("arn:aws:lambda:us-east-1:123456789012:function:x:1", False),
        ("arn:aws:lambda:us-east-1:123456789012:layer:x:latest", False),
    ],
)
def test_layer_arn_form(arn, valid):
    assert bool(LAYER_ARN.fullmatch(arn)) is valid


@pytest.mark.parametrize(
    ("connector", "valid"),
    [
        ("shared", True),
        ("projects/host-project/locations/europe-west1/connectors/shared-1", True),
        ("a" * 25, True),
        ("a" * 26, False),  # at most 25 characters
        ("Shared", False),
        ("shared-", False),
        ("locations/europe-west1/connectors/shared", False),
    ],
)
def test_connector_form(connector, valid):
    assert bool(CONNECTOR.fullmatch(connector)) is valid


def test_aws_option_values_and_policy(write_spec):
    spec = _spec(write_spec, AWS_SPEC)
    fn = _values(spec, "fn")
    assert fn["layers"] == [
        "arn:aws:lambda:eu-west-1:123456789012:layer:deps:3",
        "arn:aws:lambda:eu-west-1:580247275435:layer:insights:52",
    ]
    assert fn["reserved_concurrency"] == 4
    assert fn["vpc_config"] == {
        "subnet_ids": ["subnet-0123456789abcdef0", "subnet-abcdef01"],
        "security_group_ids": ["sg-0123456789abcdef0"],
    }
    statements = fn["policy"].document["Statement"]
    deletes = [s for s in statements if "s3:DeleteObject" in s["Action"]]
    assert deletes == [
        {"Effect": "Allow", "Action": ["s3:DeleteObject"], "Resource": [Concat(Attr("raw", "arn"), "/tmp/*")]}
    ]
    assert not any("s3:DeleteObjectVersion" in s["Action"] for s in statements)
    [vpc] = [s for s in statements if "ec2:CreateNetworkInterface" in s["Action"]]
    assert vpc["Action"] == sorted(VPC_ACTIONS) and vpc["Resource"] == ["*"]
    plain = _values(spec, "plain")
    assert plain["layers"] is None and plain["reserved_concurrency"] is None and plain["vpc_config"] is None
    assert not any("ec2:CreateNetworkInterface" in s["Action"] for s in plain["policy"].document["Statement"])


def test_gcp_option_values_and_one_grant_for_writes_and_deletes_alike(write_spec):
    spec = _spec(write_spec, GCP_SPEC)
    fn = _values(spec, "fn")
    assert fn["min_instances"] == 0 and fn["max_instances"] == 3
    # a bare name is the connector of the spec's project, in the function's region
    assert fn["vpc_connector"] == Concat(
        "projects/", Deployment("gcp_project_id"), "/locations/europe-west1/connectors/shared"
    )
    assert fn["vpc_egress"] == "ALL_TRAFFIC"
    # writes raw/out/ and deletes raw/out/ are the same binding: granted once; deletes raw/tmp/ is another
    assert [(g["name"], g["role"]) for g in fn["grants"]] == [
        ("fn-writes-raw", "roles/storage.objectUser"),
        ("fn-deletes-raw", "roles/storage.objectUser"),
    ]
    full = _values(spec, "full")
    assert full["vpc_connector"] == "projects/host-project/locations/europe-west1/connectors/shared"
    assert full["vpc_egress"] is None and full["min_instances"] is None


def test_aws_plan_sets_the_options_on_the_function(write_spec):
    plan = plan_spec(_spec(write_spec, AWS_SPEC))
    fn = _one(plan, "aws:lambda/function:Function", "fn")
    assert fn.inputs["layers"] == [
        "arn:aws:lambda:eu-west-1:123456789012:layer:deps:3",
        "arn:aws:lambda:eu-west-1:580247275435:layer:insights:52",
    ]
    assert fn.inputs["reservedConcurrentExecutions"] == 4
    assert fn.inputs["vpcConfig"] == {
        "subnetIds": ["subnet-0123456789abcdef0", "subnet-abcdef01"],
        "securityGroupIds": ["sg-0123456789abcdef0"],
    }
    policy = json.loads(_one(plan, "aws:iam/rolePolicy:RolePolicy", "fn-policy").inputs["policy"])
    by_action = {action: s["Resource"] for s in policy["Statement"] for action in s["Action"]}
    assert by_action["s3:DeleteObject"] == ["arn:aws:s3:::raw/tmp/*"]
    assert by_action["s3:PutObject"] == ["arn:aws:s3:::raw/out/*"]
    assert all(by_action[action] == ["*"] for action in VPC_ACTIONS)
    plain = _one(plan, "aws:lambda/function:Function", "plain")
    assert not {"layers", "reservedConcurrentExecutions", "vpcConfig"} & set(plain.inputs)


def test_gcp_plan_sets_the_service_config(write_spec):
    plan = plan_spec(_spec(write_spec, GCP_SPEC))
    config = _one(plan, "gcp:cloudfunctionsv2/function:Function", "fn").inputs["serviceConfig"]
    assert config["minInstanceCount"] == 0 and config["maxInstanceCount"] == 3
    assert config["vpcConnector"].endswith("/locations/europe-west1/connectors/shared")
    assert config["vpcConnector"].startswith("projects/")
    assert config["vpcConnectorEgressSettings"] == "ALL_TRAFFIC"
    grants = [r for r in plan.resources if r.type == "gcp:storage/bucketIAMMember:BucketIAMMember"]
    assert sorted(g.name for g in grants) == ["fn-deletes-raw", "fn-writes-raw"]
    full = _one(plan, "gcp:cloudfunctionsv2/function:Function", "full").inputs["serviceConfig"]
    assert full["vpcConnector"] == "projects/host-project/locations/europe-west1/connectors/shared"
    assert "vpcConnectorEgressSettings" not in full and "minInstanceCount" not in full


def test_deletes_are_drawn_as_a_flow(write_spec):
    _, edges = pipeline_edges(_spec(write_spec, AWS_SPEC))
    assert ("fn", "raw", "deletes tmp/") in {(e.source, e.target, e.label) for e in edges}


@pytest.mark.parametrize(
    ("trigger", "codes"),
    [
        ("{bucket: raw, prefix: tmp/}", []),  # created events: deleting does not fire them
        ("{bucket: raw, events: [deleted], prefix: other/}", []),  # deleted events elsewhere
        ("{bucket: raw, events: [deleted]}", ["AP501"]),
    ],
)
def test_a_delete_fires_only_deleted_triggers_on_its_keys(write_spec, trigger, codes):
    deletes = "    deletes: [raw/tmp/]\n"
    text = AWS_SPEC.replace(deletes, f"{deletes}    triggers: [{trigger}]\n")
    assert [d.code for d in load_spec(str(write_spec(text)), "dev").diagnostics] == codes
