"""Amazon States Language for a workflow, built as data (never by string concatenation) and rendered with
`pulumi.Output.json_dumps`, so function ARNs resolve inside it."""

from __future__ import annotations

from aipipe.program.iam import arn_of
from aipipe.codegen.safe import Code, literal
from aipipe.spec.workflow import ParallelStep, TaskStep, step_name


def definition(spec, workflow) -> Code:
    """The state machine definition of a workflow as a `pulumi.Output.json_dumps(...)` expression."""
    document = {"Comment": f"aipipe workflow of {spec.header.name}", **_branch(spec, workflow.steps, ())}
    return Code("pulumi.Output.json_dumps(" + literal(document) + ")")


def _branch(spec, steps: list, positions: tuple[int, ...]) -> dict:
    names = [step_name(step, positions + (p,)) for p, step in enumerate(steps)]
    states = {}
    for position, step in enumerate(steps):
        state = _state(spec, step, positions + (position,))
        last = position == len(steps) - 1
        if last or getattr(step, "end", False):
            state["End"] = True
        else:
            state["Next"] = names[position + 1]
        states[names[position]] = state
    return {"StartAt": names[0], "States": states}


def _state(spec, step, positions: tuple[int, ...]) -> dict:
    if isinstance(step, ParallelStep):
        state: dict = {"Type": "Parallel", "Branches": [
            _branch(spec, branch, positions + (b,)) for b, branch in enumerate(step.parallel)]}
    else:
        task = step if isinstance(step, TaskStep) else TaskStep(function=step)
        state = {"Type": "Task", "Resource": arn_of(spec, task.function)}
        if task.timeout:
            state["TimeoutSeconds"] = task.timeout
        if task.retry:
            state["Retry"] = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": task.retry.interval,
                               "MaxAttempts": task.retry.attempts, "BackoffRate": task.retry.backoff}]
    if getattr(step, "catch", None):
        state["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": step.catch, "ResultPath": "$.error"}]
    return state


def invoked_functions(workflow) -> list[str]:
    """Every function a workflow's steps invoke, once each, in order."""
    found: list[str] = []

    def walk(steps):
        for step in steps:
            if isinstance(step, ParallelStep):
                for branch in step.parallel:
                    walk(branch)
            else:
                name = step if isinstance(step, str) else step.function
                if name not in found:
                    found.append(name)

    walk(workflow.steps)
    return found
