"""Queues (aws SQS): the queue kind's values, the queue trigger's and the bucket-to-queue wiring, a planned program
under mocks (event source mapping, redrive and redrive allow policies, the queue policy S3 sends through, IAM),
the graph, and the rules validation applies."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from aipipe.codegen.context import RenderJob, built_artifacts
from aipipe.kinds.registry import KINDS
from aipipe.offline.graph import pipeline_edges
from aipipe.semantics.symbols import Attr, Child, Deployment, Json
from aipipe.triggers.registry import TRIGGERS
from aipipe.triggers.uses import uses_of
from aipipe.validation import load_spec

from conftest import DATA
from test_plan_aws import find, plan

ACCOUNT = "123456789012"
KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def queue_arn(name: str) -> str:
    """A queue's ARN as the mocks compute it (aipipe.clouds.aws, the SQS mock shape)."""
    return f"arn:aws:sqs:us-east-1:{ACCOUNT}:queue/{name}"


PIPELINE = """\
aipipe: 1
name: queues
cloud: aws
region: us-east-1
resources:
  raw: {type: bucket}
  failed-jobs: {type: queue, retention: 14d}
  jobs:
    type: queue
    visibility_timeout: 2h
    retention: 7d
    delay: 10s
    dead_letter: {queue: failed-jobs, max_receives: 3}
    triggers:
      - {bucket: raw, prefix: in/, suffix: .json}
  sealed:
    type: queue
    fifo: true
    content_deduplication: true
    visibility_timeout: 15m
    encryption: kms
    kms_key: KEY
  worker:
    type: function
    runtime: python3.12
    handler: app.handler
    code: ./app
    timeout: 15m
    writes: [sealed]
    triggers:
      - {queue: jobs, batch_size: 100, batch_window: 5s}
      - {bucket: raw, prefix: other/}
  reader:
    type: function
    runtime: python3.12
    handler: app.handler
    code: ./app
    timeout: 1m
    triggers:
      - {queue: sealed, batch_size: 10, partial_failures: false}
""".replace("KEY", KEY)


@pytest.fixture
def spec(write_spec):
    result = load_spec(str(write_spec(PIPELINE)))
    assert result.valid, result.diagnostics
    return result.spec


def values(spec, name):
    resource = spec.resources[name]
    return KINDS[resource.type].clouds["aws"].values(RenderJob(spec, built_artifacts(spec)), name, resource)


def test_queue_values_carry_the_limits_the_redrive_and_the_bucket_policy(spec):
    jobs = values(spec, "jobs")
    assert (jobs["visibility_timeout"], jobs["retention"], jobs["delay"]) == (7200, 7 * 86400, 10)
    assert jobs["fifo"] is False and jobs["content_deduplication"] is None and jobs["kms_key"] is None
    assert jobs["redrive"] == {"deadLetterTargetArn": Attr("failed-jobs", "arn"), "maxReceiveCount": 3}
    # S3 may send for this bucket, in this account only
    assert jobs["queue_policy"] == Json(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "s3.amazonaws.com"},
                    "Action": ["sqs:SendMessage"],
                    "Resource": [Child("jobs", "queue", "arn")],
                    "Condition": {
                        "ArnEquals": {"aws:SourceArn": Attr("raw", "arn")},
                        "StringEquals": {"aws:SourceAccount": Deployment("aws_account_id")},
                    },
                }
            ],
        }
    )
    sealed = values(spec, "sealed")
    assert sealed["fifo"] is True and sealed["content_deduplication"] is True and sealed["kms_key"] == KEY
    assert sealed["redrive"] is None and sealed["queue_policy"] is None
    # the defaults SQS documents: 30 s visibility, 4 d retention, no delay
    failed = values(spec, "failed-jobs")
    assert (failed["visibility_timeout"], failed["retention"], failed["delay"]) == (30, 14 * 86400, 0)


def test_one_queue_policy_statement_per_bucket(write_spec):
    text = PIPELINE.replace(
        "      - {bucket: raw, prefix: in/, suffix: .json}",
        "      - {bucket: raw, prefix: in/, suffix: .json}\n      - {bucket: raw, prefix: more/}",
    )
    result = load_spec(str(write_spec(text)))
    assert result.valid, result.diagnostics
    [statement] = values(result.spec, "jobs")["queue_policy"].document["Statement"]
    assert statement["Condition"]["ArnEquals"] == {"aws:SourceArn": Attr("raw", "arn")}


def test_queue_access_consumes_and_sends_with_the_key_through_sqs_only(spec):
    access = KINDS["queue"].clouds["aws"].access
    sealed = spec.resources["sealed"]
    reads, key_read = access["reads"]("sealed", sealed, "")
    assert reads["Action"] == [
        "sqs:ChangeMessageVisibility",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "sqs:ReceiveMessage",
    ]
    assert key_read["Action"] == ["kms:Decrypt"] and key_read["Resource"] == [KEY]
    assert key_read["Condition"]["StringLike"]["kms:ViaService"].parts[0] == "sqs.*."
    writes, key_write = access["writes"]("sealed", sealed, "")
    assert writes["Action"] == ["sqs:GetQueueUrl", "sqs:SendMessage"]
    assert key_write["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
    # SSE-SQS: no key statement at all
    assert len(access["writes"]("jobs", spec.resources["jobs"], "")) == 1


def test_queue_trigger_wiring(spec):
    first, second = (
        TRIGGERS["queue"].wiring[("aws", "function")](spec, use)
        for use in uses_of("worker", spec.resources["worker"])[:1] + uses_of("reader", spec.resources["reader"])
    )
    assert first["source_arn"] == Attr("jobs", "arn") and first["batch_size"] == 100 and first["batch_window"] == 5
    assert first["response_types"] == ["ReportBatchItemFailures"]  # partial_failures defaults to true
    assert second["batch_window"] is None and second["response_types"] is None


def test_planned_queues_mapping_notification_and_permissions(write_spec, tmp_path):
    planned = plan(write_spec(PIPELINE), tmp_path)
    counts = Counter(r.type for r in planned.resources)
    assert counts["aipipe:index:Queue"] == 3
    assert counts["aws:sqs/queue:Queue"] == 4  # three queues and the worker's failed-events queue (its bucket trigger)
    assert counts["aws:lambda/eventSourceMapping:EventSourceMapping"] == 2
    assert counts["aws:sqs/redriveAllowPolicy:RedriveAllowPolicy"] == 1
    assert counts["aws:sqs/queuePolicy:QueuePolicy"] == 1

    [jobs] = find(planned, "sqs/queue:Queue", "jobs")
    assert jobs.inputs["visibilityTimeoutSeconds"] == 7200 and jobs.inputs["delaySeconds"] == 10
    assert jobs.inputs["sqsManagedSseEnabled"] is True and "kmsMasterKeyId" not in jobs.inputs
    assert find(planned, "sqs/queue:Queue", "failed-jobs")
    assert json.loads(jobs.inputs["redrivePolicy"]) == {
        "deadLetterTargetArn": queue_arn("failed-jobs"),
        "maxReceiveCount": 3,
    }
    [sealed] = find(planned, "sqs/queue:Queue", "sealed")
    assert sealed.inputs["fifoQueue"] is True and sealed.inputs["contentBasedDeduplication"] is True
    assert sealed.inputs["kmsMasterKeyId"] == KEY and "sqsManagedSseEnabled" not in sealed.inputs

    # the dead-letter queue accepts exactly the queues that name it
    [allow] = find(planned, "RedriveAllowPolicy")
    assert allow.inputs["queueUrl"] == f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/failed-jobs"
    assert json.loads(allow.inputs["redriveAllowPolicy"]) == {
        "redrivePermission": "byQueue",
        "sourceQueueArns": [queue_arn("jobs")],
    }

    # S3 sends raw's in/*.json events to jobs, for that bucket and account, once the policy lets it in
    [queue_policy] = find(planned, "QueuePolicy", "jobs-policy")
    [statement] = json.loads(queue_policy.inputs["policy"])["Statement"]
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"} and statement["Action"] == ["sqs:SendMessage"]
    assert statement["Condition"] == {
        "ArnEquals": {"aws:SourceArn": "arn:aws:s3:::raw"},
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
    }
    [notification] = find(planned, "BucketNotification")
    assert notification.inputs["queues"] == [
        {
            "queueArn": queue_arn("jobs"),
            "events": ["s3:ObjectCreated:*"],
            "filterPrefix": "in/",
            "filterSuffix": ".json",
        }
    ]
    assert [f["filterPrefix"] for f in notification.inputs["lambdaFunctions"]] == ["other/"]
    assert queue_policy.urn in notification.dependencies

    # the mappings: a batching window with a batch above 10, partial batch responses where asked
    [from_jobs] = find(planned, "EventSourceMapping", "worker-from-jobs")
    assert from_jobs.inputs["eventSourceArn"] == queue_arn("jobs")
    assert (from_jobs.inputs["batchSize"], from_jobs.inputs["maximumBatchingWindowInSeconds"]) == (100, 5)
    assert from_jobs.inputs["functionResponseTypes"] == ["ReportBatchItemFailures"]
    assert "startingPosition" not in from_jobs.inputs  # "Must not be provided if getting events from SQS"
    [policy] = find(planned, "rolePolicy:RolePolicy", "worker-policy")
    assert policy.urn in from_jobs.dependencies
    [from_sealed] = find(planned, "EventSourceMapping", "reader-from-sealed")
    assert "functionResponseTypes" not in from_sealed.inputs
    assert "maximumBatchingWindowInSeconds" not in from_sealed.inputs

    # the reader consumes sealed and decrypts with its key; it has no failed-events queue (SQS keeps failures)
    [reader_policy] = find(planned, "rolePolicy:RolePolicy", "reader-policy")
    statements = json.loads(reader_policy.inputs["policy"])["Statement"]
    assert [(s["Action"], s["Resource"]) for s in statements[1:]] == [
        (
            ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
            [queue_arn("sealed")],
        ),
        (["kms:Decrypt"], [KEY]),
    ]
    assert not find(planned, "sqs/queue:Queue", "reader-failed")


def test_graph_draws_queues_dead_letters_and_bucket_events(spec):
    nodes, edges = pipeline_edges(spec)
    assert nodes["jobs"] == "queue"
    drawn = {(e.source, e.target, e.label) for e in edges}
    assert ("jobs", "failed-jobs", "dead letters") in drawn
    assert ("raw", "jobs", "created in/*.json") in drawn
    assert ("jobs", "worker", "batches of 100") in drawn
    assert ("worker", "sealed", "writes") in drawn


def test_the_good_corpus_queue_wiring():
    result = load_spec(str(DATA / "good" / "aws-everything.yaml"), "prod")
    assert result.valid
    assert result.spec.resources["ordered"].kms_key.startswith("arn:aws:kms:us-west-2:")


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ("visibility_timeout: 2h", None),
        ("visibility_timeout: 14m", "AP504"),  # the worker may run 15m: Lambda refuses the mapping
        ("visibility_timeout: 15m", None),  # equal is allowed ("less than or equal to")
    ],
)
def test_visibility_timeout_against_the_function_timeout(write_spec, change, code):
    text = PIPELINE.replace("visibility_timeout: 2h", change)
    errors = [d.code for d in load_spec(str(write_spec(text))).diagnostics if d.severity.value == "error"]
    assert errors == ([code] if code else [])


def test_a_queue_subscribed_to_a_topic(write_spec):
    # SNS -> SQS fan-out: the subscription waits for the queue policy letting this topic (only) send
    text = (
        "aipipe: 1\nname: demo\ncloud: aws\nregion: eu-west-1\nresources:\n  events: {type: topic}\n"
        "  jobs: {type: queue, triggers: [{topic: events}]}\n"
    )
    from aipipe.offline.plan import plan_spec

    result = load_spec(str(write_spec(text)))
    assert result.valid, result.diagnostics
    plan = plan_spec(result.spec)
    [subscription] = [r for r in plan.resources if r.type == "aws:sns/topicSubscription:TopicSubscription"]
    [policy] = [r for r in plan.resources if r.type == "aws:sqs/queuePolicy:QueuePolicy"]
    [topic] = [r for r in plan.resources if r.type == "aws:sns/topic:Topic"]
    assert subscription.inputs["protocol"] == "sqs" and subscription.inputs["endpoint"].endswith(":queue/jobs")
    assert subscription.inputs["topic"] == topic.inputs.get("arn", subscription.inputs["topic"])
    assert policy.urn in subscription.dependencies
    [statement] = json.loads(policy.inputs["policy"])["Statement"]
    assert statement["Principal"] == {"Service": "sns.amazonaws.com"}
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": subscription.inputs["topic"]}}
