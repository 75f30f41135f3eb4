"""The fake `pulumi`'s engine operations: preview, up, destroy, refresh (and their --preview-only forms), cancel.

Each operation replays a scenario (see engine.py) to the SDK's `--event-log`, prints a progress-like text,
records the result in the stack's state and history, and exits as the CLI would:

- the scenario comes from FAKE_PULUMI_SCENARIO_<OP> (OP one of PREVIEW, UP, DESTROY, DESTROY_PREVIEW, REFRESH,
  REFRESH_PREVIEW), else FAKE_PULUMI_SCENARIO, else DEFAULT_SCENARIOS; a name in tests/data/pulumi/events
  or a path to a `.jsonl` file. The special scenario `locked` fails as a stack locked by another process.
- URNs are moved to the real project and stack, and types mapped, by FAKE_PULUMI_REWRITE (engine.py).
- the summaryEvent's `isPreview` is set to whether this command is a preview (so a stream recorded for an
  update can serve as a preview and vice versa); nothing else in the events is changed.
- a summary with result "failed" makes the command fail; FAKE_PULUMI_EXIT_CODE overrides the exit status
  and FAKE_PULUMI_STDERR adds text on stderr.
- FAKE_PULUMI_EVENT_DELAY (seconds) paces the events; SIGINT then ends the stream with the cancelled ending.
- after a successful `up`, stack outputs are FAKE_PULUMI_OUTPUTS (a JSON object) if set, else the root
  stack's outputs in the stream; FAKE_PULUMI_SECRET_OUTPUTS (a JSON list of names) marks secret ones.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import signal
import socket
import sys
import time
from typing import Any

import engine
from state import Args, Fail, edit_state, exit_code, find_project, format_time, get_stack, require_passphrase, state_dir

DEFAULT_SCENARIOS = {
    "preview": "create-preview",
    "up": "create",
    "destroy": "destroy",
    "destroy-preview": "destroy",
    "refresh": "refresh",
    "refresh-preview": "refresh-preview",
}
HEADINGS = {
    "preview": "Previewing update",
    "up": "Updating",
    "destroy": "Destroying",
    "destroy-preview": "Previewing destroy",
    "refresh": "Refreshing",
    "refresh-preview": "Previewing refresh",
}
HISTORY_KIND = {"up": "update", "destroy": "destroy", "refresh": "refresh"}  # sdk/go/common/apitype/history.go
GONE_OPS = {"delete", "delete-replaced", "discard", "discard-replaced", "read-discard", "remove-pending-replace"}
COLOR_TAG = re.compile(r"<\{%[^%]*%\}>")


def operation_key(args: Args) -> str:
    command = args.positionals[0]
    preview_only = args.has("--preview-only")
    if command == "preview":
        return "preview"
    if command == "up":
        return "up"
    return f"{command}-preview" if preview_only else command


def lock_path(stack: str) -> Any:
    return state_dir() / "locks" / f"{stack.replace('/', '_')}.json"


def locked_message(stack: str, holder: dict[str, Any]) -> str:
    # pkg/backend/diy/lock.go checkForLock; automation/errors.py matches "the stack is currently locked by"
    return (
        "the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete "
        "the lock file with `pulumi cancel`.\n"
        f"  file://{lock_path(stack)}: created by {holder['user']}@{holder['host']} (pid {holder['pid']}) "
        f"at {holder['time']}"
    )


def check_lock(stack: str) -> None:
    path = lock_path(stack)
    holder = {"user": "someone", "host": "elsewhere", "pid": 4242, "time": "2026-01-01T00:00:00Z"}
    if not path.exists():
        return
    holder = json.loads(path.read_text(encoding="utf-8"))
    try:
        os.kill(holder["pid"], 0)
    except (ProcessLookupError, PermissionError):
        return  # a stale lock of a process that is gone: the fake ignores it (the real CLI would not)
    raise Fail(locked_message(stack, holder))


def take_lock(stack: str) -> None:
    path = lock_path(stack)
    path.parent.mkdir(exist_ok=True)
    holder = {
        "user": getpass.getuser(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "time": format_time(time.time()),
    }
    path.write_text(json.dumps(holder), encoding="utf-8")


def plain(text: str) -> str:
    return COLOR_TAG.sub("", text).rstrip("\n")


def progress_line(event: engine.Event) -> str | None:
    kind = engine.event_kind(event)
    payload = event[kind]
    if kind in ("resourcePreEvent", "resOutputsEvent", "resOpFailedEvent"):
        meta = payload["metadata"]
        name = meta["urn"].rsplit("::", 1)[-1]
        state = {"resourcePreEvent": "…", "resOutputsEvent": "done", "resOpFailedEvent": "**failed**"}[kind]
        return f"    {meta['op']:>18} {meta['type']} {name} {state}"
    if kind == "diagnosticEvent":
        return f"    {plain(payload.get('prefix', ''))}{plain(payload['message'])}"
    return None


def run_operation(args: Args) -> int:
    op = operation_key(args)
    is_preview = op.endswith("preview")
    project, _ = find_project()
    with edit_state() as state:
        stack_name, stack = get_stack(state, args.flag("--stack", "-s"))
        require_passphrase(stack)
        env_name = "FAKE_PULUMI_SCENARIO_" + op.upper().replace("-", "_")
        scenario = os.environ.get(env_name) or os.environ.get("FAKE_PULUMI_SCENARIO") or DEFAULT_SCENARIOS[op]
        if scenario == "locked":
            holder = {"user": "someone", "host": "elsewhere", "pid": 4242, "time": "2026-01-01T00:00:00.000Z"}
            raise Fail(locked_message(stack_name, holder))
        check_lock(stack_name)
        if not is_preview:
            take_lock(stack_name)
    try:
        return _replay(args, op, is_preview, project, stack_name, scenario)
    finally:
        if not is_preview:
            lock_path(stack_name).unlink(missing_ok=True)


def _replay(args: Args, op: str, is_preview: bool, project: str, stack_name: str, scenario: str) -> int:
    started = time.time()
    rewrite = json.loads(os.environ.get("FAKE_PULUMI_REWRITE") or "{}")
    events = engine.rewrite_events(
        engine.load_events(scenario),
        types=rewrite.get("types"),
        project=rewrite.get("project") or project,
        stack=rewrite.get("stack") or stack_name.rsplit("/", 1)[-1],
    )
    for event in events:
        if "summaryEvent" in event:
            event["summaryEvent"]["isPreview"] = is_preview
    canceled = False

    def on_sigint(signum: int, frame: Any) -> None:
        nonlocal canceled
        canceled = True

    signal.signal(signal.SIGINT, on_sigint)
    delay = float(os.environ.get("FAKE_PULUMI_EVENT_DELAY") or 0)
    stream = engine.paced(events, delay, lambda: canceled, is_preview)
    print(f"{HEADINGS[op]} ({stack_name}):", flush=True)
    sent: list[engine.Event] = []

    def shown() -> Any:
        for event, interrupted in stream:
            sent.append(event)
            line = progress_line(event)
            if line:
                print(line, flush=True)
            yield event, interrupted

    target = args.flag("--event-log")
    if target:
        interrupted = engine.deliver(target, shown())
    else:
        interrupted = True in [was_interrupted for _, was_interrupted in shown()]
    summary = engine.summary_of(sent) or {}
    failed = interrupted or summary.get("result") == "failed"
    changes = summary.get("resourceChanges") or {}
    print("Resources:")
    for change, count in sorted(changes.items()):
        print(f"    {count} {change}")
    print(f"Duration: {summary.get('durationSeconds', 1)}s", flush=True)
    if not is_preview:
        _record(args, op, stack_name, sent, "failed" if failed else "succeeded", changes, started)
    extra = os.environ.get("FAKE_PULUMI_STDERR")
    if extra:
        print(extra, file=sys.stderr)
    override = os.environ.get("FAKE_PULUMI_EXIT_CODE")
    if override:
        return int(override)
    if interrupted:
        return exit_code("canceled")
    # a failed deployment is a bail error: the engine already showed the diagnostics, nothing more on stderr
    return exit_code("error") if failed else 0


def _record(
    args: Args, op: str, stack_name: str, events: list[engine.Event], result: str, changes: dict, started: float
) -> None:
    with edit_state() as state:
        stack = state["stacks"][stack_name]
        resources = list(stack["resources"])
        for event in events:
            meta = event.get("resOutputsEvent", {}).get("metadata")
            if not meta or result == "failed":
                continue
            if meta["op"] in GONE_OPS:
                resources = [urn for urn in resources if urn != meta["urn"]]
            elif meta["urn"] not in resources:
                resources.append(meta["urn"])
        if result == "succeeded":
            if op == "destroy":
                resources, stack["outputs"], stack["secret_outputs"] = [], {}, []
            elif op == "up":
                given = os.environ.get("FAKE_PULUMI_OUTPUTS")
                stack["outputs"] = json.loads(given) if given else engine.stack_outputs_of(events)
                stack["secret_outputs"] = json.loads(os.environ.get("FAKE_PULUMI_SECRET_OUTPUTS") or "[]")
        stack["resources"] = resources
        stack["history"].append(
            {
                "version": len(stack["history"]) + 1,
                "kind": HISTORY_KIND[op],
                "startTime": format_time(started),
                "message": args.flag("--message", "-m") or "",
                "environment": {"exec.kind": args.flag("--exec-kind") or "cli"},
                "config": dict(stack["config"]),
                "result": result,
                "endTime": format_time(time.time()),
                "resourceChanges": changes,
            }
        )


def cancel(args: Args) -> int:
    """`pulumi cancel --yes [--stack S | -- S]` (pkg/cmd/pulumi/cancel/cancel.go)."""
    with edit_state() as state:
        name = args.flag("--stack", "-s") or (args.positionals[1] if len(args.positionals) > 1 else None)
        stack_name, stack = get_stack(state, name)
        running = lock_path(stack_name).exists()
        if os.environ.get("FAKE_PULUMI_BACKEND", "diy") == "cloud" and not running:
            if not stack["history"]:
                # pkg/backend/httpstate/backend.go CancelCurrentUpdate
                raise Fail(f"stack {stack_name} has never been updated")
            # The service's answer (apitype/errors.go formats "[%d] %s"); this message text is the one the
            # brief gave and could not be confirmed from the pulumi/pulumi sources (it is server-side).
            raise Fail("[409] Conflict: The Update has already completed")
    # The DIY backend's CancelCurrentUpdate just deletes the stack's lock files and succeeds even when there are
    # none (pkg/backend/diy/backend.go); the running process is not stopped.
    lock_path(stack_name).unlink(missing_ok=True)
    print(f"The currently running update for '{stack_name}' has been canceled!")
    return 0
