"""`aipipe invoke` and the local handlers, with real handler subprocesses and a fake LocalCloud (tests/local_fakes):
the event each trigger delivers, the environment the cloud sets (references resolved, secrets from the user's
environment, nothing else of it), an interpreter that cannot import aipipe, the user's traceback when a handler
raises, functions-framework delivering CloudEvents on gcp, and clear usage errors."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import textwrap
import time
import zipfile
from pathlib import Path

import pytest
from local_fakes import ENDPOINT, FakeLocalCloud
from typer.testing import CliRunner

import aipipe.local.clouds
import aipipe.local.handlers
from aipipe.cli.app import app
from aipipe.local.egress import outdated_sdk
from aipipe.local.handlers import HandlerSetupError, LocalHandlers
from aipipe.triggers.bucket import STORAGE_EVENTS
from aipipe.triggers.eventbridge import bucket_via_eventbridge
from aipipe.triggers.registry import trigger_kind
from aipipe.triggers.topic import PUBSUB_EVENT
from aipipe.triggers.uses import uses_of
from aipipe.validation import load_spec

from conftest import DATA, copy_example
from test_fast_paths import heavy_modules

runner = CliRunner()

AWS_SPEC = """\
aipipe: 1
name: tiny
cloud: aws
region: eu-west-1
secrets: [API_KEY]
resources:
  data:
    type: bucket
  work:
    type: function
    runtime: python3.12
    handler: app.handler
    code: ./fn
    timeout: 3s
    environment:
      OUT: ${data.name}
      WHERE: ${region}/${stack}
      KEY: ${secret.API_KEY}
      KEY_ARN: ${secret.API_KEY.arn}
    writes: [data/out/]
    triggers:
      - bucket: data
        prefix: in/
        suffix: .json
"""

AWS_HANDLER = """\
import os
import time

CALLS = []


def importable(name):
    try:
        __import__(name)
    except ImportError:
        return False
    return True


def handler(event, context):
    CALLS.append(1)
    print("handling", context.function_name, context.aws_request_id != "")
    if event.get("boom"):
        raise ValueError("boom: " + event["boom"])
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("exit"):
        os._exit(3)
    if event.get("say"):
        print(event["say"])
    if event.get("spawn"):
        import subprocess

        return subprocess.Popen(["sleep", "300"]).pid
    if event.get("url"):
        import urllib.request

        urllib.request.urlopen(event["url"], timeout=30)
    if event.get("real_s3"):
        import boto3
        from botocore.config import Config

        config = Config(retries={"max_attempts": 1}, connect_timeout=30)
        boto3.client("s3", endpoint_url=event["real_s3"], config=config).list_buckets()
    if event.get("set"):
        return {1, 2}
    if event.get("dependency"):
        import tinydep

        return tinydep.VALUE
    names = ["OUT", "WHERE", "KEY", "KEY_ARN", "AWS_LAMBDA_FUNCTION_NAME", "AWS_REGION", "_HANDLER",
             "AWS_ENDPOINT_URL", "AIPIPE_TEST_LEAK", "LAMBDA_TASK_ROOT"]
    return {
        "env": {name: os.environ.get(name) for name in names},
        "imports": {name: importable(name) for name in ("aipipe", "pydantic", "typer", "boto3")},
        "event": event,
        "calls": len(CALLS),
        "remaining": context.get_remaining_time_in_millis() > 0,
    }
"""

GCP_SPEC = """\
aipipe: 1
name: tinyg
cloud: gcp
region: us-central1
resources:
  items:
    type: topic
  landing:
    type: bucket
  on-item:
    type: function
    runtime: python3.12
    handler: on_item
    code: ./fn
    environment:
      TOPIC: ${items.name}
    triggers:
      - topic: items
  on-upload:
    type: function
    runtime: python3.12
    handler: on_upload
    code: ./fn
    triggers:
      - bucket: landing
  hourly:
    type: function
    runtime: python3.12
    handler: tick
    code: ./fn
    triggers:
      - schedule: rate(1 hour)
  work:
    type: subscription
    topic: items
    ack_deadline: 60s
    dead_letter: {max_attempts: 5}
  on-work:
    type: function
    runtime: python3.12
    handler: on_item
    code: ./fn
    environment:
      TOPIC: ${items.name}
    triggers:
      - subscription: work
"""

GCP_HANDLER = """\
import base64
import os

import functions_framework


@functions_framework.cloud_event
def on_item(cloud_event):
    text = base64.b64decode(cloud_event.data["message"]["data"]).decode()
    if "boom" in text:
        raise RuntimeError("poison message")
    return {"type": cloud_event["type"], "source": cloud_event["source"], "text": text,
            "topic": os.environ["TOPIC"], "service": os.environ["K_SERVICE"], "target": os.environ["FUNCTION_TARGET"]}


@functions_framework.cloud_event
def on_upload(cloud_event):
    return {"type": cloud_event["type"], "subject": cloud_event["subject"], "name": cloud_event.data["name"]}


def tick(request):
    return "tick from " + request.headers["User-Agent"] + " " + os.environ["FUNCTION_SIGNATURE_TYPE"]
"""


@pytest.fixture
def clouds(monkeypatch):
    """Every local cloud `aipipe invoke` opens: fakes, with no emulator."""
    opened: list[FakeLocalCloud] = []

    def fake(spec, stack, data_dir):
        opened.append(FakeLocalCloud(spec, stack, data_dir))
        return opened[-1]

    monkeypatch.setattr(aipipe.local.clouds, "open_local_cloud", fake)
    return opened


def _project(folder: Path, spec: str, handler_file: str, handler: str) -> Path:
    (folder / "fn").mkdir(parents=True)
    (folder / "fn" / handler_file).write_text(textwrap.dedent(handler))
    (folder / "aipipe.yaml").write_text(spec)
    return folder / "aipipe.yaml"


@pytest.fixture
def aws_spec(tmp_path, monkeypatch):
    monkeypatch.setenv("API_KEY", "s3cr3t")
    monkeypatch.setenv("AIPIPE_TEST_LEAK", "visible?")
    return _project(tmp_path, AWS_SPEC, "app.py", AWS_HANDLER)


def _invoke(*arguments: str):
    return runner.invoke(app, ["invoke", *arguments])


def test_a_bucket_triggered_handler_gets_the_cloud_environment_and_nothing_of_aipipe(aws_spec, clouds):
    result = _invoke("work", str(aws_spec), "--json")
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout)
    assert outcome["ok"] and outcome["event_source"].startswith("trigger 1 (bucket data")
    env = outcome["value"]["env"]
    assert env["OUT"] == "tiny-dev-data"
    assert env["WHERE"] == "eu-west-1/dev"
    assert env["KEY"] == "s3cr3t"
    assert env["KEY_ARN"] == "arn:aws:secretsmanager:eu-west-1:123456789012:secret:tiny-dev-api-key"
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "tiny-dev-work" and env["AWS_REGION"] == "eu-west-1"
    assert env["_HANDLER"] == "app.handler" and env["AWS_ENDPOINT_URL"] == ENDPOINT
    assert env["AIPIPE_TEST_LEAK"] is None  # the user's environment stays out
    assert env["LAMBDA_TASK_ROOT"] == str((aws_spec.parent / "fn").resolve())
    assert outcome["value"]["imports"] == {"aipipe": False, "pydantic": False, "typer": False, "boto3": True}
    key = outcome["value"]["event"]["Records"][0]["s3"]["object"]["key"]
    assert key.startswith("in/") and key.endswith(".json")
    assert "handling tiny-dev-work True" in outcome["logs"]
    assert clouds[0].started and clouds[0].stopped


def test_a_raising_handler_exits_1_with_the_users_traceback(aws_spec, clouds, tmp_path):
    event = tmp_path / "event.json"
    event.write_text('{"boom": "bad record"}')
    result = _invoke("work", str(aws_spec), "--event", str(event))
    assert result.exit_code == 1
    assert 'fn/app.py", line 19, in handler' in result.stderr
    assert "ValueError: boom: bad record" in result.stderr
    assert "shim.py" not in result.stderr and "aipipe/cli" not in result.stderr
    as_json = json.loads(_invoke("work", str(aws_spec), "--event", str(event), "--json").stdout)
    assert (as_json["ok"], as_json["error_type"], as_json["error_message"]) == (False, "ValueError", "boom: bad record")


def test_the_event_file_is_delivered_as_it_is(aws_spec, clouds, tmp_path):
    event = tmp_path / "event.json"
    event.write_text('{"anything": [1, 2]}')
    result = _invoke("work", str(aws_spec), "--event", str(event), "--json")
    assert json.loads(result.stdout)["value"]["event"] == {"anything": [1, 2]}


def test_an_example_workflow_step_runs_with_its_step_input(tmp_path, clouds):
    spec = copy_example("async-training-pipeline", tmp_path / "example") / "aipipe.yaml"
    step = tmp_path / "step.json"
    step.write_text('{"dataset": "s3://raw/d1.jsonl"}')
    result = _invoke("train", str(spec), "--event", str(step))
    assert result.exit_code == 0, result.output
    value = json.loads(result.stdout)
    assert value == {
        "dataset": "s3://raw/d1.jsonl",
        "train": {"status": "ok", "bucket": "async-training-pipeline-dev-datasets"},
    }
    plain = _invoke("predict", str(spec), "--json")  # no trigger, no file: a step started without input
    assert json.loads(plain.stdout)["event_source"] == "empty input"
    assert json.loads(plain.stdout)["value"]["predict"]["status"] == "ok"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["wrok"], "has no function `wrok` (did you mean `work`?)"),
        (["work", "--trigger", "2"], "`work` has 1 trigger(s), so --trigger takes 1 to 1: 1. bucket data"),
        (["work", "--trigger", "0"], "--trigger takes 1 to 1"),
        (["work", "--event", "missing.json"], "cannot read the event file missing.json"),
        (["work", "--event", "bad.json"], "bad.json:1:9: not JSON: Expecting property name"),
        (["work", "--event", "bad.json", "--trigger", "1"], "either --event FILE or --trigger N"),
    ],
)
def test_usage_errors_are_clear_and_exit_2(aws_spec, clouds, monkeypatch, arguments, message):
    monkeypatch.chdir(aws_spec.parent)
    (aws_spec.parent / "bad.json").write_text('{"a": 1,,}')
    result = _invoke(arguments[0], str(aws_spec), *arguments[1:])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_a_secret_missing_from_the_environment_stops_before_the_handler(aws_spec, clouds, monkeypatch):
    monkeypatch.delenv("API_KEY")
    result = _invoke("work", str(aws_spec))
    assert result.exit_code == 1
    assert "secret `API_KEY` is not set: export API_KEY=..." in result.stderr
    assert "Traceback" not in result.output


def _handlers(spec_path: Path):
    spec = load_spec(str(spec_path), "dev").spec
    return LocalHandlers(spec, FakeLocalCloud(spec), spec_path.parent / ".aipipe" / "build")


def test_handlers_stay_warm_and_a_timeout_or_a_crash_starts_a_fresh_process(aws_spec):
    handlers = _handlers(aws_spec)
    try:
        assert [handlers("work", {}).value["calls"] for _ in range(2)] == [1, 2]  # one process, its module kept
        unmarshallable = handlers("work", {"set": True})
        assert (unmarshallable.ok, unmarshallable.error_type) == (False, "Runtime.MarshalError")
        timed_out = handlers("work", {"sleep": 10})
        assert (timed_out.ok, timed_out.error_type) == (False, "Sandbox.Timedout")
        assert timed_out.error_message == "Task timed out after 3.00 seconds"
        assert "handling tiny-dev-work" in timed_out.logs  # printed before it was stopped: not lost in a buffer
        assert handlers("work", {}).value["calls"] == 1  # a new execution environment
        crashed = handlers("work", {"exit": True})
        assert (crashed.ok, crashed.error_type) == (False, "Runtime.ExitError")
        assert "exit status 3" in crashed.error_message
        assert "handling tiny-dev-work" in crashed.logs
        assert handlers("work", {}).ok
    finally:
        handlers.close()


def _running(pid: int) -> bool:
    """Whether process `pid` runs (a zombie, killed and waiting for its reaper, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def _ends(pid: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _running(pid)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
def test_what_a_handler_started_ends_with_its_process_on_a_timeout_a_crash_and_close(aws_spec):
    handlers = _handlers(aws_spec)
    try:
        started = handlers("work", {"spawn": True}).value
        assert _running(started)
        assert handlers("work", {"sleep": 10}).error_type == "Sandbox.Timedout"
        assert _ends(started)
        started = handlers("work", {"spawn": True}).value
        assert handlers("work", {"exit": True}).error_type == "Runtime.ExitError"
        assert _ends(started)
        started = handlers("work", {"spawn": True}).value
        shim = handlers._workers["work"].process.pid
    finally:
        handlers.close()
    assert _ends(started) and _ends(shim)


def test_two_runs_of_the_same_spec_keep_their_own_logs(aws_spec):
    first, second = _handlers(aws_spec), _handlers(aws_spec)
    try:
        said = [(first, "first-1"), (second, "second-1"), (first, "first-2"), (second, "second-2")]
        logs = {word: handlers("work", {"say": word}).logs for handlers, word in said}
    finally:
        first.close()
        second.close()
    for word, text in logs.items():
        assert word in text
        assert not [other for other in logs if other != word and other in text], (word, text)
    assert not (aws_spec.parent / ".aipipe" / "build" / "local" / "logs").exists()


def test_a_call_to_anywhere_but_the_local_cloud_fails_at_once_through_the_proxy_that_refuses(aws_spec):
    handlers = _handlers(aws_spec)
    try:
        env = handlers.environment("work")
        assert env["HTTPS_PROXY"] == env["http_proxy"] == "http://127.0.0.1:9"
        assert env["NO_PROXY"].split(",")[:3] == ["127.0.0.1", "localhost", "::1"]
        started = time.monotonic()
        to_aws = handlers("work", {"real_s3": "https://s3.eu-west-1.amazonaws.com"})
        assert (to_aws.ok, to_aws.error_type) == (False, "ProxyConnectionError")
        assert "127.0.0.1:9" in to_aws.error_message
        to_web = handlers("work", {"url": "http://example.com/"})
        assert (to_web.ok, to_web.error_type) == (False, "URLError")
        assert "Connection refused" in to_web.error_message
        assert time.monotonic() - started < 3
    finally:
        handlers.close()


def test_a_boto3_that_ignores_aws_endpoint_url_is_refused_before_the_handler_runs(aws_spec, tmp_path, monkeypatch):
    dependencies = tmp_path / "deps"
    (dependencies / "boto3-1.26.90.dist-info").mkdir(parents=True)
    (dependencies / "botocore-1.44.5.dist-info").mkdir()
    monkeypatch.setattr(aipipe.local.handlers, "function_dependencies", lambda *_: dependencies)
    handlers = _handlers(aws_spec)
    with pytest.raises(HandlerSetupError, match=r"`work`: its dependencies install boto3 1.26.90, which ignores"):
        handlers("work", {})
    assert not handlers._workers
    assert outdated_sdk(None) is None
    (dependencies / "boto3-1.26.90.dist-info").rename(dependencies / "boto3-1.28.0.dist-info")
    assert outdated_sdk(dependencies) is None
    (dependencies / "botocore-1.29.1.dist-info").mkdir()
    assert outdated_sdk(dependencies) == "botocore 1.29.1"


def test_an_unset_stored_secret_stops_before_the_handler_as_a_plain_one_does(aws_spec, clouds, monkeypatch):
    aws_spec.write_text(AWS_SPEC.replace("      KEY: ${secret.API_KEY}\n", ""))
    monkeypatch.delenv("API_KEY")
    result = _invoke("work", str(aws_spec))
    assert result.exit_code == 1, result.output
    assert "`work`: secret `API_KEY` is not set: export API_KEY=..." in result.stderr
    assert "Traceback" not in result.output


@pytest.fixture
def gcp_spec(tmp_path):
    return _project(tmp_path, GCP_SPEC, "main.py", GCP_HANDLER)


def test_gcp_handlers_get_cloudevents_through_functions_framework(gcp_spec, clouds):
    result = _invoke("on-item", str(gcp_spec), "--json")
    assert result.exit_code == 0, result.output
    value = json.loads(result.stdout)["value"]
    assert value == {
        "type": "google.cloud.pubsub.topic.v1.messagePublished",
        "source": "//pubsub.googleapis.com/projects/local-tinyg/topics/tinyg-dev-items",
        "text": '{"sample": true}',
        "topic": "tinyg-dev-items",
        "service": "tinyg-dev-on-item",
        "target": "on_item",
    }
    upload = json.loads(_invoke("on-upload", str(gcp_spec), "--json").stdout)["value"]
    assert upload["type"] == "google.cloud.storage.object.v1.finalized"
    assert upload["subject"] == f"objects/{upload['name']}"
    tick = _invoke("hourly", str(gcp_spec))
    assert tick.exit_code == 0 and tick.stdout.strip() == "tick from Google-Cloud-Scheduler http"


def test_a_pushed_subscription_reaches_a_cloudevent_handler_unchanged(gcp_spec, clouds):
    # the raw Pub/Sub push request, POSTed to an HTTP function: functions-framework converts it to the CloudEvent
    # the handler is declared for (event_conversion.marshal_background_event_data, _is_raw_pubsub_payload)
    result = _invoke("on-work", str(gcp_spec), "--json")
    assert result.exit_code == 0, result.output
    value = json.loads(result.stdout)["value"]
    assert (value["type"], value["text"], value["target"]) == (
        "google.cloud.pubsub.topic.v1.messagePublished",
        '{"sample": true}',
        "on_item",
    )


def test_a_raising_gcp_handler_shows_its_own_traceback(gcp_spec, clouds, tmp_path):
    event = {
        "attributes": {
            "specversion": "1.0",
            "id": "1",
            "source": "//pubsub.googleapis.com/projects/p/topics/t",
            "type": "google.cloud.pubsub.topic.v1.messagePublished",
            "time": "2026-01-01T00:00:00.000Z",
            "datacontenttype": "application/json",
        },
        "data": {"message": {"data": "Ym9vbQ==", "messageId": "1"}, "subscription": "projects/p/subscriptions/s"},
    }
    path = tmp_path / "poison.json"
    path.write_text(json.dumps(event))
    result = _invoke("on-item", str(gcp_spec), "--event", str(path))
    assert result.exit_code == 1
    assert result.stderr.count("Traceback") == 1 and 'fn/main.py", line 11, in on_item' in result.stderr
    assert "flask" not in result.stderr and "RuntimeError: poison message" in result.stderr


def _wheel(folder: Path) -> str:
    """A tiny pure-Python wheel, installable without any package index."""
    files = {
        "tinydep/__init__.py": b"VALUE = 42\n",
        "tinydep-0.1.dist-info/METADATA": b"Metadata-Version: 2.1\nName: tinydep\nVersion: 0.1\n",
        "tinydep-0.1.dist-info/WHEEL": b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }

    def digest(data: bytes) -> str:
        return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()

    record = "".join(f"{name},{digest(data)},{len(data)}\n" for name, data in files.items())
    name = "tinydep-0.1-py3-none-any.whl"
    with zipfile.ZipFile(folder / name, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
        archive.writestr("tinydep-0.1.dist-info/RECORD", record + "tinydep-0.1.dist-info/RECORD,,\n")
    return name


def test_the_functions_dependencies_are_installed_for_this_machine_by_the_build(aws_spec, clouds, tmp_path):
    code = aws_spec.parent / "fn"
    (code / "requirements.txt").write_text(f"./{_wheel(code)}\n")
    event = tmp_path / "event.json"
    event.write_text('{"dependency": true}')
    result = _invoke("work", str(aws_spec), "--event", str(event), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["value"] == 42
    installed = list((aws_spec.parent / ".aipipe" / "build" / "deps").glob("*/site/tinydep/__init__.py"))
    assert len(installed) == 1  # in the build's cache, as `aipipe build` keeps dependencies


def test_a_gcp_event_file_must_be_a_cloudevent_or_a_request(gcp_spec, clouds, tmp_path):
    path = tmp_path / "raw.json"
    path.write_text('{"message": {"data": "e30="}}')
    result = _invoke("on-item", str(gcp_spec), "--event", str(path))
    assert result.exit_code == 2
    assert "a gcp function takes a CloudEvent" in result.stderr


def without_moto(monkeypatch):
    """As if the `local` extra were not installed: moto cannot be imported (nor, so, the local aws cloud)."""
    import sys

    for name in [name for name in sys.modules if name.startswith(("aipipe.local.aws", "moto"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "moto", None)
    import aipipe.local

    monkeypatch.delattr(aipipe.local, "aws", raising=False)


@pytest.mark.parametrize("command", ["invoke", "run"])
def test_without_the_local_extra_the_commands_say_what_to_install(aws_spec, monkeypatch, command):
    without_moto(monkeypatch)
    arguments = ["invoke", "work", str(aws_spec)] if command == "invoke" else ["run", str(aws_spec)]
    result = runner.invoke(app, arguments)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "the local aws cloud needs `moto`, which is not installed: pip install 'aipipe[local]'" in result.stderr


def test_invoke_help_stays_fast():
    assert heavy_modules(["invoke", "--help"]) == "HEAVY="


def _corpus_triggers():
    for name in ("aws-everything", "gcp-everything"):
        spec = load_spec(str(DATA / "good" / f"{name}.yaml"), "dev").spec
        for function, resource in spec.resources.items():
            for position, _ in enumerate(getattr(resource, "triggers", ()) if resource.type == "function" else ()):
                yield pytest.param(name, function, position + 1, id=f"{name}:{function}#{position + 1}")


GCP_ECHO = """\
def _summary(event):
    try:
        return {"type": event["type"], "source": event["source"]}
    except (TypeError, KeyError):
        return {"http": event.method, "agent": event.headers.get("User-Agent")}
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The good corpora's specs with handlers that answer what they received."""
    folder = tmp_path_factory.mktemp("corpus") / "good"
    shutil.copytree(DATA / "good", folder)  # the specs' code and seed files with them
    for module in ("app", "index"):
        (folder / "app" / f"{module}.py").write_text("def handler(event, context):\n    return event\n")
    spec = load_spec(str(folder / "gcp-everything.yaml"), "dev").spec
    entries = sorted({r.handler for r in spec.resources.values() if r.type == "function"})
    (folder / "app" / "main.py").write_text(GCP_ECHO + "".join(f"\n{entry} = _summary\n" for entry in entries))
    return folder


@pytest.mark.parametrize(("name", "function", "number"), list(_corpus_triggers()))
def test_invoke_delivers_every_trigger_of_the_corpora(corpus, clouds, monkeypatch, name, function, number):
    monkeypatch.setenv("API_TOKEN", "token")
    monkeypatch.setenv("DB_PASSWORD", "password")
    result = _invoke(function, str(corpus / f"{name}.yaml"), "--trigger", str(number), "--json")
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout)
    spec = load_spec(str(corpus / f"{name}.yaml"), "dev").spec
    use = uses_of(function, spec.resources[function])[number - 1]
    kind = trigger_kind(use.trigger).key
    if name.startswith("aws"):  # the echo handler returns the event Lambda delivered
        eventbridge = kind == "schedule" or (kind == "bucket" and bucket_via_eventbridge(spec.resources, use))
        expected = "detail-type" if eventbridge else "Records"
        assert expected in outcome["value"]
    elif kind == "schedule":
        assert outcome["value"] == {"http": "POST", "agent": "Google-Cloud-Scheduler"}
    elif kind == "subscription":  # an HTTP function (no decorator) gets the raw push request itself
        assert outcome["value"]["http"] == "POST"
    else:
        assert outcome["value"]["type"] in (*STORAGE_EVENTS.values(), PUBSUB_EVENT)


def test_an_event_from_a_pipe_is_read_once(aws_spec, clouds, tmp_path):
    """`--event /dev/stdin` or `<(...)`: the event file may be a pipe, which can be read only once."""
    import os
    import threading

    pipe = tmp_path / "event.pipe"
    os.mkfifo(pipe)
    writer = threading.Thread(target=lambda: pipe.write_text('{"from": "a pipe"}'))
    writer.start()
    result = _invoke("work", str(aws_spec), "--event", str(pipe), "--json")
    writer.join(timeout=10)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["value"]["event"] == {"from": "a pipe"}
