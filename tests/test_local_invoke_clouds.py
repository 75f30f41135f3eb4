"""`aipipe invoke` with every trigger kind on both clouds, on the real local clouds (moto's server;
gcp-storage-emulator and functions-framework), as a user runs it: the handler (an echo) receives the event its
trigger delivers, checked against the documented shapes (tests/data/aws_events, tests/data/cloudevents)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_local_events import _check_aws, _check_gcp

from aipipe.triggers.registry import trigger_kind
from aipipe.triggers.uses import uses_of
from aipipe.validation import load_spec

pytest.importorskip("flask", reason="aipipe invoke on aws needs the `local` extra (moto's server)")
pytest.importorskip("functions_framework", reason="aipipe invoke on gcp needs the `local` extra")

AWS_ECHO = """def handler(event, context):
    return event
"""
GCP_ECHO = """import json

import functions_framework


@functions_framework.cloud_event  # without it a pushed subscription's request reaches the function as HTTP
def on_event(cloud_event):
    print(json.dumps({"attributes": dict(cloud_event.get_attributes()), "data": cloud_event.data}))


def on_request(request):
    headers = dict(request.headers)
    print(json.dumps({"http": {"method": request.method, "headers": headers, "body": request.get_data(as_text=True)}}))
    return "ok"
"""
AWS = """aipipe: 1
name: shapes
cloud: aws
region: us-east-1
resources:
  raw: {type: bucket}
  news: {type: topic}
  jobs: {type: queue}
  clicks: {type: stream}
  work: {type: subscription, topic: news, ack_deadline: 30s}
  orders:
    type: table
    partition_key: {name: customer, type: string}
    stream: new_and_old_images
  echo:
    type: function
    runtime: python3.12
    handler: app.handler
    code: ./app
    timeout: 20s
    triggers:
      - {bucket: raw, events: [created], prefix: in/}
      - {bucket: raw, events: [deleted], prefix: out/}
      - {topic: news}
      - {queue: jobs}
      - {stream: clicks}
      - {stream: orders}
      - {schedule: rate(1 hour)}
      - {subscription: work}
"""
GCP = """aipipe: 1
name: shapes
cloud: gcp
region: us-central1
project: shapes-project
resources:
  raw: {type: bucket}
  news: {type: topic}
  on-object: {type: function, runtime: python3.12, handler: on_event, code: ./app, triggers: [{bucket: raw}]}
  on-delete:
    type: function
    runtime: python3.12
    handler: on_event
    code: ./app
    triggers: [{bucket: raw, events: [deleted]}]
  on-message: {type: function, runtime: python3.12, handler: on_event, code: ./app, triggers: [{topic: news}]}
  work: {type: subscription, topic: news, ack_deadline: 60s}
  on-push: {type: function, runtime: python3.12, handler: on_event, code: ./app, triggers: [{subscription: work}]}
  on-schedule:
    type: function
    runtime: python3.12
    handler: on_request
    code: ./app
    triggers: [{schedule: rate(1 hour)}]
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("shapes")
    (folder / "app").mkdir()
    (folder / "app" / "app.py").write_text(AWS_ECHO)  # Lambda's module `app`
    (folder / "app" / "main.py").write_text(GCP_ECHO)  # Cloud Functions' main.py
    (folder / "aws.yaml").write_text(AWS)
    (folder / "gcp.yaml").write_text(GCP)
    return folder


# every trigger of the aws echo; each gcp function has one (a Cloud Function takes one event trigger)
CASES = [("aws.yaml", "echo", n) for n in range(1, AWS.count("      - {") + 1)] + [
    ("gcp.yaml", name, 1) for name in ("on-object", "on-delete", "on-message", "on-schedule", "on-push")
]


def test_the_cases_cover_every_trigger_kind_a_function_takes_on_each_cloud(project):
    from aipipe.triggers.registry import TRIGGERS

    for cloud in ("aws", "gcp"):
        spec = load_spec(str(project / f"{cloud}.yaml")).spec
        functions = [(name, r) for name, r in spec.resources.items() if r.type == "function"]
        used = {trigger_kind(use.trigger).key for name, r in functions for use in uses_of(name, r)}
        wired = {key for key, kind in TRIGGERS.items() if (cloud, "function") in kind.wiring}
        assert used == wired, cloud


@pytest.mark.parametrize(("spec_name", "function", "trigger"), CASES)
def test_invoke_delivers_the_documented_event_to_the_handler(project, spec_name, function, trigger):
    done = subprocess.run(
        [sys.executable, "-m", "aipipe", "invoke", function, spec_name, "--trigger", str(trigger), "--json"],
        check=False,
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    answer = json.loads(done.stdout)
    assert answer["ok"] and answer["function"] == function
    spec = load_spec(str(project / spec_name)).spec
    use = uses_of(function, spec.resources[function])[trigger - 1]
    if spec.cloud == "aws":
        _check_aws(spec, use, answer["value"])  # the echo returned what Lambda would have given it
    elif trigger_kind(use.trigger).key == "subscription":  # the push request, converted by functions-framework
        received = json.loads(answer["logs"].strip().splitlines()[-1])
        assert received["attributes"]["type"] == "google.cloud.pubsub.topic.v1.messagePublished"
        assert {"data", "attributes", "messageId", "publishTime"} <= set(received["data"]["message"])
    else:
        _check_gcp(spec, use, json.loads(answer["logs"].strip().splitlines()[-1]))  # what functions-framework gave


def test_a_handler_reads_a_stored_secret_by_the_arn_its_environment_holds(tmp_path):
    """`${secret.NAME.arn}` is the ARN of the local Secrets Manager copy (moto's own, with its random suffix), so
    the handler's GetSecretValue works as deployed."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "app.py").write_text(
        "import os\nimport boto3\n\n\ndef handler(event, context):\n"
        "    client = boto3.client('secretsmanager')\n"
        "    return client.get_secret_value(SecretId=os.environ['KEY_ARN'])['SecretString']\n"
    )
    (tmp_path / "aipipe.yaml").write_text(
        "aipipe: 1\nname: secretive\ncloud: aws\nregion: eu-west-1\nsecrets: [API_KEY]\nresources:\n"
        "  reader:\n    type: function\n    runtime: python3.12\n    handler: app.handler\n    code: ./app\n"
        '    environment: {KEY_ARN: "${secret.API_KEY.arn}"}\n'
    )
    done = subprocess.run(
        [sys.executable, "-m", "aipipe", "invoke", "reader", "--json"],
        check=False,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "API_KEY": "s3cr3t-value"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["value"] == "s3cr3t-value"
    assert (tmp_path / ".aipipe" / ".gitignore").is_file()  # the local buckets' folder is git-ignored


HANGING = """import os
import subprocess
import time


def handler(event, context):
    child = subprocess.Popen(["sleep", "300"])
    with open(os.environ["PIDS"] + ".tmp", "w") as file:
        file.write(f"{os.getpid()} {child.pid}")
    os.rename(os.environ["PIDS"] + ".tmp", os.environ["PIDS"])
    time.sleep(120)
"""


def _gone(pid: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
@pytest.mark.parametrize(("number", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129), (signal.SIGKILL, -9)])
def test_a_killed_aipipe_leaves_no_handler_process_behind(tmp_path, number, code):
    """SIGTERM and SIGHUP end `aipipe invoke` as Ctrl-C does (its handlers and emulators stopped); after a SIGKILL,
    which nothing catches, the handler's process notices its parent is gone and ends its group."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "app.py").write_text(HANGING)
    pids = tmp_path / "pids"
    (tmp_path / "aipipe.yaml").write_text(
        "aipipe: 1\nname: hangs\ncloud: aws\nregion: eu-west-1\nresources:\n"
        "  slow:\n    type: function\n    runtime: python3.12\n    handler: app.handler\n    code: ./app\n"
        f"    timeout: 5m\n    environment: {{PIDS: {pids}}}\n"
    )
    aipipe = subprocess.Popen(
        [sys.executable, "-m", "aipipe", "invoke", "slow"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 240
        while not pids.exists() and aipipe.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert pids.exists(), aipipe.stderr.read() if aipipe.poll() is not None else "the handler never ran"
        shim, child = map(int, pids.read_text().split())
        aipipe.send_signal(number)
        assert aipipe.wait(timeout=60) == code
    finally:
        if aipipe.poll() is None:
            aipipe.kill()
            aipipe.wait()
    assert _gone(shim) and _gone(child)
