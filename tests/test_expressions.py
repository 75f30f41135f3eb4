"""Spec strings become literals or pulumi expressions, never code built from user text."""

from __future__ import annotations

import ast

from aipipe.codegen.expressions import ExpressionRenderer
from aipipe.codegen.safe import Code, check_program, literal
from aipipe.semantics.symbols import Child
from aipipe.validation import load_spec

from conftest import EXAMPLES


def builder(name):
    path = next(p for p in EXAMPLES if p.parent.name == name)
    return ExpressionRenderer(load_spec(str(path)).spec)


def test_plain_text_is_a_literal_and_escapes_unescape():
    build = builder("event-driven-ingest")
    assert build.value("processed/") == "processed/"
    assert build.value("cost $${HOME}") == "cost ${HOME}"
    assert type(build.value("x")) is str


def test_single_reference_is_the_attribute_expression():
    build = builder("event-driven-ingest")
    assert build.value("${curated.name}") == Code("curated_bucket.bucket")
    assert build.value("${record-events.arn}") == Code("record_events_stream.arn")
    assert build.value("${curated.url}") == Code("pulumi.Output.concat('s3://', curated_bucket.bucket)")


def test_references_inside_text_concatenate_literals_and_expressions():
    build = builder("realtime-replication")
    expression = build.value("${training-data.url}/stream/ and '${stack}' $${x}")
    call = ast.parse(str(expression), mode="eval").body
    assert ast.unparse(call.func) == "pulumi.Output.concat"
    assert [ast.unparse(arg) for arg in (call.args[0], call.args[2])] == [
        "training_data_bucket.url",
        "pulumi.get_stack()",
    ]
    assert [ast.literal_eval(arg) for arg in (call.args[1], call.args[3])] == ["/stream/ and '", "' ${x}"]
    check_program(f"import pulumi\nx = {literal(expression)}\n")


def test_secrets_read_encrypted_config():
    build = builder("event-driven-ingest")
    assert build.value("${secret.LABELLING_API_KEY}") == Code("config.require_secret('LABELLING_API_KEY')")


def test_hostile_text_around_references_stays_literal():
    build = builder("event-driven-ingest")
    hostile = "'); __import__('os').system('id'); ('"
    expression = build.value(hostile + "${raw.name}" + hostile)
    call = ast.parse(str(expression), mode="eval").body
    assert [ast.literal_eval(arg) for arg in (call.args[0], call.args[2])] == [hostile, hostile]


def test_an_escaped_reference_before_the_same_reference_stays_literal():
    """`$${b.c}${b.c}` is the text `${b.c}` followed by the value; an earlier version matched the reference
    inside the escape and rendered `$`, the value, then the text."""
    build = builder("event-driven-ingest")
    expression = build.value("$${raw.name}${raw.name}")
    call = ast.parse(str(expression), mode="eval").body
    assert ast.literal_eval(call.args[0]) == "${raw.name}"
    assert ast.unparse(call.args[1]) == "raw_bucket.bucket"
    assert len(call.args) == 2


def test_an_existing_bucket_attribute_is_its_known_value():
    spec = load_spec(str(next(p for p in EXAMPLES if p.parent.name == "event-driven-ingest"))).spec
    from aipipe.kinds.registry import KINDS

    form = KINDS["bucket"].clouds["aws"]
    existing = spec.resources["raw"].model_copy(update={"existing": "vendor-bucket"})
    assert form.attribute("raw", existing, "arn") == Child("raw", "bucket", "arn")  # read: partition may differ
    assert form.attribute("raw", existing, "url") == "s3://vendor-bucket"
    assert KINDS["bucket"].clouds["gcp"].attribute("raw", existing, "url") == "gs://vendor-bucket"
