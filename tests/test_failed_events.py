"""Events a function fails on are kept, not lost (issue 12 item 18): S3, SNS and EventBridge invoke Lambda
asynchronously (Lambda retries twice, then drops the event unless an on-failure destination is set), Kinesis
mappings retry until the records expire and block the shard, and SNS drops a message it cannot deliver unless
the subscription has a dead-letter queue. Sources in aipipe/kinds/function/failures.py and the trigger modules."""

from __future__ import annotations

import json

import pytest

from aipipe.offline.mocks import ACCOUNT
from aipipe.validation import load_spec

from test_plan_aws import find, plan

HEAD = "aipipe: 1\nname: demo\ncloud: aws\nregion: us-east-1\nresources:\n"
QUEUE = f"arn:aws:sqs:us-east-1:{ACCOUNT}:queue/fn-failed"  # the ARN the offline mocks give the queue
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:topic/t"
FN = "    type: function\n    runtime: python3.12\n    handler: app.handler\n    code: ./app\n"


def _statements(planned, function):
    [policy] = find(planned, "iam/rolePolicy:RolePolicy", f"{function}-policy")
    return json.loads(policy.inputs["policy"])["Statement"]


@pytest.mark.parametrize(
    "source, trigger",
    [
        ("  raw: {type: bucket}\n", "{bucket: raw}"),
        ("  t: {type: topic}\n", "{topic: t}"),
        ("", "{schedule: rate(1 hour)}"),
    ],
)
def test_an_asynchronously_invoked_function_keeps_what_it_failed_on(source, trigger, write_spec, tmp_path):
    planned = plan(write_spec(HEAD + source + "  fn:\n" + FN + f"    triggers: [{trigger}]\n"), tmp_path)
    [queue] = find(planned, "sqs/queue:Queue", "fn-failed")
    assert queue.inputs["messageRetentionSeconds"] == 14 * 86400 and queue.inputs["sqsManagedSseEnabled"] is True
    [config] = find(planned, "FunctionEventInvokeConfig")
    assert config.inputs["maximumRetryAttempts"] == 2 and config.inputs["maximumEventAgeInSeconds"] == 21600
    assert config.inputs["destinationConfig"]["onFailure"]["destination"] == QUEUE
    # Lambda sends to the destination with the function's execution role
    assert {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": [QUEUE]} in _statements(planned, "fn")


def test_retries_and_age_are_the_specs_and_without_a_dead_letter_there_is_no_queue(write_spec, tmp_path):
    spec = HEAD + "  fn:\n" + FN + "    triggers: [{schedule: rate(1 hour)}]\n"
    spec += "    on_failure: {retries: 0, max_event_age: 5m, dead_letter: false}\n"
    planned = plan(write_spec(spec), tmp_path)
    [config] = find(planned, "FunctionEventInvokeConfig")
    assert config.inputs["maximumRetryAttempts"] == 0 and config.inputs["maximumEventAgeInSeconds"] == 300
    assert "destinationConfig" not in config.inputs
    assert find(planned, "sqs/queue:Queue") == []
    assert not any("sqs:SendMessage" in s["Action"] for s in _statements(planned, "fn"))


def test_a_function_only_a_workflow_runs_gets_neither_queue_nor_async_config(write_spec, tmp_path):
    spec = HEAD + "  fn:\n" + FN + "  flow: {type: workflow, steps: [{function: fn, retry: {attempts: 1}}]}\n"
    planned = plan(write_spec(spec), tmp_path)
    assert find(planned, "sqs/queue:Queue") == [] and find(planned, "FunctionEventInvokeConfig") == []


def test_a_stream_mapping_gives_up_after_its_retries_bisects_and_reports_partial_batches(write_spec, tmp_path):
    spec = HEAD + "  events: {type: stream}\n  fn:\n" + FN + "    triggers: [{stream: events}]\n"
    planned = plan(write_spec(spec), tmp_path)
    [mapping] = find(planned, "EventSourceMapping")
    assert len(find(planned, "sqs/queue:Queue", "fn-failed")) == 1
    assert mapping.inputs["maximumRetryAttempts"] == 3 and mapping.inputs["bisectBatchOnFunctionError"] is True
    assert mapping.inputs["functionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping.inputs["destinationConfig"]["onFailure"]["destinationArn"] == QUEUE
    assert find(planned, "FunctionEventInvokeConfig") == []  # a mapping invokes synchronously


def test_a_stream_trigger_can_turn_the_defaults_off(write_spec, tmp_path):
    spec = HEAD + "  events: {type: stream}\n  fn:\n" + FN
    spec += "    triggers: [{stream: events, retries: 10, bisect: false, partial_batch: false}]\n"
    [mapping] = find(plan(write_spec(spec), tmp_path), "EventSourceMapping")
    assert mapping.inputs["maximumRetryAttempts"] == 10 and mapping.inputs["bisectBatchOnFunctionError"] is False
    assert "functionResponseTypes" not in mapping.inputs


def test_sns_keeps_undeliverable_messages_in_the_functions_queue_only_from_its_topics(write_spec, tmp_path):
    spec = HEAD + "  t: {type: topic}\n  fn:\n" + FN + "    triggers: [{topic: t}]\n"
    planned = plan(write_spec(spec), tmp_path)
    assert len(find(planned, "sqs/queue:Queue", "fn-failed")) == 1
    [subscription] = find(planned, "TopicSubscription")
    assert json.loads(subscription.inputs["redrivePolicy"]) == {"deadLetterTargetArn": QUEUE}
    [queue_policy] = find(planned, "QueuePolicy", "fn-failed-policy")
    [grant] = json.loads(queue_policy.inputs["policy"])["Statement"]
    assert grant["Principal"] == {"Service": "sns.amazonaws.com"} and grant["Action"] == ["sqs:SendMessage"]
    assert grant["Condition"] == {"ArnEquals": {"aws:SourceArn": [TOPIC]}}


def test_a_topic_in_another_region_cannot_use_the_queue_and_says_so(write_spec, tmp_path):
    spec = HEAD + "  t: {type: topic, region: eu-west-1}\n  fn:\n" + FN + "    triggers: [{topic: t}]\n"
    [warning] = load_spec(str(write_spec(spec))).diagnostics
    assert (warning.code, warning.severity.value, warning.path) == (
        "AP406",
        "warning",
        "resources.fn.triggers[0].topic",
    )
    [subscription] = find(plan(write_spec(spec), tmp_path), "TopicSubscription")
    assert "redrivePolicy" not in subscription.inputs


def test_the_cross_region_warning_names_both_regions_and_respects_dead_letter_false(write_spec):
    fn = FN + "    region: eu-west-1\n    triggers: [{topic: t}]\n"
    [warning] = load_spec(str(write_spec(HEAD + "  t: {type: topic}\n  fn:\n" + fn))).diagnostics
    assert warning.message.startswith("`t` is in us-east-1 and this function in eu-west-1")
    # without a dead letter there is nothing to lose to the region
    quiet = fn + "    on_failure: {dead_letter: false}\n"
    assert load_spec(str(write_spec(HEAD + "  t: {type: topic}\n  fn:\n" + quiet))).diagnostics == []
