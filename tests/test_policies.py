"""Each pipeline check with a bad spec that triggers it, a good spec that does not, and suppression."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from aipipe.cli.app import app
from aipipe.policies.registry import CHECKS, checks_markdown
from aipipe.validation import load_spec

from conftest import ROOT

AWS = "aipipe: 1\nname: demo\ncloud: aws\nregion: us-east-1\nresources:\n"
GCP = "aipipe: 1\nname: demo\ncloud: gcp\nregion: europe-west1\nresources:\n"
FN = "    runtime: python3.12\n    handler: app.handler\n    code: ./app\n"

# code -> (bad spec, good spec): the good one fixes the bad one the way the check's advice says
PAIRS = {
    "AP501": (
        AWS
        + "  raw: {type: bucket}\n  fn:\n    type: function\n"
        + FN
        + "    writes: [raw/in/x/]\n    triggers: [{bucket: raw, prefix: in/}]\n",
        AWS
        + "  raw: {type: bucket}\n  fn:\n    type: function\n"
        + FN
        + "    writes: [raw/out/]\n    triggers: [{bucket: raw, prefix: in/}]\n",
    ),
    "AP502": (
        AWS + "  t: {type: topic}\n  s: {type: subscription, topic: t}\n",
        AWS + "  t: {type: topic}\n  s: {type: subscription, topic: t, dead_letter: {max_attempts: 5}}\n",
    ),
    "AP503": (
        AWS + "  fn:\n    type: function\n" + FN + "  flow: {type: workflow, steps: [fn]}\n",
        AWS
        + "  fn:\n    type: function\n"
        + FN
        + "  flow: {type: workflow, steps: [{function: fn, retry: {attempts: 3}}]}\n",
    ),
    "AP504": (
        GCP + "  t: {type: topic}\n  fn:\n    type: function\n    runtime: python3.12\n    handler: main\n"
        "    code: ./app\n    timeout: 10m\n    triggers: [{topic: t}]\n",
        GCP + "  t: {type: topic}\n  fn:\n    type: function\n    runtime: python3.12\n    handler: main\n"
        "    code: ./app\n    timeout: 9m\n    triggers: [{topic: t}]\n",
    ),
    "AP505": (
        AWS + "  work: {type: bucket}\n  fn:\n    type: function\n" + FN + "    writes: [work/tmp/]\n",
        AWS
        + "  work: {type: bucket, lifecycle: {expire_after: 7d}}\n  fn:\n    type: function\n"
        + FN
        + "    writes: [work/tmp/]\n",
    ),
    "AP506": (
        GCP + "  out: {type: bucket, lifecycle: {expire_after: 7d}}\n  t: {type: topic}\n  job:\n"
        "    type: dataflow\n    template: pubsub-to-gcs-text\n    input: t\n    output: ${out.url}/o/\n"
        "    temp: gs://elsewhere/temp/\n",
        GCP + "  out: {type: bucket, lifecycle: {expire_after: 7d}}\n  t: {type: topic}\n  job:\n"
        "    type: dataflow\n    template: pubsub-to-gcs-text\n    input: t\n    output: ${out.url}/o/\n"
        "    temp: ${out.url}/temp/\n",
    ),
    "AP507": (
        AWS + "  data: {type: bucket, retain_on_destroy: false}\n",
        AWS + "  data: {type: bucket, retain_on_destroy: false, protect: true}\n",
    ),
}


def codes(path):
    return [d.code for d in load_spec(str(path)).diagnostics]


def test_every_check_has_a_pair():
    assert set(PAIRS) == {check.code for check in CHECKS}


@pytest.mark.parametrize("code", sorted(PAIRS))
def test_bad_spec_triggers_the_check_and_good_spec_does_not(code, write_spec, tmp_path):
    bad, good = PAIRS[code]
    assert codes(write_spec(bad, "bad.yaml")) == [code]
    assert codes(write_spec(good, "good.yaml")) == []


OWNERS = {"AP501": "fn", "AP502": "s", "AP503": "flow", "AP504": "fn", "AP505": "work", "AP506": "job", "AP507": "data"}


@pytest.mark.parametrize("code", sorted(PAIRS))
def test_ignore_suppresses_the_check_on_that_resource(code, write_spec):
    lines = PAIRS[code][0].rstrip("\n").split("\n")
    owner = next(i for i, line in enumerate(lines) if line.startswith(f"  {OWNERS[code]}:"))
    if lines[owner].endswith("}"):
        lines[owner] = lines[owner][:-1] + f", ignore: [{code}]}}"
    else:
        lines.insert(owner + 1, f"    ignore: [{code}]")
    assert codes(write_spec("\n".join(lines) + "\n", "ignored.yaml")) == []


def test_ignore_takes_only_check_codes(write_spec):
    path = write_spec(AWS + "  data: {type: bucket, ignore: [AP202]}\n")
    assert codes(path) == ["AP202"]


def test_warnings_fail_only_under_strict(write_spec):
    path = write_spec(PAIRS["AP502"][0])
    assert CliRunner().invoke(app, ["validate", str(path)]).exit_code == 0
    assert CliRunner().invoke(app, ["validate", "--strict", str(path)]).exit_code == 1


def test_docs_checks_page_is_current():
    page = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    assert page == checks_markdown(), "docs/checks.md is stale: run python -m aipipe.offline.docs"
    for check in CHECKS:
        assert f"## {check.code}" in page and check.why in page and check.fix in page


@pytest.mark.parametrize(
    "cloud, timeout, warned", [("aws", "30s", False), ("aws", "31s", True), ("gcp", "10s", False), ("gcp", "11s", True)]
)
def test_a_reader_outlasting_the_default_ack_deadline_is_warned(cloud, timeout, warned, write_spec):
    """Without `ack_deadline` a message is redelivered after the cloud's default (SQS visibility timeout 30s,
    Pub/Sub ack deadline 10s): a reader that may run longer processes it twice."""
    head = AWS if cloud == "aws" else GCP
    handler = "app.handler" if cloud == "aws" else "main"
    spec = write_spec(
        head + "  t: {type: topic}\n  s: {type: subscription, topic: t, dead_letter: {max_attempts: 5}}\n"
        f"  fn:\n    type: function\n    runtime: python3.12\n    handler: {handler}\n    code: ./app\n"
        f"    timeout: {timeout}\n    reads: [s]\n"
    )
    assert ("AP504" in codes(spec)) is warned
