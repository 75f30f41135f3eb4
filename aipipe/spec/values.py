"""Scalar value types of the spec: durations, memory sizes, names, and the patterns that constrain them.

Each type is an `Annotated` pydantic type with a readable error and a JSON Schema that editors understand.
"""

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, PlainSerializer, PlainValidator, StringConstraints, WithJsonSchema
from pydantic_core import PydanticCustomError

from aipipe.semantics.backends import URL_PATTERN
from aipipe.semantics.schedules import Schedule, ScheduleError, parse_schedule

_DURATION = re.compile(r"^([0-9]+)(s|m|h|d)$")
_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_MEMORY = re.compile(r"^([0-9]+)(MB|GB|MiB|GiB)$")


def yaml_text(value: Any) -> str:
    """A value as YAML writes it, for messages: null, true, 'text'."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    return repr(value)


def parse_duration(value: Any) -> int:
    """Seconds from an integer or a string like `90s`, `15m`, `2h`, `7d`."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as 90s, 15m, 2h or 7d, got {yaml_text(value)}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("a duration cannot be negative")
        return value
    if isinstance(value, str):
        match = _DURATION.fullmatch(value.strip())
        if match:
            return int(match.group(1)) * _DURATION_UNITS[match.group(2)]
    raise ValueError(f"expected a duration such as 90s, 15m, 2h or 7d (or whole seconds), got {yaml_text(value)}")


def parse_memory(value: Any) -> int:
    """Megabytes from an integer or a string like `512MB`, `1GB`."""
    if isinstance(value, bool):
        raise ValueError(f"expected a memory size such as 512MB or 1GB, got {yaml_text(value)}")
    if isinstance(value, int):
        if value <= 0:
            raise ValueError("a memory size must be positive")
        return value
    if isinstance(value, str):
        match = _MEMORY.fullmatch(value.strip())
        if match:
            amount = int(match.group(1))
            return amount * 1024 if match.group(2) in ("GB", "GiB") else amount
    raise ValueError(f"expected a memory size such as 512MB or 1GB (or whole megabytes), got {yaml_text(value)}")


def format_duration(seconds: int) -> str:
    """The shortest exact way to write a duration: 600 -> 10m."""
    for unit in ("d", "h", "m"):
        if seconds and seconds % _DURATION_UNITS[unit] == 0:
            return f"{seconds // _DURATION_UNITS[unit]}{unit}"
    return f"{seconds}s"


def duration_range_problem(seconds: int, low: int, high: int) -> str | None:
    """`must be between 10s and 10m, got 15m`, or None when `seconds` is within [low, high]."""
    if low <= seconds <= high:
        return None
    return f"must be between {format_duration(low)} and {format_duration(high)}, got {format_duration(seconds)}"


def duration_between(low: int, high: int):
    """An AfterValidator that keeps a duration within [low, high] seconds."""

    def check(seconds: int) -> int:
        problem = duration_range_problem(seconds, low, high)
        if problem:
            raise PydanticCustomError("out_of_range", problem)
        return seconds

    check.bounds = (low, high)  # type: ignore[attr-defined]  # the range, for the generated docs/spec.md
    return AfterValidator(check)


def _coerce_text(value: Any) -> Any:
    # Numbers are fine where text is expected (tags `version: 2`, env `WORKERS: 4`); booleans are not,
    # because YAML 1.1 turns `no`/`on` into booleans and the user almost never means that.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


_DURATION_SCHEMA = {
    "anyOf": [
        {"type": "integer", "minimum": 0},
        {"type": "string", "pattern": _DURATION.pattern},
    ],
    "description": "Whole seconds, or a string such as 90s, 15m, 2h, 7d.",
}
_MEMORY_SCHEMA = {
    "anyOf": [
        {"type": "integer", "minimum": 1},
        {"type": "string", "pattern": _MEMORY.pattern},
    ],
    "description": "Whole megabytes, or a string such as 512MB, 1GB.",
}

Duration = Annotated[int, BeforeValidator(parse_duration), WithJsonSchema(_DURATION_SCHEMA)]
MemorySize = Annotated[int, BeforeValidator(parse_memory), WithJsonSchema(_MEMORY_SCHEMA)]
Text = Annotated[str, BeforeValidator(_coerce_text), WithJsonSchema({"type": ["string", "number"]})]

# Patterns, each with the sentence shown when a value does not match it.
PATTERNS: dict[str, str] = {}


def named_pattern(pattern: str, explanation: str, max_length: int | None = None):
    """A constrained str type whose mismatch error is explained in words, not as a regex."""
    PATTERNS[pattern] = explanation
    return Annotated[str, StringConstraints(pattern=pattern, max_length=max_length)]


PROJECT_NAME = r"^[a-z][a-z0-9-]{1,39}$"
RESOURCE_NAME = r"^[a-z][a-z0-9-]{0,39}$"
ProjectName = named_pattern(PROJECT_NAME, "2-40 characters: lowercase letters, digits and `-`, starting with a letter")
ResourceName = named_pattern(
    RESOURCE_NAME, "1-40 characters: lowercase letters, digits and `-`, starting with a letter (a bare resource name)"
)
StackName = named_pattern(RESOURCE_NAME, "1-40 characters: lowercase letters, digits and `-`, starting with a letter")
SecretName = named_pattern(
    r"^[A-Z_][A-Z0-9_]{0,127}$", "an environment-variable name: uppercase letters, digits and `_`"
)
EnvironmentName = named_pattern(
    r"^[A-Za-z_][A-Za-z0-9_]{0,127}$",
    "an environment-variable name: letters, digits and `_`, not starting with a digit",
)
OutputName = named_pattern(
    r"^[A-Za-z_][A-Za-z0-9_-]{0,127}$", "letters, digits, `_` and `-`, starting with a letter or `_`"
)
StepName = named_pattern(
    r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,79}$", "1-80 characters: letters, digits, spaces, `_`, `.` and `-`"
)
# An error a workflow step retries: an exception class name, or a Step Functions error like `States.Timeout`.
ErrorName = named_pattern(
    r"^[A-Za-z_][A-Za-z0-9_.]{0,127}$", "an error name: an exception class (`ValueError`) or `States.Timeout` style"
)
# A bucket may be narrowed to a key prefix: `curated/processed/`.
AccessTarget = named_pattern(
    r"^[a-z][a-z0-9-]{0,39}(/[^*?\s]*)?$",
    "a resource name, optionally followed by a key prefix for buckets (`curated` or `curated/processed/`)",
)
ExistingBucketName = named_pattern(
    r"^[a-z0-9][a-z0-9.\-_]{1,220}[a-z0-9]$",
    "a bucket name: lowercase letters, digits, `.`, `-` and `_` (3-63 characters; longer only with dots on gcp)",
)
ServiceAccountEmail = named_pattern(
    r"^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9.-]+\.iam\.gserviceaccount\.com$|^[0-9]+-compute@developer\.gserviceaccount\.com$",
    "a service account e-mail such as `dataflow-worker@my-project.iam.gserviceaccount.com`",
)


def _schedule(value: Any) -> Schedule:
    try:
        return parse_schedule(value)
    except ScheduleError as error:
        raise PydanticCustomError("schedule", str(error)) from None


# Parsed once (aipipe.semantics.schedules): a model holds the Schedule, which knows its form on each cloud.
ScheduleExpression = Annotated[
    Schedule,
    PlainValidator(_schedule),
    PlainSerializer(str),
    WithJsonSchema(
        {
            # the shape of both forms, for editors: singular unit for 1, six cron fields with exactly one `?`
            "type": "string",
            "pattern": r"^(rate\((1 (minute|hour|day)|([2-9]|[1-9][0-9]+) (minutes|hours|days))\)"
            r"|cron\(\S+ \S+ (\? \S+ [^?\s]\S*|[^?\s]\S* \S+ \?) \S+\))$",
            "description": "EventBridge syntax: `rate(1 hour)`, `rate(5 minutes)` or a six-field "
            "`cron(0 12 * * ? *)` (UTC).",
        }
    ),
]
BackendUrl = named_pattern(
    URL_PATTERN,
    "a state backend URL: file://…, s3://…, gs://…, azblob://… or https://api.pulumi.com",
)
