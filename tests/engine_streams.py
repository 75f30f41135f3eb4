"""Real Pulumi engine event streams (tests/data/pulumi/events, copied from pulumi/pulumi's lifecycle tests) as
pulumi.automation EngineEvent objects, and streams derived from them with aipipe's URNs and cloud types.

Deriving only renames: the engine's own test project `test`/stack `test` become aipipe's, the engine tests'
resource types (`pkgA:m:typA`) become AWS/GCP types and resource names become aipipe's. Every field, op and
event kind stays as the engine wrote it.
"""

from __future__ import annotations

import json
from pathlib import Path

from pulumi.automation import events as ev

EVENTS = Path(__file__).parent / "data" / "pulumi" / "events"


def records(name: str) -> list[dict]:
    """The JSON records of one stream, e.g. `create-failed`."""
    return [json.loads(line) for line in (EVENTS / f"{name}.jsonl").read_text(encoding="utf-8").splitlines() if line]


def derive(
    stream: list[dict],
    types: dict[str, str] | None = None,
    names: dict[str, str] | None = None,
    project: str = "event-driven-ingest",
    stack: str = "dev",
) -> list[dict]:
    """`stream` with the engine tests' project, stack, types and resource names replaced by aipipe's."""
    text = json.dumps(stream).replace("urn:pulumi:test::test::", f"urn:pulumi:{stack}::{project}::")
    for old, new in (types or {}).items():
        text = text.replace(old, new)
    for old, new in (names or {}).items():
        text = text.replace(f'::{old}"', f'::{new}"')
    return json.loads(text)


def with_root_stack(stream: list[dict], project: str = "event-driven-ingest", stack: str = "dev") -> list[dict]:
    """`stream` as a real program's would be: the root `pulumi:pulumi:Stack` resource registered first (its
    steps are in the stream and its create is counted in the summary), and top-level resources its children."""
    root = f"urn:pulumi:{stack}::{project}::pulumi:pulumi:Stack::{project}-{stack}"
    state = {"type": "pulumi:pulumi:Stack", "urn": root, "custom": False, "parent": "", "inputs": {}, "outputs": {}}
    metadata = {"op": "create", "urn": root, "type": "pulumi:pulumi:Stack", "old": None, "new": state}
    text = json.dumps(stream).replace('"parent": ""', f'"parent": "{root}"')
    events = json.loads(text)
    out = []
    for record in events:
        if "resourcePreEvent" in record and not any("resourcePreEvent" in r for r in out):
            out.append({"sequence": 0, "timestamp": 0, "resourcePreEvent": {"metadata": metadata}})
        if "summaryEvent" in record:
            changes = record["summaryEvent"]["resourceChanges"]
            changes["create"] = changes.get("create", 0) + 1
            out.append({"sequence": 0, "timestamp": 0, "resOutputsEvent": {"metadata": metadata}})
        out.append(record)
    return out


def engine_events(stream: list[dict]) -> list[ev.EngineEvent]:
    """The records as the Automation API hands them to `on_event`."""
    return [ev.EngineEvent.from_json(record) for record in stream]


def load(name: str, **rename) -> list[ev.EngineEvent]:
    """A real stream, derived with `rename` (see `derive`), as EngineEvents."""
    return engine_events(derive(records(name), **rename))
