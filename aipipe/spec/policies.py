"""Pipeline policy checks: mistakes that validate fine but cost money or data once deployed.

Each check is a class with a stable code, a severity, and the text that docs/checks.md is generated from,
so the documentation cannot drift from the code. A resource suppresses a check with `ignore: [CODE]`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from aipipe.core.diagnostics import Severity
from aipipe.core.locations import DataPath
from aipipe.spec.check_graph import find_cycles
from aipipe.spec.context import CheckContext
from aipipe.spec.function import BucketTrigger, Function, StreamTrigger, TopicTrigger
from aipipe.spec.links import links_of
from aipipe.spec.messaging import Subscription
from aipipe.spec.references import parse_references
from aipipe.spec.storage import Bucket
from aipipe.spec.transfer import Dataflow
from aipipe.spec.values import format_duration
from aipipe.spec.workflow import ParallelStep, TaskStep, Workflow

SCRATCH_PREFIXES = {"tmp", "temp", "scratch", "staging", "output", "outputs"}
GCP_EVENT_TIMEOUT = 540  # seconds: the most an event-triggered Cloud Function may run


@dataclass(frozen=True)
class Finding:
    """A policy finding: which resource (for `ignore`), where, and what to say."""

    resource: str
    path: DataPath
    message: str
    at_key: bool = False
    severity: Severity | None = None  # when a check's findings differ in severity


class PolicyCheck:
    """A check over a whole spec. Subclasses set the class attributes and implement `findings`."""

    code = ""
    severity = Severity.WARNING
    title = ""
    why = ""
    fix = ""

    def findings(self, ctx: CheckContext) -> Iterator[Finding]:
        raise NotImplementedError


def _overlap(a: str, b: str) -> bool:
    """Whether two key prefixes can name the same object ('' is the whole bucket)."""
    return a.startswith(b) or b.startswith(a)


class RecursiveInvocation(PolicyCheck):
    code = "AP501"
    severity = Severity.ERROR
    title = "functions trigger themselves through a bucket"
    why = ("A function that writes into the bucket (and prefix) whose object-created events trigger it invokes "
           "itself again with every write, directly or through other functions. The loop runs, and is billed, "
           "until someone notices.")
    fix = ("Write to another bucket, or give the trigger and the write prefixes that cannot overlap "
           "(`triggers: [{bucket: raw, prefix: in/}]` with `writes: [raw/out/]`).")

    def findings(self, ctx):
        functions = {n: r for n, r in ctx.checkable().items() if isinstance(r, Function)}
        edges: dict[str, set[str]] = {name: set() for name in functions}
        first_write: dict[tuple[str, str], DataPath] = {}
        for name, function in functions.items():
            for link in links_of(name, function):
                if link.role != "writes" or ctx.types.get(link.target) != "bucket":
                    continue
                for other, candidate in functions.items():
                    for trigger in candidate.triggers:
                        if (isinstance(trigger, BucketTrigger) and trigger.bucket == link.target
                                and "created" in trigger.events and _overlap(link.prefix, trigger.prefix or "")):
                            edges[name].add(other)
                            first_write.setdefault((name, other), ctx.at(name, *link.path))
        for cycle in find_cycles(edges):
            start = cycle[0]
            following = cycle[1] if len(cycle) > 1 else start
            loop = " → ".join(cycle + [start])
            yield Finding(start, first_write[(start, following)],
                          f"recursive invocation: {loop} (each write creates objects that trigger the next function)")


class SubscriptionWithoutDeadLetter(PolicyCheck):
    code = "AP502"
    title = "a subscription has no dead letter"
    why = ("A message that always fails is redelivered until its retention runs out: it blocks or slows "
           "consumers and is lost in the end, with nothing left to inspect.")
    fix = "Add `dead_letter: {max_attempts: 5}`: failed messages move to a dead-letter topic/queue you can inspect."

    def findings(self, ctx):
        for name, resource in ctx.checkable().items():
            if isinstance(resource, Subscription) and resource.dead_letter is None:
                yield Finding(name, ctx.at(name), f"subscription `{name}` has no dead letter", at_key=True)


class TaskWithoutRetry(PolicyCheck):
    code = "AP503"
    title = "a workflow task has no retry"
    why = ("Lambda invocations fail transiently (throttling, cold-start timeouts, service errors). Without a "
           "retry, one such blip fails the whole workflow run.")
    fix = "Give the step `retry: {attempts: 3, interval: 2s, backoff: 2}`."

    def findings(self, ctx):
        for name, resource in ctx.checkable().items():
            if isinstance(resource, Workflow):
                yield from self._steps(ctx, name, resource.steps, ("steps",))

    def _steps(self, ctx, name, steps, path):
        for position, step in enumerate(steps):
            here = path + (position,)
            if isinstance(step, ParallelStep):
                for branch_position, branch in enumerate(step.parallel):
                    yield from self._steps(ctx, name, branch, here + ("parallel", branch_position))
            elif not (isinstance(step, TaskStep) and step.retry):
                function = step if isinstance(step, str) else step.function
                yield Finding(name, ctx.at(name, *here), f"the step running `{function}` has no retry")


class TimeoutBeyondSource(PolicyCheck):
    code = "AP504"
    severity = Severity.ERROR
    title = "a function may run longer than its source allows"
    why = ("An event-triggered Cloud Function may run at most 9 minutes (an error: GCP refuses it). A function "
           "consuming a subscription should finish before the message's acknowledgement deadline (SQS visibility "
           "timeout), or the message is delivered again while it is still being processed: duplicate work and "
           "writes (a warning).")
    fix = "Lower the function's `timeout`, or raise the subscription's `ack_deadline` above it."

    def findings(self, ctx):
        for name, function in ctx.checkable().items():
            if not isinstance(function, Function):
                continue
            event = any(isinstance(t, (BucketTrigger, TopicTrigger)) for t in function.triggers)
            if ctx.cloud == "gcp" and event and function.timeout > GCP_EVENT_TIMEOUT:
                yield Finding(name, ctx.at(name, "timeout"),
                              f"`timeout` {format_duration(function.timeout)} exceeds the 9m an event-triggered Cloud "
                              "Function may run")
            for link in links_of(name, function):
                subscription = ctx.checkable().get(link.target)
                if link.role == "reads" and isinstance(subscription, Subscription):
                    deadline = subscription.ack_deadline or (30 if ctx.cloud == "aws" else 10)
                    if function.timeout > deadline:
                        yield Finding(name, ctx.at(name, *link.path),
                                      f"`{name}` may run {format_duration(function.timeout)} but messages of "
                                      f"`{link.target}` are redelivered after {format_duration(deadline)} "
                                      "(`ack_deadline`)", severity=Severity.WARNING)
            for position, trigger in enumerate(function.triggers):
                stream = ctx.checkable().get(getattr(trigger, "stream", ""))
                if isinstance(trigger, StreamTrigger) and stream is not None and function.timeout >= stream.retention:
                    yield Finding(name, ctx.at(name, "triggers", position),
                                  f"`{name}` may run longer than `{trigger.stream}` keeps records",
                                  severity=Severity.WARNING)


class ScratchWithoutLifecycle(PolicyCheck):
    code = "AP505"
    title = "a bucket holds temporary or output data but has no lifecycle rule"
    why = ("Temporary files, staging data and job outputs pile up: without an expiry rule the bucket grows, and "
           "bills, forever.")
    fix = "Add `lifecycle: {expire_after: 7d}` (or `archive_after` for outputs you keep)."

    def findings(self, ctx):
        scratch: dict[str, str] = {}
        for name, resource in ctx.checkable().items():
            for link in links_of(name, resource):
                head = link.prefix.split("/", 1)[0] if link.prefix else ""
                if link.role == "writes" and head in SCRATCH_PREFIXES:
                    scratch.setdefault(link.target, head + "/")
            if isinstance(resource, Dataflow):
                for text in filter(None, (resource.temp, resource.output)):
                    for reference in parse_references(text):
                        after = text.split(reference.text, 1)[1].lstrip("/").split("/", 1)[0]
                        if reference.kind == "resource" and after in SCRATCH_PREFIXES:
                            scratch.setdefault(reference.target, after + "/")
        for bucket, prefix in scratch.items():
            resource = ctx.checkable().get(bucket)
            if isinstance(resource, Bucket) and resource.lifecycle is None and not resource.existing:
                yield Finding(bucket, ctx.at(bucket), f"bucket `{bucket}` holds `{prefix}` data but has no lifecycle "
                              "rule", at_key=True)


class DataflowTempOutsideSpec(PolicyCheck):
    code = "AP506"
    title = "a Dataflow job's temp location is not in a bucket of the spec"
    why = ("aipipe grants the job's worker account access only to buckets of the spec, and only those get "
           "lifecycle rules and cleanup; a temp location elsewhere needs grants you manage by hand.")
    fix = 'Point `temp` at a bucket of the spec: `temp: "${staging.url}/temp/"`.'

    def findings(self, ctx):
        for name, job in ctx.checkable().items():
            if isinstance(job, Dataflow):
                references = [r for r in parse_references(job.temp) if r.kind == "resource"]
                if not any(ctx.types.get(r.target) == "bucket" for r in references):
                    yield Finding(name, ctx.at(name, "temp"), f"`temp` of `{name}` is outside the spec's buckets")


class StatefulNotRetained(PolicyCheck):
    code = "AP507"
    title = "a bucket is deleted with the stack and not protected"
    why = ("With `retain_on_destroy: false`, `aipipe destroy` deletes the bucket; with no `protect`, nothing stops "
           "it. Fine for scratch data, a disaster for a training set.")
    fix = "Keep the default `retain_on_destroy: true`, or set `protect: true` where the data matters."

    def findings(self, ctx):
        for name, resource in ctx.checkable().items():
            if isinstance(resource, Bucket) and not resource.existing and not resource.retain_on_destroy \
                    and not resource.protect:
                yield Finding(name, ctx.at(name, "retain_on_destroy"),
                              f"bucket `{name}` is deleted by `aipipe destroy` and not protected", at_key=True)


CHECKS: tuple[PolicyCheck, ...] = (RecursiveInvocation(), SubscriptionWithoutDeadLetter(), TaskWithoutRetry(),
                                   TimeoutBeyondSource(), ScratchWithoutLifecycle(), DataflowTempOutsideSpec(),
                                   StatefulNotRetained())
POLICY_CODES = {check.code: check for check in CHECKS}


def run_policies(ctx: CheckContext) -> None:
    """Report every finding, except those the resource suppresses with `ignore: [CODE]`."""
    resources = ctx.checkable()
    for check in CHECKS:
        for finding in check.findings(ctx):
            resource = resources.get(finding.resource)
            if resource is not None and check.code in resource.ignore:
                continue
            ctx.report(check.code, f"{finding.message}. {check.fix} (or `ignore: [{check.code}]`)", finding.path,
                       at_key=finding.at_key, severity=finding.severity or check.severity)


def checks_markdown() -> str:
    """docs/checks.md: every policy check, generated from the classes above."""
    parts = ["# Pipeline checks\n\n",
             "`aipipe validate` runs these after the spec itself is valid. Errors fail validation; warnings fail it "
             "only with `--strict`. Suppress a check for one resource with `ignore: [CODE]` on that resource.\n",
             "Generated from `aipipe/spec/policies.py` (`python -m aipipe.offline.docs`).\n"]
    for check in CHECKS:
        parts.append(f"\n## {check.code} — {check.title}\n\n*Severity:* {check.severity.value}\n\n"
                     f"**Why it matters.** {check.why}\n\n**How to fix it.** {check.fix}\n\n"
                     f"**How to suppress it.** On the resource: `ignore: [{check.code}]`.\n")
    return "".join(parts)
