"""Trace one solve: wall and CPU seconds (this process and its children) of the first plan and
of each change of objective or bound, then one JSON line (status, objective, bound, gap, first
plan, wall, CPU, checker). ``--stop-first`` ends the run at its first plan. ``--construct-stats``
also prints one ``construct`` JSON line per first-plan construction (the second pipeline's
too, in its own process): its seconds and counters; ``solves`` counts the one-trainee placement
solves (``blocks_n + free_n + wide_n + soft_n``, ``*_ok`` those that found a rotation),
``templates`` the trainees placed from a kind-mate's rotation without a solve, ``flex``
those placed from a kind-mate's runs with their stints chosen again.

    python benchmarks/trace.py leave-80-tight --time-limit 60 --stop-first   # a suite region
    python benchmarks/trace.py instances/tutorial.yaml --time-limit 60

To time another checkout with the same interpreter, run it from that checkout with
``PYTHONPATH`` set to it (the script's own folder comes first on the path, not the checkout).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path

from scheduler import verify as checker
from scheduler.halt import HALT
from scheduler.inputs.yaml_io import load_instance
from scheduler.solver.solve import solve

TICK = os.sysconf("SC_CLK_TCK")


def _count_constructions() -> None:
    """Print each construction's counters (``Construction.stats``) when it ends. Installed at
    import, so that the second pipeline (a spawned process that imports this script again,
    with the same ``sys.argv``) prints its own."""
    from scheduler.solver import construct

    run = construct.Construction.run

    def counted(self, order, allow_overrun=False):
        t0 = time.monotonic()
        out = run(self, order, allow_overrun)
        stats = {k: round(v, 2) if isinstance(v, float) else v for k, v in self.stats.items()}
        solves = sum(v for k, v in stats.items() if k.endswith("_n") and k != "confirm_n")
        print("construct " + json.dumps({
            "pid": os.getpid(), "trainees": len(order), "plan": out is not None,
            "s": round(time.monotonic() - t0, 2), "solves": solves, **stats}), flush=True)
        return out

    construct.Construction.run = counted  # type: ignore[method-assign]


if "--construct-stats" in sys.argv:
    _count_constructions()


def cpu_now() -> float:
    """CPU seconds of this process, its live children (the second pipeline) and those ended."""
    total = time.process_time()
    for c in multiprocessing.active_children():
        try:
            fields = Path(f"/proc/{c.pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICK
        except (OSError, IndexError):
            pass
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return total + ru.ru_utime + ru.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("name", help="a region file, or the name of a benchmarks/suite/ region")
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--stop-first", action="store_true")
    ap.add_argument("--quiet", action="store_true", help="no line per objective or bound")
    ap.add_argument("--construct-stats", action="store_true",
                    help="a line of counters per first-plan construction (placement solves)")
    args = ap.parse_args()
    path = Path(args.name)
    if not path.exists():
        path = Path("benchmarks") / "suite" / args.name / "region.yaml"
    inst = load_instance(path)
    t0 = time.monotonic()
    last: list = [None, None]
    first: list[float] = []

    def progress(ev: dict) -> None:
        now, cpu = time.monotonic() - t0, cpu_now()
        if ev.get("phase") == "first_plan" and not first:
            first[:] = [now, cpu]
            print(f"first plan  wall {now:6.2f} cpu {cpu:6.2f}", flush=True)
            if args.stop_first:
                HALT.set()
        if ev.get("phase") == "solve" and not args.quiet:
            ob = [ev.get("objective"), ev.get("bound")]
            if ob != last:
                last[:] = ob
                print(f"  {now:6.2f} cpu {cpu:6.2f} obj {ob[0]} bound {ob[1]}", flush=True)

    r = solve(inst, time_limit=args.time_limit, workers=2, seed=args.seed, progress=progress)
    wall = time.monotonic() - t0
    clean = r.status.has_plan and not checker.check(inst, r.stints)
    print(json.dumps({"name": args.name, "status": r.status.value, "objective": r.objective,
                      "bound": r.bound, "gap": r.gap, "first": r.time_to_first,
                      "first_cpu": first[1] if first else None, "wall": round(wall, 2),
                      "cpu": round(cpu_now(), 2), "clean": clean,
                      "load": os.getloadavg()[0]}))


if __name__ == "__main__":
    main()
