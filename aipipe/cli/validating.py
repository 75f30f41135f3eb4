"""`aipipe validate` without Typer: the command's work (shared with the Typer command in cli/check) and a quick
route for its plain forms, taken before Typer is imported.

Why: a pre-commit hook runs `aipipe validate` on every commit, and importing Typer and building its per-parameter
pydantic adapters costs about as much as Python and pydantic themselves (benchmarks/validate_speed.py). The quick
route understands only the plain forms — spec paths, `--format/-f text|json|github`, `--stack/-s NAME`, `--strict`
— and hands anything else (help, `--opt=value`, unknown switches, no spec and no ./aipipe.yaml) to the Typer
command, which therefore stays the one place for usage errors and help.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

DEFAULT_SPEC = "aipipe.yaml"
FORMATS = ("text", "json", "github")
_VALUED = {"--format": "output_format", "-f": "output_format", "--stack": "stack", "-s": "stack"}


def spec_paths(specs: list[Path]) -> list[Path]:
    """Folders stand for the aipipe.yaml inside them (the caller supplies ./aipipe.yaml when none is given)."""
    return [path / DEFAULT_SPEC if path.is_dir() and (path / DEFAULT_SPEC).is_file() else path for path in specs]


def run_validate(
    specs: list[Path], output_format: str, stack: str | None, strict: bool, echo: Callable[[str], None]
) -> int:
    """Validate every spec, print the report in `output_format` through `echo`, and return the exit code:
    0 valid, 1 an error (or a warning with `strict`), 2 a spec file that does not exist."""
    from aipipe.core.diagnostics import has_errors
    from aipipe.core.report import format_github, format_json, format_text, summary_line
    from aipipe.validation import load_spec

    results = [load_spec(str(path), stack) for path in specs]
    diagnostics = [d for result in results for d in result.diagnostics]
    if output_format == "json":
        echo(format_json(diagnostics, strict))
    elif output_format == "github":
        if diagnostics:
            echo(format_github(diagnostics))
    else:
        tty = colour_wanted()
        sources = {result.file: result.text.splitlines() for result in results} if tty else None
        if diagnostics:
            echo(format_text(diagnostics, colour=tty, sources=sources))
        for result in results:
            echo(summary_line(result.file, result.diagnostics, _describe(result.spec)))
    if any(not path.exists() for path in specs):
        return 2
    if has_errors(diagnostics) or (strict and diagnostics):
        return 1
    return 0


def colour_wanted() -> bool:
    """Colour diagnostics on a terminal, unless NO_COLOR is set (no-color.org)."""
    import os

    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _describe(spec) -> str:
    """`3 resources on aws, stacks: dev, prod` for a valid spec, '' otherwise."""
    if spec is None:
        return ""
    count = len(spec.resources)
    return f"{count} resource{'s' if count != 1 else ''} on {spec.cloud}, stacks: {', '.join(spec.stack_names)}"


def quick_arguments(argv: list[str]) -> dict | None:
    """`validate`'s arguments when `argv` is a plain form of it, else None (the Typer command takes it)."""
    if not argv or argv[0] != "validate":
        return None
    found: dict = {"specs": [], "output_format": "text", "stack": None, "strict": False}
    words = iter(argv[1:])
    for word in words:
        if word in _VALUED:
            value = next(words, None)
            if value is None or value.startswith("-"):
                return None
            found[_VALUED[word]] = value
        elif word == "--strict":
            found["strict"] = True
        elif word.startswith("-"):  # help, --opt=value, `--`, unknown switches: Typer's to explain
            return None
        else:
            found["specs"].append(Path(word))
    if found["output_format"] not in FORMATS:
        return None
    if not found["specs"]:
        if not Path(DEFAULT_SPEC).is_file():
            return None
        found["specs"] = [Path(DEFAULT_SPEC)]
    found["specs"] = spec_paths(found["specs"])
    return found


def quick_validate(argv: list[str]) -> int | None:
    """Run `validate` without Typer when `argv` is a plain form of it; None when the full CLI must run."""
    arguments = quick_arguments(argv)
    if arguments is None:
        return None
    return run_validate(**arguments, echo=_print)


def _print(text: str) -> None:
    sys.stdout.write(text + "\n")
