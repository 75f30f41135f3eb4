"""Schedules, parsed once: the `rate(...)` / `cron(...)` expressions of the spec (EventBridge syntax), what
they become on each cloud, and when they next fire.

Syntax (docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html):
- `rate(value unit)`: a positive whole number; unit minute(s), hour(s) or day(s), singular exactly when the
  value is 1 (`rate(1 hour)`, `rate(5 minutes)`; AWS refuses `rate(1 hours)` and `rate(5 hour)`).
- `cron(minutes hours day-of-month month day-of-week year)`, six fields in UTC. Exactly one of day-of-month
  and day-of-week is `?` ("If you specify a value or a * in one of the fields, you must use a ? in the other").

Cloud Scheduler (GCP) takes five-field unix cron only (cloud.google.com/scheduler/docs/configuring/
cron-job-schedules): no year, no `L`, `W` or `#`, Sunday is 0. A schedule that cannot be written there exactly
— a rate that does not divide the hour or the day, such as `rate(90 minutes)` — is refused, never rounded.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise

UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_RATE = re.compile(r"rate\((\S+) (\S+)\)")
_CRON = re.compile(r"cron\((.*)\)")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")  # EventBridge numbers them 1-7


class ScheduleError(ValueError):
    """A schedule expression that is malformed, or that a cloud cannot run; the message says how to fix it."""


@dataclass(frozen=True)
class Field:
    """One cron field: its name, value range, names for values, and the special characters it allows."""

    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()  # names[0] is `low`
    specials: str = ""  # of ? L W #


_FIELDS = (
    Field("minutes", 0, 59),
    Field("hours", 0, 23),
    Field("day-of-month", 1, 31, specials="?LW"),
    Field("month", 1, 12, _MONTHS),
    Field("day-of-week", 1, 7, _DAYS, specials="?L#"),
    Field("year", 1970, 2199),
)


@dataclass(frozen=True)
class Rate:
    """`rate(amount unit)`: fires every `seconds` seconds, counted from when the schedule is created."""

    amount: int
    unit: str  # minute | hour | day

    @property
    def seconds(self) -> int:
        return self.amount * UNIT_SECONDS[self.unit]


@dataclass(frozen=True)
class Cron:
    """The six EventBridge cron fields, as written (validated)."""

    minutes: str
    hours: str
    day_of_month: str
    month: str
    day_of_week: str
    year: str


@dataclass(frozen=True)
class Schedule:
    """A validated schedule expression. `text` is what EventBridge, DataSync and the spec write."""

    text: str
    rule: Rate | Cron

    def __str__(self) -> str:
        return self.text

    def eventbridge(self) -> str:
        """The expression for EventBridge rules and DataSync tasks (the spec already uses their syntax)."""
        return self.text

    def unix_cron(self) -> str:
        """The five-field unix cron Cloud Scheduler takes, firing exactly when this schedule does.
        Raises ScheduleError when no unix cron does."""
        if isinstance(self.rule, Rate):
            return _rate_as_unix_cron(self.rule, self.text)
        return _cron_as_unix_cron(self.rule, self.text)

    def next_after(self, moment: datetime, start: datetime | None = None) -> datetime:
        """The first time after `moment` (naive UTC) this schedule fires; a rate counts from `start`
        (default: `moment`, as a schedule created now)."""
        if isinstance(self.rule, Rate):
            origin = start or moment
            period = timedelta(seconds=self.rule.seconds)
            # the first firing is one period after the start; then every period
            return origin + period * max(1, (moment - origin) // period + 1)
        return _next_cron(self.rule, moment)


def shortest_interval(schedule: Schedule, firings: int = 500) -> int | None:
    """The shortest time, in seconds, between two firings of a schedule: a rate's period, or for a cron the
    smallest gap among its first `firings` firings from the start of 2025 (enough to meet every combination of
    its minute and hour fields). None when it fires fewer than twice from then (a cron of one past year)."""
    if isinstance(schedule.rule, Rate):
        return schedule.rule.seconds
    moment, times = datetime(2025, 1, 1), []
    for _ in range(firings):
        try:
            moment = schedule.next_after(moment)
        except ScheduleError:  # it never fires again
            break
        times.append(moment)
    gaps = [int((later - earlier).total_seconds()) for earlier, later in pairwise(times)]
    return min(gaps) if gaps else None


def parse_schedule(text: str) -> Schedule:
    """Parse and validate `rate(...)` or `cron(...)`; raises ScheduleError saying what is wrong."""
    if not isinstance(text, str):
        raise ScheduleError("a schedule is text: `rate(1 hour)` or `cron(0 12 * * ? *)`")
    rate, cron = _RATE.fullmatch(text), _CRON.fullmatch(text)
    if rate:
        return Schedule(text, _parse_rate(rate.group(1), rate.group(2)))
    if cron:
        return Schedule(text, _parse_cron(cron.group(1)))
    raise ScheduleError(f"expected `rate(1 hour)`, `rate(5 minutes)` or a six-field `cron(0 12 * * ? *)`, got {text!r}")


def _parse_rate(amount_text: str, unit_text: str) -> Rate:
    if not amount_text.isascii() or not amount_text.isdigit():
        raise ScheduleError(f"a rate needs a whole number of units, got `{amount_text}`")
    amount = int(amount_text)
    if amount == 0:
        raise ScheduleError("a rate must be at least 1: `rate(0 ...)` never fires")
    unit = unit_text.removesuffix("s")
    if unit not in UNIT_SECONDS:
        raise ScheduleError(f"the unit of a rate is minute(s), hour(s) or day(s), got `{unit_text}`")
    wanted = unit if amount == 1 else unit + "s"
    if unit_text != wanted:
        raise ScheduleError(
            f"write `rate({amount} {wanted})`: AWS requires the singular unit for 1 and the plural otherwise"
        )
    return Rate(amount, unit)


def _parse_cron(body: str) -> Cron:
    parts = body.split()
    if len(parts) != 6 or body != " ".join(parts):
        raise ScheduleError(
            "a cron schedule has six fields separated by single spaces: minutes hours "
            f"day-of-month month day-of-week year, e.g. `cron(0 12 * * ? *)`; got `cron({body})`"
        )
    for field, value in zip(_FIELDS, parts, strict=True):
        _check_field(field, value)
    day_of_month, day_of_week = parts[2], parts[4]
    if (day_of_month == "?") == (day_of_week == "?"):
        raise ScheduleError(
            "exactly one of day-of-month and day-of-week must be `?` (AWS cannot combine them): "
            "e.g. `cron(0 3 * * ? *)` every day, `cron(0 3 ? * MON *)` every Monday"
        )
    return Cron(*parts)


def _number(field: Field, text: str) -> int:
    upper = text.upper()
    if field.names and upper in field.names:
        return field.low + field.names.index(upper)
    if not text.isascii() or not text.isdigit():
        raise ScheduleError(f"`{text}` is not a value of the {field.name} field ({_range(field)})")
    value = int(text)
    if not field.low <= value <= field.high:
        raise ScheduleError(f"{field.name} must be within {_range(field)}, got {value}")
    return value


def _range(field: Field) -> str:
    names = f" or {field.names[0]}-{field.names[-1]}" if field.names else ""
    return f"{field.low}-{field.high}{names}"


def _check_field(field: Field, value: str) -> None:
    if value == "?":
        if "?" not in field.specials:
            raise ScheduleError(f"`?` is only for day-of-month or day-of-week, not {field.name}")
        return
    for item in value.split(","):
        _check_item(field, item)


def _check_item(field: Field, item: str) -> None:
    if item == "L" and "L" in field.specials:
        return
    if field.name == "day-of-month" and item.endswith("W") and item[:-1].isdigit():
        _number(field, item[:-1])
        return
    if field.name == "day-of-week" and item.endswith("L") and len(item) > 1:
        _number(field, item[:-1])
        return
    if "#" in item and "#" in field.specials:
        day, _, nth = item.partition("#")
        _number(field, day)
        if nth not in ("1", "2", "3", "4", "5"):
            raise ScheduleError(f"`{item}`: the week after `#` is 1-5")
        return
    base, slash, step = item.partition("/")
    if slash:
        if field.name == "day-of-week":
            raise ScheduleError(f"`{item}`: day-of-week takes no `/` step")
        if not step.isascii() or not step.isdigit() or int(step) == 0:
            raise ScheduleError(f"`{item}`: the step after `/` must be a whole number of at least 1")
    if base == "*":
        return
    low, dash, high = base.partition("-")
    first = _number(field, low)
    if dash and _number(field, high) < first:
        raise ScheduleError(f"`{item}`: a range runs from low to high")


# --- Cloud Scheduler --------------------------------------------------------------------------------------


def _rate_as_unix_cron(rate: Rate, text: str) -> str:
    minutes = rate.seconds // 60
    if minutes < 60 and 60 % minutes == 0:
        return "* * * * *" if minutes == 1 else f"*/{minutes} * * * *"
    hours, rest = divmod(minutes, 60)
    if not rest and hours < 24 and 24 % hours == 0:
        return "0 * * * *" if hours == 1 else f"0 */{hours} * * *"
    if minutes == 24 * 60:
        return "0 0 * * *"
    if minutes == 7 * 24 * 60:
        return "0 0 * * 0"
    raise ScheduleError(
        f"`{text}` cannot run on Cloud Scheduler, whose unix cron repeats within an hour, a day or "
        "a week: use a rate that divides the hour or the day (such as 30 minutes or 2 hours), "
        "1 day, 7 days, or a `cron(...)` with the exact times"
    )


def _cron_as_unix_cron(cron: Cron, text: str) -> str:
    if cron.year != "*":
        raise ScheduleError(f"`{text}`: Cloud Scheduler has no year field; use `*` for the year")
    for value in (cron.day_of_month, cron.day_of_week):
        if re.search(r"[LW#]", value):
            raise ScheduleError(f"`{text}`: Cloud Scheduler's unix cron has no `L`, `W` or `#`; name the days instead")
    day_of_week = (
        "*" if cron.day_of_week == "?" else ",".join(_unix_weekday(item) for item in cron.day_of_week.split(","))
    )
    day_of_month = "*" if cron.day_of_month == "?" else cron.day_of_month
    fields = (cron.minutes, cron.hours, day_of_month, cron.month)
    return " ".join([_unix_steps(_FIELDS[position], value) for position, value in enumerate(fields)] + [day_of_week])


def _unix_steps(field: Field, value: str) -> str:
    # EventBridge's `5/15` (from 5, every 15) is `5-59/15` in unix cron, which has steps only on `*` and ranges.
    items = []
    for item in value.split(","):
        base, slash, step = item.partition("/")
        if slash and base != "*" and "-" not in base:
            item = f"{base}-{field.high}/{step}"
        items.append(item)
    return ",".join(items)


def _unix_weekday(item: str) -> str:
    # EventBridge numbers Sunday 1 .. Saturday 7; unix cron Sunday 0 .. Saturday 6. Names (and *) are the same.
    return "-".join(str(int(part) - 1) if part.isdigit() else part for part in item.split("-"))


# --- next fire time -----------------------------------------------------------------------------------------


def _expand(field: Field, value: str) -> set[int]:
    """The plain values a field allows (`L`, `W` and `#` items are matched per day, not expanded)."""
    found: set[int] = set()
    for item in value.split(","):
        base, slash, step = item.partition("/")
        if base == "*":
            low, high = field.low, field.high
        elif "-" in base:
            first, last = base.split("-")
            low, high = _number(field, first), _number(field, last)
        elif base.isdigit() or base.upper() in field.names:
            low = _number(field, base)
            high = field.high if slash else low
        else:
            continue  # L, W or # items
        found.update(range(low, high + 1, int(step) if slash else 1))
    return found


def _day_matches(cron: Cron, day: date) -> bool:
    last = calendar.monthrange(day.year, day.month)[1]
    weekday = (day.weekday() + 1) % 7 + 1  # Monday -> 2 ... Sunday -> 1
    if cron.day_of_month != "?":
        for item in cron.day_of_month.split(","):
            if item == "L" and day.day == last:
                return True
            if item.endswith("W") and day.day == _nearest_weekday(day, int(item[:-1]), last):  # validated: 15W
                return True
        return day.day in _expand(_FIELDS[2], cron.day_of_month)
    for item in cron.day_of_week.split(","):
        if item == "L" and weekday == 7:
            return True
        if item.endswith("L") and len(item) > 1 and weekday == _number(_FIELDS[4], item[:-1]) and day.day + 7 > last:
            return True
        if "#" in item:
            target, nth = item.split("#")
            if weekday == _number(_FIELDS[4], target) and (day.day - 1) // 7 + 1 == int(nth):
                return True
    return weekday in _expand(_FIELDS[4], cron.day_of_week)


def _nearest_weekday(day: date, target: int, last: int) -> int:
    target = min(target, last)
    weekday = date(day.year, day.month, target).weekday()  # Monday 0 .. Sunday 6
    if weekday == 5:
        return target - 1 if target > 1 else target + 2
    if weekday == 6:
        return target + 1 if target < last else target - 2
    return target


def _next_cron(cron: Cron, moment: datetime) -> datetime:
    minutes = sorted(_expand(_FIELDS[0], cron.minutes))
    hours = sorted(_expand(_FIELDS[1], cron.hours))
    months, years = _expand(_FIELDS[3], cron.month), _expand(_FIELDS[5], cron.year)
    start = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    day = start.date()
    while day.year <= _FIELDS[5].high:
        if day.year in years and day.month in months and _day_matches(cron, day):
            for hour in hours:
                for minute in minutes:
                    candidate = datetime.combine(day, time(hour, minute))
                    if candidate >= start:
                        return candidate
        day += timedelta(days=1)
    raise ScheduleError("this schedule never fires again")
