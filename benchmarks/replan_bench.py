"""Benchmark: re-plan after random parental leave and print a table (not a timed test).

Takes an instance and its plan (``--plan plan.csv``; without it the instance is solved first
with ``--solve-limit``). Each scenario picks a ``today`` and a trainee whose block runs across
it, adds 4 weeks' parental leave starting 0-12 weeks later, and re-plans with ``--time-limit``.
Per scenario: changed plan.csv rows, trainees concerned, change cost, proven lower bound, and
the wall time. Fixed seed: the same scenarios every run.

    python benchmarks/replan_bench.py instances/orebro.yaml --plan /tmp/orebro-plan/plan.csv
    python benchmarks/replan_bench.py instances/tutorial.yaml --scenarios 3 --time-limit 5
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

from scheduler.api import solve_and_verify
from scheduler.inputs.changes import Changes
from scheduler.inputs.yaml_io import load_instance
from scheduler.plan import read_plan_csv
from scheduler.replanning import replan_and_verify


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("instance", type=Path)
    ap.add_argument("--plan", type=Path, help="the old plan.csv (else solved first)")
    ap.add_argument("--solve-limit", type=float, default=60.0)
    ap.add_argument("--scenarios", type=int, default=5)
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    inst = load_instance(args.instance)
    if args.plan:
        old = read_plan_csv(args.plan)
    else:
        r = solve_and_verify(inst, time_limit=args.solve_limit, workers=args.workers,
                             seed=args.seed)
        if not r.status.has_plan:
            print(f"no plan for {args.instance}: {r.status.value}", file=sys.stderr)
            return 1
        old = r.stints
    rng = random.Random(args.seed)
    first = min(s.start for s in old)
    last = max(s.end for s in old)
    weeks = (last - first).days // 7
    print(f"{'today':<11} {'trainee':<22} {'leave':<11} {'rows':>5} {'who':>4} {'cost':>6} "
          f"{'bound':>6} {'proven':>6} {'time s':>7}  status")
    times = []
    for _ in range(args.scenarios):
        today = first + timedelta(weeks=rng.randrange(4, max(5, weeks - 20)))
        running = sorted({s.trainee for s in old if s.start < today < s.end})
        if not running:
            continue
        who = rng.choice(running)
        start = today + timedelta(weeks=rng.randrange(0, 13))
        ch = Changes.model_validate({"leave": [{"trainee": who, "start": start,
                                                "end": start + timedelta(weeks=4),
                                                "kind": "foraldraledighet"}]})
        t0 = time.monotonic()
        try:
            rp = replan_and_verify(inst, old, today, ch, time_limit=args.time_limit,
                                   workers=args.workers, seed=args.seed)
        except Exception as exc:  # e.g. the leave pushes the block past the horizon
            print(f"{today!s:<11} {who:<22} {start!s:<11} skipped: {exc}".splitlines()[0])
            continue
        wall = time.monotonic() - t0
        times.append(wall)
        r = rp.result
        has = r.status.has_plan
        rows = str(len(rp.diff.removed) + len(rp.diff.added)) if has else "-"
        n_who = str(len(rp.diff.trainees)) if has else "-"
        print(f"{today!s:<11} {who:<22} {start!s:<11} {rows:>5} {n_who:>4} "
              f"{r.objective if r.objective is not None else '-'!s:>6} "
              f"{r.bound if r.bound is not None else '-'!s:>6} "
              f"{'yes' if rp.minimal else 'no':>6} {wall:>7.1f}  {r.status.value}")
    if times:
        print(f"median {statistics.median(times):.1f} s, max {max(times):.1f} s over "
              f"{len(times)} scenarios")
    return 0


if __name__ == "__main__":
    sys.exit(main())
