"""What a trigger kind is made of. Every module of aipipe.triggers defines one `TRIGGER`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aipipe.core.locations import DataPath
from aipipe.semantics.symbols import Child
from aipipe.spec.context import CheckContext
from aipipe.spec.model import StrictModel, region_of
from aipipe.spec.parts import ProgramPart


@dataclass(frozen=True)
class TriggerUse:
    """One trigger as a resource declares it: the owner, its position in `triggers`, the validated model."""

    owner: str
    position: int
    trigger: Any
    target: Any  # the owner's model (a function today)

    @property
    def path(self) -> DataPath:
        """Where the trigger is in the spec."""
        return ("resources", self.owner, "triggers", self.position)


def regions_of(resources: dict, home: str, source: str, target: Any) -> tuple[str, str]:
    """The regions of a trigger's source resource and of its target: each its `region`, else the spec's `home`
    (an `existing` bucket is where the spec says)."""
    return region_of(resources.get(source), home), region_of(target, home)


def failed_events_queue(use: TriggerUse) -> Child | None:
    """The queue where the trigger's target keeps the events it failed on (aws: `<function>-failed`), or None
    when it keeps none (`on_failure: {dead_letter: false}`, or a target without `on_failure`)."""
    if not hasattr(use.target, "on_failure"):
        return None
    on_failure = use.target.on_failure
    return Child(use.owner, "failed", "arn") if on_failure is None or on_failure.dead_letter else None


# (spec, use) -> the values wiring this trigger to its target renders (symbolic, like a kind's values)
WiringBuilder = Callable[[Any, TriggerUse], dict]


def _no_check(ctx: CheckContext, use: TriggerUse) -> None:
    return None


def _no_uses_check(ctx: CheckContext, uses: list[TriggerUse]) -> None:
    return None


def _no_parts(cloud: str, spec: Any, uses: list[TriggerUse]) -> list[ProgramPart]:
    return []


def _takes_nothing(trigger: Any, happened: str, detail: Mapping[str, Any]) -> bool:
    return False


@dataclass(frozen=True)
class TriggerKind:
    """A way of starting a resource, and everything aipipe knows about it."""

    key: str  # the field that marks a trigger of this kind: `{bucket: raw}`
    model: type[StrictModel]
    source_kinds: tuple[str, ...]  # kinds the key names (none: the key holds a value, like a schedule)
    label: Callable[[Any], str]  # how `aipipe graph` labels the edge
    # per-cloud rules of one trigger, and rules across every trigger of the kind in the spec
    check: Callable[[CheckContext, TriggerUse], None] = _no_check
    check_uses: Callable[[CheckContext, list[TriggerUse]], None] = _no_uses_check

    @property
    def judges_overlaps(self) -> bool:
        """Whether the kind checks its uses against each other itself (bucket notifications: overlapping
        prefixes and suffixes), which then covers a trigger listed twice."""
        return self.check_uses is not _no_uses_check

    # (cloud, target kind) -> values of the wiring; with a `template` (triggers/<key>/<cloud>-<target>.py.j2)
    # they render resources of their own, else the target's template uses them (gcp `event_trigger`)
    wiring: Mapping[tuple[str, str], WiringBuilder] = field(default_factory=dict)
    # on gcp a function has one Eventarc event trigger: does a trigger of this kind take it?
    eventarc: bool = False
    # a target takes at most one trigger of this kind per source: its wiring is named by the source, and the
    # cloud keeps one link per (source, target) anyway (SNS Subscribe returns the existing subscription for the
    # same topic, protocol and endpoint; Lambda refuses a second event source mapping for one stream and
    # function: ResourceConflictException)
    one_per_source: bool = False
    # cloud -> the access (`reads`) the target needs on the source, when it polls rather than being pushed to
    consumer_access: Mapping[str, str] = field(default_factory=dict)
    # program parts for every use in the spec (the bucket notification configurations on aws)
    parts: Callable[[str, Any, list[TriggerUse]], list[ProgramPart]] = _no_parts
    # cloud -> why the source and the target must be in one region there (the fact, with its source)
    same_region: Mapping[str, str] = field(default_factory=dict)
    # cloud -> how the source starts a function there: "async" (an asynchronous invocation: Lambda retries it
    # and then sends it to the function's on-failure destination) or "poll" (an event source mapping)
    invocation: Mapping[str, str] = field(default_factory=dict)
    # (trigger, what happened to its source, its detail) -> whether the cloud, configured as the wiring renders
    # it, starts the target: the local runner's question, answered with the same rules (what happened is an
    # occurrence kind of aipipe.local.contract: "object", "message", "record", "change", "schedule")
    takes: Callable[[Any, str, Mapping[str, Any]], bool] = _takes_nothing
    # clouds on which the source's own resource names the target (a push subscription's endpoint is the function's
    # address): there the source is made after the target, so the dependency runs from the source to the target
    pushed_to: tuple[str, ...] = ()

    def source(self, trigger: Any) -> str | None:
        """The resource a trigger names, if its kind names one."""
        return getattr(trigger, self.key) if self.source_kinds else None
