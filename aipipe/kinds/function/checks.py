"""Rules for functions: the code folder, runtime, handler, memory and timeout limits, reserved environment
names, access prefixes, and the triggers' own rules."""

from __future__ import annotations

from pathlib import Path

from aipipe.clouds.registry import CLOUDS
from aipipe.core.diagnostics import Severity
from aipipe.core.local_paths import ReadableArea
from aipipe.core.suggest import did_you_mean, one_of
from aipipe.kinds.function.entry import check_python_entry
from aipipe.kinds.function.links import links
from aipipe.kinds.function.model import Function
from aipipe.kinds.function.options import check_options
from aipipe.kinds.function.secrets import check_secret_variables
from aipipe.spec.context import CheckContext
from aipipe.spec.values import format_duration
from aipipe.triggers.base import TriggerUse
from aipipe.triggers.registry import trigger_kind
from aipipe.triggers.uses import check_repeated_triggers, check_same_region, check_wired

# cloud.google.com/run/docs/configuring/max-instances-limits: a baseline regional quota allows "a maximum of
# 1000 instances for a single service"
MAX_INSTANCES_BASELINE = 1000


def check(ctx: CheckContext, name: str, function: Function) -> None:
    """Runtime, handler, code directory, memory/timeout limits, environment names, access prefixes, triggers."""
    folder = check_code_folder(ctx, name, function.code)
    _check_prefixes(ctx, name, function)
    if ctx.cloud is None:
        return  # `cloud` itself is invalid (reported): the per-cloud rules below would only add noise
    cloud = CLOUDS[ctx.cloud]
    _check_runtime(ctx, name, function.runtime)
    check_options(ctx, name, function)
    if ctx.cloud == "gcp":
        check_secret_variables(ctx, name, function)
    if ctx.cloud == "gcp" and (function.max_instances or 0) > MAX_INSTANCES_BASELINE:
        ctx.report(
            "AP402",
            f"`max_instances` {function.max_instances} is above the {MAX_INSTANCES_BASELINE} instances a region's "
            "baseline Cloud Run quota allows for one service; request a regional quota increase first, or use at "
            f"most {MAX_INSTANCES_BASELINE}",
            ctx.at(name, "max_instances"),
            severity=Severity.WARNING,
        )
    pattern, form = cloud.functions.handler_form(function.runtime)
    if not pattern.fullmatch(function.handler):
        ctx.report(
            "AP202",
            f"`handler` on {cloud.name} must have the form {form}, got {function.handler!r}",
            ctx.at(name, "handler"),
        )
    elif ctx.cloud == "gcp" and folder is not None and function.runtime.startswith("python"):
        check_python_entry(ctx, name, folder, function.handler)
    low, high = cloud.functions.memory_mb
    if not low <= function.memory <= high:
        ctx.report(
            "AP402",
            f"`memory` on {cloud.name} must be between {low} and {high} MB, got {function.memory}",
            ctx.at(name, "memory"),
        )
    quota = cloud.functions.new_account_memory_mb
    if quota and quota < function.memory <= high:
        ctx.report(
            "AP402",
            f"`memory` {function.memory} MB is above the {quota} MB a new {cloud.title} account may use: the "
            f"deploy fails until the Lambda memory quota is raised (Service Quotas > AWS Lambda), or use at most "
            f"{quota} MB",
            ctx.at(name, "memory"),
            severity=Severity.WARNING,
        )
    limit = cloud.functions.max_timeout_seconds  # event-triggered Cloud Functions: 9m, a pipeline check (AP504)
    if not 1 <= function.timeout <= limit:
        ctx.report(
            "AP402",
            f"`timeout` on {cloud.name} must be between 1s and {format_duration(limit)}, got "
            f"{format_duration(function.timeout)}",
            ctx.at(name, "timeout"),
        )
    for key in function.environment:
        if key in cloud.functions.reserved_environment or key.startswith(cloud.functions.reserved_environment_prefixes):
            ctx.report(
                "AP403",
                f"`{key}` is reserved by the {cloud.name} runtime; choose another name",
                ctx.at(name, "environment", key),
                True,
            )
    if function.package in ("image", "auto") and not function.runtime.startswith("python"):
        # the image is built on the AWS Lambda Python base image (aipipe.build.image)
        ctx.report(
            "AP403",
            f"`package: {function.package}` builds a container image for Python runtimes only; `{function.runtime}` "
            "ships as a zip (remove `package` or set `package: zip`)",
            ctx.at(name, "package"),
        )
    _check_triggers(ctx, name, function)


def check_code_folder(ctx: CheckContext, name: str, code: str) -> Path | None:
    """The resolved code folder when aipipe may package it (aipipe.core.local_paths: a folder of the repository
    that holds the spec, symlinks resolved, never in `.aipipe/` or `.git/`, never the folder holding the spec's
    `.aipipe/`); else AP400 and None."""
    found = ReadableArea.of(ctx.base_dir).resolve(code, "folder", f"./{name}")
    if isinstance(found, str):
        ctx.report("AP400", f"code directory `{code}` {found}", ctx.at(name, "code"))
        return None
    return found


def _check_prefixes(ctx: CheckContext, name: str, function: Function) -> None:
    for link in links(function):
        if link.prefix and ctx.types.get(link.target, "bucket") != "bucket":
            ctx.report(
                "AP403",
                f"a key prefix (`{link.target}/{link.prefix}`) only applies to buckets",
                ctx.at(name, *link.path),
            )


def _check_runtime(ctx: CheckContext, name: str, runtime: str) -> None:
    cloud = CLOUDS[ctx.cloud]
    available = cloud.runtimes
    path = ctx.at(name, "runtime")
    # retirement wins over the table of what runs: a decommissioned runtime cannot be deployed anew
    if runtime in cloud.retired_runtimes:
        ctx.report("AP401", f"runtime `{runtime}` is retired; use `{cloud.retired_runtimes[runtime]}`", path)
        return
    if runtime in available:
        return
    if any(runtime in other.runtimes for other in CLOUDS.values()):
        ctx.report("AP401", f"runtime `{runtime}` is not available on {cloud.name}; it has {one_of(available)}", path)
        return
    ctx.report(
        "AP401",
        f"unknown runtime `{runtime}`{did_you_mean(runtime, available)}; {cloud.name} has {one_of(available)}",
        path,
    )


def trigger_uses(name: str, function: Function) -> list[TriggerUse]:
    """Each trigger of the function, with where it is."""
    return [TriggerUse(name, position, trigger, function) for position, trigger in enumerate(function.triggers)]


def _check_triggers(ctx: CheckContext, name: str, function: Function) -> None:
    uses = trigger_uses(name, function)
    for use in uses:
        # a trigger with no wiring to a function on this cloud (a table's stream on gcp) is refused here, not
        # left to fail while the program renders
        if check_wired(ctx, use, "function", "remove it"):
            trigger_kind(use.trigger).check(ctx, use)
            check_same_region(ctx, use, "function")
    check_repeated_triggers(ctx, uses, "function")
    kinds_of_invocation = {trigger_kind(use.trigger).invocation.get(ctx.cloud or "") for use in uses}
    if function.on_failure is not None and not kinds_of_invocation & {"async", "poll"}:
        ctx.report(
            "AP403",
            "`on_failure` applies to events from bucket, topic, schedule and stream triggers, and this function "
            "has none (a workflow's failed step goes to its `catch`); remove it",
            ctx.at(name, "on_failure"),
            True,
            severity=Severity.WARNING,
        )
    if ctx.cloud == "gcp":
        # a Cloud Function (2nd gen) has one `event_trigger` (cloud.google.com/functions/docs/calling)
        for use in [use for use in uses if trigger_kind(use.trigger).eventarc][1:]:
            ctx.report(
                "AP407", "a Cloud Function has one event trigger; split the work into another function", use.path
            )
        _check_event_and_schedule(ctx, uses)


def _check_event_and_schedule(ctx: CheckContext, uses: list[TriggerUse]) -> None:
    """A Cloud Function with an event trigger is deployed with the CloudEvent signature, and Cloud Scheduler
    sends a plain HTTP POST, which a CloudEvent function refuses. Checked with functions-framework 3.10.2
    (create_app(target, "main.py", "cloudevent") and Flask's test client): an empty POST gets 415, a JSON POST
    400 "Function was defined with FUNCTION_SIGNATURE_TYPE=cloudevent but parsing CloudEvent failed", a binary
    CloudEvent (ce-* headers) 200. Scheduler cannot send the event instead: a function has one event trigger."""
    event = next((use for use in uses if trigger_kind(use.trigger).eventarc), None)
    if event is None:
        return
    for use in uses:
        if trigger_kind(use.trigger).key == "schedule":
            ctx.report(
                "AP407",
                "a Cloud Function with an event trigger runs as a CloudEvent function, and Cloud Scheduler sends a "
                "plain HTTP request, which such a function refuses (HTTP 400/415); put the schedule on another "
                "function (two functions may share the code folder, each with its own handler)",
                use.path,
            )
