"""``atbt solve``: plan every trainee's block, check it, write the outputs."""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from scheduler import halt, verify
from scheduler.cli.common import (
    LangOpt,
    SeedOpt,
    TimeLimitOpt,
    WorkersOpt,
    check_out,
    err,
    keep_plan,
    load_input,
    lock_out,
    parse_lang,
    parse_today,
    print_explanation,
    print_overruns,
    pseudonymous_stderr,
    reject_unreachable,
    stop_if_halted,
    with_fairness,
)
from scheduler.domain import Instance
from scheduler.i18n import Lang, tr
from scheduler.report.progress import ProgressPrinter, summary_lines
from scheduler.result import EXIT_CODES, Result, Status


def register(app: typer.Typer) -> None:
    app.command()(solve)


def solve(
    ctx: typer.Context,
    instance: Annotated[Path, typer.Argument(help="Instance file (YAML)")],
    out: Annotated[Path, typer.Option("--out", help="Output folder")] = Path("reports"),
    time_limit: TimeLimitOpt = 60.0,
    workers: WorkersOpt = 2,
    seed: SeedOpt = 0,
    as_json: Annotated[
        bool, typer.Option("--json", help="Result summary as JSON on stdout")] = False,
    pseudonymize: Annotated[bool, typer.Option(
        "--pseudonymize", help="Name trainees by stable codes in every output")] = False,
    lang: LangOpt = "sv",
    soft_capacity: Annotated[bool, typer.Option(
        "--soft-capacity", help="Allow capacity overruns at a cost; list every overrun")] = False,
    deterministic: Annotated[bool, typer.Option(
        "--deterministic",
        help="Count work, not seconds: the same input and seed give the same plan")] = False,
    keep: Annotated[Path | None, typer.Option(
        "--keep", help="Keep every stint of the trainees in this plan (plan.csv or .xlsx); "
        "plan only the others (the next intake)")] = None,
    today: Annotated[str | None, typer.Option(
        "--today", help="With --keep: weeks before this date are history (default: run.json "
        "beside the kept plan, else the instance's today)")] = None,
    fairness: Annotated[str | None, typer.Option(
        "--fairness", help="off: the sum only; lexicographic: the worst trainee's cost first, "
        "then the sum; weighted: weights.worst times the worst plus the sum (default: the "
        "instance's)")] = None,
) -> None:
    """Plan every trainee's block; write plan.csv, plan.xlsx and run.json to --out."""
    # The solver is imported here, before any check: atbt --help and the commands that do not
    # solve start without OR-Tools, and a signal during this import is seen below.
    from scheduler.solver.counting import shortfalls

    lg = parse_lang(lang)
    inst, digest = load_input(instance)
    inst = with_fairness(inst, fairness, lg)
    check_out(out, (instance, *((keep,) if keep else ())), lg)
    given, day = inst, None  # the instance as given; the plan is checked against it too
    if keep is not None:  # a kept plan that cannot be used: exit 2 before --out is made
        inst, day, _ = keep_plan(inst, keep, today, lg)
    elif today is not None:
        day = parse_today(today, None, inst)
    lock_out(ctx, out, lg)
    if pseudonymize:
        pseudonymous_stderr(ctx, given, lg)
    stop_if_halted(None, lg)  # a signal during start-up: nothing to write
    reject_unreachable(inst, instance, lg)
    t0 = time.monotonic()  # --time-limit covers the solve and the explanation together
    # Counting: 0.04 s on Örebro (158 trainees), 2.8 s on 1 000 generated trainees; at most a
    # tenth of the time (what it found by then is still a proof).
    counted = [] if soft_capacity else shortfalls(inst, t0 + max(1.0, 0.1 * time_limit))
    limits = {"time_limit": time_limit, "workers": workers, "seed": seed}
    result, overruns = _search(inst, counted, t0, limits, soft_capacity, deterministic,
                               as_json, lg)
    if keep is not None and result.status.has_plan:
        _check_kept(given, result, day, keep, lg)
        inst = given
    result.input_hash = digest
    result.today = day.isoformat() if day is not None else None
    if result.status.has_plan:
        from scheduler.year import instance_record

        result.instance = instance_record(instance, out, digest)
    if halt.HALT.is_set() and result.status.has_plan:
        result.status = Status.STOPPED  # checked above; written below as the best so far
    if pseudonymize and result.status.has_plan:  # after the check, before anything is written
        from scheduler.workbook.pseudonym import pseudonymize as pseudo
        inst, result.stints, _ = pseudo(inst, result.stints)
    if result.status.has_plan:
        _write(inst, result, out, instance, lg, overruns if soft_capacity else None)
    stop_if_halted(result, lg)
    _print_outcome(inst, result, out, lg, as_json, overruns if soft_capacity else None)
    if result.status == Status.INFEASIBLE:
        _explain_infeasible(inst, bool(counted), time.monotonic() - t0, time_limit, lg)
    elif result.status == Status.NO_PLAN:
        err.print(tr("cli.no_plan", lg, limit=time_limit), markup=False)
    raise typer.Exit(EXIT_CODES[result.status])


def _explain_infeasible(inst: Instance, counted: bool, spent: float, time_limit: float,
                        lg: Lang) -> None:
    """Why: the conflicting requirements, searched for in the time --time-limit has left."""
    from scheduler.report.explanation import note
    err.print(tr("cli.infeasible", lg), markup=False)
    err.print(note("counted_first", lg, t=spent) if counted else note(
        "solve_spent", lg, t=spent, limit=time_limit, left=max(0.0, time_limit - spent)),
        markup=False)
    print_explanation(inst, lg, time_limit=time_limit - spent)


def _progress(lg: Lang, quiet: bool) -> tuple[ProgressPrinter, list[bool]]:
    """The progress printer, and a flag set while a terminal line waits to be overwritten
    (trainees planned so far)."""
    pending = [False]

    def emit(line: str, final: bool) -> None:
        if quiet:
            err.print(line, markup=False)
        else:
            # Written as is: rich drops the carriage return that lets the count overwrite itself.
            err.file.write(f"\r{line:<60}" + ("\n" if final else ""))
            err.file.flush()
            pending[0] = not final

    return ProgressPrinter(lg, emit), pending


def _search(inst: Instance, counted: list, t0: float, limits: dict, soft_capacity: bool,
            deterministic: bool, as_json: bool, lg: Lang) -> tuple[Result, list]:
    """The checked result and the capacity overruns (--soft-capacity); exit 5 if the
    solver's plan fails the check."""
    from scheduler import api

    progress, pending = _progress(lg, as_json or not sys.stderr.isatty())
    overruns: list = []
    try:
        if counted:  # proven infeasible by counting: no search
            result = Result(status=Status.INFEASIBLE, method="counting",
                            wall_time=time.monotonic() - t0, **limits)
        elif soft_capacity:
            from scheduler.api import solve_soft_and_verify
            result, overruns = solve_soft_and_verify(inst, progress=progress,
                                                     deterministic=deterministic, **limits)
        else:
            result = api.solve_and_verify(inst, progress=progress,
                                          deterministic=deterministic, **limits)
    except api.VerificationError as exc:
        err.print(tr("cli.verify_failed", lg), markup=False)
        for v in exc.violations[:20]:
            err.print(f"  {v.message}", markup=False)
        raise typer.Exit(5) from None
    if pending[0]:
        err.print()
    return result, overruns


def _check_kept(given: Instance, result: Result, day: date | None, keep: Path, lg: Lang
                ) -> None:
    """The kept stints came from a plan of this instance: with today's history they must
    satisfy it as it is, or check and rosters would refuse what is written here (exit 2)."""
    history = verify.History(result.stints, day) if day is not None else None
    broken = verify.check(given, result.stints, lang=lg, history=history)
    if broken:
        err.print(tr("cli.keep_broken", lg, plan=keep, n=len(broken)), markup=False)
        for v in broken[:20]:
            err.print(f"  {v.message}", markup=False)
        raise typer.Exit(2)


def _write(inst: Instance, result: Result, out: Path, instance: Path, lg: Lang,
           overruns: list | None) -> None:
    from scheduler import api

    try:
        api.write_outputs(inst, result, out, lang=lg, inputs=(instance,), overruns=overruns)
    except FileExistsError as exc:  # api's own guard against overwriting an input
        err.print(str(exc), markup=False)
        raise typer.Exit(2) from None
    except OSError as exc:  # permission denied, disk full, a file in the way, ...
        err.print(tr("cli.out_failed", lg, out=out, error=exc), markup=False)
        raise typer.Exit(2) from None


def _print_outcome(inst: Instance, result: Result, out: Path, lg: Lang, as_json: bool,
                   overruns: list | None) -> None:
    """The summary: JSON on stdout, or lines on stderr (and the overruns, if soft)."""
    if as_json:
        typer.echo(json.dumps(result.summary(), indent=2, default=str))
    elif result.status.has_plan:
        for line in summary_lines(result, lg):
            err.print(line, markup=False)
        err.print(tr("cli.written", lg, dir=out), markup=False)
    if overruns is not None and result.status.has_plan and not as_json:
        print_overruns(inst, overruns, lg)
