"""`dataflow` (gcp): a Dataflow streaming job from a Google-provided template (a catalogue name or a gs://
template path), reading a topic or subscription, running as a least-privilege worker account."""

from aipipe.kinds.base import CloudForm, GraphShape, Kind
from aipipe.kinds.dataflow import gcp
from aipipe.kinds.dataflow.catalogue import INPUT_KINDS
from aipipe.kinds.dataflow.checks import check
from aipipe.kinds.dataflow.model import Dataflow
from aipipe.spec.links import Link
from aipipe.spec.references import parse_references


def links(job: Dataflow):
    """The topic or subscription the job reads."""
    if job.input:
        yield Link(job.input, ("input",), INPUT_KINDS, "input")


def graph_edges(name: str, job: Dataflow):
    """The job writes where its `output` points."""
    for reference in parse_references(job.output or ""):
        if reference.form == "resource":
            yield name, reference.target, "outputs"


KIND = Kind(
    name="dataflow",
    model=Dataflow,
    clouds={
        "gcp": CloudForm(
            "Dataflow job",
            {"id": ("job", "id"), "name": ("job", "name"), "job_id": ("job", "job_id")},
            values=gcp.values,
        )
    },
    parts=gcp.parts,
    graph=GraphShape(('[/"', '"/]'), "parallelogram"),
    links=links,
    check=check,
    graph_edges=graph_edges,
)
