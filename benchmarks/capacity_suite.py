"""Benchmark: `atbt capacity` on generated regions, the base intake against the found one.

The issue "Any region gets a plan" asks that, with the default limits (20 s per start), the
intake found at each start is at least the base intake. Each region of ``benchmarks/suite/``
comes with a witness plan that meets every rule, so the witness is the base plan: the other
starts are held at it, and the start's own trainees in it are the hint. Prints per start:
base intake, found intake, proven upper bound, status, wall and CPU seconds; and a summary
line with the starts where the found intake is below the base (the target is none).

    python benchmarks/capacity_suite.py                       # 6 regions, 2 starts each
    python benchmarks/capacity_suite.py --regions gavle-50-tight bt12-60-tight --starts 0
    python benchmarks/capacity_suite.py --time-limit 20 --starts 3

``--starts N``: the first, the last and evenly spaced starts between, N in all (0: every
start). Not a timed test: the machine is shared, so read the CPU seconds beside the wall.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import machine  # noqa: E402

from scheduler.inputs.yaml_io import load_instance  # noqa: E402
from scheduler.plan import read_plan_csv  # noqa: E402
from scheduler.whatif.capacity import intake_capacity  # noqa: E402

SUITE = ROOT / "benchmarks" / "suite"
DEFAULT = ["at18-20-tight", "bt12-60-tight", "gavle-50-tight", "leave-80-tight",
           "mixed-features-110-tight", "six-hospitals-156-tight"]


def pick(starts: list, n: int) -> list:
    if n <= 0 or n >= len(starts):
        return starts
    if n == 1:
        return starts[:1]
    return sorted({starts[round(i * (len(starts) - 1) / (n - 1))] for i in range(n)})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--regions", nargs="*", default=DEFAULT)
    ap.add_argument("--time-limit", type=float, default=20.0, help="per start (the default "
                    "of atbt capacity)")
    ap.add_argument("--starts", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    print(f"machine: {machine()}")
    print(f"settings: {args.time_limit:g} s per start, 1 worker, seed {args.seed}, "
          "marginal 0, base plan = the region's witness")
    head = (f"{'region':<26} {'start':<10} {'base':>5} {'found':>6} {'bound':>6} "
            f"{'status':<16} {'wall s':>7} {'cpu s':>6}")
    print(head)
    print("-" * len(head))
    below: list[str] = []
    n = 0
    for name in args.regions:
        inst = load_instance(SUITE / name / "region.yaml")
        witness = read_plan_csv(SUITE / name / "witness.csv")
        starts = pick(sorted({c.start for c in inst.cohorts}), args.starts)
        for st in starts:
            w0, c0 = time.monotonic(), time.process_time()
            rep = intake_capacity(inst, witness, time_limit=args.time_limit, workers=1,
                                  seed=args.seed, marginal_units=0, starts=[st], joint=False)
            wall, cpu = time.monotonic() - w0, time.process_time() - c0
            (s,) = rep.starts
            n += 1
            if s.admitted < s.base:
                below.append(f"{name} {st}")
            print(f"{name:<26} {st!s:<10} {s.base:>5} {s.admitted:>6} {s.bound:>6} "
                  f"{s.status:<16} {wall:>7.1f} {cpu:>6.1f}", flush=True)
    print(f"\n{n - len(below)}/{n} starts with a found intake >= the base intake"
          + (f"; below: {', '.join(below)}" if below else ""))
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
