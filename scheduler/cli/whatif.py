"""``atbt whatif``, ``atbt capacity`` and ``atbt batch``: scenario sweeps and intake capacity.

Exit codes: 0 the report was written (variants that failed, were proven infeasible, found no
plan in time or were killed after their time limit are rows of the report, not errors), 2
invalid input or an unusable --out, 4 ``capacity`` found no base plan in time, 130
interrupted (finished results are kept and the report is written from them), 5 internal
error (``scheduler.cli.main``).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from scheduler.cli.common import (
    MAX_TIME_LIMIT,
    MAX_WORKERS,
    LangOpt,
    SeedOpt,
    err,
    keep_plan,
    load_input,
    parse_lang,
)
from scheduler.i18n import Lang, tr

# The ranges of scheduler.cli.common (docs/SECURITY.md); the help says what they mean here.
TimeOpt = Annotated[float, typer.Option("--time-limit", min=1, max=MAX_TIME_LIMIT,
                                        help="Seconds per variant (per solve for capacity)")]
WorkersOpt = Annotated[int, typer.Option("--workers", min=1, max=MAX_WORKERS,
                                         help="CP-SAT threads per solve")]
JobsOpt = Annotated[int | None, typer.Option(
    "--jobs", min=1, max=MAX_WORKERS,
    help="Variants at once (default: cores / workers)")]
GraceOpt = Annotated[float | None, typer.Option(
    "--grace", min=0, help="Seconds a variant may run past --time-limit before it is killed "
                           "and reported as timed out (default 30 + 25 % of the limit)")]
ClusterOpt = Annotated[str | None, typer.Option(
    "--cluster", help="Dask scheduler address, e.g. tcp://host:8786 (extra 'cluster')")]


def _ticker(lg: Lang):
    from rich.console import Console

    from scheduler.whatif.runner import BatchProgress

    err = Console(stderr=True, highlight=False, soft_wrap=True)
    tty = sys.stderr.isatty()
    last: list = [None]

    def tick(p: BatchProgress) -> None:
        line = tr("cli_whatif.progress", lg, done=p.done, total=p.total, running=p.running,
                  failed=p.failed, eta=p.eta())
        if tty:
            err.print(f"\r{line:<78}", end="", markup=False)
            if p.done == p.total:
                err.print()
        elif (p.done, p.failed) != last[0]:  # logs: a line per change, not per poll
            err.print(line, markup=False)
        last[0] = (p.done, p.failed)

    return tick


def _counts(outcomes, lg: Lang) -> None:
    from scheduler.whatif.runner import status_counts

    err.print(tr("cli_whatif.counts", lg, **status_counts(outcomes)), markup=False)


def _settings(time_limit: float, workers: int, jobs: int | None, seed: int,
              cluster: str | None, warm: bool, charts: bool, lg: Lang,
              grace: float | None = None):

    from scheduler.whatif.runner import plan_jobs
    from scheduler.whatif.sweep import Settings

    if cluster is not None:
        try:
            import distributed  # noqa: F401
        except ImportError:
            err.print(tr("cli_whatif.no_dask", lg), markup=False)
            raise typer.Exit(2) from None
    cores = os.cpu_count() or 1
    parallel = plan_jobs(jobs, workers, cores)
    if cluster is None:
        err.print(tr("cli_whatif.jobs", lg, jobs=parallel, workers=workers, cores=cores),
                  markup=False)
    return Settings(time_limit=time_limit, workers=workers, seed=seed, parallel=parallel,
                    cluster=cluster, warm_start=warm, charts=charts, grace=grace)


def _out_dir(out: Path, inputs: tuple[Path, ...] = (), names: tuple[str, ...] = ()) -> None:
    """Refuse a file as --out, or an --out where a report would overwrite an input (exit 2)."""
    from scheduler.i18n import language

    if out.exists() and not out.is_dir():
        err.print(tr("cli.out_not_dir", language(), out=out), markup=False)
        raise typer.Exit(2)
    resolved = {p.resolve() for p in inputs}
    for name in names:
        if (out / name).resolve() in resolved:
            err.print(tr("cli.out_is_input", language(), target=out / name), markup=False)
            raise typer.Exit(2)


def _signed(n: int | None, none: str) -> str:
    return none if n is None else f"{n:+d}"


def unit_lines(rep, lg: Lang) -> list[str]:
    """``--unit U --add k`` in whole trainees per start, then per start and jointly."""
    answers = rep.unit_answers
    if not answers:
        return []
    per = [a for a in answers if a.start is not None]
    deltas = sorted({a.delta for a in per if a.delta is not None})
    delta = (tr("cli_whatif.unit_none", lg) if not deltas else f"{deltas[0]:+d}" if len(deltas) == 1
             else f"{deltas[0]:+d}..{deltas[-1]:+d}")
    kinds = "/".join(sorted({a.kind for a in per})) or "AT/BT"
    a0 = answers[0]
    lines = [tr("cli_whatif.unit_head", lg, sign="+" if a0.add > 0 else "", add=a0.add,
                unit=a0.unit,
                                     delta=delta, kind=kinds)]
    for a in answers:
        approx = "" if a.exact else tr("cli_whatif.unit_approx", lg)
        after = "-" if a.after is None else a.after
        d = _signed(a.delta, tr("cli_whatif.unit_none", lg))
        if a.start is not None:
            lines.append(tr("cli_whatif.unit_start", lg, start=a.start, kind=a.kind,
                            before=a.before, after=after, delta=d, approx=approx))
        else:
            lines.append(tr("cli_whatif.unit_joint", lg, before=a.before, after=after, delta=d,
                            approx=approx))
    return lines


def whatif(
    base: Annotated[Path, typer.Argument(help="Base instance (YAML or workbook)")],
    scenarios: Annotated[Path, typer.Argument(help="Scenario file (YAML)")],
    out: Annotated[Path, typer.Option("--out", help="Output folder")] = Path(
        "reports/whatif"),
    time_limit: TimeOpt = 60.0,
    workers: WorkersOpt = 1,
    jobs: JobsOpt = None,
    seed: SeedOpt = 0,
    cluster: ClusterOpt = None,
    warm_start: Annotated[bool, typer.Option(
        "--warm-start/--no-warm-start",
        help="Solve the base first and reuse its plan where it still fits")] = True,
    charts: Annotated[bool, typer.Option("--charts/--no-charts")] = True,
    grace: GraceOpt = None,
    lang: LangOpt = "sv",
) -> None:
    """Solve every scenario variant of BASE; write a comparison workbook and charts."""
    from scheduler.inputs.yaml_io import InputError
    from scheduler.whatif.scenario import load_scenarios
    from scheduler.whatif.sweep import whatif as run_whatif

    lg = parse_lang(lang)
    inst, _ = load_input(base)
    try:
        variants, folder = load_scenarios(scenarios)
    except InputError as exc:
        err.print(exc.render(), markup=False)
        raise typer.Exit(2) from None
    _one_folder_each([(v.name, v.name) for v in variants], lg)
    _out_dir(out, (base, scenarios), ("whatif.xlsx", "results.jsonl"))
    st = _settings(time_limit, workers, jobs, seed, cluster, warm_start, charts, lg,
                   grace)
    try:
        path, outcomes = run_whatif(inst, variants, folder, out, st, lang=lg,
                                    tick=_ticker(lg))
    except KeyboardInterrupt:
        log = (out / "results.jsonl").read_text(encoding="utf-8")
        n = len(log.splitlines())
        err.print(tr("cli_whatif.interrupted", lg, n=n, out=out), markup=False)
        raise typer.Exit(130) from None
    _counts(outcomes, lg)
    err.print(tr("cli_whatif.written", lg, path=path), markup=False)

def capacity(
    base: Annotated[Path, typer.Argument(help="Base instance (YAML or workbook)")],
    plan: Annotated[Path | None, typer.Option(
        "--plan", help="Base plan.csv holding the other starts (default: solve the base)")
    ] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Folder for capacity.xlsx and capacity.json")] = None,
    time_limit: TimeOpt = 20.0,
    base_time_limit: Annotated[float, typer.Option(
        "--base-time-limit", min=1, help="Seconds for the base plan")] = 60.0,
    workers: WorkersOpt = 1,
    seed: SeedOpt = 0,
    marginal: Annotated[int, typer.Option(
        "--marginal", min=0, help="Bottleneck units per start re-solved with one more "
                                  "supervisor")] = 3,
    start: Annotated[list[str] | None, typer.Option(
        "--start", help="Only this start date (YYYY-MM-DD); repeatable")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    cuts: Annotated[bool, typer.Option(
        "--cuts/--no-cuts", help="Redundant stint-packing and energy cuts for a tighter "
                                 "upper bound (docs/WHATIF.md)")] = True,
    keep: Annotated[Path | None, typer.Option(
        "--keep", help="Trainees with stints in this plan keep them; ask about the "
                       "intakes without (the next recruitment round)")] = None,
    unit: Annotated[str | None, typer.Option(
        "--unit", help="Ask what more supervisors at this unit give (with --add)")] = None,
    add: Annotated[int, typer.Option(
        "--add", help="Supervisors more (or fewer, negative) at --unit")] = 1,
    joint: Annotated[bool, typer.Option(
        "--joint/--no-joint", help="Also the largest total intake over all starts at "
                                   "once (one model)")] = True,
    lang: LangOpt = "sv",
) -> None:
    """Largest intake per start and over all starts, bottlenecks, what a supervisor more
    is worth."""
    from scheduler.whatif.capacity import intake_capacity, marginal_summary

    lg = parse_lang(lang)
    inst, _ = load_input(base)
    if out is not None:
        _out_dir(out)
    _check_unit(inst, unit, lg)
    kept_plan = None
    if keep is not None:
        inst, _day, kept_plan = keep_plan(inst, keep, None, lg)
    known = sorted({c.start for c in inst.cohorts})
    if kept_plan is not None and not start:
        start = _next_round(inst, kept_plan, keep, lg)
    starts = _parse_starts(start, known, lg) if start else None
    asked = ({date.fromisoformat(s) for s in start} if start else set(known))
    stints, status = _base_plan(inst, plan, kept_plan, asked, base_time_limit, workers, seed,
                                lg)

    def show(s) -> None:
        binding = ", ".join(f"{b.unit} {b.weeks_full}v" for b in s.binding[:4]) or "-"
        kinds = "+".join(sorted({g.kind for g in s.groups}))
        approx = "" if s.status == "optimal" else tr("cli_whatif.approx", lg, bound=s.bound)
        line = tr("cli_whatif.start", lg, start=s.start, kinds=kinds, base=s.base,
                  adm=s.admitted, approx=approx, status=s.status,
                  t=s.wall_time, binding=binding)
        (err.print(line, markup=False) if as_json else typer.echo(line))

    rep = intake_capacity(inst, stints, time_limit=time_limit, workers=workers, seed=seed,
                          marginal_units=marginal, base_status=status, progress=show,
                          starts=starts, cuts=cuts, joint=joint,
                          unit_add=(unit, add) if unit is not None else None)
    summary = marginal_summary(inst, rep)
    _print_capacity(rep, summary, as_json, lg)
    if out is not None:
        _write_capacity(inst, rep, summary, out, lg)


def _print_capacity(rep, summary: list, as_json: bool, lg: Lang) -> None:
    """The joint answer, the --unit answer, then JSON on stdout or notes and gains."""
    echo = (lambda line: err.print(line, markup=False)) if as_json else typer.echo
    j = rep.joint
    if j is not None and len(rep.starts) > 1:
        echo(tr("cli_whatif.joint", lg, n=len(rep.starts), adm=j.admitted, base=j.base,
                status=j.status,
            t=j.wall_time,
            approx="" if j.status == "optimal" else tr("cli_whatif.approx", lg, bound=j.bound)))
        echo(tr("cli_whatif.explain", lg))
    for line in unit_lines(rep, lg):
        echo(line)
    if as_json:
        typer.echo(json.dumps({"instance": rep.instance, "base_status": rep.base_status,
                               "notes": rep.notes,
                               "starts": [asdict(s) for s in rep.starts],
                               "joint": asdict(j) if j is not None else None,
                               "unit": [{**asdict(a), "delta": a.delta}
                                        for a in rep.unit_answers],
                               "marginal": summary}, default=str, indent=2))
    else:
        for note in rep.notes:
            typer.echo(note)
        gains = [r for r in summary if r[4] is not None and r[4] > 0]  # None: untested
        if gains:
            typer.echo(tr("cli_whatif.marginal", lg))
            for u, name, kind, k, per_year in gains:
                typer.echo(f"  {u:<18} {kind:<5} {per_year:>6.2f}  ({k})  {name}")


def _write_capacity(inst, rep, summary: list, out: Path, lg: Lang) -> None:
    from scheduler.outputs import write_atomic
    from scheduler.whatif.report import write_capacity_workbook

    j = rep.joint
    out.mkdir(parents=True, exist_ok=True)
    write_capacity_workbook(inst, rep, out / "capacity.xlsx", lang=lg)
    write_atomic(out / "capacity.json", json.dumps(
        {"starts": [asdict(s) for s in rep.starts], "marginal": summary,
         "joint": asdict(j) if j is not None else None,
         "unit": [{**asdict(a), "delta": a.delta} for a in rep.unit_answers],
         "notes": rep.notes}, default=str, indent=2).encode("utf-8"))


def _check_unit(inst, unit: str | None, lg: Lang) -> None:
    """--unit must name a unit with a capacity (exit 2)."""
    if unit is not None:
        asked_unit = next((x for x in inst.units if x.id == unit), None)
        if asked_unit is None or asked_unit.capacity is None:
            key = "bad_unit" if asked_unit is None else "unlimited_unit"
            err.print(tr(f"cli_whatif.{key}", lg, unit=unit), markup=False)
            raise typer.Exit(2)


def _next_round(inst, kept_plan: list, keep: Path | None, lg: Lang) -> list[str]:
    """The next round: the starts with members who have no stint in the kept plan."""
    kept_ids = {s.trainee for s in kept_plan}
    new = sorted({c.start for c in inst.cohorts
                  if any(m not in kept_ids for m in c.member_ids())})
    if not new:
        err.print(tr("cli_whatif.no_new_start", lg, plan=keep), markup=False)
        raise typer.Exit(2)
    return [d.isoformat() for d in new]


def _parse_starts(start: list[str], known: list[date], lg: Lang) -> list[date]:
    """--start as dates of the instance's starts (exit 2 otherwise)."""
    try:
        starts = [date.fromisoformat(s) for s in start]
    except ValueError as exc:
        err.print(f"--start: {exc}", markup=False)
        raise typer.Exit(2) from None
    unknown = [s for s in starts if s not in known]
    if unknown:
        err.print(tr("cli_whatif.bad_start", lg, start=", ".join(map(str, unknown)),
                     known=", ".join(map(str, known))),
            markup=False)
        raise typer.Exit(2)
    return starts


def _base_plan(inst, plan: Path | None, kept_plan: list | None, asked: set[date],
               base_time_limit: float, workers: int, seed: int, lg: Lang
               ) -> tuple[list | None, str]:
    """The plan of the other starts and its status: kept, given (--plan), or solved."""
    from scheduler import api
    from scheduler.plan import PlanFormatError, read_plan_csv

    stints = None
    status = "given"
    if plan is None and kept_plan is not None and all(
            t.start in asked or t.id in {s.trainee for s in kept_plan}
            for t in inst.all_trainees()):
        stints = kept_plan  # everyone else is kept: no base plan to solve
    elif plan is not None:
        try:
            stints = read_plan_csv(plan)
        except (PlanFormatError, UnicodeDecodeError) as exc:
            err.print(f"{plan}: {exc}", markup=False)
            raise typer.Exit(2) from None
    elif len({t.start for t in inst.all_trainees()}) > 1:
        r = api.solve_and_verify(inst, time_limit=base_time_limit, workers=max(2, workers),
                                 seed=seed)
        status = r.status.value
        err.print(tr("cli_whatif.base", lg, status=status, t=r.wall_time), markup=False)
        if not r.status.has_plan:
            err.print(tr("cli_whatif.base_failed", lg, status=status), markup=False)
            raise typer.Exit(4 if status == "no_plan_in_time" else 3)
        stints = r.stints
    return stints, status


def _one_folder_each(named: list[tuple[str, str]], lg: Lang) -> None:
    """Refuse names that share a report folder (region.yaml beside region.xlsx, variants
    'vc stänger' and 'vc_stänger'): one would silently replace the other (exit 2)."""
    from scheduler.whatif.report import slug

    groups: dict[str, list[str]] = {}
    for label, name in named:  # (as the user knows it, the name the folder is made from)
        groups.setdefault(slug(name).casefold(), []).append(label)
    clashes = [g for g in groups.values() if len(g) > 1]
    for g in clashes:
        err.print(tr("cli_whatif.same_folder", lg, names=", ".join(f"'{n}'" for n in g),
                     slug=slug(next(n for lb, n in named if lb == g[0]))),
                  markup=False)
    if clashes:
        raise typer.Exit(2)

def batch(
    folder: Annotated[Path, typer.Argument(help="Folder of instance files")],
    out: Annotated[Path, typer.Option("--out", help="Output folder")] = Path(
        "reports/batch"),
    time_limit: TimeOpt = 60.0,
    workers: WorkersOpt = 1,
    jobs: JobsOpt = None,
    seed: SeedOpt = 0,
    cluster: ClusterOpt = None,
    charts: Annotated[bool, typer.Option("--charts/--no-charts")] = True,
    grace: GraceOpt = None,
    lang: LangOpt = "sv",
) -> None:
    """Solve every instance in FOLDER: one report each plus a summary workbook."""
    from scheduler import api
    from scheduler.whatif.sweep import batch as run_batch

    lg = parse_lang(lang)
    if not folder.is_dir():
        err.print(tr("cli_whatif.not_dir", lg, dir=folder), markup=False)
        raise typer.Exit(2)
    paths = sorted(p for p in folder.iterdir()
                   if p.suffix.lower() in (".yaml", ".yml", ".xlsx") and p.is_file()
                   and not p.name.startswith((".", "~$")))
    if not paths:
        err.print(tr("cli_whatif.no_files", lg, dir=folder), markup=False)
        raise typer.Exit(2)
    _one_folder_each([(p.name, p.stem) for p in paths], lg)
    _out_dir(out, tuple(paths), ("summary.xlsx", "results.jsonl"))
    st = _settings(time_limit, workers, jobs, seed, cluster, False, charts, lg, grace)
    try:
        path, outcomes = run_batch(paths, out, st, lang=lg, tick=_ticker(lg),
                                   load=lambda p: api.load(p)[0])
    except KeyboardInterrupt:
        err.print(tr("cli_whatif.interrupted", lg, n="?", out=out), markup=False)
        raise typer.Exit(130) from None
    _counts(outcomes, lg)
    err.print(tr("cli_whatif.summary", lg, path=path), markup=False)


def register(app: typer.Typer) -> None:
    """Add ``whatif``, ``capacity`` and ``batch`` to ``app``."""
    app.command()(whatif)
    app.command()(capacity)
    app.command()(batch)
