"""Rules for workflows: state names unique across the machine, `catch` naming a step of the same branch,
every step reachable, and triggers that can start a state machine."""

from __future__ import annotations

from aipipe.core.diagnostics import Severity
from aipipe.core.suggest import did_you_mean
from aipipe.kinds.workflow.model import ParallelStep, Workflow
from aipipe.kinds.workflow.steps import Branch, branches, catch_of, ends, failure_only, handled, walk
from aipipe.spec.context import CheckContext
from aipipe.spec.values import format_duration
from aipipe.triggers.registry import trigger_kind
from aipipe.triggers.uses import check_same_region, check_wired, uses_of


def check(ctx: CheckContext, name: str, workflow: Workflow) -> None:
    """State names are unique across the machine; `catch` names a step of the same branch; steps are reached."""
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
        catch = catch_of(visit.step)
        if catch is not None:
            if catch == visit.state:
                ctx.report("AP405", "a step cannot catch into itself", here + ("catch",))
            elif catch not in visit.branch.names:
                ctx.report(
                    "AP405",
                    f"`catch` names `{catch}`, which is not a step of the same branch"
                    f"{did_you_mean(catch, visit.branch.names)}",
                    here + ("catch",),
                )
    for branch in branches(workflow.steps):
        _check_reachable(ctx, name, branch)
        _check_handled(ctx, name, branch)
    for visit in walk(workflow.steps):
        _check_task_timeout(ctx, name, visit)
        _check_retry_errors(ctx, name, visit)
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
    for use in uses_of(name, workflow):
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
    if trigger_kind(use.trigger).key != "topic" or not (isinstance(first, ParallelStep) or catch_of(first)):
        return
    what = "a parallel step, whose result" if isinstance(first, ParallelStep) else "a step whose `catch`"
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
    """A step of an express workflow whose function may run longer than the whole execution may."""
    if workflow.kind != "express":
        return
    for visit in walk(workflow.steps):
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


def _check_retry_errors(ctx: CheckContext, name: str, visit) -> None:
    """`retry.errors` names errors Step Functions can match: `States.*` ones it defines, `States.ALL` alone."""
    retry = visit.task.retry if visit.task else None
    if retry is None:
        return
    where = ctx.at(name, *visit.path, "retry", "errors")
    for position, error in enumerate(retry.errors):
        if error.startswith("States.") and error not in STATES_ERRORS:
            ctx.report(
                "AP405",
                f"`{error}` is not a Step Functions error{did_you_mean(error, sorted(STATES_ERRORS))}",
                where + (position,),
            )
    if "States.ALL" in retry.errors and len(retry.errors) > 1:
        ctx.report(
            "AP405",
            "`States.ALL` matches every error and must stand alone in `errors`; remove the other errors or it",
            where + (retry.errors.index("States.ALL"),),
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
        last_of_handler = failing[position] and (position == len(branch.steps) - 1 or ends(step))
        if handled(step) and not last_of_handler:
            ctx.report(
                "AP403",
                "`handled` applies to the last step of a failure handler (a step only a `catch` reaches, up to "
                "its `end: true` or the end of the branch); remove it here",
                ctx.at(name, *branch.step_path(position), "handled"),
                True,
            )


def _check_reachable(ctx: CheckContext, name: str, branch: Branch) -> None:
    """After a step with `end: true`, a step runs only if some `catch` of the branch jumps to it."""
    catch_targets = {catch_of(step) for step in branch.steps}
    flows_in = True  # whether the previous step continues into this one
    for position, step in enumerate(branch.steps):
        runs = flows_in or branch.names[position] in catch_targets
        if not runs:
            ctx.report(
                "AP405",
                f"step `{branch.names[position]}` is never reached: it follows a step with "
                "`end: true` and no `catch` jumps to it",
                ctx.at(name, *branch.step_path(position)),
            )
        flows_in = runs and not ends(step)
