"""The resource kinds, found by looking into aipipe.kinds: every module or package there that defines `KIND`
is a kind of the spec language. Adding a kind is adding a module (and its templates), nothing else."""

from __future__ import annotations

from collections.abc import Iterator

from aipipe import kinds as _package
from aipipe.core.discovery import discover
from aipipe.kinds.base import Kind
from aipipe.spec.links import ANY_TYPE, Link
from aipipe.spec.model import ResourceBase
from aipipe.spec.permissions import permission_links

KINDS: dict[str, Kind] = {kind.name: kind for kind in discover(_package, "KIND", Kind, frozenset({"base", "registry"}))}
RESOURCE_TYPES: dict[str, type[ResourceBase]] = {name: kind.model for name, kind in KINDS.items()}


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
    return tuple(name for name, kind in KINDS.items() if any(role in form.access for form in kind.clouds.values()))


def links_of(resource: ResourceBase) -> Iterator[Link]:
    """Every reference-by-name a validated resource makes: its `depends_on`, then its kind's own links."""
    for position, target in enumerate(resource.depends_on):
        yield Link(target, ("depends_on", position), ANY_TYPE, "depends_on")
    yield from KINDS[resource.type].links(resource)
    yield from permission_links(getattr(resource, "permissions", None) or [])
