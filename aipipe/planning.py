"""`aipipe render` and `aipipe plan` as library calls: validate, render, and run the program under mocks."""

from __future__ import annotations

import signal
import tempfile
from contextlib import contextmanager
from pathlib import Path

from aipipe.spec import Spec

PLAN_TIMEOUT_SECONDS = 300


class PlanError(Exception):
    """The program could not be rendered or did not run under mocks (a bug in aipipe, not in the spec)."""


def default_output_dir(spec: Spec) -> Path:
    """Where `render` writes by default: `.aipipe/<stack>/program` beside the spec (where `up` deploys from)."""
    return spec.base_dir / ".aipipe" / spec.stack / "program"


def render_to(spec: Spec, output_dir: Path, home: Path | None = None, endpoint: str | None = None) -> list[Path]:
    """Write the Pulumi project for `spec` into `output_dir`; returns the files written. `home` is the
    folder the program is meant to run from (code paths are relative to it), default `output_dir`."""
    from aipipe.render import RenderError, render_program

    output_dir.mkdir(parents=True, exist_ok=True)
    try:
        files = render_program(spec, home or output_dir, endpoint=endpoint)
    except RenderError as error:
        raise PlanError(str(error)) from error
    written = []
    for name, text in files.items():
        path = output_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def plan_spec(spec: Spec):
    """Render `spec` into a temporary project and run it offline; returns aipipe.plan.Plan."""
    from aipipe.plan import run_program
    from aipipe.render import provider_config

    with tempfile.TemporaryDirectory(prefix="aipipe-plan-") as folder:
        program = Path(folder) / "program"
        # the very program `render` writes by default (code paths relative to .aipipe/<stack>/program);
        # under mocks the code archives are not read, so it runs from the temporary folder as it is
        render_to(spec, program, home=default_output_dir(spec))
        with _watchdog(PLAN_TIMEOUT_SECONDS):
            try:
                return run_program(program, spec.header.name, spec.stack, provider_config(spec),
                                   spec.header.secrets)
            except _Timeout:
                raise PlanError(f"the program did not finish within {PLAN_TIMEOUT_SECONDS}s under mocks (a "
                                "dependency cycle between cloud resources?)") from None
            except Exception as error:  # the SDK raises many kinds; all mean the program is wrong
                raise PlanError(f"the rendered program failed under mocks: {type(error).__name__}: {error}") \
                    from error


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
