"""The fake `pulumi` (tests/fake_pulumi) driven end to end by the real pulumi.automation: the SDK's own argument
building, event-log tailing (file and gRPC), result parsing and error classes run against it."""

from __future__ import annotations

import os
import re
import signal
import threading

import pytest
from fake_pulumi import engine
from pulumi import automation as auto
from pulumi.automation import errors

from fake_pulumi_fixture import install_fake_pulumi

PASSPHRASE = "correct horse battery staple"
SECRET = "hunter2-very-secret"


def open_stack(fake, name="dev", *, create=True, passphrase=True):
    env = {"PULUMI_CONFIG_PASSPHRASE": PASSPHRASE} if passphrase else {}
    opts = auto.LocalWorkspaceOptions(env_vars=env, secrets_provider="passphrase")
    make = auto.create_or_select_stack if create else auto.select_stack
    return make(name, work_dir=str(fake.project("shop")), opts=opts)


def kinds(events):
    """The kind of each SDK EngineEvent (`prelude_event`, `resource_pre_event`, ...)."""
    return [next(k for k, v in vars(e).items() if v is not None and k not in ("sequence", "timestamp")) for e in events]


def collect():
    events = []
    return events, events.append


@pytest.fixture
def fake(monkeypatch, tmp_path):
    return install_fake_pulumi(monkeypatch, tmp_path)


def test_an_old_cli_is_refused_by_the_sdk_version_check(monkeypatch, tmp_path):
    fake = install_fake_pulumi(monkeypatch, tmp_path, version="v3.0.0")
    with pytest.raises(errors.InvalidVersionError, match=r"minimum CLI version requirement is 3\.1\.0"):
        open_stack(fake)
    assert fake.argvs() == [["version"]]


def test_create_or_select_creates_then_selects_and_missing_stacks_raise_stack_not_found(fake):
    open_stack(fake)
    open_stack(fake)
    argvs = [argv for argv in fake.argvs() if argv != ["version"]]
    assert argvs == [
        ["--non-interactive", "stack", "select", "--stack", "dev"],
        ["--non-interactive", "stack", "init", "dev", "--secrets-provider", "passphrase"],
        ["--non-interactive", "stack", "select", "--stack", "dev"],
    ]
    assert fake.state()["stacks"]["dev"]["secrets_provider"] == "passphrase"
    with pytest.raises(errors.StackNotFoundError, match="no stack named 'prod' found") as caught:
        open_stack(fake, "prod", create=False)
    assert "code: 255" in str(caught.value)
    with pytest.raises(errors.StackAlreadyExistsError, match="stack 'dev' already exists"):
        auto.create_stack("dev", work_dir=str(fake.project("shop")))
    workspace = open_stack(fake).workspace
    assert [(s.name, s.current) for s in workspace.list_stacks()] == [("dev", True)]
    assert workspace.who_am_i().user == "fake-user"


def test_a_passphrase_stack_needs_the_passphrase_in_the_environment(fake):
    with pytest.raises(errors.CommandError, match="passphrase must be set with PULUMI_CONFIG_PASSPHRASE"):
        open_stack(fake, passphrase=False)
    assert "dev" not in fake.state()["stacks"]


def test_secret_config_is_recorded_as_given_and_the_sdk_passes_its_value_in_argv(fake):
    stack = open_stack(fake)
    stack.set_config("dbPassword", auto.ConfigValue(SECRET, secret=True))
    stack.set_config("aws:region", auto.ConfigValue("eu-west-1"))
    config = fake.state()["stacks"]["dev"]["config"]
    assert config == {
        "shop:dbPassword": {"value": SECRET, "secret": True},
        "aws:region": {"value": "eu-west-1", "secret": False},
    }
    # What the fake records shows where secrets went: Stack.set_config puts the value after "--" in argv
    # (pulumi/automation/_local_workspace.py set_config), while the passphrase only travels in the environment.
    setting = [argv for argv in fake.argvs() if "set" in argv and "dbPassword" in argv]
    # (the SDK adds --non-interactive itself, so it does not put another one first)
    assert setting == [["config", "set", "dbPassword", "--secret", "--stack", "dev", "--non-interactive", "--", SECRET]]
    assert not any(PASSPHRASE in " ".join(argv) for argv in fake.argvs())
    assert all("PULUMI_CONFIG_PASSPHRASE" in call["env"] for call in fake.calls() if call["argv"] != ["version"])
    got = stack.get_config("dbPassword")
    assert (got.value, got.secret) == (SECRET, True)
    assert stack.get_all_config()["aws:region"].value == "eu-west-1"


def test_preview_streams_the_real_events_moved_to_the_project_and_stack(fake):
    stack = open_stack(fake)
    events, on_event = collect()
    result = stack.preview(on_event=on_event)
    recorded = [
        re.sub(r"(?<!^)([A-Z])", r"_\1", engine.event_kind(e)).lower() for e in engine.load_events("create-preview")
    ]
    assert kinds(events) == recorded
    assert result.change_summary == {"replace": 1}
    pre = [e.resource_pre_event for e in events if e.resource_pre_event]
    assert pre and all(p.metadata.urn.startswith("urn:pulumi:dev::shop::") for p in pre)
    assert events[-2].summary_event.resource_changes == {"replace": 1} and events[-1].cancel_event is not None
    assert "Previewing update (dev):" in result.stdout
    assert fake.state()["stacks"]["dev"]["history"] == []  # previews are not part of the history


def test_up_returns_outputs_and_the_summary_the_sdk_reads_afterwards(monkeypatch, tmp_path):
    fake = install_fake_pulumi(
        monkeypatch, tmp_path, outputs={"bucket": "shop-data", "token": "t0k"}, secret_outputs=["token"]
    )
    stack = open_stack(fake)
    stack.set_config("aws:region", auto.ConfigValue("eu-west-1"))
    events, on_event = collect()
    result = stack.up(on_event=on_event, message="first")
    assert result.outputs["bucket"].value == "shop-data" and not result.outputs["bucket"].secret
    assert result.outputs["token"].value == "t0k" and result.outputs["token"].secret
    summary = result.summary
    assert (summary.kind, summary.result, summary.message) == ("update", "succeeded", "first")
    assert summary.resource_changes == {"create": 3}
    assert summary.config["aws:region"].value == "eu-west-1"
    assert [e.resource_pre_event.metadata.op for e in events if e.resource_pre_event] == ["create"] * 3
    up_argv = next(argv for argv in fake.argvs() if "up" in argv)
    assert up_argv[:4] == ["--non-interactive", "up", "--yes", "--skip-preview"]
    assert "--event-log" in up_argv and up_argv[-2:] == ["--stack", "dev"]
    assert {k: (v.value, v.secret) for k, v in stack.outputs().items()} == {
        "bucket": ("shop-data", False),
        "token": ("t0k", True),
    }
    assert open_stack(fake).workspace.list_stacks()[0].resource_count == 3


def test_a_failed_update_raises_a_command_error_after_streaming_its_events(monkeypatch, tmp_path):
    fake = install_fake_pulumi(monkeypatch, tmp_path, scenario="create-failed")
    stack = open_stack(fake)
    events, on_event = collect()
    with pytest.raises(errors.CommandError) as caught:
        stack.up(on_event=on_event)
    assert type(caught.value) is errors.CommandError
    assert "code: 255" in str(caught.value)
    assert any(e.res_op_failed_event for e in events)
    messages = [e.diagnostic_event.message for e in events if e.diagnostic_event]
    assert any("update failed" in m for m in messages)
    assert events[-2].summary_event is not None and events[-1].cancel_event is not None
    assert stack.history()[0].result == "failed"


def test_a_locked_stack_raises_concurrent_update_error(monkeypatch, tmp_path):
    fake = install_fake_pulumi(monkeypatch, tmp_path, scenario_up="locked")
    stack = open_stack(fake)
    with pytest.raises(errors.ConcurrentUpdateError, match="the stack is currently locked by 1 lock"):
        stack.up()
    assert stack.preview().change_summary  # only `up` was given the locked scenario


def test_destroy_and_refresh_with_their_previews(fake):
    stack = open_stack(fake)
    stack.up(on_event=lambda e: None)
    assert stack.preview_destroy(on_event=lambda e: None).change_summary == {"delete": 2}
    assert stack.preview_refresh(on_event=lambda e: None).change_summary == {"same": 2, "update": 1}
    refreshed = stack.refresh(on_event=lambda e: None)
    assert (refreshed.summary.kind, refreshed.summary.resource_changes) == ("refresh", {"same": 2, "update": 1})
    events, on_event = collect()
    destroyed = stack.destroy(on_event=on_event)
    assert (destroyed.summary.kind, destroyed.summary.result) == ("destroy", "succeeded")
    assert [e.resource_pre_event.metadata.op for e in events if e.resource_pre_event] == ["delete", "delete"]
    assert stack.outputs() == {}
    assert [h.kind for h in stack.history()] == ["destroy", "refresh", "update"]
    argvs = fake.argvs()
    assert any(argv[1:4] == ["destroy", "--preview-only", "--exec-kind"] for argv in argvs)
    assert any(argv[1:5] == ["refresh", "--skip-preview", "--yes", "--exec-kind"] for argv in argvs)


def test_rewritten_streams_look_like_aws(monkeypatch, tmp_path):
    rewrite = {"types": {"pkgA:m:typA": "aws:s3/bucket:Bucket", "pulumi:providers:pkgA": "pulumi:providers:aws"}}
    fake = install_fake_pulumi(monkeypatch, tmp_path, rewrite=rewrite)
    events, on_event = collect()
    open_stack(fake).up(on_event=on_event)
    metas = [e.resource_pre_event.metadata for e in events if e.resource_pre_event]
    assert {m.type for m in metas} == {"aws:s3/bucket:Bucket"}
    assert "urn:pulumi:dev::shop::aws:s3/bucket:Bucket$aws:s3/bucket:Bucket::resB" in {m.urn for m in metas}
    assert all(m.provider.startswith("urn:pulumi:dev::shop::pulumi:providers:aws::default") for m in metas)


def test_a_rewritten_stream_written_to_a_file_is_a_scenario(monkeypatch, tmp_path):
    events = engine.rewrite_events(
        engine.load_events("create-failed"), types={"pkgA:m:typB": "gcp:storage/bucket:Bucket"}, project="p"
    )
    path = engine.write_events(tmp_path / "gcs-failed.jsonl", events)
    fake = install_fake_pulumi(monkeypatch, tmp_path, scenario=str(path))
    seen, on_event = collect()
    with pytest.raises(errors.CommandError):
        open_stack(fake).up(on_event=on_event)
    failed = next(e.res_op_failed_event for e in seen if e.res_op_failed_event)
    assert failed.metadata.type == "gcp:storage/bucket:Bucket"
    assert failed.metadata.urn.startswith("urn:pulumi:dev::shop::")  # the fake moves URNs to the real stack


def test_a_newer_cli_streams_events_over_grpc_and_uses_the_new_exit_codes(monkeypatch, tmp_path):
    fake = install_fake_pulumi(monkeypatch, tmp_path, version="v3.230.0", scenario_up="create-failed")
    stack = open_stack(fake)
    events, on_event = collect()
    assert stack.preview(on_event=on_event).change_summary == {"replace": 1}
    preview_argv = next(argv for argv in fake.argvs() if "preview" in argv)
    assert preview_argv[preview_argv.index("--event-log") + 1].startswith("tcp://127.0.0.1:")
    assert events[-1].cancel_event is not None
    with pytest.raises(errors.CommandError, match="code: 1\n"):
        stack.up(on_event=lambda e: None)
    with pytest.raises(errors.StackNotFoundError, match="code: 6\n"):
        open_stack(fake, "prod", create=False)


def test_cancel_on_a_diy_backend_succeeds_even_with_no_update_running(fake):
    stack = open_stack(fake)
    stack.cancel()
    assert ["--non-interactive", "cancel", "--yes", "--stack", "dev"] in fake.argvs()


def test_cancel_on_the_cloud_backend_fails_with_no_update_running(monkeypatch, tmp_path):
    fake = install_fake_pulumi(monkeypatch, tmp_path, backend="cloud")
    stack = open_stack(fake)
    with pytest.raises(errors.CommandError, match="stack dev has never been updated"):
        stack.cancel()
    stack.up()
    with pytest.raises(errors.CommandError, match=r"\[409\] Conflict"):
        stack.cancel()


def test_sigint_during_a_slow_update_ends_it_cancelled_and_a_second_update_finds_the_stack_locked(
    monkeypatch, tmp_path
):
    fake = install_fake_pulumi(monkeypatch, tmp_path, event_delay=0.3)
    stack = open_stack(fake)
    events, outcome = [], {}
    first_event = threading.Event()

    def on_event(event):
        events.append(event)
        first_event.set()

    def run():
        try:
            stack.up(on_event=on_event)
        except errors.CommandError as error:
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    assert first_event.wait(10)
    with pytest.raises(errors.ConcurrentUpdateError):
        open_stack(fake).up()
    up_pid = next(c["pid"] for c in fake.calls() if "up" in c["argv"])
    os.kill(up_pid, signal.SIGINT)
    thread.join(15)
    assert "code: 255" in str(outcome["error"])
    assert len(events) < len(engine.load_events("create")) + 2
    assert "update canceled" in events[-3].diagnostic_event.message
    assert events[-2].summary_event.resource_changes.get("create", 0) < 3 and events[-1].cancel_event is not None
    assert not (fake.state_dir / "locks" / "dev.json").exists()
    fake.configure(event_delay=None)
    assert stack.up().summary.result == "succeeded"  # the lock went with the interrupted process
