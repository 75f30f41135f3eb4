"""What `aipipe run` reports: one `TraceEntry` per delivery attempt (or per thing the engine kept, stopped or did
not run), the dead letters, and the `RunResult` whose exit code the command returns."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

# outcomes of an entry besides "ok" and "error"
KEPT = "kept"  # a message left in a queue or subscription that nothing in the spec consumes
STOPPED = "stopped"  # the depth limit stopped a chain of deliveries
NOT_RUN = "not run locally"  # dataflow jobs, replication, pulumi resources


@dataclass(frozen=True)
class TraceEntry:
    """One delivery attempt: `source` → `target` through `trigger`, what became of it, and when (virtual time)."""

    source: str  # the spec resource something happened to ("input" for a workflow started by --start)
    target: str  # the function, workflow, queue or subscription it was delivered to
    trigger: str  # how: "bucket created data/x.json", "topic message", "queue batch of 3", "schedule", ...
    attempt: int  # 1 for the first delivery, 2 for the first retry, ...
    outcome: str  # "ok" | "error" | KEPT | STOPPED | NOT_RUN
    error_type: str | None = None
    error_message: str | None = None
    duration_ms: float = 0.0
    dead_letter: str | None = None  # where the event went after its last attempt ("<function>-failed", a queue)
    virtual_time: float = 0.0  # seconds since the run started, counting every backoff the cloud would wait
    waited: float = 0.0  # seconds the cloud waits before this attempt (not slept locally)
    depth: int = 1  # hops of causation from the user's input
    note: str | None = None  # what the cloud would do, why it stopped, where a message stays
    logs: str = ""
    traceback: str | None = None  # the handler's, when it raised (its own frames, as Lambda's logs show them)

    def to_json(self) -> dict[str, Any]:
        """The entry as one JSON object (`aipipe run --json` prints one per line)."""
        return {"type": "delivery", **asdict(self)}


@dataclass(frozen=True)
class DeadLetter:
    """An event that ended in a dead letter (or was dropped: `queue` None) after its last attempt."""

    source: str
    target: str
    queue: str | None
    attempts: int
    error: str | None
    payload: Any = None


@dataclass
class RunResult:
    """Everything a run did. Exit 0 when every delivery succeeded in the end, 1 when anything ended in a dead
    letter, was dropped or stopped, or a workflow failed."""

    entries: list[TraceEntry] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)
    failed_workflows: list[str] = field(default_factory=list)
    stopped: list[str] = field(default_factory=list)  # depth-limit messages
    not_run_locally: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when everything delivered succeeded in the end, else 1."""
        return 1 if self.dead_letters or self.failed_workflows or self.stopped else 0

    def to_json(self) -> dict[str, Any]:
        """The summary line of `--json`."""
        return {
            "type": "result",
            "exit_code": self.exit_code,
            "deliveries": len(self.entries),
            "dead_letters": [asdict(letter) for letter in self.dead_letters],
            "failed_workflows": self.failed_workflows,
            "stopped": self.stopped,
            "not_run_locally": self.not_run_locally,
        }


def json_line(document: dict[str, Any]) -> str:
    """One JSON line; values JSON cannot hold (bytes, objects) as their text."""
    return json.dumps(document, default=str, sort_keys=True)


def clock(seconds: float) -> str:
    """Virtual time as people read it: `t+0s`, `t+1m30s`, `t+2h5m`."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"t+{hours}h{minutes}m" if minutes else f"t+{hours}h"
    if minutes:
        return f"t+{minutes}m{secs}s" if secs else f"t+{minutes}m"
    return f"t+{secs}s"


def describe(entry: TraceEntry) -> str:
    """One line a person can follow: when, source → target, how, attempt, outcome, duration, dead letter."""
    if entry.outcome == "ok":
        outcome = "ok"
    elif entry.outcome == "error":
        outcome = f"error {entry.error_type or ''}".rstrip()
        if entry.error_message:
            outcome += f": {entry.error_message}"
    else:
        outcome = entry.outcome
    parts = [f"{clock(entry.virtual_time):>8}", f"{entry.source} → {entry.target}", f"({entry.trigger})"]
    if entry.attempt > 1:
        parts.append(f"attempt {entry.attempt}" + (f" after {clock(entry.waited)[2:]}" if entry.waited else ""))
    parts.append(outcome)
    if entry.duration_ms:
        parts.append(f"{entry.duration_ms:.0f} ms")
    line = "  ".join(parts)
    if entry.dead_letter:
        line += f"  → dead letter {entry.dead_letter}"
    if entry.note:
        line += f"  [{entry.note}]"
    return line
