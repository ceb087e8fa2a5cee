"""Sub-commands of ``atbt`` beyond solve/check/schema, one module per feature.

Each module defines ``register(app)`` and adds its commands (or a typer sub-app) to the main
``atbt`` app. Modules may import the shared CLI helpers from :mod:`scheduler.cli` (``err``,
``_lang``, ``_load``, ``_check_out``, ``LangOpt``): ``cli`` registers the commands after
defining them.
"""

from __future__ import annotations

import importlib

import typer

# Order = order in ``atbt --help``.
MODULES = ("workbook", "calendar", "whatif", "replan", "mss", "generate")


def register_all(app: typer.Typer) -> None:
    for name in MODULES:
        importlib.import_module(f"scheduler.cli.{name}").register(app)
