"""Shared pieces of the fake `pulumi`: argv parsing, the JSON state file, the calls log, errors and exit codes.

State lives in the folder named by FAKE_PULUMI_STATE so that the separate processes the SDK starts share it:
`state.json` (stacks, their config as given, outputs, resources, history), `calls.jsonl` (one line per
invocation: argv, cwd and the names of the PULUMI_* variables it saw) and `locks/<stack>.json` while an
update runs (as the DIY backend's lock files, pkg/backend/diy/lock.go).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DEFAULT_VERSION = "v3.200.0"

# Flags that take a value, whatever the command (pulumi's cobra definitions; the SDK passes all of these
# as "--flag value" pairs, see pulumi/automation/_stack.py `_parse_extra_args`).
VALUE_FLAGS = {
    "--stack", "-s", "--cwd", "-C", "--event-log", "--exec-kind", "--client", "--secrets-provider", "--message",
    "-m", "--target", "--exclude", "--replace", "--policy-pack", "--policy-pack-config", "--parallel", "-p",
    "--color", "--verbose", "-v", "--tracing", "--tracing-header", "--config-file", "--page-size", "--page",
    "--plan", "--save-plan", "--import-file", "--file", "--copy-config-from", "--otel-traces", "--profiling",
    "--memprofilerate", "--remote-git-branch", "--remote-git-commit", "--remote-git-repo-dir",
}  # fmt: skip
# `config set-all --plaintext k=v --secret k=v --json '{...}'`: there these flags carry values.
SET_ALL_VALUE_FLAGS = {"--plaintext", "--secret", "--json"}


class Fail(Exception):
    """A CLI error: printed as `error: <message>` on stderr, exiting with the code for `kind`."""

    def __init__(self, message: str, kind: str = "error") -> None:
        super().__init__(message)
        self.kind = kind


class Args:
    """argv split into positionals (command words first) and flags (each flag's values, in order)."""

    def __init__(self, argv: list[str]) -> None:
        self.positionals: list[str] = []
        self.flags: dict[str, list[str]] = {}
        index = 0
        while index < len(argv):
            token = argv[index]
            index += 1
            if token == "--":
                self.positionals.extend(argv[index:])
                break
            if not token.startswith("-") or token == "-":
                self.positionals.append(token)
                continue
            name, eq, value = token.partition("=")
            takes_value = name in VALUE_FLAGS or (
                self.positionals[:2] == ["config", "set-all"] and name in SET_ALL_VALUE_FLAGS
            )
            if not eq:
                if takes_value and index < len(argv):
                    value, index = argv[index], index + 1
                else:
                    value = "true"
            self.flags.setdefault(name, []).append(value)

    def flag(self, *names: str) -> str | None:
        for name in names:
            if name in self.flags:
                return self.flags[name][-1]
        return None

    def has(self, *names: str) -> bool:
        return any(self.flags.get(name, ["false"])[-1] != "false" for name in names)


def cli_version() -> str:
    return os.environ.get("FAKE_PULUMI_VERSION", DEFAULT_VERSION)


def version_tuple() -> tuple[int, ...]:
    numbers = re.findall(r"\d+", cli_version().lstrip("v").split("-")[0])
    return tuple(int(n) for n in numbers[:3]) or (0,)


def exit_code(kind: str) -> int:
    """The exit status of a failed command, as the CLI version being imitated would give it.

    Until v3.225 every error ended in `os.Exit(-1)`, i.e. 255 (pkg/cmd/pulumi/main.go before pulumi commit
    b0a5846488, "Tighten CLI error typing for exit code mapping", first released in v3.226.0). Since then
    main.go exits with `cmd.ExitCodeFor(err)` (pkg/cmd/pulumi/cmd/exit_codes.go): 6 for StackNotFoundError,
    8 for CancelledError (context.Canceled in operations/up.go etc.), 1 for anything else, including the bail
    error a failed deployment returns (pkg/resource/deploy/deployment_executor.go).
    """
    if version_tuple() < (3, 226, 0):
        return 255
    return {"not_found": 6, "canceled": 8}.get(kind, 1)


def state_dir() -> Path:
    value = os.environ.get("FAKE_PULUMI_STATE")
    if not value:
        raise Fail("fake pulumi: FAKE_PULUMI_STATE is not set (a folder for the fake's state)")
    path = Path(value)
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_call(argv: list[str]) -> None:
    """Append this invocation to calls.jsonl: argv exactly as received, cwd, and PULUMI_* variable names only."""
    if not os.environ.get("FAKE_PULUMI_STATE"):
        return
    entry = {
        "argv": argv,
        "cwd": os.getcwd(),
        "env": sorted(name for name in os.environ if name.startswith("PULUMI_")),
        "pid": os.getpid(),
    }
    with open(state_dir() / "calls.jsonl", "a", encoding="utf-8") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        file.write(json.dumps(entry) + "\n")


def _read(path: Path) -> dict[str, Any]:
    if not path.exists() or not path.read_text(encoding="utf-8").strip():
        return {"stacks": {}, "current": None}
    return json.loads(path.read_text(encoding="utf-8"))


def load_state() -> dict[str, Any]:
    return _read(state_dir() / "state.json")


@contextlib.contextmanager
def edit_state() -> Iterator[dict[str, Any]]:
    """The state, locked against the other fake processes, saved back when the block ends without error."""
    folder = state_dir()
    with open(folder / ".state.lock", "a", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = _read(folder / "state.json")
        yield state
        tmp = folder / "state.json.tmp"
        tmp.write_text(json.dumps(state, indent=2), encoding="utf-8")
        tmp.replace(folder / "state.json")


def new_stack(secrets_provider: str | None) -> dict[str, Any]:
    return {
        "secrets_provider": secrets_provider,
        "config": {},
        "tags": {},
        "outputs": {},
        "secret_outputs": [],
        "resources": [],
        "history": [],
    }


def write_local_checkpoint(project: str, name: str) -> None:
    """With a file:// backend, creating a stack writes its checkpoint where the CLI does:
    <root>/.pulumi/stacks/<project>/<stack>.json (pkg/backend/diy/backend.go CreateStack -> saveStack;
    store.go StacksDir, project-scoped layout)."""
    url = os.environ.get("PULUMI_BACKEND_URL", "")
    if url.startswith("file://"):
        path = Path(url.removeprefix("file://")).expanduser() / ".pulumi" / "stacks" / project / f"{name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"version": 3, "checkpoint": {"stack": name, "latest": None}}), encoding="utf-8")


def find_project() -> tuple[str, Path]:
    """The project name and folder, looking for Pulumi.yaml/.yml/.json upwards from cwd as the CLI does."""
    start = Path.cwd()
    for folder in (start, *start.parents):
        for ext in ("yaml", "yml", "json"):
            path = folder / f"Pulumi.{ext}"
            if path.is_file():
                text = path.read_text(encoding="utf-8")
                if ext == "json":
                    return str(json.loads(text).get("name", "")), folder
                match = re.search(r"^name:\s*[\"']?([^\"'\s#]+)", text, re.MULTILINE)
                return (match.group(1) if match else ""), folder
    # pkg/workspace/workspace.go (and sdk/go/common/workspace/paths.go)
    raise Fail(
        f"no Pulumi.yaml project file found (searching upwards from {start}). If you have not "
        "created a project yet, use `pulumi new` to do so"
    )


def require_passphrase(stack: dict[str, Any]) -> None:
    """A passphrase stack needs the passphrase from the environment in non-interactive runs."""
    provider = stack.get("secrets_provider")
    if provider is None and os.environ.get("FAKE_PULUMI_BACKEND", "diy") == "diy":
        provider = "passphrase"  # pkg/backend/diy/backend.go DefaultSecretManager: "passphrase-based"
    if provider != "passphrase":
        return
    if os.environ.get("PULUMI_CONFIG_PASSPHRASE") is None and not os.environ.get("PULUMI_CONFIG_PASSPHRASE_FILE"):
        # pkg/secrets/passphrase/manager.go (the CLI may wrap it in context such as "getting stack configuration: ")
        raise Fail(
            "passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE "
            "environment variables"
        )


def get_stack(state: dict[str, Any], name: str | None) -> tuple[str, dict[str, Any]]:
    name = name or state.get("current")
    if not name:
        # pkg/backend/backenderr/backenderr.go NoStackSelectedError; exit code 6 like StackNotFoundError
        raise Fail("no stack selected; please use `pulumi stack select` to choose one", "not_found")
    if name not in state["stacks"]:
        # pkg/backend/backenderr/backenderr.go StackNotFoundError; matched by automation/errors.py not_found_regex
        raise Fail(f"no stack named '{name}' found", "not_found")
    return name, state["stacks"][name]


def format_time(seconds: float) -> str:
    """pkg/cmd/pulumi/cmd/time.go `timeFormat` "2006-01-02T15:04:05.000Z07:00", in UTC."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{int(seconds % 1 * 1000):03d}Z"


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, indent=4) + "\n")
