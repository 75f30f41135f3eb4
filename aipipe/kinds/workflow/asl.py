"""The Amazon States Language document of a workflow, built as data with symbolic function ARNs (never by
string concatenation): the program renders it with `pulumi.Output.json_dumps`, so the ARNs resolve, and a
local runner can execute the very same document."""

from __future__ import annotations

from aipipe.kinds.workflow.model import ParallelStep, Workflow
from aipipe.kinds.workflow.steps import Branch, catch_of, ends, failure_only, handled, task_of
from aipipe.semantics.symbols import Attr, Json


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


def parallel_output(state: str, branch_names: list[str]) -> dict:
    """Where a Parallel state puts its branches' outputs. Step Functions makes them an array, in branch order
    (docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html), which would reach the next step as a
    list. aipipe names them instead: the next step receives the parallel step's own input plus one key, the
    parallel step's name, holding each branch's output under the name of the branch's first step:
    `{...input, "TrainAndProfile": {"Train": {...}, "Profile": {...}}}`.
    ResultPath is a reference path, so the name goes in square brackets (it may hold spaces, `.` and `-`;
    StepName excludes quotes): docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html."""
    return {
        "ResultSelector": {f"{name}.$": f"$[{b}]" for b, name in enumerate(branch_names)},
        "ResultPath": f"$['{state}']",
    }


def _branch(branch: Branch) -> dict:
    names = branch.names
    failing = failure_only(branch.steps, names)
    states = {}
    for position, step in enumerate(branch.steps):
        state = _state(step, branch, position)
        if position == len(branch.steps) - 1 or ends(step):
            if failing[position] and not handled(step):  # a handler ran: the execution still failed
                state["Next"] = failed_state_name(branch.positions)
            else:
                state["End"] = True
        else:
            state["Next"] = names[position + 1]
        states[names[position]] = state
    if any(state.get("Next") == failed_state_name(branch.positions) for state in states.values()):
        states[failed_state_name(branch.positions)] = {
            "Type": "Fail",
            "Error": "aipipe.StepFailed",
            "Cause": "a step failed; its `catch` handler ran (mark the handler `handled: true` to succeed instead)",
        }
    return {"StartAt": names[0], "States": states}


def _state(step, branch: Branch, position: int) -> dict:
    if isinstance(step, ParallelStep):
        inner_branches = [
            Branch(inner, branch.step_path(position) + ("parallel", b), branch.positions + (position, b))
            for b, inner in enumerate(step.parallel)
        ]
        state: dict = {"Type": "Parallel", "Branches": [_branch(inner) for inner in inner_branches]}
        state.update(parallel_output(branch.names[position], [inner.names[0] for inner in inner_branches]))
    else:
        task = task_of(step)
        state = {"Type": "Task", "Resource": Attr(task.function, "arn")}
        if task.timeout:
            state["TimeoutSeconds"] = task.timeout
        state["Retry"] = [dict(TRANSIENT_LAMBDA_RETRY)]
        if task.retry:
            state["Retry"].append(
                {
                    "ErrorEquals": list(task.retry.errors),
                    "IntervalSeconds": task.retry.interval,
                    "MaxAttempts": task.retry.attempts,
                    "BackoffRate": task.retry.backoff,
                }
            )
    if catch_of(step):
        state["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": catch_of(step), "ResultPath": "$.error"}]
    return state
