"""Rendering cannot inject code: values become literals, only aipipe-built Code passes, and the rendered
program is checked against an import/call allowlist."""

from __future__ import annotations

import ast

import jinja2
import pytest

from aipipe.codegen.safe import Code, RenderError, check_program, identifier, literal

HOSTILE = [
    "",
    "plain",
    "it's",
    'say "hi"',
    '"""',
    "'''",
    "\\",
    "back\\slash\\",
    "ends with backslash\\",
    "new\nline",
    "carriage\rreturn",
    "tab\tand\x00nul",
    "{{ 7 * 7 }}",
    "{% for x in y %}",
    "${curated.name}",
    "$${literal}",
    "'); import os; os.system('echo pwned'); ('",
    '"); __import__("os").system("id"); ("',
    "\\n'; exec('x') #",
    "\u202egnp.exe",
    "\ud800 lone surrogate",
    "emoji 🚀 and 中文",
    "#!/bin/sh",
    "f'{__import__(\"os\")}'",
    "a" * 10_000,
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_strings_round_trip_as_literals(text):
    rendered = literal(text)
    assert ast.literal_eval(rendered) == text
    tree = ast.parse(f"x = {rendered}\n")
    assert isinstance(tree.body[0].value, ast.Constant)


def test_hostile_strings_through_a_template_come_back_unchanged():
    environment = jinja2.Environment(finalize=literal, undefined=jinja2.StrictUndefined, autoescape=False)
    template = environment.from_string("value = {{ value }}\nitems = {{ items }}\nmapping = {{ mapping }}\n")
    source = template.render(value=HOSTILE[16], items=HOSTILE, mapping={text: text for text in HOSTILE})
    tree = check_program(source)
    values = {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body}
    assert values == {"value": HOSTILE[16], "items": HOSTILE, "mapping": {t: t for t in HOSTILE}}


@pytest.mark.parametrize("value", [1, 0, -5, 1.5, True, False, None, [1, "a", None], {"k": [True, {"n": 2.0}]}])
def test_plain_values_render_as_equal_literals(value):
    assert ast.literal_eval(literal(value)) == value


@pytest.mark.parametrize("value", [object(), {1: "a"}, float("inf"), float("nan"), b"bytes", {"a": {1, 2}}, type])
def test_anything_else_is_refused(value):
    with pytest.raises(RenderError):
        literal(value)


def test_str_subclass_that_is_not_code_is_refused():
    class Sneaky(str):
        pass

    with pytest.raises(RenderError):
        literal(Sneaky("__import__('os')"))


def test_code_passes_through_verbatim():
    assert literal(Code("raw_bucket.arn")) == "raw_bucket.arn"
    assert literal([Code("a.b"), "c"]) == "[a.b, 'c']"


@pytest.mark.parametrize(
    "name, expected",
    [
        ("raw", "raw"),
        ("record-events", "record_events"),
        ("import", "import_"),
        ("json", "json_"),
        ("config", "config_"),
    ],
)
def test_identifiers_come_from_validated_names_only(name, expected):
    assert identifier(name) == expected
    assert identifier(name, "bucket") == expected.rstrip("_") + "_bucket"


@pytest.mark.parametrize("name", ["Raw", "a b", "a;b", "", "x" * 41, "a.b", "__class__"])
def test_identifier_refuses_anything_else(name):
    with pytest.raises(RenderError):
        identifier(name)


GOOD_PROGRAM = """\
import json
import pulumi
import pulumi_aws as aws

config = pulumi.Config()
raw = pulumi.ComponentResource("aipipe:index:Bucket", "raw")
raw_bucket = aws.s3.Bucket("raw", opts=pulumi.ResourceOptions(parent=raw))
policy = pulumi.Output.json_dumps({"Resource": raw_bucket.arn})
key = config.require_secret("API_KEY")
name = raw_bucket.bucket.apply(len)
raw.register_outputs({"name": raw_bucket.bucket})
pulumi.export("raw", raw_bucket.bucket)
"""


def test_a_normal_program_passes_the_allowlist():
    check_program(GOOD_PROGRAM)


@pytest.mark.parametrize(
    "line",
    [
        "import os",
        "import subprocess as pulumi",
        "from os import system",
        "import pulumi_aws",
        "eval('1')",
        "exec('x')",
        "open('/etc/passwd')",
        "__import__('os')",
        "x = raw.__class__",
        "raw_bucket.system('id')",
        "getattr(pulumi, 'x')",
        "(lambda: 1)()",
        "print('x')",
    ],
)
def test_the_allowlist_refuses_anything_else(line):
    with pytest.raises(RenderError):
        check_program(GOOD_PROGRAM + line + "\n")


def test_syntax_errors_are_render_errors():
    with pytest.raises(RenderError):
        check_program("x = (\n")


@pytest.mark.parametrize(
    "resources, name",
    [
        # a topic named what aipipe names the role that replicates `src`
        (
            "  src: {type: bucket}\n  dst: {type: bucket}\n  src-replication-role: {type: topic}\n"
            "  r: {type: replication, source: src, destination: dst}\n",
            "src_replication_role",
        ),
        # a bucket named what aipipe names the queue of events `fn` failed on
        (
            "  fn-failed: {type: bucket}\n  fn:\n    type: function\n    runtime: python3.12\n"
            "    handler: app.handler\n    code: ./app\n    triggers: [{schedule: rate(1 hour)}]\n",
            "fn_failed",
        ),
    ],
)
def test_a_resource_named_like_another_resources_part_is_refused_not_rebound(resources, name, write_spec, tmp_path):
    from aipipe.codegen.project import render_program
    from aipipe.validation import load_spec

    spec = "aipipe: 1\nname: demo\ncloud: aws\nregion: us-east-1\nresources:\n" + resources
    result = load_spec(str(write_spec(spec)))
    assert result.valid, result.diagnostics
    with pytest.raises(RenderError, match=f"both named `{name}`"):
        render_program(result.spec, tmp_path)
