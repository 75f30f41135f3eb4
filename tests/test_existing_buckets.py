"""Buckets aipipe does not own (`existing`, issue 12 item 16): nothing of their configuration is ever written —
PutBucketNotificationConfiguration and PutBucketReplication replace a bucket's whole configuration — so triggers
on them go through EventBridge rules, which need the owner to have turned EventBridge delivery on. Planned
offline under Pulumi's mocks; the rules cite their sources (aipipe/triggers/bucket.py, eventbridge.py)."""

from __future__ import annotations

import json

from aipipe.validation import load_spec

from test_plan_aws import find, plan

HEAD = "aipipe: 1\nname: demo\ncloud: aws\nregion: us-east-1\nresources:\n"
FN = "  fn:\n    type: function\n    runtime: python3.12\n    handler: app.handler\n    code: ./app\n"
ACCOUNT = "123456789012"


def test_a_function_on_an_existing_bucket_is_started_by_an_eventbridge_rule(write_spec, tmp_path):
    """No notification configuration is written; the rule lives in the bucket's region (its `region`), and the
    function lets EventBridge invoke it for that rule alone."""
    vendor = "  vendor: {type: bucket, existing: vendor-drop, eventbridge: true, region: eu-west-1}\n"
    text = HEAD + vendor + FN + "    region: eu-west-1\n    triggers: [{bucket: vendor, prefix: in/, suffix: .csv}]\n"
    planned = plan(write_spec(text), tmp_path)
    assert not find(planned, "BucketNotification") and not find(planned, "s3/bucket:Bucket")
    [rule] = find(planned, "eventRule:EventRule", "fn-trigger-0")
    assert json.loads(rule.inputs["eventPattern"]) == {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": ["vendor-drop"]}, "object": {"key": [{"wildcard": "in/*.csv"}]}},
    }
    assert "aws-eu-west-1" in rule.provider
    assert_rule_invokes_fn(planned)


def assert_rule_invokes_fn(planned) -> None:
    """Rule `fn-trigger-0` targets function `fn`, which lets EventBridge invoke it from that rule only."""
    [target] = find(planned, "eventTarget:EventTarget", "fn-trigger-0-target")
    assert target.inputs["arn"] == f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:fn"  # mocks: one region in ARNs
    [permission] = find(planned, "lambda/permission:Permission")
    assert (permission.inputs["principal"], permission.inputs["action"]) == (
        "events.amazonaws.com",
        "lambda:InvokeFunction",
    )
    assert permission.inputs["sourceArn"] == f"arn:aws:events:us-east-1:{ACCOUNT}:rule/fn-trigger-0"


def test_a_new_and_an_existing_bucket_side_by_side(write_spec, tmp_path):
    """The bucket aipipe creates keeps its one notification configuration; the existing one gets none."""
    buckets = "  raw: {type: bucket}\n  vendor: {type: bucket, existing: vendor-drop, eventbridge: true}\n"
    text = HEAD + buckets + FN + "    triggers: [{bucket: raw, prefix: a/}, {bucket: vendor, prefix: a/}]\n"
    planned = plan(write_spec(text), tmp_path)
    [notification] = find(planned, "BucketNotification")
    assert notification.inputs["bucket"] == "raw" and "eventbridge" not in notification.inputs
    assert [rule.name for rule in find(planned, "eventRule:EventRule")] == ["fn-trigger-1"]


def test_eventbridge_true_turns_delivery_on_for_a_bucket_aipipe_creates(write_spec, tmp_path):
    """For other consumers' rules: the switch is part of the bucket's one notification configuration."""
    planned = plan(write_spec(HEAD + "  raw: {type: bucket, eventbridge: true}\n"), tmp_path)
    [notification] = find(planned, "BucketNotification")
    assert notification.inputs == {"bucket": "raw", "eventbridge": True}


def test_the_error_says_how_the_owner_turns_eventbridge_on_without_losing_notifications(write_spec):
    text = HEAD + "  vendor: {type: bucket, existing: vendor-drop}\n" + FN + "    triggers: [{bucket: vendor}]\n"
    [error] = load_spec(str(write_spec(text))).diagnostics
    assert error.code == "AP406" and "set `eventbridge: true` on `vendor`" in error.message
    assert "Amazon EventBridge → Edit → On" in error.message
    assert "get-bucket-notification-configuration --bucket vendor-drop" in error.message
    assert '"EventBridgeConfiguration": {}' in error.message and "keep the entries" in error.message


def test_s3_replication_from_an_existing_bucket_is_refused_and_datasync_is_not(write_spec):
    """PutBucketReplication "creates a replication configuration or replaces an existing one": on a bucket aipipe
    does not own it would overwrite its owner's rules. DataSync reads the source and writes nothing to it."""
    buckets = "  legacy: {type: bucket, existing: legacy-corpus}\n  copy: {type: bucket}\n"
    refused = load_spec(
        str(write_spec(HEAD + buckets + "  r: {type: replication, source: legacy, destination: copy}\n"))
    )
    assert [(d.code, d.severity.value) for d in refused.diagnostics] == [("AP406", "error")]
    assert "method: datasync" in refused.diagnostics[0].message
    datasync = "  r: {type: replication, method: datasync, source: legacy, destination: copy}\n"
    assert load_spec(str(write_spec(HEAD + buckets + datasync))).valid
