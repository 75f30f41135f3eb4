"""Generated state machines behave as documented when they run: each workflow's definition is executed by moto's
Amazon States Language interpreter (moto/stepfunctions/parser), which invokes the functions' real handlers.

moto runs no function code without Docker, so the `aws` fixture stands in for the Lambda service: it runs the
handler named by the function's spec resource from its code folder and answers as Lambda does, an exception
becoming an `Unhandled` function error whose `errorType` is the exception's class name. A test may script
faults: the exceptions a function raises on its next invocations, instead of running its handler. Service tasks
run against moto's own SNS topics and SQS queues (one per `topic` and `subscription` resource).

moto really sleeps a retrier's IntervalSeconds (times BackoffRate per attempt; retrier_decl.py calls
`time.sleep`), and the examples wait up to 30 s. The fixture records those waits instead of sleeping them, so
the tests also check the documented waits and stay fast.
"""

from __future__ import annotations

import importlib.util
import io
import json
import threading
import time
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest

pytest.importorskip("moto")

import boto3
from moto import mock_aws
from moto.awslambda_simple.models import LambdaSimpleBackend
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

from aipipe.kinds.workflow.asl import definition
from aipipe.semantics.symbols import Attr, Concat, Deployment, deep_map
from aipipe.validation import load_spec

from conftest import ROOT

EXAMPLE = ROOT / "specs" / "async-training-pipeline" / "aipipe.yaml"
MOTO = {"stepfunctions": {"execute_state_machine": True}, "lambda": {"use_docker": False}}
DATASET = {"dataset": "s3://datasets/raw/2024-06-01/", "run": 7}


class LambdaServiceError(Exception):
    """Lambda itself failing (a transient 500). Step Functions names it `Lambda.ServiceException`
    (docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html); moto names any error of the
    Lambda API on a function-ARN task `Exception` (state_task_lambda.py `_from_error`), so the fake Lambda
    reports it under the name Step Functions gives it."""


@dataclass
class FakeLambda:
    """The Lambda service of the test: runs real handlers, records what each function received and returned."""

    functions: dict[str, Any] = field(default_factory=dict)  # function name -> (code folder, handler)
    faults: dict[str, list[Exception]] = field(default_factory=dict)
    events: dict[str, list] = field(default_factory=lambda: defaultdict(list))
    results: dict[str, list] = field(default_factory=lambda: defaultdict(list))
    waits: list[float] = field(default_factory=list)
    services: dict[str, dict] = field(default_factory=dict)  # the moto topics' and queues' ARNs and URLs
    modules: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def invoke(self, function_name, qualifier, body, headers, response_headers) -> bytes:
        """LambdaSimpleBackend.invoke: the function's answer, as the bytes of its JSON payload."""
        name = function_name.rsplit(":", 1)[-1]
        event = json.loads(body)
        self.events[name].append(event)
        try:
            if self.faults.get(name):
                raise self.faults[name].pop(0)
            result = self._handler(name)(event, None)
        except Exception as error:  # what Lambda does with an exception the handler lets out
            response_headers["x-amz-function-error"] = "Unhandled"
            kind = "Lambda.ServiceException" if isinstance(error, LambdaServiceError) else type(error).__name__
            return json.dumps({"errorType": kind, "errorMessage": str(error)}).encode()
        self.results[name].append(result)
        return json.dumps(result).encode()

    def _handler(self, name: str):
        """The handler function, from a module loaded by file path once per function (not in sys.modules)."""
        with self.lock:
            if name not in self.modules:
                folder, handler = self.functions[name]
                module_name, _, attribute = handler.rpartition(".")
                path = folder / (module_name.replace(".", "/") + ".py")
                spec = importlib.util.spec_from_file_location(f"aipipe_test_handler_{name}", path)
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                self.modules[name] = getattr(module, attribute)
            return self.modules[name]


@dataclass
class Execution:
    """How an execution ended, and the states it entered in order."""

    status: str
    output: Any
    error: str | None
    cause: str | None
    states: list[str]


@pytest.fixture
def aws(monkeypatch):
    """moto with the fake Lambda answering invocations and the retry waits recorded, not slept."""
    fake = FakeLambda()
    monkeypatch.setattr(LambdaSimpleBackend, "invoke", lambda backend, *args: fake.invoke(*args))
    monkeypatch.setattr(retrier_decl, "time", SimpleNamespace(sleep=fake.waits.append))
    with mock_aws(config=MOTO):
        yield fake


def execute(fake: FakeLambda, spec_path, workflow: str, execution_input: Any) -> Execution:
    """Create the spec's functions and the workflow's state machine in moto, run it and wait for its end."""
    result = load_spec(str(spec_path), "dev")
    assert result.spec is not None, result.diagnostics
    spec = result.spec
    region = spec.header.region
    role = boto3.client("iam", region_name=region).create_role(RoleName="aipipe-test", AssumeRolePolicyDocument="{}")
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("app.py", "")  # moto needs a package; the fake runs the code folder
    lambdas = boto3.client("lambda", region_name=region)
    arns = {}
    for name, resource in spec.resources.items():
        if resource.type == "function":
            fake.functions[name] = (spec.base_dir / resource.code, resource.handler)
            arns[name] = lambdas.create_function(
                FunctionName=name,
                Runtime=resource.runtime,
                Role=role["Role"]["Arn"],
                Handler=resource.handler,
                Code={"ZipFile": code.getvalue()},
            )["FunctionArn"]

    urls = {}
    topics, queues = boto3.client("sns", region_name=region), boto3.client("sqs", region_name=region)
    for name, resource in spec.resources.items():  # the topics and queues of service tasks, in moto
        if resource.type == "topic":
            arns[name] = topics.create_topic(Name=name)["TopicArn"]
    for name, resource in spec.resources.items():
        if resource.type == "subscription":  # its queue, receiving its topic's messages as published
            urls[name] = queues.create_queue(QueueName=name)["QueueUrl"]
            attributes = queues.get_queue_attributes(QueueUrl=urls[name], AttributeNames=["QueueArn"])
            arns[name] = attributes["Attributes"]["QueueArn"]
            topics.subscribe(
                TopicArn=arns[resource.topic],
                Protocol="sqs",
                Endpoint=arns[name],
                Attributes={"RawMessageDelivery": "true"},
            )
    fake.services = {"arns": arns, "urls": urls}

    def resolve(symbol):
        if isinstance(symbol, Concat):
            return "".join(part if isinstance(part, str) else resolve(part) for part in symbol.parts)
        if symbol == Deployment("aws_partition"):
            return "aws"
        assert isinstance(symbol, Attr) and symbol.attribute in ("arn", "url"), symbol
        return (arns if symbol.attribute == "arn" else urls)[symbol.resource]

    document = deep_map(definition(spec.header.name, spec.resources[workflow]).document, resolve)
    sfn = boto3.client("stepfunctions", region_name=region)
    machine = sfn.create_state_machine(name=workflow, definition=json.dumps(document), roleArn=role["Role"]["Arn"])
    run = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input=json.dumps(execution_input))
    deadline = time.monotonic() + 10
    while (described := sfn.describe_execution(executionArn=run["executionArn"]))["status"] == "RUNNING":
        assert time.monotonic() < deadline, "the execution did not end within 10 s"
        time.sleep(0.01)
    history = sfn.get_paginator("get_execution_history").paginate(executionArn=run["executionArn"])
    states = [
        event["stateEnteredEventDetails"]["name"]
        for page in history
        for event in page["events"]
        if "stateEnteredEventDetails" in event
    ]
    output = described.get("output")
    return Execution(
        described["status"],
        json.loads(output) if output is not None else None,
        described.get("error"),
        described.get("cause"),
        states,
    )


def small_spec(tmp_path, functions: list[str], steps: list) -> Any:
    """A spec of functions that each add `{name: "done"}` to their input, and a workflow `flow` over them."""
    lines = ["aipipe: 1", "name: demo", "cloud: aws", "region: us-east-1", "resources:"]
    for name in functions:
        (tmp_path / name).mkdir()
        (tmp_path / name / "app.py").write_text(
            f"def handler(event, context):\n    return {{**event, {name!r}: 'done'}}\n", encoding="utf-8"
        )
        lines.append(f"  {name}: {{type: function, runtime: python3.12, handler: app.handler, code: ./{name}}}")
    lines.append("  flow: " + json.dumps({"type": "workflow", "steps": steps}))
    path = tmp_path / "aipipe.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def error_of(event: dict) -> dict:
    """The `error` a catch target received, with the Lambda error in `Cause` read back from its JSON."""
    return {**event["error"], "Cause": json.loads(event["error"]["Cause"])["errorMessage"]}


def test_the_example_hands_each_step_what_the_previous_steps_returned(aws):
    run = execute(aws, EXAMPLE, "training-pipeline", DATASET)
    [preprocessed] = aws.results["preprocess"]
    assert preprocessed["preprocess"]["status"] == "ok"  # the real handler ran
    assert aws.events["preprocess"] == [DATASET]
    assert aws.events["train"] == [preprocessed] and aws.events["profile"] == [preprocessed]
    [trained], [profiled] = aws.results["train"], aws.results["profile"]
    assert aws.events["predict"] == [{**preprocessed, "TrainAndProfile": {"Train": trained, "Profile": profiled}}]
    assert run.status == "SUCCEEDED" and run.output == aws.results["predict"][0]
    assert "notify" not in aws.events and "NotifyFailure" not in run.states
    assert aws.waits == []


def test_the_example_retries_a_failing_preprocess_then_notifies_and_fails(aws):
    aws.faults["preprocess"] = [ValueError("no rows under raw/2024-06-01/")] * 4
    run = execute(aws, EXAMPLE, "training-pipeline", DATASET)
    assert len(aws.events["preprocess"]) == 4  # retry: {attempts: 3, interval: 5s, backoff: 2}
    assert aws.waits == [5, 10, 20]
    [notified] = aws.events["notify"]
    assert error_of(notified) == {"Error": "ValueError", "Cause": "no rows under raw/2024-06-01/"}
    assert {key: value for key, value in notified.items() if key != "error"} == DATASET
    assert "train" not in aws.events and "predict" not in aws.events
    assert (run.status, run.error) == ("FAILED", "aipipe.StepFailed")
    assert run.states[-2:] == ["NotifyFailure", "aipipe:failed"]


def test_a_failing_parallel_branch_reaches_the_parallel_steps_catch(aws):
    aws.faults["train"] = [MemoryError("the features do not fit")] * 3
    run = execute(aws, EXAMPLE, "training-pipeline", DATASET)
    assert len(aws.events["train"]) == 3 and aws.waits == [30, 60]  # Train: retry {attempts: 2, interval: 30s}
    [preprocessed] = aws.results["preprocess"]
    [notified] = aws.events["notify"]
    assert error_of(notified) == {"Error": "MemoryError", "Cause": "the features do not fit"}
    assert {key: value for key, value in notified.items() if key != "error"} == preprocessed
    assert "predict" not in aws.events
    assert (run.status, run.error) == ("FAILED", "aipipe.StepFailed")
    assert run.states[-2:] == ["NotifyFailure", "aipipe:failed"]


HANDLER_STEPS = [{"function": "a", "catch": "alert"}, {"function": "b", "end": True}, "alert"]


def test_a_failing_step_hands_its_input_and_the_error_to_its_catch_and_the_execution_fails(aws, tmp_path):
    aws.faults["a"] = [ValueError("bad row 7")]
    run = execute(aws, small_spec(tmp_path, ["a", "b", "alert"], HANDLER_STEPS), "flow", {"batch": 1})
    assert len(aws.events["a"]) == 1  # no `retry`: the transient Lambda retrier does not match ValueError
    [alerted] = aws.events["alert"]
    assert error_of(alerted) == {"Error": "ValueError", "Cause": "bad row 7"}
    assert alerted["batch"] == 1 and set(alerted) == {"batch", "error"}
    assert "b" not in aws.events
    assert (run.status, run.error, run.output) == ("FAILED", "aipipe.StepFailed", None)
    assert run.cause.startswith("a step failed; its `catch` handler ran")
    assert run.states == ["a", "alert", "aipipe:failed"]


def test_a_handled_failure_ends_the_execution_succeeded(aws, tmp_path):
    steps = HANDLER_STEPS[:2] + [{"function": "alert", "handled": True}]
    aws.faults["a"] = [ValueError("bad row 7")]
    run = execute(aws, small_spec(tmp_path, ["a", "b", "alert"], steps), "flow", {"batch": 1})
    assert run.status == "SUCCEEDED" and run.output == aws.results["alert"][0]
    assert run.output["alert"] == "done" and run.output["error"]["Error"] == "ValueError"
    assert run.states == ["a", "alert"]


def test_normal_flow_never_runs_the_failure_handler(aws, tmp_path):
    run = execute(aws, small_spec(tmp_path, ["a", "b", "alert"], HANDLER_STEPS), "flow", {"batch": 1})
    assert run.status == "SUCCEEDED" and run.output == {"batch": 1, "a": "done", "b": "done"}
    assert run.states == ["a", "b"] and "alert" not in aws.events


RETRY_VALUE_ERRORS = [
    {"function": "a", "retry": {"attempts": 1, "interval": "1s", "errors": ["ValueError"]}, "catch": "alert"},
    {"function": "b", "end": True},
    "alert",
]


def test_a_step_retries_the_errors_it_names(aws, tmp_path):
    aws.faults["a"] = [ValueError("flaky read")]
    run = execute(aws, small_spec(tmp_path, ["a", "b", "alert"], RETRY_VALUE_ERRORS), "flow", {"batch": 1})
    assert len(aws.events["a"]) == 2 and aws.waits == [1]
    assert run.status == "SUCCEEDED" and run.output == {"batch": 1, "a": "done", "b": "done"}
    assert "alert" not in aws.events


def test_a_step_does_not_retry_errors_it_does_not_name(aws, tmp_path):
    aws.faults["a"] = [KeyError("label")]
    run = execute(aws, small_spec(tmp_path, ["a", "b", "alert"], RETRY_VALUE_ERRORS), "flow", {"batch": 1})
    assert len(aws.events["a"]) == 1 and aws.waits == []
    assert error_of(aws.events["alert"][0]) == {"Error": "KeyError", "Cause": "'label'"}
    assert (run.status, run.error) == ("FAILED", "aipipe.StepFailed")


def test_every_task_retries_lambdas_transient_errors(aws, tmp_path):
    aws.faults["a"] = [LambdaServiceError("try again"), LambdaServiceError("try again")]
    run = execute(aws, small_spec(tmp_path, ["a"], ["a"]), "flow", {"batch": 1})
    assert len(aws.events["a"]) == 3 and aws.waits == [2, 4]  # TRANSIENT_LAMBDA_RETRY: 2 s, backoff 2
    assert run.status == "SUCCEEDED" and run.output == {"batch": 1, "a": "done"}


def test_a_failure_handler_inside_a_branch_fails_the_parallel_step(aws, tmp_path):
    branch = [{"function": "a", "catch": "fix"}, {"function": "b", "end": True}, "fix"]
    steps = [{"name": "P", "parallel": [branch, ["c"]], "catch": "alert"}, {"function": "d", "end": True}, "alert"]
    aws.faults["a"] = [ValueError("bad row 7")]
    run = execute(aws, small_spec(tmp_path, ["a", "b", "c", "d", "fix", "alert"], steps), "flow", {"batch": 1})
    assert error_of(aws.events["fix"][0]) == {"Error": "ValueError", "Cause": "bad row 7"}
    [alerted] = aws.events["alert"]
    assert alerted["batch"] == 1 and alerted["error"]["Error"] == "aipipe.StepFailed"
    assert "b" not in aws.events and "d" not in aws.events
    assert "aipipe:failed:0:0" in run.states and run.states[-2:] == ["alert", "aipipe:failed"]
    assert (run.status, run.error) == ("FAILED", "aipipe.StepFailed")


def test_parallel_outputs_are_named_by_names_that_need_brackets_and_nest(aws, tmp_path):
    inner = {"parallel": [["c"], [{"function": "d", "name": "d v2.1"}]]}
    steps = [{"name": "fit.v2 both-ways", "parallel": [[{"function": "a", "name": "Fit-A v2"}, "b"], [inner]]}, "e"]
    run = execute(aws, small_spec(tmp_path, ["a", "b", "c", "d", "e"], steps), "flow", {"batch": 1})
    start = {"batch": 1}
    nested = {**start, "parallel-1-2-1": {"c": {**start, "c": "done"}, "d v2.1": {**start, "d": "done"}}}
    branches = {"Fit-A v2": {**start, "a": "done", "b": "done"}, "parallel-1-2-1": nested}
    assert aws.events["e"] == [{**start, "fit.v2 both-ways": branches}]
    assert run.status == "SUCCEEDED" and run.output == {**start, "fit.v2 both-ways": branches, "e": "done"}


SIZE_CHOICE = [
    {
        "name": "Size",
        "choice": [{"when": {"variable": "$.size", "greater_than": 100}, "next": "big"}],
        "default": "small",
    },
    {"function": "big", "end": True},
    "small",
]


def test_a_choice_takes_the_branch_whose_rule_holds(aws, tmp_path):
    spec = small_spec(tmp_path, ["big", "small"], SIZE_CHOICE)
    run = execute(aws, spec, "flow", {"size": 500})
    assert run.states == ["Size", "big"] and "small" not in aws.events
    assert run.status == "SUCCEEDED" and run.output == {"size": 500, "big": "done"}


def test_a_choice_falls_back_to_its_default(aws, tmp_path):
    run = execute(aws, small_spec(tmp_path, ["big", "small"], SIZE_CHOICE), "flow", {"size": 7})
    assert run.states == ["Size", "small"] and run.output == {"size": 7, "small": "done"}


def test_a_map_runs_its_steps_for_each_item_and_names_the_results_after_itself(aws, tmp_path):
    steps = [
        {"name": "Each", "map": {"items": "$.files", "max_concurrency": 2, "steps": ["a"]}},
        {"function": "b", "parameters": {"files": "$.Each", "run": "$$.Execution.Name"}},
    ]
    files = [{"key": "x.csv"}, {"key": "y.csv"}, {"key": "z.csv"}]
    run = execute(aws, small_spec(tmp_path, ["a", "b"], steps), "flow", {"files": files})
    assert sorted(event["key"] for event in aws.events["a"]) == ["x.csv", "y.csv", "z.csv"]
    results = [{**item, "a": "done"} for item in files]
    [received] = aws.events["b"]
    assert received["files"] == results and set(received) == {"files", "run"}
    assert run.status == "SUCCEEDED" and run.output == {**received, "b": "done"}


def test_a_fail_state_fails_the_execution_with_its_error_and_cause(aws, tmp_path):
    steps = [
        {"name": "Rows", "choice": [{"when": {"variable": "$.rows", "at_least": 1}, "next": "a"}], "default": "Empty"},
        {"function": "a", "end": True},
        {"name": "Empty", "fail": {"error": "Data.Empty", "cause": "no rows to train on"}},
    ]
    run = execute(aws, small_spec(tmp_path, ["a"], steps), "flow", {"rows": 0})
    assert (run.status, run.error, run.cause) == ("FAILED", "Data.Empty", "no rows to train on")
    assert run.states == ["Rows", "Empty"] and "a" not in aws.events


PER_ERROR = [
    {
        "function": "a",
        "catch": [
            {"errors": ["ValueError"], "next": "bad-value"},
            {"errors": ["KeyError"], "next": "missing", "result_path": "$.why"},
        ],
        "end": True,
    },
    {"function": "bad-value", "end": True, "handled": True},
    {"function": "missing", "handled": True},
]


def test_a_per_error_catch_sends_each_error_to_its_own_handler(aws, tmp_path):
    aws.faults["a"] = [KeyError("label")]
    run = execute(aws, small_spec(tmp_path, ["a", "bad-value", "missing"], PER_ERROR), "flow", {"batch": 1})
    [received] = aws.events["missing"]
    assert received["batch"] == 1 and received["why"]["Error"] == "KeyError"
    assert "bad-value" not in aws.events
    assert run.states == ["a", "missing"] and run.status == "SUCCEEDED"


def test_an_error_no_catch_rule_names_fails_the_execution(aws, tmp_path):
    aws.faults["a"] = [TypeError("no")]
    run = execute(aws, small_spec(tmp_path, ["a", "bad-value", "missing"], PER_ERROR), "flow", {"batch": 1})
    assert (run.status, run.error) == ("FAILED", "TypeError")
    assert "bad-value" not in aws.events and "missing" not in aws.events


def test_per_error_retries_apply_in_order(aws, tmp_path):
    steps = [
        {
            "function": "a",
            "retry": [
                {"errors": ["ValueError"], "attempts": 2, "interval": "3s", "backoff": 1},
                {"errors": ["States.ALL"], "attempts": 1, "interval": "1s"},
            ],
        }
    ]
    aws.faults["a"] = [ValueError("1"), ValueError("2"), KeyError("3")]
    run = execute(aws, small_spec(tmp_path, ["a"], steps), "flow", {"batch": 1})
    assert len(aws.events["a"]) == 4 and aws.waits == [3, 3, 1]
    assert run.status == "SUCCEEDED"


def test_pass_and_shaping_fields_hand_each_step_what_they_say(aws, tmp_path):
    steps = [
        {"name": "Defaults", "pass": {"result": {"limit": 10}}, "result_path": "$.settings"},
        {
            "function": "a",
            "input_path": "$.job",
            "parameters": {"file": "$.key", "limit": 5},
            "result_selector": {"status": "$.a"},
            "result_path": "$.outcome",
        },
        {"function": "b", "output_path": "$.outcome"},
    ]
    run = execute(aws, small_spec(tmp_path, ["a", "b"], steps), "flow", {"job": {"key": "k.csv"}})
    assert aws.events["a"] == [{"file": "k.csv", "limit": 5}]
    assert aws.events["b"] == [{"job": {"key": "k.csv"}, "settings": {"limit": 10}, "outcome": {"status": "done"}}]
    assert run.status == "SUCCEEDED" and run.output == {"status": "done"}


def test_service_tasks_publish_to_the_topic_and_send_to_the_queue(aws, tmp_path):
    steps = [
        "a",
        {"task": {"service": "sns.publish", "topic": "alerts", "message": "$.a"}, "result_path": "$.published"},
        {"name": "Send", "task": {"service": "sqs.send", "queue": "work", "message": {"file": "$.key", "n": 1}}},
    ]
    spec = small_spec(tmp_path, ["a"], steps)
    text = spec.read_text(encoding="utf-8").replace(
        "  flow:", "  alerts: {type: topic}\n  work: {type: subscription, topic: alerts}\n  flow:"
    )
    spec.write_text(text, encoding="utf-8")
    sqs = boto3.client("sqs", region_name="us-east-1")
    run = execute(aws, spec, "flow", {"key": "k.csv"})
    assert run.status == "SUCCEEDED", (run.error, run.cause)
    assert run.states == ["a", "sns.publish alerts", "Send"]
    assert set(run.output) == {"MD5OfMessageBody", "MessageId"}  # SendMessage's answer
    queue = aws.services["urls"]["work"]
    published, sent = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert published["Body"] == "done"  # `a` returned {..., "a": "done"}; the message was $.a
    assert json.loads(sent["Body"]) == {"file": "k.csv", "n": 1}


def test_a_wait_passes_its_input_on_after_waiting(aws, tmp_path):
    steps = [{"name": "Pause", "wait": "1s", "output_path": "$.job"}, "b"]
    started = time.monotonic()
    run = execute(aws, small_spec(tmp_path, ["b"], steps), "flow", {"job": {"batch": 1}})
    assert time.monotonic() - started >= 1  # moto waits the Wait state's Seconds
    assert run.states == ["Pause", "b"] and aws.events["b"] == [{"batch": 1}]
    assert run.status == "SUCCEEDED" and run.output == {"batch": 1, "b": "done"}
