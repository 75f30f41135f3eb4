"""`aipipe plan` as a library call: render a spec into a temporary project and run it offline under mocks."""

from __future__ import annotations

import signal
import tempfile
from contextlib import contextmanager
from pathlib import Path

from aipipe.codegen.project import default_program_dir, provider_config, write_project
from aipipe.codegen.safe import RenderError
from aipipe.spec.document import Spec

PLAN_TIMEOUT_SECONDS = 300


class PlanError(Exception):
    """The program could not be rendered or did not run under mocks (a bug in aipipe, not in the spec)."""


def plan_spec(spec: Spec, artifacts: dict | None = None):
    """Render `spec` into a temporary project and run it offline; returns aipipe.offline.mocks.Plan. The
    functions ship `artifacts` (aipipe.build), built here when not given."""
    from aipipe.offline.mocks import run_program

    with tempfile.TemporaryDirectory(prefix="aipipe-plan-") as folder:
        program = Path(folder) / "program"
        # the very program `render` writes by default (code paths relative to .aipipe/<stack>/program);
        # under mocks the code archives are not read, so it runs from the temporary folder as it is
        try:
            write_project(spec, program, home=default_program_dir(spec), artifacts=artifacts)
        except RenderError as error:
            raise PlanError(str(error)) from error
        with _watchdog(PLAN_TIMEOUT_SECONDS):
            try:
                return run_program(program, spec.header.name, spec.stack, provider_config(spec), spec.header.secrets)
            except _Timeout:
                raise PlanError(
                    f"the program did not finish within {PLAN_TIMEOUT_SECONDS}s under mocks (a "
                    "dependency cycle between cloud resources?)"
                ) from None
            except Exception as error:  # the SDK raises many kinds; all mean the program is wrong
                raise PlanError(f"the rendered program failed under mocks: {type(error).__name__}: {error}") from error


class _Timeout(Exception):
    pass


@contextmanager
def _watchdog(seconds: int):
    """Interrupt a run that hangs (an Output waiting on itself never resolves). Main thread only."""

    def expire(signum, frame):
        raise _Timeout

    try:
        previous = signal.signal(signal.SIGALRM, expire)
    except ValueError:  # not the main thread: no alarm available, run unguarded
        yield
        return
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
