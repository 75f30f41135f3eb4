"""Durations, memory sizes, references and stack merging."""

from __future__ import annotations

import pytest

from aipipe.core.loader import load_spec_bytes
from aipipe.core.locations import Location
from aipipe.spec.references import parse_references
from aipipe.spec.stacks import apply_stack
from aipipe.spec.values import format_duration, parse_duration, parse_memory


@pytest.mark.parametrize("text, seconds", [(90, 90), ("90s", 90), ("15m", 900), ("2h", 7200), ("7d", 604800), (0, 0)])
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["15", "1.5h", "15 m", "-1s", True, 1.5, None, -3, "1w"])
def test_bad_durations(bad):
    with pytest.raises(ValueError):
        parse_duration(bad)


@pytest.mark.parametrize("text, megabytes", [(512, 512), ("512MB", 512), ("1GB", 1024), ("2GiB", 2048)])
def test_memory(text, megabytes):
    assert parse_memory(text) == megabytes


@pytest.mark.parametrize("bad", ["1TB", "512", "1.5GB", True, 0, -1, "1 GB"])
def test_bad_memory(bad):
    with pytest.raises(ValueError):
        parse_memory(bad)


def test_format_duration_picks_the_largest_exact_unit():
    assert [format_duration(s) for s in (0, 59, 600, 7200, 86400 * 3, 90)] == ["0s", "59s", "10m", "2h", "3d", "90s"]


def test_references_inside_longer_strings():
    refs = parse_references("${data.url}/temp/${stack}-${project} $${not.a.ref} ${secret.API_KEY}")
    assert [(r.form, r.target, r.attribute) for r in refs] == [
        ("resource", "data", "url"),
        ("stack", "", ""),
        ("project", "", ""),
        ("secret", "API_KEY", ""),
    ]


@pytest.mark.parametrize(
    "text", ["${}", "${data}", "${data.}", "${Data.url}", "${secret.lower}", "${a.b.c}", "x ${data.url"]
)
def test_malformed_references(text):
    refs = parse_references(text)
    assert refs and refs[0].form == "invalid" and refs[0].problem


def test_no_references_in_plain_text():
    assert parse_references("plain $HOME and {braces} and $${escaped}") == []


STACKED = b"""\
region: us-east-1
tags: {team: a, owner: b}
resources:
  fn: {type: function, memory: 128, reads: [x, y], environment: {A: "1", B: "2"}}
stacks:
  prod:
    region: eu-west-1
    tags: {owner: null}
    resources:
      fn:
        memory: 1024
        reads: [z]
        environment: {B: null, C: "3"}
"""


def test_stack_overrides_deep_merge_and_keep_their_locations():
    document = load_spec_bytes(STACKED, "f.yaml")
    data, index, problems = apply_stack(document.data, document.index, "prod", "f.yaml")
    assert not problems
    assert data["region"] == "eu-west-1"
    assert data["tags"] == {"team": "a"}  # null removes a key
    fn = data["resources"]["fn"]
    assert fn["memory"] == 1024 and fn["reads"] == ["z"]  # lists replace
    assert fn["environment"] == {"A": "1", "C": "3"}
    assert index.locate(("resources", "fn", "memory")) == Location(11, 17)
    assert index.locate(("resources", "fn", "reads", 0)) == Location(12, 17)
    assert index.locate(("region",)) == Location(7, 13)
    assert document.data["resources"]["fn"]["memory"] == 128  # the base data is untouched


def test_default_stack_without_overrides_is_the_base():
    document = load_spec_bytes(STACKED, "f.yaml")
    data, _, problems = apply_stack(document.data, document.index, "dev", "f.yaml")
    assert data == document.data and not problems


def test_unknown_stack_is_reported_with_suggestion():
    document = load_spec_bytes(STACKED, "f.yaml")
    _, _, problems = apply_stack(document.data, document.index, "prd", "f.yaml")
    assert [p.code for p in problems] == ["AP206"]
    assert "did you mean `prod`" in problems[0].message


def test_a_problem_of_one_stack_is_tagged_with_it_and_keeps_its_place(write_spec):
    """Validating every stack reports what only `prod` gets wrong once, tagged with the stack, at the override's
    line, with its path and severity; a message that names its stack already is not tagged twice."""
    path = write_spec(
        "aipipe: 1\nname: demo\ncloud: aws\nregion: us-east-1\nresources:\n"
        "  t: {type: topic}\n  s: {type: subscription, topic: t, dead_letter: {max_attempts: 5}}\n"
        "stacks:\n  prod:\n    resources:\n      s: {ack_deadline: 5s, dead_letter: null}\n      x: {}\n"
    )
    from aipipe.validation import load_spec

    found = {(d.code, d.line): d for d in load_spec(str(path)).diagnostics}
    deadline = found[("AP402", 11)]
    assert deadline.message.endswith("[stack `prod`]") and deadline.path == "resources.s.ack_deadline"
    warning = found[("AP502", 7)]
    assert warning.severity.value == "warning" and warning.message.endswith("[stack `prod`]")
    unknown = found[("AP206", 12)]
    assert unknown.message.count("stack `prod`") == 1


@pytest.mark.parametrize(
    "cloud, runtime, handler, form",
    [
        ("gcp", "python3.12", "app.main()", "a function name (e.g. `main`)"),
        ("aws", "python3.12", "handler", "`module.function` (e.g. `app.handler`)"),
        ("aws", "java21", "not a class", "`package.Class::method` (e.g. `example.Handler::handleRequest`)"),
    ],
)
def test_a_bad_handler_says_the_form_the_cloud_wants(cloud, runtime, handler, form, write_spec):
    from aipipe.validation import load_spec

    region = "us-east-1" if cloud == "aws" else "europe-west1"
    path = write_spec(
        f"aipipe: 1\nname: demo\ncloud: {cloud}\nregion: {region}\nresources:\n  fn:\n    type: function\n"
        f"    runtime: {runtime}\n    handler: '{handler}'\n    code: ./app\n"
    )
    [error] = [d for d in load_spec(str(path), "dev").diagnostics if d.path == "resources.fn.handler"]
    assert error.message == f"`handler` on {cloud} must have the form {form}, got {handler!r}"


@pytest.mark.parametrize(
    "cloud, retention, message",
    [
        ("aws", "30s", "SQS message retention must be between 1m and 14d, got 30s"),
        ("gcp", "8d", "Pub/Sub subscription retention must be between 10m and 7d, got 8d"),
    ],
)
def test_subscription_retention_names_the_service(cloud, retention, message, write_spec):
    from aipipe.validation import load_spec

    region = "us-east-1" if cloud == "aws" else "europe-west1"
    path = write_spec(
        f"aipipe: 1\nname: demo\ncloud: {cloud}\nregion: {region}\nresources:\n  t: {{type: topic}}\n"
        f"  s: {{type: subscription, topic: t, retention: {retention}, dead_letter: {{max_attempts: 5}}}}\n"
    )
    [error] = [d for d in load_spec(str(path), "dev").diagnostics if d.code == "AP402"]
    assert error.message == message


def test_equal_backoffs_are_fine(write_spec):
    from aipipe.validation import load_spec

    path = write_spec(
        "aipipe: 1\nname: demo\ncloud: gcp\nregion: europe-west1\nresources:\n  t: {type: topic}\n"
        "  s: {type: subscription, topic: t, retry: {min_backoff: 30s, max_backoff: 30s}, "
        "dead_letter: {max_attempts: 5}}\n"
    )
    assert load_spec(str(path), "dev").valid
