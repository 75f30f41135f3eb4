"""The delivery engine of `aipipe run`: apply the user's inputs to the local cloud, then deliver everything that
happens — to every trigger that takes it, with the cloud's batching, retries and dead letters — until nothing is
left to deliver.

Routing uses the rules the renderer configures the cloud with: each trigger kind's `takes` (bucket events,
prefixes and suffixes: aipipe.triggers.bucket), the subscriptions' filters (aipipe.semantics.filters) and the
policies of aipipe.local.delivery. Backoffs are never slept: a virtual clock advances by them and the trace
shows them. A depth limit stops a chain of deliveries that loops (the static check is AP501).
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

from aipipe.local.contract import Invoker, LocalCloud, Occurrence, Outcome
from aipipe.local.delivery import ASYNC, ENQUEUE, ONCE, PUBSUB, SQS, STREAM, WORKFLOW, Policy, policy_for
from aipipe.local.engine_batches import poll
from aipipe.local.engine_inputs import Fire, Input, Limits, Publish, Put, Start, not_run_locally
from aipipe.local.engine_steps import Cause, Pending, cycle_of, ending, from_outcome, trigger_label
from aipipe.local.trace import KEPT, STOPPED, DeadLetter, RunResult, TraceEntry, json_line
from aipipe.local.values import resolved_use
from aipipe.semantics.filters import delivers
from aipipe.triggers.base import TriggerUse
from aipipe.triggers.registry import trigger_kind
from aipipe.triggers.uses import uses_of

__all__ = ["Cause", "Engine", "Fire", "Input", "Limits", "Publish", "Put", "Start", "not_run_locally", "run_pipeline"]

# (spec, use, occurrences, cloud) -> the payload the cloud delivers (aipipe.local.events.delivered_event)
EventBuilder = Callable[[Any, TriggerUse, list[Occurrence], LocalCloud], Any]


def run_pipeline(
    spec: Any,
    cloud: LocalCloud,
    invoke: Invoker,
    inputs: list[Input],
    *,
    event_for: EventBuilder | None = None,
    on_trace: Callable[[TraceEntry], None] | None = None,
    limits: Limits | None = None,
) -> RunResult:
    """Apply `inputs` through the local cloud, deliver until nothing is left, and say what happened."""
    if event_for is None:
        from aipipe.local.events import delivered_event  # the invoke helper's module, written beside this one

        event_for = delivered_event
    run = Engine(spec, cloud, invoke, event_for, on_trace or (lambda entry: None), limits or Limits())
    run.result.not_run_locally = not_run_locally(spec, cloud)
    run.apply(inputs)
    run.drain()
    return run.result


class Engine:
    """One local run: a virtual clock, the actions due on it, the poll-based sources' backlogs, the result."""

    def __init__(self, spec, cloud, invoke, event_for, on_trace, limits: Limits):
        self.spec, self.cloud, self.invoke, self.event_for = spec, cloud, invoke, event_for
        self.on_trace, self.limits = on_trace, limits
        self.uses = [
            resolved_use(use, spec, cloud)
            for name, r in spec.resources.items()
            if getattr(r, "triggers", None)
            for use in uses_of(name, r)
        ]
        self.policies: dict[tuple[str, int], Policy] = {}
        self.now = 0.0
        self.started = datetime.now(timezone.utc)
        self.due: list[tuple[float, int, Callable[[], None]]] = []
        self.order = itertools.count()
        self.backlogs: dict[tuple[str, int], list[Pending]] = {}
        self.polls: set[tuple[tuple[str, int], float]] = set()
        self.result = RunResult()

    # the clock and the trace

    def later(self, delay: float, action: Callable[[], None]) -> None:
        """Do `action` `delay` virtual seconds from now."""
        heapq.heappush(self.due, (self.now + delay, next(self.order), action))

    def drain(self) -> None:
        """Do every due action in virtual-time order until none is left."""
        while self.due:
            self.now, _, action = heapq.heappop(self.due)
            action()

    def timestamp(self) -> str:
        """The virtual now as ISO 8601 UTC, for occurrences the engine makes."""
        return (self.started + timedelta(seconds=self.now)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def record(self, entry: TraceEntry) -> None:
        """Add a trace entry and report it."""
        entry = replace(entry, virtual_time=self.now)
        self.result.entries.append(entry)
        self.on_trace(entry)

    def collect(self, cause: Cause) -> None:
        """Route everything the local cloud reports since the last look, as caused by `cause`."""
        for occurrence in self.cloud.occurrences():
            self.route(occurrence, cause)

    # inputs

    def apply(self, inputs: list[Input]) -> None:
        """Apply the user's inputs in order through the local cloud (time 0)."""
        origin = Cause()
        self.collect(origin)  # what happened before the inputs (a stream's records put there beforehand)
        for item in inputs:
            if isinstance(item, Put):
                self.cloud.put_object(item.bucket, item.key, item.data)
            elif isinstance(item, Publish):
                self.cloud.publish(item.topic, item.data, dict(item.attributes))
            elif isinstance(item, Start):
                self.later(
                    0, lambda item=item: self.run_workflow(item.workflow, item.input, "input", "--start", origin)
                )
            else:
                self.route(Occurrence(item.target, "schedule", {"time": self.timestamp()}), origin)
            self.collect(origin)

    # routing

    def source_of(self, use: TriggerUse) -> str:
        """The resource whose occurrences a trigger watches: its source, or its owner for a schedule."""
        kind = trigger_kind(use.trigger)
        return kind.source(use.trigger) or use.owner

    def takers(self, occurrence: Occurrence) -> list[TriggerUse]:
        """The triggers that take an occurrence; of an SQS queue's consumers, the first (they compete)."""
        takers = [
            use
            for use in self.uses
            if self.source_of(use) == occurrence.source
            and trigger_kind(use.trigger).takes(use.trigger, occurrence.kind, occurrence.detail)
        ]
        source = self.spec.resources.get(occurrence.source)
        return takers[:1] if getattr(source, "type", None) == "queue" else takers

    def subscriptions(self, occurrence: Occurrence) -> list[str]:
        """The subscriptions of a topic whose filter takes a message (semantics/filters, as the cloud does)."""
        if occurrence.kind != "message":
            return []
        attributes = occurrence.detail.get("attributes") or {}
        return [
            name
            for name, resource in self.spec.resources.items()
            if resource.type == "subscription"
            and resource.topic == occurrence.source
            and delivers(self.spec.cloud, resource.filter, attributes)
        ]

    def route(self, occurrence: Occurrence, cause: Cause) -> None:
        """Deliver one occurrence to every trigger that takes it (and a topic's message to its subscriptions)."""
        takers, subscriptions = self.takers(occurrence), self.subscriptions(occurrence)
        if (takers or subscriptions) and not self.within_limits(occurrence, cause):
            return
        for name in subscriptions:
            consumed = any(self.source_of(use) == name for use in self.uses)
            if consumed:  # a function's subscription trigger: the message reaches it through the subscription
                self.route(Occurrence(name, occurrence.kind, occurrence.detail), cause.then(occurrence.source))
                continue
            self.record(
                TraceEntry(
                    occurrence.source,
                    name,
                    "subscription",
                    1,
                    KEPT,
                    depth=cause.depth + 1,
                    note="the filter takes it; it waits for pull consumers (none in the spec)",
                )
            )
        source = self.spec.resources.get(occurrence.source)
        if occurrence.kind == "message" and getattr(source, "type", None) == "queue" and not takers:
            self.record(
                TraceEntry(
                    occurrence.source,
                    occurrence.source,
                    "queue",
                    1,
                    KEPT,
                    depth=cause.depth,
                    note="stays in the queue: nothing in the spec consumes it",
                )
            )
        for use in takers:
            self.deliver(use, occurrence, cause.then(occurrence.source))

    def within_limits(self, occurrence: Occurrence, cause: Cause) -> bool:
        """False (and the chain stopped, with the loop named) past the depth or delivery limit."""
        if cause.depth < self.limits.depth and len(self.result.entries) < self.limits.deliveries:
            return True
        path = cause.then(occurrence.source).path
        if cause.depth >= self.limits.depth:
            message = (
                f"stopped after {cause.depth} hops: {cycle_of(path)} keeps triggering itself (a function writes "
                f"where its own trigger fires; `aipipe validate` reports the loops it can see as AP501)"
            )
        else:
            message = f"stopped after {self.limits.deliveries} deliveries in one run (fan-out without end?)"
        if message not in self.result.stopped:
            self.result.stopped.append(message)
        self.record(TraceEntry(occurrence.source, path[-1], "limit", 1, STOPPED, depth=cause.depth, note=message))
        return False

    def policy(self, use: TriggerUse) -> Policy:
        """The delivery policy of a trigger use (computed once)."""
        key = (use.owner, use.position)
        if key not in self.policies:
            self.policies[key] = policy_for(self.spec, use)
        return self.policies[key]

    def deliver(self, use: TriggerUse, occurrence: Occurrence, cause: Cause) -> None:
        """Hand one occurrence to a trigger's target as the trigger's policy says."""
        policy = self.policy(use)
        label = trigger_label(use, occurrence)
        if policy.mode == ENQUEUE:
            self.enqueue(use, occurrence, cause, label)
        elif policy.mode == WORKFLOW:
            self.later(
                0,
                lambda: self.run_workflow(
                    use.owner, self.event_for(self.spec, use, [occurrence], self.cloud), occurrence.source, label, cause
                ),
            )
        elif policy.mode in (ASYNC, ONCE, PUBSUB):
            first = self.now
            self.later(0, lambda: self.attempt(use, policy, occurrence, cause, label, 1, first))
        elif policy.mode in (SQS, STREAM):
            key = (use.owner, use.position)
            self.backlogs.setdefault(key, []).append(Pending(occurrence, cause, visible_at=self.now, arrived=self.now))
            if (key, self.now) not in self.polls:
                self.polls.add((key, self.now))
                self.later(0, lambda: poll(self, use, policy))

    def enqueue(self, use: TriggerUse, occurrence: Occurrence, cause: Cause, label: str) -> None:
        """A bucket or topic event sent to a spec queue: the payload the cloud sends becomes a message there."""
        import json
        import uuid

        payload = self.event_for(self.spec, use, [occurrence], self.cloud)
        data = payload if isinstance(payload, str) else json.dumps(payload)
        message = Occurrence(
            use.owner,
            "message",
            {"data": data, "attributes": {}, "message_id": str(uuid.uuid4()), "time": self.timestamp()},
        )
        self.record(TraceEntry(occurrence.source, use.owner, label, 1, "ok", depth=cause.depth + 1))
        self.route(message, cause.deeper(use.owner))

    # one event, retried

    def attempt(
        self, use, policy: Policy, occurrence, cause: Cause, label: str, number: int, first: float, waited: float = 0.0
    ) -> None:
        """One attempt of an asynchronous (or Eventarc, or one-shot) delivery, and the next one if the cloud
        would make it."""
        outcome = self.invoke(use.owner, self.event_for(self.spec, use, [occurrence], self.cloud))
        if policy.deadline is not None and outcome.ok and outcome.duration_ms > policy.deadline * 1000:
            outcome = replace(
                outcome,
                ok=False,
                error_type="DeadlineExceeded",
                error_message=f"the push request timed out after the subscription's {policy.deadline}s ack_deadline "
                "(the handler ran to its end; Pub/Sub counts the delivery as failed)",
            )
        entry = from_outcome(occurrence.source, use.owner, label, number, outcome, cause.depth + 1, waited)
        if outcome.ok:
            self.record(entry)
        else:
            wait = policy.wait(number)
            ended = ending(policy, number, self.now + wait - first, self.limits)
            if ended is None:
                self.record(entry)
                self.later(wait, lambda: self.attempt(use, policy, occurrence, cause, label, number + 1, first, wait))
            else:
                self.record(replace(entry, dead_letter=policy.dead_letter, note=ended))
                self.result.dead_letters.append(
                    DeadLetter(
                        occurrence.source,
                        use.owner,
                        policy.dead_letter,
                        number,
                        outcome.error_type,
                        dict(occurrence.detail),
                    )
                )
        self.collect(cause.deeper(use.owner))

    # workflows

    def run_workflow(self, workflow: str, input: Any, source: str, label: str, cause: Cause) -> None:
        """Run a workflow to its end on the local cloud, its tasks traced as deliveries."""
        inner = cause.deeper(workflow)
        calls: dict[tuple[str, str], int] = {}  # a step's retries pass the same input: they count as attempts

        def task(function: str, event: Any) -> Outcome:
            attempt = calls[function, json_line(event)] = calls.get((function, json_line(event)), 0) + 1
            outcome = self.invoke(function, event)
            self.record(from_outcome(workflow, function, "task", attempt, outcome, inner.depth + 1))
            self.collect(inner.deeper(function))
            return outcome

        run = self.cloud.start_workflow(workflow, input, task)
        ok = run.status == "SUCCEEDED"
        steps = f"{len(run.steps)} steps" if run.steps else None
        self.record(
            TraceEntry(
                source,
                workflow,
                label,
                1,
                "ok" if ok else "error",
                None if ok else run.status,
                None if ok else ": ".join(part for part in (run.error, run.cause) if part) or None,
                depth=cause.depth + 1,
                note=steps,
            )
        )
        if not ok:
            self.result.failed_workflows.append(f"{workflow}: {run.status}" + (f" ({run.error})" if run.error else ""))
        self.collect(inner)
