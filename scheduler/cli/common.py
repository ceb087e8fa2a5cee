"""The ``atbt`` command: read, call the public API, write, print a summary.

Exit codes: 0 plan written (or plan valid), 1 the checked plan has violations, 2 invalid input,
3 proven infeasible, 4 no plan found within the time limit, 5 internal error (a plan failed
verification, or an unexpected exception; nothing was written), 130 / 143 stopped by Ctrl-C /
SIGTERM (the best checked plan so far is written with status "stopped", if there is one).
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console

from scheduler import api, checker, halt
from scheduler.domain import Instance
from scheduler.i18n import Lang, language, set_language, tr
from scheduler.io import InputError, OutputInUse, output_lock
from scheduler.plan import PlanFormatError
from scheduler.result import EXIT_CODES, Result, Status
from scheduler.solver.counting import shortfalls

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Placement scheduling for AT/BT doctors in training (OR-Tools CP-SAT).")
# soft_wrap: one message per line, never folded at the terminal width (logs, grep, CI).
err = Console(stderr=True, highlight=False, soft_wrap=True)

TEXT = {
    "sv": {
        "written": "Plan skriven till {dir}",
        "status": "Status",
        "infeasible": "Ingen plan finns: instansen är bevisat olösbar.",
        "no_plan": "Ingen plan hittades inom tidsgränsen ({limit} s). "
                   "Pröva en längre --time-limit.",
        "verify_failed": "Internt fel: lösarens plan underkändes av kontrollen; inget skrevs:",
        "violations": "{n} regelbrott",
        "clean": "Planen uppfyller alla regler.",
        "first": "första planen efter {t:.1f} s",
        "progress": "mål {obj:g}  gräns {bound:g}  {t:.0f} s",
        "decompose": "{done}/{of} AT/BT-läkare planerade",
        "polish": "förbättrade {improved} av {of} block ({time:.0f} s)",
        "internal": "Internt fel: {error} (sätt ATBT_DEBUG=1 för detaljer)",
        "out_not_dir": "{out}: --out måste vara en mapp, men det är en fil",
        "out_is_input": "{target}: skulle skriva över en indatafil; välj en annan --out-mapp",
        "out_failed": "{out}: kan inte skriva resultatet: {error}",
        "plan_not_utf8": "{plan}: filen är inte UTF-8-text (spara den som CSV UTF-8)",
        "bad_today": "--today: '{value}' är inget datum (ÅÅÅÅ-MM-DD)",
        "keeping": "Behåller alla placeringar för {n} AT/BT-läkare ur {plan}; planerar {m}",
        "keep_broken": "{plan}: de behållna placeringarna bryter mot {n} regler i instansen "
                       "(ange --today om planen har historik):",
        "no_objective": "– (planen bryter mot reglerna; målvärdet gäller bara en giltig plan)",
        "out_in_use": "{out}: mappen används redan av en annan körning; vänta eller välj en "
                      "annan --out",
        "stopped": "Avbruten: {what}",
        "stopped_plan": "den bästa kontrollerade planen hittills är skriven (status stopped)",
        "stopped_none": "ingen plan hittades innan avbrottet; inget skrevs",
    },
    "en": {
        "written": "Plan written to {dir}",
        "status": "Status",
        "infeasible": "No plan exists: the instance is proven infeasible.",
        "no_plan": "No plan found within the time limit ({limit} s). Try a longer --time-limit.",
        "verify_failed": "Internal error: the solver's plan failed the check; nothing written:",
        "violations": "{n} violations",
        "clean": "The plan satisfies every rule.",
        "first": "first plan after {t:.1f} s",
        "progress": "objective {obj:g}  bound {bound:g}  {t:.0f} s",
        "decompose": "{done}/{of} trainees planned",
        "polish": "improved {improved} of {of} blocks ({time:.0f} s)",
        "internal": "Internal error: {error} (set ATBT_DEBUG=1 for details)",
        "out_not_dir": "{out}: --out must be a folder, but it is a file",
        "out_is_input": "{target}: would overwrite an input file; choose another --out folder",
        "out_failed": "{out}: cannot write the results: {error}",
        "plan_not_utf8": "{plan}: the file is not UTF-8 text (save it as CSV UTF-8)",
        "bad_today": "--today: '{value}' is not a date (YYYY-MM-DD)",
        "keeping": "Keeping every stint of {n} trainees from {plan}; planning {m}",
        "keep_broken": "{plan}: the kept stints break {n} rules of the instance (give --today "
                       "if the plan has history):",
        "no_objective": "– (the plan breaks the rules; only a valid plan has an objective)",
        "out_in_use": "{out}: the folder is in use by another run; wait or choose another --out",
        "stopped": "Stopped: {what}",
        "stopped_plan": "the best checked plan so far is written (status stopped)",
        "stopped_none": "no plan was found before the stop; nothing was written",
    },
}

OUTPUT_FILES = ("plan.csv", "plan.xlsx", "plan.png", "plan.pdf", "run.json")  # api.write_outputs

LangOpt = Annotated[str, typer.Option("--lang", help="Language of messages and workbook: sv|en")]
# Sane ranges (docs/SECURITY.md), checked before anything is read: CP-SAT's seed is a 32-bit
# int, and more threads than cores x 4 only thrash a shared machine.
MAX_TIME_LIMIT = 7 * 24 * 3600.0
MAX_WORKERS = 4 * (os.cpu_count() or 1)
MAX_SEED = 2**31 - 1
TimeLimitOpt = Annotated[float, typer.Option("--time-limit", min=1, max=MAX_TIME_LIMIT)]
WorkersOpt = Annotated[int, typer.Option("--workers", min=1, max=MAX_WORKERS)]
SeedOpt = Annotated[int, typer.Option("--seed", min=0, max=MAX_SEED)]


def _lang(value: str) -> Lang:
    if value not in ("sv", "en"):
        raise typer.BadParameter("--lang must be 'sv' or 'en'")
    set_language(value)  # type: ignore[arg-type]
    return value  # type: ignore[return-value]


def _check_out(out: Path, inputs: tuple[Path, ...], txt: dict[str, str]) -> None:
    """Refuse an unusable --out before solving, not after minutes of search (exit 2)."""
    try:
        if out.exists() and not out.is_dir():
            err.print(txt["out_not_dir"].format(out=out), markup=False)
            raise typer.Exit(2)
        resolved = {p.resolve() for p in inputs}
        clash = [out / n for n in OUTPUT_FILES if (out / n).resolve() in resolved]
    except OSError as exc:  # a name longer than the OS allows, a loop of links, ...
        err.print(txt["out_failed"].format(out=out, error=exc), markup=False)
        raise typer.Exit(2) from None
    for target in clash:
        err.print(txt["out_is_input"].format(target=target), markup=False)
        raise typer.Exit(2)


def _lock_out(ctx: typer.Context, out: Path, txt: dict[str, str]) -> None:
    """Hold the lock on --out until the command ends: a second run into the same folder exits 2
    at once, and an unwritable or impossible --out is found before solving, not after."""
    lock = output_lock(out)
    try:
        lock.__enter__()
    except OutputInUse:
        err.print(txt["out_in_use"].format(out=out), markup=False)
        raise typer.Exit(2) from None
    except OSError as exc:  # read-only, name too long, a file in the way, ...
        err.print(txt["out_failed"].format(out=out, error=exc), markup=False)
        raise typer.Exit(2) from None
    ctx.call_on_close(lambda: lock.__exit__(None, None, None))


class _Scrubbed(io.TextIOBase):
    """stderr with every trainee id replaced by its pseudonym (explanations, exit-5 messages)."""

    def __init__(self, raw: TextIO, cmap: dict[str, str]):
        self.raw, self.cmap = raw, cmap

    def write(self, text: str) -> int:
        from scheduler.workbook.pseudonym import scrub

        self.raw.write(scrub(text, self.cmap))
        return len(text)

    def flush(self) -> None:
        self.raw.flush()

    def isatty(self) -> bool:
        return self.raw.isatty()


def _pseudonymous_stderr(ctx: typer.Context, inst: Instance, lang: Lang) -> None:
    """--pseudonymize: refuse an empty or short key before solving (exit 2), and print codes,
    never ids, on stderr for the rest of the command."""
    from scheduler.workbook.pseudonym import PseudonymKeyError, codes, pseudonym_key

    try:
        key = pseudonym_key()
    except PseudonymKeyError as exc:
        err.print(exc.message(lang), markup=False)
        raise typer.Exit(2) from None
    scrubbed = _Scrubbed(err.file, codes([t.id for t in inst.all_trainees()], key))  # type: ignore[arg-type]
    err.file = scrubbed  # type: ignore[assignment]

    def restore() -> None:
        err.file = None  # type: ignore[assignment]  # rich: back to the current sys.stderr

    ctx.call_on_close(restore)


def _stop_if_halted(result: object, txt: dict[str, str]) -> None:
    """After Ctrl-C/SIGTERM: the plan (already checked) is marked stopped and written by the
    caller; here only the message and the exit code (130/143)."""
    if halt.HALT.is_set():
        what = txt["stopped_plan"] if getattr(result, "status", None) == Status.STOPPED \
            else txt["stopped_none"]
        err.print(txt["stopped"].format(what=what), markup=False)
        raise typer.Exit(halt.exit_code())


def _load(path: Path) -> tuple[Instance, str]:
    try:
        return api.load(path)
    except InputError as exc:
        err.print(exc.render(), markup=False)
        raise typer.Exit(2) from None


def _today(value: str | None, plan_dir: Path | None, inst: Instance) -> date | None:
    """``--today`` as a Monday (a week begun is history); else run.json's, else the
    instance's ``today``; None when none is known."""
    from scheduler.changes import replan_monday

    if value is not None:
        try:
            return replan_monday(date.fromisoformat(value))
        except ValueError:
            err.print(TEXT[language()]["bad_today"].format(value=value), markup=False)
            raise typer.Exit(2) from None
    if plan_dir is not None:
        from scheduler.year import read_run

        run_today = read_run(plan_dir).today
        if run_today is not None:
            return replan_monday(run_today)
    return inst.today


def _keep(inst: Instance, keep: Path, today: str | None, lg: Lang
          ) -> tuple[Instance, date | None, list]:
    """The instance with every stint of the trainees in ``keep`` locked, today, and the
    kept stints."""
    from scheduler.plan_readers import read_plan
    from scheduler.year import keep_stints

    try:
        kept_plan = read_plan(keep)
        model_inst, kept = keep_stints(inst, kept_plan, str(keep), lg)
    except PlanFormatError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(2) from None
    except InputError as exc:
        err.print(exc.render(), markup=False)
        raise typer.Exit(2) from None
    day = _today(today, keep.parent, inst)
    n_all = len(inst.all_trainees())
    err.print(TEXT[lg]["keeping"].format(n=len(kept), plan=keep, m=n_all - len(kept)),
              markup=False)
    return model_inst, day, kept_plan


@app.command()
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
    lg = _lang(lang)
    txt = TEXT[lg]
    inst, digest = _load(instance)
    if fairness is not None:
        if fairness not in ("off", "lexicographic", "weighted"):
            err.print(tr("bad_fairness", lg, value=fairness), markup=False)
            raise typer.Exit(2)
        inst = inst.model_copy(update={"fairness": fairness})
    _check_out(out, (instance, *((keep,) if keep else ())), txt)
    given, day = inst, None  # the instance as given; the plan is checked against it too
    if keep is not None:  # a kept plan that cannot be used: exit 2 before --out is made
        inst, day, _ = _keep(inst, keep, today, lg)
    elif today is not None:
        day = _today(today, None, inst)
    _lock_out(ctx, out, txt)
    if pseudonymize:
        _pseudonymous_stderr(ctx, given, lg)
    _stop_if_halted(None, txt)  # a signal during start-up: nothing to write
    from scheduler.cli.replan import print_explanation, reject_unreachable

    reject_unreachable(inst, instance, lg)
    t0 = time.monotonic()  # --time-limit covers the solve and the explanation together
    quiet = as_json or not sys.stderr.isatty()

    from scheduler.report.progress import ProgressPrinter, summary_lines

    pending = [False]  # a terminal line waiting to be overwritten (trainees planned so far)

    def emit(line: str, final: bool) -> None:
        if quiet:
            err.print(line, markup=False)
        else:
            # Written as is: rich drops the carriage return that lets the count overwrite itself.
            err.file.write(f"\r{line:<60}" + ("\n" if final else ""))
            err.file.flush()
            pending[0] = not final

    progress = ProgressPrinter(lg, emit)

    overruns: list = []
    # Counting: 0.04 s on Örebro (158 trainees), 2.8 s on 1 000 generated trainees; at most a
    # tenth of the time (what it found by then is still a proof).
    counted = [] if soft_capacity else shortfalls(inst, t0 + max(1.0, 0.1 * time_limit))
    try:
        if counted:  # proven infeasible by counting: no search (issue 23)
            result = Result(status=Status.INFEASIBLE, time_limit=time_limit, workers=workers,
                            seed=seed, method="counting", wall_time=time.monotonic() - t0)
        elif soft_capacity:
            from scheduler.replanning import solve_soft_and_verify
            result, overruns = solve_soft_and_verify(inst, time_limit=time_limit,
                                                     workers=workers, seed=seed,
                                                     progress=progress,
                                                     deterministic=deterministic)
        else:
            result = api.solve_and_verify(inst, time_limit=time_limit, workers=workers,
                                          seed=seed, progress=progress,
                                          deterministic=deterministic)
    except api.VerificationError as exc:
        err.print(txt["verify_failed"], markup=False)
        for v in exc.violations[:20]:
            err.print(f"  {v.message}", markup=False)
        raise typer.Exit(5) from None
    if pending[0]:
        err.print()
    if keep is not None and result.status.has_plan:
        # The kept stints came from a plan of this instance: with today's history they must
        # satisfy it as it is, or check and rosters would refuse what is written here.
        history = checker.History(result.stints, day) if day is not None else None
        broken = checker.check(given, result.stints, lang=lg, history=history)
        if broken:
            err.print(txt["keep_broken"].format(plan=keep, n=len(broken)), markup=False)
            for v in broken[:20]:
                err.print(f"  {v.message}", markup=False)
            raise typer.Exit(2)
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
        try:
            api.write_outputs(inst, result, out, lang=lg, inputs=(instance,),
                              overruns=overruns if soft_capacity else None)
        except FileExistsError as exc:  # api's own guard against overwriting an input
            err.print(str(exc), markup=False)
            raise typer.Exit(2) from None
        except OSError as exc:  # permission denied, disk full, a file in the way, ...
            err.print(txt["out_failed"].format(out=out, error=exc), markup=False)
            raise typer.Exit(2) from None
    _stop_if_halted(result, txt)
    if as_json:
        typer.echo(json.dumps(result.summary(), indent=2, default=str))
    elif result.status.has_plan:
        for line in summary_lines(result, lg):
            err.print(line, markup=False)
        err.print(txt["written"].format(dir=out), markup=False)
    if soft_capacity and result.status.has_plan and not as_json:
        from scheduler.cli.replan import print_overruns
        print_overruns(inst, overruns, lg)
    if result.status == Status.INFEASIBLE:
        from scheduler.explaining import note
        err.print(txt["infeasible"], markup=False)
        spent = time.monotonic() - t0
        err.print(note("counted_first", lg, t=spent) if counted else note(
            "solve_spent", lg, t=spent, limit=time_limit, left=max(0.0, time_limit - spent)),
            markup=False)
        print_explanation(inst, lg, time_limit=time_limit - spent)
    elif result.status == Status.NO_PLAN:
        err.print(txt["no_plan"].format(limit=time_limit), markup=False)
    raise typer.Exit(EXIT_CODES[result.status])


@app.command()
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

    lg = _lang(lang)
    inst, _ = _load(instance)
    mode = fairness or mode_of_run(plan.parent)
    if mode is not None:
        if mode not in ("off", "lexicographic", "weighted"):
            err.print(tr("bad_fairness", lg, value=mode), markup=False)
            raise typer.Exit(2)
        inst = inst.model_copy(update={"fairness": mode})
    day = _today(today, plan.parent, inst)
    try:
        stints = read_plan(plan)
    except PlanFormatError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(2) from None
    # History (weeks before today) is checked only for what history can break: as re-planning
    # checks it, with the plan as its own past.
    history = checker.History(stints, day) if day is not None else None
    violations = checker.check(inst, stints, lang=lg, history=history)
    for v in violations:
        typer.echo(v.message)
    terms = checker.evaluate(inst, stints)
    # A violating plan has no objective to compare with a proven bound (issue 16, point 3).
    obj = TEXT[lg]["no_objective"] if violations else checker.objective(inst, terms)
    typer.echo("  ".join(f"{k}={v}" for k, v in terms.items()) + f"  objective={obj}")
    from scheduler.report.fairness import wanted

    if wanted(inst):  # recomputed by the checker: costs per trainee, wishes granted
        f = checker.fairness(inst, stints)
        granted = "  ".join(f"p{p}={g['granted']}/{g['of']}"
                            for p, g in f["wishes_granted"].items() if g["of"])
        typer.echo(f"worst={f['worst']}  median={f['median']:g}  best={f['best']}  "
                   f"gini={f['gini']}" + (f"  wishes {granted}" if granted else ""))
    if violations:
        err.print(TEXT[lg]["violations"].format(n=len(violations)), markup=False)
        raise typer.Exit(1)
    err.print(TEXT[lg]["clean"], markup=False)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the instance format."""
    typer.echo(json.dumps(Instance.model_json_schema(), indent=2, ensure_ascii=False))


from scheduler.cli.app import register_all  # noqa: E402  (after the shared helpers above)

register_all(app)


def main() -> None:
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:  # no handler installed (a library caller's main): no traceback
        sys.exit(130)
    except Exception as exc:  # a bug, not bad input: short message unless debugging
        if os.environ.get("ATBT_DEBUG"):
            raise
        args = sys.argv[1:]
        en = "--lang=en" in args or any(
            a == "--lang" and b == "en" for a, b in zip(args, args[1:], strict=False))
        Console(stderr=True, highlight=False, soft_wrap=True).print(
            TEXT["en" if en else "sv"]["internal"].format(error=exc), markup=False)
        sys.exit(5)  # not 1: that code means "the checked plan has violations"


if __name__ == "__main__":
    main()
