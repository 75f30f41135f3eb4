"""AP502: a subscription without a dead letter (except one a Dataflow job reads: Dataflow does not support dead
letters on its subscription, which validate refuses, AP408)."""

from __future__ import annotations

from aipipe.policies.base import Finding, PolicyCheck


class SubscriptionWithoutDeadLetter(PolicyCheck):
    code = "AP502"
    title = "a subscription has no dead letter"
    why = (
        "A message that always fails is redelivered until its retention runs out: it blocks or slows "
        "consumers and is lost in the end, with nothing left to inspect."
    )
    fix = "Add `dead_letter: {max_attempts: 5}`: failed messages move to a dead-letter topic/queue you can inspect."

    def findings(self, ctx):
        resources = ctx.checkable()
        read_by_dataflow = {r.input for r in resources.values() if r.type == "dataflow" and r.input}
        for name, resource in resources.items():
            if resource.type == "subscription" and resource.dead_letter is None and name not in read_by_dataflow:
                yield Finding(name, ctx.at(name), f"subscription `{name}` has no dead letter", at_key=True)


CHECK = SubscriptionWithoutDeadLetter()
