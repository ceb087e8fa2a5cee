"""Benchmark of ``atbt explain`` on regions made infeasible in known ways (issue 23).

Every generated region of benchmarks/suite/ with 40-200 trainees (feasible by construction:
its witness plan meets every rule) gets one planted cause, in turn:

* ``cut``: one unit's seats cut. The unit and the cut are the smallest found (largest units
  of psychiatry, general practice, acute care, medicine, surgery first) that this script's
  own window count (below, independent of scheduler/solver/counting.py: per window between
  block starts and ends, the minima of the trainees whose whole block lies in it against the
  seats of *every* unit crediting the discipline) proves infeasible. If no single unit's cut
  suffices, every psychiatry unit is cut by the same fraction (``cut*``: a group cut).
* ``short``: the AT18 block is as long as its minima (78 weeks) and psychiatry stints last 7-12
  weeks: 13 weeks of psychiatry cannot be made of them (one stint is at most 12, two at least
  14), and every week of the block is needed for the minima. Planted fix: a block 1 week
  longer (14 = 7 + 7).
* ``locked``: ``c + 1`` trainees of one intake are locked at a unit with ``c`` seats in the
  same weeks. Planted fix: unlock one.
* ``bt``: a BT intake's home site has no unit open to BT that gives acute care. Validation
  rejects it (exit 2); the check is that the message names the programme and ``akut``.

Per case: is the planted cause named (the cut unit's capacity, the psychiatry requirement or
block of AT18, a planted locked stint, the message), is the fix verified (a plan of the relaxed
instance that the checker accepts), how far the fix is from the planted one, and the time
against the limit. Run: ``python benchmarks/explain_bench.py [--time-limit 20] [--out DIR]``.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import platform
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pydantic import ValidationError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scheduler.domain import Instance, block_end, calendar_weeks  # noqa: E402
from scheduler.inputs.yaml_io import load_instance  # noqa: E402
from scheduler.plan import read_plan_csv  # noqa: E402
from scheduler.solver.counting import unreachable_requirements  # noqa: E402
from scheduler.solver.explain import explain  # noqa: E402

SUITE = ROOT / "benchmarks" / "suite"
VARIANTS = ("cut", "short", "locked", "bt")


@dataclass
class Case:
    region: str
    trainees: int
    variant: str
    planted: str  # in words
    data: dict
    hit: object = None  # callable(explanation or message) -> bool
    planted_size: str = ""


# ---------------------------------------------------------------------------------------------
# The independent proof for a cut (simple window count)


def _profile(u: dict, h0: date, weeks: int) -> list[int] | None:
    if u["capacity"] is None:
        return None
    prof = [u["capacity"]] * weeks
    for ch in u.get("capacity_changes", []):
        a = (ch["start"] - h0).days // 7
        b = (ch["end"] - h0).days // 7
        for w in range(max(0, a), min(weeks, b)):
            prof[w] = ch["capacity"]
    return prof


def window_deficit(inst: Instance, disc: str, alone: str | None = None) -> int:
    """The largest (forced weeks - seats) over windows; > 0 proves infeasibility.

    A trainee must spend ``need - (weeks of its block outside the window)`` weeks of ``disc``
    inside it. ``alone``: count the seats of that unit only, and let every trainee take as
    much as it could elsewhere (one stint of at most ``max_weeks`` at each other unit crediting
    ``disc`` that takes its programme, whatever the site); trainees with leave or locked
    stints are left out (they only lower the count).
    """
    h0, H = inst.horizon.start, inst.n_weeks
    blocks = []
    for t in inst.all_trainees():
        p = inst.programme(t.programme)
        r = p.requirement(disc)
        if r is None or not r.min_weeks or t.leaves_on is not None:
            continue
        need = calendar_weeks(r.min_weeks, t.part_time)
        s, e = inst.week_index(t.start), inst.week_index(block_end(t, p))
        if alone is not None:
            if t.leave or t.locked:
                continue
            for u in inst.units:
                if u.id != alone and disc in u.disciplines and u.takes(p.id):
                    need -= u.stint_range(p.id)[1] or need
            if need <= 0:
                continue
        blocks.append((s, e, need))
    profs = []
    for u in inst.units:
        if disc in u.disciplines and (alone is None or u.id == alone):
            prof = _profile(u.model_dump(), h0, H)
            if prof is None:
                return 0
            profs.append(prof)
    seats = [sum(p[w] for p in profs) for w in range(H)]
    acc = [0]
    for x in seats:
        acc.append(acc[-1] + x)
    best = 0
    for a in sorted({b[0] for b in blocks}):
        for e in sorted({b[1] for b in blocks}):
            if e <= a:
                continue
            need = sum(max(0, n - (max(0, a - s) + max(0, t - e))) for s, t, n in blocks)
            best = max(best, need - (acc[e] - acc[a]))
    return best


def _cut_unit(data: dict, uid: str, cap: int) -> dict:
    d = {**data, "units": [dict(u) for u in data["units"]]}
    for u in d["units"]:
        if u["id"] == uid:
            u["capacity"] = min(u["capacity"], cap)
            u["capacity_changes"] = [dict(c, capacity=min(c["capacity"], cap))
                                     for c in u.get("capacity_changes", [])]
    return d


def plant_cut(region: str, inst: Instance) -> Case | None:
    data = inst.model_dump()
    for disc in ("psykiatri", "allmanmedicin", "akut", "medicin", "kirurgi"):
        units = sorted((u for u in inst.units if disc in u.disciplines and u.capacity),
                       key=lambda u: -u.capacity)
        for u in units[:3]:
            for cap in range(u.capacity - 1, -1, -1):
                d = _cut_unit(data, u.id, cap)
                cut = Instance.model_validate(d)
                deficit = max(window_deficit(cut, disc), window_deficit(cut, disc, u.id))
                if deficit > 0:
                    removed = sum(max(0, a - b) for a, b in zip(
                        _profile(u.model_dump(), inst.horizon.start, inst.n_weeks),
                        _profile(next(x for x in d["units"] if x["id"] == u.id),
                                 inst.horizon.start, inst.n_weeks), strict=True))
                    return Case(region, len(inst.all_trainees()), "cut",
                                f"{u.id} {u.capacity}->{cap} ({disc})", d,
                                hit=_hit_cut({u.id}, disc),
                                planted_size=f"{deficit} short / {removed} cut")
    # No single unit: cut every psychiatry unit by the same fraction.
    psy = [u for u in inst.units if "psykiatri" in u.disciplines and u.capacity]
    for f in (0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1):
        d = data
        for u in psy:
            d = _cut_unit(d, u.id, math.floor(u.capacity * f))
        deficit = window_deficit(Instance.model_validate(d), "psykiatri")
        if deficit > 0:
            return Case(region, len(inst.all_trainees()), "cut*",
                        f"all psychiatry x{f}", d, hit=_hit_cut({u.id for u in psy},
                                                                "psykiatri"),
                        planted_size=f"{deficit} short")
    return None  # no psychiatry to cut (a BT-only region): the next variant


def _hit_cut(units: set[str], disc: str):
    def hit(inst: Instance, ex) -> bool:
        named = {g.who for g in ex.conflict if g.kind == "capacity"}
        fixed = {r.target for r in ex.relaxations if r.kind == "capacity"}
        # Named: a cut unit's capacity is in the conflict; the fix stays in the discipline.
        return bool(named & units) and all(disc in inst.unit(u).disciplines for u in fixed)
    return hit


# ---------------------------------------------------------------------------------------------
# The other plants


def plant_short(region: str, inst: Instance) -> Case | None:
    if not any(c.programme == "AT18" for c in inst.cohorts):
        return None
    data = inst.model_dump()
    for p in data["programmes"]:
        if p["id"] == "AT18":
            p["length_weeks"] = 78
    for u in data["units"]:
        if "psykiatri" in u["disciplines"]:
            u["stint_weeks"] = {**u.get("stint_weeks", {}),
                                "AT18": {"min_weeks": 7, "max_weeks": 12}}

    def hit(inst: Instance, ex) -> bool:
        at = {t.id for t in inst.all_trainees() if t.programme == "AT18"}
        named = any(g.kind in ("requirement", "block") and set(g.trainees) & at
                    and (g.kind == "block" or g.detail == "psykiatri") for g in ex.conflict)
        return named and any(r.kind == "longer_block" and r.target == "AT18"
                             for r in ex.relaxations)
    return Case(region, len(inst.all_trainees()), "short",
                "AT18 78 w, psychiatry stints 7-12 w", data, hit, "block +1 w")


def plant_locked(region: str, inst: Instance) -> Case | None:
    """A locked stint in the way: at a week where the region's witness fills a unit (``c``
    seats), the ``c`` trainees there are locked to their witness stints, and one more
    trainee of an intake there is locked at that unit for its shortest stint. Unlocking that
    one gives an instance the witness plans: the planted fix is known to work."""
    from collections import defaultdict

    witness = read_plan_csv(SUITE / region / "witness.csv")
    people = {t.id: t for t in inst.all_trainees()}
    h0, H = inst.horizon.start, inst.n_weeks
    at: dict[tuple[str, int], list] = defaultdict(list)
    for st in witness:
        for w in range(inst.week_index(st.start), inst.week_index(st.end)):
            at[(st.unit, w)].append(st)
    best = None
    for u in sorted(inst.units, key=lambda u: u.id):
        prof = _profile(u.model_dump(), h0, H)
        if prof is None:
            continue
        for w in range(H):
            held = at.get((u.id, w), [])
            if not prof[w] or len(held) != prof[w]:
                continue
            mine = {st.trainee for st in held}
            for t in people.values():
                prog = inst.programme(t.programme)
                if t.id in mine or t.locked or t.leave or not u.takes(prog.id) \
                        or not (u.region_wide or u.site == t.site):
                    continue
                discs = [d for d in u.disciplines if (r := prog.requirement(d)) and r.min_weeks]
                n = max(u.stint_range(prog.id)[0], 2)
                s, e = inst.week_index(t.start), inst.week_index(block_end(t, prog))
                if not discs or not s <= w or w + n > e:
                    continue
                # Prefer the fewest seats (fewest locks), then a unit of few stints.
                key = (prof[w], n, u.id, w, t.id)
                if best is None or key < best[0]:
                    best = (key, u, w, t, discs[0], n, held)
                break
    if best is None:
        return None
    _key, u, w, t, disc, n, held = best
    data = inst.model_dump()
    monday = inst.week_date(w)
    locks = {st.trainee: [{"start": st.start, "end": st.end, "unit": st.unit,
                           "discipline": st.discipline}] for st in held}
    locks[t.id] = [{"start": monday, "end": date.fromordinal(monday.toordinal() + 7 * n),
                    "unit": u.id, "discipline": disc}]
    for tr in data["trainees"]:
        for lk in locks.pop(tr["id"], []):
            if lk not in tr["locked"]:
                tr["locked"].append(lk)
    for c in data["cohorts"]:  # cohort members: an override with the lock (same id)
        members = set(Cohort_ids(c))
        for tid in sorted(set(locks) & members):
            o = next((o for o in c["overrides"] if o["id"] == tid), None)
            if o is None:
                o = {"id": tid, "locked": []}
                c["overrides"].append(o)
            o["locked"] = list(o.get("locked") or []) + locks.pop(tid)
    assert not locks, locks
    planted = t.id

    def hit(inst: Instance, ex) -> bool:
        named = any(g.kind == "locked" and g.who == planted for g in ex.conflict)
        return named and any(r.kind == "unlock" and r.target == planted
                             for r in ex.relaxations)
    return Case(region, len(inst.all_trainees()), "locked",
                f"{t.id} at {u.id} v{monday.isocalendar()[1]} {monday.year} "
                f"({len(held)} seats, {len(held)} witness stints locked)", data, hit,
                "unlock 1")


def Cohort_ids(c: dict) -> list[str]:
    width = max(2, len(str(c["count"])))
    return [f"{c['id']}-{i:0{width}d}" for i in range(1, c["count"] + 1)]


def plant_bt(region: str, inst: Instance) -> Case | None:
    bt = next((c for c in inst.cohorts if c.programme == "BT12"), None)
    if bt is None:
        return None
    data = inst.model_dump()
    others = [p.id for p in inst.programmes if p.id != "BT12"]
    for u in data["units"]:
        if "akut" in u["disciplines"] and (u["region_wide"] or u["site"] == bt.site):
            u["programmes"] = [p for p in (u["programmes"] or others) if p != "BT12"]

    def hit(_inst: Instance | None, message: str) -> bool:
        return "akut" in message and "BT12" in message
    return Case(region, len(inst.all_trainees()), "bt",
                f"no acute seats for BT at {bt.site}", data, hit, "input check")


PLANTS = {"cut": plant_cut, "short": plant_short, "locked": plant_locked, "bt": plant_bt}


def cases() -> list[Case]:
    out = []
    regions = sorted(p.parent.name for p in SUITE.glob("*/region.yaml"))
    i = 0
    for name in regions:
        inst = load_instance(SUITE / name / "region.yaml")
        if not 40 <= len(inst.all_trainees()) <= 200:
            continue
        case = None
        for j in range(len(VARIANTS)):  # this region's turn, else the next that applies
            case = PLANTS[VARIANTS[(i + j) % len(VARIANTS)]](name, inst)
            if case is not None:
                break
        i += 1
        out.append(case)
    return out


# ---------------------------------------------------------------------------------------------


def fix_text(ex) -> tuple[str, str]:
    parts, size = [], []
    runs: dict[str, list] = {}
    for r in ex.relaxations:
        if r.kind == "capacity":
            runs.setdefault(r.target, []).append(r)
    for uid, rs in sorted(runs.items()):
        parts.append(f"{uid} +{max(r.amount for r in rs)}"
                     + (f" ({len(rs)} periods)" if len(rs) > 1 else f" {rs[0].weeks}w"))
    for r in ex.relaxations:
        if r.kind == "capacity":
            continue
        if r.kind == "unlock":
            parts.append(f"unlock {r.target}")
        elif r.kind == "longer_block":
            parts.append(f"{r.target} +{r.amount}w")
    seat_weeks = sum(r.amount * r.weeks for r in ex.relaxations if r.kind == "capacity")
    if seat_weeks:
        size.append(f"{seat_weeks} seat-w")
    if any(r.kind == "unlock" for r in ex.relaxations):
        size.append(f"unlock {sum(r.kind == 'unlock' for r in ex.relaxations)}")
    if any(r.kind == "longer_block" for r in ex.relaxations):
        size.append("block +" + ",".join(str(r.amount) for r in ex.relaxations
                                         if r.kind == "longer_block") + " w")
    return "; ".join(parts) or "-", ", ".join(size) or "-"


def _versus(case: Case, ex) -> str:
    """How far the fix is from the planted one: extra seat-weeks against the weeks short
    (cut), extra block weeks against 1 (short), unlocks against 1 (locked)."""
    if not ex.relaxations:
        return "-"
    if case.variant.startswith("cut"):
        short = int(case.planted_size.split()[0])
        sw = sum(r.amount * r.weeks for r in ex.relaxations if r.kind == "capacity")
        return f"x{sw / short:.1f} of the shortfall"
    if case.variant == "short":
        k = sum(r.amount for r in ex.relaxations if r.kind == "longer_block")
        return f"{k - 1:+d} w"
    if case.variant == "locked":
        k = sum(r.kind == "unlock" for r in ex.relaxations)
        return f"{k - 1:+d} unlocks"
    return "-"


def run(case: Case, limit: float) -> dict:
    row = {"region": case.region, "trainees": case.trainees, "variant": case.variant,
           "planted": case.planted, "planted_fix": case.planted_size}
    t0 = time.monotonic()
    try:
        inst = Instance.model_validate(case.data)
    except ValidationError as exc:
        msg = str(exc)
        row.update(named=case.hit(None, msg), how="validation (exit 2)", verified="n/a",
                   vs_planted="-",
                   fix="-", fix_size="-", seconds=round(time.monotonic() - t0, 1),
                   within=True)
        return row
    bad = unreachable_requirements(inst)
    if bad:
        msg = " ".join(" ".join(x) for x in bad)
        row.update(named=case.hit(inst, msg), how="input check (exit 2)", verified="n/a",
                   vs_planted="-",
                   fix="-", fix_size="-", seconds=round(time.monotonic() - t0, 1),
                   within=True)
        return row
    # The coordinator's current plan (the region's witness, made before the planted change)
    # is given, as `atbt explain --plan` would: plans that verify a fix start from it.
    witness = read_plan_csv(SUITE / case.region / "witness.csv")
    ex = explain(inst, time_limit=limit, previous=witness)
    secs = time.monotonic() - t0
    fix, size = fix_text(ex)
    how = ("feasible?!" if ex.feasible else ex.method if ex.proven else "unknown")
    row["vs_planted"] = _versus(case, ex)
    row.update(named=bool(not ex.feasible and ex.proven and case.hit(inst, ex)), how=how,
               verified=bool(ex.relaxation_verified), fix=fix, fix_size=size,
               seconds=round(secs, 1), within=secs <= limit + 0.5,
               ran_out=",".join(ex.ran_out))
    return row


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--time-limit", type=float, default=20.0)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    ap.add_argument("--only", default="", help="comma-separated region names")
    args = ap.parse_args()
    only = set(filter(None, args.only.split(",")))
    load0 = os.getloadavg()
    cpu0 = time.process_time()
    rows = []
    for case in cases():
        if only and case.region not in only:
            continue
        row = run(case, args.time_limit)
        rows.append(row)
        print(" | ".join(str(row.get(k, "")) for k in (
            "region", "trainees", "variant", "planted", "how", "named", "verified", "fix_size",
            "planted_fix", "vs_planted", "seconds", "ran_out")), flush=True)
    n = len(rows)
    named = sum(bool(r["named"]) for r in rows)
    fixable = [r for r in rows if r["verified"] != "n/a"]
    verified = sum(r["verified"] is True for r in fixable)
    within = sum(bool(r["within"]) for r in rows)
    head = ["region", "trainees", "variant", "planted", "how", "named", "verified", "fix",
            "fix_size", "planted_fix", "vs_planted", "seconds", "ran_out"]
    lines = [
        f"# explain on planted causes ({date.today().isoformat()}, --time-limit "
        f"{args.time_limit:g} s)", "",
        f"Named the planted cause: {named}/{n} ({100 * named / max(1, n):.0f} %); fix verified: "
        f"{verified}/{len(fixable)}; ended within the limit (+0.5 s): {within}/{n}; "
        f"total {sum(r['seconds'] for r in rows):.0f} s wall, "
        f"{time.process_time() - cpu0:.0f} s CPU.", "",
        f"Machine: {platform.node()}, {os.cpu_count()} cores ({platform.processor() or '?'}),"
        f" Python {platform.python_version()}; load average (1 min) {load0[0]:.1f} at the "
        f"start, {os.getloadavg()[0]:.1f} at the end. Command: `python "
        f"benchmarks/explain_bench.py {' '.join(sys.argv[1:])}`.", "",
        "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        lines.append("| " + " | ".join(str(r.get(k, "")) for k in head) + " |")
    text = "\n".join(lines) + "\n"
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"explain-{args.time_limit:g}s"
    (args.out / f"{stem}.md").write_text(text, encoding="utf-8")
    with (args.out / f"{stem}.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=head)
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in head})


if __name__ == "__main__":
    main()
