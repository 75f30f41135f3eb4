"""Engine side of the fake `pulumi`: scenario event streams, their rewriting, and how they reach the SDK.

A scenario is a real engine event stream from `tests/data/pulumi/events/<name>.jsonl` (one JSON event a
line, exactly as the CLI writes them to the `--event-log` file; see that folder's README.md) or any other
`.jsonl` file given by path. The fake `pulumi` replays it for `preview`, `up`, `destroy` and `refresh`.

Rewriting, for tests that want AWS/GCP-looking streams (importable as `fake_pulumi.engine` from `tests/`):

    events = load_events("create")
    events = rewrite_events(events, types={"pkgA:m:typA": "aws:s3/bucket:Bucket"}, project="shop", stack="dev")
    write_events(tmp_path / "bucket.jsonl", events)   # then FAKE_PULUMI_SCENARIO=<that path>

`rewrite_events` replaces resource types (in `type` fields and inside URNs, also in parent-type chains like
`pkgA:m:typA$pkgA:m:typA`) and the URN's project and stack (`urn:pulumi:<stack>::<project>::...`). The same
mapping can be given to the fake directly with FAKE_PULUMI_REWRITE='{"types": {...}, "project": ..., "stack": ...}'.

Delivery follows the SDK (pulumi/automation/_stack.py `_setup_event_log`): a CLI newer than 3.205.0 gets
`--event-log tcp://127.0.0.1:PORT` and must stream the events over gRPC (`pulumirpc.Events/StreamEvents`,
one `EventRequest{string event = 1}` per event); older ones get a file path the SDK tails line by line.
This module imports grpc only for the gRPC case, so the fake stays quick to start.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

EVENTS_DIR = Path(__file__).resolve().parent.parent / "data" / "pulumi" / "events"

# The engine tests that recorded the streams use project "test" and stack "test" (urn:pulumi:test::test::...).
URN_PREFIX = "urn:pulumi:"

# What ends a cancelled operation, taken from refresh-canceled.jsonl (pulumi's TestCanceledRefresh): an error
# diagnostic "update canceled", a failed summary, then the cancelEvent that closes every stream.
CANCELED_DIAGNOSTIC = {
    "prefix": "<{%fg 1%}>error: <{%reset%}>",
    "message": "<{%reset%}>update canceled<{%reset%}>\n",
    "color": "raw",
    "severity": "error",
}

Event = dict[str, Any]


def scenario_path(name: str) -> Path:
    """The `.jsonl` file of a scenario: a path as given, else a name in the shared events folder."""
    if name.endswith(".jsonl") or os.sep in name:
        return Path(name)
    return EVENTS_DIR / f"{name}.jsonl"


def load_events(name: str) -> list[Event]:
    """The events of a scenario (a name such as `create-failed`, or a path to a `.jsonl` file)."""
    with open(scenario_path(name), encoding="utf-8") as file:
        return [json.loads(line) for line in file if line.strip()]


def write_events(path: str | os.PathLike[str], events: list[Event]) -> Path:
    """Write events as JSON lines (the format of the shared streams and of the event log)."""
    path = Path(path)
    path.write_text("".join(json.dumps(event) + "\n" for event in events), encoding="utf-8")
    return path


def _rewrite_type(text: str, types: dict[str, str]) -> str:
    """A type, or a `$`-joined chain of parent types, with each mapped type replaced."""
    return "$".join(types.get(part, part) for part in text.split("$"))


def _rewrite_urn(urn: str, types: dict[str, str], project: str | None, stack: str | None) -> str:
    # urn:pulumi:<stack>::<project>::<qualified type>::<name> (names may themselves contain "::")
    parts = urn[len(URN_PREFIX) :].split("::", 3)
    if len(parts) < 4:
        return urn
    old_stack, old_project, qualified_type, name = parts
    return f"{URN_PREFIX}{stack or old_stack}::{project or old_project}::{_rewrite_type(qualified_type, types)}::{name}"


def rewrite_events(
    events: list[Event],
    *,
    types: dict[str, str] | None = None,
    project: str | None = None,
    stack: str | None = None,
) -> list[Event]:
    """A copy of `events` with resource types mapped by `types` and URNs moved to `project`/`stack`.

    Every string in the events is visited: strings starting with `urn:pulumi:` are rewritten as URNs,
    values of `type` keys as types, and other strings (messages, outputs) are left as they are.
    """
    types = types or {}

    def walk(value: Any, key: str | None = None) -> Any:
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, str):
            if value.startswith(URN_PREFIX):
                return _rewrite_urn(value, types, project, stack)
            if key == "type":
                return _rewrite_type(value, types)
        return value

    return [walk(event) for event in events]


def event_kind(event: Event) -> str:
    """The payload key of an event (`resourcePreEvent`, `summaryEvent`, ...)."""
    return next((key for key in event if key not in ("sequence", "timestamp")), "")


def summary_of(events: list[Event]) -> Event | None:
    """The `summaryEvent` payload of a stream, if it has one."""
    return next((e["summaryEvent"] for e in events if "summaryEvent" in e), None)


def stack_outputs_of(events: list[Event]) -> dict[str, Any]:
    """The root stack's outputs as the last `resOutputsEvent` of `pulumi:pulumi:Stack` reports them."""
    outputs: dict[str, Any] = {}
    for event in events:
        meta = event.get("resOutputsEvent", {}).get("metadata", {})
        if meta.get("type") == "pulumi:pulumi:Stack" and isinstance(meta.get("new"), dict):
            outputs = dict(meta["new"].get("outputs") or {})
    return outputs


def canceled_ending(events: list[Event], sent: list[Event], is_preview: bool) -> list[Event]:
    """What the engine writes when interrupted: the cancel diagnostic, a failed summary, the cancelEvent.

    The summary counts the steps that completed (the `resOutputsEvent`s already sent), by op.
    """
    changes: dict[str, int] = {}
    for event in sent:
        op = event.get("resOutputsEvent", {}).get("metadata", {}).get("op")
        if op:
            changes[op] = changes.get(op, 0) + 1
    summary = dict(summary_of(events) or {"maybeCorrupt": False, "durationSeconds": 1, "PolicyPacks": {}})
    summary.update(resourceChanges=changes, isPreview=is_preview, result="failed")
    return [
        {"sequence": 0, "timestamp": 0, "diagnosticEvent": dict(CANCELED_DIAGNOSTIC)},
        {"sequence": 0, "timestamp": 0, "summaryEvent": summary},
        {"sequence": 0, "timestamp": 0, "cancelEvent": {}},
    ]


def paced(
    events: list[Event], delay: float, canceled: Callable[[], bool], is_preview: bool
) -> Iterator[tuple[Event, bool]]:
    """Yield (event, interrupted) pairs, sleeping `delay` seconds between events.

    Once `canceled()` turns true the rest of the stream is dropped and the cancelled ending is yielded instead
    (each with interrupted=True); the summary and cancelEvent of the original stream are never sent then.
    """
    for index, event in enumerate(events):
        if canceled():
            for ending in canceled_ending(events, events[:index], is_preview):
                yield ending, True
            return
        yield event, False
        if delay and index < len(events) - 1:
            deadline = time.monotonic() + delay
            while time.monotonic() < deadline and not canceled():
                time.sleep(min(0.02, delay))


def _encode_event_request(event: Event) -> bytes:
    """`pulumirpc.EventRequest{string event = 1}` in protobuf wire format, without the protobuf library."""
    data = json.dumps(event).encode("utf-8")
    length, varint = len(data), bytearray()
    while True:
        byte = length & 0x7F
        length >>= 7
        varint.append(byte | (0x80 if length else 0))
        if not length:
            break
    return b"\x0a" + bytes(varint) + data


def deliver(target: str, stream: Iterator[tuple[Event, bool]]) -> bool:
    """Send a stream to the SDK's `--event-log` target; return whether it was interrupted."""
    interrupted = False

    def events() -> Iterator[Event]:
        nonlocal interrupted
        for event, was_interrupted in stream:
            interrupted = interrupted or was_interrupted
            yield event

    if target.startswith("tcp://"):
        import grpc  # only here: a CLI newer than 3.205.0 streams events over gRPC

        with grpc.insecure_channel(target[len("tcp://") :]) as channel:
            call = channel.stream_unary(
                "/pulumirpc.Events/StreamEvents",
                request_serializer=_encode_event_request,
                response_deserializer=lambda raw: raw,
            )
            call(events())
        return interrupted
    with open(target, "a", encoding="utf-8") as file:
        for event in events():
            file.write(json.dumps(event) + "\n")
            file.flush()
    return interrupted
