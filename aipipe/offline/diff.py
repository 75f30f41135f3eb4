"""`aipipe diff`: what a spec change does to the infrastructure, computed offline by planning both versions.

Cloud resources are matched by URN. A resource whose provider (region) changes, or one of whose
replacement-forcing inputs changes, is replaced; other changed inputs are updates. The Python provider SDKs do
not say which inputs force a replacement, so that knowledge is in aipipe.clouds (from the providers'
documentation: properties marked "changing this forces a new resource"); docs/diff.md documents the rule.
Deleting or replacing a resource that holds data is data loss (aipipe.clouds decides which do, for `up` too).
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path

from aipipe.clouds.registry import force_new
from aipipe.clouds.registry import holds_data as cloud_holds_data
from aipipe.codegen.ownership import COMPONENT_PREFIX, owner_of
from aipipe.offline.mocks import Plan, PlannedResource


def holds_data(resource: PlannedResource) -> bool:
    """Whether deleting or replacing this planned resource loses data (the same verdict `aipipe up` reaches)."""
    return cloud_holds_data(resource.type, resource.inputs)


@dataclass
class CloudChange:
    """One cloud resource that changes."""

    op: str  # create | update | replace | delete
    type: str
    name: str
    changed: list[str] = field(default_factory=list)  # input keys that differ
    because: list[str] = field(default_factory=list)  # what forces a replacement
    data_loss: bool = False
    before: dict = field(default_factory=dict)
    after: dict = field(default_factory=dict)


@dataclass
class SpecChange:
    """The changes of one spec resource (the component that owns the cloud resources)."""

    resource: str
    kind: str  # the spec resource's type (bucket, function, ...)
    op: str  # create | update | replace | delete (the strongest of its cloud changes)
    changes: list[CloudChange]

    @property
    def data_loss(self) -> bool:
        return any(change.data_loss for change in self.changes)


_STRENGTH = {"update": 1, "create": 2, "replace": 3, "delete": 4}


def _owners(plan: Plan):
    """For one plan: cloud resource -> (spec resource, its kind), as the deploy commands attribute it too."""
    components = {r.name: r.type for r in plan.resources if r.type.startswith(COMPONENT_PREFIX)}
    parents = {r.urn: r.parent for r in plan.resources}

    def owner(resource: PlannedResource) -> tuple[str, str]:
        name = owner_of(resource.urn, parents, components)
        token = components.get(name, "")
        return name, token.removeprefix(COMPONENT_PREFIX).lower() if token else "-"

    return owner


def _provider_region(urn_with_id: str) -> str:
    # provider references look like "<provider urn>::<id>"; the default provider is used when there is none
    return urn_with_id.split("::")[-2] if urn_with_id.count("::") >= 4 else "default"


def compare(old: Plan, new: Plan, old_region: str = "", new_region: str = "") -> list[SpecChange]:
    """Spec-level changes between two plans, data loss marked, ordered by spec resource. The regions are the
    specs' top-level ones: a change moves everything on the default provider."""
    old_by = {r.urn: r for r in old.resources}
    new_by = {r.urn: r for r in new.resources}
    found: dict[tuple[str, str], list[CloudChange]] = {}
    old_owner, new_owner = _owners(old), _owners(new)

    def add(resource, owner, change):
        found.setdefault(owner(resource), []).append(change)

    for urn, after in new_by.items():
        if after.type.startswith((COMPONENT_PREFIX, "pulumi:providers:")):
            continue
        before = old_by.get(urn)
        if before is None:
            add(after, new_owner, CloudChange("create", after.type, after.name, after=after.inputs))
            continue
        changed = sorted(
            k for k in set(before.inputs) | set(after.inputs) if before.inputs.get(k) != after.inputs.get(k)
        )
        old_place, new_place = _provider_region(before.provider), _provider_region(after.provider)
        moved = old_place != new_place or (old_place == "default" and old_region != new_region)
        if not changed and not moved:
            continue
        because = sorted(set(changed) & force_new(after.type)) + (["provider (region)"] if moved else [])
        op = "replace" if because else "update"
        add(
            after,
            new_owner,
            CloudChange(
                op,
                after.type,
                after.name,
                changed,
                because,
                data_loss=op == "replace" and holds_data(after),
                before={k: before.inputs.get(k) for k in changed},
                after={k: after.inputs.get(k) for k in changed},
            ),
        )
    for urn, before in old_by.items():
        if urn in new_by or before.type.startswith((COMPONENT_PREFIX, "pulumi:providers:")):
            continue
        add(
            before,
            old_owner,
            CloudChange("delete", before.type, before.name, data_loss=holds_data(before), before=before.inputs),
        )
    result = []
    for (resource, kind), changes in sorted(found.items()):
        op = max((c.op for c in changes), key=_STRENGTH.__getitem__)
        result.append(SpecChange(resource, kind, op, sorted(changes, key=lambda c: (-_STRENGTH[c.op], c.type, c.name))))
    return result


def summary(changes: list[SpecChange]) -> dict[str, int]:
    """How many cloud resources per operation."""
    counts = dict.fromkeys(("create", "update", "replace", "delete"), 0)
    for change in changes:
        for cloud in change.changes:
            counts[cloud.op] += 1
    return counts


def old_spec_file(spec_path: Path, against: str) -> tuple[Path, bool]:
    """The file of the old version: a path, or `git:REF` (the same path at that revision, written beside the
    spec so its relative `code` folders resolve). Returns (path, whether it is a temporary file)."""
    if not against.startswith("git:"):
        return Path(against), False
    reference = against.removeprefix("git:")
    folder = spec_path.resolve().parent
    try:
        root = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=folder, capture_output=True, text=True, check=True
        ).stdout.strip()
        relative = spec_path.resolve().relative_to(Path(root).resolve()).as_posix()
        content = subprocess.run(
            ["git", "show", f"{reference}:{relative}"], cwd=folder, capture_output=True, check=True
        ).stdout
    except FileNotFoundError as error:
        raise DiffError("git is not installed") from error
    except subprocess.CalledProcessError as error:
        message = (error.stderr.decode() if isinstance(error.stderr, bytes) else error.stderr or "").strip()
        raise DiffError(f"cannot read {spec_path.name} at {reference}: {message}") from error
    temporary = folder / ".aipipe-diff-old.yaml"
    temporary.write_bytes(content)
    return temporary, True


class DiffError(Exception):
    """The old version cannot be read."""


def to_json(changes: list[SpecChange]) -> str:
    """The diff as JSON: changes per spec resource, a summary, and the data loss."""
    return json.dumps(
        {
            "changes": [{**asdict(c), "data_loss": c.data_loss} for c in changes],
            "summary": summary(changes),
            "data_loss": [c.resource for c in changes if c.data_loss],
        },
        indent=2,
        sort_keys=True,
        default=str,
    )


_SIGNS = {"create": "+", "update": "~", "replace": "±", "delete": "-"}


def _value(value) -> str:
    text = json.dumps(value, sort_keys=True) if isinstance(value, (dict, list)) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def to_text(changes: list[SpecChange]) -> str:
    """Per spec resource, each cloud change with the inputs that changed; data loss called out."""
    from aipipe.core.text import printable

    if not changes:
        return "no changes\n"
    lines = []
    for change in changes:
        loss = "  DATA LOSS" if change.data_loss else ""
        lines.append(f"{_SIGNS[change.op]} {change.resource} ({change.kind}): {change.op}{loss}")
        for cloud in change.changes:
            lines.append(f"    {_SIGNS[cloud.op]} {cloud.op:<8} {cloud.type} {printable(cloud.name)}")
            for key in cloud.changed:
                lines.append(
                    f"        {key}: {printable(_value(cloud.before.get(key)))} → "
                    f"{printable(_value(cloud.after.get(key)))}"
                )
            if cloud.because:
                lines.append(f"        replaced because {', '.join(cloud.because)} changed")
    counts = summary(changes)
    lines.append("summary: " + ", ".join(f"{n} to {op}" for op, n in counts.items()))
    lost = [c.resource for c in changes if c.data_loss]
    if lost:
        lines.append(f"DATA LOSS: {', '.join(lost)} (deleted or replaced with the data they hold)")
    return "\n".join(lines) + "\n"


def to_markdown(changes: list[SpecChange], new_spec, old_spec=None) -> str:
    """A compact table for a pull-request comment, with a Mermaid graph of the pipeline, changes coloured."""
    from aipipe.offline.graph import to_mermaid

    if not changes:
        return "### aipipe diff\n\nNo infrastructure changes.\n"
    counts = summary(changes)
    lines = ["### aipipe diff", "", " · ".join(f"**{n}** to {op}" for op, n in counts.items()), ""]
    lost = [c.resource for c in changes if c.data_loss]
    if lost:
        lines += [
            f"> :warning: **Data loss:** {', '.join(f'`{name}`' for name in lost)} would be deleted or "
            "replaced with the data they hold.",
            "",
        ]
    lines += ["| spec resource | change | cloud resources | notes |", "|---|---|---|---|"]
    for change in changes:
        clouds = "<br>".join(
            f"{cloud.op} `{cloud.type.rsplit(':', 1)[-1]}` {_cell(cloud.name)}" for cloud in change.changes
        )
        notes = "; ".join(
            sorted(
                {f"replaced: {', '.join(cloud.because)}" for cloud in change.changes if cloud.because}
                | {f"changed: {', '.join(cloud.changed)}" for cloud in change.changes if cloud.op == "update"}
            )
        )
        lines.append(
            f"| `{_cell(change.resource)}` ({change.kind}) | {change.op}{' :warning:' if change.data_loss else ''}"
            f" | {clouds} | {_cell(notes)} |"
        )
    graph = to_mermaid(new_spec).rstrip("\n").split("\n")
    styles = {"create": "fill:#dff5dd", "update": "fill:#fff4c2", "replace": "fill:#ffd8a8", "delete": "fill:#ffc9c9"}
    present = {line.split("[", 1)[0].split(">", 1)[0].split("{", 1)[0].strip() for line in graph[1:]}
    for change in changes:
        node = "n_" + change.resource.replace("-", "_")
        if node not in present:  # deleted from the spec: show it anyway
            graph.append(f'  {node}["{change.resource}<br/><small>deleted</small>"]')
        graph.append(f"  style {node} {styles[change.op]}")
    lines += ["", "```mermaid", *graph, "```", ""]
    return "\n".join(lines)


def _cell(text: str) -> str:
    from aipipe.core.text import printable

    return printable(text).replace("|", "\\|").replace("\n", " ")
