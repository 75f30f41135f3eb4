"""The Amazon States Language document of a workflow, built as data with symbolic ARNs (never by string
concatenation): the program renders it with `pulumi.Output.json_dumps`, so the ARNs resolve, and a local
runner can execute the very same document. It uses the JSONPath query language (the default when a definition
sets no QueryLanguage: docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html); choices are
in choices.py."""

from __future__ import annotations

from aipipe.kinds.workflow.choices import choice_rule
from aipipe.kinds.workflow.model import (
    ChoiceStep,
    FailStep,
    MapStep,
    ParallelStep,
    PassStep,
    ServiceStep,
    WaitStep,
    Workflow,
)
from aipipe.kinds.workflow.services import asl_task, with_paths
from aipipe.kinds.workflow.steps import (
    Branch,
    catch_rules,
    failure_only,
    handled,
    has_transition,
    inner_branches,
    is_terminal,
    retries_of,
    task_of,
)
from aipipe.semantics.symbols import Attr, Json
from aipipe.spec.references import symbolic, symbolic_data


def definition(project: str, workflow: Workflow) -> Json:
    """The state machine definition, in the Amazon States Language
    (docs.aws.amazon.com/step-functions/latest/dg/concepts-amazon-states-language.html)."""
    return Json({"Comment": f"aipipe workflow of {project}", **_branch(Branch(workflow.steps, ("steps",), ()))})


# docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html: Lambda's transient service errors
# (and throttling, Lambda.TooManyRequestsException), retried on every task whatever the spec's own `retry` says
TRANSIENT_LAMBDA_RETRY = {
    "ErrorEquals": [
        "Lambda.ClientExecutionTimeoutException",
        "Lambda.ServiceException",
        "Lambda.AWSLambdaException",
        "Lambda.SdkClientException",
        "Lambda.TooManyRequestsException",
    ],
    "IntervalSeconds": 2,
    "MaxAttempts": 6,
    "BackoffRate": 2,
}


def failed_state_name(positions: tuple[int, ...]) -> str:
    """The Fail state a branch's failure handlers end in (`:` cannot occur in a step name, so it is unique)."""
    return "aipipe:failed" + "".join(f":{p}" for p in positions)


def named_result(state: str) -> str:
    """The ResultPath of a parallel or map step's default: a key named after the step, in square brackets (the
    name may hold spaces, `.` and `-`; StepName excludes quotes):
    docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html."""
    return f"$['{state}']"


def parallel_output(state: str, branch_names: list[str]) -> dict:
    """Where a Parallel state puts its branches' outputs. Step Functions makes them an array, in branch order
    (docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html), which would reach the next step as a
    list. aipipe names them instead: the next step receives the parallel step's own input plus one key, the
    parallel step's name, holding each branch's output under the name of the branch's first step:
    `{...input, "TrainAndProfile": {"Train": {...}, "Profile": {...}}}`."""
    return {
        "ResultSelector": {f"{name}.$": f"$[{b}]" for b, name in enumerate(branch_names)},
        "ResultPath": named_result(state),
    }


def _branch(branch: Branch) -> dict:
    names = branch.names
    failing = failure_only(branch.steps, names)
    failed = failed_state_name(branch.positions)
    states = {}
    for position, step in enumerate(branch.steps):
        state = _state(step, branch, position)
        if has_transition(step):
            if getattr(step, "next", None):
                state["Next"] = step.next
            elif is_terminal(branch.steps, position):
                if failing[position] and not handled(step):  # a handler ran: the execution still failed
                    state["Next"] = failed
                else:
                    state["End"] = True
            else:
                state["Next"] = names[position + 1]
        states[names[position]] = state
    if any(state.get("Next") == failed for state in states.values()):
        states[failed] = {
            "Type": "Fail",
            "Error": "aipipe.StepFailed",
            "Cause": "a step failed; its `catch` handler ran (mark the handler `handled: true` to succeed instead)",
        }
    return {"StartAt": names[0], "States": states}


def _state(step, branch: Branch, position: int) -> dict:
    if isinstance(step, ChoiceStep):
        state: dict = {"Type": "Choice", "Choices": [choice_rule(rule.when, rule.next) for rule in step.choice]}
        if step.default:
            state["Default"] = step.default
        return _paths(state, step)
    if isinstance(step, FailStep):
        state = {"Type": "Fail", "Error": step.fail.error}
        if step.fail.cause is not None:
            state["Cause"] = symbolic(step.fail.cause)
        return state
    if isinstance(step, WaitStep):
        return _paths({"Type": "Wait", **_wait(step)}, step)
    if isinstance(step, PassStep):
        state = {"Type": "Pass"}
        if step.pass_.result is not None:
            state["Result"] = symbolic_data(step.pass_.result)
        return _paths(state, step)
    if isinstance(step, ParallelStep):
        inner = inner_branches(step, branch, position)
        state = {"Type": "Parallel", "Branches": [_branch(b) for b in inner]}
        if step.result_selector is None and step.result_path is None:
            state.update(parallel_output(branch.names[position], [b.names[0] for b in inner]))
    elif isinstance(step, MapStep):
        state = _map(step, inner_branches(step, branch, position)[0], branch.names[position])
    elif isinstance(step, ServiceStep):
        state = {"Type": "Task", **asl_task(step.task)}
        if step.timeout:
            state["TimeoutSeconds"] = step.timeout
    else:
        task = task_of(step)
        state = {"Type": "Task", "Resource": Attr(task.function, "arn")}
        if task.parameters is not None:
            state["Parameters"] = with_paths(task.parameters)
        if task.timeout:
            state["TimeoutSeconds"] = task.timeout
        state["Retry"] = [dict(TRANSIENT_LAMBDA_RETRY)]
    _handling(state, task_of(step) or step)
    return _paths(state, step)


def _map(step: MapStep, inner: Branch, name: str) -> dict:
    """A Map state running its steps inline for each item (docs.aws.amazon.com/step-functions/latest/dg/
    state-map-inline.html); by default its list of results goes under the step's name, like a parallel step's."""
    state: dict = {
        "Type": "Map",
        "ItemsPath": step.map.items,
        "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, **_branch(inner)},
        "MaxConcurrency": step.map.max_concurrency,
    }
    if step.map.item_selector is not None:
        state["ItemSelector"] = with_paths(step.map.item_selector)
    if step.result_path is None:
        state["ResultPath"] = named_result(name)
    return state


def _wait(step: WaitStep) -> dict:
    """Seconds, or a timestamp: fixed or read from the input (docs.aws.amazon.com/step-functions/latest/dg/
    state-wait.html)."""
    if step.wait is not None:
        return {"Seconds": step.wait}
    until = step.wait_until or ""
    return {"TimestampPath": until} if until.startswith("$") else {"Timestamp": until}


def _handling(state: dict, step) -> None:
    """Retry and Catch, in the order the spec lists them (Step Functions tries retriers and catchers in order)."""
    retries = [
        {
            "ErrorEquals": list(retry.errors),
            "IntervalSeconds": retry.interval,
            "MaxAttempts": retry.attempts,
            "BackoffRate": retry.backoff,
        }
        for retry in retries_of(step)
    ]
    if retries:
        state["Retry"] = state.get("Retry", []) + retries
    catches = [
        {"ErrorEquals": list(rule.errors), "Next": rule.next, "ResultPath": rule.result_path}
        for rule in catch_rules(step)
    ]
    if catches:
        state["Catch"] = catches


SHAPING = (
    ("input_path", "InputPath"),
    ("parameters", "Parameters"),
    ("result_selector", "ResultSelector"),
    ("result_path", "ResultPath"),
    ("output_path", "OutputPath"),
)


def _paths(state: dict, step) -> dict:
    """The input and output processing fields the step sets (docs.aws.amazon.com/step-functions/latest/dg/
    concepts-input-output-filtering.html), in the order Step Functions applies them."""
    for field, key in SHAPING:
        value = getattr(step, field, None)
        if value is not None and key not in state:
            state[key] = with_paths(value) if isinstance(value, dict) else value
    return state
