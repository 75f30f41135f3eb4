"""`aipipe validate` and `aipipe schema`: checking specs, and the JSON Schema editors check them with."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from aipipe.cli.common import StackOption, resolve_specs


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
      aipipe validate pipelines/ingest                 # the aipipe.yaml in that folder
      aipipe validate --format json pipelines/*/aipipe.yaml
      aipipe validate --format github --strict aipipe.yaml   # annotations in GitHub Actions
    """
    from aipipe.cli.validating import run_validate

    code = run_validate(resolve_specs(specs), output_format.value, stack, strict, echo=typer.echo)
    if code:
        raise typer.Exit(code)


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
