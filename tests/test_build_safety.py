"""What a code folder or a requirements file may not make aipipe do: run a requirement's build code while
planning (a pull request's requirements, in `aipipe diff`), pack a file through a link out of the code folder
(the generated passphrase, a credentials file), or read a file outside the project through `-r`, `-c`, `-f`
or a `file://` requirement (the installer's errors would print it)."""

from __future__ import annotations

import zipfile

import pytest

from aipipe.build.artifacts import build_functions
from aipipe.core.diagnostics import Severity

from build_helpers import build, load, local_index, make_wheel, write_spec

EVIL_SETUP = """import pathlib
pathlib.Path({marker!r}).write_text("ran")
from setuptools import setup
setup(name="evil", version="1")
"""


@pytest.fixture
def wheels(tmp_path):
    folder = tmp_path / "index"
    make_wheel(folder, "tinydep", "1.0", {"tinydep/__init__.py": b"A = 1\n"})
    return folder


def test_planning_never_runs_a_requirements_build_code(tmp_path, wheels, monkeypatch):
    """gcp resolves without building: a local project (or an sdist) with a setup.py is reported as unchecked,
    and its setup.py never runs here (Cloud Build builds it in the cloud)."""
    local_index(monkeypatch, wheels)
    marker = tmp_path / "ran-setup-py"
    spec = write_spec(tmp_path, "gcp")
    (tmp_path / "fn" / "evil").mkdir()
    (tmp_path / "fn" / "evil" / "setup.py").write_text(EVIL_SETUP.format(marker=str(marker)))
    (tmp_path / "fn" / "requirements.txt").write_text("tinydep==1.0\n./evil\n")
    report = build_functions(load(spec), offline_severity=Severity.WARNING)
    assert not marker.exists()
    [unchecked] = report.diagnostics
    assert (unchecked.code, unchecked.severity) == ("AP601", Severity.WARNING)
    assert "could not be checked" in unchecked.message and "Cloud Build builds it" in unchecked.message
    assert report.artifacts["fn"].built  # the source archive still ships: the cloud's build decides


def test_aws_never_builds_either(tmp_path, wheels, monkeypatch):
    local_index(monkeypatch, wheels)
    marker = tmp_path / "ran-setup-py"
    spec = write_spec(tmp_path)
    (tmp_path / "fn" / "evil").mkdir()
    (tmp_path / "fn" / "evil" / "setup.py").write_text(EVIL_SETUP.format(marker=str(marker)))
    (tmp_path / "fn" / "requirements.txt").write_text("./evil\n")
    [refused] = build(spec).diagnostics
    assert not marker.exists() and refused.code == "AP601" and refused.severity is Severity.ERROR


@pytest.mark.parametrize("target", ["../.aipipe/passphrase", "OUTSIDE"])
def test_a_link_out_of_the_code_folder_is_refused_not_packed(tmp_path, target):
    spec = write_spec(tmp_path / "project")
    (tmp_path / "project" / ".aipipe").mkdir()
    (tmp_path / "project" / ".aipipe" / "passphrase").write_text("secret passphrase")
    (tmp_path / "credentials").write_text("aws_secret_access_key = SECRET")
    link = tmp_path / "project" / "fn" / "notes.txt"
    link.symlink_to(tmp_path / "credentials" if target == "OUTSIDE" else target)
    report = build(spec)
    [refused] = report.diagnostics
    assert refused.code == "AP605" and "notes.txt" in refused.message and (refused.line, refused.column) != (1, 1)
    assert "fn" not in report.artifacts
    assert not (tmp_path / "project" / ".aipipe" / "build" / "dev" / "fn.zip").exists()


def test_a_link_inside_the_code_folder_is_packed_as_the_file(tmp_path):
    spec = write_spec(tmp_path)
    (tmp_path / "fn" / "alias.py").symlink_to("app.py")
    artifact = build(spec).artifacts["fn"]
    with zipfile.ZipFile(artifact.path) as archive:
        assert archive.read("alias.py") == archive.read("app.py")


@pytest.mark.parametrize(
    ("line", "column"),
    [("-r {outside}", 4), ("--constraint={outside}", 14), ("tinydep @ file://{outside}", 11), ("-f {folder}", 4)],
)
def test_requirements_may_not_read_files_outside_the_project(tmp_path, line, column):
    outside = tmp_path / "credentials.txt"
    outside.write_text("aws_secret_access_key = SECRET\n")
    spec = write_spec(tmp_path / "project")
    text = line.format(outside=outside, folder=tmp_path)
    (tmp_path / "project" / "fn" / "requirements.txt").write_text(f"six\n{text}\n")
    [refused] = build(spec).diagnostics
    assert (refused.code, refused.line, refused.column) == ("AP600", 2, column)
    assert "outside the spec's folder" in refused.message and "SECRET" not in refused.message


def test_an_included_file_inside_the_project_may_not_reach_outside_either(tmp_path):
    spec = write_spec(tmp_path / "project")
    (tmp_path / "project" / "base.txt").write_text("six\n-r ../../etc-passwd.txt\n")
    (tmp_path / "project" / "fn" / "requirements.txt").write_text("-r ../base.txt\n")
    [refused] = build(spec).diagnostics
    assert refused.code == "AP600" and refused.file.endswith("base.txt") and refused.line == 2


def test_on_gcp_requirements_may_read_only_the_uploaded_code_folder(tmp_path):
    """Cloud Build installs from the uploaded folder alone: a `-r ../base.txt` inside the project resolves here
    but not there, so it is refused at its line."""
    spec = write_spec(tmp_path, "gcp")
    (tmp_path / "base.txt").write_text("six\n")
    (tmp_path / "fn" / "requirements.txt").write_text("-r ../base.txt\n")
    [refused] = build(spec).diagnostics
    assert (refused.code, refused.line, refused.column) == ("AP600", 1, 4)
    assert "the cloud builds from the uploaded folder alone" in refused.message


@pytest.mark.parametrize(
    "line",
    [
        "-r ${HOME}/../outside.txt",
        "-r $HOME/outside.txt",
        "pkg @ file:../../outside/x.whl",
        "file:///tmp/outside/x.whl",
        "sub/../../../outside/foo.whl",
        "--index-url file:///tmp/index",
        "--extra-index-url=file:///tmp/index",
        "-e ../../outside/pkg",
        "../../outside/pkg",
    ],
)
def test_every_way_a_requirements_line_names_a_file_is_held_to_the_project(tmp_path, line):
    spec = write_spec(tmp_path / "project")
    (tmp_path / "project" / "fn" / "requirements.txt").write_text(f"six\n{line}\n")
    [refused] = build(spec).diagnostics
    assert (refused.code, refused.line) == ("AP600", 2)


@pytest.mark.parametrize(
    "line",
    [
        "--index-url https://pypi.org/simple",
        "-i https://pypi.org/simple",
        "pkg @ https://example.com/pkg-1.0-py3-none-any.whl",
        "--find-links=./wheels",
        "-f wheels",
        'six; python_version >= "3.10"',
        "# old: mypkg @ file:///home/me/mypkg",
        "six>=1.0 # see /etc/notes",
    ],
)
def test_lines_that_name_no_file_outside_are_left_to_the_installer(tmp_path, line):
    from aipipe.build.sources import check_local_files
    from aipipe.core.local_paths import ReadableArea

    (tmp_path / "fn").mkdir()
    (tmp_path / "fn" / "requirements.txt").write_text(f"{line}\n")
    check_local_files(tmp_path / "fn" / "requirements.txt", ReadableArea.of(tmp_path).refusal)  # raises nothing


def test_an_included_file_named_without_a_separator_is_checked_too(tmp_path):
    """`-r base.txt` names a file beside it: what that file reads is held to the project as well."""
    spec = write_spec(tmp_path / "project")
    (tmp_path / "project" / "fn" / "base.txt").write_text("six\n-rtmp-outside.txt\n-c /etc/hosts\n")
    (tmp_path / "project" / "fn" / "requirements.txt").write_text("-r base.txt\n")
    [refused] = build(spec).diagnostics
    assert refused.code == "AP600" and refused.file.endswith("base.txt") and refused.line == 3
