"""`aipipe plan` for people: the plan as a tree of spec resources and the cloud resources they create, counts
by type, and the stack outputs. Uses rich, imported inside, so `validate` never loads it."""

from __future__ import annotations

import json

from aipipe.codegen.gcp_project import SETUP_TYPES
from aipipe.core.text import printable


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
        # every GCP resource waits for the project setup, listed once at the top: not repeated under each
        waits = sorted(
            by_urn[d].name
            for d in resource.dependencies
            if d in by_urn and d != resource.parent and by_urn[d].type not in SETUP_TYPES
        )
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
