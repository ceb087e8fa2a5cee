"""What the ``atbt`` commands share: the error console, messages, option types, --lang,
loading with located errors, --out checks and locks, and the printers of explanations and
overruns. Imports no command module (scheduler.cli.app registers the commands)."""

from __future__ import annotations

import io
import os
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console

from scheduler import halt
from scheduler.domain import Instance
from scheduler.i18n import Lang, language, set_language, tr
from scheduler.inputs.yaml_io import InputError
from scheduler.outputs import OutputInUse, output_lock
from scheduler.plan import PlanFormatError
from scheduler.result import Status

err = Console(stderr=True, highlight=False, soft_wrap=True)

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


def parse_lang(value: str) -> Lang:
    if value not in ("sv", "en"):
        raise typer.BadParameter("--lang must be 'sv' or 'en'")
    set_language(value)  # type: ignore[arg-type]
    return value  # type: ignore[return-value]


def check_out(out: Path, inputs: tuple[Path, ...], lg: Lang) -> None:
    """Refuse an unusable --out before solving, not after minutes of search (exit 2)."""
    try:
        if out.exists() and not out.is_dir():
            err.print(tr("cli.out_not_dir", lg, out=out), markup=False)
            raise typer.Exit(2)
        resolved = {p.resolve() for p in inputs}
        clash = [out / n for n in OUTPUT_FILES if (out / n).resolve() in resolved]
    except OSError as exc:  # a name longer than the OS allows, a loop of links, ...
        err.print(tr("cli.out_failed", lg, out=out, error=exc), markup=False)
        raise typer.Exit(2) from None
    for target in clash:
        err.print(tr("cli.out_is_input", lg, target=target), markup=False)
        raise typer.Exit(2)


def lock_out(ctx: typer.Context, out: Path, lg: Lang) -> None:
    """Hold the lock on --out until the command ends: a second run into the same folder exits 2
    at once, and an unwritable or impossible --out is found before solving, not after."""
    lock = output_lock(out)
    try:
        lock.__enter__()
    except OutputInUse:
        err.print(tr("cli.out_in_use", lg, out=out), markup=False)
        raise typer.Exit(2) from None
    except OSError as exc:  # read-only, name too long, a file in the way, ...
        err.print(tr("cli.out_failed", lg, out=out, error=exc), markup=False)
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


def pseudonymous_stderr(ctx: typer.Context, inst: Instance, lang: Lang) -> None:
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


def stop_if_halted(result: object, lg: Lang) -> None:
    """After Ctrl-C/SIGTERM: the plan (already checked) is marked stopped and written by the
    caller; here only the message and the exit code (130/143)."""
    if halt.HALT.is_set():
        what = tr("cli.stopped_plan", lg) if getattr(result, "status", None) == Status.STOPPED \
            else tr("cli.stopped_none", lg)
        err.print(tr("cli.stopped", lg, what=what), markup=False)
        raise typer.Exit(halt.exit_code())


def load_input(path: Path) -> tuple[Instance, str]:
    from scheduler import api  # here: api imports the solver, which --help does without

    try:
        return api.load(path)
    except InputError as exc:
        err.print(exc.render(), markup=False)
        raise typer.Exit(2) from None


def with_fairness(inst: Instance, mode: str | None, lg: Lang) -> Instance:
    """The instance with --fairness (or run.json's mode) if one is given; exit 2 if unknown."""
    if mode is None:
        return inst
    if mode not in ("off", "lexicographic", "weighted"):
        err.print(tr("bad_fairness", lg, value=mode), markup=False)
        raise typer.Exit(2)
    return inst.model_copy(update={"fairness": mode})


def parse_today(value: str | None, plan_dir: Path | None, inst: Instance) -> date | None:
    """``--today`` as a Monday (a week begun is history); else run.json's, else the
    instance's ``today``; None when none is known."""
    from scheduler.inputs.changes import replan_monday

    if value is not None:
        try:
            return replan_monday(date.fromisoformat(value))
        except ValueError:
            err.print(tr("cli.bad_today", language(), value=value), markup=False)
            raise typer.Exit(2) from None
    if plan_dir is not None:
        from scheduler.year import read_run

        run_today = read_run(plan_dir).today
        if run_today is not None:
            return replan_monday(run_today)
    return inst.today


def keep_plan(inst: Instance, keep: Path, today: str | None, lg: Lang
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
    day = parse_today(today, keep.parent, inst)
    n_all = len(inst.all_trainees())
    err.print(tr("cli.keeping", lg, n=len(kept), plan=keep, m=n_all - len(kept)),
              markup=False)
    return model_inst, day, kept_plan


def print_overruns(inst: Instance, overruns: list, lang: Lang) -> None:
    from scheduler.report.explanation import weeks_text

    if not overruns:
        err.print(tr("cli.no_overruns", lang), markup=False)
        return
    err.print(tr("cli.overruns", lang, n=len(overruns),
                 tw=sum(o.trainee_weeks for o in overruns)), markup=False)
    for o in overruns:
        err.print(tr("cli.overrun", lang, unit=f"{inst.unit(o.unit).name} ({o.unit})",
                     weeks=weeks_text(o.start, o.start + timedelta(weeks=o.weeks), lang),
                     over=o.over), markup=False)


def print_explanation(inst: Instance, lang: Lang, time_limit: float = 30.0,
                      history_before: date | None = None,
                      crossing: dict | None = None, previous: list | None = None) -> int:
    """Explain, print, and return the exit code (0 feasible, 3 infeasible, 4 unknown)."""
    from scheduler.report.explanation import explain, render

    ex = explain(inst, time_limit=max(0.0, time_limit), history_before=history_before,
                 crossing=crossing, previous=previous)
    for line in render(inst, ex, lang):
        err.print(line, markup=False)
    if ex.feasible:
        return 0
    return 3 if ex.proven else 4


def reject_unreachable(inst: Instance, path: Path, lang: Lang) -> None:
    """Exit 2 if a required discipline no eligible unit can give during a block."""
    from scheduler.report.explanation import unreachable_lines

    lines = unreachable_lines(inst, str(path), lang)
    for line in lines:
        err.print(line, markup=False)
    if lines:
        raise typer.Exit(2)
