"""Dependency sources (aipipe.build.sources) and what a gcp source archive holds, offline: where each
requirement is written, pyproject.toml's dependencies, a uv.lock exported with its pins, AP600 for files that
cannot be read, and the requirements.txt Cloud Build installs from."""

from __future__ import annotations

import zipfile

import pytest

from aipipe.build.sources import SourceProblem, dependency_source

from build_helpers import build, local_index, make_wheel, write_spec, zip_names
from conftest import DATA

# written by `uv lock` (uv 0.13) for a project asking `six==1.16.0`; PYPROJECT below admits any six>=1.15
SIX_LOCK = (DATA / "build" / "six-1.16.0.uv.lock").read_text()
PYPROJECT = """\
[project]
name = "fn"
version = "0"
requires-python = ">=3.10"
dependencies = [
    "six>=1.15",
    'tinydep == 1.0 ; python_version >= "3.10"',
]
"""


@pytest.fixture(scope="module")
def wheels(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wheels")
    make_wheel(folder, "tinydep", "1.0", {"tinydep/__init__.py": b""})
    make_wheel(folder, "six", "1.16.0", {"six.py": b"# a stand-in of six 1.16.0\n"})
    make_wheel(folder, "six", "1.17.0", {"six.py": b"# a stand-in of six 1.17.0\n"})
    return folder


def test_each_requirement_keeps_its_line_and_column(tmp_path):
    (tmp_path / "requirements.txt").write_text(
        "# comment\n"
        "--index-url https://example.org/simple\n"
        "numpy==2.1.3  # pinned\n"
        "\n"
        "  Pillow_SIMD[extra]>=9 ; python_version >= '3.12'\n"
        "-r more.txt\n"
        "https://example.org/whl/x-1.0-py3-none-any.whl\n"
    )
    source = dependency_source(tmp_path)
    found = [(r.name, r.text, r.line, r.column) for r in source.requirements]
    assert found[:2] == [
        ("numpy", "numpy==2.1.3", 3, 1),
        ("Pillow_SIMD", "Pillow_SIMD[extra]>=9 ; python_version >= '3.12'", 5, 3),
    ]
    assert source.find("pillow-simd").line == 5 and source.find("scipy") is None
    assert source.installer_text == (tmp_path / "requirements.txt").read_text()  # uv reads options itself


def test_requirements_txt_wins_over_pyproject_and_nothing_declared_is_none(tmp_path):
    assert dependency_source(tmp_path) is None
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "fn"\nversion = "0"\n')
    assert dependency_source(tmp_path) is None  # a pyproject without dependencies
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    assert dependency_source(tmp_path).file.name == "pyproject.toml"
    (tmp_path / "requirements.txt").write_text("six\n")
    assert dependency_source(tmp_path).file.name == "requirements.txt"


def test_pyproject_dependencies_are_found_at_their_strings(tmp_path):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    source = dependency_source(tmp_path)
    assert [(r.name, r.line, r.column) for r in source.requirements] == [("six", 6, 6), ("tinydep", 7, 6)]
    assert source.installer_text == 'six>=1.15\ntinydep == 1.0 ; python_version >= "3.10"\n'
    assert not source.locked


# the pyproject.toml the lock in tests/data/build was made from
LOCKED_PYPROJECT = '[project]\nname = "fn"\nversion = "0"\nrequires-python = ">=3.10"\ndependencies = ["six==1.16.0"]\n'


def test_a_uv_lock_decides_the_versions(tmp_path):
    (tmp_path / "pyproject.toml").write_text(LOCKED_PYPROJECT)
    (tmp_path / "uv.lock").write_text(SIX_LOCK)
    source = dependency_source(tmp_path)
    assert source.locked and source.file.name == "pyproject.toml"
    pins = [line for line in source.installer_text.splitlines() if line and not line.lstrip().startswith("#")]
    assert pins == ["six==1.16.0"]


def test_a_lock_out_of_step_with_pyproject_is_refused_not_half_used(tmp_path):
    """A dependency added without `uv lock`: exporting the lock as it is would leave it out of the function."""
    (tmp_path / "pyproject.toml").write_text(LOCKED_PYPROJECT.replace('"six==1.16.0"', '"six==1.16.0", "idna"'))
    (tmp_path / "uv.lock").write_text(SIX_LOCK)
    with pytest.raises(SourceProblem, match="run `uv lock`") as raised:
        dependency_source(tmp_path)
    assert raised.value.file.name == "uv.lock"


@pytest.mark.parametrize(
    ("file", "text", "where", "words"),
    [
        ("pyproject.toml", '[project]\nname = "fn"\ndependencies = [\n  "six",\n  = \n]\n', (5, 3), "not valid TOML"),
        ("pyproject.toml", "[project]\ndependencies = 'six'\n", (1, 1), "must be a list of requirement strings"),
        ("requirements.txt", b"six\n\xff\n", (1, 1), "not valid UTF-8"),
    ],
)
def test_unreadable_dependency_files_are_ap600_in_that_file(tmp_path, file, text, where, words):
    spec = write_spec(tmp_path)
    path = tmp_path / "fn" / file
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(SourceProblem):
        dependency_source(tmp_path / "fn")
    report = build(spec)
    [problem] = report.diagnostics
    assert (problem.code, problem.file, (problem.line, problem.column)) == ("AP600", f"{path}", where)
    assert words in problem.message and report.artifacts == {}


def test_a_broken_lock_is_ap600_at_the_lock(tmp_path):
    spec = write_spec(tmp_path)
    (tmp_path / "fn" / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "fn" / "uv.lock").write_text("version = 1\n[[package]]\nname = 3\n")
    [problem] = build(spec).diagnostics
    assert problem.code == "AP600" and problem.file.endswith("fn/uv.lock") and "cannot be exported" in problem.message


def test_gcp_keeps_the_code_folders_requirements_txt(tmp_path, wheels, monkeypatch):
    local_index(monkeypatch, wheels)
    spec = write_spec(tmp_path, "gcp")
    requirements = "# for Cloud Build\ntinydep==1.0\n"
    (tmp_path / "fn" / "requirements.txt").write_text(requirements)
    artifact = build(spec).artifacts["fn"]
    assert artifact.package == "source" and artifact.packages == ("tinydep==1.0",) and artifact.cache == "miss"
    with zipfile.ZipFile(artifact.path) as archive:
        assert archive.namelist() == ["main.py", "requirements.txt"]  # sources only: Cloud Build installs
        assert archive.read("requirements.txt").decode() == requirements
    assert build(spec).artifacts["fn"].cache == "hit"


def test_gcp_gets_a_requirements_txt_written_from_pyproject(tmp_path, wheels, monkeypatch):
    local_index(monkeypatch, wheels)
    spec = write_spec(tmp_path, "gcp")
    (tmp_path / "fn" / "pyproject.toml").write_text(PYPROJECT)
    artifact = build(spec).artifacts["fn"]
    assert artifact.packages == ("six==1.17.0", "tinydep==1.0")  # resolved as Cloud Build will
    assert zip_names(artifact.path) == ["main.py", "pyproject.toml", "requirements.txt"]
    with zipfile.ZipFile(artifact.path) as archive:
        assert archive.read("requirements.txt").decode() == 'six>=1.15\ntinydep == 1.0 ; python_version >= "3.10"\n'
    assert not (tmp_path / "fn" / "requirements.txt").exists()  # written into the archive only


def test_gcp_with_a_lock_ships_the_locked_pins(tmp_path, wheels, monkeypatch):
    local_index(monkeypatch, wheels)
    spec = write_spec(tmp_path, "gcp")
    (tmp_path / "fn" / "pyproject.toml").write_text(LOCKED_PYPROJECT)
    (tmp_path / "fn" / "uv.lock").write_text(SIX_LOCK)
    artifact = build(spec).artifacts["fn"]
    assert artifact.packages == ("six==1.16.0",)
    with zipfile.ZipFile(artifact.path) as archive:
        assert "six==1.16.0" in archive.read("requirements.txt").decode().splitlines()
        assert "uv.lock" in archive.namelist()


def test_a_pyproject_without_a_project_table_declares_nothing(tmp_path):
    (tmp_path / "pyproject.toml").write_text('project = "not a table"\n[tool.ruff]\nline-length = 100\n')
    assert dependency_source(tmp_path) is None


def test_locked_requirements_keep_their_places_in_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text(LOCKED_PYPROJECT)
    (tmp_path / "uv.lock").write_text(SIX_LOCK)
    [requirement] = dependency_source(tmp_path).requirements  # a failing pin points here, not at the lock
    assert (requirement.name, requirement.file, requirement.line) == ("six", tmp_path / "pyproject.toml", 5)


def test_a_local_wheel_named_in_requirements_is_part_of_the_cache_key(tmp_path, monkeypatch):
    """A wheel rebuilt at the same path (new content, same version) is a new cache entry."""
    from aipipe.build.sources import local_inputs

    monkeypatch.setenv("UV_NO_INDEX", "1")
    spec = write_spec(tmp_path)
    wheel = make_wheel(tmp_path / "fn" / "wheels", "localdep", "1.0", {"localdep/__init__.py": b"A = 1\n"})
    (tmp_path / "fn" / "requirements.txt").write_text(f"./wheels/{wheel.name}\n")
    before = local_inputs(dependency_source(tmp_path / "fn"))
    make_wheel(tmp_path / "fn" / "wheels", "localdep", "1.0", {"localdep/__init__.py": b"A = 2\n"})
    assert local_inputs(dependency_source(tmp_path / "fn")) != before and f"wheels/{wheel.name}" in before
    assert "localdep==1.0" in build(spec).artifacts["fn"].packages


def test_every_file_a_requirements_file_names_is_part_of_the_cache_key(tmp_path):
    """The cache key reads the same references the safety check holds to the project: a `file:` requirement,
    an attached option argument and an included file's own references all count."""
    from aipipe.build.sources import local_inputs

    (tmp_path / "wheels").mkdir()
    (tmp_path / "wheels" / "a-1.0-py3-none-any.whl").write_bytes(b"one")
    (tmp_path / "pins.txt").write_text("six==1.16.0\n")
    (tmp_path / "base.txt").write_text("-cpins.txt\n")
    (tmp_path / "requirements.txt").write_text("a @ file:./wheels/a-1.0-py3-none-any.whl\n-r base.txt\n")
    before = local_inputs(dependency_source(tmp_path))
    assert all(name in before for name in ("wheels/a-1.0-py3-none-any.whl", "base.txt", "pins.txt"))
    (tmp_path / "pins.txt").write_text("six==1.17.0\n")
    after_pins = local_inputs(dependency_source(tmp_path))
    (tmp_path / "wheels" / "a-1.0-py3-none-any.whl").write_bytes(b"two")
    assert len({before, after_pins, local_inputs(dependency_source(tmp_path))}) == 3
