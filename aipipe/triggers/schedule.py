"""Schedule triggers: run on a schedule, `rate(1 hour)` or `cron(0 12 * * ? *)`.

aws: an EventBridge rule with the function as its target, and the permission EventBridge needs.
gcp: a Cloud Scheduler job calling the function over HTTP with an OIDC token of the function's caller account
(which may only invoke it); a schedule its unix cron cannot express exactly (`rate(90 minutes)`) is refused there
(aipipe.semantics.schedules).
"""

from __future__ import annotations

from aipipe.clouds.aws import AWS
from aipipe.semantics.schedules import ScheduleError
from aipipe.semantics.symbols import Child
from aipipe.spec.context import CheckContext
from aipipe.spec.model import StrictModel
from aipipe.spec.values import ScheduleExpression
from aipipe.triggers.base import TriggerKind, TriggerUse


class ScheduleTrigger(StrictModel):
    """Run on a schedule: `rate(1 hour)` or `cron(0 12 * * ? *)`."""

    schedule: ScheduleExpression


def _check(ctx: CheckContext, use: TriggerUse) -> None:
    if ctx.cloud == "gcp":
        try:
            use.trigger.schedule.unix_cron()
        except ScheduleError as error:
            ctx.report("AP407", str(error), use.path + ("schedule",))


def _invoke_permission() -> dict:
    """What the lambda.Permission says: events may invoke the function."""
    return {"action": "lambda:InvokeFunction", "principal": AWS.principals["events"]}


def _aws_function(spec, use: TriggerUse) -> dict:
    return {
        "template": "triggers/schedule/aws-function.py.j2",
        "position": use.position,
        **_invoke_permission(),
        "schedule": use.trigger.schedule.eventbridge(),
        "rule": Child(use.owner, f"schedule_{use.position}"),
    }


def _gcp_function(spec, use: TriggerUse) -> dict:
    return {
        "template": "triggers/schedule/gcp-function.py.j2",
        "position": use.position,
        "cron": use.trigger.schedule.unix_cron(),
        "region": spec.header.region,
    }


def takes(trigger: ScheduleTrigger, happened: str, detail) -> bool:
    """A firing of the schedule (locally: `aipipe run --fire`)."""
    return happened == "schedule"


TRIGGER = TriggerKind(
    key="schedule",
    model=ScheduleTrigger,
    source_kinds=(),
    label=lambda trigger: str(trigger.schedule),
    check=_check,
    wiring={("aws", "function"): _aws_function, ("gcp", "function"): _gcp_function},
    invocation={"aws": "async"},
    takes=takes,
)
