"""Reassignment: the best unit for every stint with its weeks and discipline kept; single
moves first (``relocate``), then exact per part of interchangeable units (``reassign_part``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ortools.sat.python import cp_model

from scheduler.domain import EXTENDING_LEAVE, Instance, Unit
from scheduler.plan import Stint
from scheduler.solver.context import Deadline
from scheduler.solver.cpsat import make_solver, run
from scheduler.solver.model import staffing_window, utilisation
from scheduler.solver.plan_state import PlanState, plan_cost


def _seated(u: Unit) -> bool:
    return bool(u.capacity_by_programme or u.reserved_seats)


def _fits(stint_range: tuple[int, int | None], weeks: int) -> bool:
    lo, hi = stint_range
    return lo <= weeks and (hi is None or weeks <= hi)


# Seconds per stint that building and costing a part take beyond its budget (``reassign``),
# before one is measured: a part of thousands of stints at 1 000 trainees took ~2.5 s. The
# largest measured so far per instance (by id; a reused id only shifts an estimate) carries
# over to the next call: each call started from 0, so its first large part ran past the
# budget (1 000 trainees, 60 s: a reassignment given 3.0 s ran 9.1 s, and the run ended at
# 62 s).
PRIOR_RATE = 0.0005
# Parts of fewer stints do not move the estimate: a fraction of a second of noise over 3
# stints would read as 0.1 s a stint and skip every large part from then on.
RATE_FROM = 50
BUILD_RATES: dict[int, float] = {}


def reassign(instance: Instance, plan: list[Stint], profiles: dict, time_limit: float,
             seed: int, stop: Callable[[], bool] | None = None) -> list[Stint]:
    """The best unit for every stint with its weeks and discipline kept (exact per part).

    Unit changes and fragmentation depend only on each trainee's stints' weeks and
    disciplines, so moving a stint to another unit that may take it changes only the shared
    terms: staffing targets and peak utilisation. For fixed weeks capacity is linear. Why: on
    polished Örebro plans the vårdcentraler held 27-32 trainees in weeks with 6 of them empty
    (two-seat centres doubled up while single-seat ones stood empty), which re-plans of a few
    trainees at a time seldom undo. The stints fall into parts that share no unit (the
    vårdcentraler, psychiatry, each site's hospital units); each part is one model, solved
    with the rest fixed (one model of all of Örebro's stints improved far more slowly).
    Trainees with locked stints, extending leave or an opening rule keep their units, so the
    exceptions of the repeat and order rules are never touched.
    """
    w = instance.weights
    if not (w.staffing_shortfall or w.peak_utilisation):
        return plan
    deadline = Deadline(time_limit, stop)
    if deadline.left() <= 0.2:  # the least a part needs (below)
        return plan
    trainees = {t.id: t for t in instance.all_trainees()}
    cands: list[list[str]] = []
    unseated = [u for u in instance.units if not _seated(u)]
    # The units a stint may move to depend on these only: one scan of the units per key (a
    # scan per stint took 4.8 CPU s at 850 trainees, whatever the phase's budget).
    fitting: dict[tuple, list[str]] = {}
    for st in plan:
        t = trainees[st.trainee]
        prog = instance.programme(t.programme)
        units = [st.unit]
        # Seats per programme are not in these moves' arithmetic: such units keep theirs.
        if not (t.locked or prog.starts_with or _seated(instance.unit(st.unit))
                or any(lv.kind in EXTENDING_LEAVE for lv in t.leave)):
            key = (prog.id, t.site, t.part_time, st.discipline, st.weeks)
            if key not in fitting:
                fitting[key] = [u.id for u in unseated
                                if u.eligible(prog.id, t.site) and st.discipline in u.disciplines
                                and _fits(u.stint_range(prog.id, t.part_time), st.weeks)]
            units += [uid for uid in fitting[key] if uid != st.unit]
        cands.append(units)
    # Parts: units linked by a stint that may be at either (union-find).
    root: dict[str, str] = {}

    def find(x: str) -> str:
        while root.setdefault(x, x) != x:
            root[x] = root[root[x]]
            x = root[x]
        return x

    for linked in dict.fromkeys(tuple(u) for u in cands if len(u) > 1):  # each list once
        for uid in linked[1:]:
            root[find(uid)] = find(linked[0])
    parts: dict[str, list[int]] = {}
    for i, units in enumerate(cands):
        if len(units) > 1:
            parts.setdefault(find(units[0]), []).append(i)
    out = relocate(instance, list(plan), cands, profiles, 0.2 * time_limit, stop)
    # Most parts are solved to optimality in a fraction of a second; a part that is not gets
    # a share of the time left in a second pass.
    todo = sorted(parts.values(), key=len)
    # Seconds per stint that a part's model building and costing take beyond its solve's
    # budget (the largest seen): at 1 000 trainees a part of thousands of stints took ~2.5 s
    # to build whatever its budget, and a reassignment given 8.5 s ran 35 s. A part whose
    # estimate does not fit the time left is skipped.
    rate = BUILD_RATES.get(id(instance), PRIOR_RATE)
    for second in (False, True):
        unfinished = []
        for j, idx in enumerate(todo):
            left = deadline.remaining()
            if left <= 0.2 or deadline.stopped():
                return out
            if rate * len(idx) > left - 0.2:
                continue
            began = time.monotonic()
            budget = left / (len(todo) - j) if second else min(1.0, left / (len(todo) - j))
            given = budget
            if second and w.staffing_shortfall and w.peak_utilisation:
                # The staffing rows alone first (peaks capped), then both terms from there.
                # The peak terms (a max over a class) give the LP little to work with:
                # measured on the vårdcentral part of one polished Örebro plan (158 stints,
                # 12 s, four stint orders), one worker kept all 180 empty weeks with both
                # terms; the staffing rows alone were solved to 5 (optimal) in 7-10 s.
                out, _ = reassign_part(instance, out, cands, set(idx), profiles,
                                       0.7 * budget, seed, peak=False)
                budget = max(0.1, deadline.remaining()) / (len(todo) - j)
                given = 0.7 * given + budget
            out, optimal = reassign_part(instance, out, cands, set(idx), profiles, budget,
                                         seed)
            if len(idx) >= RATE_FROM:
                rate = max(rate, (time.monotonic() - began - given) / len(idx))
                BUILD_RATES[id(instance)] = rate
            if not optimal:
                unfinished.append(idx)
        todo = unfinished
    return out


def relocate(instance: Instance, plan: list[Stint], cands: list[list[str]], profiles: dict,
             time_limit: float, stop: Callable[[], bool] | None = None) -> list[Stint]:
    """Moves of single stints to another unit each may take (weeks kept) while staffing
    shortfall plus peak utilisation falls: a local search before ``reassign``'s exact parts.

    Why: the exact vårdcentral part's peak terms (a max over the class) give its LP little to
    work with, and one worker seldom lowers them. Measured on one polished Örebro plan
    (158 vårdcentral stints): 2.7 s of moves took peak utilisation from 399 to 377, and the
    staffing rows then solved from there kept it (empty weeks 180 -> 5).
    """
    w = instance.weights
    deadline = Deadline(time_limit, stop)
    n = instance.n_weeks
    wins = {u.id: staffing_window(instance, u) for u in instance.units}
    staffed = {uid for uid, win in wins.items() if win is not None}
    movable = [i for i, units in enumerate(cands) if len(units) > 1 and staffed & set(units)]
    if not movable or not w.staffing_shortfall:
        return plan
    cls_of = {u.id: frozenset(u.disciplines) for u in instance.units
              if profiles[u.id] is not None and sum(profiles[u.id]) > 0}
    members: dict[frozenset[str], list[str]] = {}
    for uid, c in cls_of.items():
        members.setdefault(c, []).append(uid)
    state = PlanState(instance, plan)  # its loads only: stints move by index here
    load, total = state.load, state.total
    used: dict[tuple[str, str, str], int] = {}
    span = [state.span(st) for st in plan]
    for st in plan:
        key = (st.trainee, st.unit, st.discipline)
        used[key] = used.get(key, 0) + 1

    def peak(c: frozenset[str]) -> int:
        return max(utilisation(total.get(u, 0), profiles[u]) for u in members[c])

    def local(cells: set[tuple[str, int]], classes: set[frozenset[str]]) -> int | None:
        """Shortfall and peaks over the cells and classes a move touches; None if a cell is
        over capacity."""
        cost = 0
        for uid, k in cells:
            x = load.get(uid, [0] * n)[k]
            prof = profiles[uid]
            if prof is not None and x > prof[k]:
                return None
            win = wins[uid]
            if win is not None and win[0] <= k < win[1]:
                cost += w.staffing_shortfall * max(0, win[2] - x)
        return cost + w.peak_utilisation * sum(peak(c) for c in classes)

    def shift(i: int, uid: str, sign: int) -> None:
        st = plan[i]
        state.shift(uid, span[i], st.weeks, sign)
        key = (st.trainee, uid, st.discipline)
        used[key] = used.get(key, 0) + sign

    def move(i: int, uid: str) -> bool:
        """Put stint ``i`` at ``uid``; keep it if the touched cost falls."""
        st, was = plan[i], plan[i].unit
        if used.get((st.trainee, uid, st.discipline), 0):  # one stint per unit and discipline
            return False
        cells = {(u, k) for u in (was, uid) for k in range(*span[i])}
        classes = {cls_of[u] for u in (was, uid) if u in cls_of}
        before = local(cells, classes)
        shift(i, was, -1)
        shift(i, uid, 1)
        after = local(cells, classes)
        if after is not None and before is not None and after < before:
            plan[i] = replace(st, unit=uid, site=instance.unit(uid).site)
            return True
        shift(i, uid, -1)
        shift(i, was, 1)
        return False

    improved = True
    while improved and deadline.remaining() > 0 and not deadline.stopped():
        improved = False
        for i in movable:
            if deadline.remaining() <= 0 or deadline.stopped():  # a sweep takes minutes at 1 000
                break
            for uid in cands[i]:
                if uid != plan[i].unit and move(i, uid):
                    improved = True
                    break
    return plan


def reassign_part(instance: Instance, plan: list[Stint], cands: list[list[str]],
                  movable: set[int], profiles: dict, budget: float,
                  seed: int, peak: bool = True) -> tuple[list[Stint], bool]:
    """``reassign`` for the stints ``movable``, everybody else's units fixed; the plan and
    whether its part is proven optimal. ``peak=False``: the staffing rows only (the plan is
    still kept only if its whole cost falls)."""
    w = instance.weights
    n = instance.n_weeks
    m = cp_model.CpModel()
    touched = {uid for i in movable for uid in cands[i]}
    lits: dict[int, list[tuple[str, Any]]] = {}
    by_uw: dict[tuple[str, int], list[Any]] = {}
    weeks_at: dict[str, list[tuple[int, Any]]] = {}
    repeat: dict[tuple[str, str, str], list[Any]] = {}
    for i, st in enumerate(plan):
        units = cands[i] if i in movable else [st.unit]
        if not touched.intersection(units):
            continue
        a, b = instance.week_index(st.start), instance.week_index(st.end)
        opts: list[tuple[str, Any]] = [(uid, m.new_bool_var("") if len(units) > 1 else 1)
                                       for uid in units]
        for uid, x in opts:
            for k in range(max(0, a), min(n, b)):
                by_uw.setdefault((uid, k), []).append(x)
            weeks_at.setdefault(uid, []).append((st.weeks, x))
            repeat.setdefault((st.trainee, uid, st.discipline), []).append(x)
        if len(opts) > 1:
            m.add_exactly_one([x for _, x in opts])
            for uid, x in opts:  # the plan's unit (``relocate`` may have moved it)
                m.add_hint(x, int(uid == st.unit))
            lits[i] = opts
    # Rows of constants only (stints that stay) hold already: a stint resumed after leave
    # may stand twice at one unit, and must not make the part infeasible.
    for xs in repeat.values():
        if len(xs) > 1 and not all(isinstance(x, int) for x in xs):
            m.add(sum(xs) <= 1)
    for (uid, k), xs in by_uw.items():
        prof = profiles[uid]
        if prof is not None and not all(isinstance(x, int) for x in xs):
            m.add(sum(xs) <= prof[k])
    # The current plan's values of the helper variables, for a complete hint.
    now = PlanState(instance, plan).load
    short = []
    for u in instance.units:
        win = staffing_window(instance, u)
        if win is None or not w.staffing_shortfall or u.id not in touched:
            continue
        a, b, want = win
        for k in range(a, b):
            cov = m.new_int_var(0, want, "")
            m.add(cov <= sum(by_uw.get((u.id, k), [])))
            m.add_hint(cov, min(want, now[u.id][k] if u.id in now else 0))
            short.append(want - cov)
    peaks: list[Any] = []
    if w.peak_utilisation and not peak:
        # Every unit's utilisation capped at its class's current peak: linear rows instead
        # of the max, so the peak term cannot rise while the staffing rows are solved.
        now_peak: dict[frozenset[str], int] = {}
        for u in instance.units:
            prof = profiles[u.id]
            if prof is not None and sum(prof) > 0:
                c = frozenset(u.disciplines)
                now_peak[c] = max(now_peak.get(c, 0), utilisation(sum(now.get(u.id, ())), prof))
        for u in instance.units:
            prof = profiles[u.id]
            if u.id in touched and prof is not None and sum(prof) > 0:
                load = sum(wk * x for wk, x in weeks_at.get(u.id, []))
                m.add(100 * load <= now_peak[frozenset(u.disciplines)] * sum(prof))
    if w.peak_utilisation and peak:
        classes: dict[frozenset[str], list[Any]] = {}
        for u in instance.units:
            prof = profiles[u.id]
            if prof is None or sum(prof) == 0:
                continue
            cls = classes.setdefault(frozenset(u.disciplines), [])
            util_now = utilisation(sum(now.get(u.id, ())), prof)
            if u.id not in touched:
                cls.append((util_now, util_now))  # a constant here
                continue
            load = sum(wk * x for wk, x in weeks_at.get(u.id, []))
            util = m.new_int_var(0, 100 * n * len(plan) // sum(prof) + 1, "")
            m.add(util * sum(prof) >= 100 * load)
            m.add_hint(util, util_now)
            cls.append((util, util_now))
        for members in classes.values():
            if all(isinstance(v, int) for v, _ in members):
                continue
            peak_v = m.new_int_var(0, 100 * n * len(plan), "")
            for v, _ in members:
                m.add(peak_v >= v)
            m.add_hint(peak_v, max(x for _, x in members))
            peaks.append(peak_v)
    m.minimize(w.staffing_shortfall * sum(short) + w.peak_utilisation * sum(peaks))
    # Measured on the vårdcentral part of a polished Örebro plan (158 stints, 10 s): 402 with
    # the default linearisation, 80 with level 2 (the coverage rows in the LP).
    solver = make_solver(max(0.1, budget), 1, seed, linearization_level=2)
    if not peak:  # measured on that part: optimal in 6 s without symmetry detection, 9 s with
        solver.parameters.symmetry_level = 0
    status = run(solver, m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return plan, False
    out = list(plan)
    for i, opts in lits.items():
        uid = next(u for u, x in opts if solver.value(x))
        if uid != plan[i].unit:
            out[i] = replace(plan[i], unit=uid, site=instance.unit(uid).site)
    better = plan_cost(instance, out, profiles)[0] < plan_cost(instance, plan, profiles)[0]
    return (out if better else plan), status == cp_model.OPTIMAL
