"""`permissions:` (extra IAM statements / GCP roles), deploy-context references and stack-only resources:
their checks, and what they plan to under mocks."""

from __future__ import annotations

import json

import pytest

from aipipe.offline.plan import plan_spec
from aipipe.semantics.symbols import Attr, Concat, Deployment
from aipipe.spec.permissions import CONDITION_OPERATORS, Permission, aws_statements, is_broad, permissions_policy
from aipipe.spec.references import parse_references, symbolic
from aipipe.validation import load_spec

from conftest import DATA

EVERYTHING_AWS = DATA / "good" / "aws-everything.yaml"

AWS_FUNCTION = """\
aipipe: 1
name: demo
cloud: aws
region: eu-west-1
resources:
  raw:
    type: bucket
  fn:
    type: function
    runtime: python3.12
    handler: app.handler
    code: ./app
    permissions:
{permissions}
"""


def codes(result):
    return sorted((d.code, d.line) for d in result.diagnostics)


def planned(path, stack=None):
    result = load_spec(str(path), stack)
    assert result.valid, result.diagnostics
    return plan_spec(result.spec)


def policy_of(plan, name):
    [resource] = [r for r in plan.resources if r.type == "aws:iam/rolePolicy:RolePolicy" and r.name == name]
    return json.loads(resource.inputs["policy"])["Statement"]


# --- the model and its documents ---------------------------------------------------------------------------


def test_statements_carry_references_as_symbols():
    permission = Permission(
        actions=["glue:StartJobRun"],
        resources=["${raw.arn}/in/*", "arn:${partition}:glue:${region}:${account}:job/etl"],
        conditions={"ArnLike": {"aws:SourceArn": ["${raw.arn}"]}},
    )
    [statement] = aws_statements([permission])
    assert statement["Resource"][0] == Concat(Attr("raw", "arn"), "/in/*")
    assert statement["Resource"][1] == Concat(
        "arn:",
        Deployment("aws_partition"),
        ":glue:",
        Deployment("region"),
        ":",
        Deployment("aws_account_id"),
        ":job/etl",
    )
    assert statement["Condition"] == {"ArnLike": {"aws:SourceArn": [Attr("raw", "arn")]}}
    assert permissions_policy([]) is None


def test_only_wildcards_and_basic_roles_are_broad():
    narrow = Permission(actions=["s3:GetObject"], resources=["arn:aws:s3:::b/in/*"])
    assert is_broad(narrow, "aws") == []
    broad = Permission(actions=["s3:Get*", "s3:GetObject", "glue:GetJob?"], resources=["arn:aws:s3:::b", "*"])
    assert is_broad(broad, "aws") == [
        (("actions", 0), "`s3:Get*` is a wildcard: it allows every matching action"),
        (("actions", 2), "`glue:GetJob?` is a wildcard: it allows every matching action"),
        (("resources", 1), "`*` applies the actions to every resource of the account"),
    ]
    assert [path for path, _ in is_broad(Permission(role="roles/editor"), "gcp")] == [("role",)]
    assert is_broad(Permission(role="roles/bigquery.dataEditor"), "gcp") == []


@pytest.mark.parametrize(
    "operator",
    ["StringEquals", "StringLikeIfExists", "ForAnyValue:StringLike", "ForAllValues:ArnEquals", "Null", "Bool"],
)
def test_iam_condition_operators_are_accepted(operator, write_spec):
    text = AWS_FUNCTION.format(
        permissions=f"      - {{actions: [s3:GetObject], resources: ['${{raw.arn}}/*'], conditions: {{'{operator}': "
        "{aws:SourceAccount: '1'}}}"
    )
    result = load_spec(str(write_spec(text)))
    assert result.valid, result.diagnostics


@pytest.mark.parametrize("operator", ["NullIfExists", "StringEqual", "ForSomeValues:StringLike", "stringequals"])
def test_iam_condition_operators_that_do_not_exist_are_refused(operator, write_spec):
    assert "NullIfExists" not in CONDITION_OPERATORS  # AWS: Null takes no IfExists
    text = AWS_FUNCTION.format(
        permissions=f"      - {{actions: [s3:GetObject], resources: ['*'], conditions: {{'{operator}': "
        "{aws:SourceAccount: '1'}}}"
    )
    assert ("AP410", 14) in codes(load_spec(str(write_spec(text))))


@pytest.mark.parametrize(
    "resource",
    ["arn:aws:s3:::bucket/key", "arn:aws-cn:dynamodb:cn-north-1:123456789012:table/t", "arn:aws:iam::*:role/x", "*"],
)
def test_arn_forms_are_accepted(resource, write_spec):
    text = AWS_FUNCTION.format(permissions=f"      - {{actions: [s3:GetObject], resources: ['{resource}']}}")
    assert "AP410" not in {d.code for d in load_spec(str(write_spec(text))).diagnostics}


@pytest.mark.parametrize("resource", ["arn:aws:s3", "s3://bucket/key", "arn:aws:sqs:eu-west-1:12345:q", "**"])
def test_what_is_not_an_arn_is_refused(resource, write_spec):
    text = AWS_FUNCTION.format(permissions=f"      - {{actions: [s3:GetObject], resources: ['{resource}']}}")
    assert ("AP410", 14) in codes(load_spec(str(write_spec(text))))


# --- planned ---------------------------------------------------------------------------------------------


def test_aws_permissions_are_a_policy_of_their_own_resolved_per_stack():
    dev, prod = planned(EVERYTHING_AWS), planned(EVERYTHING_AWS, "prod")
    # the derived least-privilege policy holds none of the spec's own statements
    assert not any("textract" in str(s["Action"]) for s in policy_of(dev, "ingest-policy"))
    assert policy_of(prod, "ingest-permissions")[1] == {
        "Effect": "Allow",
        "Action": ["glue:GetJobRun", "glue:StartJobRun"],
        "Resource": ["arn:aws:glue:us-west-2:123456789012:job/etl-prod"],  # ${region} is the stack's region
    }
    assert policy_of(dev, "ingest-permissions")[1]["Resource"] == ["arn:aws:glue:us-east-1:123456789012:job/etl-dev"]
    [machine] = policy_of(dev, "pipeline-permissions")
    assert machine["Resource"] == ["arn:aws:sns:us-east-1:123456789012:topic/alarms"]


def test_parliament_judges_a_misspelt_action(write_spec):
    parliament = pytest.importorskip("parliament", reason="parliament is a test extra (pip install '.[test]')")
    text = AWS_FUNCTION.format(
        permissions="      - {actions: [textract:AnalyzeDocuments], resources: ['*']}\n    ignore: [AP510]"
    )
    plan = planned(write_spec(text))
    document = json.dumps({"Version": "2012-10-17", "Statement": policy_of(plan, "fn-permissions")})
    assert "UNKNOWN_ACTION" in [f.issue for f in parliament.analyze_policy_string(document).findings]


def test_gcp_roles_are_granted_on_the_project_or_the_named_resource(write_spec):
    text = """\
aipipe: 1
name: demo
cloud: gcp
region: europe-west1
resources:
  raw:
    type: bucket
  fn:
    type: function
    runtime: python3.12
    handler: main
    code: ./app
    environment: {WHERE: "${gcp_project}/${region}"}
    permissions:
      - role: roles/aiplatform.user
      - role: roles/storage.objectViewer
        resource: raw
        condition: {title: inputs, expression: 'resource.name.startsWith("projects/_/buckets/b/objects/in/")'}
"""
    plan = planned(write_spec(text))
    members = {r.name: r for r in plan.resources if r.name.startswith("fn-permission-")}
    assert members["fn-permission-0"].type == "gcp:projects/iAMMember:IAMMember"
    assert members["fn-permission-0"].inputs["project"] == "mock-project"
    assert members["fn-permission-0"].inputs["role"] == "roles/aiplatform.user"
    assert members["fn-permission-1"].type == "gcp:storage/bucketIAMMember:BucketIAMMember"
    assert members["fn-permission-1"].inputs["condition"]["title"] == "inputs"
    account = next(
        r for r in plan.resources if r.type == "gcp:serviceaccount/account:Account" and r.name == "fn-account"
    )
    assert all(
        m.inputs["member"].endswith(account.inputs["accountId"] + "@mock-project.iam.gserviceaccount.com")
        for m in members.values()
    )
    [function] = [r for r in plan.resources if r.type == "gcp:cloudfunctionsv2/function:Function"]
    assert function.inputs["serviceConfig"]["environmentVariables"]["WHERE"] == "mock-project/europe-west1"
    # the function waits for its grants, these included
    settled = next(r for r in plan.resources if r.name == "fn-grants-settled")
    assert {m.urn for m in members.values()} <= set(settled.dependencies)


# --- deploy-context references ------------------------------------------------------------------------------


def test_context_references_parse_to_deployment_facts():
    assert [r.form for r in parse_references("${region}${account}${partition}${gcp_project}")] == ["context"] * 4
    assert symbolic("${account}") == Deployment("aws_account_id")
    assert symbolic("${gcp_project}") == Deployment("gcp_project_id")
    [typo] = parse_references("${acount}")
    assert typo.form == "invalid" and "account" in typo.problem


# --- resources of some stacks only --------------------------------------------------------------------------


def test_a_stack_only_resource_exists_in_its_stacks_alone():
    dev, prod = load_spec(str(EVERYTHING_AWS), "dev"), load_spec(str(EVERYTHING_AWS), "prod")
    assert "audit" not in dev.spec.resources and "audit" in prod.spec.resources
    buckets = lambda plan: {r.name for r in plan.resources if r.type == "aws:s3/bucket:Bucket"}  # noqa: E731
    assert "audit" in buckets(planned(EVERYTHING_AWS, "prod")) and "audit" not in buckets(planned(EVERYTHING_AWS))


def test_naming_a_resource_of_other_stacks_is_an_error_in_the_stacks_without_it(write_spec):
    text = """\
aipipe: 1
name: demo
cloud: aws
region: eu-west-1
resources:
  audit: {type: bucket, stacks: [prod]}
  fn:
    type: function
    runtime: python3.12
    handler: app.handler
    code: ./app
    writes: [audit]
stacks:
  prod: {region: eu-west-2}
"""
    path = write_spec(text)
    assert load_spec(str(path), "prod").valid
    [problem] = load_spec(str(path), "dev").diagnostics
    assert (problem.code, problem.line) == ("AP306", 12) and "only in stack prod" in problem.message
    fixed = text.replace("    writes: [audit]\n", "    writes: [audit]\n    stacks: [prod]\n")
    fixed = fixed.replace("resources:\n", "resources:\n  raw: {type: bucket}\n")
    assert load_spec(str(write_spec(fixed))).valid  # every stack: dev has neither


def test_a_role_the_derived_grants_already_give_is_not_granted_twice(write_spec):
    text = """\
aipipe: 1
name: demo
cloud: gcp
region: europe-west1
resources:
  events: {type: table, columns: [{name: id, type: string}]}
  fn:
    type: function
    runtime: python3.12
    handler: main
    code: ./app
    writes: [events]
    permissions:
      - role: roles/bigquery.jobUser
      - role: roles/aiplatform.user
"""
    plan = planned(write_spec(text))
    roles = [
        r.inputs["role"]
        for r in plan.resources
        if r.type == "gcp:projects/iAMMember:IAMMember" and r.parent.endswith("fn")
    ]
    assert sorted(roles) == ["roles/aiplatform.user", "roles/bigquery.jobUser"]  # one jobUser binding, not two


@pytest.mark.parametrize(
    "resource, broad",
    [
        ("arn:aws:s3:::*", True),
        ("arn:aws:glue:*:*:*", True),
        ("arn:aws:dynamodb:eu-west-1:123456789012:table/*", True),
        ("arn:aws:s3:::*/*", True),
        ("arn:aws:logs:eu-west-1:123456789012:log-group:*", True),  # a resource part holding a colon
        ("arn:aws:states:eu-west-1:123456789012:stateMachine:*", True),  # resource types in camel case
        ("arn:aws:logs:eu-west-1:123456789012:log-group:etl:*", False),
        ("arn:aws:s3:::bucket/*", False),
        ("arn:aws:s3:::bucket/in/*", False),
        ("arn:aws:glue:*:*:job/etl", False),
        ("arn:aws:ssm:eu-west-1:123456789012:parameter/pipelines/x/*", False),
    ],
)
def test_an_arn_of_every_resource_of_a_service_or_type_is_broad(resource, broad):
    found = is_broad(Permission(actions=["s3:GetObject"], resources=["arn:aws:s3:::named", resource]), "aws")
    assert found == ([(("resources", 1), f"`{resource}` matches every resource of its service")] if broad else [])


@pytest.mark.parametrize(
    "reference, ok",
    [
        ("${raw.arn}", True),
        ("${raw.url}", False),
        ("${raw.name}/in/*", False),
        ("arn:aws:s3:::${raw.name}/in/*", True),  # an ARN written out may name resources inside it
    ],
)
def test_a_resource_reference_must_be_an_arn(reference, ok, write_spec):
    text = AWS_FUNCTION.format(permissions=f"      - {{actions: [s3:GetObject], resources: ['{reference}']}}")
    found = [d for d in load_spec(str(write_spec(text))).diagnostics if d.code == "AP410"]
    assert (not found) is ok
    if found:
        assert (
            found[0].message.startswith(reference.split("/")[0] + " is no ARN") and "`${partition}`" in found[0].message
        )


@pytest.mark.parametrize("target, ok", [("raw", True), ("events", False), ("", True)])
def test_a_condition_only_where_the_resource_takes_conditional_bindings(target, ok, write_spec):
    # Pub/Sub topics and subscriptions take no conditional role binding; buckets and the project do
    on = f"\n        resource: {target}" if target else ""
    text = (
        "aipipe: 1\nname: demo\ncloud: gcp\nregion: europe-west1\nresources:\n  raw: {type: bucket}\n"
        "  events: {type: topic}\n  fn:\n    type: function\n    runtime: python3.12\n    handler: main\n"
        "    code: ./app\n    permissions:\n      - role: roles/pubsub.viewer" + on + "\n"
        "        condition: {title: t, expression: 'request.time < timestamp(\"2027-01-01T00:00:00Z\")'}\n"
    )
    found = [d for d in load_spec(str(write_spec(text))).diagnostics if d.code == "AP410"]
    assert (not found) is ok
    if found:
        assert "takes no conditional role binding" in found[0].message and "drop `condition`" in found[0].message


def test_each_malformed_permission_says_how_to_fix_it():
    # the bad corpus pins where each AP410 lands; this pins what each says
    aws = load_spec(str(DATA / "bad" / "permissions-aws-malformed.yaml")).diagnostics
    gcp = load_spec(str(DATA / "bad" / "permissions-gcp-malformed.yaml")).diagnostics
    said = [d.message for d in aws + gcp if d.code == "AP410"]
    for hint in (
        "is not an IAM action; write `service:Action`",
        "is not an ARN; write `arn:aws:<service>:<region>:<account>:<resource>`",
        "is not an IAM condition operator (did you mean `StringEquals`?)",
        "is not an IAM condition key; write `service:key`",
        "an AWS permission needs `resources`",
        "an AWS permission needs `actions` and `resources`",
        "is not a GCP role; write `roles/<service>.<role>`",
        "a GCP permission needs a `role`: `{role: roles/aiplatform.user}`",
    ):
        assert any(hint in message for message in said), hint
    [grant] = [d for d in gcp if d.code == "AP305"]
    assert grant.message == (
        "`other` is a function, on which aipipe cannot grant a role; grant on the project (remove `resource`) "
        "or on a bucket, subscription, topic"
    )
