"""Rules every resource with `triggers` applies alike (functions, workflows): the links its triggers make, whether
its kind can be started by each trigger on the spec's cloud, and whether a source and its target must share a
region."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from aipipe.spec.context import CheckContext
from aipipe.spec.links import Link
from aipipe.triggers.base import TriggerUse, regions_of
from aipipe.triggers.eventbridge import SAME_REGION, bucket_via_eventbridge
from aipipe.triggers.registry import TRIGGERS, trigger_kind


def uses_of(name: str, resource: Any) -> list[TriggerUse]:
    """Each trigger of the resource, with where it is."""
    return [TriggerUse(name, position, trigger, resource) for position, trigger in enumerate(resource.triggers)]


def trigger_links(resource: Any) -> Iterator[Link]:
    """The source each trigger names (a schedule names none); a source that pushes to its target (`pushed_to`)
    depends on the target there."""
    for position, trigger in enumerate(resource.triggers):
        kind = trigger_kind(trigger)
        source = kind.source(trigger)
        if source is not None:
            path = ("triggers", position, kind.key)
            yield Link(source, path, kind.source_kinds, "trigger", reversed_on=kind.pushed_to)


def check_wired(ctx: CheckContext, use: TriggerUse, target_kind: str, instead: str) -> bool:
    """Whether a trigger of this kind can start a `target_kind` on the spec's cloud; if not, an error at the
    trigger saying which triggers can, and `instead`."""
    kind = trigger_kind(use.trigger)
    if ctx.cloud is None or (ctx.cloud, target_kind) in kind.wiring:
        return True
    usable = [key for key, other in TRIGGERS.items() if (ctx.cloud, target_kind) in other.wiring]
    ctx.report(
        "AP407",
        f"a {target_kind} on {ctx.cloud} cannot be started by a {kind.key} trigger (it takes "
        f"{', '.join(f'`{key}`' for key in usable)}); {instead}",
        use.path + (kind.key,),
    )
    return False


def check_repeated_triggers(ctx: CheckContext, uses: list[TriggerUse], target_kind: str) -> None:
    """The same trigger listed twice, or two triggers on one topic or stream (which the cloud links once and
    the program would name twice, failing the deploy with a duplicate resource): AP407 at the later one.
    Kinds that judge their uses' overlaps themselves (S3 notifications of functions and queues) already report
    a repeat; a workflow's bucket triggers are EventBridge rules, which nothing else judges."""
    for index, use in enumerate(uses):
        kind = trigger_kind(use.trigger)
        if kind.judges_overlaps and target_kind != "workflow":
            continue
        for earlier in uses[:index]:
            if use.trigger == earlier.trigger:
                ctx.report("AP407", f"this trigger repeats trigger {earlier.position + 1}; remove one", use.path)
                break
            if kind.one_per_source and trigger_kind(earlier.trigger) is kind:
                source = kind.source(use.trigger)
                if source == kind.source(earlier.trigger):
                    ctx.report(
                        "AP407",
                        f"a second trigger on {kind.key} `{source}`: a {target_kind} takes one trigger per "
                        f"{kind.key} (the cloud links them once); merge it into trigger {earlier.position + 1}",
                        use.path,
                    )
                    break


def _why_same_region(ctx: CheckContext, use: TriggerUse) -> str | None:
    kind = trigger_kind(use.trigger)
    if ctx.cloud == "aws" and kind.key == "bucket" and bucket_via_eventbridge(ctx.checkable(), use):
        return SAME_REGION
    return kind.same_region.get(ctx.cloud or "")


def check_same_region(ctx: CheckContext, use: TriggerUse, target_kind: str) -> None:
    """A source that can only start a target of its own region (the trigger kind, or the EventBridge route,
    says why). An `existing` bucket is where the spec says: its `region`, or the spec's."""
    kind = trigger_kind(use.trigger)
    why = _why_same_region(ctx, use)
    source = ctx.checkable().get(kind.source(use.trigger) or "")
    if not why or source is None:
        return
    source_region, target_region = regions_of(
        ctx.checkable(), ctx.data.get("region"), kind.source(use.trigger), use.target
    )
    if source_region != target_region:
        where = f"`region: {source_region}`"
        ctx.report(
            "AP406",
            f"`{kind.source(use.trigger)}` is in {source_region} and this {target_kind} in {target_region}: {why}; "
            f"give the {target_kind} {where}"
            + (" (or the bucket its real `region`)" if getattr(source, "existing", None) else ""),
            use.path + (kind.key,),
        )
