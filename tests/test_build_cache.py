"""The build cache (aipipe.build.cache, .dependencies) and an unreachable package index, offline: uv installs a
wheel built here from a local folder, and a closed port on this machine stands for an index that cannot be
reached (UV_HTTP_RETRIES=0, so uv gives up at once)."""

from __future__ import annotations

import shutil
import zipfile

import pytest

from aipipe.build import installer
from aipipe.build.cache import CACHE_FORMAT, cache_key
from aipipe.build.targets import Target
from aipipe.core.diagnostics import Severity

from build_helpers import build, local_index, make_wheel, unreachable_index, write_spec, zip_names


@pytest.fixture(scope="module")
def wheels(tmp_path_factory):
    folder = tmp_path_factory.mktemp("wheels")
    make_wheel(folder, "tinydep", "1.0", {"tinydep/__init__.py": b"VERSION = '1.0'\n"})
    make_wheel(folder, "tinydep", "2.0", {"tinydep/__init__.py": b"VERSION = '2.0'\n"})
    return folder


def project(folder, requirements="tinydep==1.0\n", **fields):
    spec = write_spec(folder, functions={"fn": fields})
    (folder / "fn" / "requirements.txt").write_text(requirements)
    return spec


def refuse_to_install(*arguments):
    raise AssertionError("uv ran although the cache holds these dependencies")


def test_a_second_build_is_a_cache_hit_that_runs_no_installer(tmp_path, wheels, monkeypatch):
    local_index(monkeypatch, wheels)
    spec = project(tmp_path)
    first = build(spec).artifacts["fn"]
    assert first.cache == "miss" and first.packages == ("tinydep==1.0",)
    monkeypatch.setattr(installer, "install", refuse_to_install)
    second = build(spec).artifacts["fn"]
    assert second.cache == "hit" and second.packages == ("tinydep==1.0",) and second.digest == first.digest
    assert "tinydep/__init__.py" in zip_names(second.path)


def test_changed_requirements_miss_the_cache(tmp_path, wheels, monkeypatch):
    local_index(monkeypatch, wheels)
    spec = project(tmp_path)
    before = build(spec).artifacts["fn"]
    (tmp_path / "fn" / "requirements.txt").write_text("tinydep==2.0\n")
    after = build(spec).artifacts["fn"]
    assert after.cache == "miss" and after.packages == ("tinydep==2.0",) and after.digest != before.digest
    assert len(list((tmp_path / ".aipipe/build/deps").iterdir())) == 2  # the first entry stays for a switch back


def test_a_function_without_dependencies_has_no_cache(tmp_path):
    artifact = build(write_spec(tmp_path)).artifacts["fn"]
    assert artifact.cache == "-" and artifact.packages == ()
    assert not (tmp_path / ".aipipe/build/deps").exists()


def test_the_cache_key_follows_what_decides_the_installed_files():
    base = cache_key("deps", "numpy==2.1.3\n", Target("aws", "python3.12", "x86_64"))
    assert len(base) == 24 and base == cache_key("deps", "numpy==2.1.3\n", Target("aws", "python3.12", "x86_64"))
    others = [
        cache_key("deps", "numpy==2.1.2\n", Target("aws", "python3.12", "x86_64")),  # requirements
        cache_key("deps", "numpy==2.1.3\n", Target("aws", "python3.13", "x86_64")),  # runtime
        cache_key("deps", "numpy==2.1.3\n", Target("aws", "python3.12", "arm64")),  # architecture
        cache_key("deps", "numpy==2.1.3\n", Target("gcp", "python3.12", "x86_64")),  # cloud (glibc)
        cache_key("resolved", "numpy==2.1.3\n", Target("aws", "python3.12", "x86_64")),  # kind
    ]
    assert len({base, *others}) == 6
    assert CACHE_FORMAT  # part of every key: a new format never reads an old entry


def test_architecture_and_runtime_get_their_own_entries(tmp_path, wheels, monkeypatch):
    local_index(monkeypatch, wheels)
    spec = project(tmp_path)
    build(spec)
    for fields in ({"architecture": "arm64"}, {"runtime": "python3.13"}):
        spec = project(tmp_path, **fields)
        assert build(spec).artifacts["fn"].cache == "miss", fields
    assert len(list((tmp_path / ".aipipe/build/deps").iterdir())) == 3


@pytest.mark.parametrize("severity", [Severity.ERROR, Severity.WARNING])
def test_an_unreachable_index_with_a_cold_cache_is_ap603_at_the_functions_code(tmp_path, monkeypatch, severity):
    unreachable_index(monkeypatch)
    spec = project(tmp_path)
    report = build(spec, offline=severity)
    [problem] = report.diagnostics
    code_line = spec.read_text().splitlines().index("    code: ./fn") + 1
    assert (problem.code, problem.file, problem.line, problem.column) == ("AP603", str(spec), code_line, 11)
    assert problem.severity is severity and problem.path == "resources.fn.code"
    assert "package index cannot be reached" in problem.message and "127.0.0.1:9" in problem.message
    assert "Connection refused" in problem.message  # the innermost cause, not uv's whole chain
    placeholder = report.artifacts["fn"]
    assert not placeholder.built and placeholder.digest == "unbuilt" and not placeholder.path.exists()


def test_a_warm_cache_builds_without_the_index(tmp_path, wheels, monkeypatch):
    local_index(monkeypatch, wheels)
    spec = project(tmp_path)
    warm = build(spec).artifacts["fn"]
    unreachable_index(monkeypatch)
    report = build(spec)
    assert report.diagnostics == [] and report.artifacts["fn"].built
    assert report.artifacts["fn"].cache == "hit" and report.artifacts["fn"].digest == warm.digest


def test_a_package_the_index_does_not_have_is_ap601_at_its_line(tmp_path, wheels, monkeypatch):
    local_index(monkeypatch, wheels)
    spec = project(tmp_path, "# our helpers\ntinydep==1.0\n  tinydepp==1.0\n")
    [problem] = build(spec).diagnostics
    assert problem.code == "AP601" and problem.file.endswith("fn/requirements.txt")
    assert (problem.line, problem.column) == (3, 3)
    assert "`tinydepp==1.0` cannot be installed for function `fn`" in problem.message
    assert "Lambda python3.12 on x86_64 (wheels cp312 manylinux_2_34 x86_64)" in problem.message
    assert "Fix: check the name" in problem.message


def test_a_wheel_for_another_machine_is_ap601_with_the_target_and_the_fix(tmp_path, monkeypatch):
    """Only an aarch64 wheel exists: an x86_64 function cannot have it, an arm64 one can."""
    wheels = tmp_path / "wheels"
    make_wheel(wheels, "armonly", "1.0", {"armonly/__init__.py": b""}, tag="py3-none-manylinux_2_17_aarch64")
    local_index(monkeypatch, wheels)
    [problem] = build(project(tmp_path / "x86", "armonly==1.0\n")).diagnostics
    assert problem.code == "AP601" and (problem.line, problem.column) == (1, 1)
    assert problem.message.count("armonly==1.0") >= 2 and "unsatisfiable. Fix:" in problem.message  # uv's reason
    assert "pin a version that publishes a wheel for this target" in problem.message
    arm = build(project(tmp_path / "arm", "armonly==1.0\n", architecture="arm64"))
    assert arm.diagnostics == [] and arm.artifacts["fn"].packages == ("armonly==1.0",)


def test_local_files_the_requirements_read_are_part_of_the_key(tmp_path, wheels, monkeypatch):
    """An included requirements file and a --find-links folder decide what is installed as much as the
    requirements.txt itself: changing them is a new cache entry, not a stale hit. (A wheel rebuilt under the
    same version is the same wheel to uv, whose own cache keeps the first: a new build needs a new version.)"""
    monkeypatch.setenv("UV_NO_INDEX", "1")
    local, shared = tmp_path / "project" / "wheels", tmp_path / "project" / "shared-wheels"  # in the project
    shutil.copytree(wheels, shared)
    make_wheel(local, "localdep", "1.0", {"localdep/__init__.py": b"A = 1\n"})
    spec = project(tmp_path / "project", f"-r base.txt\n--find-links {local}\nlocaldep>=1.0\n")
    base = tmp_path / "project" / "fn" / "base.txt"
    base.write_text(f"--find-links {shared}\ntinydep==1.0\n")
    first = build(spec).artifacts["fn"]
    assert first.packages == ("localdep==1.0", "tinydep==1.0") and build(spec).artifacts["fn"].cache == "hit"
    base.write_text(f"--find-links {shared}\ntinydep==2.0\n")
    changed = build(spec).artifacts["fn"]
    assert changed.cache == "miss" and changed.packages == ("localdep==1.0", "tinydep==2.0")
    make_wheel(local, "localdep", "1.1", {"localdep/__init__.py": b"A = 2\n"})
    newer = build(spec).artifacts["fn"]
    assert newer.cache == "miss" and newer.packages == ("localdep==1.1", "tinydep==2.0")


def test_a_reinstalled_cache_entry_is_never_taken_for_the_old_one(tmp_path, wheels, monkeypatch):
    """Deleting the dependencies' cache is how unpinned requirements pick up newer versions: the entry comes
    back at the same path with other files, and the function's zip must be written again from it (a zip
    reused by the entry's path shipped the old versions)."""
    index = tmp_path / "index"
    make_wheel(index, "tinydep", "1.0", {"tinydep/__init__.py": b"VERSION = '1.0'\n"})
    monkeypatch.setenv("UV_NO_INDEX", "1")
    monkeypatch.setenv("UV_FIND_LINKS", str(index))
    spec = project(tmp_path / "project", "tinydep>=1.0\n")
    first = build(spec).artifacts["fn"]
    assert first.packages == ("tinydep==1.0",)
    make_wheel(index, "tinydep", "2.0", {"tinydep/__init__.py": b"VERSION = '2.0'\n"})
    shutil.rmtree(tmp_path / "project" / ".aipipe" / "build" / "deps")
    again = build(spec).artifacts["fn"]
    assert again.packages == ("tinydep==2.0",) and again.digest != first.digest
    with zipfile.ZipFile(again.path) as archive:
        assert archive.read("tinydep/__init__.py") == b"VERSION = '2.0'\n"


def test_on_gcp_an_unreachable_index_leaves_the_requirements_unchecked_but_the_source_ships(tmp_path, monkeypatch):
    """Cloud Build installs a gcp function's requirements: aipipe's check is advice, so without an index the
    source archive is still built (with its requirements.txt) and a warning says what was not checked, even
    for a deploy (an error severity asked for)."""
    unreachable_index(monkeypatch)
    spec = write_spec(tmp_path, "gcp")
    (tmp_path / "fn" / "requirements.txt").write_text("six==1.16.0\n")
    report = build(spec, offline=Severity.ERROR)
    [unchecked] = report.diagnostics
    assert (unchecked.code, unchecked.severity) == ("AP603", Severity.WARNING) and report.ok
    assert "could not be checked" in unchecked.message
    artifact = report.artifacts["fn"]
    assert artifact.built and "requirements.txt" in zip_names(artifact.path)


def test_code_is_appended_to_the_dependencies_zip_deterministically(tmp_path, wheels, monkeypatch):
    """The dependencies are compressed once per cache entry and the code appended (a code change compresses
    the code alone): the result is the same bytes in a fresh copy, a valid zip, and the code's own file wins
    over a dependency's of the same name."""
    local_index(monkeypatch, wheels)
    first = build(project(tmp_path / "a")).artifacts["fn"]
    again = build(project(tmp_path / "b")).artifacts["fn"]  # a fresh project: its own cache and zips
    assert again.digest == first.digest
    with zipfile.ZipFile(first.path) as archive:
        assert archive.testzip() is None and {"app.py", "tinydep/__init__.py"} <= set(archive.namelist())
    handler = tmp_path / "a" / "fn" / "app.py"
    handler.write_text(handler.read_text() + "# one more line\n")
    changed = build(tmp_path / "a" / "aipipe.yaml").artifacts["fn"]
    assert changed.digest != first.digest and changed.unzipped_bytes == first.unzipped_bytes + 16
    (tmp_path / "a" / "fn" / "tinydep").mkdir()
    (tmp_path / "a" / "fn" / "tinydep" / "__init__.py").write_text("VERSION = 'patched'\n")
    patched = build(tmp_path / "a" / "aipipe.yaml").artifacts["fn"]
    with zipfile.ZipFile(patched.path) as archive:
        assert archive.namelist().count("tinydep/__init__.py") == 1
        assert archive.read("tinydep/__init__.py") == b"VERSION = 'patched'\n"


def test_an_entry_is_staged_beside_where_it_lands_and_renamed_into_place(tmp_path):
    """The rename that makes an entry appear whole needs the staging folder on the same filesystem: beside
    the entry, hidden, never the system's temporary folder."""
    from aipipe.build.cache import read_manifest, store

    seen = []

    def fill(staging):
        seen.append(staging)
        (staging / "site").mkdir()
        assert read_manifest(tmp_path / "deps" / "key") is None  # nothing visible until complete
        return {"packages": ["six==1.16.0"]}

    manifest = store(tmp_path / "deps" / "key", fill, {"target": "cp312"})
    [staging] = seen
    assert staging.parent == tmp_path / "deps" and staging.name.startswith(".key.") and not staging.exists()
    assert read_manifest(tmp_path / "deps" / "key") == manifest and manifest["packages"] == ["six==1.16.0"]
    assert len(manifest["identity"]) == 32


def test_a_parallel_builds_complete_entry_stays_and_a_half_written_one_is_replaced(tmp_path):
    """Two builds of the same requirements at once (pytest -n, two terminals): the first complete entry wins
    and the second build uses it; a folder left without a manifest (a build killed half way) is replaced."""
    from aipipe.build.cache import MANIFEST, read_manifest, store

    entry = tmp_path / "deps" / "key"

    def parallel(staging):
        (entry / "site").mkdir(parents=True)  # the other build renamed its entry into place meanwhile
        (entry / MANIFEST).write_text('{"packages": ["theirs==1"], "identity": "theirs"}')
        (staging / "site").mkdir()
        return {"packages": ["mine==1"]}

    assert store(entry, parallel, {})["identity"] == "theirs"
    assert read_manifest(entry)["packages"] == ["theirs==1"]
    assert [p.name for p in entry.parent.iterdir()] == ["key"]  # the losing staging folder is gone

    stale = tmp_path / "other" / "key"
    (stale / "site").mkdir(parents=True)  # killed half way: a folder, no manifest
    (stale / "site" / "partial.py").write_text("")

    def fill(staging):
        (staging / "site").mkdir()
        return {"packages": ["mine==1"]}

    manifest = store(stale, fill, {})
    assert read_manifest(stale) == manifest and manifest["packages"] == ["mine==1"]
    assert not (stale / "site" / "partial.py").exists()


def test_a_record_of_another_zip_is_never_trusted(tmp_path, wheels, monkeypatch):
    """The zip is replaced before its record is written: a build stopped between the two leaves a record of
    the previous zip beside the new one; reuse checks the bytes, so the report never names the wrong ones."""
    local_index(monkeypatch, wheels)
    spec = project(tmp_path)
    handler = tmp_path / "fn" / "app.py"
    handler.write_text("X = 1\n" + handler.read_text())
    first = build(spec).artifacts["fn"]
    record = first.path.with_name(first.path.name + ".json")
    first_record = record.read_text()
    handler.write_text(handler.read_text().replace("X = 1", "X = 2"))
    build(spec)
    record.write_text(first_record)  # as a build stopped after writing the zip, before its record, leaves it
    handler.write_text(handler.read_text().replace("X = 2", "X = 1"))
    again = build(spec).artifacts["fn"]
    assert again.digest == first.digest
    assert zipfile.ZipFile(again.path).read("app.py").startswith(b"X = 1")


def test_leftovers_of_killed_builds_are_swept_after_an_hour(tmp_path):
    import time

    from aipipe.build.cache import sweep

    (tmp_path / "deps" / ".key.staging").mkdir(parents=True)
    (tmp_path / "deps" / "key" / "site").mkdir(parents=True)
    (tmp_path / "deps" / "key" / ".site.zip.12.partial").write_text("half")
    (tmp_path / "deps" / "key" / "site" / ".lock").write_text("")  # inside an entry: not a leftover
    (tmp_path / "dev").mkdir()
    (tmp_path / "dev" / "fn.zip").write_text("zip")
    sweep(tmp_path, now=time.time() + 60)  # young: perhaps a build running now
    assert (tmp_path / "deps" / ".key.staging").exists() and (
        tmp_path / "deps" / "key" / ".site.zip.12.partial"
    ).exists()
    sweep(tmp_path, now=time.time() + 7200)
    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert left == ["deps", "deps/key", "deps/key/site", "deps/key/site/.lock", "dev", "dev/fn.zip"]


def test_a_zip_stopped_while_written_leaves_nothing(tmp_path):
    from aipipe.build.archive import Entry, write_zip

    (tmp_path / "a.py").write_text("A = 1\n")
    with pytest.raises(OSError):
        write_zip(
            [Entry("a.py", tmp_path / "a.py"), Entry("b.py", tmp_path / "missing.py")], tmp_path / "out" / "fn.zip"
        )
    assert list((tmp_path / "out").iterdir()) == []
