"""Workflows that fail stay failed: a step only a `catch` reaches is a failure handler, and after it the execution
ends FAILED unless the handler says `handled: true`; every task retries Lambda's transient errors."""

from __future__ import annotations

from aipipe.kinds.workflow.asl import TRANSIENT_LAMBDA_RETRY, definition
from aipipe.kinds.workflow.model import Workflow
from aipipe.kinds.workflow.steps import failure_only
from aipipe.validation import load_spec


def machine(steps):
    return definition("demo", Workflow(type="workflow", steps=steps)).document


def test_a_handler_only_a_catch_reaches_ends_in_a_fail_state():
    states = machine([{"function": "a", "catch": "alert"}, {"function": "b", "end": True}, "alert"])["States"]
    assert states["b"]["End"] is True
    assert states["alert"] == {
        "Type": "Task",
        "Resource": states["alert"]["Resource"],
        "Retry": [TRANSIENT_LAMBDA_RETRY],
        "Next": "aipipe:failed",
    }
    assert states["aipipe:failed"]["Type"] == "Fail"


def test_a_handled_failure_succeeds():
    states = machine(
        [{"function": "a", "catch": "alert"}, {"function": "b", "end": True}, {"function": "alert", "handled": True}]
    )["States"]
    assert states["alert"]["End"] is True and "aipipe:failed" not in states


def test_a_catch_target_normal_flow_also_reaches_is_no_failure_handler():
    states = machine([{"function": "a", "catch": "cleanup"}, "cleanup"])["States"]
    assert states["cleanup"]["End"] is True and "aipipe:failed" not in states


def test_a_handler_of_several_steps_fails_after_the_last():
    steps = [{"function": "a", "catch": "alert"}, {"function": "b", "end": True}, "alert", "cleanup"]
    states = machine(steps)["States"]
    assert states["alert"]["Next"] == "cleanup" and states["cleanup"]["Next"] == "aipipe:failed"
    model = Workflow(type="workflow", steps=steps).steps
    assert failure_only(model, ["a", "b", "alert", "cleanup"]) == [False, False, True, True]


def test_a_failure_handler_inside_a_parallel_branch_has_its_own_fail_state():
    steps = [{"parallel": [[{"function": "a", "catch": "fix"}, {"function": "b", "end": True}, "fix"], ["c"]]}]
    [first, second] = machine(steps)["States"]["parallel-1"]["Branches"]
    assert first["States"]["fix"]["Next"] == "aipipe:failed:0:0" and "aipipe:failed:0:0" in first["States"]
    assert "aipipe:failed" not in str(second)


def test_handled_anywhere_else_is_reported(write_spec):
    head = "aipipe: 1\nname: demo\ncloud: aws\nregion: us-east-1\nresources:\n"
    fn = "    type: function\n    runtime: python3.12\n    handler: app.handler\n    code: ./app\n"
    spec = (
        head + "  a:\n" + fn + "  flow: {type: workflow, steps: [{function: a, handled: true, retry: {attempts: 1}}]}\n"
    )
    diagnostics = load_spec(str(write_spec(spec))).diagnostics
    assert [d.code for d in diagnostics] == ["AP403"]
    assert diagnostics[0].message.startswith("`handled` applies to the last step of a failure handler")
    assert diagnostics[0].path == "resources.flow.steps[0].handled"


def test_a_step_timeout_longer_than_the_functions_is_fine(write_spec):
    head = "aipipe: 1\nname: demo\ncloud: aws\nregion: us-east-1\nresources:\n"
    fn = "    type: function\n    runtime: python3.12\n    handler: app.handler\n    code: ./app\n    timeout: 10m\n"
    step = "  flow: {type: workflow, steps: [{function: a, timeout: 11m, retry: {attempts: 1}}]}\n"
    assert load_spec(str(write_spec(head + "  a:\n" + fn + step))).diagnostics == []


def test_a_parallel_step_hands_the_next_step_its_input_plus_named_branch_outputs():
    steps = [{"name": "Both Ways", "parallel": [["a", "b"], [{"function": "c", "name": "C"}]]}, "d"]
    both = machine(steps)["States"]["Both Ways"]
    assert both["ResultSelector"] == {"a.$": "$[0]", "C.$": "$[1]"}
    assert both["ResultPath"] == "$['Both Ways']" and both["Next"] == "d"


def test_a_retry_matches_the_errors_it_names_after_the_transient_lambda_errors():
    [transient, own] = machine(
        [{"function": "a", "retry": {"attempts": 2, "errors": ["ValueError", "States.Timeout"]}}]
    )["States"]["a"]["Retry"]
    assert transient == TRANSIENT_LAMBDA_RETRY
    assert own["ErrorEquals"] == ["ValueError", "States.Timeout"] and own["MaxAttempts"] == 2
    [_, default] = machine([{"function": "a", "retry": {}}])["States"]["a"]["Retry"]
    assert default["ErrorEquals"] == ["States.ALL"]


def test_a_handler_that_ends_midway_may_be_handled(write_spec):
    """`handled` belongs on the step where a failure handler ends: the branch's last step, or one with `end`."""
    head = "aipipe: 1\nname: demo\ncloud: aws\nregion: us-east-1\nresources:\n"
    fn = "    type: function\n    runtime: python3.12\n    handler: app.handler\n    code: ./app\n"
    steps = (
        "[{function: a, retry: {attempts: 1}, catch: fix}, {function: a, name: ok, retry: {attempts: 1}, end: true}, "
        "{function: a, name: fix, retry: {attempts: 1}, end: true, handled: true}, "
        "{function: a, name: never, retry: {attempts: 1}}]"
    )
    spec = head + "  a:\n" + fn + "  flow: {type: workflow, steps: " + steps + "}\n"
    codes = [(d.code, d.message) for d in load_spec(str(write_spec(spec))).diagnostics]
    assert [c for c, _ in codes] == ["AP405"]  # only `never` (unreachable); `handled` on `fix` is where it belongs
    assert "`never` is never reached" in codes[0][1]


def test_trigger_rules_of_a_workflow_say_workflow(write_spec):
    head = "aipipe: 1\nname: demo\ncloud: aws\nregion: us-east-1\nresources:\n"
    fn = "    type: function\n    runtime: python3.12\n    handler: app.handler\n    code: ./app\n"
    spec = head + "  a:\n" + fn + "  raw: {type: bucket, region: eu-west-1}\n  s: {type: stream}\n"
    spec += "  flow:\n    type: workflow\n    steps: [{function: a, retry: {attempts: 1}}]\n"
    spec += "    triggers: [{bucket: raw}, {stream: s}]\n"
    messages = [d.message for d in load_spec(str(write_spec(spec))).diagnostics]
    assert any(m.startswith("`raw` is in eu-west-1 and this workflow in us-east-1") for m in messages), messages
    assert any("start a function from it instead" in m for m in messages), messages
