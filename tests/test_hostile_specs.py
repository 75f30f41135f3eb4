"""Specs written to escape, inject or exhaust: each is refused or reported cleanly, never crashes."""

from __future__ import annotations

import os

from typer.testing import CliRunner

from aipipe.cli.app import app
from aipipe.validation import load_spec

runner = CliRunner()
BASE = "aipipe: 1\nname: demo\ncloud: aws\nregion: us-east-1\n"
FUNCTION = """\
  f:
    type: function
    runtime: python3.12
    handler: app.handler
    code: {code}
"""


def codes(result):
    return [(d.code, d.line) for d in result.diagnostics]


def test_code_symlink_pointing_outside_the_spec_folder_is_refused(tmp_path, write_spec):
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    path = write_spec(BASE + "resources:\n" + FUNCTION.format(code="./linked"))
    os.symlink(outside, path.parent / "linked")
    result = load_spec(str(path))
    assert codes(result) == [("AP400", 10)]
    assert "outside the spec's folder" in result.diagnostics[0].message


def test_code_inside_the_state_folder_is_refused(write_spec):
    path = write_spec(BASE + "resources:\n" + FUNCTION.format(code="./.aipipe/state"))
    (path.parent / ".aipipe" / "state").mkdir(parents=True)
    assert codes(load_spec(str(path))) == [("AP400", 10)]


def test_code_symlink_inside_the_folder_is_fine(write_spec):
    path = write_spec(BASE + "resources:\n" + FUNCTION.format(code="./alias"))
    os.symlink(path.parent / "app", path.parent / "alias")
    assert load_spec(str(path)).valid


def test_control_characters_cannot_reach_the_terminal_or_ci(write_spec):
    hostile = (
        BASE + 'resources:\n  r: {type: bucket}\noutputs:\n  o: "${\\e]0;pwned\\a\\n::error file=x::fake \\u202e}"\n'
    )
    path = write_spec(hostile)
    for output_format in ("text", "github"):
        result = runner.invoke(app, ["validate", "--format", output_format, str(path)])
        assert result.exit_code == 1
        assert "\x1b" not in result.output and "\x07" not in result.output and "\u202e" not in result.output
        assert not any(line.startswith("::error file=x") for line in result.output.splitlines())
        assert "\\x1b" in result.output  # shown escaped, so the user still sees what the spec holds


def test_stack_override_does_not_leak_through_yaml_aliases(write_spec):
    path = write_spec(
        BASE
        + """\
tags: &t {team: ml}
resources:
  a: &b {type: bucket, tags: *t}
  c: *b
stacks:
  prod:
    resources:
      a: {versioning: false, tags: {env: prod}}
"""
    )
    prod = load_spec(str(path), "prod").spec
    assert prod.resources["a"].versioning is False and prod.resources["c"].versioning is True
    assert prod.header.tags == {"team": "ml"} and prod.resources["c"].tags == {"team": "ml"}
    assert prod.tags_for("a") == {"team": "ml", "env": "prod"}


def test_secret_used_only_by_one_stack_is_not_unused(write_spec):
    path = write_spec(
        BASE
        + """\
secrets: [KEY]
resources:
  f:
    type: function
    runtime: python3.12
    handler: app.handler
    code: ./app
stacks:
  prod:
    resources:
      f: {environment: {K: "${secret.KEY.arn}"}}
"""
    )
    assert load_spec(str(path)).diagnostics == []
    assert [d.code for d in load_spec(str(path), "dev").diagnostics] == ["AP307"]


def test_a_very_long_dependency_chain_is_reported_not_crashed(write_spec):
    count = 900
    lines = [f"  r{i:04d}: {{type: bucket, depends_on: [r{(i + 1) % count:04d}]}}" for i in range(count)]
    result = load_spec(str(write_spec(BASE + "resources:\n" + "\n".join(lines) + "\n")))
    assert [d.code for d in result.diagnostics] == ["AP304"]
    assert "more" in result.diagnostics[0].message and len(result.diagnostics[0].message) < 300


def test_many_stacks_are_bounded(write_spec):
    stacks = "".join(f"  s{i}: {{}}\n" for i in range(2000))
    result = load_spec(str(write_spec(BASE + "resources:\n  r: {type: bucket}\nstacks:\n" + stacks)))
    assert [d.code for d in result.diagnostics] == ["AP202"]
    assert "too many entries" in result.diagnostics[0].message


def test_many_identical_triggers_report_once_each_at_most(write_spec):
    triggers = "".join("      - {bucket: b}\n" for _ in range(50))
    spec = BASE + "resources:\n  b: {type: bucket}\n" + FUNCTION.format(code="./app") + "    triggers:\n" + triggers
    result = load_spec(str(write_spec(spec)))
    assert [d.code for d in result.diagnostics] == ["AP407"] * 49
