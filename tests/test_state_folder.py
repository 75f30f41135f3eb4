"""`.aipipe/` (state, passphrase, rendered programs) never lands in git, and local backends are read from the
spec's folder."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from aipipe.cli.app import app
from aipipe.core.state_folder import IGNORE_ALL, ignore_in_project
from aipipe.deploy.settings import local_backend, settings_for
from aipipe.validation import load_spec

from conftest import copy_example

runner = CliRunner()


@pytest.fixture
def project(tmp_path):
    folder = tmp_path / "ingest"
    copy_example("event-driven-ingest", folder)
    return folder


def test_deploy_settings_create_the_folder_with_a_gitignore(project):
    spec = load_spec(str(project / "aipipe.yaml")).spec
    settings_for(spec, {"LABELLING_API_KEY": "x"})
    assert (project / ".aipipe" / ".gitignore").read_text() == IGNORE_ALL
    assert (project / ".aipipe" / "passphrase").exists()


def test_render_into_the_default_folder_writes_the_gitignore(project):
    result = runner.invoke(app, ["render", str(project / "aipipe.yaml")])
    assert result.exit_code == 0, result.output
    assert (project / ".aipipe" / ".gitignore").read_text() == IGNORE_ALL


def test_a_gitignore_someone_edited_is_left_alone(project):
    (project / ".aipipe").mkdir()
    (project / ".aipipe" / ".gitignore").write_text("state/\n")
    settings_for(load_spec(str(project / "aipipe.yaml")).spec, {"LABELLING_API_KEY": "x"})
    assert (project / ".aipipe" / ".gitignore").read_text() == "state/\n"


def test_init_writes_a_gitignore_for_the_state_folder(tmp_path):
    result = runner.invoke(app, ["init", str(tmp_path / "new")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "new" / ".gitignore").read_text() == ".aipipe/\n"


@pytest.mark.parametrize(
    "existing, expected",
    [
        ("", ".aipipe/\n"),
        ("*.pyc", "*.pyc\n.aipipe/\n"),
        ("*.pyc\n", "*.pyc\n.aipipe/\n"),
        ("/.aipipe/\n", "/.aipipe/\n"),
        (".aipipe\n", ".aipipe\n"),
    ],
)
def test_a_projects_gitignore_gains_the_state_folder_once(tmp_path, existing, expected):
    if existing:
        (tmp_path / ".gitignore").write_text(existing)
    ignore_in_project(tmp_path)
    ignore_in_project(tmp_path)
    assert (tmp_path / ".gitignore").read_text() == expected


@pytest.mark.parametrize(
    "url, expected",
    [
        ("file://state", "file://{base}/state"),
        ("file://./team/../state", "file://{base}/state"),
        ("file://~/pulumi-state", "file://{home}/pulumi-state"),
        ("file:///var/state", "file:///var/state"),
        ("s3://bucket/prefix", "s3://bucket/prefix"),
        ("https://api.pulumi.com", "https://api.pulumi.com"),
    ],
)
def test_local_backends_are_read_from_the_specs_folder(tmp_path, monkeypatch, url, expected):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    base = tmp_path / "specs"
    assert local_backend(url, base) == expected.format(base=base.as_posix(), home=(tmp_path / "home").as_posix())


def test_a_relative_backend_in_the_environment_is_read_from_the_spec_folder_too(project):
    spec = load_spec(str(project / "aipipe.yaml")).spec
    settings = settings_for(spec, {"LABELLING_API_KEY": "x", "PULUMI_BACKEND_URL": "file://shared-state"})
    assert settings.backend_url == "file://" + (project / "shared-state").as_posix()
    assert settings.environment["PULUMI_BACKEND_URL"] == settings.backend_url
    assert (project / "shared-state").is_dir()
