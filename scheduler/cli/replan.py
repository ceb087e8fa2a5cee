"""``atbt explain`` and ``atbt replan`` (issue 5), and the helpers ``solve`` uses for
``--soft-capacity`` and for the explanation printed when it proves infeasibility."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import typer

from scheduler.cli.common import LangOpt, SeedOpt, TimeLimitOpt, WorkersOpt, _lang, _load, err
from scheduler.domain import Instance
from scheduler.i18n import Lang
from scheduler.result import Status

TEXT = {
    "sv": {
        "overruns": "{n} överbeläggningar ({tw} AT/BT-veckor över kapaciteten):",
        "no_overruns": "Ingen enhet över sin kapacitet.",
        "overrun": "  {unit} {weeks}: {over} över kapaciteten",
        "bad_today": "--today: '{value}' är inget datum (ÅÅÅÅ-MM-DD)",
        "replanned": "Omplanerat från {today}: {status}, ändringskostnad {cost:g} (undre gräns "
                     "{bound}){proven}, {t:.1f} s",
        "proven": ", minsta möjliga ändring bevisad",
        "changed": "{n} ändrade rader i plan.csv ({removed} borttagna, {added} nya); berörda "
                   "AT/BT-läkare: {trainees}; berörda enheter: {units}",
        "replan_infeasible": "Ingen ny plan finns som behåller det som redan hänt.",
    },
    "en": {
        "overruns": "{n} overruns ({tw} trainee-weeks over capacity):",
        "no_overruns": "No unit over its capacity.",
        "overrun": "  {unit} {weeks}: {over} over capacity",
        "bad_today": "--today: '{value}' is not a date (YYYY-MM-DD)",
        "replanned": "Re-planned from {today}: {status}, change cost {cost:g} (lower bound "
                     "{bound}){proven}, {t:.1f} s",
        "proven": ", least possible change proven",
        "changed": "{n} changed rows in plan.csv ({removed} removed, {added} new); trainees "
                   "concerned: {trainees}; units concerned: {units}",
        "replan_infeasible": "No new plan exists that keeps what has already happened.",
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


def print_explanation(inst: Instance, lang: Lang, time_limit: float = 30.0,
                      history_before: date | None = None,
                      crossing: dict | None = None, previous: list | None = None) -> int:
    """Explain, print, and return the exit code (0 feasible, 3 infeasible, 4 unknown)."""
    from scheduler.explaining import explain, render

    ex = explain(inst, time_limit=max(0.0, time_limit), history_before=history_before,
                 crossing=crossing, previous=previous)
    for line in render(inst, ex, lang):
        err.print(line, markup=False)
    if ex.feasible:
        return 0
    return 3 if ex.proven else 4


def reject_unreachable(inst: Instance, path: Path, lang: Lang) -> None:
    """Exit 2 if a required discipline no eligible unit can give during a block (issue 23)."""
    from scheduler.explaining import unreachable_lines

    lines = unreachable_lines(inst, str(path), lang)
    for line in lines:
        err.print(line, markup=False)
    if lines:
        raise typer.Exit(2)


def register(app: typer.Typer) -> None:
    """Add ``explain`` and ``replan`` to ``app``."""

    @app.command()
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

        lg = _lang(lang)
        inst, _ = _load(instance)  # invalid input (exit 2) names its cause itself
        reject_unreachable(inst, instance, lg)
        previous = None
        if plan is not None:
            try:
                previous = read_plan_csv(plan)
            except (PlanFormatError, UnicodeDecodeError, OSError) as exc:
                err.print(f"{plan}: {exc}", markup=False)
                raise typer.Exit(2) from None
        raise typer.Exit(print_explanation(inst, lg, time_limit, previous=previous))

    @app.command()
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
        from scheduler.changes import Changes, load_changes
        from scheduler.cli.common import TEXT as CLI_TEXT
        from scheduler.cli.common import _check_out, _lock_out
        from scheduler.io import InputError
        from scheduler.plan import PlanFormatError, read_plan_csv
        from scheduler.replanning import replan_and_verify, write_replan_outputs
        from scheduler.result import EXIT_CODES

        lg = _lang(lang)
        txt, ctx = TEXT[lg], CLI_TEXT[lg]
        inst, digest = _load(instance)
        try:
            day = date.fromisoformat(today)
        except ValueError:
            err.print(txt["bad_today"].format(value=today), markup=False)
            raise typer.Exit(2) from None
        changes = Changes()
        try:
            old = read_plan_csv(old_plan)
            for path in change or []:
                changes = changes.merged(load_changes(path))
        except PlanFormatError as exc:
            err.print(str(exc), markup=False)
            raise typer.Exit(2) from None
        except InputError as exc:
            err.print(exc.render(), markup=False)
            raise typer.Exit(2) from None
        _check_out(out, (instance, old_plan, *(change or [])), ctx)
        _lock_out(context, out, ctx)  # one run per folder; an unusable --out before solving
        try:
            rp = replan_and_verify(inst, old, day, changes, time_limit=time_limit,
                                   workers=workers, seed=seed, lang=lg)
        except InputError as exc:
            err.print(exc.render(), markup=False)
            raise typer.Exit(2) from None
        except api.VerificationError as exc:
            err.print(ctx["verify_failed"], markup=False)
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
                err.print(ctx["out_failed"].format(out=out, error=exc), markup=False)
                raise typer.Exit(2) from None
        if as_json:
            summary = r.summary()
            summary.update({"today": rp.today.isoformat(),
                            "minimal_change_proven": rp.minimal,
                            "trainees_concerned": rp.diff.trainees,
                            "units_concerned": rp.diff.units, "phases": rp.phases})
            typer.echo(json.dumps(summary, indent=2, default=str))
        elif r.status.has_plan:
            err.print(txt["replanned"].format(
                today=rp.today.isoformat(), status=r.status.value, cost=r.objective,
                bound=f"{r.bound:g}" if r.bound is not None else "-", t=r.wall_time,
                proven=txt["proven"] if rp.minimal else ""), markup=False)
            err.print(txt["changed"].format(
                n=len(rp.diff.removed) + len(rp.diff.added), removed=len(rp.diff.removed),
                added=len(rp.diff.added), trainees=", ".join(rp.diff.trainees) or "-",
                units=", ".join(rp.diff.units) or "-"), markup=False)
            err.print(ctx["written"].format(dir=out), markup=False)
        if r.status == Status.INFEASIBLE:
            err.print(txt["replan_infeasible"], markup=False)
            if rp.model_instance is not None:
                print_explanation(rp.model_instance, lg, time_limit=min(30.0, time_limit),
                                  history_before=rp.today, crossing=rp.crossing)
        elif r.status == Status.NO_PLAN:
            err.print(ctx["no_plan"].format(limit=time_limit), markup=False)
        raise typer.Exit(EXIT_CODES[r.status])
