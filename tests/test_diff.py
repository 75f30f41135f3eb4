"""`aipipe diff` over pairs of specs, and `aipipe init` for every template."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from aipipe.cli.app import app
from aipipe.scaffold import examples

runner = CliRunner()
BASE = """\
aipipe: 1
name: pairs
cloud: aws
region: us-east-1
resources:
  raw: {type: bucket}
  archive: {type: bucket, lifecycle: {archive_after: 30d}}
  events: {type: stream, mode: on-demand}
  clean:
    type: function
    runtime: python3.12
    handler: app.handler
    code: ./app
    memory: 512
    reads: [raw]
    writes: [archive, events]
"""
FUNCTION = """  report:
    type: function
    runtime: python3.12
    handler: app.handler
    code: ./app
    reads: [archive]
"""


@pytest.fixture
def pair(write_spec):
    def make(old: str, new: str):
        return write_spec(new, "new.yaml"), write_spec(old, "old.yaml")

    return make


def diff(new, old, *extra):
    return runner.invoke(app, ["diff", str(new), "--against", str(old), *extra])


def as_json(new, old, *extra):
    result = diff(new, old, "--format", "json", *extra)
    return result.exit_code, json.loads(result.output)


def test_no_change_exits_zero(pair):
    result = diff(*pair(BASE, BASE))
    assert result.exit_code == 0 and result.output == "no changes\n"


def test_added_function_is_created(pair):
    code, document = as_json(*pair(BASE, BASE + FUNCTION))
    assert code == 3 and document["data_loss"] == []
    [change] = document["changes"]
    assert (change["resource"], change["op"]) == ("report", "create")
    assert {c["type"] for c in change["changes"]} == {
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:lambda/function:Function",
    }
    assert document["summary"] == {"create": 4, "update": 0, "replace": 0, "delete": 0}


def test_changed_memory_is_an_update_with_the_changed_input(pair):
    code, document = as_json(*pair(BASE, BASE.replace("memory: 512", "memory: 1GB")))
    assert code == 3
    [change] = document["changes"]
    [cloud] = change["changes"]
    assert (change["resource"], cloud["op"], cloud["changed"]) == ("clean", "update", ["memorySize"])
    assert (cloud["before"], cloud["after"]) == ({"memorySize": 512}, {"memorySize": 1024})


def test_renamed_resource_is_delete_and_create_and_flagged(pair):
    renamed = BASE.replace("  events: {type: stream", "  clicks: {type: stream").replace(
        "archive, events]", "archive, clicks]"
    )
    code, document = as_json(*pair(BASE, renamed))
    assert code == 1
    by_resource = {c["resource"]: c for c in document["changes"]}
    assert by_resource["events"]["op"] == "delete" and by_resource["events"]["data_loss"] is True
    assert by_resource["clicks"]["op"] == "create"
    assert by_resource["clean"]["op"] == "update"  # its policy now names the new stream
    assert document["data_loss"] == ["events"]


def test_removed_bucket_is_data_loss(pair):
    removed = BASE.replace("  archive: {type: bucket, lifecycle: {archive_after: 30d}}\n", "").replace(
        "writes: [archive, events]", "writes: [events]"
    )
    new, old = pair(BASE, removed)
    result = diff(new, old)
    assert result.exit_code == 1
    assert "- archive (bucket): delete  DATA LOSS" in result.output
    assert "DATA LOSS: archive" in result.output
    assert diff(new, old, "--allow-data-loss").exit_code == 3


def test_region_change_replaces(pair):
    code, document = as_json(*pair(BASE, BASE.replace("region: us-east-1", "region: eu-west-1")))
    assert code == 1
    raw = next(c for c in document["changes"] if c["resource"] == "raw")
    bucket = next(c for c in raw["changes"] if c["type"] == "aws:s3/bucket:Bucket")
    assert bucket["op"] == "replace" and bucket["because"] == ["provider (region)"] and bucket["data_loss"]


def test_resource_level_region_change_replaces_only_that_bucket(pair):
    moved = BASE.replace("  raw: {type: bucket}", "  raw: {type: bucket, region: eu-west-1}")
    code, document = as_json(*pair(BASE, moved))
    assert code == 1 and document["data_loss"] == ["raw"]
    assert {c["resource"] for c in document["changes"]} == {"raw"}


def test_markdown_is_a_pull_request_comment(pair):
    result = diff(*pair(BASE, BASE.replace("memory: 512", "memory: 1GB") + FUNCTION), "--format", "markdown")
    assert result.exit_code == 3
    assert result.output.startswith("### aipipe diff")
    assert "| `clean` (function) | update |" in result.output and "| `report` (function) | create |" in result.output
    assert "```mermaid\nflowchart LR" in result.output
    assert "style n_report fill:#dff5dd" in result.output and "style n_clean fill:#fff4c2" in result.output


def git(folder, *arguments):
    subprocess.run(["git", *arguments], cwd=folder, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_against_a_git_revision(write_spec):
    path = write_spec(BASE)
    folder = path.parent
    git(folder, "init", "-q")
    git(folder, "-c", "user.email=t@example.com", "-c", "user.name=t", "add", ".")
    git(folder, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "v1")
    path.write_text(BASE.replace("memory: 512", "memory: 2GB"))
    result = runner.invoke(app, ["diff", str(path), "--against", "git:HEAD"])
    assert result.exit_code == 3 and "memorySize: 512 → 2048" in result.output
    assert not list(folder.glob(".aipipe-diff-*"))  # the temporary old version is removed
    missing = runner.invoke(app, ["diff", str(path), "--against", "git:no-such-ref"])
    assert missing.exit_code == 1 and "no-such-ref" in missing.output


def test_old_version_that_is_invalid_is_an_error(pair):
    result = diff(*pair("aipipe: 1\nname: x\n", BASE))
    assert result.exit_code == 1 and "AP201" in result.output


@pytest.mark.parametrize("name", sorted(examples()))
def test_every_init_template_validates_and_plans(name, tmp_path):
    target = tmp_path / name
    result = runner.invoke(app, ["init", str(target), "--template", name])
    assert result.exit_code == 0, result.output
    assert (target / "aipipe.yaml").read_text().startswith("# yaml-language-server: $schema=./aipipe.schema.json")
    assert (target / "aipipe.schema.json").is_file()
    assert runner.invoke(app, ["validate", "--strict", str(target)]).exit_code == 0
    planned = runner.invoke(app, ["plan", str(target), "--json"])
    assert planned.exit_code == 0 and json.loads(planned.output)["resources"]


def test_init_never_overwrites_without_force(tmp_path):
    assert runner.invoke(app, ["init", str(tmp_path)]).exit_code == 0
    (tmp_path / "aipipe.yaml").write_text("mine")
    again = runner.invoke(app, ["init", str(tmp_path)])
    assert again.exit_code == 1 and "already exist" in again.output
    assert (tmp_path / "aipipe.yaml").read_text() == "mine"
    assert runner.invoke(app, ["init", str(tmp_path), "--force"]).exit_code == 0
    assert (tmp_path / "aipipe.yaml").read_text() != "mine"


def test_init_lists_and_refuses_unknown_templates(tmp_path):
    listing = runner.invoke(app, ["init", "--list"])
    assert listing.exit_code == 0 and "distributed-pubsub" in listing.output and "gcp" in listing.output
    unknown = runner.invoke(app, ["init", str(tmp_path), "--template", "event-driven"])
    assert unknown.exit_code == 1 and "did you mean `event-driven-ingest`" in unknown.output


def test_a_change_that_fixes_a_build_problem_diffs_although_the_old_side_cannot_be_built(pair, tmp_path, monkeypatch):
    """The old side is built from today's code folder: a function too large for a zip, which the change ships
    as an image, cannot be built as the old spec says; the diff plans it from a placeholder and reports the
    change, instead of failing on a problem the change fixes."""
    from build_helpers import small_limits

    (tmp_path / "app").mkdir(exist_ok=True)
    (tmp_path / "app" / "model.bin").write_bytes(b"\0" * 4096)
    small_limits(monkeypatch, aws_unzipped=1024)
    new, old = pair(BASE, BASE.replace("    code: ./app\n", "    code: ./app\n    package: image\n", 1))
    new.write_text(BASE.replace("    code: ./app\n", "    code: ./app\n    package: image\n", 1))
    old.write_text(BASE)
    result = diff(new, old)
    assert result.exit_code == 3, result.output
    assert "AP602" not in result.output  # the old side's problem is not reported as the change's
    assert "aws:ecr/repository:Repository" in result.output
