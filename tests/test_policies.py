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
    "AP508": (
        AWS.replace("resources:", "secrets: [KEY]\nresources:")
        + "  fn:\n    type: function\n"
        + FN
        + '    environment: {KEY: "${secret.KEY}"}\n',
        AWS.replace("resources:", "secrets: [KEY]\nresources:")
        + "  fn:\n    type: function\n"
        + FN
        + '    environment: {KEY_ARN: "${secret.KEY.arn}"}\n',
    ),
    "AP509": (
        GCP.replace("resources:", "secrets: [KEY]\nresources:")
        + "  tmp: {type: bucket, lifecycle: {expire_after: 7d}}\n"
        + "  job:\n    type: dataflow\n    template: gs://t/custom\n    temp: ${tmp.url}/t/\n"
        + '    parameters: {key: "${secret.KEY}"}\n',
        GCP.replace("resources:", "secrets: [KEY]\nresources:")
        + "  tmp: {type: bucket, lifecycle: {expire_after: 7d}}\n"
        + "  job:\n    type: dataflow\n    template: gs://t/custom\n    temp: ${tmp.url}/t/\n"
        + '    parameters: {key_secret: "projects/p-123456/secrets/key"}\n'
        + 'outputs: {key: "${secret.KEY}"}\n',  # used where it stays a Pulumi secret (AP307 otherwise)
    ),
    "AP510": (
        AWS
        + "  fn:\n    type: function\n"
        + FN
        + "    permissions: [{actions: ['glue:*'], resources: [arn:aws:glue:*:*:job/x]}]\n",
        AWS
        + "  fn:\n    type: function\n"
        + FN
        + "    permissions: [{actions: [glue:StartJobRun], resources: [arn:aws:glue:*:*:job/x]}]\n",
    ),
}


def codes(path):
    return [d.code for d in load_spec(str(path)).diagnostics]


def test_every_check_has_a_pair():
    assert set(PAIRS) == {check.code for check in CHECKS}


# code -> what the bad spec's finding says, before the check's advice
MESSAGES = {
    "AP501": "recursive invocation: fn → fn (each write creates objects that start the next function or workflow)",
    "AP502": "subscription `s` has no dead letter",
    "AP503": "the step running `fn` has no retry",
    "AP504": "`timeout` 10m exceeds the 9m an event-triggered Cloud Function may run",
    "AP505": "bucket `work` holds `tmp/` data but has no lifecycle rule",
    "AP506": "`temp` of `job` is outside the spec's buckets",
    "AP507": "bucket `data` is deleted by `aipipe destroy` and not protected",
    "AP508": "`KEY` holds the value of secret `KEY`, readable by anyone allowed lambda:GetFunctionConfiguration",
    "AP509": "parameter `key` holds the value of secret `KEY`, readable by anyone allowed dataflow.jobs.get",
    "AP510": "`glue:*` is a wildcard: it allows every matching action",
}


@pytest.mark.parametrize("code", sorted(PAIRS))
def test_bad_spec_triggers_the_check_and_good_spec_does_not(code, write_spec, tmp_path):
    bad, good = PAIRS[code]
    assert codes(write_spec(bad, "bad.yaml")) == [code]
    assert codes(write_spec(good, "good.yaml")) == []


@pytest.mark.parametrize("code", sorted(PAIRS))
def test_each_finding_names_its_resource_then_gives_the_fix(code, write_spec):
    (diagnostic,) = load_spec(str(write_spec(PAIRS[code][0], "bad.yaml"))).diagnostics
    check = next(check for check in CHECKS if check.code == code)
    assert diagnostic.message == f"{MESSAGES[code]}. {check.fix} (or `ignore: [{code}]`)"


def test_ignoring_a_check_on_one_resource_keeps_it_on_the_others(write_spec):
    spec = write_spec(
        AWS + "  t: {type: topic}\n  a: {type: subscription, topic: t, ignore: [AP502]}\n"
        "  b: {type: subscription, topic: t}\n"
    )
    assert [d.message.split(".")[0] for d in load_spec(str(spec)).diagnostics] == [
        "subscription `b` has no dead letter"
    ]


def test_a_loop_is_found_past_a_functions_reads(write_spec):
    spec = write_spec(
        AWS
        + "  raw: {type: bucket}\n  ref: {type: bucket}\n  fn:\n    type: function\n"
        + FN
        + "    reads: [ref]\n    writes: [raw/in/x/]\n    triggers: [{bucket: raw, prefix: in/}]\n"
    )
    assert codes(spec) == ["AP501"]


@pytest.mark.parametrize(
    "writes, prefix",
    [("work/tmp/", "tmp/"), ("work/tmp/a/b/", "tmp/"), ("work/outputs/run/", "outputs/"), ("work/data/tmp/", None)],
)
def test_scratch_is_read_from_the_first_segment_of_a_write(writes, prefix, write_spec):
    diagnostics = load_spec(
        str(write_spec(AWS + "  work: {type: bucket}\n  fn:\n    type: function\n" + FN + f"    writes: [{writes}]\n"))
    ).diagnostics
    found = [d.message.split(".")[0] for d in diagnostics]
    assert found == ([f"bucket `work` holds `{prefix}` data but has no lifecycle rule"] if prefix else [])


@pytest.mark.parametrize(
    "output, prefix",
    [("${out.url}/tmp/a/b/", "tmp/"), ("${out.url}/results/tmp/", None), ("${out.url}/output/", "output/")],
)
def test_scratch_is_read_from_the_first_segment_after_a_dataflow_bucket(output, prefix, write_spec):
    spec = write_spec(
        GCP + "  out: {type: bucket}\n  keep: {type: bucket, lifecycle: {expire_after: 7d}}\n  t: {type: topic}\n"
        "  job:\n    type: dataflow\n    template: pubsub-to-gcs-text\n    input: t\n"
        f"    output: {output}\n    temp: ${{keep.url}}/temp/\n"
    )
    found = [d.message.split(".")[0] for d in load_spec(str(spec)).diagnostics]
    assert found == ([f"bucket `out` holds `{prefix}` data but has no lifecycle rule"] if prefix else [])


OWNERS = {
    "AP501": "fn",
    "AP502": "s",
    "AP503": "flow",
    "AP504": "fn",
    "AP505": "work",
    "AP506": "job",
    "AP507": "data",
    "AP508": "fn",
    "AP509": "job",
    "AP510": "fn",
}


@pytest.mark.parametrize("code", sorted(PAIRS))
def test_ignore_suppresses_the_check_on_that_resource(code, write_spec):
    lines = PAIRS[code][0].rstrip("\n").split("\n")
    owner = next(i for i, line in enumerate(lines) if line.startswith(f"  {OWNERS[code]}:"))
    if lines[owner].endswith("}"):
        lines[owner] = lines[owner][:-1] + f", ignore: [{code}]}}"
    else:
        lines.insert(owner + 1, f"    ignore: [{code}]")
    assert codes(write_spec("\n".join(lines) + "\n", "ignored.yaml")) == []


def test_ignore_takes_only_codes_aipipe_has(write_spec):
    assert codes(write_spec(AWS + "  data: {type: bucket, ignore: [AP202]}\n")) == []  # known; only ever a no-op
    assert codes(write_spec(AWS + "  data: {type: bucket, ignore: [AP598]}\n")) == ["AP202"]
    assert codes(write_spec(AWS + "  data: {type: bucket, ignore: [XX1]}\n")) == ["AP202"]


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


def test_ignore_suppresses_warnings_of_other_codes_but_never_errors(write_spec):
    # a workflow choice without default (AP454) is a warning of the workflow's own checks, not a pipeline check
    head = "aipipe: 1\nname: demo\ncloud: aws\nregion: eu-west-1\nresources:\n"
    fn = "  fn: {type: function, runtime: python3.12, handler: app.handler, code: ./app}\n"
    flow = (
        "  flow:\n    type: workflow\n    ignore: [AP503{more}]\n    steps:\n"
        "      - {{name: Pick, choice: [{{when: {{variable: $.n, greater_than: 5}}, next: Run}}]}}\n"
        "      - {{function: fn, name: Run}}\n"
    )
    assert codes(write_spec(head + fn + flow.format(more=""))) == ["AP454"]
    assert codes(write_spec(head + fn + flow.format(more=", AP454"))) == []
    # an error of an ignored code stays: `next` naming no step is AP405 whatever `ignore` says
    broken = flow.format(more=", AP405").replace("next: Run", "next: Nowhere")
    assert "AP405" in codes(write_spec(head + fn + broken))
