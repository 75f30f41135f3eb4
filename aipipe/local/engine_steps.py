"""The pieces of a local run that the engine and its poll-based delivery share: how an occurrence came to be
(`Cause`, for the depth limit), what waits in a queue or stream (`Pending`), when the cloud stops retrying, and
the trace entry of one handler run."""

from __future__ import annotations

from dataclasses import dataclass, replace

from aipipe.local.contract import Occurrence, Outcome
from aipipe.local.delivery import Policy
from aipipe.local.engine_inputs import Limits
from aipipe.local.trace import TraceEntry
from aipipe.triggers.base import TriggerUse
from aipipe.triggers.registry import trigger_kind


@dataclass(frozen=True)
class Cause:
    """How an occurrence came to be: the resources passed through from the input, and the deliveries so far."""

    path: tuple[str, ...] = ()
    depth: int = 0

    def then(self, *names: str) -> Cause:
        """This cause, continued through `names` (a repeat of the last resource is not written twice)."""
        path = self.path
        for name in names:
            if not path or path[-1] != name:
                path += (name,)
        return Cause(path, self.depth)

    def deeper(self, target: str) -> Cause:
        """The cause of what a delivery to `target` makes happen."""
        return replace(self.then(target), depth=self.depth + 1)


@dataclass
class Pending:
    """An occurrence waiting in a poll-based source (an SQS queue, a stream) for one trigger use."""

    occurrence: Occurrence
    cause: Cause
    receives: int = 0
    visible_at: float = 0.0
    arrived: float = 0.0


def cycle_of(path: tuple[str, ...]) -> str:
    """The loop at the end of a path, written out: `raw → preprocess → raw` (the whole path when none repeats)."""
    last = path[-1] if path else "?"
    earlier = [index for index, name in enumerate(path[:-1]) if name == last]
    return " → ".join(path[earlier[-1] :] if earlier else path)


def ending(policy: Policy, number: int, age: float, limits: Limits) -> str | None:
    """Why the cloud makes no attempt after failed attempt `number` (None: it retries), the event's age at the
    next attempt being `age` seconds."""
    if policy.attempts is not None and number >= policy.attempts:
        return f"gave up after {number} attempts: {policy.why}"
    if policy.max_age is not None and age > policy.max_age:
        return f"too old to retry ({age:.0f}s > {policy.max_age}s): {policy.why}"
    if policy.attempts is None and number >= limits.redeliveries:
        return f"stopped locally after {number} attempts: {policy.why}"
    return None


def from_outcome(source, target, label, attempt, outcome: Outcome, depth: int, waited: float = 0.0) -> TraceEntry:
    """The trace entry of one handler run."""
    return TraceEntry(
        source,
        target,
        label,
        attempt,
        "ok" if outcome.ok else "error",
        outcome.error_type,
        outcome.error_message,
        outcome.duration_ms,
        waited=waited,
        depth=depth,
        logs=outcome.logs,
        traceback=outcome.traceback,
    )


def trigger_label(use: TriggerUse, occurrence: Occurrence) -> str:
    """How a delivery is named in the trace: `bucket created data/x.json`, `topic message`, `schedule`."""
    detail = occurrence.detail
    if occurrence.kind == "object":
        return f"bucket {detail.get('event', 'created')} {detail.get('key', '')}".rstrip()
    if occurrence.kind == "schedule":
        return "schedule"
    return f"{trigger_kind(use.trigger).key} {occurrence.kind}"
