"""`--help` and messages teach with paths a user has: nothing that exists only in a checkout of aipipe (issue 16)."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from aipipe.cli.app import app

CHECKOUT_ONLY = re.compile(r"(?<![\w.])(specs|docs|tests|benchmarks|tools)/|\.\./shared")
COMMANDS = sorted(command.name or command.callback.__name__ for command in app.registered_commands)


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_mentions_no_path_of_the_repository(command):
    result = CliRunner().invoke(app, [command, "--help"] if command else ["--help"])
    assert result.exit_code == 0, result.output
    assert not CHECKOUT_ONLY.search(result.output), result.output


def test_the_help_probe_knows_a_repository_path_when_it_sees_one():
    assert CHECKOUT_ONLY.search("aipipe plan specs/event-driven-ingest")
    assert not CHECKOUT_ONLY.search("aipipe plan pipelines/ingest  # ./specs.yaml")


def test_an_unknown_ignore_code_lists_the_pipeline_checks_instead_of_a_repository_file(write_spec):
    from aipipe.policies.registry import POLICY_CODES
    from aipipe.validation import load_spec

    head = "aipipe: 1\nname: demo\ncloud: aws\nregion: us-east-1\nresources:\n"
    path = write_spec(head + "  raw:\n    type: bucket\n    ignore: [AP599]\n")
    [problem] = [d for d in load_spec(str(path)).diagnostics if d.code == "AP202"]
    assert "docs/" not in problem.message and all(code in problem.message for code in POLICY_CODES)
