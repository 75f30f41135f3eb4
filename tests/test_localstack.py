"""The real thing: `up`, `outputs`, `destroy` of an AWS example against LocalStack through the pulumi CLI.

Runs only where the `pulumi` CLI is on PATH and AIPIPE_TEST_LOCALSTACK is set to LocalStack's URL
(for example http://localhost:4566); skipped with that reason everywhere else, including this project's CI.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest
from typer.testing import CliRunner

from aipipe.cli.app import app

from conftest import copy_example

ENDPOINT = os.environ.get("AIPIPE_TEST_LOCALSTACK", "")
pytestmark = [
    pytest.mark.skipif(shutil.which("pulumi") is None, reason="needs the pulumi CLI on PATH"),
    pytest.mark.skipif(
        not ENDPOINT, reason="needs AIPIPE_TEST_LOCALSTACK=<LocalStack URL, e.g. http://localhost:4566>"
    ),
]


def test_up_outputs_destroy_against_localstack(tmp_path, monkeypatch):
    folder = tmp_path / "ingest"
    copy_example("event-driven-ingest", folder)
    monkeypatch.setenv("LABELLING_API_KEY", "localstack-test-key")
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "localstack")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.chdir(folder)
    runner = CliRunner()
    up = runner.invoke(app, ["up", "aipipe.yaml", "--yes", "--endpoint", ENDPOINT])
    assert up.exit_code == 0, up.output
    outputs = json.loads(runner.invoke(app, ["outputs", "--json"]).output)["outputs"]
    assert outputs["raw_bucket"].startswith("raw")
    assert "localstack-test-key" not in up.output
    listing = runner.invoke(app, ["ls"])
    assert "dev" in listing.output
    down = runner.invoke(app, ["destroy", "--yes"])
    assert down.exit_code == 0, down.output
