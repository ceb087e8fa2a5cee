"""``atbt replan``: re-plan from a date with the least change."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scheduler.cli.common import (
    LangOpt,
    SeedOpt,
    TimeLimitOpt,
    WorkersOpt,
    check_out,
    err,
    load_input,
    lock_out,
    parse_lang,
    print_explanation,
)
from scheduler.i18n import Lang, tr
from scheduler.inputs.changes import Changes, load_changes
from scheduler.inputs.yaml_io import InputError
from scheduler.plan import PlanFormatError, read_plan_csv
from scheduler.result import Status

if TYPE_CHECKING:
    from scheduler.replanning import Replanned

def replan(
    context: typer.Context,
    instance: Annotated[Path, typer.Argument(help="Instance file (YAML)")],
    old_plan: Annotated[Path, typer.Argument(help="The current plan.csv")],
    today: Annotated[str, typer.Option(
        "--today", help="Re-plan from this date (YYYY-MM-DD); earlier weeks are history")],
    change: Annotated[list[Path] | None, typer.Option(
        "--change", help="Change file (YAML): leave, part_time, capacity, leaving, "
        "joining; may be repeated")] = None,
    out: Annotated[Path, typer.Option("--out", help="Output folder")] = Path("replan"),
    time_limit: TimeLimitOpt = 60.0,
    workers: WorkersOpt = 2,
    seed: SeedOpt = 0,
    as_json: Annotated[
        bool, typer.Option("--json", help="Result summary as JSON on stdout")] = False,
    lang: LangOpt = "sv",
) -> None:
    """Re-plan from --today with the least change; write the new plan and changes.xlsx."""
    from scheduler import api
    from scheduler.replanning import replan_and_verify, write_replan_outputs
    from scheduler.result import EXIT_CODES

    lg = parse_lang(lang)
    inst, digest = load_input(instance)
    day, old, changes = _read_inputs(today, old_plan, change or [], lg)
    check_out(out, (instance, old_plan, *(change or [])), lg)
    lock_out(context, out, lg)  # one run per folder; an unusable --out before solving
    try:
        rp = replan_and_verify(inst, old, day, changes, time_limit=time_limit,
                               workers=workers, seed=seed, lang=lg)
    except InputError as exc:
        err.print(exc.render(), markup=False)
        raise typer.Exit(2) from None
    except api.VerificationError as exc:
        err.print(tr("cli.verify_failed", lg), markup=False)
        for v in exc.violations[:20]:
            err.print(f"  {v.message}", markup=False)
        raise typer.Exit(5) from None
    r = rp.result
    if r.status.has_plan:
        from scheduler.year import compact

        r.input_hash = digest
        # The whole new state beside the plan: the changes applied, and today.
        state = compact(inst, rp.instance, rp.today)
        suffix = ".xlsx" if instance.suffix.lower() == ".xlsx" else ".yaml"
        try:
            write_replan_outputs(rp, out, lang=lg,
                                 inputs=(instance, old_plan, *(change or [])),
                                 state=state, state_suffix=suffix)
        except (FileExistsError, OSError) as exc:
            err.print(tr("cli.out_failed", lg, out=out, error=exc), markup=False)
            raise typer.Exit(2) from None
    _print_summary(rp, out, as_json, lg)
    if r.status == Status.INFEASIBLE:
        err.print(tr("cli_replan.replan_infeasible", lg), markup=False)
        if rp.model_instance is not None:
            print_explanation(rp.model_instance, lg, time_limit=min(30.0, time_limit),
                              history_before=rp.today, crossing=rp.crossing)
    elif r.status == Status.NO_PLAN:
        err.print(tr("cli.no_plan", lg, limit=time_limit), markup=False)
    raise typer.Exit(EXIT_CODES[r.status])


def _read_inputs(today: str, old_plan: Path, change: list[Path], lg: Lang
                 ) -> tuple[date, list, Changes]:
    """--today, the current plan and the merged change files; exit 2 on bad input."""
    try:
        day = date.fromisoformat(today)
    except ValueError:
        err.print(tr("cli_replan.bad_today", lg, value=today), markup=False)
        raise typer.Exit(2) from None
    changes = Changes()
    try:
        old = read_plan_csv(old_plan)
        for path in change:
            changes = changes.merged(load_changes(path))
    except PlanFormatError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(2) from None
    except InputError as exc:
        err.print(exc.render(), markup=False)
        raise typer.Exit(2) from None
    return day, old, changes


def _print_summary(rp: Replanned, out: Path, as_json: bool, lg: Lang) -> None:
    """JSON on stdout, or the change cost and what changed on stderr."""
    r = rp.result
    if as_json:
        summary = r.summary()
        summary.update({"today": rp.today.isoformat(),
                        "minimal_change_proven": rp.minimal,
                        "trainees_concerned": rp.diff.trainees,
                        "units_concerned": rp.diff.units, "phases": rp.phases})
        typer.echo(json.dumps(summary, indent=2, default=str))
    elif r.status.has_plan:
        err.print(tr("cli_replan.replanned", lg, today=rp.today.isoformat(), status=r.status.value,
                     cost=r.objective,
            bound=f"{r.bound:g}" if r.bound is not None else "-", t=r.wall_time,
            proven=tr("cli_replan.proven", lg) if rp.minimal else ""), markup=False)
        err.print(tr("cli_replan.changed", lg, n=len(rp.diff.removed) + len(rp.diff.added),
                     removed=len(rp.diff.removed),
            added=len(rp.diff.added), trainees=", ".join(rp.diff.trainees) or "-",
            units=", ".join(rp.diff.units) or "-"), markup=False)
        err.print(tr("cli.written", lg, dir=out), markup=False)


def register(app: typer.Typer) -> None:
    """Add ``replan`` to ``app``."""
    app.command()(replan)
