"""One warm handler process (aipipe/local/shim.py) as LocalHandlers drives it: requests and answers on two pipes,
its output in a log file of its own.

- The process runs in a session (and process group) of its own, and stopping it kills the whole group: what a
  handler started (`subprocess.Popen(["sleep", "300"])`) ends with it, on close, on a timeout and after a crash.
- Its stdout and stderr go to an anonymous temporary file (removed by the system when the last descriptor closes,
  even if aipipe is killed), one per process, so two runs of the same spec never mix their logs. The interpreter
  runs unbuffered (`-u`; `-I` ignores PYTHONUNBUFFERED), so what a handler printed before a timeout or an
  `os._exit` is in the file.
- Pipes are watched with select(), which Linux and macOS offer for pipes (Windows does not)."""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import tempfile
import time
from pathlib import Path


class Worker:
    """A handler process started with `command` (which gets the two pipes' descriptors and `paths` appended)."""

    def __init__(self, command: list[str], paths: list[str], env: dict[str, str], cwd: Path, label: str):
        self._log = tempfile.TemporaryFile(prefix=f"aipipe-{label}-", suffix=".log")  # noqa: SIM115 (process's life)
        requests_read, requests_write = os.pipe()
        answers_read, answers_write = os.pipe()
        try:
            self.process = subprocess.Popen(
                [*command, str(requests_read), str(answers_write), *paths],
                env=env,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=self._log,
                pass_fds=(requests_read, answers_write),
                start_new_session=True,  # its own process group: stop() ends what the handler started too
            )
        finally:
            os.close(requests_read)
            os.close(answers_write)
        self._requests = os.fdopen(requests_write, "w", encoding="utf-8")
        self._answers = answers_read
        self._buffer = b""

    def alive(self) -> bool:
        return self.process.poll() is None

    def exit_code(self) -> int | None:
        return self.process.poll()

    def call(self, request: dict, timeout: float) -> dict | None:
        """Send one request; its answer, or None when the process ended or `timeout` passed first."""
        try:
            self._requests.write(json.dumps(request) + "\n")
            self._requests.flush()
        except (BrokenPipeError, OSError):
            return None
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._answers], [], [], remaining)[0]:
                return None
            chunk = os.read(self._answers, 1 << 16)
            if not chunk:
                self.process.wait()
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return json.loads(line)

    def log_size(self) -> int:
        return os.fstat(self._log.fileno()).st_size

    def logs_since(self, offset: int) -> str:
        """What the process wrote from `offset` on (pread: the file position it shares with the process stays)."""
        size = self.log_size()
        return os.pread(self._log.fileno(), max(0, size - offset), offset).decode("utf-8", "replace")

    def stop(self) -> None:
        """Kill the process and its group (a group outlives its leader while any member runs; Linux does not reuse
        the leader's number as a process ID meanwhile), then release the pipes and the log."""
        with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is gone already
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._requests.close()
        os.close(self._answers)
        self._log.close()
