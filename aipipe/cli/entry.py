"""The console-script entry point: `validate`'s plain forms without Typer (cli/validating), everything else
through the Typer app; Ctrl-C is exit code 130 and an unexpected exception a one-line report, never a traceback
(whose locals could hold secrets). While a Typer command runs, SIGTERM and SIGHUP (a `kill`, a closed terminal)
end aipipe as Ctrl-C does, through its `finally` blocks, so local runs stop their handler processes and emulators;
the exit code is 128 + the signal's number, as a shell reports a process killed by it."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


def main() -> None:
    """Run aipipe with the process's arguments."""
    # pydantic looks for plugins by reading the entry points of every installed distribution when it builds its
    # first model (about 0.04 ms a distribution: 5 ms here, more in a data-science environment); aipipe's own
    # models have no use for them. PYDANTIC_DISABLE_PLUGINS is pydantic's documented switch; a value the user
    # set is kept.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        _dispatch(sys.argv[1:])
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except Exception as error:
        if os.environ.get("AIPIPE_DEBUG"):
            raise
        sys.stderr.write(
            f"internal error: {type(error).__name__}: {error}\nThis is a bug in aipipe; rerun with "
            "AIPIPE_DEBUG=1 for the traceback and please report it.\n"
        )
        sys.exit(1)


def _dispatch(argv: list[str]) -> None:
    from aipipe.cli.validating import quick_validate

    code = quick_validate(argv)
    if code is not None:
        sys.exit(code)
    from aipipe.cli.app import app

    with _ending_cleanly():
        app(argv)


class _Ended(SystemExit):
    """SIGTERM or SIGHUP while a command ran (a SystemExit: neither click nor `except Exception` swallows it)."""


@contextlib.contextmanager
def _ending_cleanly() -> Iterator[None]:
    """SIGTERM and SIGHUP raise _Ended (once: a second signal while cleaning up is ignored) for the block."""
    import signal

    def end(number: int, _frame: object) -> None:
        for name in ("SIGTERM", "SIGHUP"):
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), signal.SIG_IGN)
        raise _Ended(128 + number)

    previous = {}
    for name in ("SIGTERM", "SIGHUP"):  # SIGHUP does not exist on Windows
        if hasattr(signal, name):
            number = getattr(signal, name)
            previous[number] = signal.signal(number, end)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
