"""Put the fake `pulumi` (tests/fake_pulumi/pulumi) first on PATH for a test, so real pulumi.automation drives it.

    fake = install_fake_pulumi(monkeypatch, tmp_path, scenario="create-failed")
    work_dir = fake.project("shop")                      # a folder with a Pulumi.yaml
    stack = auto.create_or_select_stack("dev", work_dir=str(work_dir), opts=...)
    ...
    fake.calls()   # every argv the SDK ran, in order        fake.state()  # stacks, config as given, history

Environment the fake reads (all set through monkeypatch, so they end with the test):

- FAKE_PULUMI_STATE: folder of the fake's state (`state.json`, `calls.jsonl`, `locks/`); `tmp_path/fake-pulumi`.
- FAKE_PULUMI_VERSION: what `pulumi version` prints (default v3.200.0). Above 3.205.0 the SDK streams engine
  events over gRPC instead of a file; from 3.226.0 exit codes follow the CLI's taxonomy instead of 255.
- FAKE_PULUMI_SCENARIO / FAKE_PULUMI_SCENARIO_<OP>: the event stream to replay (a name in
  tests/data/pulumi/events or a `.jsonl` path; `locked` for a locked stack); OP is PREVIEW, UP, DESTROY,
  DESTROY_PREVIEW, REFRESH or REFRESH_PREVIEW.
- FAKE_PULUMI_REWRITE: JSON `{"types": {old: new}, "project": ..., "stack": ...}` applied to the stream.
- FAKE_PULUMI_OUTPUTS (JSON object) and FAKE_PULUMI_SECRET_OUTPUTS (JSON list of names): outputs after `up`.
- FAKE_PULUMI_EVENT_DELAY: seconds between events (to interrupt an operation with SIGINT).
- FAKE_PULUMI_EXIT_CODE / FAKE_PULUMI_STDERR: override an operation's exit status / add stderr text.
- FAKE_PULUMI_BACKEND: `diy` (default) or `cloud`, for `pulumi cancel` and the default secrets provider.
- FAKE_PULUMI_USER: what `pulumi whoami` prints.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

FAKE_DIR = Path(__file__).resolve().parent / "fake_pulumi"
KNOBS = {
    "scenario": "FAKE_PULUMI_SCENARIO",
    "version": "FAKE_PULUMI_VERSION",
    "outputs": "FAKE_PULUMI_OUTPUTS",
    "secret_outputs": "FAKE_PULUMI_SECRET_OUTPUTS",
    "rewrite": "FAKE_PULUMI_REWRITE",
    "event_delay": "FAKE_PULUMI_EVENT_DELAY",
    "exit_code": "FAKE_PULUMI_EXIT_CODE",
    "stderr": "FAKE_PULUMI_STDERR",
    "backend": "FAKE_PULUMI_BACKEND",
    "user": "FAKE_PULUMI_USER",
    "resource_outputs": "FAKE_PULUMI_RESOURCE_OUTPUTS",
}


@dataclass
class FakePulumi:
    """The installed fake: where its state and calls log are, and how to change its behaviour mid-test."""

    monkeypatch: pytest.MonkeyPatch
    tmp_path: Path
    state_dir: Path

    @property
    def calls_log(self) -> Path:
        """JSON lines, one per invocation: {"argv": [...], "cwd": ..., "env": [PULUMI_* names], "pid": ...}."""
        return self.state_dir / "calls.jsonl"

    @property
    def state_file(self) -> Path:
        return self.state_dir / "state.json"

    def calls(self) -> list[dict[str, Any]]:
        if not self.calls_log.exists():
            return []
        return [json.loads(line) for line in self.calls_log.read_text(encoding="utf-8").splitlines() if line]

    def argvs(self) -> list[list[str]]:
        return [call["argv"] for call in self.calls()]

    def state(self) -> dict[str, Any]:
        if not self.state_file.exists():
            return {"stacks": {}, "current": None}
        return json.loads(self.state_file.read_text(encoding="utf-8"))

    def configure(self, **knobs: Any) -> None:
        """Set fake behaviour by knob name (see KNOBS); None unsets, lists and dicts are passed as JSON."""
        for name, value in knobs.items():
            var = KNOBS.get(name) or f"FAKE_PULUMI_SCENARIO_{name.removeprefix('scenario_').upper()}"
            if value is None:
                self.monkeypatch.delenv(var, raising=False)
            else:
                self.monkeypatch.setenv(var, json.dumps(value) if isinstance(value, (dict, list)) else str(value))

    def project(self, name: str = "shop", folder: str = "project") -> Path:
        """A work dir holding a minimal Pulumi.yaml for project `name`."""
        path = self.tmp_path / folder
        path.mkdir(parents=True, exist_ok=True)
        (path / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\n", encoding="utf-8")
        return path


def install_fake_pulumi(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, scenario: str | None = None, **knobs: Any
) -> FakePulumi:
    """Prepend the fake's folder (and this Python's, so `#!/usr/bin/env python3` finds grpc) to PATH.

    `scenario` and the other keyword knobs (version=, outputs=, secret_outputs=, rewrite=, event_delay=,
    exit_code=, stderr=, backend=, user=, scenario_up=, scenario_preview=, ...) set FAKE_PULUMI_* variables.
    """
    for var in [v for v in os.environ if v.startswith("FAKE_PULUMI_")]:
        monkeypatch.delenv(var)
    monkeypatch.delenv("PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK", raising=False)
    path = os.pathsep.join([str(FAKE_DIR), str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    monkeypatch.setenv("PATH", path)
    state_dir = tmp_path / "fake-pulumi"
    state_dir.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("FAKE_PULUMI_STATE", str(state_dir))
    fake = FakePulumi(monkeypatch, tmp_path, state_dir)
    fake.configure(scenario=scenario, **knobs)
    return fake


@pytest.fixture
def fake_pulumi(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> FakePulumi:
    """The fake with default behaviour (import this fixture, or call install_fake_pulumi yourself)."""
    return install_fake_pulumi(monkeypatch, tmp_path)
