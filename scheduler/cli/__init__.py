"""The ``atbt`` command line (see :mod:`scheduler.cli.common` for the exit codes)."""

from scheduler.cli.common import app, main

__all__ = ["app", "main"]
