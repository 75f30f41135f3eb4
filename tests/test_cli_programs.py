"""`aipipe render` and `aipipe plan` through the CLI: files, JSON shape, secrets, errors, exit codes."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from aipipe.cli.app import app

from conftest import EXAMPLES

runner = CliRunner()
INGEST = next(p for p in EXAMPLES if p.parent.name == "event-driven-ingest")


def test_render_writes_a_runnable_project(tmp_path):
    result = runner.invoke(app, ["render", str(INGEST), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Pulumi.yaml", "__main__.py", "requirements.txt"]
    project = (tmp_path / "Pulumi.yaml").read_text()
    assert "name: event-driven-ingest" in project and "aws:region" in project and "us-east-1" in project
    assert "pulumi-aws" in (tmp_path / "requirements.txt").read_text()


def test_render_for_another_stack(tmp_path):
    assert runner.invoke(app, ["render", str(INGEST), "--stack", "prod", "-o", str(tmp_path)]).exit_code == 0
    assert "eu-west-1" in (tmp_path / "Pulumi.yaml").read_text()
    assert "memory_size=1024" in (tmp_path / "__main__.py").read_text()


def test_plan_json_has_the_documented_shape_and_hides_secrets():
    result = runner.invoke(app, ["plan", str(INGEST), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert set(document) == {"resources", "outputs"}
    first = document["resources"][0]
    assert set(first) == {"urn", "type", "name", "parent", "inputs", "dependencies", "options"}
    assert set(first["options"]) == {"protect", "retain_on_delete", "depends_on"}
    assert any(r["type"] == "aws:s3/bucket:Bucket" for r in document["resources"])
    [function] = [
        r for r in document["resources"] if r["type"] == "aws:lambda/function:Function" and r["name"] == "preprocess"
    ]
    # the example passes its secret by ARN: the function sees where the value is, never the value
    variables = function["inputs"]["environment"]["variables"]
    assert variables["LABELLING_API_KEY_ARN"].startswith("arn:aws:secretsmanager:")
    [version] = [r for r in document["resources"] if r["type"] == "aws:secretsmanager/secretVersion:SecretVersion"]
    assert version["inputs"]["secretString"] == "[secret]"
    assert "placeholder" not in result.output
    assert document["outputs"]["raw_bucket"] == "raw"


def test_plan_text_shows_tree_counts_and_outputs():
    result = runner.invoke(app, ["plan", str(INGEST)])
    assert result.exit_code == 0
    assert "aipipe:index:Function preprocess" in result.output
    assert "resources by type" in result.output and "outputs" in result.output


def test_plan_and_render_refuse_an_invalid_spec(write_spec, tmp_path):
    path = write_spec("aipipe: 1\nname: bad\ncloud: aws\nregion: us-east-1\nresources:\n  raw: {type: buckt}\n")
    for command in (["plan", str(path)], ["render", str(path), "-o", str(tmp_path / "out")], ["graph", str(path)]):
        result = runner.invoke(app, command)
        assert result.exit_code == 1
        assert "AP203" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
