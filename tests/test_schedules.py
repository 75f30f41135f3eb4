"""Schedules parse once (EventBridge syntax) and become exactly what each cloud runs, or an error: never a
schedule that fires at other times than the spec says."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest

from aipipe.semantics.schedules import ScheduleError, parse_schedule, shortest_interval

# (expression, Cloud Scheduler's unix cron, or None when it has none)
CASES = [
    ("rate(1 minute)", "* * * * *"),
    ("rate(5 minutes)", "*/5 * * * *"),
    ("rate(60 minutes)", "0 * * * *"),
    ("rate(120 minutes)", "0 */2 * * *"),
    ("rate(1 hour)", "0 * * * *"),
    ("rate(6 hours)", "0 */6 * * *"),
    ("rate(24 hours)", "0 0 * * *"),
    ("rate(1 day)", "0 0 * * *"),
    ("rate(7 days)", "0 0 * * 0"),
    ("rate(90 minutes)", None),  # used to render */90 in the minute field: once an hour
    ("rate(7 minutes)", None),  # */7 fires at :56 and again at :00
    ("rate(5 hours)", None),  # 0 */5 fires at 20:00 and again at 00:00
    ("rate(45 days)", None),  # used to render a monthly cron
    ("cron(0 3 * * ? *)", "0 3 * * *"),
    ("cron(15 10 ? * MON-FRI *)", "15 10 * * MON-FRI"),
    ("cron(0 12 ? * 2-6 *)", "0 12 * * 1-5"),  # EventBridge Monday=2, unix Monday=1
    ("cron(0 12 ? * 1,7 *)", "0 12 * * 0,6"),
    ("cron(0/15 * * * ? *)", "0-59/15 * * * *"),
    ("cron(0 3 * * ? 2027)", None),
    ("cron(0 3 L * ? *)", None),
    ("cron(0 3 ? * 6L *)", None),
    ("cron(0 3 ? * 2#1 *)", None),
]


@pytest.mark.parametrize("expression, unix", CASES)
def test_cloud_scheduler_gets_the_exact_schedule_or_an_error(expression, unix):
    schedule = parse_schedule(expression)
    assert schedule.eventbridge() == expression
    if unix is None:
        with pytest.raises(ScheduleError):
            schedule.unix_cron()
    else:
        assert schedule.unix_cron() == unix


def _unix_fires(unix: str, start: datetime, count: int) -> list[datetime]:
    """An independent unix cron matcher for the forms above (lists, ranges, steps, names), minute by minute."""
    names = {"SUN": 0, "MON": 1, "TUE": 2, "WED": 3, "THU": 4, "FRI": 5, "SAT": 6}

    def allows(field: str, value: int, low: int, high: int) -> bool:
        for item in field.split(","):
            base, _, step = item.partition("/")
            if base == "*":
                first, last = low, high
            elif "-" in base:
                first, last = (int(names.get(p, p)) for p in base.split("-"))
            else:
                first = last = int(names.get(base, base))
            if first <= value <= last and (value - first) % int(step or 1) == 0:
                return True
        return False

    minute, hour, day, month, weekday = unix.split()
    found, moment = [], start
    while len(found) < count:
        moment += timedelta(minutes=1)
        if (
            allows(minute, moment.minute, 0, 59)
            and allows(hour, moment.hour, 0, 23)
            and allows(day, moment.day, 1, 31)
            and allows(month, moment.month, 1, 12)
            and allows(weekday, (moment.weekday() + 1) % 7, 0, 6)
        ):
            found.append(moment)
    return found


@pytest.mark.parametrize("expression", [e for e, unix in CASES if unix and e.startswith("rate(")])
def test_each_converted_rate_fires_at_exactly_its_interval(expression):
    schedule = parse_schedule(expression)
    fires = _unix_fires(schedule.unix_cron(), datetime(2026, 11, 22), 4)
    assert {b - a for a, b in itertools.pairwise(fires)} == {timedelta(seconds=schedule.rule.seconds)}


@pytest.mark.parametrize("expression", [e for e, unix in CASES if unix and e.startswith("cron(")])
def test_each_converted_cron_fires_when_eventbridge_would(expression):
    schedule = parse_schedule(expression)
    start = datetime(2026, 11, 22, 9, 59)
    expected, moment = [], start
    for _ in range(5):
        moment = schedule.next_after(moment)
        expected.append(moment)
    assert _unix_fires(schedule.unix_cron(), start, 5) == expected


@pytest.mark.parametrize(
    "expression, moment, expected",
    [
        ("cron(0 3 * * ? *)", datetime(2026, 11, 22, 3, 0), datetime(2026, 11, 23, 3, 0)),  # strictly after
        ("cron(0 12 ? * MON-FRI *)", datetime(2026, 11, 21, 13, 0), datetime(2026, 11, 23, 12, 0)),  # Sat -> Mon
        ("cron(0 0 L * ? *)", datetime(2026, 2, 1), datetime(2026, 2, 28)),
        ("cron(0 9 15W * ? *)", datetime(2026, 8, 1), datetime(2026, 8, 14, 9)),  # the 15th is a Saturday
        ("cron(30 10 ? * 6L *)", datetime(2026, 11, 1), datetime(2026, 11, 27, 10, 30)),  # last Friday
        ("cron(0 8 ? * 2#1 *)", datetime(2026, 11, 3), datetime(2026, 12, 7, 8)),  # first Monday
        ("cron(0 0 1 1 ? 2030)", datetime(2026, 11, 22), datetime(2030, 1, 1)),
    ],
)
def test_next_fire_time(expression, moment, expected):
    assert parse_schedule(expression).next_after(moment) == expected


def test_a_rate_counts_from_its_start():
    schedule = parse_schedule("rate(90 minutes)")
    start = datetime(2026, 11, 22, 10, 0)
    assert schedule.next_after(datetime(2026, 11, 22, 11, 29), start) == datetime(2026, 11, 22, 11, 30)
    assert schedule.next_after(datetime(2026, 11, 22, 11, 30), start) == datetime(2026, 11, 22, 13, 0)


@pytest.mark.parametrize(
    "text, words",
    [
        ("rate(0 minutes)", "at least 1"),
        ("rate(1 hours)", "rate(1 hour)"),
        ("rate(5 minute)", "rate(5 minutes)"),
        ("rate(2 weeks)", "minute(s), hour(s) or day(s)"),
        ("rate(1.5 hours)", "whole number"),
        ("cron(0 3 * * * *)", "exactly one of day-of-month and day-of-week"),
        ("cron(0 3 ? * ? *)", "exactly one of day-of-month and day-of-week"),
        ("cron(0 12 * * *)", "six fields"),
        ("cron(61 * * * ? *)", "minutes must be within 0-59"),
        ("cron(0 * * 13 ? *)", "month must be within 1-12"),
        ("cron(0 * ? * 8 *)", "day-of-week must be within 1-7"),
        ("cron(0 * * * ? 1969)", "year must be within 1970-2199"),
        ("cron(0 ? * * ? *)", "`?` is only for day-of-month or day-of-week"),
        ("cron(5-1 * * * ? *)", "from low to high"),
        ("cron(*/0 * * * ? *)", "at least 1"),
        ("cron(0 * ? * 2#6 *)", "1-5"),
        ("cron(0 * ? * 2/2 *)", "no `/` step"),
        ("every hour", "expected `rate(1 hour)`"),
        (3600, "is text"),
    ],
)
def test_malformed_schedules_say_what_to_write(text, words):
    with pytest.raises(ScheduleError, match=None) as caught:
        parse_schedule(text)
    assert words in str(caught.value)


@pytest.mark.parametrize(
    "expression, unix",
    [
        ("cron(0 3 1,15 * ? *)", "0 3 1,15 * *"),  # day-of-month kept when day-of-week is `?`
        ("cron(0 9 ? * MON,FRI *)", "0 9 * * MON,FRI"),
        ("cron(5,35/10 * * * ? *)", "5,35-59/10 * * * *"),  # each list item converted on its own
        ("cron(0 0-6/2 * * ? *)", "0 0-6/2 * * *"),  # a step on a range stays
        ("cron(0 0 * JAN-MAR ? *)", "0 0 * JAN-MAR *"),
    ],
)
def test_lists_ranges_and_steps_convert_item_by_item(expression, unix):
    assert parse_schedule(expression).unix_cron() == unix


@pytest.mark.parametrize(
    "expression, moment, expected",
    [
        ("cron(0 12 1,15 * ? *)", datetime(2026, 11, 2), datetime(2026, 11, 15, 12)),
        ("cron(0 12 ? * mon,fri *)", datetime(2026, 11, 24), datetime(2026, 11, 27, 12)),  # names in lowercase
        ("cron(0 12 ? * L *)", datetime(2026, 11, 22), datetime(2026, 11, 28, 12)),  # L alone: Saturday
        ("cron(0/20 9 * * ? *)", datetime(2026, 11, 22, 9, 5), datetime(2026, 11, 22, 9, 20)),
        ("cron(0 0 1W * ? *)", datetime(2026, 7, 30), datetime(2026, 8, 3)),  # the 1st is a Saturday: Monday the 3rd
        ("cron(0 0 31W * ? *)", datetime(2026, 5, 1), datetime(2026, 5, 29)),  # the 31st is a Sunday: Friday the 29th
        ("cron(0 0 31W * ? *)", datetime(2026, 2, 1), datetime(2026, 2, 27)),  # past the end: the last weekday
        ("cron(0 0 ? * 1-7 *)", datetime(2026, 11, 22, 10), datetime(2026, 11, 23)),
        ("cron(0 0 1 JAN,JUL ? *)", datetime(2026, 2, 1), datetime(2026, 7, 1)),
    ],
)
def test_next_fire_time_of_lists_names_and_nearest_weekdays(expression, moment, expected):
    assert parse_schedule(expression).next_after(moment) == expected


def test_a_rate_before_its_start_fires_one_period_after_it():
    start = datetime(2026, 11, 22, 12)
    assert parse_schedule("rate(1 hour)").next_after(datetime(2026, 11, 22, 10), start) == datetime(2026, 11, 22, 13)
    assert parse_schedule("rate(1 hour)").next_after(start, start) == datetime(2026, 11, 22, 13)


@pytest.mark.parametrize(
    "expression, words",
    [
        ("rate(90 minutes)", "`rate(90 minutes)` cannot run on Cloud Scheduler"),
        ("cron(0 3 * * ? 2027)", "`cron(0 3 * * ? 2027)`: Cloud Scheduler has no year field"),
        ("cron(0 3 ? * 2#1 *)", "`cron(0 3 ? * 2#1 *)`: Cloud Scheduler's unix cron has no `L`, `W` or `#`"),
        ("cron(0 3 15W * ? *)", "has no `L`, `W` or `#`"),
    ],
)
def test_what_cloud_scheduler_cannot_run_is_named_in_the_error(expression, words):
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(expression).unix_cron()
    assert words in str(caught.value)


def test_out_of_range_messages_name_the_range_and_the_names():
    with pytest.raises(ScheduleError, match=r"month must be within 1-12 or JAN-DEC, got 13"):
        parse_schedule("cron(0 0 1 13 ? *)")
    with pytest.raises(ScheduleError, match=r"day-of-week must be within 1-7 or SUN-SAT, got 0"):
        parse_schedule("cron(0 0 ? * 0 *)")
    with pytest.raises(ScheduleError, match=r"hours must be within 0-23, got 24$"):
        parse_schedule("cron(0 24 * * ? *)")


@pytest.mark.parametrize(
    "expression, moment, expected",
    [
        ("cron(* * * * ? *)", datetime(2026, 11, 22, 10, 7, 30), datetime(2026, 11, 22, 10, 8)),  # seconds dropped
        ("cron(* * * * ? *)", datetime(2026, 11, 22, 10, 7, 0, 500), datetime(2026, 11, 22, 10, 8)),
        ("cron(*/20 9 * * ? *)", datetime(2026, 11, 22, 9, 21), datetime(2026, 11, 22, 9, 40)),
        ("cron(0 0 L,15 * ? *)", datetime(2026, 11, 1), datetime(2026, 11, 15)),  # items after L still count
        ("cron(0 0 15,L * ? *)", datetime(2026, 11, 16), datetime(2026, 11, 30)),
        ("cron(0 0 ? * 6L *)", datetime(2026, 7, 1), datetime(2026, 7, 31)),  # July 31 is a Friday: not the 24th
        ("cron(0 0 ? * FRIL *)", datetime(2026, 7, 1), datetime(2026, 7, 31)),
        ("cron(0 8 ? * 4#1 *)", datetime(2026, 6, 30), datetime(2026, 7, 1, 8)),  # July 1 is the first Wednesday
        ("cron(0 8 ? * 4#2 *)", datetime(2026, 7, 2), datetime(2026, 7, 8, 8)),
        ("cron(0 0 2W * ? *)", datetime(2026, 4, 30), datetime(2026, 5, 1)),  # May 2 is a Saturday: Friday the 1st
        ("cron(0 0 15W * ? *)", datetime(2026, 3, 1), datetime(2026, 3, 16)),  # March 15 is a Sunday: Monday
        ("cron(0 0 1 1 ? 2199)", datetime(2026, 11, 22), datetime(2199, 1, 1)),  # the last year cron can name
    ],
)
def test_next_fire_time_at_the_edges(expression, moment, expected):
    assert parse_schedule(expression).next_after(moment) == expected


def test_a_schedule_that_never_fires_again_says_so():
    with pytest.raises(ScheduleError, match="never fires again"):
        parse_schedule("cron(0 0 1 1 ? 2026)").next_after(datetime(2026, 11, 22))


@pytest.mark.parametrize(
    "expression, unix",
    [
        ("cron(*/15 * * * ? *)", "*/15 * * * *"),  # a step on * stays as it is
        ("cron(10-20,30/5 * * * ? *)", "10-20,30-59/5 * * * *"),
        ("cron(0 3 ? * * *)", "0 3 * * *"),  # `*` day-of-week
    ],
)
def test_more_conversions(expression, unix):
    assert parse_schedule(expression).unix_cron() == unix


def test_the_gcp_refusal_says_which_schedule_and_why(write_spec):
    from aipipe.validation import load_spec

    path = write_spec(
        "aipipe: 1\nname: demo\ncloud: gcp\nregion: europe-west1\nresources:\n  fn:\n    type: function\n"
        "    runtime: python3.12\n    handler: main\n    code: ./app\n    triggers: [{schedule: rate(90 minutes)}]\n"
    )
    [error] = [d for d in load_spec(str(path), "dev").diagnostics if d.code == "AP407"]
    assert "`rate(90 minutes)` cannot run on Cloud Scheduler" in error.message
    assert error.path == "resources.fn.triggers[0].schedule"


def test_a_last_weekday_item_in_a_list_of_weekdays():
    # July 28 2026 is a Tuesday: the last Friday (31st) comes before the next Monday (August 3rd)
    assert parse_schedule("cron(0 0 ? * 6L,2 *)").next_after(datetime(2026, 7, 28)) == datetime(2026, 7, 31)


@pytest.mark.parametrize(
    "text, message",
    [
        ("cron(x 3 * * ? *)", "`x` is not a value of the minutes field (0-59)"),
        # Arabic-Indic three: str.isdigit() accepts it, EventBridge does not
        ("cron(\u0663 3 * * ? *)", "`\u0663` is not a value of the minutes field (0-59)"),
        ("cron(0 3 ? FOO MON *)", "`FOO` is not a value of the month field (1-12 or JAN-DEC)"),
        ("cron(0 3 ? * MONDAY *)", "`MONDAY` is not a value of the day-of-week field (1-7 or SUN-SAT)"),
        ("cron(0 3 35W * ? *)", "day-of-month must be within 1-31, got 35"),  # W reads the whole day before it
        ("cron(0 3 1xW * ? *)", "`1xW` is not a value of the day-of-month field (1-31)"),
        ("cron(0 3 ? * 2#3#4 *)", "`2#3#4`: the week after `#` is 1-5"),
        ("cron(*/x * * * ? *)", "`*/x`: the step after `/` must be a whole number of at least 1"),
        ("cron(0/5/2 * * * ? *)", "`0/5/2`: the step after `/` must be a whole number of at least 1"),
    ],
)
def test_items_are_read_whole_and_bad_values_named_with_the_fields_values(text, message):
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    "text",
    [
        "cron(0 3 ? * L *)",  # L alone in day-of-week: the last day of the week (EventBridge cron reference)
        "cron(0 3 ? * 2#3 *)",
        "cron(0 5-5 * * ? *)",  # a range of one value
        "cron(0 3 15W * ? *)",
    ],
)
def test_edge_items_eventbridge_accepts_are_accepted(text):
    assert parse_schedule(text).text == text


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("rate(1 hour)", 3600),
        ("rate(30 minutes)", 1800),
        ("cron(0 3 * * ? *)", 86400),
        ("cron(0,30 3 * * ? *)", 1800),
        ("cron(*/15 * * * ? *)", 900),
        ("cron(0 9 ? * MON-FRI *)", 86400),
        ("cron(0 0 1 * ? *)", 28 * 86400),
        ("cron(0 3 1 1 ? 2025)", None),  # fires once
    ],
)
def test_the_shortest_interval_of_a_schedule(text, seconds):
    assert shortest_interval(parse_schedule(text)) == seconds
