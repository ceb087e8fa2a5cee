"""What-if sweep benchmark: 50 variants of Örebro, sequential vs parallel vs warm-started.

    python benchmarks/whatif_bench.py                      # the full run (long: see below)
    python benchmarks/whatif_bench.py --variants 3 --time-limit 5 --instance instances/tutorial.yaml

Variants: PSY-SPEC capacity -2..+2 x AT intake factor 0.8..1.2 x Vårdcentralen Nora open or
closed from 2028 (5 x 5 x 2 = 50; ``--variants`` takes the first N). Modes:

- ``sequential``: one variant at a time, 1 solver worker each, no warm start;
- ``parallel``: ``--jobs`` variants at once (default: all cores), 1 worker each;
- ``parallel+warm``: as parallel, each variant warm-started with the base plan (solved first,
  included in the wall time).

Prints per mode: wall time, speed-up against sequential, mean time to the first plan, mean
objective of the variants with a plan, how many had a plan, and of the others how many were
proven infeasible, ended without a plan at the time limit, or were killed by the watchdog
(``--grace`` seconds past the limit; every variant runs in a process of its own), with their
names. Every plan is verified by the
checker (``api.solve_and_verify``). The solve of a variant runs to its time limit unless it is
proven optimal, so the parallel speed-up is mostly the number of jobs; warm-starting shows in
the time to the first plan and the objective reached in the same time. Expect the full run to
take about (50 + 2 x 50 / jobs) x time limit.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scheduler import api  # noqa: E402
from scheduler.whatif.runner import (  # noqa: E402
    TIMED_OUT,
    Job,
    default_grace,
    plan_jobs,
    run_all,
    status_counts,
)
from scheduler.whatif.scenario import ScenarioFile, derive  # noqa: E402


def variants(base, n: int):
    units = {u.id for u in base.units}
    psy_unit = "PSY-SPEC" if "PSY-SPEC" in units else next(
        u.id for u in base.units if "psykiatri" in u.disciplines)
    vc = "VC-NORA" if "VC-NORA" in units else next(
        u.id for u in base.units if "allmanmedicin" in u.disciplines)
    at = next(p.id for p in base.programmes if p.kind == "AT")
    mid = base.week_date(base.n_weeks // 3)
    out = []
    for d, f, closed in itertools.product((0, -1, 1, -2, 2), (1.0, 0.9, 1.1, 0.8, 1.2),
                                          (False, True)):
        changes: list[dict] = [{"capacity": {"units": [psy_unit], "delta": d}},
                               {"intake": {"programme": at, "factor": f}}]
        if closed:
            changes.append({"close": {"units": [vc], "start": mid}})
        out.append({"name": f"psy{d:+d}-at{f:.1f}-{'vc-closed' if closed else 'vc-open'}",
                    "changes": changes})
    scs = ScenarioFile.model_validate({"scenarios": out[:n]}).expand()
    return [(sc.name, derive(base, sc)) for sc in scs]


def run_mode(name, base, vs, time_limit, jobs, warm, seed, grace):
    t0 = time.monotonic()
    warm_plan = None
    if warm:
        (b,) = run_all([Job("base", base, time_limit, 1, seed)], grace=grace)
        warm_plan = b.stints if b.ok else None
    outs = run_all([Job(n, inst, time_limit, 1, seed, warm_plan) for n, inst in vs],
                   parallel=jobs, grace=grace)
    wall = time.monotonic() - t0
    ok = [o for o in outs if o.ok]
    first = [o.time_to_first for o in ok if o.time_to_first is not None]
    counts = status_counts(outs)
    return {"mode": name, "jobs": jobs, "wall": wall, "ok": len(ok), "n": len(outs),
            "first": statistics.mean(first) if first else None,
            "objective": statistics.mean(o.objective for o in ok if o.objective is not None)
            if ok else None,
            "infeasible": counts["infeasible"], "no_plan": counts["no_plan_in_time"],
            "timed_out": counts[TIMED_OUT], "error": counts["error"],
            "without": {o.name: o.status for o in outs if not o.ok}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instance", default=str(ROOT / "instances" / "orebro.yaml"))
    ap.add_argument("--variants", type=int, default=50)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--jobs", type=int, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--modes", default="sequential,parallel,parallel+warm")
    ap.add_argument("--grace", type=float, default=None,
                    help="seconds past the time limit before a variant is killed "
                         "(default 30 + 25 %% of the limit)")
    args = ap.parse_args()
    grace = args.grace if args.grace is not None else default_grace(args.time_limit)
    base, _ = api.load(args.instance)
    vs = variants(base, args.variants)
    jobs = plan_jobs(args.jobs, 1)
    rows = []
    for mode in args.modes.split(","):
        par = 1 if mode == "sequential" else jobs
        rows.append(run_mode(mode, base, vs, args.time_limit, par, mode.endswith("warm"),
                             args.seed, grace))
        print(f"... {mode} done in {rows[-1]['wall']:.0f} s", file=sys.stderr)
    seq = next((r["wall"] for r in rows if r["mode"] == "sequential"), None)
    print(f"instance {Path(args.instance).name}, {len(vs)} variants, time limit "
          f"{args.time_limit:g} s per variant, 1 solver worker each, seed {args.seed}")
    print(f"{'mode':<15} {'jobs':>4} {'wall (s)':>9} {'speed-up':>8} {'first plan (s)':>14} "
          f"{'mean objective':>14} {'with plan':>9} {'infeasible':>10} {'no plan':>7} "
          f"{'killed':>6} {'error':>5}")
    for r in rows:
        sp = f"{seq / r['wall']:.2f}" if seq else "-"
        fp = f"{r['first']:.1f}" if r["first"] is not None else "-"
        ob = f"{r['objective']:.0f}" if r["objective"] is not None else "-"
        print(f"{r['mode']:<15} {r['jobs']:>4} {r['wall']:>9.1f} {sp:>8} {fp:>14} {ob:>14} "
              f"{r['ok']:>4}/{r['n']:<4} {r['infeasible']:>10} {r['no_plan']:>7} "
              f"{r['timed_out']:>6} {r['error']:>5}")
    print("'infeasible': proven, no plan exists; 'no plan': none found within the time limit; "
          f"'killed': still running {grace:g} s after the limit")
    for r in rows:
        if r["without"]:
            print(f"{r['mode']}: " + ", ".join(f"{n} {st}" for n, st in r["without"].items()))


if __name__ == "__main__":
    main()
