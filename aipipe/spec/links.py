"""Fields that name other resources (`reads`, `triggers[].bucket`, `topic`, steps, ...), as data.

Each kind says which links its resources make (aipipe.kinds); one place (aipipe.kinds.registry.links_of)
answers "which resources does this one point at, through which field, and what type must they be" — for
validation, the dependency graph, IAM and the `graph` command alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from aipipe.core.locations import DataPath

ANY_TYPE: tuple[str, ...] = ()


@dataclass(frozen=True)
class Link:
    """A resource names `target` at `path` (relative to itself); `allowed` types, or any."""

    target: str
    path: DataPath
    allowed: tuple[str, ...]
    role: str  # reads, writes, deletes, trigger, topic, step, source, destination, input, depends_on
    prefix: str = ""  # for reads/writes/deletes narrowed to a key prefix: `curated/processed/`
    # clouds on which the target is made after this resource, because it names it (a push subscription names the
    # function it pushes to): the dependency graph has the edge the other way there
    reversed_on: tuple[str, ...] = ()
