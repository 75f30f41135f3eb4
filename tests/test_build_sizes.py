"""The clouds' package size limits (aipipe.build.artifacts): a zip over Lambda's unzipped limit is refused
(AP602, suggesting an image), `package: auto` ships it as an image instead, a large zip goes through S3, and a
Cloud Functions source archive over its limit is refused. The dependencies are a real wheel built here and
installed by uv from a local folder (no network); the limits are made small (build_helpers.small_limits),
since crossing the real ones (250 MB, 10 GB, 100 MB) would write that many bytes for the same comparison."""

from __future__ import annotations

import os

import pytest

from aipipe.build.sizes import MB

from build_helpers import build, local_index, make_wheel, small_limits, tar_names, write_spec, zip_names

BLOB = 3 * MB  # random bytes: they do not compress, so zipped and unzipped sizes both pass 2 MB


@pytest.fixture(scope="module")
def wheels(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wheels")
    make_wheel(folder, "bigdata", "1.0", {"bigdata/__init__.py": b"", "bigdata/blob.bin": os.urandom(BLOB)})
    return folder


def project(folder, wheels, monkeypatch, **fields):
    local_index(monkeypatch, wheels)
    spec = write_spec(folder, functions={"fn": fields})
    (folder / "fn" / "requirements.txt").write_text("bigdata==1.0\n")
    return spec


def code_line(spec):
    """The line and column of the function's `code:` value in the spec written by build_helpers.write_spec."""
    for number, line in enumerate(spec.read_text().splitlines(), start=1):
        if line.startswith("    code: "):
            return number, len("    code: ") + 1
    raise AssertionError("no code line")


def test_a_zip_over_the_unzipped_limit_is_refused_with_the_image_fix(tmp_path, wheels, monkeypatch):
    small_limits(monkeypatch, aws_unzipped=2 * MB)
    spec = project(tmp_path, wheels, monkeypatch)
    report = build(spec)
    assert "fn" not in report.artifacts and not (tmp_path / ".aipipe/build/dev/fn.zip").exists()
    [problem] = report.diagnostics
    assert (problem.code, problem.file, (problem.line, problem.column)) == ("AP602", str(spec), code_line(spec))
    assert "function `fn` is 3.0 MB, over Lambda's 2 MB limit on a .zip package's unzipped size" in problem.message
    assert "Set `package: image`" in problem.message and "`package: auto`" in problem.message


def test_under_the_limit_the_same_function_is_a_zip_with_its_wheel(tmp_path, wheels, monkeypatch):
    small_limits(monkeypatch, aws_unzipped=4 * MB)
    artifact = build(project(tmp_path, wheels, monkeypatch)).artifacts["fn"]
    assert artifact.package == "zip" and artifact.packages == ("bigdata==1.0",) and artifact.cache == "miss"
    assert {"app.py", "bigdata/blob.bin", "bigdata-1.0.dist-info/METADATA"} <= set(zip_names(artifact.path))
    assert BLOB < artifact.unzipped_bytes < BLOB + 10_000 and artifact.limit_bytes == 4 * MB


def test_auto_ships_an_image_past_the_unzipped_limit_and_says_so(tmp_path, wheels, monkeypatch):
    small_limits(monkeypatch, aws_unzipped=2 * MB)
    report = build(project(tmp_path, wheels, monkeypatch, package="auto"))
    assert report.diagnostics == []
    artifact = report.artifacts["fn"]
    assert artifact.package == "image" and artifact.notes == ("over 2 MB unzipped: shipped as a container image",)
    assert {"app.py", "bigdata/blob.bin"} <= set(tar_names(artifact.path / "function.tar"))
    assert not (tmp_path / ".aipipe/build/dev/fn.zip").exists()


def test_auto_under_the_limit_stays_a_zip(tmp_path, wheels, monkeypatch):
    small_limits(monkeypatch, aws_unzipped=4 * MB)
    artifact = build(project(tmp_path, wheels, monkeypatch, package="auto")).artifacts["fn"]
    assert artifact.package == "zip" and artifact.notes == ()


def test_an_image_package_is_deterministic_with_its_dependencies(tmp_path, wheels, monkeypatch):
    digests = []
    for copy in ("a", "b"):  # two folders, two cold caches
        artifact = build(project(tmp_path / copy, wheels, monkeypatch, package="image")).artifacts["fn"]
        digests.append((artifact.digest, (artifact.path / "function.tar").read_bytes()))
    assert digests[0] == digests[1]
    names = tar_names(tmp_path / "a/.aipipe/build/dev/fn-image/function.tar")
    assert names == sorted(names) and "bigdata/blob.bin" in names


def test_an_image_over_its_limit_is_refused(tmp_path, wheels, monkeypatch):
    small_limits(monkeypatch, aws_image=2 * MB)
    [problem] = build(project(tmp_path, wheels, monkeypatch, package="image")).diagnostics
    assert problem.code == "AP602" and "over Lambda's 2 MB limit on a container image" in problem.message
    assert "Trim the dependencies" in problem.message


def test_a_zip_past_the_direct_upload_limit_goes_through_s3(tmp_path, wheels, monkeypatch):
    small_limits(monkeypatch, aws_direct_zip=1 * MB)
    artifact = build(project(tmp_path, wheels, monkeypatch)).artifacts["fn"]
    assert artifact.package == "s3" and artifact.zipped_bytes > MB
    assert artifact.notes == ("over 1 MB zipped: uploaded through an S3 object",)


def test_a_gcp_source_archive_over_its_limit_is_refused_and_not_left_behind(tmp_path, monkeypatch):
    small_limits(monkeypatch, gcp_source_zip=1 * MB)
    spec = write_spec(tmp_path, "gcp")
    (tmp_path / "fn" / "weights.bin").write_bytes(os.urandom(2 * MB))
    report = build(spec)
    [problem] = report.diagnostics
    assert problem.code == "AP602" and (problem.line, problem.column) == code_line(spec)
    assert "over Cloud Functions' 1 MB limit on a compressed source archive" in problem.message
    assert "read them from a bucket" in problem.message
    assert report.artifacts == {} and not (tmp_path / ".aipipe/build/dev/fn.zip").exists()
    (tmp_path / "fn" / "weights.bin").unlink()
    assert build(spec).artifacts["fn"].package == "source"
