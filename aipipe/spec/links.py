"""Fields that name other resources (`reads`, `triggers[].bucket`, `topic`, steps, ...), as data.

One place answers "which resources does this one point at, through which field, and what type must they
be" — for validation, the dependency graph, and the `graph` command alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from aipipe.core.locations import DataPath
from aipipe.spec.common import ResourceBase
from aipipe.spec.function import BucketTrigger, Function, StreamTrigger, TopicTrigger
from aipipe.spec.messaging import Subscription
from aipipe.spec.transfer import Dataflow, Replication
from aipipe.spec.workflow import ParallelStep, TaskStep, Workflow

ANY_TYPE: tuple[str, ...] = ()
READABLE = ("bucket", "subscription", "stream")
WRITABLE = ("bucket", "topic", "stream")


@dataclass(frozen=True)
class Link:
    """`source` names `target` at `path` (relative to the source resource); `allowed` types, or any."""

    source: str
    target: str
    path: DataPath
    allowed: tuple[str, ...]
    role: str  # reads, writes, trigger, topic, step, source, destination, input, depends_on
    prefix: str = ""  # for reads/writes narrowed to a key prefix: `curated/processed/`


def links_of(name: str, resource: ResourceBase) -> Iterator[Link]:
    """Every reference-by-name a validated resource makes."""
    for position, target in enumerate(resource.depends_on):
        yield Link(name, target, ("depends_on", position), ANY_TYPE, "depends_on")
    if isinstance(resource, Function):
        for role, allowed in (("reads", READABLE), ("writes", WRITABLE)):
            for position, entry in enumerate(getattr(resource, role)):
                target, _, prefix = entry.partition("/")
                yield Link(name, target, (role, position), allowed, role, prefix)
        for position, trigger in enumerate(resource.triggers):
            for kind, cls in (("bucket", BucketTrigger), ("stream", StreamTrigger), ("topic", TopicTrigger)):
                if isinstance(trigger, cls):
                    yield Link(name, getattr(trigger, kind), ("triggers", position, kind), (kind,), "trigger")
    elif isinstance(resource, Subscription):
        yield Link(name, resource.topic, ("topic",), ("topic",), "topic")
    elif isinstance(resource, Workflow):
        yield from _step_links(name, resource.steps, ("steps",))
    elif isinstance(resource, Replication):
        yield Link(name, resource.source, ("source",), ("bucket",), "source")
        yield Link(name, resource.destination, ("destination",), ("bucket",), "destination")
    elif isinstance(resource, Dataflow) and resource.input:
        yield Link(name, resource.input, ("input",), ("topic", "subscription"), "input")


def _step_links(name: str, steps: list, path: DataPath) -> Iterator[Link]:
    for position, step in enumerate(steps):
        here = path + (position,)
        if isinstance(step, str):
            yield Link(name, step, here, ("function",), "step")
        elif isinstance(step, TaskStep):
            yield Link(name, step.function, here + ("function",), ("function",), "step")
        elif isinstance(step, ParallelStep):
            for branch_position, branch in enumerate(step.parallel):
                yield from _step_links(name, branch, here + ("parallel", branch_position))
