"""The resources a function names: what it reads and writes (optionally under a key prefix), and the sources
of its triggers."""

from __future__ import annotations

from collections.abc import Iterator

from aipipe.kinds.function.model import Function
from aipipe.spec.links import ANY_TYPE, Link
from aipipe.triggers.uses import trigger_links

# what a function may do to a resource it names (each kind's access says what gives it on each cloud)
ACCESS_ROLES = ("reads", "writes", "deletes")


def links(function: Function) -> Iterator[Link]:
    """`reads`/`writes`/`deletes` entries (which kinds they may name comes from the kinds' access, checked by the
    validation) and each trigger's source."""
    for role in ACCESS_ROLES:
        for position, entry in enumerate(getattr(function, role)):
            target, _, prefix = entry.partition("/")
            yield Link(target, (role, position), ANY_TYPE, role, prefix)
    yield from trigger_links(function)
