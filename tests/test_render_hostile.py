"""Hostile text in every free-text field that reaches the program arrives in the cloud's inputs unchanged, and the
program still passes the import/call allowlist: rendering cannot be used to inject code.

Each text is placed in every field below, the spec is rendered and planned under mocks, and each field's planned
input is compared with the text: a field that lost, escaped or reinterpreted it fails by name."""

from __future__ import annotations

import json

import pytest
import yaml

from aipipe.codegen.project import render_program
from aipipe.codegen.safe import check_program
from aipipe.offline.plan import plan_spec
from aipipe.validation import load_spec

from test_render_safety import HOSTILE

# Text a spec can hold: no lone surrogates (the loader refuses them) and no unescaped `${` (a reference).
TEXTS = [t for t in HOSTILE if "\ud800" not in t and "${" not in t.replace("$${", "") and t][:18]


def aws_spec(text: str) -> dict:
    return {
        "aipipe": 1,
        "name": "hostile",
        "cloud": "aws",
        "region": "us-east-1",
        "tags": {"note": text},
        "resources": {
            # kms_key on aws must be a key ARN (validated): hostile text there is refused, see below
            "raw": {"type": "bucket", "encryption": "kms", "tags": {"owner": text}},
            "events": {"type": "stream"},
            "topic": {"type": "topic"},
            "queue": {"type": "subscription", "topic": "topic", "filter": {"kind": [text]}, "dead_letter": {}},
            "fn": {
                "type": "function",
                "runtime": "python3.12",
                "handler": "app.handler",
                "code": "./app",
                "environment": {"TEXT": text},
                "triggers": [{"bucket": "raw", "prefix": text, "suffix": text}],
            },
        },
        "outputs": {"around": text + "${raw.name}" + text, "plain": text},
    }


def pubsub_string(text: str) -> str:
    """`text` as a Pub/Sub filter string literal (backslash escapes for quotes, backslashes and controls)."""
    escaped = "".join("\\" + c if c in '"\\' else c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)
    return f'"{escaped}"'


def gcp_spec(text: str) -> dict:
    return {
        "aipipe": 1,
        "name": "hostile",
        "cloud": "gcp",
        "region": "europe-west1",
        "resources": {
            # kms_key on gcp must be a key resource name (validated): hostile text there is refused, see below
            "data": {"type": "bucket", "lifecycle": {"expire_after": "7d"}},
            "topic": {"type": "topic"},
            # Pub/Sub filters are at most 256 bytes: a prefix of the text, as a string literal of the filter
            "sub": {
                "type": "subscription",
                "topic": "topic",
                "dead_letter": {},
                "filter": "attributes.note = " + pubsub_string(text[:40]),
            },
            "fn": {
                "type": "function",
                "runtime": "python3.12",
                "handler": "main",
                "code": "./app",
                "environment": {"TEXT": text},
                "triggers": [{"topic": "topic"}],
            },
            "job": {
                "type": "dataflow",
                "template": "pubsub-to-avro",
                "input": "topic",
                "machine_type": text,
                "output": "${data.url}/" + text + "/",  # a directory: the template wants the slash
                "temp": "${data.url}/tmp/",
                "parameters": {"outputFilenameSuffix": text},
            },
        },
        "outputs": {"plain": text},
    }


def one(plan, token: str, name: str) -> dict:
    [resource] = [r for r in plan.resources if r.type == token and r.name == name]
    return resource.inputs


def aws_fields(plan, text: str) -> dict:
    bucket = one(plan, "aws:s3/bucket:Bucket", "raw")
    [notification] = one(plan, "aws:s3/bucketNotification:BucketNotification", "raw-notifications")["lambdaFunctions"]
    return {
        "top-level tag": (bucket["tags"]["note"], text),
        "resource tag": (bucket["tags"]["owner"], text),
        "filter policy": (
            json.loads(one(plan, "aws:sns/topicSubscription:TopicSubscription", "queue-subscription")["filterPolicy"]),
            {"kind": [text]},
        ),
        "environment": (one(plan, "aws:lambda/function:Function", "fn")["environment"]["variables"]["TEXT"], text),
        "trigger prefix": (notification["filterPrefix"], text),
        "trigger suffix": (notification["filterSuffix"], text),
        "output": (plan.outputs["plain"], text),
        "output around a reference": (plan.outputs["around"], text + "raw" + text),
    }


def gcp_fields(plan, text: str) -> dict:
    job = one(plan, "gcp:dataflow/flexTemplateJob:FlexTemplateJob", "job")
    return {
        "filter": (
            one(plan, "gcp:pubsub/subscription:Subscription", "sub")["filter"],
            "attributes.note = " + pubsub_string(text[:40]),
        ),
        "environment": (
            one(plan, "gcp:cloudfunctionsv2/function:Function", "fn")["serviceConfig"]["environmentVariables"]["TEXT"],
            text,
        ),
        "machine type": (job["machineType"], text),
        "output location": (job["parameters"]["outputDirectory"], "gs://data/" + text + "/"),
        "template parameter": (job["parameters"]["outputFilenameSuffix"], text),
        "output": (plan.outputs["plain"], text),
    }


@pytest.mark.parametrize(
    "build, fields, expected_count", [(aws_spec, aws_fields, 8), (gcp_spec, gcp_fields, 6)], ids=["aws", "gcp"]
)
@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_hostile_text_arrives_unchanged_in_every_field(build, fields, expected_count, text, write_spec, tmp_path):
    expected = text.replace("$${", "${")
    path = write_spec(yaml.safe_dump(build(text), allow_unicode=True))
    result = load_spec(str(path), "dev")
    assert result.valid, result.diagnostics
    check_program(render_program(result.spec, tmp_path)["__main__.py"])
    found = fields(plan_spec(result.spec), expected)
    assert len(found) == expected_count
    wrong = {field: got for field, (got, want) in found.items() if got != want}
    assert not wrong, f"fields that changed the text: {sorted(wrong)}"


# a key that is no ARN or key id (AP402), or a bare word naming no `key` resource of the spec (AP306)
REFUSED_KEY = ("AP402", "AP306")


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_hostile_text_as_an_aws_kms_key_is_refused_before_rendering(text, write_spec):
    spec = aws_spec(text)
    spec["resources"]["raw"]["kms_key"] = text
    spec["resources"]["events"]["kms_key"] = text
    diagnostics = load_spec(str(write_spec(yaml.safe_dump(spec, allow_unicode=True)))).diagnostics
    refused = {d.path for d in diagnostics if d.code in REFUSED_KEY}
    assert {"resources.raw.kms_key", "resources.events.kms_key"} <= refused


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_hostile_text_as_a_gcp_kms_key_is_refused_before_rendering(text, write_spec):
    spec = gcp_spec(text)
    spec["resources"]["data"].update({"encryption": "kms", "kms_key": text})
    diagnostics = load_spec(str(write_spec(yaml.safe_dump(spec, allow_unicode=True)))).diagnostics
    assert "resources.data.kms_key" in {d.path for d in diagnostics if d.code in REFUSED_KEY}
