"""Diagnostics for people and machines: text (coloured on a terminal), JSON, or GitHub annotations.

Kept free of heavy imports: `validate` must stay fast, so colour uses plain ANSI codes, not rich.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from aipipe.core.diagnostics import Diagnostic, Severity, has_errors
from aipipe.core.text import printable

_RED, _YELLOW, _BOLD, _DIM, _RESET = "\033[31m", "\033[33m", "\033[1m", "\033[2m", "\033[0m"


def format_text(
    diagnostics: list[Diagnostic], colour: bool = False, sources: dict[str, list[str]] | None = None
) -> str:
    """`file:line:col: CODE message`, one per line; warnings say so. With `sources`, each is followed by the
    offending line and a caret under the column."""
    lines = []
    for d in diagnostics:
        marker = " [warning]" if d.severity is Severity.WARNING else ""
        where = f"{printable(d.file)}:{d.line}:{d.column}:"
        message = printable(d.message)
        if colour:
            tint = _YELLOW if d.severity is Severity.WARNING else _RED
            lines.append(f"{_BOLD}{where}{_RESET} {tint}{d.code}{marker}{_RESET} {message}")
        else:
            lines.append(f"{where} {d.code}{marker} {message}")
        source_lines = (sources or {}).get(d.file)
        if source_lines and 0 < d.line <= len(source_lines):
            text = printable(source_lines[d.line - 1].rstrip("\n"))
            gutter = f"{d.line:>5} | "
            lines.append(f"{_DIM if colour else ''}{gutter}{text}{_RESET if colour else ''}")
            lines.append(" " * (len(gutter) + d.column - 1) + "^")
    return "\n".join(lines)


def summary_line(file: str, diagnostics: list[Diagnostic], detail: str = "") -> str:
    """`spec.yaml: valid (…)` or `spec.yaml: 2 errors, 1 warning`."""
    errors = sum(d.severity is Severity.ERROR for d in diagnostics if d.file == file)
    warnings = sum(d.severity is Severity.WARNING for d in diagnostics if d.file == file)
    if not errors and not warnings:
        return f"{printable(file)}: valid{f' ({detail})' if detail else ''}"
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    return f"{printable(file)}: {', '.join(parts)}"


def format_json(diagnostics: list[Diagnostic], strict: bool = False) -> str:
    """The JSON document of `validate --format json`."""
    valid = not has_errors(diagnostics) and not (strict and diagnostics)
    return json.dumps({"valid": valid, "diagnostics": [d.to_json() for d in diagnostics]}, indent=2)


def _escape_data(text: str) -> str:
    return printable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(diagnostics: Iterable[Diagnostic]) -> str:
    """GitHub Actions workflow commands: each diagnostic becomes an annotation on the pull request."""
    lines = []
    for d in diagnostics:
        level = "warning" if d.severity is Severity.WARNING else "error"
        properties = f"file={_escape_property(d.file)},line={d.line},col={d.column},title={_escape_property(d.code)}"
        lines.append(f"::{level} {properties}::{_escape_data(d.message)}")
    return "\n".join(lines)
