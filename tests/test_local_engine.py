"""The delivery engine of `aipipe run` (aipipe.local.engine) against a fake local cloud and fake handlers: routing
with the renderer's rules (bucket events, prefixes and suffixes; SNS and Pub/Sub filters), batching, each
cloud's retries and dead letters with exact attempt counts and virtual waits, the depth limit, exit codes and the
JSON lines; and the `aipipe run` command, with fake local cloud and handler modules: input errors, exit codes,
the JSON lines it prints."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from aipipe.local.contract import Occurrence, Outcome, WorkflowRun
from aipipe.local.engine import Fire, Limits, Publish, Put, Start, cycle_of, run_pipeline
from aipipe.local.engine_inputs import not_run_locally
from aipipe.local.trace import KEPT, STOPPED, TraceEntry, clock, describe
from aipipe.validation import load_spec

AWS_HEADER = "aipipe: 1\nname: local\ncloud: aws\nregion: us-east-1\nresources:\n"
GCP_HEADER = "aipipe: 1\nname: local\ncloud: gcp\nregion: us-central1\nproject: local-test\nresources:\n"


def function(name: str, triggers: str, extra: str = "") -> str:
    """A function resource whose code is the conftest's `app/` folder."""
    return (
        f"  {name}:\n    type: function\n    runtime: python3.12\n    handler: app.handler\n    code: ./app\n"
        f"    timeout: 10s\n{extra}    triggers:\n{triggers}"
    )


def gcp_function(name: str, triggers: str) -> str:
    return (
        f"  {name}:\n    type: function\n    runtime: python3.12\n    handler: main\n    code: ./app\n"
        f"    triggers:\n{triggers}"
    )


@pytest.fixture
def load(write_spec):
    def loaded(text: str):
        result = load_spec(str(write_spec(text)))
        assert result.valid, [d.message for d in result.diagnostics if d.severity.value == "error"]
        return result.spec

    return loaded


NOW = "2026-01-01T00:00:00.000Z"


def object_detail(bucket: str, key: str, event: str, data: bytes = b"") -> dict:
    """An "object" occurrence's detail with every key the contract names."""
    return {"bucket": bucket, "key": key, "size": len(data), "etag": "0" * 32, "event": event, "time": NOW}


@dataclass
class FakeCloud:
    """A LocalCloud keeping objects and messages in memory and reporting them as occurrences."""

    cloud: str = "aws"
    reported: list[Occurrence] = field(default_factory=list)
    objects: dict[tuple[str, str], bytes] = field(default_factory=dict)
    workflows: dict[str, Any] = field(default_factory=dict)  # name -> (input, invoke) -> WorkflowRun
    counter: int = 0

    def start(self) -> None:
        self.started = True

    def stop(self) -> None:
        self.stopped = True

    def put_object(self, bucket: str, key: str, data: bytes) -> None:
        self.objects[(bucket, key)] = data
        self.reported.append(Occurrence(bucket, "object", object_detail(bucket, key, "created", data)))

    def delete_object(self, bucket: str, key: str) -> None:
        self.objects.pop((bucket, key), None)
        self.reported.append(Occurrence(bucket, "object", object_detail(bucket, key, "deleted")))

    def publish(self, topic: str, data: bytes, attributes=None) -> None:
        self.counter += 1
        detail = {
            "data": data.decode(),
            "attributes": dict(attributes or {}),
            "message_id": f"m{self.counter}",
            "time": NOW,
        }
        self.reported.append(Occurrence(topic, "message", detail))

    def record(self, stream: str, data: str) -> None:
        self.counter += 1
        detail = {"data": data, "partition_key": "p", "sequence_number": str(self.counter), "time": NOW}
        self.reported.append(Occurrence(stream, "record", detail))

    def start_workflow(self, workflow: str, input: Any, invoke) -> WorkflowRun:
        return self.workflows[workflow](input, invoke)

    def unmirrored(self) -> list[str]:
        return []

    def occurrences(self) -> list[Occurrence]:
        reported, self.reported = self.reported, []
        return reported


def simple_event(spec, use, occurrences, cloud) -> dict:
    """The event the tests' handlers get: the occurrences' details, and what started them."""
    return {"trigger": use.position, "records": [dict(o.detail) for o in occurrences]}


class Handlers:
    """Fake handlers: each function's behaviour from the event (raise to fail), with every call recorded."""

    def __init__(self, cloud: FakeCloud, **behaviours):
        self.cloud, self.behaviours, self.calls = cloud, behaviours, []

    def __call__(self, name: str, event: Any) -> Outcome:
        self.calls.append((name, event))
        try:
            value = self.behaviours.get(name, lambda event, cloud: None)(event, self.cloud)
        except Exception as error:
            return Outcome(False, error_type=type(error).__name__, error_message=str(error), duration_ms=3.0)
        return Outcome(True, value, duration_ms=2.0)

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


def fail(event, cloud):
    raise ValueError("bad input")


def run(spec, cloud, handlers, inputs, **options):
    traced: list[TraceEntry] = []
    result = run_pipeline(spec, cloud, handlers, inputs, event_for=simple_event, on_trace=traced.append, **options)
    assert traced == result.entries  # on_trace sees every entry, in order
    return result


# routing ---------------------------------------------------------------------------------------------------------


def test_bucket_events_prefixes_and_suffixes_route_as_the_notification_filters(load):
    spec = load(
        AWS_HEADER
        + "  raw: {type: bucket}\n"
        + function("ingest", "      - {bucket: raw, prefix: in/, suffix: .json}\n")
        + function("cleanup", "      - {bucket: raw, events: [deleted]}\n")
    )
    cloud = FakeCloud()
    handlers = Handlers(cloud)
    inputs = [Put("raw", "in/a.json", b"{}"), Put("raw", "in/a.txt", b""), Put("raw", "out/b.json", b"{}")]
    result = run(spec, cloud, handlers, inputs)
    assert handlers.names() == ["ingest"]
    assert handlers.calls[0][1]["records"][0]["key"] == "in/a.json"
    cloud.delete_object("raw", "in/a.json")
    result = run(spec, cloud, handlers, [])
    assert handlers.names() == ["ingest", "cleanup"]
    assert [(e.source, e.target, e.trigger, e.outcome) for e in result.entries] == [
        ("raw", "cleanup", "bucket deleted in/a.json", "ok")
    ]
    assert result.exit_code == 0


def test_topic_messages_reach_functions_and_the_subscriptions_whose_sns_filter_takes_them(load):
    spec = load(
        AWS_HEADER
        + "  events: {type: topic}\n"
        + "  images: {type: subscription, topic: events, filter: {kind: [image]}}\n"
        + "  everything: {type: subscription, topic: events}\n"
        + function("audit", "      - {topic: events}\n")
    )
    cloud = FakeCloud()
    handlers = Handlers(cloud)
    inputs = [Publish("events", b"1", {"kind": "image"}), Publish("events", b"2", {"kind": "text"})]
    result = run(spec, cloud, handlers, inputs)
    assert handlers.names() == ["audit", "audit"]
    kept = [(e.source, e.target) for e in result.entries if e.outcome == KEPT]
    assert kept == [("events", "images"), ("events", "everything"), ("events", "everything")]
    assert result.exit_code == 0


def test_pubsub_subscription_filters_on_gcp(load):
    spec = load(
        GCP_HEADER
        + "  work: {type: topic}\n"
        + "  images:\n    type: subscription\n    topic: work\n    filter: 'attributes.kind = \"image\"'\n"
    )
    cloud = FakeCloud("gcp")
    result = run(spec, cloud, Handlers(cloud), [Publish("work", b"", {"kind": "image"}), Publish("work", b"")])
    assert [(e.target, e.outcome) for e in result.entries] == [("images", KEPT)]


def test_each_trigger_kind_takes_what_its_rendered_configuration_delivers():
    from aipipe.triggers.registry import TRIGGERS

    bucket, topic, queue, stream, schedule, subscription = (
        TRIGGERS[key] for key in ("bucket", "topic", "queue", "stream", "schedule", "subscription")
    )
    trigger = bucket.model(bucket="raw", events=["created"], prefix="in/", suffix=".json")
    assert bucket.takes(trigger, "object", {"event": "created", "key": "in/a.json"})
    assert not bucket.takes(trigger, "object", {"event": "deleted", "key": "in/a.json"})
    assert not bucket.takes(trigger, "object", {"event": "created", "key": "in/a.json.tmp"})
    assert not bucket.takes(trigger, "message", {"event": "created", "key": "in/a.json"})
    assert topic.takes(topic.model(topic="t"), "message", {}) and not topic.takes(topic.model(topic="t"), "record", {})
    assert queue.takes(queue.model(queue="q"), "message", {})
    assert subscription.takes(subscription.model(subscription="s"), "message", {})
    assert not subscription.takes(subscription.model(subscription="s"), "record", {})
    assert stream.takes(stream.model(stream="s"), "record", {}) and stream.takes(stream.model(stream="s"), "change", {})
    assert schedule.takes(schedule.model(schedule="rate(1 day)"), "schedule", {})
    assert not schedule.takes(schedule.model(schedule="rate(1 day)"), "object", {"event": "created", "key": ""})


def test_subscription_filters_are_evaluated_by_the_rules_validation_parses():
    from aipipe.semantics.filters import delivers

    assert delivers("aws", None, {})
    assert delivers("aws", {"size": [{"numeric": [">", 10]}]}, {"size": 11})
    assert not delivers("aws", {"size": [{"numeric": [">", 10]}]}, {"size": "11"})  # a String attribute, as SNS
    assert delivers("gcp", 'hasPrefix(attributes.path, "raw/")', {"path": "raw/x"})
    assert not delivers("gcp", "attributes:test", {})


def test_policies_read_the_values_the_renderer_configures(load):
    from aipipe.local.delivery import policy_for
    from aipipe.triggers.uses import uses_of

    spec = load(
        QUEUES
        + "  clicks: {type: stream}\n"
        + function("worker", "      - {queue: jobs, batch_size: 7, partial_failures: false}\n")
        + function("index", "      - {stream: clicks}\n", "    on_failure: {dead_letter: false}\n")
    )
    (sqs,) = (policy_for(spec, use) for use in uses_of("worker", spec.resources["worker"]))
    assert (sqs.mode, sqs.attempts, sqs.dead_letter, sqs.batch_size, sqs.partial, sqs.visibility) == (
        "sqs",
        3,
        "failed-jobs",
        7,
        False,
        30,
    )
    (stream,) = (policy_for(spec, use) for use in uses_of("index", spec.resources["index"]))
    # the stream trigger's defaults: 3 retries, bisect, partial batch responses; no failed queue without dead_letter
    assert (stream.mode, stream.attempts, stream.dead_letter, stream.batch_size, stream.bisect, stream.partial) == (
        "stream",
        4,
        None,
        100,
        True,
        True,
    )
    (enqueue,) = (policy_for(spec, use) for use in uses_of("jobs", spec.resources["jobs"]))
    assert enqueue.mode == "enqueue"


# Lambda asynchronous invocation ------------------------------------------------------------------------------------


def test_an_async_event_is_retried_twice_after_one_then_two_minutes_then_dead_lettered(load):
    spec = load(AWS_HEADER + "  raw: {type: bucket}\n" + function("ingest", "      - {bucket: raw}\n"))
    cloud = FakeCloud()
    handlers = Handlers(cloud, ingest=fail)
    result = run(spec, cloud, handlers, [Put("raw", "a", b"")])
    assert handlers.names() == ["ingest"] * 3
    assert [(e.attempt, e.virtual_time, e.waited) for e in result.entries] == [(1, 0, 0), (2, 60, 60), (3, 180, 120)]
    assert [e.dead_letter for e in result.entries] == [None, None, "ingest-failed"]
    assert result.entries[-1].error_type == "ValueError"
    assert [(d.target, d.queue, d.attempts) for d in result.dead_letters] == [("ingest", "ingest-failed", 3)]
    assert result.exit_code == 1


def test_on_failure_retries_and_dead_letter_switch(load):
    spec = load(
        AWS_HEADER
        + "  raw: {type: bucket}\n"
        + function("ingest", "      - {bucket: raw}\n", "    on_failure: {retries: 0, dead_letter: false}\n")
    )
    cloud = FakeCloud()
    handlers = Handlers(cloud, ingest=fail)
    result = run(spec, cloud, handlers, [Put("raw", "a", b"")])
    assert handlers.names() == ["ingest"]
    assert [(d.queue, d.attempts) for d in result.dead_letters] == [(None, 1)]
    assert result.exit_code == 1


def test_max_event_age_ends_async_retries_early(load):
    spec = load(
        AWS_HEADER
        + "  raw: {type: bucket}\n"
        + function("ingest", "      - {bucket: raw}\n", "    on_failure: {max_event_age: 1m}\n")
    )
    cloud = FakeCloud()
    handlers = Handlers(cloud, ingest=fail)
    result = run(spec, cloud, handlers, [Put("raw", "a", b"")])
    assert len(handlers.calls) == 2  # the third attempt would come at 3m, past the 1m age
    assert "too old" in result.entries[-1].note


def test_a_schedule_fires_once_on_fire_and_a_recovering_function_exits_0(load):
    spec = load(AWS_HEADER + function("nightly", "      - {schedule: rate(1 day)}\n"))
    cloud = FakeCloud()
    state = {"calls": 0}

    def flaky(event, cloud):
        state["calls"] += 1
        if state["calls"] == 1:
            raise TimeoutError("slow")

    handlers = Handlers(cloud, nightly=flaky)
    result = run(spec, cloud, handlers, [Fire("nightly")])
    assert [(e.trigger, e.attempt, e.outcome) for e in result.entries] == [
        ("schedule", 1, "error"),
        ("schedule", 2, "ok"),
    ]
    assert result.exit_code == 0


# SQS ---------------------------------------------------------------------------------------------------------------

QUEUES = (
    AWS_HEADER
    + "  raw: {type: bucket}\n"
    + "  failed-jobs: {type: queue}\n"
    + "  jobs:\n    type: queue\n    visibility_timeout: 30s\n    dead_letter: {queue: failed-jobs, max_receives: 3}\n"
    + "    triggers:\n      - {bucket: raw}\n"
)


def test_sqs_batches_by_batch_size(load):
    spec = load(QUEUES + function("worker", "      - {queue: jobs, batch_size: 2}\n"))
    cloud = FakeCloud()
    handlers = Handlers(cloud)
    result = run(spec, cloud, handlers, [Put("raw", f"k{i}", b"") for i in range(5)])
    batches = [e for e in result.entries if e.target == "worker"]
    assert [e.trigger for e in batches] == ["jobs batch of 2", "jobs batch of 2", "jobs batch of 1"]
    assert [len(event["records"]) for _, event in handlers.calls] == [2, 2, 1]
    enqueued = [e for e in result.entries if e.target == "jobs"]
    assert len(enqueued) == 5 and all(e.outcome == "ok" for e in enqueued)


def test_sqs_redelivers_after_the_visibility_timeout_until_max_receives_then_the_dead_letter_queue(load):
    spec = load(QUEUES + function("worker", "      - {queue: jobs}\n"))
    cloud = FakeCloud()
    handlers = Handlers(cloud, worker=fail)
    result = run(spec, cloud, handlers, [Put("raw", "a", b"")])
    attempts = [e for e in result.entries if e.target == "worker"]
    assert [(e.attempt, e.virtual_time) for e in attempts] == [(1, 0), (2, 30), (3, 60)]
    # each receive is counted on the message (ApproximateReceiveCount), the dead letter keeps the message as sent
    assert [event["records"][0]["receive_count"] for _, event in handlers.calls] == [1, 2, 3]
    assert "receive_count" not in result.dead_letters[0].payload
    assert attempts[-1].dead_letter == "failed-jobs"
    assert [(d.queue, d.attempts) for d in result.dead_letters] == [("failed-jobs", 3)]
    # when it would be received a 4th time it moves to the dead-letter queue instead, which nothing consumes
    assert (result.entries[-1].target, result.entries[-1].outcome, result.entries[-1].virtual_time) == (
        "failed-jobs",
        KEPT,
        90,
    )
    assert result.exit_code == 1


def test_sqs_partial_batch_failures_return_only_the_listed_messages(load):
    spec = load(QUEUES + function("worker", "      - {queue: jobs, batch_size: 3}\n"))
    cloud = FakeCloud()

    def second_fails(event, cloud):
        records = event["records"]
        return {"batchItemFailures": [{"itemIdentifier": records[1]["message_id"]}]} if len(records) > 1 else None

    handlers = Handlers(cloud, worker=second_fails)
    result = run(spec, cloud, handlers, [Put("raw", f"k{i}", b"") for i in range(3)])
    assert [len(event["records"]) for _, event in handlers.calls] == [3, 1]
    worker = [e for e in result.entries if e.target == "worker"]
    assert [(e.outcome, e.error_type, e.virtual_time) for e in worker] == [
        ("error", "batchItemFailures", 0),
        ("ok", None, 30),
    ]
    assert result.exit_code == 0


def test_sqs_without_a_dead_letter_stops_at_the_local_redelivery_cap(load):
    spec = load(
        AWS_HEADER
        + "  raw: {type: bucket}\n"
        + "  jobs:\n    type: queue\n    triggers:\n      - {bucket: raw}\n"
        + function("worker", "      - {queue: jobs}\n")
    )
    cloud = FakeCloud()
    handlers = Handlers(cloud, worker=fail)
    result = run(spec, cloud, handlers, [Put("raw", "a", b"")], limits=Limits(redeliveries=4))
    assert len(handlers.calls) == 4
    assert "stopped locally after 4" in result.entries[-1].note
    assert [(d.queue, d.attempts) for d in result.dead_letters] == [(None, 4)]


# Kinesis and DynamoDB streams --------------------------------------------------------------------------------------

STREAM = AWS_HEADER + "  clicks: {type: stream}\n"


def test_a_failing_stream_batch_is_bisected_then_retried_then_sent_to_the_failed_queue(load):
    spec = load(STREAM + function("index", "      - {stream: clicks, batch_size: 4, retries: 1}\n"))
    cloud = FakeCloud()
    for data in ("a", "bad", "c", "d"):
        cloud.record("clicks", data)

    def rejects_bad(event, cloud):
        if any(r["data"] == "bad" for r in event["records"]):
            raise ValueError("bad record")

    handlers = Handlers(cloud, index=rejects_bad)
    result = run(spec, cloud, handlers, [])
    sizes = [[r["data"] for r in event["records"]] for _, event in handlers.calls]
    assert sizes == [["a", "bad", "c", "d"], ["a", "bad"], ["a"], ["bad"], ["bad"], ["c", "d"]]
    assert [e.outcome for e in result.entries] == ["error", "error", "ok", "error", "error", "ok"]
    assert result.entries[4].dead_letter == "index-failed"
    assert [(d.target, d.queue, d.attempts) for d in result.dead_letters] == [("index", "index-failed", 4)]


def test_without_bisect_a_stream_batch_is_retried_whole_and_every_record_dead_lettered(load):
    spec = load(STREAM + function("index", "      - {stream: clicks, retries: 2, bisect: false}\n"))
    cloud = FakeCloud()
    cloud.record("clicks", "x")
    cloud.record("clicks", "y")
    handlers = Handlers(cloud, index=fail)
    result = run(spec, cloud, handlers, [])
    assert [len(event["records"]) for _, event in handlers.calls] == [2, 2, 2]
    assert [e.attempt for e in result.entries] == [1, 2, 3]
    assert len(result.dead_letters) == 2


def test_a_stream_partial_batch_response_retries_from_the_first_failed_record(load):
    spec = load(STREAM + function("index", "      - {stream: clicks}\n"))
    cloud = FakeCloud()
    for data in "abcd":
        cloud.record("clicks", data)
    calls = {"n": 0}

    def third_fails_once(event, cloud):
        calls["n"] += 1
        if calls["n"] == 1:
            return {"batchItemFailures": [{"itemIdentifier": event["records"][2]["sequence_number"]}]}

    handlers = Handlers(cloud, index=third_fails_once)
    result = run(spec, cloud, handlers, [])
    assert [[r["data"] for r in event["records"]] for _, event in handlers.calls] == [list("abcd"), list("cd")]
    assert result.exit_code == 0


def test_table_changes_reach_the_stream_trigger(load):
    spec = load(
        AWS_HEADER
        + "  items:\n    type: table\n    partition_key: {name: id, type: string}\n    stream: new_image\n"
        + function("changes", "      - {stream: items}\n")
    )
    cloud = FakeCloud()
    change = {"event": "INSERT", "keys": {"id": "1"}, "new_image": {"id": "1"}, "old_image": None, "time": NOW}
    cloud.reported.append(Occurrence("items", "change", {**change, "sequence_number": "1"}))
    handlers = Handlers(cloud)
    run(spec, cloud, handlers, [])
    assert handlers.names() == ["changes"]


# gcp ---------------------------------------------------------------------------------------------------------------


def test_eventarc_redelivers_with_doubling_backoff_until_the_local_cap(load):
    spec = load(GCP_HEADER + "  work: {type: topic}\n" + gcp_function("embed", "      - {topic: work}\n"))
    cloud = FakeCloud("gcp")
    handlers = Handlers(cloud, embed=fail)
    result = run(spec, cloud, handlers, [Publish("work", b"poison")], limits=Limits(redeliveries=5))
    assert [(e.attempt, e.waited, e.virtual_time) for e in result.entries] == [
        (1, 0, 0),
        (2, 10, 10),
        (3, 20, 30),
        (4, 40, 70),
        (5, 80, 150),
    ]
    assert "stopped locally after 5 attempts" in result.entries[-1].note
    assert "24h" in result.entries[-1].note
    assert [(d.queue, d.attempts) for d in result.dead_letters] == [(None, 5)]


def test_a_pushed_subscription_redelivers_with_its_backoff_then_dead_letters_after_max_attempts(load):
    spec = load(
        GCP_HEADER
        + "  work: {type: topic}\n"
        + "  batch:\n    type: subscription\n    topic: work\n    ack_deadline: 60s\n"
        + "    dead_letter: {max_attempts: 5}\n    retry: {min_backoff: 10s, max_backoff: 30s}\n"
        + "  other: {type: subscription, topic: work}\n"
        + gcp_function("embed", "      - {subscription: batch}\n")
    )
    cloud = FakeCloud("gcp")
    handlers = Handlers(cloud, embed=fail)
    result = run(spec, cloud, handlers, [Publish("work", b"poison")])
    # the subscription nothing consumes keeps the message; the consumed one pushes it to the function
    assert [(e.target, e.outcome) for e in result.entries if e.outcome == KEPT] == [("other", KEPT)]
    attempts = [e for e in result.entries if e.target == "embed"]
    assert [(e.attempt, e.waited, e.virtual_time) for e in attempts] == [
        (1, 0, 0),
        (2, 10, 10),
        (3, 20, 30),
        (4, 30, 60),  # the backoff doubles up to the subscription's max_backoff
        (5, 30, 90),
    ]
    assert (attempts[0].source, attempts[0].trigger) == ("batch", "subscription message")
    assert attempts[-1].dead_letter == "batch-dead-letters" and "gave up after 5 attempts" in attempts[-1].note
    assert [(d.source, d.target, d.queue, d.attempts) for d in result.dead_letters] == [
        ("batch", "embed", "batch-dead-letters", 5)
    ]
    assert result.exit_code == 1


def test_a_consumed_subscription_on_aws_is_its_queue_redriven_to_its_dead_letter(load):
    spec = load(
        AWS_HEADER
        + "  events: {type: topic}\n"
        + "  work: {type: subscription, topic: events, ack_deadline: 45s, dead_letter: {max_attempts: 5}}\n"
        + function("worker", "      - {subscription: work, batch_size: 4}\n")
    )
    cloud = FakeCloud()
    handlers = Handlers(cloud, worker=fail)
    result = run(spec, cloud, handlers, [Publish("events", b"a"), Publish("events", b"b")])
    attempts = [e for e in result.entries if e.target == "worker"]
    # both messages in one batch, received again after the 45s visibility timeout, five receives in all
    assert [(e.attempt, e.virtual_time) for e in attempts] == [(1, 0), (2, 45), (3, 90), (4, 135), (5, 180)]
    assert [len(event["records"]) for name, event in handlers.calls] == [2] * 5
    assert [(d.queue, d.attempts) for d in result.dead_letters] == [("work-dead-letters", 5)] * 2


def test_subscription_policies_read_the_subscriptions_delivery(load):
    from aipipe.local.delivery import policy_for
    from aipipe.triggers.uses import uses_of

    spec = load(
        AWS_HEADER
        + "  events: {type: topic}\n"
        + "  work: {type: subscription, topic: events, ack_deadline: 45s, retention: 1d}\n"
        + function("worker", "      - {subscription: work, batch_size: 7, partial_failures: false}\n")
    )
    (sqs,) = (policy_for(spec, use) for use in uses_of("worker", spec.resources["worker"]))
    assert (sqs.mode, sqs.attempts, sqs.dead_letter, sqs.batch_size, sqs.partial, sqs.visibility, sqs.max_age) == (
        "sqs",
        None,
        None,
        7,
        False,
        45,
        86400,
    )


def test_the_distributed_pubsub_example_dead_letters_a_poison_message_after_its_configured_attempts():
    from conftest import ROOT

    spec = load_spec(str(ROOT / "specs" / "distributed-pubsub" / "aipipe.yaml")).spec
    cloud = FakeCloud("gcp")

    def embed(event, cloud):
        if event["records"][0]["data"] == "poison":
            raise ValueError("not a work item")

    handlers = Handlers(cloud, embed=embed)
    result = run(spec, cloud, handlers, [Publish("work-items", b'{"id": "1"}'), Publish("work-items", b"poison")])
    good = [e for e in result.entries if e.target == "embed" and e.outcome == "ok"]
    poison = [e for e in result.entries if e.target == "embed" and e.outcome == "error"]
    assert [e.source for e in good] == ["batch-workers"]  # pushed by the subscription the function consumes
    # dead_letter: {max_attempts: 10}, retry: {min_backoff: 10s, max_backoff: 300s}
    assert [e.waited for e in poison] == [0, 10, 20, 40, 80, 160, 300, 300, 300, 300]
    assert poison[-1].dead_letter == "batch-workers-dead-letters"
    assert [(d.queue, d.attempts, d.payload["data"]) for d in result.dead_letters] == [
        ("batch-workers-dead-letters", 10, "poison")
    ]
    assert result.exit_code == 1


def test_a_cloud_scheduler_job_is_not_retried(load):
    spec = load(GCP_HEADER + gcp_function("nightly", "      - {schedule: rate(1 day)}\n"))
    cloud = FakeCloud("gcp")
    handlers = Handlers(cloud, nightly=fail)
    result = run(spec, cloud, handlers, [Fire("nightly")])
    assert len(handlers.calls) == 1
    assert "retry_count 0" in result.entries[0].note
    assert result.exit_code == 1


# loops, workflows, exit codes ----------------------------------------------------------------------------------


def test_the_depth_limit_stops_a_function_writing_where_its_trigger_fires(load):
    spec = load(
        AWS_HEADER
        + "  raw: {type: bucket}\n  out: {type: bucket}\n"
        + function("echo", "      - {bucket: raw, prefix: in/}\n", "    writes: [out]\n")
    )
    cloud = FakeCloud()

    def writes_back(event, cloud):  # IAM is not enforced locally: it may write where its spec says it may not
        cloud.put_object("raw", event["records"][0]["key"] + "x", b"")

    handlers = Handlers(cloud, echo=writes_back)
    result = run(spec, cloud, handlers, [Put("raw", "in/a", b"")], limits=Limits(depth=4))
    assert len(handlers.calls) == 4
    assert result.entries[-1].outcome == STOPPED
    assert result.stopped == [result.entries[-1].note]
    assert "stopped after 4 hops: raw → echo → raw" in result.stopped[0]
    assert result.exit_code == 1


def test_cycle_of_names_the_loop_at_the_end_of_a_path():
    assert cycle_of(("input", "raw", "a", "curated", "b", "raw")) == "raw → a → curated → b → raw"
    assert cycle_of(("raw", "a")) == "raw → a"


WORKFLOW = AWS_HEADER + (
    "  datasets: {type: bucket}\n"
    + function("prep", "      []\n")
    + "  pipeline:\n    type: workflow\n    triggers:\n      - {bucket: datasets, prefix: raw/}\n"
    "    steps:\n      - {function: prep, name: Prep, end: true}\n"
)


def test_workflows_run_through_the_cloud_their_tasks_traced_and_a_failed_run_exits_1(load):
    spec = load(WORKFLOW)
    cloud = FakeCloud()

    def machine(input, invoke):
        outcome = invoke("prep", input)
        if outcome.ok:
            return WorkflowRun("SUCCEEDED", steps=(("Prep", "succeeded"),))
        return WorkflowRun("FAILED", error=outcome.error_type, cause="prep failed")

    cloud.workflows["pipeline"] = machine
    result = run(spec, cloud, Handlers(cloud), [Put("datasets", "raw/x", b""), Start("pipeline", {"go": 1})])
    assert [(e.source, e.target, e.outcome) for e in result.entries] == [
        ("pipeline", "prep", "ok"),
        ("datasets", "pipeline", "ok"),
        ("pipeline", "prep", "ok"),
        ("input", "pipeline", "ok"),
    ]
    assert result.exit_code == 0
    failing = run(spec, cloud, Handlers(cloud, prep=fail), [Start("pipeline", {})])
    assert failing.failed_workflows == ["pipeline: FAILED (ValueError)"]
    assert failing.entries[-1].error_message == "ValueError: prep failed"
    assert failing.exit_code == 1


def test_json_lines_and_human_lines():
    entry = TraceEntry(
        "raw", "ingest", "bucket created a", 3, "error", "ValueError", "bad", 2.0, "ingest-failed", 180, 120
    )
    document = json.loads(json.dumps(entry.to_json()))
    assert document["type"] == "delivery"
    assert {
        key: document[key] for key in ("source", "target", "attempt", "outcome", "dead_letter", "virtual_time")
    } == {
        "source": "raw",
        "target": "ingest",
        "attempt": 3,
        "outcome": "error",
        "dead_letter": "ingest-failed",
        "virtual_time": 180,
    }
    line = describe(entry)
    assert line.split()[:4] == ["t+3m", "raw", "→", "ingest"]
    assert "attempt 3 after 2m" in line and "error ValueError: bad" in line and "dead letter ingest-failed" in line
    assert [clock(s) for s in (0, 90, 3600, 3660)] == ["t+0s", "t+1m30s", "t+1h", "t+1h1m"]


def test_what_is_not_run_locally_comes_from_the_cloud_or_the_spec():
    class Asks:
        def not_run_locally(self):
            return [("job", "the cloud says")]

    assert not_run_locally(None, Asks()) == ["`job`: the cloud says"]
    from types import SimpleNamespace

    spec = SimpleNamespace(
        resources={
            "copy": SimpleNamespace(type="replication", source="a", destination="b", method="s3", schedule=None),
            "job": SimpleNamespace(type="dataflow", template="pubsub-to-gcs-text", input="work", output="gs://x/"),
            "extra": SimpleNamespace(type="pulumi", resource="aws:sns/topic:Topic"),
            "raw": SimpleNamespace(type="bucket"),
        }
    )
    assert not_run_locally(spec, object()) == [
        "replication `copy`: would copy objects from `a` to `b` (s3) as objects are written",
        "dataflow `job`: would run the `pubsub-to-gcs-text` job, reading `work`, writing gs://x/",
        "pulumi `extra`: would create a `aws:sns/topic:Topic`",
    ]


# the command ---------------------------------------------------------------------------------------------------------

RUN_SPEC = (
    AWS_HEADER
    + "  raw: {type: bucket}\n  datasets: {type: bucket}\n  events: {type: topic}\n"
    + function("ingest", "      - {bucket: raw, prefix: in/}\n")
    + function("nightly", "      - {schedule: rate(1 day)}\n")
    + function("prep", "      []\n")
    + "  pipeline:\n    type: workflow\n    steps:\n      - {function: prep, name: Prep, end: true}\n"
)


@pytest.fixture
def local(monkeypatch):
    """The local cloud, the handlers and the event builder replaced by fakes, remembering what ran."""
    import aipipe.local.clouds
    import aipipe.local.events
    import aipipe.local.handlers

    seen: dict[str, Any] = {"behaviours": {}, "calls": []}

    def open_local_cloud(spec, stack, data_dir):
        seen.update(stack=stack, data=data_dir, cloud=FakeCloud(spec.cloud, workflows=seen.get("workflows", {})))
        return seen["cloud"]

    class LocalHandlers:
        def __init__(self, spec, cloud, build_dir):
            self.handlers = Handlers(cloud, **seen["behaviours"])
            seen["build_dir"] = build_dir

        def invoke(self, function, event):
            if function == "broken":
                raise aipipe.local.handlers.HandlerSetupError("`broken`: secret TOKEN is not set")
            seen["calls"].append((function, event))
            return self.handlers(function, event)

        def close(self):
            seen["closed"] = True

    monkeypatch.setattr(aipipe.local.clouds, "open_local_cloud", open_local_cloud)
    monkeypatch.setattr(aipipe.local.handlers, "LocalHandlers", LocalHandlers)
    monkeypatch.setattr(aipipe.local.events, "delivered_event", simple_event)
    return seen


def invoke_cli(*arguments: str):
    from typer.testing import CliRunner

    from aipipe.cli.app import app

    result = CliRunner().invoke(app, ["run", *arguments])
    assert "Traceback" not in result.output, result.output
    return result


def test_run_prints_json_lines_and_exits_0(local, write_spec, tmp_path):
    spec = write_spec(RUN_SPEC)
    sample = tmp_path / "sample.json"
    sample.write_text("{}")
    result = invoke_cli(str(spec), "--put", f"raw/in/={sample}", "--json")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["type"] for line in lines] == ["note", "delivery", "result"]
    assert "IAM is not enforced locally" in lines[0]["note"]
    assert (lines[1]["source"], lines[1]["target"], lines[1]["trigger"]) == (
        "raw",
        "ingest",
        "bucket created in/sample.json",
    )
    assert lines[2]["exit_code"] == 0 and lines[2]["dead_letters"] == []
    assert local["stack"] == "dev" and local["data"] == tmp_path / ".aipipe" / "local" / "dev"
    assert local["data"].is_dir() and local["closed"] and local["cloud"].stopped
    assert local["build_dir"] == tmp_path / ".aipipe" / "build"


def test_run_exits_1_on_a_dead_letter_and_says_so(local, write_spec, tmp_path):
    spec = write_spec(RUN_SPEC)
    local["behaviours"]["nightly"] = fail
    result = invoke_cli(str(spec), "--fire", "nightly", "--data", str(tmp_path / "data"))
    assert result.exit_code == 1
    assert "IAM is not enforced locally" in result.output
    assert "nightly → nightly" in result.output  # a schedule fires its own function
    assert "dead letter nightly-failed" in result.output
    assert "not every delivery succeeded (exit 1)" in result.output
    assert len(local["calls"]) == 3


def test_run_starts_a_workflow_with_the_files_json(local, write_spec, tmp_path):
    spec = write_spec(RUN_SPEC)
    (tmp_path / "input.json").write_text('{"dataset": "d1"}')

    def machine(input, invoke):
        return WorkflowRun("SUCCEEDED" if invoke("prep", input).ok else "FAILED")

    local["workflows"] = {"pipeline": machine}
    result = invoke_cli(str(spec), "--start", f"pipeline={tmp_path / 'input.json'}")
    assert result.exit_code == 0, result.output
    assert local["calls"] == [("prep", {"dataset": "d1"})]
    assert "pipeline → prep  (task)  ok" in result.output
    assert "input → pipeline  (--start)  ok" in result.output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--put", "rwa/in/x=FILE"], "the spec has no bucket `rwa` (did you mean `raw`?)"),
        (["--put", "raw=FILE"], "--put takes BUCKET/KEY=FILE"),
        (["--put", "raw/in/x"], "--put takes BUCKET/KEY=FILE, got `raw/in/x`"),
        (["--put", "raw/in/x=missing.json"], "no file `missing.json`"),
        (["--publish", "raw=FILE"], "`raw` is a bucket, not a topic"),
        (["--publish", "event=FILE"], "did you mean `events`?"),
        (["--start", "pipeline=FILE"], "is not JSON"),
        (["--start", "pipelin=FILE"], "did you mean `pipeline`?"),
        (["--fire", "ingest"], "`ingest` has no schedule trigger; the scheduled ones: `nightly`"),
        (["--fire", "nighty"], "did you mean `nightly`?"),
        (["--publish", "events=BINARY"], "is not UTF-8 text, and an SNS message is text"),
        (["--data", "FILE", "--fire", "nightly"], "cannot be the folder of the local buckets"),
    ],
)
def test_run_input_errors_are_usage_errors(local, write_spec, tmp_path, arguments, message):
    spec = write_spec(RUN_SPEC)
    (tmp_path / "file.txt").write_text("not json")
    (tmp_path / "binary").write_bytes(bytes(range(256)))
    arguments = [argument.replace("BINARY", str(tmp_path / "binary")) for argument in arguments]
    arguments = [argument.replace("FILE", str(tmp_path / "file.txt")) for argument in arguments]
    result = invoke_cli(str(spec), *arguments)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "cloud" not in local  # nothing was started


def test_a_handler_that_cannot_start_is_an_error_not_a_traceback(local, write_spec):
    spec = write_spec(RUN_SPEC.replace("  nightly:", "  broken:"))
    result = invoke_cli(str(spec), "--fire", "broken")
    assert result.exit_code == 1
    assert "error: `broken`: secret TOKEN is not set" in result.output
    assert local["closed"] and local["cloud"].stopped
    as_json = invoke_cli(str(spec), "--fire", "broken", "--json")
    last = json.loads(as_json.stdout.strip().splitlines()[-1])
    assert last == {"type": "error", "message": "`broken`: secret TOKEN is not set", "exit_code": 1}


def test_a_push_that_outlives_the_subscriptions_ack_deadline_is_a_failed_delivery(load):
    """gcp push: ack_deadline is the push request's timeout; a slower handler's delivery fails and is redelivered."""
    spec = load(
        GCP_HEADER
        + "  work: {type: topic}\n"
        + "  pushed: {type: subscription, topic: work, ack_deadline: 10s, dead_letter: {max_attempts: 5}}\n"
        + gcp_function("slow", "      - {subscription: pushed}\n")
    )
    cloud = FakeCloud("gcp")

    def slow(name, event):
        return Outcome(True, None, duration_ms=12_000.0)

    result = run(spec, cloud, slow, [Publish("work", b"x")])
    attempts = [(e.target, e.outcome, e.error_type) for e in result.entries]
    assert attempts == [("slow", "error", "DeadlineExceeded")] * 5
    assert result.entries[-1].dead_letter == "pushed-dead-letters" and result.exit_code == 1

    def quick(name, event):
        return Outcome(True, None, duration_ms=9_000.0)

    assert run(spec, cloud, quick, [Publish("work", b"x")]).exit_code == 0


def test_a_pushed_subscription_without_a_retry_policy_redelivers_at_once_and_with_one_after_its_backoff(load):
    """Pub/Sub: "By default, subscriptions use immediate redelivery"; a retry policy waits min, 2*min, ... max."""
    head = GCP_HEADER + "  work: {type: topic}\n"
    fn = gcp_function("embed", "      - {subscription: pushed}\n")
    cloud = FakeCloud("gcp")
    plain = load(head + "  pushed: {type: subscription, topic: work, dead_letter: {max_attempts: 5}}\n" + fn)
    result = run(plain, cloud, Handlers(cloud, embed=fail), [Publish("work", b"x")])
    assert [e.waited for e in result.entries] == [0, 0, 0, 0, 0]
    retry = "    retry: {min_backoff: 10s, max_backoff: 30s}\n"
    backed = load(
        head + "  pushed:\n    type: subscription\n    topic: work\n    dead_letter: {max_attempts: 5}\n" + retry + fn
    )
    result = run(backed, cloud, Handlers(cloud, embed=fail), [Publish("work", b"x")])
    assert [e.waited for e in result.entries] == [0, 10, 20, 30, 30]


def test_each_route_gets_the_delivery_the_cloud_gives_it(load):
    """Every field of each route's Policy (aipipe.local.delivery), from the renderer's own wiring values."""
    from aipipe.local.delivery import Policy, policy_for
    from aipipe.triggers.uses import uses_of

    aws = load(
        AWS_HEADER
        + "  raw: {type: bucket}\n  events: {type: topic}\n  clicks: {type: stream}\n"
        + "  failed-jobs: {type: queue}\n"
        + "  jobs: {type: queue, visibility_timeout: 20s, retention: 2d,\n"
        + "         dead_letter: {queue: failed-jobs, max_receives: 4}}\n"
        + "  inbox: {type: queue}\n"
        + "  fanned: {type: subscription, topic: events, ack_deadline: 15s, dead_letter: {max_attempts: 6}}\n"
        + function(
            "on-raw", "      - {bucket: raw, prefix: in/}\n      - {topic: events}\n      - {schedule: rate(1 day)}\n"
        )
        + function(
            "once", "      - {bucket: raw, prefix: once/}\n", "    on_failure: {retries: 1, max_event_age: 2h}\n"
        )
        + function(
            "never", "      - {bucket: raw, prefix: never/}\n", "    on_failure: {retries: 0, dead_letter: false}\n"
        )
        + function("on-jobs", "      - {queue: jobs, batch_size: 5}\n")
        + function("on-inbox", "      - {queue: inbox}\n")
        + function("on-clicks", "      - {stream: clicks, batch_size: 50, retries: 3, bisect: true}\n")
        + function("on-fanned", "      - {subscription: fanned, batch_size: 3}\n")
        + "  copy:\n    type: queue\n    triggers: [{bucket: raw, prefix: copy/}]\n"
        + "  flow:\n    type: workflow\n    triggers: [{bucket: raw, prefix: flow/}]\n"
        + "    steps:\n      - {function: never, name: Never, end: true}\n"
    )
    gcp = load(
        GCP_HEADER
        + "  raw: {type: bucket}\n  work: {type: topic}\n"
        + "  pushed:\n    type: subscription\n    topic: work\n    ack_deadline: 30s\n    retention: 1d\n"
        + "    dead_letter: {max_attempts: 7}\n    retry: {min_backoff: 5s, max_backoff: 60s}\n"
        + "  plain: {type: subscription, topic: work}\n"
        + gcp_function("on-raw", "      - {bucket: raw}\n")
        + gcp_function("on-push", "      - {subscription: pushed}\n")
        + gcp_function("on-plain", "      - {subscription: plain}\n")
        + gcp_function("nightly", "      - {schedule: rate(1 day)}\n")
    )
    lambda_async = "Lambda retries an asynchronous event 2 times (after 1m, then 2m)"
    expected = {
        ("aws", "on-raw", 0): Policy("async", 3, "on-raw-failed", max_age=21600, why=lambda_async),
        ("aws", "on-raw", 1): Policy("async", 3, "on-raw-failed", max_age=21600, why=lambda_async),
        ("aws", "on-raw", 2): Policy("async", 3, "on-raw-failed", max_age=21600, why=lambda_async),
        ("aws", "once", 0): Policy(
            "async", 2, "once-failed", max_age=7200, why="Lambda retries an asynchronous event 1 time (after 1m)"
        ),
        ("aws", "never", 0): Policy(
            "async", 1, None, max_age=21600, why="Lambda does not retry it (`on_failure: {retries: 0}`)"
        ),
        ("aws", "on-jobs", 0): Policy(
            "sqs",
            4,
            "failed-jobs",
            batch_size=5,
            partial=True,
            visibility=20,
            max_age=2 * 86400,
            why="SQS redelivers a failed message after the 20s visibility timeout, 4 receives then `failed-jobs`",
        ),
        ("aws", "on-inbox", 0): Policy(
            "sqs",
            None,
            None,
            batch_size=10,
            partial=True,
            visibility=30,
            max_age=4 * 86400,
            why="SQS redelivers a failed message after the 30s visibility timeout until retention",
        ),
        ("aws", "on-clicks", 0): Policy(
            "stream",
            4,
            "on-clicks-failed",
            batch_size=50,
            partial=True,
            bisect=True,
            why="a failing batch is retried 3 times, split in two first",
        ),
        ("aws", "on-fanned", 0): Policy(
            "sqs",
            6,
            "fanned-dead-letters",
            batch_size=3,
            partial=True,
            visibility=15,
            max_age=4 * 86400,
            why="SQS redelivers a failed message after the 15s visibility timeout, 6 deliveries then "
            "`fanned-dead-letters`",
        ),
        ("aws", "copy", 0): Policy("enqueue", why="the event becomes a message of the queue"),
        ("aws", "flow", 0): Policy("workflow", why="an execution starts; a failed execution is not retried"),
        ("gcp", "on-raw", 0): Policy(
            "pubsub",
            None,
            backoff=(10, 600),
            max_age=86400,
            why="Eventarc redelivers with backoff 10s-600s for up to 24h, then discards (no dead-letter topic)",
        ),
        ("gcp", "on-push", 0): Policy(
            "pubsub",
            7,
            "pushed-dead-letters",
            backoff=(5, 60),
            max_age=86400,
            deadline=30,
            why="Pub/Sub pushes a failed message again with backoff 5s-60s, 7 deliveries then `pushed-dead-letters`",
        ),
        ("gcp", "on-plain", 0): Policy(
            "pubsub",
            None,
            None,
            backoff=None,
            max_age=7 * 86400,
            deadline=10,
            why="Pub/Sub pushes a failed message again at once (no `retry` policy: Pub/Sub's immediate redelivery)"
            " until retention",
        ),
        ("gcp", "nightly", 0): Policy("once", why="Cloud Scheduler does not retry a failed job (retry_count 0)"),
    }
    actual = {}
    for cloud, spec in (("aws", aws), ("gcp", gcp)):
        for name, resource in spec.resources.items():
            for use in uses_of(name, resource) if getattr(resource, "triggers", None) else ():
                actual[cloud, name, use.position] = policy_for(spec, use)
    assert actual == expected


def test_an_eventarc_trigger_that_does_not_retry_delivers_once():
    """The wiring renders RETRY_POLICY_RETRY today; a trigger rendered without it is delivered once."""
    from aipipe.local.delivery import Policy, _gcp_policy

    assert _gcp_policy({"event_trigger": {"retry_policy": "RETRY_POLICY_DO_NOT_RETRY"}}) == Policy(
        "once", why="the trigger's retry policy does not retry"
    )
