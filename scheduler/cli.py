"""The ``atbt`` command: read, call the public API, write, print a summary.

Exit codes: 0 plan written (or plan valid), 1 the checked plan has violations, 2 invalid input,
3 proven infeasible, 4 no plan found within the time limit, 5 internal error (a plan failed
verification, or an unexpected exception; nothing was written).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from scheduler import api, checker
from scheduler.domain import Instance
from scheduler.i18n import Lang, set_language
from scheduler.io import InputError
from scheduler.plan import PlanFormatError, read_plan_csv
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
    },
}

OUTPUT_FILES = ("plan.csv", "plan.xlsx", "run.json")  # as written by api.write_outputs

LangOpt = Annotated[str, typer.Option("--lang", help="Language of messages and workbook: sv|en")]


def _lang(value: str) -> Lang:
    if value not in ("sv", "en"):
        raise typer.BadParameter("--lang must be 'sv' or 'en'")
    set_language(value)  # type: ignore[arg-type]
    return value  # type: ignore[return-value]


def _check_out(out: Path, inputs: tuple[Path, ...], txt: dict[str, str]) -> None:
    """Refuse an unusable --out before solving, not after minutes of search (exit 2)."""
    if out.exists() and not out.is_dir():
        err.print(txt["out_not_dir"].format(out=out), markup=False)
        raise typer.Exit(2)
    resolved = {p.resolve() for p in inputs}
    for name in OUTPUT_FILES:
        if (out / name).resolve() in resolved:
            err.print(txt["out_is_input"].format(target=out / name), markup=False)
            raise typer.Exit(2)


def _load(path: Path) -> tuple[Instance, str]:
    try:
        return api.load(path)
    except InputError as exc:
        err.print(exc.render(), markup=False)
        raise typer.Exit(2) from None


@app.command()
def solve(
    instance: Annotated[Path, typer.Argument(help="Instance file (YAML)")],
    out: Annotated[Path, typer.Option("--out", help="Output folder")] = Path("reports"),
    time_limit: Annotated[float, typer.Option("--time-limit", min=1)] = 60.0,
    workers: Annotated[int, typer.Option("--workers", min=1)] = 2,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    as_json: Annotated[
        bool, typer.Option("--json", help="Result summary as JSON on stdout")] = False,
    pseudonymize: Annotated[bool, typer.Option(
        "--pseudonymize", help="Name trainees by stable codes in every output")] = False,
    lang: LangOpt = "sv",
    soft_capacity: Annotated[bool, typer.Option(
        "--soft-capacity", help="Allow capacity overruns at a cost; list every overrun")] = False,
) -> None:
    """Plan every trainee's block; write plan.csv, plan.xlsx and run.json to --out."""
    lg = _lang(lang)
    txt = TEXT[lg]
    inst, digest = _load(instance)
    _check_out(out, (instance,), txt)
    from scheduler.commands.replan import print_explanation, reject_unreachable

    reject_unreachable(inst, instance, lg)
    t0 = time.monotonic()  # --time-limit covers the solve and the explanation together
    quiet = as_json or not sys.stderr.isatty()

    def progress(ev: dict) -> None:
        if ev["phase"] == "decompose":
            line = txt["decompose"].format(**ev)
        elif ev["phase"] == "first_plan":
            line = txt["first"].format(t=ev["time"])
        elif ev["phase"] == "polish":
            line = txt["polish"].format(**ev)
        else:
            line = txt["progress"].format(obj=ev["objective"], bound=ev["bound"], t=ev["time"])
        if quiet:
            err.print(line, markup=False)
        else:
            err.print(f"\r{line:<60}", end="", markup=False)

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
                                                     progress=progress)
        else:
            result = api.solve_and_verify(inst, time_limit=time_limit, workers=workers,
                                          seed=seed, progress=progress)
    except api.VerificationError as exc:
        err.print(txt["verify_failed"], markup=False)
        for v in exc.violations[:20]:
            err.print(f"  {v.message}", markup=False)
        raise typer.Exit(5) from None
    if not quiet:
        err.print()
    result.input_hash = digest
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
    if as_json:
        typer.echo(json.dumps(result.summary(), indent=2, default=str))
    elif result.status.has_plan:
        gap = f"{100 * result.gap:.1f} %" if result.gap is not None else "-"
        err.print(f"{txt['status']}: {result.status.value}  objective {result.objective:g}  "
                  f"bound {result.bound:g}  gap {gap}  {result.wall_time:.1f} s", markup=False)
        err.print("  " + ", ".join(f"{k}={v}" for k, v in result.terms.items()), markup=False)
        err.print(txt["written"].format(dir=out), markup=False)
    if soft_capacity and result.status.has_plan and not as_json:
        from scheduler.commands.replan import print_overruns
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
    plan: Annotated[Path, typer.Argument(help="plan.csv to verify")],
    lang: LangOpt = "sv",
) -> None:
    """Verify a plan against every rule and recompute each objective term."""
    lg = _lang(lang)
    inst, _ = _load(instance)
    try:
        stints = read_plan_csv(plan)
    except PlanFormatError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(2) from None
    except UnicodeDecodeError:
        err.print(TEXT[lg]["plan_not_utf8"].format(plan=plan), markup=False)
        raise typer.Exit(2) from None
    violations = checker.check(inst, stints, lang=lg)
    for v in violations:
        typer.echo(v.message)
    terms = checker.evaluate(inst, stints)
    typer.echo("  ".join(f"{k}={v}" for k, v in terms.items())
               + f"  objective={checker.objective(inst, terms)}")
    if violations:
        err.print(TEXT[lg]["violations"].format(n=len(violations)), markup=False)
        raise typer.Exit(1)
    err.print(TEXT[lg]["clean"], markup=False)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the instance format."""
    typer.echo(json.dumps(Instance.model_json_schema(), indent=2, ensure_ascii=False))


from scheduler.commands import register_all  # noqa: E402  (after the shared helpers above)

register_all(app)


def main() -> None:
    try:
        app()
    except SystemExit:
        raise
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
