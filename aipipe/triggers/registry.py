"""The trigger kinds, found by looking into aipipe.triggers (every module that defines `TRIGGER`), and the
`Trigger` type a resource's `triggers` list holds: a mapping whose key says its kind.

A module may also contribute wiring to another target kind for several trigger kinds at once (`WIRING`:
(trigger key, cloud, target kind) -> builder, such as aipipe.triggers.to_workflow); it is merged into each
trigger kind's `wiring`, which stays the one table everything reads."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aipipe import triggers as _package
from aipipe.core.discovery import discover
from aipipe.core.suggest import one_of
from aipipe.spec.model import tagged_union
from aipipe.triggers.base import TriggerKind, TriggerUse

_SKIP = frozenset({"base", "registry", "uses"})  # the base, and modules built on the registry


def _with_contributed_wiring(kinds: list[TriggerKind]) -> dict[str, TriggerKind]:
    contributed: dict[str, dict] = {kind.key: dict(kind.wiring) for kind in kinds}
    for table in discover(_package, "WIRING", dict, _SKIP):
        for (key, cloud, target), builder in table.items():
            if (cloud, target) in contributed[key]:
                raise ValueError(f"two wirings of {key} triggers to {target} on {cloud}")
            contributed[key][(cloud, target)] = builder
    return {kind.key: replace(kind, wiring=contributed[kind.key]) for kind in kinds}


TRIGGERS: dict[str, TriggerKind] = _with_contributed_wiring(discover(_package, "TRIGGER", TriggerKind, _SKIP))
_BY_MODEL = {trigger.model: trigger for trigger in TRIGGERS.values()}


def trigger_kind(trigger: Any) -> TriggerKind:
    """The kind of a validated trigger."""
    return _BY_MODEL[type(trigger)]


def trigger_uses(resources: dict) -> dict[str, list[TriggerUse]]:
    """Every trigger of every resource, by trigger kind, in the order the resources are written."""
    uses: dict[str, list[TriggerUse]] = {key: [] for key in TRIGGERS}
    for name, resource in resources.items():
        for position, trigger in enumerate(getattr(resource, "triggers", ())):
            uses[trigger_kind(trigger).key].append(TriggerUse(name, position, trigger, resource))
    return uses


def _tag(value: Any) -> str | None:
    if isinstance(value, dict):
        for key in TRIGGERS:
            if key in value:
                return f"{key} trigger"
    return None


Trigger = tagged_union(
    {f"{key} trigger": trigger.model for key, trigger in TRIGGERS.items()},
    _tag,
    "trigger_kind",
    f"a trigger is a mapping with one of {one_of(TRIGGERS)}",
)
