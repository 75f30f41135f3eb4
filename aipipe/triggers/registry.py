"""The trigger kinds, found by looking into aipipe.triggers (every module that defines `TRIGGER`), and the
`Trigger` type a resource's `triggers` list holds: a mapping whose key says its kind."""

from __future__ import annotations

from typing import Any

from aipipe import triggers as _package
from aipipe.core.discovery import discover
from aipipe.core.suggest import one_of
from aipipe.spec.model import tagged_union
from aipipe.triggers.base import TriggerKind, TriggerUse

TRIGGERS: dict[str, TriggerKind] = {
    trigger.key: trigger
    # the base, and modules built on the registry
    for trigger in discover(_package, "TRIGGER", TriggerKind, frozenset({"base", "registry", "uses"}))
}
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
