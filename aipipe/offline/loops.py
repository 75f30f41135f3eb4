"""The asyncio event loops a run under Pulumi's mocks leaves behind, closed before the interpreter exits.

pulumi's MockMonitor calls `_ensure_event_loop()` in every thread that registers a resource or runs an invoke
(pulumi/runtime/mocks.py: "Ensure we have an event loop on this thread because it's needed when deserializing
resource references"); those are the default executor's worker threads, and nothing ever closes their loops.
At interpreter exit such a loop was collected after its self-pipe socket had been closed, and
`BaseEventLoop.__del__` printed `ValueError: Invalid file descriptor: -1` on stderr ("Exception ignored in"),
after `plan --json` had printed its JSON (about 1 run in 15). Each loop is kept alive here and closed at exit,
while its sockets are still open, so none is left for the garbage collector to close."""

from __future__ import annotations

import asyncio
import atexit
import threading

_LOOPS: list[asyncio.AbstractEventLoop] = []
_GUARD = threading.Lock()


def remember_current_loop() -> None:
    """Keep this thread's event loop (if it has one) to be closed at exit."""
    try:
        loop = asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        return
    with _GUARD:
        if not _LOOPS:
            atexit.register(close_loops)
        if all(known is not loop for known in _LOOPS):
            _LOOPS.append(loop)


def close_loops() -> None:
    """Close every remembered loop that is not running (runs at exit; harmless to call twice)."""
    with _GUARD:
        for loop in _LOOPS:
            if not loop.is_running() and not loop.is_closed():
                loop.close()
