"""Poll-based delivery (aws event source mappings): SQS queues and Kinesis/DynamoDB streams, read in batches of
the trigger's `batch_size`, with partial batch responses, SQS redelivery after the visibility timeout up to the
redrive's maxReceiveCount, and stream retries with bisection (aipipe.local.delivery cites the rules)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aipipe.local.contract import Occurrence, Outcome
from aipipe.local.delivery import SQS, Policy
from aipipe.local.engine_steps import Pending, ending, from_outcome
from aipipe.local.trace import DeadLetter
from aipipe.triggers.base import TriggerUse

Engine = Any  # aipipe.local.engine.Engine, which imports this module

# the detail key a batchItemFailures itemIdentifier names: an SQS message id, a stream record's sequence number
ITEM_KEYS = {"message": "message_id", "record": "sequence_number", "change": "sequence_number"}


def batches(items: list, size: int) -> list[list]:
    """`items` in consecutive batches of at most `size`."""
    return [items[start : start + size] for start in range(0, len(items), size)]


def failed_items(outcome: Outcome, batch: list[Pending], partial: bool) -> list[Pending]:
    """The items of a batch the cloud delivers again: all on an error; on success with partial batch responses,
    those the handler lists in `batchItemFailures` (for a stream, from the first listed one on)."""
    if not outcome.ok:
        return list(batch)
    if not partial or not isinstance(outcome.value, dict):
        return []
    listed = {
        str(item.get("itemIdentifier"))
        for item in outcome.value.get("batchItemFailures") or []
        if isinstance(item, dict)
    }
    if not listed:
        return []
    keys = [str(p.occurrence.detail.get(ITEM_KEYS.get(p.occurrence.kind, "message_id"))) for p in batch]
    if batch[0].occurrence.kind == "message":
        return [p for p, key in zip(batch, keys, strict=True) if key in listed]
    first = min((index for index, key in enumerate(keys) if key in listed), default=len(batch))
    return list(batch[first:])  # a stream checkpoints before the first failed record and retries from it


def poll(engine: Engine, use: TriggerUse, policy: Policy) -> None:
    """Read what is visible in the source now, in batches, and deliver each."""
    key = (use.owner, use.position)
    engine.polls.discard((key, engine.now))
    backlog = engine.backlogs.get(key, [])
    visible = [p for p in backlog if p.visible_at <= engine.now]
    engine.backlogs[key] = [p for p in backlog if p.visible_at > engine.now]
    for batch in batches(visible, policy.batch_size):
        if policy.mode == SQS:
            _sqs_batch(engine, use, policy, batch)
        else:
            _stream_batch(engine, use, policy, batch, policy.attempts or 1, 1)


def _deliver(engine: Engine, use: TriggerUse, batch: list[Pending], attempt: int, waited: float = 0.0):
    # an SQS message carries how often it has been received (ApproximateReceiveCount, a new receipt handle each time)
    occurrences = [
        replace(p.occurrence, detail={**p.occurrence.detail, "receive_count": p.receives})
        if p.receives
        else p.occurrence
        for p in batch
    ]
    outcome = engine.invoke(use.owner, engine.event_for(engine.spec, use, occurrences, engine.cloud))
    cause = batch[0].cause
    label = f"{batch[0].occurrence.source} batch of {len(batch)}"
    return outcome, from_outcome(
        batch[0].occurrence.source, use.owner, label, attempt, outcome, cause.depth + 1, waited
    )


def _sqs_batch(engine: Engine, use: TriggerUse, policy: Policy, batch: list[Pending]) -> None:
    """One receive of a batch: failed messages return after the visibility timeout, or move to the dead-letter
    queue at maxReceiveCount (or are dropped once the local redelivery cap stands in for the retention)."""
    for pending in batch:
        pending.receives += 1
    attempt = max(p.receives for p in batch)
    outcome, entry = _deliver(engine, use, batch, attempt, policy.visibility if attempt > 1 else 0.0)
    failed = failed_items(outcome, batch, policy.partial)
    if outcome.ok and failed:
        entry = replace(
            entry,
            outcome="error",
            error_type="batchItemFailures",
            error_message=f"{len(failed)} of {len(batch)} messages failed",
        )
    returned, gone = [], []
    for pending in failed:
        why = ending(policy, pending.receives, engine.now + policy.visibility - pending.arrived, engine.limits)
        (returned if why is None else gone).append((pending, why))
    if gone:
        entry = replace(entry, dead_letter=policy.dead_letter, note=gone[0][1])
    engine.record(entry)
    cause = batch[0].cause.deeper(use.owner)
    engine.collect(cause)
    for pending, _ in gone:
        _dead_letter(engine, use, policy, pending, pending.receives, entry.error_type)
        if policy.dead_letter:  # moved when it would be received once more; a spec queue, whose consumers get it
            moved = Occurrence(policy.dead_letter, "message", dict(pending.occurrence.detail))
            engine.later(policy.visibility, lambda moved=moved, cause=pending.cause: engine.route(moved, cause))
    if returned:
        key = (use.owner, use.position)
        visible_at = engine.now + policy.visibility
        for pending, _ in returned:
            engine.backlogs.setdefault(key, []).append(
                Pending(pending.occurrence, pending.cause, pending.receives, visible_at, pending.arrived)
            )
        if (key, visible_at) not in engine.polls:
            engine.polls.add((key, visible_at))
            engine.later(policy.visibility, lambda: poll(engine, use, policy))


def _stream_batch(
    engine: Engine, use: TriggerUse, policy: Policy, batch: list[Pending], left: int, attempt: int
) -> None:
    """A stream batch and its retries, in order (the shard waits for it): bisected on errors when configured —
    halves keep the attempts left, as splitting does not count as a retry — until the last attempt, then the
    on-failure destination."""
    outcome, entry = _deliver(engine, use, batch, attempt)
    failed = failed_items(outcome, batch, policy.partial)
    last = left <= 1 and failed and not (policy.bisect and not outcome.ok and len(failed) > 1)
    if last:
        entry = replace(entry, dead_letter=policy.dead_letter, note=f"gave up after {attempt} attempts: {policy.why}")
    engine.record(entry)
    engine.collect(batch[0].cause.deeper(use.owner))
    if not failed:
        return
    if policy.bisect and not outcome.ok and len(failed) > 1:
        middle = (len(failed) + 1) // 2
        _stream_batch(engine, use, policy, failed[:middle], left, attempt + 1)
        _stream_batch(engine, use, policy, failed[middle:], left, attempt + 1)
    elif left > 1:
        _stream_batch(engine, use, policy, failed, left - 1, attempt + 1)
    else:
        for pending in failed:
            _dead_letter(engine, use, policy, pending, attempt, entry.error_type)


def _dead_letter(engine: Engine, use: TriggerUse, policy: Policy, pending: Pending, attempts: int, error) -> None:
    """Record that an item ended in the policy's dead letter (or was dropped)."""
    detail = dict(pending.occurrence.detail)
    engine.result.dead_letters.append(
        DeadLetter(pending.occurrence.source, use.owner, policy.dead_letter, attempts, error, detail)
    )
