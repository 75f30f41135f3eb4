"""The console-script entry point: `validate`'s plain forms without Typer (cli/validating), everything else
through the Typer app; Ctrl-C is exit code 130 and an unexpected exception a one-line report, never a traceback
(whose locals could hold secrets)."""

from __future__ import annotations

import os
import sys


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

    app(argv)
