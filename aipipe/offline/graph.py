"""The pipeline as data flows through it: spec resources as nodes; triggers, reads, writes, subscriptions,
workflow steps, replication and Dataflow input/output as labelled edges. Rendered as Mermaid (shown by
GitHub in markdown) or Graphviz DOT. Pure spec analysis: nothing is rendered or planned."""

from __future__ import annotations

from dataclasses import dataclass

from aipipe.kinds.registry import KINDS, links_of
from aipipe.spec.document import Spec
from aipipe.triggers.registry import trigger_kind

# how data flows along each kind of link: (data goes from the target to the source?, label)
_FLOWS = {
    "reads": (True, "read by"),
    "writes": (False, "writes"),
    "deletes": (False, "deletes"),
    "trigger": (True, "triggers"),
    "topic": (True, "delivers"),
    "step": (False, "runs"),
    "source": (True, "copies"),
    "destination": (False, "into"),
    "input": (True, "streams"),
    "depends_on": (True, "before"),
    "kms_key": (True, "encrypts"),
    "dead_letter": (False, "dead letters"),
}
_SCHEDULE_SHAPE = (('(("', '"))'), "circle")


@dataclass(frozen=True)
class Edge:
    """Data (or control) going from `source` to `target`; `dashed` for ordering-only dependencies."""

    source: str
    target: str
    label: str
    dashed: bool = False


def pipeline_edges(spec: Spec) -> tuple[dict[str, str], list[Edge]]:
    """Nodes (name -> kind, or `schedule` for a clock) and edges in the direction data flows."""
    nodes = {name: resource.type for name, resource in spec.resources.items()}
    edges: list[Edge] = []
    for name, resource in spec.resources.items():
        for link in links_of(resource):
            inbound, label = _FLOWS[link.role]
            if link.role == "trigger":
                label = trigger_kind(resource.triggers[link.path[1]]).label(resource.triggers[link.path[1]])
            elif link.prefix:
                label += f" {link.prefix}"
            source, target = (link.target, name) if inbound else (name, link.target)
            edges.append(Edge(source, target, label, dashed=link.role == "depends_on"))
        for position, trigger in enumerate(getattr(resource, "triggers", ())):
            if not trigger_kind(trigger).source_kinds:  # a schedule: a clock starts the resource
                clock = f"{name}-{trigger_kind(trigger).key}-{position}"
                nodes[clock] = "schedule"
                edges.append(Edge(clock, name, trigger_kind(trigger).label(trigger)))
        edges += [
            Edge(source, target, label) for source, target, label in KINDS[resource.type].graph_edges(name, resource)
        ]
    return nodes, edges


def _shape(kind: str):
    return _SCHEDULE_SHAPE if kind == "schedule" else (KINDS[kind].graph.mermaid, KINDS[kind].graph.dot)


def _mermaid_text(text: str) -> str:
    # inside "..." Mermaid takes entity codes; no raw quotes, newlines, or markdown-breaking characters
    replacements = {'"': "#quot;", "<": "#lt;", ">": "#gt;", "\n": " ", "\r": " ", "`": "#96;", "|": "#124;"}
    return "".join(
        replacements.get(character, character) for character in text if character.isprintable() or character in "\n\r"
    )


def _mermaid_id(name: str) -> str:
    return "n_" + name.replace("-", "_")


def to_mermaid(spec: Spec) -> str:
    """A Mermaid flowchart (left to right)."""
    nodes, edges = pipeline_edges(spec)
    lines = ["flowchart LR"]
    for name, kind in nodes.items():
        opening, closing = _shape(kind)[0]
        # node labels hold only validated resource names and type words; user text goes on edges, escaped
        label = "schedule" if kind == "schedule" else f"{name}<br/><small>{kind}</small>"
        lines.append(f"  {_mermaid_id(name)}{opening}{label}{closing}")
    for edge in edges:
        arrow = "-.->" if edge.dashed else "-->"
        lines.append(f'  {_mermaid_id(edge.source)} {arrow}|"{_mermaid_text(edge.label)}"| {_mermaid_id(edge.target)}')
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("\r", " ")


def to_dot(spec: Spec) -> str:
    """A Graphviz digraph (left to right)."""
    nodes, edges = pipeline_edges(spec)
    lines = [f'digraph "{_dot_text(spec.header.name)}" {{', "  rankdir=LR;", '  node [fontname="Helvetica"];']
    for name, kind in nodes.items():
        label = "schedule" if kind == "schedule" else f"{name}\\n{kind}"
        lines.append(f'  "{name}" [shape={_shape(kind)[1]}, label="{label}"];')
    for edge in edges:
        style = ", style=dashed" if edge.dashed else ""
        lines.append(f'  "{edge.source}" -> "{edge.target}" [label="{_dot_text(edge.label)}"{style}];')
    return "\n".join(lines) + "\n}\n"
