"""The JSON Schema is generated from the models, committed for editors, and accepted by an independent
validator (jsonschema) for every good spec while rejecting the shape errors of the bad corpus."""

from __future__ import annotations

import json

import jsonschema
import pytest

from aipipe.core.loader import load_spec_file
from aipipe.schema import spec_json_schema, spec_json_schema_text

from conftest import DATA, EXAMPLES, ROOT

COMMITTED = ROOT / "specs" / "aipipe.schema.json"
VALIDATOR = jsonschema.Draft202012Validator(spec_json_schema())
GOOD = EXAMPLES + sorted((DATA / "good").glob("*.yaml"))
# Bad specs whose only problems are of shape, which a JSON Schema can see: unknown fields, missing fields,
# unknown types, wrong value types, choices and name patterns. Ranges of durations written as strings,
# per-cloud rules, references and cycles are beyond a schema and are not in this sample.
SHAPE_CODES = {"AP200", "AP201", "AP203"}
SHAPE_MESSAGES = (
    "must be a string",
    "must be a whole number",
    "must be a number",
    "must be a mapping",
    "must be a list",
    "must be true or false",
    "must be `",
    "the name `",
)


def test_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(spec_json_schema())


def test_committed_schema_matches_the_models():
    assert COMMITTED.read_text(encoding="utf-8") == spec_json_schema_text(), (
        "specs/aipipe.schema.json is stale: run `aipipe schema -o specs/aipipe.schema.json`"
    )


def test_examples_carry_the_modeline_to_the_committed_schema():
    for path in EXAMPLES:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../aipipe.schema.json"
        assert (path.parent / "../aipipe.schema.json").resolve() == COMMITTED.resolve()


@pytest.mark.parametrize("path", GOOD, ids=[f"{p.parent.name}/{p.stem}" for p in GOOD])
def test_schema_accepts_good_specs(path):
    data = load_spec_file(path).data
    errors = sorted(VALIDATOR.iter_errors(data), key=str)
    assert not errors, errors[0].message if errors else ""


def _shape_only_bad_specs():
    from aipipe.validation import load_spec

    picked = []
    for path in sorted((DATA / "bad").glob("*.yaml")):
        document = load_spec_file(path)
        if document.data is None:
            continue
        result = load_spec(str(path), "dev")
        errors = [d for d in result.diagnostics if d.severity.value == "error"]
        if errors and all(d.code in SHAPE_CODES or any(m in d.message for m in SHAPE_MESSAGES) for d in errors):
            picked.append(path)
    return picked


def test_schema_rejects_shape_errors_of_the_bad_corpus():
    sample = _shape_only_bad_specs()
    assert len(sample) >= 10
    accepted = [p.name for p in sample if VALIDATOR.is_valid(load_spec_file(p).data)]
    assert accepted == []


def test_schema_describes_every_resource_type():
    schema = spec_json_schema()
    kinds = {
        definition["properties"]["type"]["const"]
        for definition in schema["$defs"].values()
        if "type" in definition.get("properties", {}) and "const" in definition["properties"]["type"]
    }
    assert kinds == {
        "bucket",
        "topic",
        "subscription",
        "queue",
        "stream",
        "table",
        "function",
        "workflow",
        "replication",
        "dataflow",
        "key",
        "pulumi",
    }
    assert json.loads(COMMITTED.read_text())["$schema"].endswith("2020-12/schema")
