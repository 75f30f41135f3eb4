"""Build problems as the user reads them (aipipe.build.problems and the places in aipipe.build.sources they
point at): each kind of installer failure gets its own fix, an unreachable index says what the command does
about it, and a failure naming no requirement of the file still points into the file."""

from __future__ import annotations

import pytest

from aipipe.build.installer import InstallFailure
from aipipe.build.problems import failure_diagnostic
from aipipe.build.sources import dependency_source, normalized
from aipipe.build.targets import Target
from aipipe.core.diagnostics import Severity

from build_helpers import load, write_spec

AWS = Target("aws", "python3.12", "arm64")
GCP = Target("gcp", "python3.12")


@pytest.fixture
def setup(tmp_path):
    spec = load(write_spec(tmp_path))
    (tmp_path / "fn" / "requirements.txt").write_text("# pinned\nsix==1.16.0\nPillow_SIMD>=9\n")
    return spec, dependency_source(tmp_path / "fn")


def test_names_compare_in_pep_503s_normal_form(setup):
    _, source = setup
    assert normalized("Pillow_SIMD") == "pillow-simd" and normalized("zope.interface") == "zope-interface"
    assert source.find("pillow-simd").line == 3 and source.find("SIX").line == 2


@pytest.mark.parametrize(
    ("target", "detail", "fix"),
    [
        (AWS, "Because nope was not found in the package registry and you require nope", "check the name"),
        (AWS, "Because there is no version of six==9.9 and you require six==9.9", "ask for a version that exists"),
        (GCP, "Because six==1.16.0 depends on nothing==1 and nothing==1 conflicts", "pin versions that exist"),
        (
            AWS,
            "Because six==1.16.0 has no usable wheels and you require six==1.16.0",
            "public.ecr.aws/lambda/python:3.12",
        ),
    ],
)
def test_each_kind_of_unmet_requirement_gets_its_own_fix(setup, target, detail, fix):
    spec, source = setup
    failure = InstallFailure("unsatisfiable", detail, ["six", "nope"])
    diagnostic = failure_diagnostic(spec, "fn", target, source, failure, Severity.ERROR)
    assert diagnostic.code == "AP601" and fix in diagnostic.message
    assert diagnostic.message.count(fix) == 1 and ". Fix:" in diagnostic.message and ".. Fix" not in diagnostic.message


def test_the_wheel_fix_names_the_target(setup):
    spec, source = setup
    failure = InstallFailure("unsatisfiable", "six==1.16.0 has no usable wheels", ["six"])
    message = failure_diagnostic(spec, "fn", AWS, source, failure, Severity.ERROR).message
    assert "Lambda python3.12 on arm64 (wheels cp312 manylinux_2_34 aarch64)" in message
    assert "`six==1.16.0` cannot be installed" in message


def test_a_failure_naming_no_requirement_of_the_file_points_at_its_start(setup):
    spec, source = setup
    failure = InstallFailure("unsatisfiable", "Because transitive==1 has no usable wheels", ["transitive"])
    diagnostic = failure_diagnostic(spec, "fn", AWS, source, failure, Severity.ERROR)
    assert (diagnostic.line, diagnostic.column) == (1, 1) and "these requirements cannot" in diagnostic.message


def test_other_installer_failures_are_ap604_and_send_to_the_message(setup):
    spec, source = setup
    failure = InstallFailure("failed", "error: something else.", [])
    diagnostic = failure_diagnostic(spec, "fn", AWS, source, failure, Severity.ERROR)
    assert diagnostic.code == "AP604" and diagnostic.message.endswith("Fix: see the installer's message.")
    assert "error: something else. Fix" in diagnostic.message  # the reason's own full stop, not two


@pytest.mark.parametrize(
    ("severity", "outcome"),
    [(Severity.WARNING, "the function is shown without them"), (Severity.ERROR, "it cannot be built")],
)
def test_an_unreachable_index_says_what_the_command_does_about_it(setup, severity, outcome):
    spec, source = setup
    failure = InstallFailure("unreachable", "Failed to fetch: http://127.0.0.1:9/simple/six/ (refused)")
    diagnostic = failure_diagnostic(spec, "fn", AWS, source, failure, severity)
    assert (diagnostic.code, diagnostic.severity, diagnostic.path) == ("AP603", severity, "resources.fn.code")
    assert outcome in diagnostic.message and "UV_INDEX_URL" in diagnostic.message
    assert (diagnostic.line, diagnostic.column) == spec.locate("resources", "fn", "code") != (1, 1)


def test_pyproject_dependencies_are_found_at_the_start_of_a_line_too(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "fn"\ndependencies = [\n"six",\n  "idna>=3",\n]\n')
    source = dependency_source(tmp_path)
    assert [(r.name, r.line, r.column) for r in source.requirements] == [("six", 4, 2), ("idna", 5, 4)]


def test_a_dependency_written_with_an_escape_is_placed_at_the_files_start(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "fn"\ndependencies = ["six\\u003e=1"]\n')
    [requirement] = dependency_source(tmp_path).requirements
    assert (requirement.text, requirement.line, requirement.column) == ("six>=1", 1, 1)
