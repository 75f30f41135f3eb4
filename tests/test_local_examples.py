"""The examples run on a laptop (issue 17, "Prove it"): `aipipe run` as a user runs it, in a copy of each example,
on the local emulators (moto's server; gcp-storage-emulator), the handlers in their own processes with their own
dependencies. Each test checks the trace (JSON lines), the exit code and the files the pipeline wrote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import copy_example

pytest.importorskip("flask", reason="aipipe run on aws needs the `local` extra (moto's server)")
pytest.importorskip("gcp_storage_emulator", reason="aipipe run on gcp needs the `local` extra")

RECORDS = '{"id": 1, "text": "Hello"}\n{"id": 2, "text": ""}\n{"id": 3, "text": "World"}\n'


def run(folder: Path, *arguments: str, environment: dict[str, str] | None = None) -> tuple[int, list[dict]]:
    """`aipipe run --json ARGUMENTS` in `folder`: the exit code and the JSON lines."""
    done = subprocess.run(
        [sys.executable, "-m", "aipipe", "run", "--json", *arguments],
        check=False,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **(environment or {})},
    )
    assert "Traceback" not in done.stderr, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines and lines[-1]["type"] == "result", done.stdout + done.stderr
    return done.returncode, lines


def deliveries(lines: list[dict]) -> list[tuple[str, str, str, int]]:
    return [(d["source"], d["target"], d["outcome"], d["attempt"]) for d in lines if d["type"] == "delivery"]


def test_event_driven_ingest_cleans_an_upload_and_indexes_its_records(tmp_path):
    folder = copy_example("event-driven-ingest", tmp_path / "ingest")
    (tmp_path / "batch.json").write_text(RECORDS)
    code, lines = run(
        folder, "--put", f"raw/data/batch.json={tmp_path / 'batch.json'}", environment={"LABELLING_API_KEY": "k"}
    )
    assert code == 0 and lines[-1]["exit_code"] == 0
    assert deliveries(lines) == [("raw", "preprocess", "ok", 1), ("record-events", "index-events", "ok", 1)]
    data = folder / ".aipipe" / "local" / "dev"
    cleaned = (data / "curated" / "processed" / "batch.json").read_text().splitlines()
    assert [json.loads(line)["id"] for line in cleaned] == [1, 3]  # the record without text is dropped
    [index] = (data / "curated" / "index").rglob("*.jsonl")
    assert len(index.read_text().splitlines()) == 2  # one event per kept record went through Kinesis


def test_event_driven_ingest_ignores_objects_outside_its_trigger(tmp_path):
    folder = copy_example("event-driven-ingest", tmp_path / "ingest")
    (tmp_path / "notes.txt").write_text("not a record")
    code, lines = run(folder, "--put", f"raw/data/notes.txt={tmp_path / 'notes.txt'}")
    assert code == 0 and deliveries(lines) == []  # suffix .json: S3 would not notify
    assert (folder / ".aipipe" / "local" / "dev" / "raw" / "data" / "notes.txt").is_file()


def test_a_failing_upload_is_retried_twice_then_kept_in_the_functions_dead_letter_queue(tmp_path):
    folder = copy_example("event-driven-ingest", tmp_path / "ingest")
    (tmp_path / "batch.json").write_text("[not json lines")
    put = f"raw/data/batch.json={tmp_path / 'batch.json'}"
    code, lines = run(folder, "--put", put, environment={"LABELLING_API_KEY": "k"})
    assert code == 1
    assert deliveries(lines) == [("raw", "preprocess", "error", attempt) for attempt in (1, 2, 3)]
    failed = [d for d in lines if d["type"] == "delivery"][-1]
    assert failed["dead_letter"] == "preprocess-failed" and failed["error_type"] == "JSONDecodeError"
    assert 'preprocess/app.py", line' in failed["traceback"]  # the handler's own frames, as Lambda logs them


def test_an_unset_stored_secret_stops_the_run_before_any_handler(tmp_path):
    """`${secret.LABELLING_API_KEY.arn}` names the local copy, which exists only when the secret is set: a run
    without it says what to export instead of failing inside the handler with ResourceNotFoundException."""
    folder = copy_example("event-driven-ingest", tmp_path / "ingest")
    (tmp_path / "batch.json").write_text(RECORDS)
    environment = {name: value for name, value in os.environ.items() if name != "LABELLING_API_KEY"}
    done = subprocess.run(
        [sys.executable, "-m", "aipipe", "run", "--json", "--put", f"raw/data/batch.json={tmp_path / 'batch.json'}"],
        check=False,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
        env=environment,
    )
    assert done.returncode == 1
    assert "`preprocess`: secret `LABELLING_API_KEY` is not set: export LABELLING_API_KEY=..." in done.stderr
    assert "delivery" not in done.stdout and "Traceback" not in done.stderr


def test_the_training_workflow_runs_its_steps_in_order_with_the_parallel_branch(tmp_path):
    folder = copy_example("async-training-pipeline", tmp_path / "training")
    (tmp_path / "manifest.json").write_text('{"files": 3}')
    code, lines = run(folder, "--put", f"datasets/raw/2024-06-01/manifest.json={tmp_path / 'manifest.json'}")
    assert code == 0
    tasks = [target for source, target, outcome, _ in deliveries(lines) if source == "training-pipeline"]
    assert tasks[0] == "preprocess" and tasks[-1] == "predict" and sorted(tasks[1:3]) == ["profile", "train"]
    assert deliveries(lines)[-1] == ("datasets", "training-pipeline", "ok", 1)  # started by the manifest's event


def test_a_failing_step_is_retried_reaches_its_catch_and_the_run_exits_1(tmp_path):
    folder = copy_example("async-training-pipeline", tmp_path / "training")
    (tmp_path / "input.json").write_text('{"detail": "not an S3 event"}')
    code, lines = run(folder, "--start", f"training-pipeline={tmp_path / 'input.json'}")
    assert code == 1
    steps = deliveries(lines)
    # Preprocess: retry {attempts: 3}: four runs, then its catch NotifyFailure, then the execution fails
    assert steps[:5] == [("training-pipeline", "preprocess", "error", n) for n in (1, 2, 3, 4)] + [
        ("training-pipeline", "notify", "ok", 1)
    ]
    assert steps[-1] == ("input", "training-pipeline", "error", 1)
    assert lines[-1]["failed_workflows"] == ["training-pipeline: FAILED (aipipe.StepFailed)"]


def test_distributed_pubsub_embeds_a_published_work_item(tmp_path):
    folder = copy_example("distributed-pubsub", tmp_path / "embed")
    (tmp_path / "item.json").write_text('{"id": "item-1", "text": "hello world"}')
    code, lines = run(folder, "--publish", f"work-items={tmp_path / 'item.json'}")
    assert code == 0
    assert deliveries(lines) == [("batch-workers", "embed", "ok", 1)]  # pushed by the subscription
    vector = json.loads((folder / ".aipipe" / "local" / "dev" / "embeddings" / "vectors" / "item-1.json").read_text())
    assert vector["id"] == "item-1" and len(vector["vector"]) == 16


def test_a_poison_work_item_ends_in_the_dead_letter_topic_after_the_configured_attempts(tmp_path):
    folder = copy_example("distributed-pubsub", tmp_path / "embed")
    (tmp_path / "poison.json").write_text('{"id": "poison"}')  # no text: the handler raises KeyError
    code, lines = run(folder, "--publish", f"work-items={tmp_path / 'poison.json'}")
    assert code == 1
    # batch-workers: dead_letter {max_attempts: 10}, retry {min_backoff: 10s, max_backoff: 300s}
    assert deliveries(lines) == [("batch-workers", "embed", "error", n) for n in range(1, 11)]
    attempts = [d for d in lines if d["type"] == "delivery"]
    assert attempts[-1]["dead_letter"] == "batch-workers-dead-letters" and attempts[-1]["error_type"] == "KeyError"
    waits = [d["waited"] for d in attempts[1:]]
    assert waits[0] == 10 and max(waits) == 300 and waits == sorted(waits)  # backoff between the bounds
    assert lines[-1]["dead_letters"] and not (folder / ".aipipe" / "local" / "dev" / "embeddings").exists()


def test_a_function_writing_where_its_trigger_fires_is_stopped_by_the_depth_limit(tmp_path):
    """AP501 refuses the spec; acknowledged with `ignore`, the run stops the loop at --max-depth and names it."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "app.py").write_text(
        "import boto3\n\n\ndef handler(event, context):\n    s3 = event['Records'][0]['s3']\n"
        "    key = s3['object']['key'] + 'x'\n"
        "    boto3.client('s3').put_object(Bucket=s3['bucket']['name'], Key=key, Body=b'again')\n"
    )
    (tmp_path / "aipipe.yaml").write_text(
        "aipipe: 1\nname: loop\ncloud: aws\nregion: us-east-1\nresources:\n  raw: {type: bucket}\n  echo:\n"
        "    type: function\n    runtime: python3.12\n    handler: app.handler\n    code: ./app\n"
        "    writes: [raw]\n    ignore: [AP501]\n    triggers: [{bucket: raw}]\n"
    )
    (tmp_path / "in.txt").write_text("x")
    code, lines = run(tmp_path, "--put", f"raw/a={tmp_path / 'in.txt'}", "--max-depth", "5")
    assert code == 1
    assert [target for _, target, outcome, _ in deliveries(lines) if outcome == "ok"] == ["echo"] * 5
    assert lines[-1]["stopped"] == [
        "stopped after 5 hops: raw → echo → raw keeps triggering itself (a function writes where its own trigger "
        "fires; `aipipe validate` reports the loops it can see as AP501)"
    ]


def test_binary_work_items_reach_the_gcp_handler_byte_for_byte(tmp_path):
    """A Pub/Sub message's data is bytes (protobuf, Avro): the push carries the exact bytes, base64-encoded."""
    (tmp_path / "fn").mkdir()
    (tmp_path / "fn" / "main.py").write_text(
        "import base64, hashlib\nimport functions_framework\n\n\n@functions_framework.cloud_event\n"
        "def handle(cloud_event):\n    data = base64.b64decode(cloud_event.data['message']['data'])\n"
        "    print('SHA', hashlib.sha256(data).hexdigest(), len(data))\n"
    )
    (tmp_path / "aipipe.yaml").write_text(
        "aipipe: 1\nname: bytes\ncloud: gcp\nregion: us-central1\nproject: bytes-project\nresources:\n"
        "  items: {type: topic}\n  work: {type: subscription, topic: items, ack_deadline: 60s}\n"
        "  handle: {type: function, runtime: python3.12, handler: handle, code: ./fn,\n"
        "           triggers: [{subscription: work}]}\n"
    )
    payload = bytes(range(256)) * 2
    (tmp_path / "item.bin").write_bytes(payload)
    code, lines = run(tmp_path, "--publish", f"items={tmp_path / 'item.bin'}")
    assert code == 0
    [delivery] = [d for d in lines if d["type"] == "delivery"]
    import hashlib

    assert f"SHA {hashlib.sha256(payload).hexdigest()} 512" in delivery["logs"]


def test_a_prefix_with_a_reference_matches_keys_as_the_deployed_notification_does(tmp_path):
    """`prefix: ${stack}/in/` is `dev/in/` in the dev stack's S3 notification (the renderer resolves it)."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "app.py").write_text("def handler(event, context):\n    return 'seen'\n")
    (tmp_path / "aipipe.yaml").write_text(
        "aipipe: 1\nname: refs\ncloud: aws\nregion: us-east-1\nresources:\n  raw: {type: bucket}\n  echo:\n"
        "    type: function\n    runtime: python3.12\n    handler: app.handler\n    code: ./app\n"
        "    triggers: [{bucket: raw, prefix: '${stack}/in/'}]\n"
    )
    (tmp_path / "f.txt").write_text("x")
    code, lines = run(
        tmp_path, "--put", f"raw/dev/in/a.txt={tmp_path / 'f.txt'}", "--put", f"raw/prod/in/b.txt={tmp_path / 'f.txt'}"
    )
    assert code == 0
    assert [(d["target"], d["trigger"]) for d in lines if d["type"] == "delivery"] == [
        ("echo", "bucket created dev/in/a.txt")
    ]


def test_an_object_without_a_file_form_is_said_to_be_in_the_emulator_only(tmp_path):
    folder = copy_example("event-driven-ingest", tmp_path / "ingest")
    (tmp_path / "f.txt").write_text("x")
    code, lines = run(folder, "--put", f"raw/notes//f.txt={tmp_path / 'f.txt'}")
    assert code == 0
    notes = [line["note"] for line in lines if line["type"] == "note"]
    assert any(note.startswith("not mirrored: object `notes//f.txt` of bucket `raw`") for note in notes), notes
