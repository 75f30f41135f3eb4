"""The resource kinds: every module or package of aipipe.kinds that defines `KIND` is a kind of the spec language.

`KIND_MODULES` names each kind's module so that a kind is imported only when a spec uses it (or something asks
for every kind): validating a spec of three kinds loads three kinds, which keeps `aipipe validate` quick
(benchmarks/validate_speed.py). Adding a kind is adding its module, its templates and its line below;
tests/test_architecture.py checks the table against the modules that really define `KIND`."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import TypeVar

from aipipe.kinds.base import Kind
from aipipe.spec.links import ANY_TYPE, Link
from aipipe.spec.model import ResourceBase
from aipipe.spec.permissions import permission_links

V = TypeVar("V")

# kind name -> its module in aipipe.kinds, in the order the modules sort (the order messages list types in)
KIND_MODULES: dict[str, str] = {
    "bucket": "bucket",
    "dataflow": "dataflow",
    "function": "function",
    "key": "key",
    "pulumi": "pulumi_resource",
    "queue": "queue",
    "replication": "replication",
    "stream": "stream",
    "subscription": "subscription",
    "table": "table",
    "topic": "topic",
    "workflow": "workflow",
}


class _ByKindName(Mapping[str, V]):
    """A mapping over the kind names of KIND_MODULES whose values are computed on first use."""

    def __contains__(self, name: object) -> bool:
        return name in KIND_MODULES

    def __iter__(self) -> Iterator[str]:
        return iter(KIND_MODULES)

    def __len__(self) -> int:
        return len(KIND_MODULES)


class _Kinds(_ByKindName[Kind]):
    """The kinds by name, each imported on first use."""

    def __init__(self) -> None:
        self._loaded: dict[str, Kind] = {}

    def __getitem__(self, name: str) -> Kind:
        kind = self._loaded.get(name)
        if kind is None:
            kind = importlib.import_module(f"{__package__}.{KIND_MODULES[name]}").KIND
            self._loaded[name] = kind
        return kind

    def __setitem__(self, name: str, kind: Kind) -> None:
        """Stand a kind in for a known one (tests give a kind other cloud forms)."""
        if name not in KIND_MODULES:
            raise KeyError(f"{name} is not a kind of KIND_MODULES")
        self._loaded[name] = kind


class _Models(_ByKindName[type[ResourceBase]]):
    """The model of each kind by type name, through `KINDS` (so as lazily)."""

    def __getitem__(self, name: str) -> type[ResourceBase]:
        return KINDS[name].model


KINDS: Mapping[str, Kind] = _Kinds()
RESOURCE_TYPES: Mapping[str, type[ResourceBase]] = _Models()


def kind_of(resource: ResourceBase) -> Kind:
    """The kind of a validated resource."""
    return KINDS[resource.type]


def clouds_of(type_name: str) -> tuple[str, ...]:
    """The clouds a resource type exists on."""
    return tuple(KINDS[type_name].clouds)


def attributes_of(type_name: str, cloud: str, raw: object = None) -> tuple[str, ...]:
    """The attributes `${name.attr}` may read from a resource of this type on this cloud; given the resource as
    written (`raw`), those of that one resource when its kind's attributes depend on it."""
    form = KINDS[type_name].clouds.get(cloud)
    if form is not None and isinstance(raw, dict):
        return form.attributes_for(raw)
    return KINDS[type_name].attributes(cloud)


def attribute_problem(type_name: str, cloud: str, raw: object, attribute: str) -> str | None:
    """Why the resource (as written) lacks an attribute its type has on this cloud, or None."""
    form = KINDS[type_name].clouds.get(cloud)
    if form is None or form.attribute_problem is None or not isinstance(raw, dict):
        return None
    return form.attribute_problem(raw, attribute)


def accessible(role: str) -> tuple[str, ...]:
    """The kinds a function may name under `reads` (role reads), `writes` or `deletes` on some cloud."""
    return tuple(name for name in KINDS if is_accessible(name, role))


def is_accessible(type_name: str, role: str) -> bool:
    """May a function name a resource of this type under `role` (reads, writes, deletes) on some cloud?"""
    return any(role in form.access for form in KINDS[type_name].clouds.values())


def links_of(resource: ResourceBase) -> Iterator[Link]:
    """Every reference-by-name a validated resource makes: its `depends_on`, then its kind's own links."""
    for position, target in enumerate(resource.depends_on):
        yield Link(target, ("depends_on", position), ANY_TYPE, "depends_on")
    yield from KINDS[resource.type].links(resource)
    yield from permission_links(getattr(resource, "permissions", None) or [])
