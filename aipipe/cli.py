"""The `aipipe` command line. Each command parses its switches, calls one core function and maps the
outcome to an exit code: 0 success, 1 invalid spec or failed operation, 2 wrong usage, 130 interrupted.

Heavy modules (pulumi, rich) are imported inside the commands that need them, never at import time, so
`aipipe --help` and `aipipe validate` stay fast.
"""

from __future__ import annotations

import enum
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from aipipe import __version__

app = typer.Typer(
    name="aipipe",
    help=(
        "Declarative cloud pipelines for AI training data: a YAML spec in git becomes real infrastructure on "
        "AWS and GCP, through Pulumi.\n\n"
        "Start with `aipipe validate specs/event-driven-ingest/aipipe.yaml`; `aipipe schema` gives editors "
        "completion."
    ),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,  # never show locals (they may hold secrets)
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class OutputFormat(str, enum.Enum):
    """How `validate` prints diagnostics."""

    text = "text"
    json = "json"
    github = "github"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"aipipe {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = None,
) -> None:
    """Declarative cloud pipelines for AI training data."""


SpecArgument = Annotated[Path, typer.Argument(help="A spec file (aipipe.yaml).", show_default=False)]
StackOption = Annotated[
    Optional[str],
    typer.Option("--stack", "-s", help="Stack whose overrides apply (default: dev; validate checks every stack)."),
]


@app.command()
def validate(
    specs: Annotated[
        Optional[list[Path]],
        typer.Argument(help="Spec files, or folders holding an aipipe.yaml (default: ./aipipe.yaml).",
                       show_default=False),
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
    from aipipe.console import format_github, format_json, format_text, summary_line
    from aipipe.diagnostics import has_errors
    from aipipe.spec import load_spec

    specs = _resolve_specs(specs)
    results = [load_spec(str(path), stack) for path in specs]
    diagnostics = [d for result in results for d in result.diagnostics]
    if output_format is OutputFormat.json:
        typer.echo(format_json(diagnostics, strict))
    elif output_format is OutputFormat.github:
        if diagnostics:
            typer.echo(format_github(diagnostics))
    else:
        tty = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        sources = {result.file: result.text.splitlines() for result in results} if tty else None
        if diagnostics:
            typer.echo(format_text(diagnostics, colour=tty, sources=sources))
        for result in results:
            detail = ""
            if result.spec is not None:
                spec = result.spec
                count = len(spec.resources)
                detail = f"{count} resource{'s' if count != 1 else ''} on {spec.cloud}, stacks: {', '.join(spec.stack_names)}"
            typer.echo(summary_line(result.file, result.diagnostics, detail))
    if any(not path.exists() for path in specs):
        raise typer.Exit(2)
    if has_errors(diagnostics) or (strict and diagnostics):
        raise typer.Exit(1)


DEFAULT_SPEC = "aipipe.yaml"


def _resolve_specs(specs: Optional[list[Path]]) -> list[Path]:
    """Folders stand for the aipipe.yaml inside them; no argument means ./aipipe.yaml."""
    if not specs:
        if not Path(DEFAULT_SPEC).is_file():
            raise typer.BadParameter(f"no spec given and there is no ./{DEFAULT_SPEC} here", param_hint="SPEC")
        return [Path(DEFAULT_SPEC)]
    return [path / DEFAULT_SPEC if path.is_dir() and (path / DEFAULT_SPEC).is_file() else path for path in specs]


@app.command()
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


def _load_valid(spec_path: Path, stack: Optional[str]):
    """Validate a spec for one stack; print its problems and exit 1 when it has errors."""
    from aipipe.console import format_text
    from aipipe.spec import DEFAULT_STACK, load_spec

    result = load_spec(str(spec_path), stack or DEFAULT_STACK)
    if not result.valid or result.spec is None:
        typer.echo(format_text(result.diagnostics), err=True)
        typer.echo(f"{spec_path}: not rendered; fix the problems above (`aipipe validate` lists them)", err=True)
        raise typer.Exit(1)
    return result.spec


@app.command()
def render(
    spec: Annotated[Path, typer.Argument(help="The spec file (or a folder with an aipipe.yaml).", show_default=False)],
    output: Annotated[
        Optional[Path],
        typer.Option("--output", "-o", help="Folder for the project (default: .aipipe/<stack>/program beside the spec)."),
    ] = None,
    stack: StackOption = None,
) -> None:
    """Write the Pulumi project for a spec: Pulumi.yaml, __main__.py, requirements.txt.

    The program is plain Pulumi: `pulumi up` runs it as it is, so taking it over (ejecting) is one command.

    \b
    Examples:
      aipipe render specs/event-driven-ingest
      aipipe render aipipe.yaml --stack prod -o infra/
    """
    from aipipe.planning import PlanError, default_output_dir, render_to

    loaded = _load_valid(_resolve_specs([spec])[0], stack)
    target = output or default_output_dir(loaded)
    try:
        for path in render_to(loaded, target):
            typer.echo(f"wrote {path}")
    except PlanError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None


@app.command()
def plan(
    spec: Annotated[Path, typer.Argument(help="The spec file (or a folder with an aipipe.yaml).", show_default=False)],
    stack: StackOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
) -> None:
    """Show every cloud resource the spec would create, offline: no credentials, no pulumi binary.

    Runs exactly the program `render` writes, under Pulumi's mocks, with the real provider SDKs.

    \b
    Examples:
      aipipe plan specs/event-driven-ingest
      aipipe plan aipipe.yaml --stack prod --json | jq '.resources | length'
    """
    import json

    from aipipe.console import print_plan
    from aipipe.planning import PlanError, plan_spec

    loaded = _load_valid(_resolve_specs([spec])[0], stack)
    try:
        planned = plan_spec(loaded)
    except PlanError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps({"resources": [r.to_json() for r in planned.resources], "outputs": planned.outputs},
                              indent=2, sort_keys=True))
    else:
        print_plan(planned, loaded)


class GraphFormat(str, enum.Enum):
    """How `graph` draws the pipeline."""

    mermaid = "mermaid"
    dot = "dot"


@app.command()
def graph(
    spec: Annotated[Path, typer.Argument(help="The spec file (or a folder with an aipipe.yaml).", show_default=False)],
    output_format: Annotated[
        GraphFormat, typer.Option("--format", "-f", help="mermaid (GitHub renders it in markdown) or dot (Graphviz).")
    ] = GraphFormat.mermaid,
    stack: StackOption = None,
) -> None:
    """Draw the pipeline as data flows through it: triggers, reads and writes, steps, replication.

    \b
    Examples:
      aipipe graph specs/event-driven-ingest              # paste into a ```mermaid block
      aipipe graph aipipe.yaml -f dot | dot -Tsvg > pipeline.svg
    """
    from aipipe.graph import to_dot, to_mermaid

    loaded = _load_valid(_resolve_specs([spec])[0], stack)
    typer.echo(to_mermaid(loaded) if output_format is GraphFormat.mermaid else to_dot(loaded), nl=False)


def main() -> None:
    """Console-script entry point: run the app, turning Ctrl-C into exit code 130."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as error:  # noqa: BLE001 - last resort: a bug in aipipe, shown without a traceback
        if os.environ.get("AIPIPE_DEBUG"):
            raise
        typer.echo(f"internal error: {type(error).__name__}: {error}\nThis is a bug in aipipe; rerun with "
                   "AIPIPE_DEBUG=1 for the traceback and please report it.", err=True)
        sys.exit(1)


# The deploy and review commands live in their own modules; importing them registers them on `app`.
from aipipe import cli_deploy, cli_review  # noqa: E402,F401
