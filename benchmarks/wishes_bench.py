"""Benchmark: wishes and fairness (issue 19). Prints a table (not a timed test).

Each instance gets generated wishes (2-3 per trainee, seeded, every one meetable: an eligible
vårdcentral or hospital unit wanted, a unit avoided, psychiatry before 60 % of the block, a
discipline first; priority 1-3 at random) and is solved with ``fairness`` off and
lexicographic. Per run: the share of wishes granted per priority, the worst and median
trainee's own cost (docs/MODEL.md), the sum objective (every term but ``worst``) and the
price of fairness in it. All figures are the checker's recomputation. ``--travel`` adds a
seeded travel matrix between the sites (10-60 minutes) and marks 1 trainee in 5 short-travel.

    python benchmarks/wishes_bench.py                         # Örebro + 4 suite regions
    python benchmarks/wishes_bench.py instances/orebro.yaml --time-limit 60
    python benchmarks/wishes_bench.py --out benchmarks/results/wishes-60s.md
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from scheduler import verify as checker
from scheduler.api import solve_and_verify
from scheduler.domain import Instance, block_end
from scheduler.inputs.yaml_io import load_instance

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench import machine  # noqa: E402

DEFAULT = [ROOT / "instances" / "orebro.yaml"] + [
    ROOT / "benchmarks" / "suite" / name / "region.yaml"
    for name in ("at18-40-loose", "gavle-50-tight", "leave-80-tight", "six-hospitals-156-tight")]


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def with_wishes(inst: Instance, seed: int, travel: bool = False) -> Instance:
    """The instance with 2-3 meetable wishes per trainee (and a travel matrix), seeded."""
    rng = random.Random(seed)
    data = inst.model_dump()
    wishes: list[dict] = []
    for t in inst.all_trainees():
        prog = inst.programme(t.programme)
        units = [u for u in inst.units if u.takes(prog.id) and (u.region_wide or u.site == t.site)
                 and any(prog.requirement(d) for d in u.disciplines)]
        vc = [u for u in units if "allmanmedicin" in u.disciplines]
        hosp = [u for u in units if {"medicin", "kirurgi"} & set(u.disciplines)]
        end = block_end(t, prog)
        # (kind, field, choices): one wish is a kind with one of its choices.
        options: list[tuple[str, str, list]] = []
        if vc:
            options.append(("prefer", "unit", [u.id for u in vc]))
        if hosp:
            options.append(("prefer", "unit", [u.id for u in hosp]))
        if len(hosp) > 1:
            options.append(("avoid", "unit", [u.id for u in hosp]))
        if prog.requirement("psykiatri") is not None and not prog.starts_with:
            options.append(("before", "date", [_monday(t.start + (end - t.start) * 6 // 10)]))
        firsts = [r.discipline for r in prog.requirements if r.min_weeks > 0]
        if firsts and prog.starts_with is None:
            options.append(("first", "discipline", firsts))
        seen: set[tuple] = set()
        for _ in range(rng.choice((2, 3))):
            if not options:
                break
            kind, key, pool = rng.choice(options)
            w = {"kind": kind, key: rng.choice(pool)}
            if kind == "before":
                w["discipline"] = "psykiatri"
            key = tuple(sorted(w.items()))
            if key in seen:
                continue
            seen.add(key)
            wishes.append({"trainee": t.id, "priority": rng.randint(1, 3), **w})
    data["wishes"] = wishes
    if travel and len(inst.sites) > 1:
        ids = [s["id"] for s in data["sites"]]
        for i, s in enumerate(data["sites"]):
            s["travel_minutes"] = {b: rng.randrange(10, 61, 5) for b in ids[i + 1:]}
        short = {t.id for t in inst.all_trainees() if rng.random() < 0.2}
        for t in data["trainees"]:
            t["short_travel"] = t["id"] in short
        for c in data["cohorts"]:
            ov = {o["id"]: o for o in c.get("overrides", [])}
            for k in range(1, c["count"] + 1):
                mid = f"{c['id']}-{k:0{max(2, len(str(c['count'])))}d}"
                if mid in short:
                    ov.setdefault(mid, {"id": mid})["short_travel"] = True
            c["overrides"] = list(ov.values())
    return Instance.model_validate(data)


def run(inst: Instance, fairness: str, time_limit: float, workers: int, seed: int,
        deterministic: bool = False) -> dict:
    inst = inst.model_copy(update={"fairness": fairness})
    cpu0, t0 = time.process_time(), time.monotonic()
    r = solve_and_verify(inst, time_limit=time_limit, workers=workers, seed=seed,
                         deterministic=deterministic)
    out = {"status": r.status.value, "wall": time.monotonic() - t0,
           "cpu": time.process_time() - cpu0}
    if not r.status.has_plan:
        return out
    f = checker.fairness(inst, r.stints)
    terms = checker.evaluate(inst, r.stints)
    total = checker.objective(inst, terms)
    lex = checker.LEXICOGRAPHIC if fairness == "lexicographic" else inst.weights.worst
    home = {t.id: t.site for t in inst.all_trainees()}
    site = {u.id: u.site for u in inst.units}
    weeks = sum(s.weeks for s in r.stints)
    away = sum(s.weeks for s in r.stints if site[s.unit] != home[s.trainee]) / max(1, weeks)
    out.update(f=f, sum=total - (lex * terms["worst"] if "worst" in terms else 0),
               travel=terms.get("travel"), away=away)
    return out


def pct(g: dict) -> str:
    return f"{100 * g['granted'] / g['of']:.0f} %" if g["of"] else "-"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("instances", nargs="*", type=Path)
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--wish-seed", type=int, default=1)
    ap.add_argument("--travel", action="store_true")
    ap.add_argument("--deterministic", action="store_true",
                    help="Count work, not seconds (solve --deterministic): the same table on "
                    "an idle and on a loaded machine")
    ap.add_argument("--out", type=Path, help="Also write the table (markdown) here")
    a = ap.parse_args()
    paths = a.instances or DEFAULT
    lines = [f"# Wishes and fairness, {date.today().isoformat()}", "",
             f"Machine: {machine()}", "",
             "Command: `python benchmarks/wishes_bench.py " + " ".join(sys.argv[1:]) + "`", "",
             f"Time limit {a.time_limit:g} s per run"
             + (" (deterministic: half of it in CP-SAT work units)" if a.deterministic else "")
             + f", {a.workers} worker(s), seed {a.seed}, "
             f"wishes seeded {a.wish_seed} (2-3 per trainee). Costs are each trainee's own "
             "cost (docs/MODEL.md); `sum` is the objective without the worst term; price = "
             "sum(lexicographic) - sum(off); away = share of stint-weeks at a unit of another site "
             "than the trainee's home. All figures recomputed by the checker.", "",
             "| instance | trainees | wishes | fairness | status | p1 | p2 | p3 | worst | "
             "median | gini | sum | price | travel | away | wall s | cpu s |",
             "|---|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    print("\n".join(lines), flush=True)
    for path in paths:
        inst = with_wishes(load_instance(path), a.wish_seed, a.travel)
        name = path.parent.name if path.name == "region.yaml" else path.stem
        base = None
        for mode in ("off", "lexicographic"):
            r = run(inst, mode, a.time_limit, a.workers, a.seed, a.deterministic)
            if "f" not in r:
                row = (f"| {name} | {len(inst.all_trainees())} | {len(inst.wishes)} | {mode} | "
                       f"{r['status']} | | | | | | | | | | | {r['wall']:.0f} | {r['cpu']:.0f} |")
            else:
                f = r["f"]
                g = f["wishes_granted"]
                if mode == "off":
                    base = r["sum"]
                price = "" if base is None or mode == "off" else (
                    f"{r['sum'] - base:+d} ({100 * (r['sum'] - base) / max(1, base):+.1f} %)")
                row = (f"| {name} | {len(inst.all_trainees())} | {len(inst.wishes)} | {mode} | "
                       f"{r['status']} | {pct(g['1'])} | {pct(g['2'])} | {pct(g['3'])} | "
                       f"{f['worst']} | {f['median']:g} | {f['gini']:.3f} | {r['sum']} | "
                       f"{price} | {r['travel'] if r['travel'] is not None else '-'} | "
                       f"{100 * r['away']:.0f} % | {r['wall']:.0f} | {r['cpu']:.0f} |")
            lines.append(row)
            print(row, flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tail = f"\nPeak memory {peak:.0f} MB; load average at the end {os.getloadavg()[0]:.1f}."
    lines.append(tail)
    print(tail)
    if a.out:
        a.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
