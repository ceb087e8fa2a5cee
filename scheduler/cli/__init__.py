"""The ``atbt`` command line: ``scheduler.cli.app`` is the typer app, ``main`` its console
entry (see :mod:`scheduler.cli.app` for the layout and the exit codes).

``app`` here is the typer object, not the module of the same name: this ``__init__`` runs
before any module of the package, so the name is bound to the object once and for all.
"""

from scheduler.cli.app import app, main

__all__ = ["app", "main"]
