"""Stacks: pick one and deep-merge its overrides over the base spec, keeping every value's location.

Mappings merge key by key; any other value (lists included) replaces the base value; `null` removes a key.
"""

from __future__ import annotations

import copy

from aipipe.core.diagnostics import Diagnostic
from aipipe.core.locations import DataPath, LocationIndex, format_path
from aipipe.core.suggest import did_you_mean
from aipipe.spec.document import DEFAULT_STACK

_MERGED_TOP_LEVEL = ("region", "project", "tags")


def declared_stacks(data: dict) -> list[str]:
    """Stack names declared under `stacks` (whatever their validity)."""
    stacks = data.get("stacks")
    return [name for name in stacks if isinstance(name, str)] if isinstance(stacks, dict) else []


def apply_stack(
    data: dict, index: LocationIndex, stack: str, file: str
) -> tuple[dict, LocationIndex, list[Diagnostic]]:
    """The spec as `stack` sees it, with an index that points overridden values at the override's line."""
    merged = unshared_copy(data)
    merged_index = copy.deepcopy(index)
    problems: list[Diagnostic] = []
    stacks = data.get("stacks") if isinstance(data.get("stacks"), dict) else {}
    if stack not in stacks:
        if stack != DEFAULT_STACK:
            known = [DEFAULT_STACK, *declared_stacks(data)]
            problems.append(
                _problem(
                    index,
                    file,
                    ("stacks",),
                    f"unknown stack `{stack}`{did_you_mean(stack, known)}; this spec has: {', '.join(known)}",
                    at_key=True,
                )
            )
        return merged, merged_index, problems
    override = stacks[stack]
    if not isinstance(override, dict):
        return merged, merged_index, problems  # the header model reports the wrong type
    source: DataPath = ("stacks", stack)
    for key in _MERGED_TOP_LEVEL:
        if key in override:
            _merge_key(merged, key, override[key], (), source, merged_index)
    resources = override.get("resources")
    base_resources = merged.get("resources")
    if isinstance(resources, dict) and isinstance(base_resources, dict):
        for name, fields in resources.items():
            here = source + ("resources", name)
            if name not in base_resources:
                problems.append(
                    _problem(
                        index,
                        file,
                        here,
                        f"stack `{stack}` overrides `{name}`, which is not a resource"
                        f"{did_you_mean(name, base_resources)}",
                        at_key=True,
                    )
                )
            elif isinstance(fields, dict) and isinstance(base_resources[name], dict):
                if "type" in fields and fields["type"] != base_resources[name].get("type"):
                    problems.append(
                        _problem(
                            index,
                            file,
                            here + ("type",),
                            f"stack `{stack}` cannot change the type of `{name}`; define another resource",
                        )
                    )
                    continue
                for key, value in fields.items():
                    _merge_key(base_resources[name], key, value, ("resources", name), here, merged_index)
    return merged, merged_index, problems


def stack_only_resources(data: dict, index: LocationIndex, stack: str, file: str) -> tuple[dict, list[Diagnostic]]:
    """Remove from the (merged) data the resources whose `stacks:` leaves out `stack`; returns those resources'
    names with the stacks that have them, and an AP206 for each entry of a `stacks:` naming no stack."""
    resources = data.get("resources")
    if not isinstance(resources, dict):
        return {}, []
    known = [DEFAULT_STACK, *declared_stacks(data)]
    absent: dict[str, list[str]] = {}
    problems: list[Diagnostic] = []
    for name, fields in list(resources.items()):
        only = fields.get("stacks") if isinstance(fields, dict) else None
        if not isinstance(only, list) or not all(isinstance(item, str) for item in only):
            continue  # the model reports a wrong type
        for position, item in enumerate(only):
            if item not in known:
                message = f"`{item}` is not a stack of this spec{did_you_mean(item, known)}; it has: {', '.join(known)}"
                problems.append(_problem(index, file, ("resources", name, "stacks", position), message))
        if only and stack not in only:
            absent[name] = only
            del resources[name]
    return absent, problems


def _problem(index: LocationIndex, file: str, path: DataPath, message: str, at_key: bool = False) -> Diagnostic:
    """An AP206 (stacks) at the location of `path`."""
    location = index.locate(path, at_key=at_key)
    return Diagnostic("AP206", message, file, location.line, location.column, format_path(path))


def unshared_copy(value):
    """A deep copy in which nothing is shared. YAML aliases make several places hold one object; a copy that
    kept that sharing (copy.deepcopy does) would let an override of one place change the others."""
    if isinstance(value, dict):
        return {key: unshared_copy(child) for key, child in value.items()}
    if isinstance(value, list):
        return [unshared_copy(child) for child in value]
    return value


def _merge_key(
    target: dict, key: str, value, target_path: DataPath, source_path: DataPath, index: LocationIndex
) -> None:
    here, there = target_path + (key,), source_path + (key,)
    old = target.get(key)
    containers = isinstance(old, (dict, list)) or isinstance(value, (dict, list))
    if value is None:
        target.pop(key, None)
        index.forget(here, subtree=isinstance(old, (dict, list)))
        if there in index.keys:
            index.keys[here] = index.keys[there]  # "missing field" errors point at the `null` override
    elif isinstance(value, dict) and isinstance(old, dict):
        for child_key, child in value.items():
            _merge_key(old, child_key, child, here, there, index)
    else:
        target[key] = unshared_copy(value)
        index.forget(here, subtree=containers)
        index.copy_subtree(there, here, subtree=containers)
