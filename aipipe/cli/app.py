"""The `aipipe` Typer app: every command registered from its module (the console-script
entry point, cli/entry.py, hands it what the quick `validate` route does not take).

Each command parses its switches, calls one library function and maps the outcome to an exit code: 0 success,
1 invalid spec or failed operation, 2 wrong usage, 130 interrupted. Command modules never import this one
(nor each other), so the app is the only place that knows them all.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from aipipe import __version__
from aipipe.cli import build, check, deploy, local, offline, run

app = typer.Typer(
    name="aipipe",
    help=(
        "Declarative cloud pipelines for AI training data: a YAML spec in git becomes real infrastructure on "
        "AWS and GCP, through Pulumi.\n\n"
        "Start with `aipipe init` (or `aipipe validate` on your aipipe.yaml), then `aipipe plan` to see every "
        "cloud resource offline; `aipipe schema` gives editors completion."
    ),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,  # never show locals (they may hold secrets)
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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


for _command in (
    check.validate,
    check.schema,
    offline.render,
    offline.plan,
    offline.graph,
    offline.diff,
    offline.init,
    build.build,
    run.run,
    local.invoke,
    deploy.preview,
    deploy.up,
    deploy.destroy,
    deploy.refresh,
    deploy.outputs,
    deploy.cancel,
    deploy.doctor,
):
    app.command()(_command)
app.command(name="ls")(deploy.list_stacks)
