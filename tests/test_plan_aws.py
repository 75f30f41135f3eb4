"""AWS specs rendered and planned offline under Pulumi mocks: the exact resource types and the wiring."""

from __future__ import annotations

import json
from collections import Counter

from aipipe.codegen.project import render_program
from aipipe.offline.mocks import run_program
from aipipe.validation import load_spec

from conftest import DATA


def plan(path, tmp_path, stack=None):
    result = load_spec(str(path), stack)
    assert result.valid, result.diagnostics
    out = tmp_path / "program"
    out.mkdir()
    for name, text in render_program(result.spec, out).items():
        (out / name).write_text(text)
    config = {"aws:region": result.spec.header.region}
    return run_program(out, result.spec.header.name, result.spec.stack, config, result.spec.header.secrets)


def find(planned, type_suffix, name=None):
    return [r for r in planned.resources if r.type.endswith(type_suffix) and (name is None or r.name == name)]


def test_bucket_and_function_plan(tmp_path):
    planned = plan(DATA / "plan" / "aws-bucket-function.yaml", tmp_path)
    assert Counter(r.type for r in planned.resources) == Counter(
        {
            "aipipe:index:Bucket": 2,
            "aipipe:index:Function": 1,
            "pulumi:providers:aws": 1,
            "aws:s3/bucket:Bucket": 2,
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 2,
            "aws:s3/bucketPolicy:BucketPolicy": 2,
            "aws:s3/bucketVersioning:BucketVersioning": 2,
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 2,
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 1,
            "aws:iam/role:Role": 1,
            "aws:iam/rolePolicy:RolePolicy": 1,
            "aws:cloudwatch/logGroup:LogGroup": 1,
            "aws:lambda/function:Function": 1,
            "aws:lambda/permission:Permission": 2,
            "aws:cloudwatch/eventRule:EventRule": 1,
            "aws:cloudwatch/eventTarget:EventTarget": 1,
            "aws:s3/bucketNotification:BucketNotification": 1,
            "aws:sqs/queue:Queue": 1,  # the events the function failed on
            "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": 1,
        }
    )
    # one notification for the bucket, holding both triggers, after the permission that allows S3 to invoke
    [notification] = find(planned, "BucketNotification")
    assert notification.inputs["bucket"] == "raw"
    assert [(f["events"], f["filterPrefix"]) for f in notification.inputs["lambdaFunctions"]] == [
        (["s3:ObjectCreated:*"], "data/"),
        (["s3:ObjectRemoved:*"], "other/"),
    ]
    [s3_permission] = find(planned, "Permission", "fn-invoke-from-raw")
    assert s3_permission.urn in notification.dependencies
    assert s3_permission.inputs["principal"] == "s3.amazonaws.com"
    assert s3_permission.inputs["sourceArn"] == "arn:aws:s3:::raw"
    assert s3_permission.inputs["sourceAccount"] == "123456789012"
    [schedule_permission] = find(planned, "Permission", "fn-invoke-from-schedule-2")
    assert schedule_permission.inputs["principal"] == "events.amazonaws.com"
    # the second-region bucket goes through an explicit provider
    [curated] = find(planned, "aws:s3/bucket:Bucket", "curated")
    assert "pulumi:providers:aws::aws-eu-west-1::" in curated.provider
    [provider] = find(planned, "pulumi:providers:aws")
    assert provider.inputs["region"] == "eu-west-1"
    # retained on destroy by default; public access blocked
    [access] = find(planned, "BucketPublicAccessBlock", "raw-public-access")
    assert all(
        access.inputs[k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )


def test_function_policy_is_least_privilege(tmp_path):
    planned = plan(DATA / "plan" / "aws-bucket-function.yaml", tmp_path)
    [policy] = find(planned, "RolePolicy")
    statements = json.loads(policy.inputs["policy"])["Statement"]
    granted = {(action, resource) for s in statements for action in s["Action"] for resource in s["Resource"]}
    assert granted == {
        ("logs:CreateLogStream", "arn:aws:logs:us-east-1:123456789012:log-group:fn-logs:*"),
        ("logs:PutLogEvents", "arn:aws:logs:us-east-1:123456789012:log-group:fn-logs:*"),
        ("s3:GetObject", "arn:aws:s3:::raw/data/*"),
        ("s3:ListBucket", "arn:aws:s3:::raw"),
        ("s3:PutObject", "arn:aws:s3:::curated/*"),
        ("s3:AbortMultipartUpload", "arn:aws:s3:::curated/*"),
        # Lambda sends the events it gave up on to the function's queue with the function's role
        ("sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:queue/fn-failed"),
    }
    listing = next(s for s in statements if s["Action"] == ["s3:ListBucket"])
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["data/*"]}}


def test_secrets_are_config_secrets_never_values(tmp_path):
    planned = plan(DATA / "plan" / "aws-bucket-function.yaml", tmp_path)
    [function] = find(planned, "lambda/function:Function")
    assert function.inputs["environment"] == "[secret]"
    program = (tmp_path / "program" / "__main__.py").read_text()
    assert "config.require_secret('KEY')" in program
    assert planned.outputs == {"url": "s3://curated"}


def test_references_resolve_in_every_free_text_field(tmp_path, write_spec):
    path = write_spec("""\
aipipe: 1
name: refs
cloud: aws
region: us-east-1
tags: {env: "${stack}"}
resources:
  raw: {type: bucket, tags: {copy-of: "${project}"}}
  topic: {type: topic}
  queue: {type: subscription, topic: topic, filter: {source: ["${raw.name}"]}}
  fn:
    type: function
    runtime: python3.12
    handler: app.handler
    code: ./app
    triggers: [{bucket: raw, prefix: "${stack}/incoming/"}]
""")
    planned = plan(path, tmp_path)
    [bucket] = find(planned, "aws:s3/bucket:Bucket")
    assert bucket.inputs["tags"]["env"] == "dev" and bucket.inputs["tags"]["copy-of"] == "refs"
    [subscription] = find(planned, "TopicSubscription")
    assert json.loads(subscription.inputs["filterPolicy"]) == {"source": ["raw"]}
    [notification] = find(planned, "BucketNotification")
    assert notification.inputs["lambdaFunctions"][0]["filterPrefix"] == "dev/incoming/"
