"""Schedule triggers: run on a schedule, `rate(1 hour)` or `cron(0 12 * * ? *)`.

aws: an EventBridge rule with the function as its target, and the permission EventBridge needs.
gcp: a Cloud Scheduler job calling the function over HTTP with an OIDC token of the function's account.
"""

from __future__ import annotations

from aipipe.clouds.aws import AWS
from aipipe.semantics.symbols import Child
from aipipe.spec.model import StrictModel
from aipipe.spec.values import ScheduleExpression
from aipipe.triggers.base import TriggerKind, TriggerUse


class ScheduleTrigger(StrictModel):
    """Run on a schedule: `rate(1 hour)` or `cron(0 12 * * ? *)`."""

    schedule: ScheduleExpression


def unix_cron(schedule: str) -> str:
    """An EventBridge-style `rate(...)`/`cron(...)` as the unix cron Cloud Scheduler takes."""
    if schedule.startswith("rate("):
        amount, unit = schedule[5:-1].split()
        every = f"*/{amount}" if amount != "1" else "*"
        return {"minute": f"{every} * * * *", "hour": f"0 {every} * * *", "day": f"0 0 {every} * *"}[unit.rstrip("s")]
    minute, hour, day, month, weekday, _year = schedule[5:-1].split()
    if weekday.isdigit():  # EventBridge counts Sunday as 1, cron as 0
        weekday = str(int(weekday) - 1)
    return " ".join(part.replace("?", "*") for part in (minute, hour, day, month, weekday))


def _invoke_permission() -> dict:
    """What the lambda.Permission says: events may invoke the function."""
    return {"action": "lambda:InvokeFunction", "principal": AWS.principals["events"]}


def _aws_function(spec, use: TriggerUse) -> dict:
    return {"template": "triggers/schedule/aws-function.py.j2", "position": use.position, **_invoke_permission(),
            "schedule": use.trigger.schedule, "rule": Child(use.owner, f"schedule_{use.position}")}


def _gcp_function(spec, use: TriggerUse) -> dict:
    return {"template": "triggers/schedule/gcp-function.py.j2", "position": use.position,
            "cron": unix_cron(use.trigger.schedule), "region": spec.header.region}


TRIGGER = TriggerKind(
    key="schedule",
    model=ScheduleTrigger,
    source_kinds=(),
    label=lambda trigger: trigger.schedule,
    wiring={("aws", "function"): _aws_function, ("gcp", "function"): _gcp_function},
)
