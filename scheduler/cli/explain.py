"""``atbt explain``: why no plan exists, and the smallest relaxation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scheduler.cli.common import (
    LangOpt,
    err,
    load_input,
    parse_lang,
    print_explanation,
    reject_unreachable,
)


def register(app: typer.Typer) -> None:
    app.command()(explain)


def explain(
    instance: Annotated[Path, typer.Argument(help="Instance file (YAML)")],
    time_limit: Annotated[float, typer.Option("--time-limit", min=1)] = 30.0,
    plan: Annotated[Path | None, typer.Option(
        "--plan", help="The current plan.csv: the plans that verify a fix start from it")
    ] = None,
    lang: LangOpt = "sv",
) -> None:
    """Why no plan exists: the conflicting requirements and the smallest relaxation."""
    from scheduler.plan import PlanFormatError, read_plan_csv

    lg = parse_lang(lang)
    inst, _ = load_input(instance)  # invalid input (exit 2) names its cause itself
    reject_unreachable(inst, instance, lg)
    previous = None
    if plan is not None:
        try:
            previous = read_plan_csv(plan)
        except (PlanFormatError, UnicodeDecodeError, OSError) as exc:
            err.print(f"{plan}: {exc}", markup=False)
            raise typer.Exit(2) from None
    raise typer.Exit(print_explanation(inst, lg, time_limit, previous=previous))
