"""Monorepo layouts (issue 16): a spec in `infra/pipelines/` with its code in `services/` validates, renders and
plans through the CLI, because aipipe may read any folder of the git repository that holds the spec
(aipipe.core.local_paths); outside git the spec's folder is the limit, and escapes, `.aipipe/`, `.git/` and the
folders holding the spec's `.aipipe/` stay refused, symlinks resolved."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aipipe.build.sources import SourceProblem, check_local_files
from aipipe.cli.app import app
from aipipe.core.local_paths import ReadableArea, repository_root
from aipipe.validation import load_spec

from build_helpers import build, local_index, make_wheel

runner = CliRunner()
HEADER = {
    "aws": "aipipe: 1\nname: ingest\ncloud: aws\nregion: us-east-1\n",
    "gcp": "aipipe: 1\nname: ingest\ncloud: gcp\nregion: europe-west1\nproject: ingest-project\n",
}
HANDLER = {"aws": "app.handler", "gcp": "handle"}
RESOURCES = """\
resources:
  raw:
    type: bucket
    seed:
      - {{key: config/settings.json, file: {seed}}}
  ingest:
    type: function
    runtime: python3.12
    handler: {handler}
    code: {code}
    reads: [raw]
"""


def monorepo(
    root: Path,
    cloud: str = "aws",
    git: str | None = "folder",
    code: str = "../../services/ingest",
    seed: str = "../../config/settings.json",
) -> Path:
    """`root` as a monorepo: `infra/pipelines/ingest.yaml`, `services/ingest/` (the code), `config/settings.json`
    (a shared seed file), and a `.git` folder, a `.git` file (a git worktree), or none. Returns the spec."""
    if git == "folder":
        (root / ".git").mkdir(parents=True)
    elif git == "file":
        root.mkdir(parents=True)
        (root / ".git").write_text("gitdir: /elsewhere/.git/worktrees/mono\n")
    (root / "services" / "ingest").mkdir(parents=True)
    (root / "services" / "ingest" / "app.py").write_text("def handler(event, context):\n    return 'ingest'\n")
    (root / "services" / "ingest" / "main.py").write_text("def handle(event):\n    return 'ingest'\n")
    (root / "config").mkdir()
    (root / "config" / "settings.json").write_text('{"threshold": 0.5}\n')
    (root / "infra" / "pipelines").mkdir(parents=True)
    spec = root / "infra" / "pipelines" / "ingest.yaml"
    spec.write_text(HEADER[cloud] + RESOURCES.format(seed=seed, handler=HANDLER[cloud], code=code))
    return spec


def errors(spec: Path) -> list[tuple[str, str]]:
    return [(d.code, d.message) for d in load_spec(str(spec)).diagnostics]


@pytest.mark.parametrize(("cloud", "git"), [("aws", "folder"), ("aws", "file"), ("gcp", "folder")])
def test_a_spec_in_infra_with_code_in_services_validates_renders_and_plans(tmp_path, cloud, git):
    spec = monorepo(tmp_path / "mono", cloud, git)
    validated = runner.invoke(app, ["validate", str(spec)])
    assert validated.exit_code == 0, validated.output

    rendered = runner.invoke(app, ["render", str(spec)])
    assert rendered.exit_code == 0, rendered.output
    program = spec.parent / ".aipipe" / "dev" / "program"
    text = (program / "__main__.py").read_text()
    # every local path of the program is relative to its folder, which `up` runs it from: the seed file is
    # read from its place in the repository, the code from the archive aipipe built out of services/ingest
    archive = text.split("FileArchive('" if cloud == "aws" else "FileAsset('")[-1].split("'")[0]
    seed = text.split("FileAsset('")[1].split("'")[0]
    assert seed == "../../../../../config/settings.json"
    assert (program / seed).resolve() == (tmp_path / "mono" / "config" / "settings.json").resolve()
    with zipfile.ZipFile(program / archive) as built:
        code_file = "app.py" if cloud == "aws" else "main.py"
        assert built.read(code_file) == (tmp_path / "mono" / "services" / "ingest" / code_file).read_bytes()

    planned = runner.invoke(app, ["plan", str(spec)])
    assert planned.exit_code == 0, planned.output
    assert "aipipe:index:Function ingest" in planned.output
    as_json = json.loads(runner.invoke(app, ["plan", str(spec), "--json"]).output)
    function_type = "aws:lambda/function:Function" if cloud == "aws" else "gcp:cloudfunctionsv2/function:Function"
    assert [r["name"] for r in as_json["resources"] if r["type"] == function_type] == ["ingest"]


def test_the_same_layout_outside_git_is_refused_saying_why(tmp_path):
    spec = monorepo(tmp_path / "mono", git=None)
    result = runner.invoke(app, ["validate", str(spec)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if " AP" in line]
    assert [line.split(" ")[1] for line in lines] == ["AP460", "AP400"]
    for line in lines:
        assert "outside the spec's folder" in line and "no git repository holds the spec" in line


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("../../../outside", "is outside the repository that holds the spec"),
        ("../../services/linked", "is outside the repository that holds the spec"),  # a symlink out of it
        ("./.aipipe/build", "is inside `.aipipe/`"),
        ("../../.git/hooks", "is inside `.git/`"),
        (".", "is the spec's folder or a folder above it"),
        ("..", "is the spec's folder or a folder above it"),
        ("../..", "is the spec's folder or a folder above it"),  # the repository itself holds infra/.../.aipipe
        ("../../services/ingest/../../infra", "is the spec's folder or a folder above it"),
        ("/etc", "must be relative to the spec file"),
    ],
)
def test_escapes_and_private_folders_stay_refused_in_a_repository(tmp_path, code, words):
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "app.py").write_text("")
    spec = monorepo(tmp_path / "mono", code=code)
    (tmp_path / "mono" / "services" / "linked").symlink_to(tmp_path / "outside")
    (tmp_path / "mono" / ".git" / "hooks").mkdir()
    (spec.parent / ".aipipe" / "build").mkdir(parents=True)
    [(found, message)] = errors(spec)
    assert found == "AP400" and f"code directory `{code}` {words}" in message


@pytest.mark.parametrize(
    ("seed", "words"),
    [
        ("../../../secret.json", "is outside the repository"),
        ("../../config/link.json", "is outside the repository"),  # a symlink out of it
        ("../../.git/config", "is inside `.git/`"),
        ("./.aipipe/dev.passphrase", "is inside `.aipipe/`"),
    ],
)
def test_seed_files_follow_the_same_rule(tmp_path, seed, words):
    (tmp_path / "secret.json").write_text("{}")
    spec = monorepo(tmp_path / "mono", seed=seed)
    (tmp_path / "mono" / "config" / "link.json").symlink_to(tmp_path / "secret.json")
    (tmp_path / "mono" / ".git" / "config").write_text("[http] extraheader = AUTHORIZATION: basic x")
    (spec.parent / ".aipipe").mkdir()
    (spec.parent / ".aipipe" / "dev.passphrase").write_text("secret")
    [(found, message)] = errors(spec)
    assert found == "AP460" and words in message


def test_a_repository_is_the_nearest_git_entry_folder_or_file(tmp_path):
    inner = tmp_path / "outer" / "inner" / "deep"
    inner.mkdir(parents=True)
    assert repository_root(inner) is None or not repository_root(inner).is_relative_to(tmp_path)
    (tmp_path / "outer" / ".git").mkdir()
    assert repository_root(inner) == tmp_path / "outer"
    (tmp_path / "outer" / "inner" / ".git").write_text("gitdir: ../.git/modules/inner\n")  # a submodule
    assert repository_root(inner) == tmp_path / "outer" / "inner"
    assert ReadableArea.of(inner) == ReadableArea(inner.resolve(), (tmp_path / "outer" / "inner").resolve(), True)


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("-r ../common/requirements.txt", None),  # shared requirements beside the services
        ("-r ../../../outside.txt", "is outside the repository"),
        ("-e ../..", "is the spec's folder or a folder above it"),  # the repository, with the spec's .aipipe/
        ("-r ../../.git/config", "is inside `.git/`"),
    ],
)
def test_requirements_may_read_the_repository_and_nothing_more(tmp_path, line, words):
    spec = monorepo(tmp_path / "mono")
    requirements = tmp_path / "mono" / "services" / "ingest" / "requirements.txt"
    requirements.write_text(f"{line}\n")
    refusal = ReadableArea.of(spec.parent).refusal
    if words is None:
        check_local_files(requirements, refusal)
        return
    with pytest.raises(SourceProblem) as raised:
        check_local_files(requirements, refusal)
    assert words in str(raised.value) and raised.value.line == 1


def test_a_function_in_services_builds_with_requirements_shared_in_the_repository(tmp_path, monkeypatch):
    wheels = tmp_path / "index"
    make_wheel(wheels, "tinydep", "1.0", {"tinydep/__init__.py": b"A = 1\n"})
    local_index(monkeypatch, wheels)
    spec = monorepo(tmp_path / "mono")
    (tmp_path / "mono" / "services" / "common").mkdir()
    (tmp_path / "mono" / "services" / "common" / "requirements.txt").write_text("tinydep==1.0\n")
    (tmp_path / "mono" / "services" / "ingest" / "requirements.txt").write_text("-r ../common/requirements.txt\n")
    report = build(spec)
    assert report.ok, [d.message for d in report.diagnostics]
    artifact = report.artifacts["ingest"]
    assert artifact.path.is_relative_to(spec.parent / ".aipipe" / "build")
    with zipfile.ZipFile(artifact.path) as built:
        assert {"app.py", "tinydep/__init__.py"} <= set(built.namelist())


def test_a_symlinked_code_folder_inside_the_repository_is_fine(tmp_path):
    spec = monorepo(tmp_path / "mono", code="../../services/alias")
    os.symlink(tmp_path / "mono" / "services" / "ingest", tmp_path / "mono" / "services" / "alias")
    assert errors(spec) == []
