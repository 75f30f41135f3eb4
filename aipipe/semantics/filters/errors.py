"""Errors of the filter languages: what the cloud would refuse, said in one sentence with the fix."""

from __future__ import annotations

import json


class FilterError(ValueError):
    """A filter that the cloud would refuse; str(error) says what is wrong and how to fix it, in one sentence."""


def _show(value: object) -> str:
    """A short rendering of a user's value for an error message (never raises)."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        try:
            text = repr(value)
        except ValueError:  # an int too long to print
            text = f"a {type(value).__name__}"
    return text if len(text) <= 40 else text[:37] + "..."
