"""Function runtimes that existed once and can no longer be deployed (or soon cannot), with what to use
instead. Shared by both clouds; each cloud's own table (what it runs today) is in its module. As of 2026-11:
AWS Lambda runtimes page (docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html) and Cloud Functions
runtime support (cloud.google.com/functions/docs/runtime-support)."""

from __future__ import annotations

RETIRED_RUNTIMES: dict[str, str] = {
    **{f"python3.{minor}": "python3.12" for minor in range(6, 11)},
    **{f"nodejs{major}": "nodejs22" for major in (10, 12, 14, 16, 18, 20)},
    "java8": "java21",
    "java11": "java21",
    "go1.x": "go1.23",
}


def retired_on(cloud_retired: dict[str, str]) -> dict[str, str]:
    """The shared table plus what one cloud retired on its own."""
    return {**RETIRED_RUNTIMES, **cloud_retired}
