"""(placeholder: commands are added by the feature's issue)"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this feature's commands to ``app``."""
