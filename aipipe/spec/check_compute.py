"""Cross-field rules for the types that run or move data: function, workflow, replication, dataflow."""

from __future__ import annotations

import re
from pathlib import PurePath

from aipipe.spec.catalogue import DATAFLOW_TEMPLATES, RETIRED_RUNTIMES, RUNTIMES
from aipipe.spec.context import CheckContext
from aipipe.spec.function import BucketTrigger, Function, ScheduleTrigger
from aipipe.spec.links import links_of
from aipipe.spec.storage import Bucket
from aipipe.spec.transfer import Dataflow, Replication
from aipipe.spec.values import format_duration
from aipipe.spec.workflow import ParallelStep, Workflow, step_name
from aipipe.core.suggest import did_you_mean, one_of

_MEMORY_LIMITS = {"aws": (128, 10240), "gcp": (128, 32768)}
_MODULE_FUNCTION = re.compile(r"^[A-Za-z_][\w/.-]*\.[A-Za-z_$][\w$]*$")
_JAVA_HANDLER = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*(::[A-Za-z_$][\w$]*)?$")
_GCP_ENTRY_POINT = re.compile(r"^[A-Za-z_$][\w$.]*$")
_RESERVED_ENVIRONMENT = {
    "aws": {"_HANDLER", "_X_AMZN_TRACE_ID", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "AWS_REGION",
            "AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API"},
    "gcp": {"PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION", "FUNCTION_TARGET", "FUNCTION_SIGNATURE_TYPE"},
}
_RESERVED_PREFIXES = {"aws": ("AWS_LAMBDA_",), "gcp": ("X_GOOGLE_",)}


def check_function(ctx: CheckContext, name: str, function: Function) -> None:
    """Runtime, handler, code directory, memory/timeout limits, environment names, access prefixes."""
    _check_code_directory(ctx, name, function.code)
    _check_prefixes(ctx, name, function)
    cloud = ctx.cloud
    if cloud is None:
        return  # `cloud` itself is invalid (reported): the per-cloud rules below would only add noise
    _check_runtime(ctx, name, function.runtime, cloud)
    if cloud == "gcp":
        pattern, form = _GCP_ENTRY_POINT, "a function name (e.g. `main`)"
    elif function.runtime.startswith("java"):
        pattern, form = _JAVA_HANDLER, "`package.Class::method` (e.g. `example.Handler::handleRequest`)"
    else:
        pattern, form = _MODULE_FUNCTION, "`module.function` (e.g. `app.handler`)"
    if not pattern.fullmatch(function.handler):
        ctx.report("AP202", f"`handler` on {cloud} must have the form {form}, got {function.handler!r}",
                   ctx.at(name, "handler"))
    low, high = _MEMORY_LIMITS[cloud]
    if not low <= function.memory <= high:
        ctx.report("AP402", f"`memory` on {cloud} must be between {low} and {high} MB, got {function.memory}",
                   ctx.at(name, "memory"))
    limit = 900 if cloud == "aws" else 3600  # event-triggered Cloud Functions: 9m, a pipeline check (AP504)
    if not 1 <= function.timeout <= limit:
        ctx.report("AP402", f"`timeout` on {cloud} must be between 1s and {format_duration(limit)}, got "
                   f"{format_duration(function.timeout)}", ctx.at(name, "timeout"))
    for key in function.environment:
        if key in _RESERVED_ENVIRONMENT[cloud] or key.startswith(_RESERVED_PREFIXES[cloud]):
            ctx.report("AP403", f"`{key}` is reserved by the {cloud} runtime; choose another name",
                       ctx.at(name, "environment", key), True)
    _check_triggers(ctx, name, function, cloud)


def _check_code_directory(ctx: CheckContext, name: str, code: str) -> None:
    """`code` is a directory strictly inside the spec's folder, symlinks resolved, outside `.aipipe/`.

    Whatever `code` names is packaged and uploaded to the cloud, so a spec from a pull request must not be
    able to point it at /etc, at $HOME, or at the folder holding aipipe's state and passphrase."""
    path = ctx.at(name, "code")
    folder = ctx.base_dir
    if PurePath(code).is_absolute() or not code.strip():
        ctx.report("AP400", f"`code` must be a folder relative to the spec file, such as ./{name}", path)
        return
    try:
        resolved = (folder / code).resolve()
        exists, is_dir = resolved.exists(), resolved.is_dir()
    except (OSError, RuntimeError) as error:  # too long, not permitted, symlink loop
        ctx.report("AP400", f"code directory `{code}` cannot be read: {getattr(error, 'strerror', None) or error}", path)
        return
    if resolved == folder or folder not in resolved.parents:
        ctx.report("AP400", f"code directory `{code}` must be inside the spec's folder ({folder}), not the folder "
                   "itself or outside it (symlinks are followed)", path)
    elif ".aipipe" in resolved.relative_to(folder).parts:
        ctx.report("AP400", "`code` cannot point into `.aipipe/`, which holds aipipe's state and secrets", path)
    elif not is_dir:
        what = "is a file, not a directory" if exists else "does not exist"
        ctx.report("AP400", f"code directory `{code}` {what} (resolved against the spec's folder: {resolved})", path)


def _check_prefixes(ctx: CheckContext, name: str, function: Function) -> None:
    for link in links_of(name, function):
        if link.prefix and ctx.types.get(link.target, "bucket") != "bucket":
            ctx.report("AP403", f"a key prefix (`{link.target}/{link.prefix}`) only applies to buckets",
                       ctx.at(name, *link.path))


def _check_runtime(ctx: CheckContext, name: str, runtime: str, cloud: str) -> None:
    available = RUNTIMES[cloud]
    if runtime in available:
        return
    path = ctx.at(name, "runtime")
    if runtime in RETIRED_RUNTIMES:
        ctx.report("AP401", f"runtime `{runtime}` is retired; use `{RETIRED_RUNTIMES[runtime]}`", path)
        return
    other = "gcp" if cloud == "aws" else "aws"
    if runtime in RUNTIMES[other]:
        ctx.report("AP401", f"runtime `{runtime}` is not available on {cloud}; it has {one_of(available)}", path)
        return
    ctx.report("AP401", f"unknown runtime `{runtime}`{did_you_mean(runtime, available)}; {cloud} has "
               f"{one_of(available)}", path)


def _check_triggers(ctx: CheckContext, name: str, function: Function, cloud: str) -> None:
    if cloud == "gcp":
        event_triggers = [p for p, t in enumerate(function.triggers) if not isinstance(t, ScheduleTrigger)]
        for position in event_triggers[1:]:
            ctx.report("AP407", "a Cloud Function has one event trigger; split the work into another function",
                       ctx.at(name, "triggers", position))
        for position, trigger in enumerate(function.triggers):
            if isinstance(trigger, BucketTrigger):
                for field_name in ("prefix", "suffix"):
                    if getattr(trigger, field_name) is not None:
                        ctx.report("AP407", f"`{field_name}` is not supported on gcp (Eventarc filters Cloud "
                                   "Storage events by bucket only); filter object names in your handler",
                                   ctx.at(name, "triggers", position, field_name), True)
                if len(trigger.events) > 1:
                    ctx.report("AP407", "on gcp one trigger takes one event type; use two functions for "
                               "created and deleted", ctx.at(name, "triggers", position, "events"))


MAX_NOTIFICATIONS_PER_BUCKET = 100


def check_bucket_notifications(ctx: CheckContext) -> None:
    """S3 refuses notification configurations on one bucket whose event, prefix and suffix overlap."""
    if ctx.cloud != "aws":
        return
    by_bucket: dict[str, list[tuple[set[str], str, str, tuple]]] = {}
    for name, resource in ctx.checkable().items():
        if isinstance(resource, Function):
            for position, trigger in enumerate(resource.triggers):
                if isinstance(trigger, BucketTrigger):
                    by_bucket.setdefault(trigger.bucket, []).append(
                        (set(trigger.events), trigger.prefix or "", trigger.suffix or "",
                         ctx.at(name, "triggers", position)))
    for bucket, configurations in by_bucket.items():
        if len(configurations) > MAX_NOTIFICATIONS_PER_BUCKET:
            ctx.report("AP407", f"bucket `{bucket}` has {len(configurations)} triggers; aipipe supports at most "
                       f"{MAX_NOTIFICATIONS_PER_BUCKET} per bucket", configurations[-1][3])
            continue
        for index, (events, prefix, suffix, path) in enumerate(configurations):
            for other_events, other_prefix, other_suffix, other_path in configurations[:index]:
                if (events & other_events
                        and (prefix.startswith(other_prefix) or other_prefix.startswith(prefix))
                        and (suffix.endswith(other_suffix) or other_suffix.endswith(suffix))):
                    ctx.report("AP407", f"this trigger overlaps the one of `{other_path[1]}` on bucket `{bucket}` "
                               "(same event, overlapping prefix and suffix); S3 rejects overlapping "
                               "notifications: make the prefixes or suffixes disjoint", path)
                    break  # one report per trigger is enough


def check_workflow(ctx: CheckContext, name: str, workflow: Workflow) -> None:
    """State names are unique across the machine; `catch` names a step of the same branch."""
    names: dict[str, tuple] = {}
    _check_steps(ctx, name, workflow.steps, ("steps",), names)


def _check_steps(ctx: CheckContext, name: str, steps: list, path: tuple, names: dict,
                 positions: tuple[int, ...] = ()) -> None:
    branch_names = [step_name(step, positions + (p,)) for p, step in enumerate(steps)]
    for position, step in enumerate(steps):
        here = ctx.at(name, *path, position)
        state = branch_names[position]
        if state in names:
            ctx.report("AP405", f"step name `{state}` is used twice in this workflow (state names must be "
                       "unique); give one of them a `name`", here)
        names[state] = here
        catch = getattr(step, "catch", None)
        if catch is not None:
            if catch == state:
                ctx.report("AP405", "a step cannot catch into itself", here + ("catch",))
            elif catch not in branch_names:
                ctx.report("AP405", f"`catch` names `{catch}`, which is not a step of the same branch"
                           f"{did_you_mean(catch, branch_names)}", here + ("catch",))
        if isinstance(step, ParallelStep):
            for branch_position, branch in enumerate(step.parallel):
                _check_steps(ctx, name, branch, path + (position, "parallel", branch_position), names,
                             positions + (position, branch_position))
    _check_reachable(ctx, name, steps, path, branch_names)


def _check_reachable(ctx: CheckContext, name: str, steps: list, path: tuple, branch_names: list[str]) -> None:
    """After a step with `end: true`, a step runs only if some `catch` of the branch jumps to it."""
    catch_targets = {getattr(step, "catch", None) for step in steps}
    flows_in = True  # whether the previous step continues into this one
    for position, step in enumerate(steps):
        runs = flows_in or branch_names[position] in catch_targets
        if not runs:
            ctx.report("AP405", f"step `{branch_names[position]}` is never reached: it follows a step with "
                       "`end: true` and no `catch` jumps to it", ctx.at(name, *path, position))
        flows_in = runs and not getattr(step, "end", False)


def check_replication(ctx: CheckContext, name: str, replication: Replication) -> None:
    """Source and destination differ; S3 replication needs versioning; DataSync-only options stay there."""
    if replication.source == replication.destination:
        ctx.report("AP406", "`source` and `destination` are the same bucket", ctx.at(name, "destination"))
    if replication.method == "s3" and not ctx.was_dropped(name, "method"):
        for field_name in ("schedule", "overwrite", "verify"):
            if getattr(replication, field_name) is not None:
                ctx.report("AP403", f"`{field_name}` applies only to `method: datasync` (S3 replication is "
                           "continuous)", ctx.at(name, field_name), True)
        for field_name in ("source", "destination"):
            bucket = ctx.checkable().get(getattr(replication, field_name))
            if isinstance(bucket, Bucket) and not bucket.existing and not bucket.versioning:
                ctx.report("AP406", f"S3 replication needs versioning on the {field_name} bucket "
                           f"`{getattr(replication, field_name)}`; remove `versioning: false` there or use "
                           "`method: datasync`", ctx.at(name, field_name))


def check_dataflow(ctx: CheckContext, name: str, job: Dataflow) -> None:
    """The template exists, the input has a kind the template reads, and locations are Cloud Storage."""
    if job.template.startswith("gs://"):
        if not re.fullmatch(r"gs://[a-z0-9._-]+/\S+", job.template):
            ctx.report("AP408", f"`template` {job.template!r} is not a gs://bucket/path", ctx.at(name, "template"))
    elif job.template not in DATAFLOW_TEMPLATES:
        ctx.report("AP408", f"unknown Dataflow template `{job.template}`{did_you_mean(job.template, DATAFLOW_TEMPLATES)};"
                   f" use {one_of(DATAFLOW_TEMPLATES)} or a gs:// template path", ctx.at(name, "template"))
    else:
        template = DATAFLOW_TEMPLATES[job.template]
        if job.input is None and not ctx.was_dropped(name, "input"):
            ctx.report("AP408", f"template `{job.template}` needs `input` (a {one_of(template.paths)})",
                       ctx.at(name), True)
        elif ctx.types.get(job.input) in ("topic", "subscription") and ctx.types[job.input] not in template.paths:
            ctx.report("AP408", f"template `{job.template}` reads a {one_of(template.paths)}, but `{job.input}` is "
                       f"a {ctx.types[job.input]}", ctx.at(name, "input"))
        if job.output is None and not ctx.was_dropped(name, "output"):
            ctx.report("AP408", f"template `{job.template}` needs `output` ({template.output_parameter})",
                       ctx.at(name), True)
    if not (job.temp.startswith("gs://") or re.match(r"\$\{[a-z][a-z0-9-]*\.url\}", job.temp)):
        ctx.report("AP408", "`temp` must be a Cloud Storage location: gs://… or \"${bucket.url}/temp/\"",
                   ctx.at(name, "temp"))

