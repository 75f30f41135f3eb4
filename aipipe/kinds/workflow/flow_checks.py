"""Rules on how a workflow's steps connect and what they say: every `next`, `default` and `catch` names a step
of the same list, every step is reached, the machine can end, choice conditions are well-formed, JSONPaths and
timestamps have their documented forms, and service tasks carry the fields their service takes."""

from __future__ import annotations

import math
import re
from datetime import datetime

from aipipe.core.diagnostics import Severity
from aipipe.core.suggest import did_you_mean
from aipipe.kinds.workflow.choices import nested, problem
from aipipe.kinds.workflow.model import ChoiceStep, FailStep, MapStep, PassStep, ServiceStep, WaitStep
from aipipe.kinds.workflow.services import CALL_FIELDS, SERVICES, is_path
from aipipe.kinds.workflow.steps import Branch, catch_rules, flow_targets, is_terminal, reachable
from aipipe.spec.context import CheckContext
from aipipe.spec.model import region_of

# docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html: a reference path is `$` (or
# `$$` for the context object) followed by `.name`, `['name']` or `[index]` steps; aipipe accepts that form
# wherever a path goes (it is what every Path field accepts too)
JSONPATH = re.compile(r"^\$\$?(\.[A-Za-z_][A-Za-z0-9_-]*|\['[^'\\]+'\]|\[[0-9]+\])*$")
# docs.aws.amazon.com/step-functions/latest/dg/state-wait.html: RFC 3339, an uppercase T, Z or a numeric offset
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def is_timestamp(text: str) -> bool:
    """An RFC 3339 timestamp of a real time (month 13 or 30 February has the shape but is none)."""
    if not TIMESTAMP.match(text):
        return False
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


PATH_FIELDS = ("input_path", "output_path", "result_path")
SHAPE_FIELDS = ("parameters", "result_selector")


def check_flow(ctx: CheckContext, name: str, branch: Branch) -> None:
    """Targets exist, steps are reached, the branch can end, and each step's own fields are well-formed."""
    names = branch.names
    for position, step in enumerate(branch.steps):
        here = ctx.at(name, *branch.step_path(position))
        _check_targets(ctx, step, names, here)
        _check_step(ctx, step, here)
    _check_reachable(ctx, name, branch)
    _check_ends(ctx, name, branch)


def _check_targets(ctx: CheckContext, step, names: list[str], here) -> None:
    targets = []
    if isinstance(step, ChoiceStep):
        targets += [(("choice", i, "next"), rule.next) for i, rule in enumerate(step.choice)]
        targets += [(("default",), step.default)] if step.default else []
    elif getattr(step, "next", None):
        targets.append((("next",), step.next))
    catch = getattr(step, "catch", None)
    if isinstance(catch, list):
        targets += [(("catch", i, "next"), rule.next) for i, rule in enumerate(catch)]
    for where, target in targets:
        if target not in names:
            ctx.report(
                "AP405",
                f"`{target}` is not a step of the same list of steps (a step goes only to a step beside it)"
                f"{did_you_mean(target, names)}",
                here + where,
            )


def _check_reachable(ctx: CheckContext, name: str, branch: Branch) -> None:
    """A step runs only if the step before continues into it or some `next`, choice or `catch` names it."""
    found = reachable(branch.steps, branch.names)
    for position, state in enumerate(branch.names):
        if state not in found:
            ctx.report(
                "AP405",
                f"step `{state}` is never reached: the step before it does not continue into it (`end: true`, "
                "`next`, a choice or a fail step) and no `next`, choice or `catch` names it",
                ctx.at(name, *branch.step_path(position)),
            )


def _check_ends(ctx: CheckContext, name: str, branch: Branch) -> None:
    """From every step some path leads to an end (a last step, `end: true`, a fail step): otherwise the steps
    loop forever (a standard execution runs up to a year)."""
    names, steps = branch.names, branch.steps
    position_of = {state: p for p, state in reversed(list(enumerate(names)))}
    ending = {names[p] for p in range(len(steps)) if is_terminal(steps, p) or isinstance(steps[p], FailStep)}
    leads: dict[str, set[str]] = {}
    for p, state in enumerate(names):
        leads.setdefault(state, set()).update(flow_targets(steps, names, p), (r.next for r in catch_rules(steps[p])))
    # a step naming a step that does not exist is reported as such; it is not a loop
    can_end = set(ending) | {state for state, targets in leads.items() if targets - set(names)}
    changed = True
    while changed:
        changed = False
        for state, targets in leads.items():
            if state not in can_end and targets & can_end:
                can_end.add(state)
                changed = True
    stuck = [state for state in names if state in reachable(steps, names) and state not in can_end]
    if stuck:
        ctx.report(
            "AP451",
            f"steps {', '.join(f'`{s}`' for s in stuck)} loop forever: no `next`, choice or `catch` among them leads "
            "to a step that ends (the last step, `end: true` or a fail step); add a choice with a way out",
            ctx.at(name, *branch.step_path(position_of[stuck[0]])),
        )


def _check_step(ctx: CheckContext, step, here) -> None:
    if getattr(step, "next", None) and getattr(step, "end", False):
        ctx.report(
            "AP403", "a step with `next` goes on, so it cannot also `end: true`; remove one", here + ("end",), True
        )
    for field in PATH_FIELDS:
        value = getattr(step, field, None)
        if value is not None:
            check_path(ctx, value, here + (field,), writes=field == "result_path")
    for field in SHAPE_FIELDS:
        check_paths_in(ctx, getattr(step, field, None), here + (field,))
    for position, rule in enumerate(catch_rules(step) if isinstance(getattr(step, "catch", None), list) else []):
        check_path(ctx, rule.result_path, here + ("catch", position, "result_path"), writes=True)
    if isinstance(step, ChoiceStep):
        _check_choice(ctx, step, here)
    elif isinstance(step, WaitStep):
        _check_wait(ctx, step, here)
    elif isinstance(step, MapStep):
        check_path(ctx, step.map.items, here + ("map", "items"))
        check_paths_in(ctx, step.map.item_selector, here + ("map", "item_selector"))
    elif isinstance(step, ServiceStep):
        _check_service(ctx, step, here + ("task",))
    elif isinstance(step, PassStep) and step.pass_.result is not None and step.parameters is not None:
        ctx.report("AP403", "a pass step outputs either `result` or `parameters`; remove one", here + ("parameters",))


def check_path(ctx: CheckContext, value: str, where, writes: bool = False) -> None:
    """A JSONPath in the documented form; one a result is written to names a place in the input (not `$$`)."""
    if not JSONPATH.match(value):
        ctx.report(
            "AP452",
            f"`{value}` is not a JSONPath aipipe accepts: `$`, `$.a.b`, `$['a b']`, `$.items[0]` or `$$.Execution.Id`",
            where,
        )
    elif writes and value.startswith("$$"):
        ctx.report("AP452", f"`{value}`: a result is written into the input (`$...`), not the context (`$$`)", where)


def check_paths_in(ctx: CheckContext, value, where) -> None:
    """Every JSONPath string (starting with `$`) inside a parameters-like value."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and key.endswith(".$"):
                ctx.report(
                    "AP452",
                    f"`{key}`: write the key without `.$`; a value starting with `$` is read as a JSONPath already",
                    where + (key,),
                    at_key=True,
                )
            check_paths_in(ctx, item, where + (key,))
    elif isinstance(value, list):
        for position, item in enumerate(value):
            check_paths_in(ctx, item, where + (position,))
    elif is_path(value):
        check_path(ctx, value, where)


def _check_choice(ctx: CheckContext, step: ChoiceStep, here) -> None:
    for position, rule in enumerate(step.choice):
        for path, condition in nested(rule.when):
            where = here + ("choice", position, "when", *path)
            found = problem(condition)
            if found:
                message, field = found
                ctx.report("AP450", message, where + ((field,) if field else ()))
            if condition.variable is not None:
                check_path(ctx, condition.variable, where + ("variable",))
            for field in ("equals", "less_than", "greater_than", "at_most", "at_least"):
                value = getattr(condition, field, None)
                if isinstance(value, float) and not math.isfinite(value):
                    ctx.report("AP450", f"`{value}` is not a number Step Functions compares with", where + (field,))
            for field in ("before", "after"):
                value = getattr(condition, field)
                if value is not None and not is_timestamp(value):
                    ctx.report(
                        "AP452", f"`{value}` is not an RFC 3339 timestamp (`2026-03-14T01:59:00Z`)", where + (field,)
                    )
    if step.default is None:
        ctx.report(
            "AP454",
            "a choice without `default` fails the execution (States.NoChoiceMatched) when no rule holds; name the "
            "step for everything else under `default`",
            here + ("choice",),
            at_key=True,
            severity=Severity.WARNING,
        )


def _check_wait(ctx: CheckContext, step: WaitStep, here) -> None:
    if (step.wait is None) == (step.wait_until is None):
        ctx.report("AP403", "a wait step takes one of `wait` (a duration) or `wait_until` (a time)", here)
    elif step.wait_until is not None:
        if is_path(step.wait_until):
            check_path(ctx, step.wait_until, here + ("wait_until",))
        elif not is_timestamp(step.wait_until):
            ctx.report(
                "AP452",
                f"`{step.wait_until}` is not an RFC 3339 timestamp (`2026-03-14T01:59:00Z`) or a JSONPath (`$.at`)",
                here + ("wait_until",),
            )


def _check_service(ctx: CheckContext, step: ServiceStep, here) -> None:
    """Each service takes its own fields: the ones it needs are there, the others are not."""
    call = step.task
    service = SERVICES[call.service]
    for field in service.required:
        if getattr(call, field) is None:
            ctx.report("AP453", f"`{call.service}` needs `{field}`", here + ("service",))
    for field in CALL_FIELDS:
        if field in call.model_fields_set and field not in service.required + service.optional:
            ctx.report("AP453", f"`{field}` does not apply to `{call.service}`; remove it", here + (field,), True)
    target = ctx.checkable().get(call.workflow) if call.service == "workflow.start" and call.wait else None
    if target is not None and target.type == "workflow" and target.kind == "express":
        # docs.aws.amazon.com/step-functions/latest/dg/concepts-express-synchronous.html: a nested workflow starts
        # an express workflow asynchronously; only StartSyncExecution (API Gateway, Lambda, the SDK) waits for one
        ctx.report(
            "AP453",
            f"`{call.workflow}` is an express workflow, which a workflow can start but not wait for; remove "
            "`wait: true`, or make it `kind: standard`",
            here + ("wait",),
        )
    for field in ("message", "input"):
        if getattr(call, field) is not None:
            check_paths_in(ctx, getattr(call, field), here + (field,))
    queue = ctx.checkable().get(call.queue or "") if call.service == "sqs.send" else None
    if queue is not None and getattr(queue, "fifo", False):
        # docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html: MessageGroupId is
        # required for FIFO queues, which the task does not send
        ctx.report(
            "AP453",
            f"`{call.queue}` is a FIFO queue, which needs a message group id `sqs.send` does not send; send to a "
            "standard queue",
            here + ("queue",),
        )
    if call.service == "glue.start" and call.job and any(mark in call.job for mark in "*?"):
        ctx.report(
            "AP453",
            f"`{call.job}` is a pattern, and the workflow's role would be granted every matching job; name the job",
            here + ("job",),
        )


def check_service_calls(ctx: CheckContext, name: str, workflow, calls) -> None:
    """What a service task may do in this workflow: wait for a job only in a standard workflow, and call a
    topic, queue or workflow of its own region."""
    home = ctx.data.get("region")
    here = region_of(workflow, home)
    for visit in calls:
        call = visit.step.task
        if call.wait and workflow.kind == "express":
            # docs.aws.amazon.com/step-functions/latest/dg/integrate-optimized.html: "Express Workflows only
            # support Request Response integrations" (no Run a Job, .sync)
            ctx.report(
                "AP453",
                "an express workflow cannot wait for a job (`.sync`): Express Workflows only support request-response "
                "integrations; remove `wait: true`, or make this workflow `kind: standard`",
                ctx.at(name, *visit.path, "task", "wait"),
            )
        target = SERVICES[call.service].target
        resource = ctx.checkable().get(getattr(call, target) or "")
        # Step Functions calls services in its own region only (aws/aws-cdk#30061: "it is not officially supported
        # even with AWS SDK integration tasks"; nested workflows too, aws-samples/aws-stepfunctions-examples#53)
        if SERVICES[call.service].target_kinds and resource is not None and region_of(resource, home) != here:
            there = region_of(resource, home)
            ctx.report(
                "AP453",
                f"`{getattr(call, target)}` is in {there} and this workflow in {here}: Step Functions calls services "
                f"in its own region only; give the workflow `region: {there}`, or put both in one",
                ctx.at(name, *visit.path, "task", target),
            )
