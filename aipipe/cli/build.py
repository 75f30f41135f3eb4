"""`aipipe build`: every function of a spec built into the artifact its program ships, shown as a table.

The command maps its switches to aipipe.build.artifacts.build_functions and prints the report; rich is
imported inside, and nothing here imports pulumi."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer

from aipipe.cli.common import SpecArgument, StackOption, fail, load_valid, resolve_spec
from aipipe.cli.validating import colour_wanted

FunctionOption = Annotated[
    Optional[str], typer.Option("--function", help="Build only this function.", show_default=False)
]
WIDTH = 120  # the table's columns when no terminal says how wide
JsonOption = Annotated[bool, typer.Option("--json", help="Print the functions and diagnostics as JSON.")]


def build(
    spec: SpecArgument = None, stack: StackOption = None, function: FunctionOption = None, as_json: JsonOption = False
):
    """Build each function: its dependencies installed for the cloud's machine, packed with its code.

    AWS: uv installs manylinux wheels for the function's runtime and architecture (cp312 x86_64 or aarch64,
    never the wheels of the machine running aipipe) into a cache under .aipipe/build/deps/ beside the spec;
    the code and dependencies become a deterministic zip in .aipipe/build/<stack>/, or, for `package: image`
    (and `auto` past 250 MB unzipped), an image build context there. GCP: Cloud Build installs the
    requirements itself, so they are only resolved (cached under .aipipe/build/resolved/) and the code is
    zipped. The same inputs give the same bytes; unchanged requirements reuse the cache, also offline.
    Docker is needed only for image packages, and only on the machine that deploys.

    Exit code 1 when a function cannot be built (each problem at its file:line:column), 2 for an unknown
    --function.

    \b
    Examples:
      aipipe build pipelines/ingest
      aipipe build aipipe.yaml --stack prod --function train
      aipipe build aipipe.yaml --json | jq '.functions[] | {function, zipped_bytes}'
    """
    from aipipe.build.artifacts import build_functions
    from aipipe.core.diagnostics import has_errors
    from aipipe.core.suggest import did_you_mean

    spec_path = resolve_spec(spec)
    loaded = load_valid(spec_path, stack)
    names = [name for name, resource in loaded.resources.items() if resource.type == "function"]
    if function is not None and function not in names:
        known = f"its functions: {', '.join(f'`{name}`' for name in names)}" if names else "it has no function"
        fail(f"{spec_path} has no function `{function}`{did_you_mean(function, names)}; {known}", 2)
    report = build_functions(loaded, only=function)
    if as_json:
        from aipipe.build.summary import artifact_json

        functions = [artifact_json(artifact) for artifact in report.artifacts.values()]
        diagnostics = [diagnostic.to_json() for diagnostic in report.diagnostics]
        typer.echo(json.dumps({"functions": functions, "diagnostics": diagnostics}, indent=2))
    else:
        _print_report(report, loaded, len(names) if function is None else 1)
    if has_errors(report.diagnostics):
        raise typer.Exit(1)


def _print_report(report, spec, wanted: int) -> None:
    """The table, the artifacts' notes, the diagnostics as `validate` prints them, and a closing line."""
    from rich import box
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from aipipe.build.summary import limits_legend, size_figures
    from aipipe.core.report import format_text

    console = Console(highlight=False)
    if not console.is_terminal:
        console.width = max(console.width, WIDTH)  # a pipe or a log: no terminal to fit, the cells stay whole
    if report.artifacts:
        table = Table(header_style="bold", box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        for column in ("function", "runtime", "arch", "package", "packages", "zipped", "unzipped", "cache", "bytecode"):
            figure = column in ("packages", "zipped", "unzipped")  # whole in a narrow terminal: names fold instead
            if figure:
                table.add_column(column, justify="right", min_width=len(column))
            else:
                table.add_column(column, overflow="fold")
        for artifact in report.artifacts.values():
            zipped, unzipped = size_figures(artifact)
            package = artifact.package if artifact.built else f"{artifact.package} (unbuilt)"
            bytecode = "yes" if artifact.bytecode else "no"
            cells = (artifact.function, artifact.runtime, artifact.architecture, package)
            table.add_row(*map(escape, cells), str(len(artifact.packages)), zipped, unzipped, artifact.cache, bytecode)
        console.print(table)
        for artifact in report.artifacts.values():
            for note in artifact.notes:
                console.print(f"{escape(artifact.function)}: {escape(note)}")
        console.print(escape(limits_legend(report.artifacts.values())))
    if report.diagnostics:
        tty = colour_wanted()
        typer.echo(format_text(report.diagnostics, colour=tty, sources=_sources(report.diagnostics) if tty else None))
    built = sum(artifact.built for artifact in report.artifacts.values())
    folder = f".aipipe/build/{spec.stack}/"
    if not wanted:
        typer.echo(f"{spec.file}: no functions to build")
    elif built == wanted:
        typer.echo(f"{spec.file}: {built} function{'s' if built != 1 else ''} built into {folder} beside the spec")
    else:
        typer.echo(f"{spec.file}: {built} of {wanted} functions built; fix the problems above")


def _sources(diagnostics) -> dict[str, list[str]]:
    """The lines of the files the diagnostics point into, for the caret under each column."""
    sources = {}
    for diagnostic in diagnostics:
        try:
            with open(diagnostic.file, encoding="utf-8") as file:
                sources[diagnostic.file] = file.read().splitlines()
        except (OSError, UnicodeDecodeError):
            continue
    return sources
