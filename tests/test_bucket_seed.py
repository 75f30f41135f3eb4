"""Bucket seed objects (issue 15): files of the project or inline text uploaded under fixed keys, files held to
the spec's folder, keys checked, and a warning when a seed key fires the bucket's own trigger. Facts and
sources: aipipe/kinds/bucket_seed.py."""

from __future__ import annotations

import os

import pytest

from aipipe.codegen.context import RenderJob, built_artifacts
from aipipe.kinds.registry import KINDS
from aipipe.offline.plan import plan_spec
from aipipe.semantics.symbols import CodeFolder, Concat
from aipipe.validation import load_spec

SPEC = """\
aipipe: 1
name: seeds
cloud: {cloud}
region: {region}
{project}resources:
  out: {{type: bucket}}
  raw:
    type: bucket
    seed:
      - {{key: config/settings.json, file: ./seed/settings.json}}
      - {{key: config/output.txt, content: "bucket ${{out.name}}"}}
"""


def _write(write_spec, tmp_path, cloud="aws", text=None):
    (tmp_path / "seed").mkdir(exist_ok=True)
    (tmp_path / "seed" / "settings.json").write_text('{"threshold": 0.5}\n')
    region, project = ("us-east-1", "") if cloud == "aws" else ("europe-west1", "project: seeds-project\n")
    return write_spec(text or SPEC.format(cloud=cloud, region=region, project=project))


def _spec(path):
    result = load_spec(str(path), "dev")
    assert result.valid, result.diagnostics
    return result.spec


def _diagnostics(path):
    return [(d.code, d.severity.value) for d in load_spec(str(path), "dev").diagnostics]


def test_seed_values_name_objects_by_key(write_spec, tmp_path):
    spec = _spec(_write(write_spec, tmp_path))
    raw = spec.resources["raw"]
    values = KINDS["bucket"].clouds["aws"].values(RenderJob(spec, built_artifacts(spec)), "raw", raw)
    settings, output = values["seed"]
    assert settings["key"] == "config/settings.json" and settings["content"] is None
    assert settings["file"] == CodeFolder("seed/settings.json")
    assert output["file"] is None and output["content"] == Concat("bucket ", output["content"].parts[1])
    # stable per key: the same key gets the same name wherever it is in the list
    reordered = raw.model_copy(update={"seed": list(reversed(raw.seed))})
    again = KINDS["bucket"].clouds["aws"].values(RenderJob(spec, built_artifacts(spec)), "raw", reordered)
    assert {s["suffix"] for s in again["seed"]} == {settings["suffix"], output["suffix"]}
    assert settings["suffix"].startswith("seed-config-settings-json-") and settings["suffix"] != output["suffix"]


def test_aws_plan_uploads_the_seed_objects_after_encryption(write_spec, tmp_path):
    plan = plan_spec(_spec(_write(write_spec, tmp_path)))
    objects = {r.inputs["key"]: r for r in plan.resources if r.type == "aws:s3/bucketObjectv2:BucketObjectv2"}
    assert set(objects) == {"config/settings.json", "config/output.txt"}
    assert objects["config/output.txt"].inputs["content"] == "bucket out"
    assert objects["config/settings.json"].inputs["bucket"] == "raw"
    by_urn = {r.urn: r for r in plan.resources}
    waits = {by_urn[u].type for u in objects["config/settings.json"].dependencies if u in by_urn}
    assert "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration" in waits


def test_gcp_plan_uploads_the_seed_objects(write_spec, tmp_path):
    plan = plan_spec(_spec(_write(write_spec, tmp_path, "gcp")))
    objects = {
        r.inputs["name"]: r
        for r in plan.resources
        if r.type == "gcp:storage/bucketObject:BucketObject" and r.name.startswith("raw-seed-")
    }
    assert set(objects) == {"config/settings.json", "config/output.txt"}
    # pulumi-gcp storage.BucketObject: "The content field is marked as sensitive", so the plan shows it hidden
    assert objects["config/output.txt"].inputs["content"] == "[secret]"
    assert objects["config/settings.json"].inputs["bucket"] == "raw"


@pytest.mark.parametrize(
    ("entry", "code"),
    [
        ("{key: a, file: ../outside.json}", "AP460"),
        ("{key: a, file: ./seed/missing.json}", "AP460"),
        ("{key: a, file: ./seed}", "AP460"),  # a folder
        ("{key: a, file: ./.aipipe/dev.passphrase}", "AP460"),
        ("{key: a, file: ./.git/config}", "AP460"),  # actions/checkout keeps its token there
        ("{key: a, file: ./seed/.pulumi/state.json}", "AP460"),
        ("{key: a, file: ./seed/link.json}", "AP460"),  # a symlink out of the folder
        ("{key: /a, content: x}", "AP202"),
        ("{key: '" + "k" * 1025 + "', content: x}", "AP202"),
        ("{key: a, content: x, file: ./seed/settings.json}", "AP403"),
        ("{key: a}", "AP403"),
    ],
)
def test_bad_seed_entries(write_spec, tmp_path, entry, code):
    (tmp_path / "outside.json").write_text("{}")
    (tmp_path / ".aipipe").mkdir()
    (tmp_path / ".aipipe" / "dev.passphrase").write_text("secret")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("[http] extraheader = AUTHORIZATION: basic x")
    path = _write(write_spec, tmp_path)
    os.symlink(tmp_path.parent, tmp_path / "seed" / "link.json")
    (tmp_path / "seed" / ".pulumi").mkdir()
    (tmp_path / "seed" / ".pulumi" / "state.json").write_text("{}")
    text = SPEC.format(cloud="aws", region="us-east-1", project="").replace(
        "      - {key: config/output.txt", f"      - {entry}\n      - {{key: config/output.txt"
    )
    path.write_text(text)
    assert (code, "error") in _diagnostics(path)


def test_a_file_outside_the_spec_folder_is_refused_even_beside_it(write_spec, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (tmp_path / "secret.json").write_text("{}")
    spec = project / "aipipe.yaml"
    spec.write_text(
        "aipipe: 1\nname: seeds\ncloud: aws\nregion: us-east-1\nresources:\n"
        "  raw: {type: bucket, seed: [{key: a, file: ../secret.json}]}\n"
    )
    assert _diagnostics(spec) == [("AP460", "error")]


@pytest.mark.parametrize(
    ("trigger", "warned"),
    [
        ("{bucket: raw, prefix: config/}", True),
        ("{bucket: raw, prefix: config/, suffix: .json}", True),  # settings.json only
        ("{bucket: raw, prefix: in/}", False),
        ("{bucket: raw, events: [deleted], prefix: config/}", False),
        ("{bucket: out, prefix: config/}", False),
    ],
)
def test_a_seed_key_a_trigger_matches_warns(write_spec, tmp_path, trigger, warned):
    path = _write(write_spec, tmp_path)
    text = path.read_text() + (
        f"  fn:\n    type: function\n    runtime: python3.12\n    handler: app.handler\n    code: ./app\n"
        f"    triggers: [{trigger}]\n"
    )
    path.write_text(text)
    found = [code for code, severity in _diagnostics(path) if code == "AP461" and severity == "warning"]
    assert bool(found) is warned
