"""Deterministic function archives (aipipe.build.archive, .image, .bytecode), built offline from code folders
without dependencies: the same code gives the same bytes wherever and whenever it is built, a code change
gives other bytes, and what never belongs in a function stays out."""

from __future__ import annotations

import marshal
import os
import shutil
import stat
import sys
import tarfile
import zipfile

import pytest

from aipipe.build.archive import FIXED_TIME
from aipipe.build.image import BASE_IMAGE

from build_helpers import build, tar_names, write_spec, zip_names

CODE_FILES = {
    "app.py": "def handler(event, context):\n    return helpers.clean(event)\n",
    "pkg/__init__.py": "",
    "pkg/helpers.py": "def clean(event):\n    return event\n",
    "data/labels.json": '{"a": 1}\n',
    "run.sh": "#!/bin/sh\necho hi\n",
}


def code_folder(folder):
    for name, text in CODE_FILES.items():
        path = folder / "fn" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (folder / "fn" / "run.sh").chmod(0o755)
    return write_spec(folder)


def built_zip(spec_path):
    report = build(spec_path)
    assert report.ok, report.diagnostics
    return report.artifacts["fn"]


def test_the_same_code_gives_the_same_zip_again_and_from_a_fresh_copy(tmp_path):
    spec = code_folder(tmp_path / "a")
    first = built_zip(spec)
    assert first.package == "zip" and first.path == tmp_path / "a" / ".aipipe" / "build" / "dev" / "fn.zip"
    again = built_zip(spec)
    shutil.copytree(tmp_path / "a", tmp_path / "b", ignore=shutil.ignore_patterns(".aipipe"))
    elsewhere = built_zip(tmp_path / "b" / "aipipe.yaml")
    assert first.digest == again.digest == elsewhere.digest
    assert (tmp_path / "a" / ".aipipe/build/dev/fn.zip").read_bytes() == elsewhere.path.read_bytes()


def test_a_one_line_code_change_changes_the_hash(tmp_path):
    spec = code_folder(tmp_path)
    before = built_zip(spec).digest
    (tmp_path / "fn" / "pkg" / "helpers.py").write_text("def clean(event):\n    return dict(event)\n")
    assert built_zip(spec).digest != before


def test_timestamps_and_permission_bits_do_not_change_the_hash(tmp_path):
    spec = code_folder(tmp_path)
    before = built_zip(spec).digest
    for path in (tmp_path / "fn").rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))  # touched: 2001, not today
    (tmp_path / "fn" / "app.py").chmod(0o600)  # umask and checkout differences
    (tmp_path / "fn" / "data" / "labels.json").chmod(0o664)
    assert built_zip(spec).digest == before
    (tmp_path / "fn" / "app.py").chmod(0o700)  # executable now: a real change, kept
    assert built_zip(spec).digest != before


def test_caches_vcs_folders_virtual_environments_tests_and_state_stay_out(tmp_path):
    spec = code_folder(tmp_path)
    code = tmp_path / "fn"
    left_out = [
        "__pycache__/app.cpython-312.pyc",
        "pkg/__pycache__/helpers.cpython-312.pyc",
        "stale.pyc",
        ".git/config",
        ".venv/lib/site.py",
        "localenv/pyvenv.cfg",  # a virtual environment under any name
        "localenv/lib/python3.12/site-packages/big.py",
        "tests/test_app.py",
        "pkg/tests/test_helpers.py",
        ".aipipe/build/deps/x/site/thing.py",
        ".pytest_cache/v/cache/lastfailed",
        ".DS_Store",
    ]
    for name in left_out:
        (code / name).parent.mkdir(parents=True, exist_ok=True)
        (code / name).write_text("x")
    (code / "testing.py").write_text("kept: only folders named tests/test are left out\n")
    names = zip_names(built_zip(spec).path)
    assert names == sorted([*CODE_FILES, "testing.py"])


def test_entries_are_sorted_files_dated_1980_with_fixed_modes(tmp_path):
    spec = code_folder(tmp_path)
    with zipfile.ZipFile(built_zip(spec).path) as archive:
        infos = archive.infolist()
    assert [info.filename for info in infos] == sorted(CODE_FILES)  # no directory entries either
    assert {info.date_time for info in infos} == {FIXED_TIME} == {(1980, 1, 1, 0, 0, 0)}
    modes = {info.filename: stat.S_IMODE(info.external_attr >> 16) for info in infos}
    assert modes.pop("run.sh") == 0o755 and set(modes.values()) == {0o644}
    assert all(info.create_system == 3 and stat.S_ISREG(info.external_attr >> 16) for info in infos)


def test_bytecode_is_compiled_for_the_task_root_and_stays_deterministic(tmp_path, monkeypatch):
    """With an interpreter of the target's version (stood in for by this one: the host may have no 3.12), the
    code ships its bytecode: hash-based pycs with no timestamp, compiled as /var/task/..., the same twice."""
    monkeypatch.setattr("aipipe.build.artifacts.interpreter_for", lambda python: sys.executable)
    spec = code_folder(tmp_path / "a")
    first = built_zip(spec)
    shutil.copytree(tmp_path / "a", tmp_path / "b", ignore=shutil.ignore_patterns(".aipipe"))
    assert first.bytecode and built_zip(tmp_path / "b" / "aipipe.yaml").digest == first.digest
    tag = sys.implementation.cache_tag
    pyc = f"pkg/__pycache__/helpers.{tag}.pyc"
    with zipfile.ZipFile(first.path) as archive:
        assert pyc in archive.namelist() and "pkg/helpers.py" in archive.namelist()
        data = archive.read(pyc)
    assert int.from_bytes(data[4:8], "little") == 0b01  # PEP 552: hash-based, unchecked
    assert marshal.loads(data[16:]).co_filename == "/var/task/pkg/helpers.py"


def test_no_interpreter_of_the_target_version_ships_sources_only(tmp_path, monkeypatch):
    monkeypatch.setattr("aipipe.build.artifacts.interpreter_for", lambda python: None)
    artifact = built_zip(code_folder(tmp_path))
    assert not artifact.bytecode and not any("__pycache__" in name for name in zip_names(artifact.path))


@pytest.mark.parametrize("architecture", ["x86_64", "arm64"])
def test_an_image_package_is_a_dockerfile_and_a_deterministic_tar(tmp_path, architecture):
    for copy in ("a", "b"):
        code_folder(tmp_path / copy)
        write_spec(tmp_path / copy, functions={"fn": {"package": "image", "architecture": architecture}})
    first = build(tmp_path / "a" / "aipipe.yaml").artifacts["fn"]
    context = tmp_path / "a" / ".aipipe" / "build" / "dev" / "fn-image"
    assert first.package == "image" and first.path == context and first.architecture == architecture
    assert sorted(path.name for path in context.iterdir()) == ["Dockerfile", "function.tar"]
    assert (context / "Dockerfile").read_text().splitlines()[1:] == [
        f"FROM {BASE_IMAGE}:3.12",
        "ADD function.tar ${LAMBDA_TASK_ROOT}/",
        'CMD ["app.handler"]',
    ]
    with tarfile.open(context / "function.tar") as archive:
        members = archive.getmembers()
    assert [member.name for member in members] == sorted(CODE_FILES)
    assert {(member.mtime, member.uid, member.gid, member.uname, member.gname) for member in members} == {
        (0, 0, 0, "", "")
    }
    for path in (tmp_path / "b" / "fn").rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    second = build(tmp_path / "b" / "aipipe.yaml").artifacts["fn"]
    assert second.digest == first.digest
    assert (second.path / "function.tar").read_bytes() == (context / "function.tar").read_bytes()
    assert tar_names(context / "function.tar") == sorted(CODE_FILES)


def test_installed_trees_keep_modes_and_drop_only_the_installers_own_lock(tmp_path):
    from aipipe.build.archive import tree_entries

    (tmp_path / "pkg").mkdir()
    (tmp_path / ".lock").write_text("")  # uv's, at the top of a --target folder
    (tmp_path / "pkg" / ".lock").write_text("a package's own file")
    (tmp_path / "pkg" / "tool").write_text("#!/bin/sh\n")
    os.chmod(tmp_path / "pkg" / "tool", 0o755)
    entries = {entry.name: entry for entry in tree_entries(tmp_path)}
    assert sorted(entries) == ["pkg/.lock", "pkg/tool"]
    assert entries["pkg/tool"].executable and not entries["pkg/.lock"].executable
