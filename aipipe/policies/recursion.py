"""AP501: functions that trigger themselves through a bucket (writing where created events start them, or deleting
where deleted events do), directly, through a queue the bucket fills, or through a workflow a bucket starts."""

from __future__ import annotations

from aipipe.core.cycles import find_cycles
from aipipe.core.diagnostics import Severity
from aipipe.core.locations import DataPath
from aipipe.kinds.registry import links_of
from aipipe.policies.base import Finding, PolicyCheck
from aipipe.triggers.bucket import BucketTrigger
from aipipe.triggers.queue import QueueTrigger

# what a function does to a bucket -> can that fire a trigger (an object deleted fires `deleted` triggers; on a
# versioned S3 bucket a delete that only adds a delete marker fires s3:ObjectRemoved:DeleteMarkerCreated too)
_FIRES = {"writes": BucketTrigger.fires_on_write, "deletes": BucketTrigger.fires_on_delete}
_HOW = {
    "writes": "each write creates objects that start the next function or workflow",
    "deletes": "each delete removes objects whose deleted events start the next function or workflow",
}


class RecursiveInvocation(PolicyCheck):
    code = "AP501"
    severity = Severity.ERROR
    title = "functions trigger themselves through a bucket"
    why = (
        "A function that writes into the bucket (and prefix) whose object-created events trigger it (or deletes "
        "where object-deleted events do) invokes itself again with every write, directly or through other "
        "functions, a queue the bucket fills, or a workflow that runs it. The loop runs, and is billed, until "
        "someone notices."
    )
    fix = (
        "Write to another bucket, or give the trigger and the write prefixes that cannot overlap "
        "(`triggers: [{bucket: raw, prefix: in/}]` with `writes: [raw/out/]`)."
    )

    def findings(self, ctx):
        triggered = {
            name: [t for t in getattr(resource, "triggers", ()) if isinstance(t, BucketTrigger)]
            for name, resource in ctx.checkable().items()
        }
        # a function polling a queue that bucket events fill is started by those events too
        for name, resource in ctx.checkable().items():
            for trigger in getattr(resource, "triggers", ()):
                if isinstance(trigger, QueueTrigger) and ctx.types.get(trigger.queue) == "queue":
                    triggered[name] = triggered[name] + triggered.get(trigger.queue, [])
        started = ("function", "workflow")
        edges: dict[str, set[str]] = {
            name: set() for name, resource in ctx.checkable().items() if resource.type in started
        }
        first_write: dict[tuple[str, str], tuple[DataPath, str]] = {}
        for name in edges:
            resource = ctx.checkable()[name]
            if resource.type == "workflow":  # a workflow runs the functions of its steps
                from aipipe.kinds.workflow.steps import invoked_functions  # loaded for specs with workflows only

                edges[name] |= {f for f in invoked_functions(resource.steps) if ctx.types.get(f) == "function"}
                continue
            for link in links_of(resource):
                if link.role not in _FIRES or ctx.types.get(link.target) != "bucket":
                    continue
                fires = _FIRES[link.role]
                for other, triggers in triggered.items():
                    # the same key-set rule as S3's own overlap check (aipipe.semantics.keys)
                    if other in edges and any(fires(t, link.target, link.prefix) for t in triggers):
                        edges[name].add(other)
                        first_write.setdefault((name, other), (ctx.at(name, *link.path), link.role))
        for cycle in find_cycles(edges):
            # start at a write (a workflow's edges are its steps): every loop holds one
            turn = next(i for i in range(len(cycle)) if (cycle[i], cycle[(i + 1) % len(cycle)]) in first_write)
            cycle = cycle[turn:] + cycle[:turn]
            start = cycle[0]
            following = cycle[1] if len(cycle) > 1 else start
            loop = " → ".join(cycle + [start])
            yield Finding(
                start,
                first_write[(start, following)][0],
                f"recursive invocation: {loop} ({_HOW[first_write[(start, following)][1]]})",
            )


CHECK = RecursiveInvocation()
