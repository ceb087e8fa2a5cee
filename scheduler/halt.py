"""A process-wide stop request: Ctrl-C (SIGINT) or SIGTERM asks the search to stop.

The CLI installs :func:`request` as the handler of both signals before anything heavy is imported;
the solver polls :data:`HALT` and returns its best plan so far, which the CLI checks and writes
with status ``stopped`` and exit code 128 + signal number (130 for SIGINT, 143 for SIGTERM).
"""

from __future__ import annotations

import signal
import threading

HALT = threading.Event()
_signum: list[int] = []  # the first signal received


def request(signum: int, frame: object = None) -> None:
    """Signal handler: remember the signal and set :data:`HALT` (never raises)."""
    if not _signum:
        _signum.append(signum)
    HALT.set()


def install() -> None:
    """Route SIGINT and SIGTERM to :func:`request` (main thread only)."""
    signal.signal(signal.SIGINT, request)
    signal.signal(signal.SIGTERM, request)


def exit_code() -> int:
    """128 + the signal number, as a shell reports a process ended by that signal."""
    return 128 + (_signum[0] if _signum else signal.SIGINT)
