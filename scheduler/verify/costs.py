"""Wishes, travel and fairness (docs/MODEL.md), recomputed from the plan on their own."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

from scheduler.domain import Instance, Programme, Trainee
from scheduler.plan import Stint
from scheduler.verify.block import (
    block_end,
    catches,
    ceil_pct,
    is_unfinished,
    leave_mondays,
    service_weeks,
    wk,
)

LEXICOGRAPHIC = 10**7  # weight of ``worst`` with fairness "lexicographic"
SHORT_TRAVEL = 3  # travel of a trainee marked short_travel counts this many times


def extra_weights(instance: Instance) -> dict[str, int]:
    """Weights of wishes, travel and worst when they are in the objective (their data
    present, weight above 0)."""
    w = instance.weights
    out = {}
    if instance.wishes and w.wishes > 0:
        out["wishes"] = w.wishes
    if w.travel > 0 and any(site.travel_minutes for site in instance.sites):
        out["travel"] = w.travel
    if instance.fairness == "lexicographic":
        out["worst"] = LEXICOGRAPHIC
    elif instance.fairness == "weighted" and w.worst > 0:
        out["worst"] = w.worst
    if w.spacing > 0 and any(u.min_start_gap_weeks for u in instance.units):
        out["spacing"] = w.spacing
    return out


def _minutes(instance: Instance, home: str, site: str) -> int:
    if home == site:
        return 0
    for a, b in ((home, site), (site, home)):
        found = next((x for x in instance.sites if x.id == a), None)
        if found is not None and b in found.travel_minutes:
            return found.travel_minutes[b]
    return 0


def wish_outcomes(instance: Instance, stints: list[Stint]) -> list[tuple[int, bool]]:
    """``(index into instance.wishes, granted)`` for every wish, from the plan alone."""
    people = {t.id: t for t in instance.all_trainees()}
    mine: dict[str, list[Stint]] = defaultdict(list)
    for s in stints:
        mine[s.trainee].append(s)
    out = []
    for i, w in enumerate(instance.wishes):
        ss = mine.get(w.trainee, [])
        if w.kind == "prefer":
            ok = any(s.unit == w.unit and w.discipline in (None, s.discipline) for s in ss)
        elif w.kind == "avoid":
            ok = all(s.unit != w.unit or w.discipline not in (None, s.discipline) for s in ss)
        elif w.kind == "before":
            ok = not any(s.discipline == w.discipline and s.end > w.date  # type: ignore[operator]
                         for s in ss)
        else:  # first: the stint in the first week that is not extending leave
            t = people[w.trainee]
            leave = leave_mondays(t)
            d = t.start
            while d in leave:
                d += timedelta(weeks=1)
            ok = any(s.start <= d < s.end and s.discipline == w.discipline for s in ss)
        out.append((i, ok))
    return out


def _least_stints(instance: Instance, t: Trainee, prog: Programme) -> int:
    """docs/MODEL.md: the data's lower bound on a trainee's stints."""
    if is_unfinished(t, prog):
        return 1
    units = [u for u in instance.units if u.takes(prog.id) and catches(u, t.site)]
    opening = prog.starts_with
    o = opening.weeks if opening else 0

    def stints_for(discs: set[str], weeks: int) -> int:
        tops = [u.stint_range(prog.id, t.part_time)[1] for u in units if set(u.disciplines) & discs]
        if weeks <= 0 or not tops:
            return 0
        if None in tops:
            return 1
        return -(-weeks // max(x for x in tops if x))

    def less_opening(discs: set[str]) -> int:
        return o if opening and opening.discipline in discs else 0

    own = {r.discipline: stints_for({r.discipline}, ceil_pct(r.min_weeks, t.part_time)
                                    - less_opening({r.discipline}))
           for r in prog.requirements if r.min_weeks > 0}
    groups = [stints_for(set(g.disciplines), ceil_pct(g.min_weeks, t.part_time)
                         - less_opening(set(g.disciplines)))
              - sum(own.get(d, 0) for d in set(g.disciplines))
              for g in prog.group_requirements if g.min_weeks > 0]
    every = {r.discipline for r in prog.requirements}
    tiling = stints_for(every, service_weeks(prog, t.part_time) - o) + (opening is not None)
    return max(1, (opening is not None) + sum(own.values()) + max(groups, default=0), tiling)


def _least_fragmentation(t: Trainee, prog: Programme) -> int:
    """docs/MODEL.md: an opening at the last stint's unit spans the block with its discipline."""
    sw = prog.starts_with
    if sw is None or not sw.same_unit_as_end or is_unfinished(t, prog):
        return 0
    leave = leave_mondays(t)
    first = t.start
    while first in leave:
        first += timedelta(weeks=1)
    s = service_weeks(prog, t.part_time)
    most = s
    for r in prog.requirements:
        if r.discipline == sw.discipline and r.max_weeks is not None:
            most = min(s, ceil_pct(r.max_weeks, t.part_time))
    # Weeks the other minima hold (groups counted once each; overlapping groups not at all).
    mins = {r.discipline: ceil_pct(r.min_weeks, t.part_time) for r in prog.requirements}
    in_groups = Counter(d for g in prog.group_requirements for d in set(g.disciplines))
    overlap = any(n > 1 for n in in_groups.values())
    held = 0
    for d, w in mins.items():
        if d != sw.discipline and (overlap or d not in in_groups):
            held += w
    if not overlap:
        for g in prog.group_requirements:
            rest = sum(mins.get(d, 0) for d in set(g.disciplines) if d != sw.discipline)
            held += rest if sw.discipline in g.disciplines else max(
                ceil_pct(g.min_weeks, t.part_time), rest)
    return max(0, (block_end(t, prog) - first).days // 7 - min(most, s - held))


def _least_travel(instance: Instance, t: Trainee, prog: Programme) -> int:
    """docs/MODEL.md: each discipline's calendar minimum at the nearest unit it may use for
    it; 0 for a trainee who leaves before the block ends."""
    if is_unfinished(t, prog):
        return 0
    factor = SHORT_TRAVEL if t.short_travel else 1
    total = 0
    for r in prog.requirements:
        near = [-(-_minutes(instance, t.site, u.site) // 10) for u in instance.units
                if u.takes(prog.id) and catches(u, t.site) and r.discipline in u.disciplines]
        if r.min_weeks > 0 and near:
            total += ceil_pct(r.min_weeks, t.part_time) * factor * min(near)
    return total


def trainee_costs(instance: Instance, stints: list[Stint]) -> dict[str, dict[str, int]]:
    """Per trainee with stints: stints, least stints, fragmentation, wishes missed (3/2/1 by
    priority 1/2/3), travel, least travel, and the weighted own cost (docs/MODEL.md)."""
    h0 = instance.horizon.start
    people = {t.id: t for t in instance.all_trainees()}
    progs = {p.id: p for p in instance.programmes}
    site_of = {u.id: u.site for u in instance.units}
    missed: Counter[str] = Counter()
    for i, ok in wish_outcomes(instance, stints):
        if not ok:
            w = instance.wishes[i]
            missed[w.trainee] += {1: 3, 2: 2, 3: 1}[w.priority]
    mine: dict[str, list[Stint]] = defaultdict(list)
    for s in stints:
        mine[s.trainee].append(s)
    wt = instance.weights
    extra = extra_weights(instance)
    out = {}
    for tid, ss in sorted(mine.items()):
        t = people.get(tid)
        if t is None or t.programme not in progs:
            continue
        frag = 0
        for d in {s.discipline for s in ss}:
            ds = [s for s in ss if s.discipline == d]
            covered = {w for s in ds for w in range(wk(h0, s.start), wk(h0, s.end))}
            frag += max(0, wk(h0, max(s.end for s in ds)) - wk(h0, min(s.start for s in ds))
                        - len(covered))
        factor = SHORT_TRAVEL if t.short_travel else 1
        travel = sum(s.weeks * factor * -(-_minutes(instance, t.site, site_of.get(s.unit, t.site))
                                          // 10) for s in ss)
        least = _least_stints(instance, t, progs[t.programme])
        least_frag = _least_fragmentation(t, progs[t.programme])
        least_travel = _least_travel(instance, t, progs[t.programme])
        cost = (wt.unit_changes * (len(ss) - least) + wt.fragmentation * (frag - least_frag)
                + extra.get("wishes", 0) * missed[tid]
                + extra.get("travel", 0) * (travel - least_travel))
        out[tid] = {"stints": len(ss), "least_stints": least, "fragmentation": frag,
                    "least_fragmentation": least_frag, "wishes": missed[tid],
                    "travel": travel, "least_travel": least_travel, "cost": cost}
    return out


def fairness(instance: Instance, stints: list[Stint]) -> dict[str, Any]:
    """Each trainee's cost and the distribution: worst, median, best, Gini (0 = equal);
    wishes granted per priority."""
    per = trainee_costs(instance, stints)
    costs = sorted(p["cost"] for p in per.values())
    n = len(costs)
    median = 0.0 if not n else (costs[n // 2] if n % 2 else (costs[n // 2 - 1] + costs[n // 2]) / 2)
    total = sum(costs)
    # Gini over the costs shifted to be non-negative (a cost below 0 only for an invalid plan).
    low = min(costs, default=0)
    xs = [c - min(0, low) for c in costs]
    gini = 0.0 if not n or sum(xs) == 0 else (
        sum((2 * (i + 1) - n - 1) * x for i, x in enumerate(xs)) / (n * sum(xs)))
    granted: dict[int, list[int]] = {1: [0, 0], 2: [0, 0], 3: [0, 0]}
    for i, ok in wish_outcomes(instance, stints):
        g = granted[instance.wishes[i].priority]
        g[0] += ok
        g[1] += 1
    return {"trainees": per, "worst": costs[-1] if n else 0, "median": median,
            "best": costs[0] if n else 0, "sum": total, "gini": round(gini, 4),
            "wishes_granted": {str(k): {"granted": v[0], "of": v[1]} for k, v in granted.items()}}
