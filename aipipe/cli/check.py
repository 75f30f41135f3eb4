"""`aipipe validate` and `aipipe schema`: checking specs, and the JSON Schema editors check them with."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from aipipe.cli.common import StackOption, colour_wanted, resolve_specs


class OutputFormat(str, enum.Enum):
    """How `validate` prints diagnostics."""

    text = "text"
    json = "json"
    github = "github"


def validate(
    specs: Annotated[
        Optional[list[Path]],
        typer.Argument(
            help="Spec files, or folders holding an aipipe.yaml (default: ./aipipe.yaml).", show_default=False
        ),
    ] = None,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="text for people, json for tools, github for Actions.")
    ] = OutputFormat.text,
    stack: StackOption = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
) -> None:
    """Check specs and report every problem at once, each at its file:line:column.

    Exit code 0 when every spec is valid, 1 when any has an error (or a warning with --strict),
    2 when a file cannot be found.

    \b
    Examples:
      aipipe validate                                  # ./aipipe.yaml
      aipipe validate specs/event-driven-ingest        # the aipipe.yaml in that folder
      aipipe validate --format json specs/*/aipipe.yaml
      aipipe validate --format github --strict aipipe.yaml   # annotations in GitHub Actions
    """
    from aipipe.core.diagnostics import has_errors
    from aipipe.core.report import format_github, format_json, format_text, summary_line
    from aipipe.validation import load_spec

    specs = resolve_specs(specs)
    results = [load_spec(str(path), stack) for path in specs]
    diagnostics = [d for result in results for d in result.diagnostics]
    if output_format is OutputFormat.json:
        typer.echo(format_json(diagnostics, strict))
    elif output_format is OutputFormat.github:
        if diagnostics:
            typer.echo(format_github(diagnostics))
    else:
        tty = colour_wanted()
        sources = {result.file: result.text.splitlines() for result in results} if tty else None
        if diagnostics:
            typer.echo(format_text(diagnostics, colour=tty, sources=sources))
        for result in results:
            typer.echo(summary_line(result.file, result.diagnostics, _describe(result.spec)))
    if any(not path.exists() for path in specs):
        raise typer.Exit(2)
    if has_errors(diagnostics) or (strict and diagnostics):
        raise typer.Exit(1)


def _describe(spec) -> str:
    """`3 resources on aws, stacks: dev, prod` for a valid spec, '' otherwise."""
    if spec is None:
        return ""
    count = len(spec.resources)
    return f"{count} resource{'s' if count != 1 else ''} on {spec.cloud}, stacks: {', '.join(spec.stack_names)}"


def schema(
    output: Annotated[
        Optional[Path], typer.Option("--output", "-o", help="Write to this file instead of standard output.")
    ] = None,
) -> None:
    """Print the JSON Schema of the spec, for editors (YAML language server) and other validators.

    \b
    Put this first line in a spec to get completion and checks in VS Code and friends:
      # yaml-language-server: $schema=./aipipe.schema.json
    """
    from aipipe.schema import spec_json_schema_text

    text = spec_json_schema_text()
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}", err=True)
