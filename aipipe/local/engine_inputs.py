"""What a local run takes: the user's inputs (`--put`, `--publish`, `--start`, `--fire`), the limits where it stops
what the cloud would keep doing, and what it does not run at all."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Put:
    """`--put BUCKET/KEY=FILE`: write an object into a spec bucket."""

    bucket: str
    key: str
    data: bytes


@dataclass(frozen=True)
class Publish:
    """`--publish TOPIC=FILE`: publish a message to a spec topic."""

    topic: str
    data: bytes
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Start:
    """`--start WORKFLOW=FILE`: start a workflow with the file's JSON as its input."""

    workflow: str
    input: Any = None


@dataclass(frozen=True)
class Fire:
    """`--fire FUNCTION`: the schedule of a function (or workflow) fires once."""

    target: str


Input = Put | Publish | Start | Fire


@dataclass(frozen=True)
class Limits:
    """Where a local run stops what the cloud would keep doing."""

    depth: int = 16  # hops of causation from an input before a chain is taken for a loop
    redeliveries: int = 10  # attempts where the cloud redelivers until a retention of hours or days
    deliveries: int = 2000  # deliveries in one run, against fan-out that grows without looping


def not_run_locally(spec: Any, cloud: Any) -> list[str]:
    """What the local cloud does not run, with what the cloud would do: the cloud's own answer when it has one,
    else derived from the spec (Dataflow jobs, replication, pulumi resources)."""
    ask = getattr(cloud, "not_run_locally", None)
    if callable(ask):
        return list(ask())
    notes = []
    for name, resource in spec.resources.items():
        if resource.type == "dataflow":
            reads = f", reading `{resource.input}`" if resource.input else ""
            writes = f", writing {resource.output}" if resource.output else ""
            notes.append(f"dataflow `{name}`: would run the `{resource.template}` job{reads}{writes}")
        elif resource.type == "replication":
            when = f" on {resource.schedule}" if getattr(resource, "schedule", None) else " as objects are written"
            notes.append(
                f"replication `{name}`: would copy objects from `{resource.source}` to `{resource.destination}` "
                f"({resource.method}){when}"
            )
        elif resource.type == "pulumi":
            notes.append(f"pulumi `{name}`: would create a `{resource.resource}`")
    return notes
