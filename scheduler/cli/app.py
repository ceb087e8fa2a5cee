"""The ``atbt`` command: read, call the public API, write, print a summary.

One module per command (or family of commands) in this package, each with ``register(app)``;
what they share is in :mod:`scheduler.cli.common`, which imports none of them.

Exit codes: 0 plan written (or plan valid), 1 the checked plan has violations, 2 invalid input,
3 proven infeasible, 4 no plan found within the time limit, 5 internal error (a plan failed
verification, or an unexpected exception; nothing was written), 130 / 143 stopped by Ctrl-C /
SIGTERM (the best checked plan so far is written with status "stopped", if there is one).
"""

from __future__ import annotations

import itertools
import os
import sys

import typer
from rich.console import Console

from scheduler.cli import (
    calendar,
    check,
    explain,
    generate,
    mss,
    replan,
    schema,
    solve,
    whatif,
    workbook,
)
from scheduler.i18n import tr

PARTS = (solve, check, schema, workbook, calendar, whatif, explain, replan, mss, generate)

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Placement scheduling for AT/BT doctors in training (OR-Tools CP-SAT).")
for part in PARTS:  # in the order of ``atbt --help``
    part.register(app)


def main() -> None:
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:  # no handler installed (a library caller's main): no traceback
        sys.exit(130)
    except Exception as exc:  # a bug, not bad input: short message unless debugging
        if os.environ.get("ATBT_DEBUG"):
            raise
        args = sys.argv[1:]
        en = "--lang=en" in args or any(
            a == "--lang" and b == "en" for a, b in itertools.pairwise(args))
        Console(stderr=True, highlight=False, soft_wrap=True).print(
            tr("cli.internal", "en" if en else "sv", error=exc), markup=False)
        sys.exit(5)  # not 1: that code means "the checked plan has violations"
