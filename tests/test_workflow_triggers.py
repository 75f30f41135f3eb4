"""What starts a workflow, and triggers on buckets aipipe does not own (issue 12, items 16 and 17), planned offline
under Pulumi's mocks: each test names the AWS fact its assertions hold the program to; the wiring cites its
sources (aipipe/triggers/eventbridge.py, aipipe/triggers/to_workflow.py)."""

from __future__ import annotations

import json

from aipipe.offline.graph import pipeline_edges
from aipipe.validation import load_spec

from test_existing_buckets import assert_rule_invokes_fn
from test_plan_aws import find, plan

HEAD = "aipipe: 1\nname: demo\ncloud: aws\nregion: us-east-1\nresources:\n"
FN = "    type: function\n    runtime: python3.12\n    handler: app.handler\n    code: ./app\n"
FLOW = "  flow:\n    type: workflow\n    steps: [{function: fn, retry: {attempts: 2}}]\n"
ACCOUNT = "123456789012"
MACHINE = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:flow"


def spec(resources: str, triggers: str) -> str:
    return HEAD + resources + "  fn:\n" + FN + FLOW + f"    triggers: {triggers}\n"


def statements(resource, field="policy") -> list[dict]:
    return json.loads(resource.inputs[field])["Statement"]


def assert_starts_only_the_machine(planned, base: str) -> None:
    """The role EventBridge assumes for one rule: trusted by that rule in this account only, allowed to start this
    state machine only (EventBridge confused-deputy guidance: aws:SourceArn is the rule's ARN)."""
    [rule] = find(planned, "eventRule:EventRule", base)
    [role] = find(planned, "iam/role:Role", f"{base}-role")
    [trust] = statements(role, "assumeRolePolicy")
    assert trust["Principal"] == {"Service": "events.amazonaws.com"} and trust["Action"] == "sts:AssumeRole"
    assert trust["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnEquals": {"aws:SourceArn": f"arn:aws:events:us-east-1:{ACCOUNT}:rule/{base}"},
    }
    [policy] = find(planned, "rolePolicy:RolePolicy", f"{base}-policy")
    assert statements(policy) == [{"Effect": "Allow", "Action": ["states:StartExecution"], "Resource": [MACHINE]}]
    [target] = find(planned, "eventTarget:EventTarget", f"{base}-target")
    assert target.inputs["rule"] == base and target.inputs["arn"] == MACHINE
    assert target.inputs["roleArn"] == f"arn:aws:iam::{ACCOUNT}:role/{base}-role"
    assert policy.urn in target.dependencies and rule.urn in target.dependencies


def test_a_schedule_starts_the_workflow_through_a_rule_and_a_role_of_its_own(write_spec, tmp_path):
    planned = plan(write_spec(spec("", "[{schedule: rate(1 hour)}]")), tmp_path)
    [rule] = find(planned, "eventRule:EventRule")
    assert rule.name == "flow-trigger-0" and rule.inputs["scheduleExpression"] == "rate(1 hour)"
    assert_starts_only_the_machine(planned, "flow-trigger-0")
    assert not find(planned, "BucketNotification")


def test_a_bucket_starts_the_workflow_through_eventbridge(write_spec, tmp_path):
    """S3 sends `Object Created`/`Object Deleted` (source aws.s3) once EventBridge delivery is on; the bucket's
    one notification configuration turns it on and holds the function's entry beside it."""
    triggers = "[{bucket: raw, events: [created, deleted], prefix: data/, suffix: /manifest.json}]"
    resources = "  raw: {type: bucket}\n"
    text = spec(resources, triggers).replace("    code: ./app\n", "    code: ./app\n    triggers: [{bucket: raw}]\n", 1)
    planned = plan(write_spec(text), tmp_path)
    [rule] = find(planned, "eventRule:EventRule", "flow-trigger-0")
    assert json.loads(rule.inputs["eventPattern"]) == {
        "source": ["aws.s3"],
        "detail-type": ["Object Created", "Object Deleted"],
        "detail": {
            "bucket": {"name": ["raw"]},
            # both on one field need a wildcard; `data/manifest.json` is the key where they overlap
            "object": {"key": [{"wildcard": "data/*/manifest.json"}, "data/manifest.json"]},
        },
    }
    assert_starts_only_the_machine(planned, "flow-trigger-0")
    [notification] = find(planned, "BucketNotification")  # exactly one per bucket
    assert notification.inputs["eventbridge"] is True
    assert [entry["events"] for entry in notification.inputs["lambdaFunctions"]] == [["s3:ObjectCreated:*"]]


def test_a_bucket_only_workflows_watch_still_gets_one_notification_configuration(write_spec, tmp_path):
    planned = plan(write_spec(spec("  raw: {type: bucket}\n", "[{bucket: raw}, {bucket: raw, prefix: b/}]")), tmp_path)
    [notification] = find(planned, "BucketNotification")
    assert notification.inputs["bucket"] == "raw" and notification.inputs["eventbridge"] is True
    assert "lambdaFunctions" not in notification.inputs
    assert len(find(planned, "eventRule:EventRule")) == 2


def test_a_topic_starts_the_workflow_through_a_queue_and_a_pipe(write_spec, tmp_path):
    """SNS cannot deliver to Step Functions: an SQS queue only this topic may send to, subscribed in the topic's
    region, and a pipe that reads it and starts the state machine (asynchronously, one message each)."""
    planned = plan(write_spec(spec("  events: {type: topic, region: eu-west-1}\n", "[{topic: events}]")), tmp_path)
    queue_arn = f"arn:aws:sqs:us-east-1:{ACCOUNT}:queue/flow-trigger-0-queue"
    topic_arn = f"arn:aws:sns:us-east-1:{ACCOUNT}:topic/events"  # the mocks write one region in ARNs
    [queue] = find(planned, "sqs/queue:Queue", "flow-trigger-0-queue")
    assert queue.inputs["sqsManagedSseEnabled"] is True
    # a message the pipe cannot start an execution with moves aside after 5 receives, kept 14 days
    [dead_letters] = find(planned, "sqs/queue:Queue", "flow-trigger-0-dead-letters")
    assert json.loads(queue.inputs["redrivePolicy"]) == {
        "deadLetterTargetArn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:queue/flow-trigger-0-dead-letters",
        "maxReceiveCount": 5,
    }
    assert dead_letters.inputs["messageRetentionSeconds"] == 14 * 86400
    [queue_policy] = find(planned, "sqs/queuePolicy:QueuePolicy")
    assert statements(queue_policy) == [
        {
            "Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com"},
            "Action": ["sqs:SendMessage"],
            "Resource": [queue_arn],
            "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}},
        }
    ]
    [subscription] = find(planned, "TopicSubscription")
    [topic] = find(planned, "sns/topic:Topic")
    assert (subscription.inputs["protocol"], subscription.inputs["endpoint"]) == ("sqs", queue_arn)
    assert subscription.inputs["rawMessageDelivery"] is True
    assert subscription.provider == topic.provider and queue_policy.urn in subscription.dependencies
    [pipe] = find(planned, "pipes/pipe:Pipe")
    assert (pipe.inputs["source"], pipe.inputs["target"]) == (queue_arn, MACHINE)
    assert pipe.inputs["sourceParameters"] == {"sqsQueueParameters": {"batchSize": 1}}
    assert pipe.inputs["targetParameters"] == {
        "stepFunctionStateMachineParameters": {"invocationType": "FIRE_AND_FORGET"}
    }
    [role] = find(planned, "iam/role:Role", "flow-trigger-0-role")
    [trust] = statements(role, "assumeRolePolicy")
    assert trust["Principal"] == {"Service": "pipes.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    [policy] = find(planned, "rolePolicy:RolePolicy", "flow-trigger-0-policy")
    assert statements(policy) == [
        {
            "Effect": "Allow",
            "Action": ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
            "Resource": [queue_arn],
        },
        {"Effect": "Allow", "Action": ["states:StartExecution"], "Resource": [MACHINE]},
    ]
    assert policy.urn in pipe.dependencies


def test_nothing_is_written_to_an_existing_bucket(write_spec, tmp_path):
    """PutBucketNotificationConfiguration replaces the whole configuration: an existing bucket gets none, and its
    triggers — a function's as a workflow's — are EventBridge rules in its region (`region: eu-west-1` here)."""
    resources = "  vendor: {type: bucket, existing: vendor-drop, eventbridge: true, region: eu-west-1}\n"
    text = spec(resources, "[{bucket: vendor, prefix: in/}]")
    text = text.replace(
        "    code: ./app\n", "    code: ./app\n    region: eu-west-1\n    triggers: [{bucket: vendor}]\n", 1
    )
    text = text.replace("    type: workflow\n", "    type: workflow\n    region: eu-west-1\n")
    planned = plan(write_spec(text), tmp_path)
    assert not find(planned, "BucketNotification") and not find(planned, "s3/bucket:Bucket")
    [function_rule] = find(planned, "eventRule:EventRule", "fn-trigger-0")
    assert json.loads(function_rule.inputs["eventPattern"]) == {
        "source": ["aws.s3"],
        "detail-type": ["Object Created"],
        "detail": {"bucket": {"name": ["vendor-drop"]}},
    }
    assert_rule_invokes_fn(planned)
    [workflow_rule] = find(planned, "eventRule:EventRule", "flow-trigger-0")
    assert json.loads(workflow_rule.inputs["eventPattern"])["detail"]["object"] == {"key": [{"prefix": "in/"}]}
    for rule in (function_rule, workflow_rule):
        assert "aws-eu-west-1" in rule.provider


def test_graph_draws_what_starts_a_workflow(write_spec):
    triggers = "[{bucket: raw, prefix: in/}, {schedule: rate(1 day)}, {topic: events}]"
    text = spec("  raw: {type: bucket}\n  events: {type: topic}\n", triggers)
    nodes, edges = pipeline_edges(load_spec(str(write_spec(text))).spec)
    drawn = {(edge.source, edge.target, edge.label) for edge in edges}
    assert {("raw", "flow", "created in/*"), ("events", "flow", "triggers"), ("flow", "fn", "runs")} <= drawn
    assert ("flow-schedule-1", "flow", "rate(1 day)") in drawn and nodes["flow-schedule-1"] == "schedule"


def test_diff_attributes_a_new_trigger_to_its_workflow(write_spec):
    from typer.testing import CliRunner

    from aipipe.cli.app import app

    old = spec("  events: {type: topic}\n", "[]")
    new = spec("  events: {type: topic}\n", "[{topic: events}]")
    result = CliRunner().invoke(
        app,
        ["diff", str(write_spec(new, "new.yaml")), "--against", str(write_spec(old, "old.yaml")), "--format", "json"],
    )
    document = json.loads(result.output)
    [change] = document["changes"]
    assert change["resource"] == "flow" and document["data_loss"] == []
    assert {c["type"] for c in change["changes"]} == {
        "aws:sqs/queue:Queue",
        "aws:sqs/queuePolicy:QueuePolicy",
        "aws:sns/topicSubscription:TopicSubscription",
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:pipes/pipe:Pipe",
    }
