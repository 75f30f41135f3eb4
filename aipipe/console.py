"""Output for people and machines: diagnostics as text (coloured on a terminal), JSON, or GitHub annotations.

Kept free of heavy imports: `validate` must stay fast, so colour uses plain ANSI codes, not rich.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable

from aipipe.diagnostics import Diagnostic, Severity, has_errors

_RED, _YELLOW, _BOLD, _DIM, _RESET = "\033[31m", "\033[33m", "\033[1m", "\033[2m", "\033[0m"


def mask_secrets(text: str, values) -> str:
    """`text` with every (non-empty) secret value replaced by [secret]."""
    for value in values:
        if value:
            text = text.replace(value, "[secret]")
    return text


def printable(text: str) -> str:
    """Escape control, format (bidi) and separator characters, so a spec's strings cannot move the cursor,
    hide text or start a line that CI reads as a command (`::error ...`)."""
    if text.isprintable():
        return text
    out = []
    for character in text:
        if character == " " or unicodedata.category(character) not in ("Cc", "Cf", "Cs", "Zl", "Zp", "Co", "Cn"):
            out.append(character)
        else:
            out.append(character.encode("unicode_escape").decode("ascii"))
    return "".join(out)


def format_text(diagnostics: list[Diagnostic], colour: bool = False, sources: dict[str, list[str]] | None = None) -> str:
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
        properties = (f"file={_escape_property(d.file)},line={d.line},col={d.column},"
                      f"title={_escape_property(d.code)}")
        lines.append(f"::{level} {properties}::{_escape_data(d.message)}")
    return "\n".join(lines)


def _short(value) -> str | None:
    """A short display of an input value, or None when it is too long to help in a tree."""
    if isinstance(value, (dict, list)):
        text = json.dumps(value, separators=(",", ":"))
    else:
        text = str(value)
    return printable(text) if len(text) <= 70 else None


def print_plan(plan, spec, file=None) -> None:
    """The plan as a tree (spec resource -> cloud resources with key inputs and what they wait for), then
    counts by type and the stack outputs. Uses rich; imported here so `validate` never loads it."""
    from rich.console import Console
    from rich.table import Table
    from rich.tree import Tree

    console = Console(file=file, highlight=False)
    by_urn = {resource.urn: resource for resource in plan.resources}
    children: dict[str, list] = {}
    for resource in plan.resources:
        children.setdefault(resource.parent, []).append(resource)
    title = f"[bold]{spec.header.name}[/] · stack [bold]{spec.stack}[/] · {spec.cloud} {spec.header.region}"
    tree = Tree(title)

    def add(branch, resource) -> None:
        label = f"[cyan]{resource.type}[/] [bold]{printable(resource.name)}[/]"
        node = branch.add(label)
        details = []
        for key, value in sorted(resource.inputs.items()):
            if key in ("tags", "labels", "tagsAll"):
                continue
            shown = _short(value)
            if shown is not None:
                details.append(f"{key}={shown}")
        waits = sorted(by_urn[d].name for d in resource.dependencies if d in by_urn and d != resource.parent)
        if details:
            node.add("[dim]" + _escape_markup(", ".join(details)) + "[/]")
        if waits:
            node.add("[dim]after: " + _escape_markup(", ".join(waits)) + "[/]")
        for child in children.get(resource.urn, []):
            add(node, child)

    roots = [r for r in plan.resources if r.parent not in by_urn]
    for resource in roots:
        add(tree, resource)
    console.print(tree)
    counts = Table(title="resources by type", show_header=True, header_style="bold")
    counts.add_column("type")
    counts.add_column("count", justify="right")
    for token, count in plan.by_type().items():
        counts.add_row(token, str(count))
    counts.add_row("[bold]total[/]", f"[bold]{len(plan.resources)}[/]")
    console.print(counts)
    if plan.outputs:
        console.print("[bold]outputs[/]")
        for name, value in plan.outputs.items():
            console.print(f"  {_escape_markup(printable(name))} = {_escape_markup(_short(value) or '…')}")


def _escape_markup(text: str) -> str:
    from rich.markup import escape

    return escape(text)
