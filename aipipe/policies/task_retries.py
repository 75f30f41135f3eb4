"""AP503: a workflow task without a retry."""

from __future__ import annotations

from aipipe.policies.base import Finding, PolicyCheck


class TaskWithoutRetry(PolicyCheck):
    code = "AP503"
    title = "a workflow task has no retry"
    why = (
        "Lambda invocations fail transiently (throttling, cold-start timeouts, service errors). Without a "
        "retry, one such blip fails the whole workflow run."
    )
    fix = "Give the step `retry: {attempts: 3, interval: 2s, backoff: 2}`."

    def findings(self, ctx):
        for name, resource in ctx.checkable().items():
            if resource.type != "workflow":
                continue
            from aipipe.kinds.workflow.steps import walk  # the kind loads only for specs with workflows

            for visit in walk(resource.steps):
                if visit.task is not None and visit.task.retry is None:
                    yield Finding(
                        name, ctx.at(name, *visit.path), f"the step running `{visit.task.function}` has no retry"
                    )


CHECK = TaskWithoutRetry()
