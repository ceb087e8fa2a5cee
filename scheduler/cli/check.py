"""``atbt check``: verify a plan against every rule and recompute the objective."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scheduler import verify
from scheduler.cli.common import LangOpt, err, load_input, parse_lang, parse_today, with_fairness
from scheduler.i18n import tr
from scheduler.plan import PlanFormatError


def register(app: typer.Typer) -> None:
    app.command()(check)


def check(
    instance: Annotated[Path, typer.Argument(help="Instance file (YAML)")],
    plan: Annotated[Path, typer.Argument(help="plan.csv (, or ;) or plan.xlsx to verify")],
    today: Annotated[str | None, typer.Option(
        "--today", help="Weeks before this date are history (YYYY-MM-DD); default: run.json "
        "beside the plan, else the instance's today")] = None,
    lang: LangOpt = "sv",
    fairness: Annotated[str | None, typer.Option(
        "--fairness", help="The fairness mode the objective is recomputed with (default: "
        "run.json beside the plan, else the instance's)")] = None,
) -> None:
    """Verify a plan against every rule and recompute each objective term."""
    from scheduler.plan_readers import read_plan
    from scheduler.report.fairness import mode_of_run

    lg = parse_lang(lang)
    inst, _ = load_input(instance)
    inst = with_fairness(inst, fairness or mode_of_run(plan.parent), lg)
    day = parse_today(today, plan.parent, inst)
    try:
        stints = read_plan(plan)
    except PlanFormatError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(2) from None
    # History (weeks before today) is checked only for what history can break: as re-planning
    # checks it, with the plan as its own past.
    history = verify.History(stints, day) if day is not None else None
    violations = verify.check(inst, stints, lang=lg, history=history)
    for v in violations:
        typer.echo(v.message)
    terms = verify.evaluate(inst, stints)
    # A violating plan has no objective to compare with a proven bound.
    obj = tr("cli.no_objective", lg) if violations else verify.objective(inst, terms)
    typer.echo("  ".join(f"{k}={v}" for k, v in terms.items()) + f"  objective={obj}")
    from scheduler.report.fairness import wanted

    if wanted(inst):  # recomputed by the checker: costs per trainee, wishes granted
        f = verify.fairness(inst, stints)
        granted = "  ".join(f"p{p}={g['granted']}/{g['of']}"
                            for p, g in f["wishes_granted"].items() if g["of"])
        typer.echo(f"worst={f['worst']}  median={f['median']:g}  best={f['best']}  "
                   f"gini={f['gini']}" + (f"  wishes {granted}" if granted else ""))
    if violations:
        err.print(tr("cli.violations", lg, n=len(violations)), markup=False)
        raise typer.Exit(1)
    err.print(tr("cli.clean", lg), markup=False)

