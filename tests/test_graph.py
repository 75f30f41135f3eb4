"""`aipipe graph`: edges in the direction data flows, labels escaped, docs/graphs.md current."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from aipipe.cli.app import app
from aipipe.offline.docs import graphs_markdown
from aipipe.offline.graph import pipeline_edges, to_dot, to_mermaid
from aipipe.validation import load_spec

from conftest import EXAMPLES, ROOT

runner = CliRunner()


def spec(name):
    return load_spec(str(next(p for p in EXAMPLES if p.parent.name == name)), "dev").spec


def test_event_driven_edges_follow_the_data():
    _, edges = pipeline_edges(spec("event-driven-ingest"))
    found = {(e.source, e.target, e.label) for e in edges}
    assert ("raw", "preprocess", "created data/*.json") in found
    assert ("preprocess", "curated", "writes processed/") in found
    assert ("record-events", "index-events", "triggers") in found
    assert ("preprocess", "record-events", "writes") in found


def test_workflow_replication_and_dataflow_edges():
    _, workflow = pipeline_edges(spec("async-training-pipeline"))
    assert {e.target for e in workflow if e.source == "training-pipeline"} == {
        "preprocess",
        "train",
        "profile",
        "predict",
        "notify",
    }
    _, replication = pipeline_edges(spec("cross-region-replication"))
    assert {(e.source, e.target) for e in replication} >= {("corpus", "replicate-eu"), ("replicate-eu", "corpus-eu")}
    _, dataflow = pipeline_edges(spec("realtime-replication"))
    assert {(e.source, e.target, e.label) for e in dataflow} >= {
        ("record-updates", "stream-to-gcs", "streams"),
        ("stream-to-gcs", "training-data", "outputs"),
    }


def test_labels_cannot_break_out_of_mermaid_or_dot(write_spec):
    path = write_spec("""\
aipipe: 1
name: hostile
cloud: aws
region: us-east-1
resources:
  raw: {type: bucket}
  fn:
    type: function
    runtime: python3.12
    handler: app.handler
    code: ./app
    triggers: [{bucket: raw, prefix: "a\\"|b]\\n%%{init}%%`x`"}]
""")
    loaded = load_spec(str(path), "dev").spec
    mermaid = to_mermaid(loaded)
    edge = next(line for line in mermaid.splitlines() if "n_raw -->" in line)
    assert edge.count('"') == 2 and edge.count("|") == 2 and "\n" not in edge.strip()
    dot = to_dot(loaded)
    label_line = next(line for line in dot.splitlines() if '"raw" -> "fn"' in line)
    assert label_line.count('\\"') == 1 and label_line.endswith('"];')


def test_graph_command_formats():
    path = str(EXAMPLES[0])
    assert runner.invoke(app, ["graph", path]).output.startswith("flowchart LR")
    assert runner.invoke(app, ["graph", path, "--format", "dot"]).output.startswith("digraph ")
    assert runner.invoke(app, ["graph", path, "--format", "png"]).exit_code == 2


def test_docs_graphs_page_is_current():
    page = (ROOT / "docs" / "graphs.md").read_text(encoding="utf-8")
    assert page == graphs_markdown(EXAMPLES, ROOT), "docs/graphs.md is stale: run python -m aipipe.offline.docs"


def test_dot_labels_round_trip_through_dot_quoting(write_spec):
    """A DOT string ends at the first unescaped quote: every backslash and quote of a label must be escaped, or
    a suffix ending in a backslash swallows the closing quote."""
    prefix, suffix = 'say "hi" \\n', "ends in \\"
    path = write_spec(f"""\
aipipe: 1
name: hostile
cloud: aws
region: us-east-1
resources:
  raw: {{type: bucket}}
  fn:
    type: function
    runtime: python3.12
    handler: app.handler
    code: ./app
    triggers: [{{bucket: raw, prefix: {json.dumps(prefix)}, suffix: {json.dumps(suffix)}}}]
""")
    dot = to_dot(load_spec(str(path), "dev").spec)
    line = next(line for line in dot.splitlines() if '"raw" -> "fn"' in line)
    match = re.fullmatch(r'  "raw" -> "fn" \[label="((?:[^"\\]|\\.)*)"\];', line)
    assert match, line
    assert re.sub(r"\\(.)", r"\1", match.group(1)) == f"created {prefix}*{suffix}"


@pytest.mark.parametrize(
    "trigger, label",
    [
        ({"bucket": "raw"}, "created"),
        ({"bucket": "raw", "prefix": "in/"}, "created in/*"),
        ({"bucket": "raw", "suffix": ".json"}, "created *.json"),
        ({"bucket": "raw", "events": ["created", "deleted"], "prefix": "a/", "suffix": ".z"}, "created/deleted a/*.z"),
    ],
)
def test_bucket_trigger_edges_say_which_objects(trigger, label):
    from aipipe.triggers.bucket import BucketTrigger
    from aipipe.triggers.registry import TRIGGERS

    assert TRIGGERS["bucket"].label(BucketTrigger.model_validate(trigger)) == label
