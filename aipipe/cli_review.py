"""Review commands of the CLI: `diff` (what a spec change does, offline) and `init` (start from an example)."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from aipipe.cli import StackOption, _load_valid, _resolve_specs, app


class DiffFormat(str, enum.Enum):
    """How `diff` reports."""

    text = "text"
    json = "json"
    markdown = "markdown"


@app.command()
def diff(
    spec: Annotated[Path, typer.Argument(help="The spec as it is now (or its folder).", show_default=False)],
    against: Annotated[str, typer.Option("--against", help="The old version: a spec file, or git:REF "
                                                           "(the same path at that revision, e.g. git:origin/main).")],
    stack: StackOption = None,
    output_format: Annotated[DiffFormat, typer.Option("--format", "-f", help="text, json, or markdown for PR comments.")]
    = DiffFormat.text,
    allow_data_loss: Annotated[bool, typer.Option("--allow-data-loss", help="Exit 3, not 1, when data would be lost.")]
    = False,
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
    from aipipe import diff as differ
    from aipipe.planning import PlanError, plan_spec

    new_path = _resolve_specs([spec])[0]
    new_spec = _load_valid(new_path, stack)
    try:
        old_path, temporary = differ.old_spec_file(new_path, against)
    except differ.DiffError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    try:
        old_spec = _load_valid(_resolve_specs([old_path])[0], stack)
        old_plan, new_plan = plan_spec(old_spec), plan_spec(new_spec)
    except PlanError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
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


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="Where to create the project.")] = Path("."),
    template: Annotated[Optional[str], typer.Option("--template", "-t", help="Example to start from.")] = None,
    list_templates: Annotated[bool, typer.Option("--list", help="List the templates and exit.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that already exist.")] = False,
) -> None:
    """Start a new project from one of the examples: the spec, its function code, and the schema for editors.

    \b
    Examples:
      aipipe init --list
      aipipe init my-pipeline --template distributed-pubsub
    """
    from aipipe.init import DEFAULT_TEMPLATE, InitError, create_project, templates

    if list_templates:
        for item in templates().values():
            typer.echo(f"{item.name:<28} {item.cloud:<4} {item.description}")
        return
    try:
        written = create_project(template or DEFAULT_TEMPLATE, folder, force)
    except InitError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    for path in written:
        typer.echo(f"created {path}")
    spec = folder / "aipipe.yaml"
    typer.echo(f"\nnext: aipipe validate {spec}   then   aipipe plan {spec}")
