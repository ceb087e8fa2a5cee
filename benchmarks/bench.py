"""Benchmark: solve the example regions and print a table (not a timed test).

Per instance: time to the first checker-clean plan, objective, bound and gap at the time limit,
with a fixed seed and 2 workers (the target machine has 2 cores). With ``--repeats N`` each
instance is solved N times and the medians are printed. Targets (issue: core engine): Örebro
gives a plan within 30 s and a gap of at most 5 % within 120 s.

    python benchmarks/bench.py                      # every instance in instances/, 120 s each
    python benchmarks/bench.py instances/orebro.yaml --time-limit 60 --repeats 3
    python benchmarks/bench.py --suite --time-limit 120   # the generated regions
                                                          # (benchmarks/suite/), one process
                                                          # each, with its peak memory
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from scheduler import verify as checker
from scheduler.api import solve_and_verify
from scheduler.inputs.yaml_io import load_instance
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


def run_isolated(path: Path, time_limit: float, workers: int, seed: int) -> dict:
    """``run`` in a process of its own, so that its peak memory is its own."""
    out = subprocess.run([sys.executable, __file__, "--one", str(path), "--time-limit",
                          str(time_limit), "--workers", str(workers), "--seed", str(seed)],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        return {"trainees": 0, "units": 0, "weeks": 0, "status": "error", "first": None,
                "objective": None, "bound": None, "gap": None, "wall": None, "clean": False,
                "terms": {}, "mem": None, "error": out.stderr.strip().splitlines()[-1:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def _one(path: Path, time_limit: float, workers: int, seed: int) -> int:
    r = run(path, time_limit, workers, seed)
    # Peak resident memory in MB: this process and its children (the second pipeline).
    r["mem"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                + resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    # CPU seconds of both (on a shared machine wall time says more about the load).
    r["cpu"] = sum(u.ru_utime + u.ru_stime for u in (
        resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)))
    print(json.dumps(r))
    return 0


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
    ap.add_argument("--suite", action="store_true",
                    help="the generated regions of benchmarks/suite/ (or those named)")
    ap.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        return _one(args.one, args.time_limit, args.workers, args.seed)
    if args.suite:
        suite = ROOT / "benchmarks" / "suite"
        names = {p.stem for p in args.instances}
        paths = sorted((p for p in suite.glob("*/region.yaml")
                        if not names or p.parent.name in names),
                       key=lambda p: (len(p.read_bytes()), p.parent.name))
        return _table(paths, args, isolated=True)
    paths = args.instances or sorted((ROOT / "instances").glob("*.yaml"))
    # A bare name ("orebro") means the example region of that name.
    paths = [p if p.exists() or p.suffix else ROOT / "instances" / f"{p}.yaml" for p in paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"bench.py: no such instance: {', '.join(missing)}", file=sys.stderr)
        return 2
    return _table(paths, args, isolated=False)


def _table(paths: list[Path], args: argparse.Namespace, isolated: bool) -> int:
    print(f"machine: {machine()}")
    print(f"settings: time limit {args.time_limit:g} s, {args.workers} workers, seed "
          f"{args.seed}, {args.repeats} run(s) per instance (medians)\n")
    head = (f"{'instance':<24}{'trainees':>9}{'units':>6}{'weeks':>6}  {'status':<10}"
            f"{'first plan s':>13}{'objective':>11}{'bound':>10}{'gap %':>7}{'wall s':>8}"
            f"{'mem MB':>8}  checker")
    print(head)
    print("-" * len(head))
    for p in paths:
        one = run_isolated if isolated else run
        runs = [one(p, args.time_limit, args.workers, args.seed) for _ in range(args.repeats)]
        name = p.parent.name if isolated else p.stem
        r0 = runs[-1]
        gap = med([r["gap"] for r in runs])
        print(f"{name:<24}{r0['trainees']:>9}{r0['units']:>6}{r0['weeks']:>6}  "
              f"{r0['status']:<10}{fmt(med([r['first'] for r in runs]), '.1f'):>13}"
              f"{fmt(med([r['objective'] for r in runs]), '.0f'):>11}"
              f"{fmt(med([r['bound'] for r in runs]), '.0f'):>10}"
              f"{fmt(None if gap is None else 100 * gap, '.1f'):>7}"
              f"{fmt(med([r['wall'] for r in runs]), '.1f'):>8}"
              f"{fmt(med([r.get('mem') for r in runs]), '.0f'):>8}  "
              f"{'clean' if all(r['clean'] for r in runs) else 'VIOLATIONS'}")
        if r0.get("cpu") is not None:
            print(f"{'':<24}cpu s: {fmt(med([r.get('cpu') for r in runs]), '.1f')}")
        if r0.get("error"):
            print(f"{'':<24}error: {r0['error']}")
        print(f"{'':<24}terms: " + ", ".join(f"{k}={v}" for k, v in r0["terms"].items()))
        if len(runs) > 1:  # the spread behind the medians
            print(f"{'':<24}runs: " + " | ".join(
                f"{fmt(r['objective'], '.0f')} / {fmt(r['bound'], '.0f')} / "
                f"{fmt(None if r['gap'] is None else 100 * r['gap'], '.1f')} % "
                f"(first {fmt(r['first'], '.1f')} s)" for r in runs))
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
