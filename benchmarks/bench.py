"""Benchmark: solve the example regions and print a table (not a timed test).

Per instance: time to the first checker-clean plan, objective, bound and gap at the time limit,
with a fixed seed and 2 workers (the target machine has 2 cores). With ``--repeats N`` each
instance is solved N times and the medians are printed. Targets (issue: core engine): Örebro
gives a plan within 30 s and a gap of at most 5 % within 120 s.

    python benchmarks/bench.py                      # every instance in instances/, 120 s each
    python benchmarks/bench.py instances/orebro.yaml --time-limit 60 --repeats 3
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

from scheduler import checker
from scheduler.api import solve_and_verify
from scheduler.io import load_instance
from scheduler.solver.solve import versions

ROOT = Path(__file__).resolve().parents[1]


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{platform.node()} | {os.cpu_count()} cores | {cpu} | Python "
            f"{platform.python_version()} | ortools {versions()['ortools']} | load {load:.1f}")


def run(path: Path, time_limit: float, workers: int, seed: int) -> dict:
    inst = load_instance(path)
    t0 = time.monotonic()
    r = solve_and_verify(inst, time_limit=time_limit, workers=workers, seed=seed)
    wall = time.monotonic() - t0
    clean = r.status.has_plan and not checker.check(inst, r.stints)
    return {"trainees": len(inst.all_trainees()), "units": len(inst.units),
            "weeks": inst.n_weeks, "status": r.status.value, "first": r.time_to_first,
            "objective": r.objective, "bound": r.bound, "gap": r.gap, "wall": wall,
            "clean": clean, "terms": r.terms}


def med(xs: list) -> float | None:
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x: float | None, spec: str) -> str:
    return "-" if x is None else format(x, spec)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("instances", nargs="*", type=Path)
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=1)
    args = ap.parse_args(argv)
    paths = args.instances or sorted((ROOT / "instances").glob("*.yaml"))
    # A bare name ("orebro") means the example region of that name.
    paths = [p if p.exists() or p.suffix else ROOT / "instances" / f"{p}.yaml" for p in paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"bench.py: no such instance: {', '.join(missing)}", file=sys.stderr)
        return 2
    print(f"machine: {machine()}")
    print(f"settings: time limit {args.time_limit:g} s, {args.workers} workers, seed "
          f"{args.seed}, {args.repeats} run(s) per instance (medians)\n")
    head = (f"{'instance':<18}{'trainees':>9}{'units':>6}{'weeks':>6}  {'status':<10}"
            f"{'first plan s':>13}{'objective':>11}{'bound':>10}{'gap %':>7}{'wall s':>8}"
            f"  checker")
    print(head)
    print("-" * len(head))
    for p in paths:
        runs = [run(p, args.time_limit, args.workers, args.seed) for _ in range(args.repeats)]
        r0 = runs[-1]
        gap = med([r["gap"] for r in runs])
        print(f"{p.stem:<18}{r0['trainees']:>9}{r0['units']:>6}{r0['weeks']:>6}  "
              f"{r0['status']:<10}{fmt(med([r['first'] for r in runs]), '.1f'):>13}"
              f"{fmt(med([r['objective'] for r in runs]), '.0f'):>11}"
              f"{fmt(med([r['bound'] for r in runs]), '.0f'):>10}"
              f"{fmt(None if gap is None else 100 * gap, '.1f'):>7}"
              f"{fmt(med([r['wall'] for r in runs]), '.1f'):>8}  "
              f"{'clean' if all(r['clean'] for r in runs) else 'VIOLATIONS'}")
        print(f"{'':<18}terms: " + ", ".join(f"{k}={v}" for k, v in r0["terms"].items()))
        if len(runs) > 1:  # the spread behind the medians
            print(f"{'':<18}runs: " + " | ".join(
                f"{fmt(r['objective'], '.0f')} / {fmt(r['bound'], '.0f')} / "
                f"{fmt(None if r['gap'] is None else 100 * r['gap'], '.1f')} % "
                f"(first {fmt(r['first'], '.1f')} s)" for r in runs))
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
