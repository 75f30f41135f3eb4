"""`aipipe build` through Typer's CliRunner, offline: the table, --json, --function, exit codes, and problems
printed as validate prints them (file:line:column)."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from aipipe.cli.app import app

from build_helpers import local_index, make_wheel, unreachable_index, write_spec

runner = CliRunner()
LOCATED = re.compile(r"^(?P<file>\S+):(?P<line>\d+):(?P<column>\d+): (?P<code>AP\d{3}) ", re.MULTILINE)


def two_functions(folder):
    return write_spec(folder, functions={"preprocess": {}, "train": {"architecture": "arm64"}})


def test_the_table_shows_each_function_and_where_the_archives_are(tmp_path, monkeypatch):
    monkeypatch.setattr("aipipe.build.artifacts.interpreter_for", lambda python: None)  # no python3.12 here
    spec = two_functions(tmp_path)
    result = runner.invoke(app, ["build", str(spec)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == [
        "function", "runtime", "arch", "package", "packages", "zipped", "unzipped", "cache", "bytecode"
    ]  # fmt: skip
    rows = {line.split()[0]: line.split() for line in lines[2:4]}
    assert rows["preprocess"][1:5] == ["python3.12", "x86_64", "zip", "0"]
    assert rows["train"][1:5] == ["python3.12", "arm64", "zip", "0"]
    assert rows["train"][6:8] == ["KB", "0%"]  # zipped: a few hundred bytes, 0% of Lambda's 50 MB direct upload
    assert rows["train"][-2:] == ["-", "no"]  # no dependencies, so no cache; no bytecode without python3.12
    assert "% of the limit: zip 50 MB zipped" in result.output and "250 MB unzipped" in result.output
    assert lines[-1] == f"{spec}: 2 functions built into .aipipe/build/dev/ beside the spec"
    assert (tmp_path / ".aipipe/build/dev/preprocess.zip").is_file() and (
        tmp_path / ".aipipe/build/dev/train.zip"
    ).is_file()


def test_json_has_every_function_and_the_diagnostics(tmp_path):
    spec = two_functions(tmp_path)
    result = runner.invoke(app, ["build", str(spec), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert set(document) == {"functions", "diagnostics"} and document["diagnostics"] == []
    train = next(item for item in document["functions"] if item["function"] == "train")
    assert set(train) == {
        "function", "runtime", "architecture", "package", "built", "path", "sha256", "zipped_bytes",
        "zipped_limit_bytes", "unzipped_bytes", "unzipped_limit_bytes", "packages", "cache", "bytecode", "notes",
    }  # fmt: skip
    assert (train["architecture"], train["package"], train["built"], train["cache"]) == ("arm64", "zip", True, "-")
    assert (train["zipped_limit_bytes"], train["unzipped_limit_bytes"]) == (50 * 2**20, 262_144_000)
    assert train["packages"] == [] and len(train["sha256"]) == 64 and train["unzipped_bytes"] > 0


def test_function_builds_only_that_one(tmp_path):
    spec = two_functions(tmp_path)
    document = json.loads(runner.invoke(app, ["build", str(spec), "--function", "train", "--json"]).output)
    assert [item["function"] for item in document["functions"]] == ["train"]
    assert not (tmp_path / ".aipipe/build/dev/preprocess.zip").exists()


def test_an_unknown_function_is_a_usage_error_with_a_suggestion(tmp_path):
    spec = two_functions(tmp_path)
    result = runner.invoke(app, ["build", str(spec), "--function", "trian"])
    assert result.exit_code == 2
    assert "has no function `trian` (did you mean `train`?); its functions: `preprocess`, `train`" in result.output
    assert not (tmp_path / ".aipipe/build").exists()


def test_a_folder_stands_for_its_spec_and_a_spec_without_functions_builds_nothing(tmp_path):
    write_spec(tmp_path, functions={})
    (tmp_path / "aipipe.yaml").write_text((tmp_path / "aipipe.yaml").read_text() + "  raw: {type: bucket}\n")
    result = runner.invoke(app, ["build", str(tmp_path)])
    assert result.exit_code == 0 and result.output.strip().endswith("no functions to build")


def test_an_invalid_spec_is_not_built(tmp_path):
    spec = write_spec(tmp_path)
    spec.write_text(spec.read_text().replace("python3.12", "python2.7"))
    result = runner.invoke(app, ["build", str(spec)])
    assert result.exit_code == 1 and "AP401" in result.output and not (tmp_path / ".aipipe/build").exists()


def test_errors_exit_one_located_at_their_file_line_and_column(tmp_path, monkeypatch):
    wheels = tmp_path / "wheels"
    make_wheel(wheels, "tinydep", "1.0", {"tinydep/__init__.py": b""})
    local_index(monkeypatch, wheels)
    spec = two_functions(tmp_path / "project")
    (tmp_path / "project" / "train" / "requirements.txt").write_text("tinydep==1.0\ntinydepp==2.0\n")
    result = runner.invoke(app, ["build", str(spec)])
    assert result.exit_code == 1
    [problem] = LOCATED.findall(result.output)
    assert problem[1:] == ("2", "1", "AP601") and problem[0].endswith("train/requirements.txt")
    assert result.output.rstrip().endswith("1 of 2 functions built; fix the problems above")
    assert "preprocess" in result.output  # the function that built is still shown


def test_an_unreachable_index_is_ap603_and_a_placeholder_in_json(tmp_path, monkeypatch):
    unreachable_index(monkeypatch)
    spec = write_spec(tmp_path)
    (tmp_path / "fn" / "requirements.txt").write_text("six==1.16.0\n")
    result = runner.invoke(app, ["build", str(spec), "--json"])
    assert result.exit_code == 1
    document = json.loads(result.output)
    [problem] = document["diagnostics"]
    assert (problem["code"], problem["severity"], problem["path"]) == ("AP603", "error", "resources.fn.code")
    assert (problem["file"], problem["line"], problem["column"]) == (str(spec), 10, 11)
    [placeholder] = document["functions"]
    assert placeholder["built"] is False and placeholder["sha256"] is None and placeholder["unzipped_bytes"] is None
    text = runner.invoke(app, ["build", str(spec)])
    assert text.exit_code == 1 and f"{spec}:10:11: AP603 " in text.output and "zip (unbuilt)" in text.output
