"""Rules for workflows: state names unique across the machine, `catch` naming a step of the same branch,
errors Step Functions can match, and triggers that can start a state machine (flow_checks: how steps connect)."""

from __future__ import annotations

from aipipe.core.diagnostics import Severity
from aipipe.core.suggest import did_you_mean
from aipipe.kinds.workflow.flow_checks import check_flow, check_service_calls
from aipipe.kinds.workflow.model import ChoiceStep, FailStep, MapStep, ParallelStep, WaitStep, Workflow
from aipipe.kinds.workflow.steps import (
    Branch,
    branches,
    catch_of,
    catch_targets,
    failure_only,
    handled,
    is_terminal,
    service_calls,
    walk,
)
from aipipe.spec.context import CheckContext
from aipipe.spec.values import format_duration
from aipipe.triggers.registry import trigger_kind
from aipipe.triggers.uses import check_repeated_triggers, check_same_region, check_wired, uses_of


def check(ctx: CheckContext, name: str, workflow: Workflow) -> None:
    """State names are unique across the machine; each list of steps connects (flow_checks); retries and
    catches name errors Step Functions can match; triggers can start the machine."""
    seen: set[str] = set()
    for visit in walk(workflow.steps):
        here = ctx.at(name, *visit.path)
        if visit.state in seen:
            ctx.report(
                "AP405",
                f"step name `{visit.state}` is used twice in this workflow (state names must be "
                "unique); give one of them a `name`",
                here,
            )
        seen.add(visit.state)
        if isinstance(visit.step, ChoiceStep | FailStep):
            continue
        for position, target in enumerate(catch_targets(visit.step)):
            if target == visit.state:
                catch = visit.step.catch
                where = ("catch",) if isinstance(catch, str) else ("catch", position, "next")
                ctx.report("AP405", "a step cannot catch into itself", here + where)
            elif isinstance(visit.step.catch, str) and target not in visit.branch.names:
                ctx.report(
                    "AP405",
                    f"`catch` names `{target}`, which is not a step of the same branch"
                    f"{did_you_mean(target, visit.branch.names)}",
                    here + ("catch",),
                )
    for branch in branches(workflow.steps):
        check_flow(ctx, name, branch)
        _check_handled(ctx, name, branch)
    for visit in walk(workflow.steps):
        _check_task_timeout(ctx, name, visit)
        _check_errors(ctx, name, visit)
    if ctx.cloud == "aws":
        check_service_calls(ctx, name, workflow, service_calls(workflow.steps))
    _check_triggers(ctx, name, workflow)
    _check_express_duration(ctx, name, workflow)


UNWIRED = (
    "start a function from it instead, and let the function write to a bucket or publish to a topic that "
    "triggers this workflow"
)


def _check_triggers(ctx: CheckContext, name: str, workflow: Workflow) -> None:
    """Each trigger can start a state machine, by its own rules, from a source in the workflow's region when it
    must be."""
    if ctx.cloud != "aws":
        return  # a workflow exists on aws only (reported at `type`)
    uses = list(uses_of(name, workflow))
    check_repeated_triggers(ctx, uses, "workflow")
    for use in uses:
        if check_wired(ctx, use, "workflow", UNWIRED):
            trigger_kind(use.trigger).check(ctx, use)
            check_same_region(ctx, use, "workflow")
            _check_array_input(ctx, workflow, use)


def _check_array_input(ctx: CheckContext, workflow: Workflow, use) -> None:
    """A topic starts the workflow with an array (the pipe's batch of one SQS message). A first step that writes
    a key into its input — a parallel step's named result, a `catch` putting the failure at `$.error` — then
    fails with States.ResultPathMatchFailure (docs.aws.amazon.com/step-functions/latest/dg/
    concepts-error-handling.html): a key cannot be added to an array."""
    first = workflow.steps[0]
    writes_key = isinstance(first, ParallelStep | MapStep) and first.result_path is None
    if trigger_kind(use.trigger).key != "topic" or not (writes_key or catch_of(first)):
        return
    what = "a parallel or map step, whose result" if writes_key else "a step whose `catch`"
    ctx.report(
        "AP406",
        f"a topic starts this workflow with an array (the SQS batch of one message), and its first step is {what} "
        "is written into that input as a key, which fails on an array; begin with a function step without "
        "`catch` that returns the message as an object",
        use.path + ("topic",),
        severity=Severity.WARNING,
    )


# docs.aws.amazon.com/step-functions/latest/dg/concepts-standard-vs-express.html: an express execution runs at
# most five minutes
EXPRESS_MAX_SECONDS = 300


def _check_express_duration(ctx: CheckContext, name: str, workflow: Workflow) -> None:
    """A step of an express workflow whose function may run, or wait, longer than the whole execution may."""
    if workflow.kind != "express":
        return
    for visit in walk(workflow.steps):
        if isinstance(visit.step, WaitStep) and (visit.step.wait or 0) > EXPRESS_MAX_SECONDS:
            ctx.report(
                "AP402",
                f"this step waits {format_duration(visit.step.wait)}, and an express workflow's whole execution "
                "stops after 5m; use `kind: standard`, or a shorter wait",
                ctx.at(name, *visit.path, "wait"),
                severity=Severity.WARNING,
            )
        function = ctx.checkable().get(visit.task.function) if visit.task else None
        if function is not None and function.type == "function" and function.timeout > EXPRESS_MAX_SECONDS:
            ctx.report(
                "AP402",
                f"function `{visit.task.function}` may run {format_duration(function.timeout)}, and an express "
                "workflow's whole execution stops after 5m; use `kind: standard`, or a function timeout of at most 5m",
                ctx.at(name, *visit.path),
                severity=Severity.WARNING,
            )


# docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html: the errors Step Functions names
# itself; `States.ALL` must stand alone in its ErrorEquals (and its retrier comes last, as aipipe renders it)
STATES_ERRORS = frozenset(
    "States." + error
    for error in [
        "ALL",
        "BranchFailed",
        "DataLimitExceeded",
        "ExceedToleratedFailureThreshold",
        "HeartbeatTimeout",
        "Http.Socket",
        "IntrinsicFailure",
        "ItemReaderFailed",
        "NoChoiceMatched",
        "ParameterPathFailure",
        "Permissions",
        "QueryEvaluationError",
        "ResultPathMatchFailure",
        "ResultWriterFailed",
        "Runtime",
        "TaskFailed",
        "Timeout",
    ]
)


def _check_errors(ctx: CheckContext, name: str, visit) -> None:
    """Each retrier's and catcher's `errors` name errors Step Functions can match: `States.*` ones it defines,
    `States.ALL` alone and in the last retrier or catcher."""
    retry = getattr(visit.step, "retry", None)
    catch = getattr(visit.step, "catch", None)
    lists = []
    if retry is not None:
        retries = retry if isinstance(retry, list) else [retry]
        lists += [
            (("retry", i) if isinstance(retry, list) else ("retry",), r.errors, i == len(retries) - 1)
            for i, r in enumerate(retries)
        ]
    if isinstance(catch, list):
        lists += [(("catch", i), rule.errors, i == len(catch) - 1) for i, rule in enumerate(catch)]
    for path, errors, last in lists:
        where = ctx.at(name, *visit.path, *path, "errors")
        for position, error in enumerate(errors):
            if error.startswith("States.") and error not in STATES_ERRORS:
                ctx.report(
                    "AP405",
                    f"`{error}` is not a Step Functions error{did_you_mean(error, sorted(STATES_ERRORS))}",
                    where + (position,),
                )
        if "States.ALL" in errors and len(errors) > 1:
            ctx.report(
                "AP405",
                "`States.ALL` matches every error and must stand alone in `errors`; remove the other errors or it",
                where + (errors.index("States.ALL"),),
            )
        elif "States.ALL" in errors and not last:
            ctx.report(
                "AP405",
                "`States.ALL` matches every error, so the rules after it never apply; move it last",
                where + (0,),
            )


def _check_task_timeout(ctx: CheckContext, name: str, visit) -> None:
    """A task timeout at or below its function's: the state fails with States.Timeout after TimeoutSeconds
    (docs.aws.amazon.com/step-functions/latest/dg/state-task.html), but the Lambda invocation it started is its
    own request and runs on to the function's timeout, so a retry starts a second run beside the first."""
    task = visit.task
    function = ctx.checkable().get(task.function) if task and task.timeout else None
    if function is None or function.type != "function" or task.timeout > function.timeout:
        return
    ctx.report(
        "AP402",
        f"the step's `timeout` ({format_duration(task.timeout)}) is not longer than function `{task.function}`'s "
        f"({format_duration(function.timeout)}): Step Functions would give up while the function still runs, "
        "and a retry would start a second run beside it; drop the step's `timeout` (the function's applies) or "
        "make it longer",
        ctx.at(name, *visit.path, "timeout"),
        severity=Severity.WARNING,
    )


def _check_handled(ctx: CheckContext, name: str, branch: Branch) -> None:
    """`handled: true` means something only where a failure handler ends: elsewhere it would mislead."""
    failing = failure_only(branch.steps, branch.names)
    for position, step in enumerate(branch.steps):
        last_of_handler = failing[position] and is_terminal(branch.steps, position)
        if handled(step) and not last_of_handler:
            ctx.report(
                "AP403",
                "`handled` applies to the last step of a failure handler (a step only a `catch` reaches, up to "
                "its `end: true` or the end of the branch); remove it here",
                ctx.at(name, *branch.step_path(position), "handled"),
                True,
            )
