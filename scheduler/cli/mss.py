"""``atbt mss``: the Medical Student Scheduling benchmark (Akbarzadeh & Maenhout; Zanazzo et al.).

``atbt mss solve FILE.dzn --out DIR`` writes ``schedule.csv`` (student, period, hospital,
discipline; 1-based as in the ``.dzn``) and ``score.json``; ``atbt mss bench [DIR]`` solves a
folder of instances and writes the comparison table under ``benchmarks/results/``.

Exit codes: 0 written, 2 invalid input or an unusable --out, 3 proven infeasible, 4 no schedule
within the time limit, 5 a schedule failed the independent check (nothing written for
``solve``; ``bench`` still writes its table), 130 ``bench`` interrupted (finished rows kept).
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from scheduler.cli.common import err, parse_lang
from scheduler.i18n import Lang, tr

OUTPUTS = ("schedule.csv", "score.json")

mss_app = typer.Typer(no_args_is_help=True, add_completion=False,
                      help="Medical Student Scheduling benchmark (MiniZinc .dzn instances).")


def _read(path: Path):
    from scheduler.mss.dzn import DznError, read_instance

    try:
        return read_instance(path)
    except DznError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(2) from None


def schedule_csv(cells) -> str:
    """One row per student and attended period, 1-based, sorted."""
    lines = ["student,period,hospital,discipline"]
    for s, t, h, d in sorted(cells):
        lines.append(f"{s + 1},{t + 1},{h + 1},{d + 1}")
    return "\n".join(lines) + "\n"


@mss_app.command("solve")
def solve_cmd(
    instance: Annotated[Path, typer.Argument(help="MSS instance (.dzn)")],
    out: Annotated[Path, typer.Option("--out", help="Output folder")] = Path("reports/mss"),
    time_limit: Annotated[float, typer.Option("--time-limit", min=1)] = 60.0,
    workers: Annotated[int, typer.Option("--workers", min=1)] = 2,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    lang: Annotated[str, typer.Option("--lang", help="sv|en")] = "sv",
) -> None:
    """Solve one instance; write schedule.csv and score.json (checker-verified)."""
    from scheduler.mss.check import check
    from scheduler.mss.evaluate import evaluate
    from scheduler.mss.solve import solve
    from scheduler.outputs import write_atomic

    lg = parse_lang(lang)
    inst = _read(instance)
    if out.exists() and not out.is_dir():
        err.print(tr("cli_mss.out_not_dir", lg, out=out), markup=False)
        raise typer.Exit(2)
    for name in OUTPUTS:
        if (out / name).resolve() == instance.resolve():
            err.print(tr("cli_mss.out_is_input", lg, target=out / name), markup=False)
            raise typer.Exit(2)
    res = solve(inst, time_limit=time_limit, workers=workers, seed=seed)
    if res.status == "infeasible":
        err.print(tr("cli_mss.infeasible", lg), markup=False)
        raise typer.Exit(3)
    if not res.cells:
        err.print(tr("cli_mss.no_plan", lg, limit=time_limit), markup=False)
        raise typer.Exit(4)
    violations = check(inst, res.cells)
    if violations:
        err.print(tr("cli_mss.verify_failed", lg), markup=False)
        for v in violations[:20]:
            err.print(f"  {v.message}", markup=False)
        raise typer.Exit(5)
    sc = evaluate(inst, res.cells)
    summary = {
        "instance": str(instance), "status": res.status, "score": sc.score,
        "bound": res.bound, "solver_objective": res.objective, "total": sc.total,
        "worst": sc.worst, "terms": sc.terms, "wall_time": round(res.wall_time, 2),
        "time_limit": time_limit, "workers": workers, "seed": seed,
        "first_plan": res.first_plan,
    }
    try:
        write_atomic(out / "schedule.csv", schedule_csv(res.cells).encode())
        write_atomic(out / "score.json", (json.dumps(summary, indent=2) + "\n").encode())
    except OSError as exc:
        err.print(tr("cli_mss.out_failed", lg, out=out, error=exc), markup=False)
        raise typer.Exit(2) from None
    err.print(tr("cli_mss.summary", lg, status=res.status, score=sc.score, bound=res.bound,
                 t=res.wall_time), markup=False)
    err.print("  " + ", ".join(f"{k}={v}" for k, v in sc.terms.items()), markup=False)
    err.print(tr("cli_mss.written", lg, dir=out), markup=False)


@mss_app.command("bench")
def bench_cmd(
    folder: Annotated[Path | None, typer.Argument(
        help="Folder of .dzn instances (default: the MSS benchmark, both sets)")] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", min=1)] = 60.0,
    workers: Annotated[int, typer.Option("--workers", min=1)] = 2,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    only: Annotated[str | None, typer.Option(
        "--only", help="Instance names matching this glob, e.g. 'Instance_1?'")] = None,
    jobs: Annotated[int, typer.Option(
        "--jobs", min=1, help="Instances solved in parallel processes "
                              "(jobs x workers must not exceed the cores)")] = 1,
    out: Annotated[Path | None, typer.Option(
        "--out", help="CSV file (a .md table is written beside it)")] = None,
    lang: Annotated[str, typer.Option("--lang", help="sv|en")] = "sv",
) -> None:
    """Solve every instance, verify it, and tabulate score, bound and best known result."""
    from scheduler.mss import bench
    from scheduler.mss.dzn import DznError
    from scheduler.outputs import write_atomic

    lg = parse_lang(lang)
    folder, files, csv_path = _bench_inputs(folder, only, jobs, workers, out, lg)
    known = bench.best_known(folder)
    md_path = csv_path.with_suffix(".md")
    rows: list[bench.Row] = []
    order = {p.stem: k for k, p in enumerate(files)}

    def save() -> None:
        rows.sort(key=lambda r: order.get(r.instance, len(order)))
        try:
            write_atomic(csv_path, bench.to_csv(rows).encode())
            write_atomic(md_path, bench.to_markdown(rows, time_limit, workers, jobs).encode())
        except OSError as exc:
            err.print(tr("cli_mss.out_failed", lg, out=csv_path, error=exc), markup=False)
            raise typer.Exit(2) from None

    def done(row: bench.Row) -> None:
        rows.append(row)
        err.print(tr("cli_mss.row", lg, name=row.instance, status=row.status, score=row.score,
                     bound=row.bound, best=row.best_known, t=row.time_s),
                  markup=False)
        save()  # after every instance: a long run keeps what it finished

    pool = None
    try:
        if jobs == 1:
            for path in files:
                try:
                    done(bench.run_one(path, known, time_limit, workers, seed))
                except DznError as exc:
                    err.print(str(exc), markup=False)
                    raise typer.Exit(2) from None
        else:
            from concurrent.futures import ProcessPoolExecutor, as_completed

            pool = ProcessPoolExecutor(max_workers=jobs, initializer=child_signals)
            futures = [pool.submit(_run_one, path, known, time_limit, workers, seed)
                       for path in files]
            for fut in as_completed(futures):
                row, error = fut.result()
                if error is not None:
                    err.print(error, markup=False)
                    pool.shutdown(wait=False, cancel_futures=True)
                    raise typer.Exit(2)
                assert row is not None
                done(row)
            pool.shutdown()
    except KeyboardInterrupt:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        save()
        err.print(tr("cli_mss.interrupted", lg, n=len(rows)), markup=False)
        raise typer.Exit(130) from None
    sys.stdout.write(bench.to_markdown(rows, time_limit, workers, jobs))
    err.print(tr("cli_mss.bench_written", lg, csv=csv_path, md=md_path), markup=False)
    bad = sum(1 for r in rows if r.violations)
    if bad:
        err.print(tr("cli_mss.bad_schedules", lg, n=bad), markup=False)
        raise typer.Exit(5)


def _bench_inputs(folder: Path | None, only: str | None, jobs: int, workers: int,
                  out: Path | None, lg: Lang) -> tuple[Path, list[Path], Path]:
    """The folder, its instances (--only) and the CSV to write; exit 2 if unusable."""
    from fnmatch import fnmatch

    from scheduler.mss import bench
    from scheduler.mss.dzn import benchmark_dir

    cores = available_cores()
    if jobs * workers > cores:
        # Refused rather than clamped: oversubscribed cores would silently change what the
        # time limit means for every instance of the table.
        err.print(tr("cli_mss.too_many_jobs", lg, jobs=jobs, workers=workers, n=jobs * workers,
                     cores=cores), markup=False)
        raise typer.Exit(2)
    folder = folder or benchmark_dir()
    if not folder.is_dir():
        err.print(tr("cli_mss.not_dir", lg, dir=folder), markup=False)
        raise typer.Exit(2)
    files = [p for p in bench.instance_files(folder) if only is None or fnmatch(p.stem, only)]
    if not files:
        err.print(tr("cli_mss.no_files", lg, dir=folder), markup=False)
        raise typer.Exit(2)
    csv_path = out or Path("benchmarks/results") / f"mss-{folder.name}-{date.today()}.csv"
    if csv_path.exists() and csv_path.is_dir():
        err.print(tr("cli_mss.out_not_dir", lg, out=csv_path), markup=False)
        raise typer.Exit(2)
    return folder, files, csv_path


@mss_app.command("bound")
def bound_cmd(
    folder: Annotated[Path | None, typer.Argument(
        help="Folder of .dzn instances (default: the MSS benchmark, both sets)")] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", min=1)] = 60.0,
    only: Annotated[str | None, typer.Option("--only", help="Instance names glob")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Markdown file for the table (default: print only)")] = None,
    lang: Annotated[str, typer.Option("--lang", help="sv|en")] = "sv",
) -> None:
    """Upper bounds alone: each student's best SatTot with all the capacity, by the pricing
    programme (no CP-SAT), summed plus the smallest; beside the published bounds."""
    import resource
    import time
    from fnmatch import fnmatch

    from scheduler.mss import bench
    from scheduler.mss.colgen import ideal_bounds
    from scheduler.mss.dzn import DznError, benchmark_dir, read_instance
    from scheduler.outputs import write_atomic

    lg = parse_lang(lang)
    folder = folder or benchmark_dir()
    if not folder.is_dir():
        err.print(tr("cli_mss.not_dir", lg, dir=folder), markup=False)
        raise typer.Exit(2)
    files = [p for p in bench.instance_files(folder) if only is None or fnmatch(p.stem, only)]
    if not files:
        err.print(tr("cli_mss.no_files", lg, dir=folder), markup=False)
        raise typer.Exit(2)
    known = bench.best_known(folder)
    lines = ["| instance | bound | best known | published bound | bound - best known | "
             "cpu s |", "|---|---|---|---|---|---|"]
    for path in files:
        try:
            inst = read_instance(path)
        except DznError as exc:
            err.print(str(exc), markup=False)
            raise typer.Exit(2) from None
        cpu = resource.getrusage(resource.RUSAGE_SELF).ru_utime
        ub = ideal_bounds(inst, time.monotonic() + time_limit)
        cpu = resource.getrusage(resource.RUSAGE_SELF).ru_utime - cpu
        b = sum(ub) + min(ub) if ub else None
        best, pub = known.get(inst.name, (None, None))
        gap = b - best if b is not None and best is not None else None
        row = [inst.name, b, best, pub, gap, f"{cpu:.1f}"]
        lines.append("| " + " | ".join("-" if v is None else str(v) for v in row) + " |")
        sys.stdout.write(lines[-1] + "\n")
        sys.stdout.flush()
    if out is not None:
        head = (f"# MSS upper bounds (pricing programme, no prices)\n\n"
                f"{bench.machine()}; command: `{bench.command()}`; load average at the end "
                f"(1, 5, 15 min): {bench.load()}.\n\n")
        try:
            write_atomic(out, (head + "\n".join(lines) + "\n").encode())
        except OSError as exc:
            err.print(tr("cli_mss.out_failed", lg, out=out, error=exc), markup=False)
            raise typer.Exit(2) from None


def available_cores() -> int:
    """Cores this process may run on (the affinity mask where the OS has one)."""
    import os

    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def child_signals() -> None:
    """In a bench worker process: SIGTERM ends it. The forked child inherits the CLI's
    handler (:mod:`scheduler.halt`), which only sets a flag the MSS solve never polls, so
    ``kill`` on a worker was ignored until its instance finished."""
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _run_one(path: Path, known, time_limit: float, workers: int, seed: int):
    """``bench.run_one`` in a worker process; a malformed instance comes back as its message
    (the reader's exception does not survive pickling)."""
    from scheduler.mss import bench
    from scheduler.mss.dzn import DznError

    try:
        return bench.run_one(path, known, time_limit, workers, seed), None
    except DznError as exc:
        return None, str(exc)


def register(app: typer.Typer) -> None:
    """Add ``atbt mss solve``, ``atbt mss bench`` and ``atbt mss bound``."""
    app.add_typer(mss_app, name="mss")
