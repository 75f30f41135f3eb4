"""The pipeline as data flows through it: spec resources as nodes; triggers, reads, writes, subscriptions,
workflow steps, replication and Dataflow input/output as labelled edges. Rendered as Mermaid (shown by
GitHub in markdown) or Graphviz DOT. Pure spec analysis: nothing is rendered or planned."""

from __future__ import annotations

from dataclasses import dataclass

from aipipe.spec import Spec
from aipipe.spec.function import BucketTrigger, Function, ScheduleTrigger
from aipipe.spec.links import links_of
from aipipe.spec.references import parse_references
from aipipe.spec.transfer import Dataflow

_MERMAID_SHAPES = {"bucket": ('[("', '")]'), "stream": ('[("', '")]'), "topic": ('>"', '"]'),
                   "subscription": ('>"', '"]'), "function": ('["', '"]'), "workflow": ('{{"', '"}}'),
                   "replication": ('[/"', '"/]'), "dataflow": ('[/"', '"/]'), "schedule": ('(("', '"))')}
_DOT_SHAPES = {"bucket": "cylinder", "stream": "cylinder", "topic": "cds", "subscription": "cds", "function": "box",
               "workflow": "hexagon", "replication": "parallelogram", "dataflow": "parallelogram",
               "schedule": "circle"}


@dataclass(frozen=True)
class Edge:
    """Data (or control) going from `source` to `target`; `dashed` for ordering-only dependencies."""

    source: str
    target: str
    label: str
    dashed: bool = False


def pipeline_edges(spec: Spec) -> tuple[dict[str, str], list[Edge]]:
    """Nodes (name -> kind) and edges in the direction data flows."""
    nodes = {name: resource.type for name, resource in spec.resources.items()}
    edges: list[Edge] = []
    for name, resource in spec.resources.items():
        for link in links_of(name, resource):
            prefix = f" {link.prefix}" if link.prefix else ""
            if link.role == "reads":
                edges.append(Edge(link.target, name, "read by" + prefix))
            elif link.role == "writes":
                edges.append(Edge(name, link.target, "writes" + prefix))
            elif link.role == "trigger":
                edges.append(Edge(link.target, name, "triggers"))
            elif link.role == "topic":
                edges.append(Edge(link.target, name, "delivers"))
            elif link.role == "step":
                edges.append(Edge(name, link.target, "runs"))
            elif link.role == "source":
                edges.append(Edge(link.target, name, "copies"))
            elif link.role == "destination":
                edges.append(Edge(name, link.target, "into"))
            elif link.role == "input":
                edges.append(Edge(link.target, name, "streams"))
            elif link.role == "depends_on":
                edges.append(Edge(link.target, name, "before", dashed=True))
        if isinstance(resource, Function):
            edges = _trigger_labels(edges, name, resource)
            for position, trigger in enumerate(resource.triggers):
                if isinstance(trigger, ScheduleTrigger):
                    clock = f"{name}-schedule-{position}"
                    nodes[clock] = "schedule"
                    edges.append(Edge(clock, name, trigger.schedule))
        if isinstance(resource, Dataflow) and resource.output:
            for reference in parse_references(resource.output):
                if reference.kind == "resource":
                    edges.append(Edge(name, reference.target, "outputs"))
    return nodes, edges


def _trigger_labels(edges: list[Edge], name: str, function: Function) -> list[Edge]:
    """Bucket trigger edges name their events and filters: `created data/*.json`."""
    labels = {}
    for trigger in function.triggers:
        if isinstance(trigger, BucketTrigger):
            pattern = f" {trigger.prefix or ''}*{trigger.suffix or ''}" if trigger.prefix or trigger.suffix else ""
            labels.setdefault(trigger.bucket, []).append("/".join(trigger.events) + pattern)
    return [Edge(e.source, e.target, "; ".join(labels[e.source]), e.dashed)
            if e.target == name and e.label == "triggers" and e.source in labels else e for e in edges]


def _mermaid_text(text: str) -> str:
    # inside "..." Mermaid takes entity codes; no raw quotes, newlines, or markdown-breaking characters
    replacements = {'"': "#quot;", "<": "#lt;", ">": "#gt;", "\n": " ", "\r": " ", "`": "#96;", "|": "#124;"}
    return "".join(replacements.get(character, character) for character in text if character.isprintable()
                   or character in "\n\r")


def _mermaid_id(name: str) -> str:
    return "n_" + name.replace("-", "_")


def to_mermaid(spec: Spec) -> str:
    """A Mermaid flowchart (left to right)."""
    nodes, edges = pipeline_edges(spec)
    lines = ["flowchart LR"]
    for name, kind in nodes.items():
        opening, closing = _MERMAID_SHAPES[kind]
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
        lines.append(f'  "{name}" [shape={_DOT_SHAPES[kind]}, label="{label}"];')
    for edge in edges:
        style = ", style=dashed" if edge.dashed else ""
        lines.append(f'  "{edge.source}" -> "{edge.target}" [label="{_dot_text(edge.label)}"{style}];')
    return "\n".join(lines) + "\n}\n"
