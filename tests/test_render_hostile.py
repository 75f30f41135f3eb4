"""Hostile text in every free-text field that reaches the program comes back unchanged as a Python constant,
and the program still passes the import/call allowlist: rendering cannot be used to inject code."""

from __future__ import annotations

import ast

import pytest
import yaml

from aipipe.codegen.project import render_program
from aipipe.codegen.safe import check_program
from aipipe.validation import load_spec

from test_render_safety import HOSTILE

# Text a spec can hold: no lone surrogates (the loader refuses them) and no unescaped `${` (a reference).
TEXTS = [t for t in HOSTILE if "\ud800" not in t and "${" not in t.replace("$${", "") and t][:18]


def aws_spec(text: str) -> dict:
    return {
        "aipipe": 1, "name": "hostile", "cloud": "aws", "region": "us-east-1", "tags": {"note": text},
        "resources": {
            "raw": {"type": "bucket", "encryption": "kms", "kms_key": text, "tags": {"owner": text}},
            "events": {"type": "stream", "kms_key": text},
            "topic": {"type": "topic"},
            "queue": {"type": "subscription", "topic": "topic", "filter": {"kind": [text]}},
            "fn": {"type": "function", "runtime": "python3.12", "handler": "app.handler", "code": "./app",
                   "environment": {"TEXT": text},
                   "triggers": [{"bucket": "raw", "prefix": text, "suffix": text}]},
        },
        "outputs": {"around": text + "${raw.name}" + text, "plain": text},
    }


def gcp_spec(text: str) -> dict:
    return {
        "aipipe": 1, "name": "hostile", "cloud": "gcp", "region": "europe-west1",
        "resources": {
            "data": {"type": "bucket", "encryption": "kms", "kms_key": text},
            "topic": {"type": "topic"},
            "sub": {"type": "subscription", "topic": "topic", "filter": text},
            "fn": {"type": "function", "runtime": "python3.12", "handler": "main", "code": "./app",
                   "environment": {"TEXT": text}, "triggers": [{"topic": "topic"}]},
            "job": {"type": "dataflow", "template": "pubsub-to-avro", "input": "topic", "machine_type": text,
                    "output": "${data.url}/" + text, "temp": "${data.url}/tmp/", "parameters": {"extra": text}},
        },
        "outputs": {"plain": text},
    }


def constants(source: str) -> set[str]:
    return {node.value for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


@pytest.mark.parametrize("build, fields", [(aws_spec, 8), (gcp_spec, 5)], ids=["aws", "gcp"])
@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_hostile_text_renders_as_constants_only(build, fields, text, write_spec, tmp_path):
    path = write_spec(yaml.safe_dump(build(text), allow_unicode=True))
    result = load_spec(str(path), "dev")
    assert result.valid, result.diagnostics
    source = render_program(result.spec, tmp_path)["__main__.py"]
    check_program(source)
    found = constants(source)
    expected = text.replace("$${", "${")
    assert expected in found or (build is gcp_spec and "/" + expected in found)
