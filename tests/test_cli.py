"""`aipipe validate` and `aipipe schema` driven through Typer's CliRunner: formats and exit codes."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from aipipe import __version__
from aipipe.cli.app import app
from aipipe.schema import spec_json_schema_text

from conftest import EXAMPLES, copy_example

runner = CliRunner()
TEXT_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>AP\d{3})( \[warning\])? .+$")

BROKEN = """\
aipipe: 1
name: broken
cloud: aws
region: us-east-1
secrets: [UNUSED]
resources:
  raw:
    type: buckt
  fn:
    type: function
    runtime: python3.12
    handler: app.handler
    code: ./app
    memory: lots
"""
WARN_ONLY = """\
aipipe: 1
name: warns
cloud: aws
region: us-east-1
secrets: [UNUSED]
resources:
  raw: {type: bucket}
"""


def test_valid_examples_exit_zero_with_a_summary():
    result = runner.invoke(app, ["validate", *map(str, EXAMPLES)])
    assert result.exit_code == 0, result.output
    assert result.output.count(": valid (") == len(EXAMPLES)


def test_text_format_lists_every_problem_sorted_and_exits_one(write_spec):
    path = write_spec(BROKEN)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if TEXT_LINE.match(line)]
    found = [(int(TEXT_LINE.match(line)["line"]), TEXT_LINE.match(line)["code"]) for line in lines]
    assert found == [(5, "AP307"), (8, "AP203"), (14, "AP202")]
    assert "[warning]" in lines[0] and "did you mean `bucket`" in lines[1]
    assert result.output.rstrip().endswith("2 errors, 1 warning")
    assert "Traceback" not in result.output


def test_json_format_has_the_documented_shape(write_spec):
    path = write_spec(BROKEN)
    result = runner.invoke(app, ["validate", "--format", "json", str(path)])
    assert result.exit_code == 1
    document = json.loads(result.output)
    assert document["valid"] is False
    assert [d["code"] for d in document["diagnostics"]] == ["AP307", "AP203", "AP202"]
    first = document["diagnostics"][1]
    assert set(first) == {"code", "severity", "message", "file", "line", "column", "path"}
    assert first["path"] == "resources.raw.type" and first["line"] == 8 and first["column"] == 11
    assert first["severity"] == "error" and document["diagnostics"][0]["severity"] == "warning"


def test_json_format_of_a_valid_spec():
    result = runner.invoke(app, ["validate", "-f", "json", str(EXAMPLES[0])])
    assert result.exit_code == 0 and json.loads(result.output) == {"valid": True, "diagnostics": []}


def test_github_format_emits_annotations_with_escaping(write_spec):
    path = write_spec(BROKEN)
    result = runner.invoke(app, ["validate", "--format", "github", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(f"::warning file={path},line=5,col=11,title=AP307::")
    assert lines[1].startswith(f"::error file={path},line=8,col=11,title=AP203::unknown resource type")
    assert all("\n" not in line for line in lines)


def test_warnings_pass_unless_strict(write_spec):
    path = write_spec(WARN_ONLY)
    assert runner.invoke(app, ["validate", str(path)]).exit_code == 0
    strict = runner.invoke(app, ["validate", "--strict", str(path)])
    assert strict.exit_code == 1
    assert json.loads(runner.invoke(app, ["validate", "--strict", "-f", "json", str(path)]).output)["valid"] is False


def test_missing_file_is_usage_error_with_a_message(tmp_path):
    result = runner.invoke(app, ["validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "AP100" in result.output and "No such file" in result.output


def test_unknown_format_and_no_arguments_are_usage_errors():
    assert runner.invoke(app, ["validate", "--format", "xml", str(EXAMPLES[0])]).exit_code == 2
    assert runner.invoke(app, ["validate"]).exit_code == 2


def test_stack_option_selects_overrides(write_spec):
    path = write_spec(WARN_ONLY.replace("secrets: [UNUSED]\n", "") + "stacks:\n  prod:\n    region: nowhere\n")
    assert runner.invoke(app, ["validate", str(path), "--stack", "dev"]).exit_code == 0
    prod = runner.invoke(app, ["validate", str(path), "--stack", "prod"])
    assert prod.exit_code == 1 and "AWS region" in prod.output
    unknown = runner.invoke(app, ["validate", str(path), "--stack", "qa"])
    assert unknown.exit_code == 1 and "unknown stack `qa`" in unknown.output


def test_help_teaches_and_version_prints():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0 and "validate" in result.output and "schema" in result.output
    assert re.search(r"^\s+build\s+Build each function", result.output, re.MULTILINE)
    build_help = " ".join(runner.invoke(app, ["build", "--help"]).output.split())  # unwrapped
    for words in ("--function", "--json", ".aipipe/build/deps/", "manylinux wheels", "Docker is needed only"):
        assert words in build_help
    validate_help = runner.invoke(app, ["validate", "--help"])
    assert "--format" in validate_help.output and "Examples" in validate_help.output
    assert runner.invoke(app, ["--version"]).output.strip() == f"aipipe {__version__}"


def test_schema_command_prints_and_writes_the_schema(tmp_path):
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0 and result.output == spec_json_schema_text()
    target = tmp_path / "schema.json"
    assert runner.invoke(app, ["schema", "-o", str(target)]).exit_code == 0
    assert target.read_text() == spec_json_schema_text()


def test_folder_and_default_spec(tmp_path, monkeypatch):
    folder = EXAMPLES[0].parent
    assert runner.invoke(app, ["validate", str(folder)]).exit_code == 0
    monkeypatch.chdir(folder)
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 0 and "aipipe.yaml: valid" in result.output
    monkeypatch.chdir(tmp_path)
    empty = runner.invoke(app, ["validate"])
    assert empty.exit_code == 2 and "no spec given" in empty.output


def test_every_command_help_renders_its_examples_verbatim():
    """Click keeps an `Examples:` block unwrapped only after a line holding the \\b character; a docstring that
    writes a backslash and a `b` instead shows `\\b` and runs the examples together into one line."""
    commands = list(app.registered_commands)
    assert len(commands) >= 16 and "build" in {command.callback.__name__ for command in commands}
    for command in app.registered_commands:
        name = command.name or command.callback.__name__
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0, name
        assert "\\b" not in result.output, f"`aipipe {name} --help` shows a literal \\b"
        if "Examples:" in result.output:
            examples = result.output.split("Examples:", 1)[1].splitlines()
            assert examples[1].strip().startswith("aipipe"), f"`aipipe {name} --help`: examples are rewrapped"


@pytest.mark.parametrize(
    "command", [["plan"], ["render", "-o", "out"], ["graph"], ["build"], ["diff", "--against", "aipipe.yaml"]]
)
def test_commands_take_the_aipipe_yaml_of_the_working_directory(command, tmp_path, monkeypatch):
    # issue 16: every command that takes a spec defaults to ./aipipe.yaml, as validate does
    copy_example("event-driven-ingest", tmp_path / "project")
    monkeypatch.chdir(tmp_path / "project")
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output
    monkeypatch.chdir(tmp_path)
    missing = CliRunner().invoke(app, command)
    assert missing.exit_code == 2 and "no ./aipipe.yaml here" in missing.output
