"""The offline commands: `render`, `plan`, `graph`, `diff` and `init`. None needs cloud credentials."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from aipipe.cli.common import SpecArgument, StackOption, build_or_exit, fail, load_valid, resolve_spec


def render(
    spec: SpecArgument = None,
    output: Annotated[
        Optional[Path],
        typer.Option(
            "--output", "-o", help="Folder for the project (default: .aipipe/<stack>/program beside the spec)."
        ),
    ] = None,
    stack: StackOption = None,
) -> None:
    """Write the Pulumi project for a spec: Pulumi.yaml, __main__.py, requirements.txt.

    The program is plain Pulumi: `pulumi up` runs it as it is, so taking it over (ejecting) is one command.

    \b
    Examples:
      aipipe render pipelines/ingest
      aipipe render aipipe.yaml --stack prod -o infra/
    """
    from aipipe.codegen.project import default_program_dir, write_project
    from aipipe.codegen.safe import RenderError

    loaded = load_valid(resolve_spec(spec), stack)
    artifacts = build_or_exit(loaded, offline_ok=True)
    try:
        for path in write_project(loaded, output or default_program_dir(loaded), artifacts=artifacts):
            typer.echo(f"wrote {path}")
    except RenderError as error:
        fail(str(error))


def plan(
    spec: SpecArgument = None,
    stack: StackOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
) -> None:
    """Show every cloud resource the spec would create, offline: no credentials, no pulumi binary.

    Runs exactly the program `render` writes, under Pulumi's mocks, with the real provider SDKs.

    \b
    Examples:
      aipipe plan pipelines/ingest
      aipipe plan aipipe.yaml --stack prod --json | jq '.resources | length'
    """
    from aipipe.offline.plan import PlanError, plan_spec
    from aipipe.offline.plan_view import print_plan

    loaded = load_valid(resolve_spec(spec), stack)
    artifacts = build_or_exit(loaded, offline_ok=True)
    try:
        planned = plan_spec(loaded, artifacts)
    except PlanError as error:
        fail(str(error))
    if as_json:
        typer.echo(
            json.dumps(
                {"resources": [r.to_json() for r in planned.resources], "outputs": planned.outputs},
                indent=2,
                sort_keys=True,
            )
        )
    else:
        print_plan(planned, loaded)


class GraphFormat(str, enum.Enum):
    """How `graph` draws the pipeline."""

    mermaid = "mermaid"
    dot = "dot"


def graph(
    spec: SpecArgument = None,
    output_format: Annotated[
        GraphFormat, typer.Option("--format", "-f", help="mermaid (GitHub renders it in markdown) or dot (Graphviz).")
    ] = GraphFormat.mermaid,
    stack: StackOption = None,
) -> None:
    """Draw the pipeline as data flows through it: triggers, reads and writes, steps, replication.

    \b
    Examples:
      aipipe graph pipelines/ingest                       # paste into a ```mermaid block
      aipipe graph aipipe.yaml -f dot | dot -Tsvg > pipeline.svg
    """
    from aipipe.offline.graph import to_dot, to_mermaid

    loaded = load_valid(resolve_spec(spec), stack)
    typer.echo(to_mermaid(loaded) if output_format is GraphFormat.mermaid else to_dot(loaded), nl=False)


class DiffFormat(str, enum.Enum):
    """How `diff` reports."""

    text = "text"
    json = "json"
    markdown = "markdown"


def diff(
    against: Annotated[
        str,
        typer.Option(
            "--against",
            help="The old version: a spec file, or git:REF (the same path at that revision, e.g. git:origin/main).",
        ),
    ],
    spec: Annotated[
        Optional[Path],
        typer.Argument(help="The spec as it is now (or its folder); default ./aipipe.yaml.", show_default=False),
    ] = None,
    stack: StackOption = None,
    output_format: Annotated[
        DiffFormat, typer.Option("--format", "-f", help="text, json, or markdown for PR comments.")
    ] = DiffFormat.text,
    allow_data_loss: Annotated[
        bool, typer.Option("--allow-data-loss", help="Exit 3, not 1, when data would be lost.")
    ] = False,
) -> None:
    """What a spec change does to the infrastructure, offline: plans both versions and compares them.

    Per spec resource: cloud resources created, updated (with the changed inputs), replaced (and why) and
    deleted; deleting or replacing what holds data is called out as data loss.
    Exit codes: 0 no changes, 3 changes, 1 data loss (unless --allow-data-loss) or an error.

    \b
    Examples:
      aipipe diff aipipe.yaml --against git:origin/main
      aipipe diff aipipe.yaml --against old.yaml --format markdown > comment.md
    """
    from aipipe.build.artifacts import build_functions
    from aipipe.core.diagnostics import Severity
    from aipipe.offline import diff as differ
    from aipipe.offline.plan import PlanError, plan_spec

    new_path = resolve_spec(spec)
    new_spec = load_valid(new_path, stack)
    try:
        old_path, temporary = differ.old_spec_file(new_path, against)
    except differ.DiffError as error:
        fail(str(error))
    try:
        old_spec = load_valid(resolve_spec(old_path), stack)
        # the old side is built from today's code folders, so its build problems are not the change's: any
        # function of it that cannot be built is planned from a placeholder, quietly
        old_artifacts = build_functions(old_spec, offline_severity=Severity.WARNING, placeholders=True).artifacts
        new_artifacts = build_or_exit(new_spec, offline_ok=True)
        old_plan, new_plan = plan_spec(old_spec, old_artifacts), plan_spec(new_spec, new_artifacts)
    except PlanError as error:
        fail(str(error))
    finally:
        if temporary:
            old_path.unlink(missing_ok=True)
    changes = differ.compare(old_plan, new_plan, old_spec.header.region, new_spec.header.region)
    if output_format is DiffFormat.json:
        typer.echo(differ.to_json(changes))
    elif output_format is DiffFormat.markdown:
        typer.echo(differ.to_markdown(changes, new_spec), nl=False)
    else:
        typer.echo(differ.to_text(changes), nl=False)
    if any(change.data_loss for change in changes) and not allow_data_loss:
        raise typer.Exit(1)
    if changes:
        raise typer.Exit(3)


def init(
    folder: Annotated[Path, typer.Argument(help="Where to create the project.")] = Path("."),
    example: Annotated[Optional[str], typer.Option("--template", "-t", help="Example to start from.")] = None,
    list_examples: Annotated[bool, typer.Option("--list", help="List the examples and exit.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that already exist.")] = False,
) -> None:
    """Start a new project from one of the examples: the spec, its function code, and the schema for editors.

    \b
    Examples:
      aipipe init --list
      aipipe init my-pipeline --template distributed-pubsub
    """
    from aipipe.scaffold import DEFAULT_EXAMPLE, ScaffoldError, create_project, examples

    if list_examples:
        for item in examples().values():
            typer.echo(f"{item.name:<28} {item.cloud:<4} {item.description}")
        return
    try:
        written = create_project(example or DEFAULT_EXAMPLE, folder, force)
    except ScaffoldError as error:
        fail(str(error))
    for path in written:
        typer.echo(f"created {path}")
    spec = folder / "aipipe.yaml"
    typer.echo(f"\nnext: aipipe validate {spec}   then   aipipe plan {spec}")
