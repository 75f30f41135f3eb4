"""Rules every resource with `triggers` applies alike: whether a source and its target must share a region."""

from __future__ import annotations

from aipipe.spec.context import CheckContext
from aipipe.triggers.base import TriggerUse
from aipipe.triggers.eventbridge import SAME_REGION, bucket_via_eventbridge
from aipipe.triggers.registry import trigger_kind


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
    home = ctx.data.get("region")
    source_region, target_region = getattr(source, "region", None) or home, use.target.region or home
    if source_region != target_region:
        where = f"`region: {source_region}`"
        ctx.report(
            "AP406",
            f"`{kind.source(use.trigger)}` is in {source_region} and this {target_kind} in {target_region}: {why}; "
            f"give the {target_kind} {where}"
            + (" (or the bucket its real `region`)" if getattr(source, "existing", None) else ""),
            use.path + (kind.key,),
        )
