"""Workflow states beyond function tasks: the exact Amazon States Language of each step form (choice, wait,
pass, fail, map, service tasks, per-error retry and catch, input/output shaping), the rules that keep a
machine well-formed, the IAM of service tasks, and the good corpus using every field of every step form."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel

from aipipe.codegen.context import RenderJob, built_artifacts
from aipipe.kinds.registry import KINDS
from aipipe.kinds.workflow.asl import TRANSIENT_LAMBDA_RETRY, definition
from aipipe.kinds.workflow.model import (
    CatchRule,
    ChoiceCondition,
    ChoiceRule,
    ChoiceStep,
    FailBody,
    FailStep,
    MapBody,
    MapStep,
    ParallelStep,
    PassBody,
    PassStep,
    ServiceStep,
    StepRetry,
    TaskStep,
    WaitStep,
    Workflow,
)
from aipipe.kinds.workflow.services import ServiceCall
from aipipe.kinds.workflow.steps import failure_only, reachable
from aipipe.offline.plan import plan_spec
from aipipe.semantics.symbols import Attr, Concat, Deployment
from aipipe.validation import load_spec

from conftest import DATA, ROOT

HEAD = "aipipe: 1\nname: demo\ncloud: aws\nregion: us-east-1\nresources:\n"
FN = "  fn: {type: function, runtime: python3.12, handler: app.handler, code: ./app}\n"


def states(steps) -> dict:
    return definition("demo", Workflow(type="workflow", steps=steps)).document["States"]


def partition_resource(resource: str) -> Concat:
    return Concat("arn:", Deployment("aws_partition"), f":states:::{resource}")


def test_a_choice_picks_the_operator_by_the_values_type_and_nests():
    rules = [
        {"when": {"variable": "$.size", "greater_than": 100}, "next": "big"},
        {"when": {"variable": "$.kind", "equals": "csv"}, "next": "small"},
        {"when": {"variable": "$.ok", "equals": True}, "next": "small"},
        {"when": {"variable": "$.name", "at_least": "m"}, "next": "small"},
        {"when": {"variable": "$.at", "after": "2026-01-01T00:00:00Z"}, "next": "small"},
        {
            "when": {
                "all": [{"variable": "$.a", "is_present": True}, {"not": {"variable": "$.b", "matches": "*.csv"}}],
                "any": None,
            },
            "next": "big",
        },
    ]
    steps = [
        {"name": "route", "choice": rules, "default": "small"},
        {"name": "big", "pass": {}},
        {"name": "small", "pass": {}},
    ]
    assert states(steps)["route"] == {
        "Type": "Choice",
        "Choices": [
            {"Variable": "$.size", "NumericGreaterThan": 100, "Next": "big"},
            {"Variable": "$.kind", "StringEquals": "csv", "Next": "small"},
            {"Variable": "$.ok", "BooleanEquals": True, "Next": "small"},
            {"Variable": "$.name", "StringGreaterThanEquals": "m", "Next": "small"},
            {"Variable": "$.at", "TimestampGreaterThan": "2026-01-01T00:00:00Z", "Next": "small"},
            {
                "And": [
                    {"Variable": "$.a", "IsPresent": True},
                    {"Not": {"Variable": "$.b", "StringMatches": "*.csv"}},
                ],
                "Next": "big",
            },
        ],
        "Default": "small",
    }


def test_a_choice_takes_no_next_or_end_and_the_step_after_it_is_not_implied():
    steps = [
        {"name": "route", "choice": [{"when": {"variable": "$.n", "less_than": 1.5}, "next": "b"}], "default": "a"},
        {"name": "a", "pass": {}, "end": True},
        {"name": "b", "pass": {}},
    ]
    found = states(steps)
    assert "Next" not in found["route"] and "End" not in found["route"]
    assert found["route"]["Choices"][0]["NumericLessThan"] == 1.5
    assert found["a"] == {"Type": "Pass", "End": True} and found["b"] == {"Type": "Pass", "End": True}


def test_wait_pass_and_fail_states():
    steps = [
        {"name": "w1", "wait": "2m"},
        {"name": "w2", "wait_until": "$.at", "input_path": "$.x", "output_path": "$"},
        {"name": "w3", "wait_until": "2026-03-14T01:59:00Z"},
        {"name": "p1", "pass": {"result": {"n": 1}}, "result_path": "$.fixed"},
        {"name": "p2", "pass": {}, "parameters": {"run": "$$.Execution.Id", "k": "v", "deep": {"f": "$.f"}}},
        {"name": "f", "fail": {"error": "Data.Empty", "cause": "no rows"}},
    ]
    assert states(steps) == {
        "w1": {"Type": "Wait", "Seconds": 120, "Next": "w2"},
        "w2": {"Type": "Wait", "TimestampPath": "$.at", "InputPath": "$.x", "OutputPath": "$", "Next": "w3"},
        "w3": {"Type": "Wait", "Timestamp": "2026-03-14T01:59:00Z", "Next": "p1"},
        "p1": {"Type": "Pass", "Result": {"n": 1}, "ResultPath": "$.fixed", "Next": "p2"},
        "p2": {
            "Type": "Pass",
            "Parameters": {"run.$": "$$.Execution.Id", "k": "v", "deep": {"f.$": "$.f"}},
            "Next": "f",
        },
        "f": {"Type": "Fail", "Error": "Data.Empty", "Cause": "no rows"},
    }


def test_a_map_runs_its_steps_inline_and_names_its_results_after_itself():
    steps = [{"name": "each file", "map": {"items": "$.files", "max_concurrency": 5, "steps": ["a"]}}, "b"]
    assert states(steps)["each file"] == {
        "Type": "Map",
        "ItemsPath": "$.files",
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "INLINE"},
            "StartAt": "a",
            "States": {
                "a": {"Type": "Task", "Resource": Attr("a", "arn"), "Retry": [TRANSIENT_LAMBDA_RETRY], "End": True}
            },
        },
        "MaxConcurrency": 5,
        "ResultPath": "$['each file']",
        "Next": "b",
    }


def test_a_map_with_its_own_result_path_and_selector():
    step = {
        "map": {"steps": ["a"], "item_selector": {"file": "$$.Map.Item.Value"}},
        "result_path": "$.out",
        "result_selector": {"all": "$"},
    }
    found = states([step])["map-1"]
    assert found["ItemsPath"] == "$" and found["MaxConcurrency"] == 0
    assert found["ItemSelector"] == {"file.$": "$$.Map.Item.Value"}
    assert (found["ResultPath"], found["ResultSelector"]) == ("$.out", {"all.$": "$"})


def test_per_error_retry_and_catch_keep_their_order_after_the_transient_lambda_retrier():
    step = {
        "function": "a",
        "retry": [{"errors": ["Lambda.ServiceException"], "attempts": 2}, {"errors": ["ValueError"], "interval": "5s"}],
        "catch": [{"errors": ["States.Timeout"], "next": "late", "result_path": "$.why"}, {"next": "alert"}],
        "parameters": {"key": "$.detail.object.key"},
        "result_selector": {"rows": "$.rows"},
        "result_path": "$.result",
        "input_path": "$.input",
        "output_path": "$.result",
    }
    found = states([step, {"name": "late", "pass": {}}, {"name": "alert", "pass": {}}])["a"]
    assert found == {
        "Type": "Task",
        "Resource": Attr("a", "arn"),
        "Parameters": {"key.$": "$.detail.object.key"},
        "Retry": [
            TRANSIENT_LAMBDA_RETRY,
            {"ErrorEquals": ["Lambda.ServiceException"], "IntervalSeconds": 1, "MaxAttempts": 2, "BackoffRate": 2.0},
            {"ErrorEquals": ["ValueError"], "IntervalSeconds": 5, "MaxAttempts": 3, "BackoffRate": 2.0},
        ],
        "Catch": [
            {"ErrorEquals": ["States.Timeout"], "Next": "late", "ResultPath": "$.why"},
            {"ErrorEquals": ["States.ALL"], "Next": "alert", "ResultPath": "$.error"},
        ],
        "InputPath": "$.input",
        "ResultSelector": {"rows.$": "$.rows"},
        "ResultPath": "$.result",
        "OutputPath": "$.result",
        "Next": "late",
    }


def test_service_tasks():
    steps = [
        {"task": {"service": "sns.publish", "topic": "alerts", "message": "$.error", "subject": "failed"}},
        {"task": {"service": "sqs.send", "queue": "work", "message": {"file": "$.key", "n": 1}}},
        {"task": {"service": "glue.start", "job": "etl", "arguments": {"--day": "1"}}},
        {"name": "etl sync", "task": {"service": "glue.start", "job": "etl", "wait": True}, "timeout": "1h"},
        {"task": {"service": "workflow.start", "workflow": "child"}},
        {
            "name": "child sync",
            "task": {"service": "workflow.start", "workflow": "child", "input": {"a": 1}, "wait": True},
        },
    ]
    found = states(steps)
    assert found["sns.publish alerts"] == {
        "Type": "Task",
        "Resource": partition_resource("sns:publish"),
        "Parameters": {"TopicArn": Attr("alerts", "arn"), "Message.$": "$.error", "Subject": "failed"},
        "Next": "sqs.send work",
    }
    assert found["sqs.send work"]["Resource"] == partition_resource("sqs:sendMessage")
    assert found["sqs.send work"]["Parameters"] == {
        "QueueUrl": Attr("work", "url"),
        "MessageBody": {"file.$": "$.key", "n": 1},
    }
    assert found["glue.start etl"]["Resource"] == partition_resource("glue:startJobRun")
    assert found["glue.start etl"]["Parameters"] == {"JobName": "etl", "Arguments": {"--day": "1"}}
    assert found["etl sync"]["Resource"] == partition_resource("glue:startJobRun.sync")
    assert found["etl sync"]["TimeoutSeconds"] == 3600 and "Retry" not in found["etl sync"]
    assert found["workflow.start child"]["Resource"] == partition_resource("states:startExecution")
    assert found["workflow.start child"]["Parameters"] == {"StateMachineArn": Attr("child", "arn"), "Input.$": "$"}
    assert found["child sync"]["Resource"] == partition_resource("states:startExecution.sync:2")
    assert found["child sync"]["Parameters"]["Input"] == {"a": 1} and found["child sync"]["End"] is True


def test_next_jumps_and_a_failure_handler_reached_through_next_still_fails():
    steps = [
        {"function": "a", "catch": "alert", "next": "c"},
        "b",
        {"function": "c", "end": True},
        {"function": "alert", "next": "cleanup"},
        {"name": "skipped", "pass": {}, "next": "cleanup"},
        "cleanup",
    ]
    model = Workflow(type="workflow", steps=steps)
    names = ["a", "b", "c", "alert", "skipped", "cleanup"]
    assert failure_only(model.steps, names) == [False, False, False, True, False, True]
    assert reachable(model.steps, names) == {"a", "c", "alert", "cleanup"}
    found = states(steps)
    assert found["a"]["Next"] == "c" and found["cleanup"]["Next"] == "aipipe:failed"


def problems(tmp_path, steps_yaml: str, extra: str = "") -> list[tuple[str, str, str]]:
    (tmp_path / "app").mkdir(exist_ok=True)
    path = tmp_path / "aipipe.yaml"
    path.write_text(HEAD + FN + extra + "  flow:\n    type: workflow\n    steps:\n" + steps_yaml, encoding="utf-8")
    return [(d.code, d.path, d.message) for d in load_spec(str(path)).diagnostics if d.code != "AP503"]


def test_a_polling_loop_with_a_way_out_is_fine(tmp_path):
    steps = (
        "      - {function: fn, name: Check, retry: {attempts: 1}}\n"
        "      - name: Ready\n"
        "        choice: [{when: {variable: $.done, equals: true}, next: Done}]\n"
        "        default: Later\n"
        "      - {name: Later, wait: 1m, next: Check}\n"
        "      - {name: Done, pass: {}}\n"
    )
    assert problems(tmp_path, steps) == []


def test_a_loop_whose_only_exit_is_a_catch_can_end(tmp_path):
    steps = (
        "      - {function: fn, retry: {attempts: 1}, next: fn, catch: Out}\n"
        "      - {name: Out, pass: {}, handled: true}\n"
    )
    assert problems(tmp_path, steps) == []


def test_inner_map_steps_are_checked_like_any_other(tmp_path):
    steps = "      - map: {steps: [{name: In, wait_until: 'tomorrow'}, {name: X, pass: {}, input_path: 'files'}]}\n"
    found = problems(tmp_path, steps)
    assert [(code, path) for code, path, _ in found] == [
        ("AP452", "resources.flow.steps[0].map.steps[0].wait_until"),
        ("AP452", "resources.flow.steps[0].map.steps[1].input_path"),
    ]


def test_service_tasks_name_resources_of_their_kind(tmp_path):
    steps = (
        "      - {task: {service: sqs.send, queue: q, message: hi}}\n"
        "      - {task: {service: workflow.start, workflow: fn}}\n"
    )
    found = problems(tmp_path, steps, "  q: {type: topic}\n")
    assert [(code, path) for code, path, _ in found] == [
        ("AP305", "resources.flow.steps[0].task.queue"),
        ("AP305", "resources.flow.steps[1].task.workflow"),
    ]
    assert "must name a `queue` or `subscription`, but `q` is a topic" in found[0][2]


def test_a_choice_rule_compares_booleans_only_for_equality(tmp_path):
    steps = (
        "      - name: R\n        choice: [{when: {variable: $.ok, at_most: false}, next: A}]\n        default: A\n"
        "      - {name: A, pass: {}}\n"
    )
    [(code, path, message)] = problems(tmp_path, steps)
    assert (code, path) == ("AP450", "resources.flow.steps[0].choice[0].when.at_most")
    assert "use `equals`" in message


STEP_MODELS = (
    TaskStep, ServiceStep, ServiceCall, ParallelStep, MapStep, MapBody, ChoiceStep, ChoiceRule, ChoiceCondition,
    WaitStep, PassStep, PassBody, FailStep, FailBody, StepRetry, CatchRule,
)  # fmt: skip


def _models_in(value, found: set) -> None:
    if isinstance(value, BaseModel):
        found |= {(type(value).__name__, field) for field in value.model_fields_set}
        for field in value.model_fields_set:
            _models_in(getattr(value, field), found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _models_in(item, found)


def test_the_good_aws_corpus_uses_every_field_of_every_step_form():
    found: set = set()
    spec = load_spec(str(DATA / "good" / "aws-everything.yaml")).spec
    for resource in spec.resources.values():
        if resource.type == "workflow":
            _models_in(resource.steps, found)
    expected = {(model.__name__, field) for model in STEP_MODELS for field in model.model_fields}
    assert expected - found == set()


@pytest.mark.parametrize("service", ["sns.publish", "sqs.send", "glue.start", "workflow.start"])
def test_every_service_is_in_the_readme_table_with_its_iam(service):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"| `{service}`" in readme


def test_the_readme_workflow_example_validates(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Workflows") :]
    example = section[section.index("```yaml\n") + 8 : section.index("```\n", section.index("```yaml"))]
    functions = "".join(
        f"  {name}: {{type: function, runtime: python3.12, handler: app.handler, code: ./app}}\n"
        for name in ("preprocess", "train")
    )
    body = "".join("    " + line + "\n" for line in example.splitlines())
    (tmp_path / "app").mkdir()
    path = tmp_path / "aipipe.yaml"
    path.write_text(HEAD + functions + "  alerts: {type: topic}\n  flow:\n    type: workflow\n" + body)
    result = load_spec(str(path))
    assert [d for d in result.diagnostics if d.code != "AP503"] == []
    assert result.spec.resources["flow"].steps[0].retry[1].errors == ["ValueError"]


def test_strings_in_data_may_hold_references_and_escapes_are_never_paths():
    steps = [
        {"function": "a", "parameters": {"bucket": "${raw.name}", "text": "$${not-a-path}", "key": "$.key"}},
        {"name": "p", "pass": {"result": {"where": "s3://${raw.name}/out/"}}},
    ]
    found = states(steps)
    assert found["a"]["Parameters"] == {"bucket": Attr("raw", "name"), "text": "${not-a-path}", "key.$": "$.key"}
    assert found["p"]["Result"] == {"where": Concat("s3://", Attr("raw", "name"), "/out/")}


def _policy(tmp_path, resources: str, steps: str, region: str = "us-east-1") -> list[dict]:
    (tmp_path / "app").mkdir(exist_ok=True)
    path = tmp_path / "aipipe.yaml"
    flow = f"  flow:\n    type: workflow\n    region: {region}\n    logging: false\n    steps:\n"
    path.write_text(HEAD + resources + flow + steps)
    result = load_spec(str(path))
    assert result.valid, result.diagnostics
    spec = result.spec
    built = (
        KINDS["workflow"].clouds["aws"].values(RenderJob(spec, built_artifacts(spec)), "flow", spec.resources["flow"])
    )
    return built["policy"].document["Statement"]


def test_a_workflow_of_service_tasks_only_grants_exactly_those_calls_once(tmp_path):
    resources = (
        "  alerts: {type: topic, encryption: none, region: eu-west-1}\n"
        "  child: {type: workflow, region: eu-west-1, steps: [{pass: {}}]}\n"
    )
    steps = (
        "      - {task: {service: sns.publish, topic: alerts, message: a}}\n"
        "      - {name: again, task: {service: sns.publish, topic: alerts, message: b}}\n"
        "      - {task: {service: workflow.start, workflow: child, wait: true}}\n"
    )
    account, partition = Deployment("aws_account_id"), Deployment("aws_partition")
    assert _policy(tmp_path, resources, steps, region="eu-west-1") == [
        {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": [Attr("alerts", "arn")]},
        {"Effect": "Allow", "Action": ["states:StartExecution"], "Resource": [Attr("child", "arn")]},
        {
            "Effect": "Allow",
            "Action": ["states:DescribeExecution", "states:StopExecution"],
            "Resource": [
                Concat("arn:", partition, ":states:eu-west-1:", account, ":execution:", Attr("child", "name"), ":*")
            ],
        },
        {
            "Effect": "Allow",
            "Action": ["events:DescribeRule", "events:PutRule", "events:PutTargets"],
            "Resource": [
                Concat(
                    "arn:",
                    partition,
                    ":events:eu-west-1:",
                    account,
                    ":rule/StepFunctionsGetEventsForStepFunctionsExecutionRule",
                )
            ],
        },
    ]


def test_a_glue_job_is_granted_on_its_own_arn_and_sync_adds_the_polling_actions(tmp_path):
    steps = (
        "      - {task: {service: glue.start, job: etl}}\n"
        "      - {name: b, task: {service: glue.start, job: other, wait: true}}\n"
    )
    account, partition = Deployment("aws_account_id"), Deployment("aws_partition")
    first, second = _policy(tmp_path, "", steps)
    assert first == {
        "Effect": "Allow",
        "Action": ["glue:StartJobRun"],
        "Resource": [Concat("arn:", partition, ":glue:us-east-1:", account, ":job/etl")],
    }
    assert second["Action"] == ["glue:StartJobRun", "glue:BatchStopJobRun", "glue:GetJobRun", "glue:GetJobRuns"]
    assert second["Resource"] == [Concat("arn:", partition, ":glue:us-east-1:", account, ":job/other")]


def test_references_in_subjects_arguments_causes_and_choice_values_are_resolved(tmp_path):
    # review finding: these fields were validated as references but reached the state machine as `${raw.name}`
    (tmp_path / "aipipe.yaml").write_text(
        "aipipe: 1\nname: demo\ncloud: aws\nregion: eu-west-1\nresources:\n  raw: {type: bucket}\n"
        "  alerts: {type: topic}\n  flow:\n    type: workflow\n    steps:\n"
        "      - {name: Pick, choice: [{when: {variable: $.b, equals: '${raw.name}'}, next: Notify}], "
        "default: Notify}\n"
        "      - {name: Notify, task: {service: sns.publish, topic: alerts, message: hi, subject: '${raw.name}'}, "
        "next: Run}\n"
        "      - {name: Run, task: {service: glue.start, job: 'etl-${stack}', arguments: {--bucket: '${raw.name}', "
        "--key: $.key}}, next: Stop}\n"
        "      - {name: Stop, fail: {error: Bad, cause: 'bucket ${raw.name}'}}\n"
    )
    result = load_spec(str(tmp_path / "aipipe.yaml"))
    assert result.valid, result.diagnostics
    plan = plan_spec(result.spec)
    [machine] = [r for r in plan.resources if r.type == "aws:sfn/stateMachine:StateMachine"]
    states = json.loads(machine.inputs["definition"])["States"]
    assert states["Pick"]["Choices"][0]["StringEquals"] == "raw"
    assert states["Notify"]["Parameters"]["Subject"] == "raw"
    assert states["Run"]["Parameters"] == {"JobName": "etl-dev", "Arguments": {"--bucket": "raw", "--key.$": "$.key"}}
    assert states["Stop"]["Cause"] == "bucket raw"
    [policy] = [r for r in plan.resources if r.name == "flow-policy"]
    assert "arn:aws:glue:eu-west-1:123456789012:job/etl-dev" in policy.inputs["policy"]
