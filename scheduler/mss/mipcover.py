"""Every MinPosHosp minimum met by a time-indexed MIP (HiGHS through OR-Tools MathOpt).

Why: on the tightest instances the plain-Python construction, the interval-model repair and
the CP-SAT cover model (:mod:`scheduler.mss.cover`) left minima unmet at 60 s (I40_24_1:
minima are 81 % of the periods attended; I40_12_4: a discipline whose minimum periods need
five predecessors done first). The same time-indexed formulation as the cover model (one
binary per student, ward and start; one stint per period, disciplines once, group counts,
precedences, ``MaxDiscPerHosp``, capacity, minima) is an assignment problem whose LP
relaxation is tight enough for a MIP solver to find a feasible point at the root or after
little branching, where CP-SAT's search with one worker wandered.
"""

from __future__ import annotations

import bisect
import datetime
import random
import time
from collections import defaultdict

import numpy as np
from ortools.math_opt.python import mathopt

from scheduler.mss.cover import (
    SlotRows,
    able_first,
    avail_starts,
    open_starts,
    slots,
    unmet_cells,
)
from scheduler.mss.dzn import Cell, MssInstance
from scheduler.mss.model import stints_of

# Objective penalty per minimum period left short (above any student's stint values).
SHORT_PENALTY = 1000.0


def mip_cover(inst: MssInstance, cells: set[Cell], members: list[int], deadline: float,
              objective: bool = True, first: bool = True, max_short: int = 0,
              window: tuple[int, int] | None = None,
              verbose: bool = False) -> set[Cell] | None:
    """Re-place ``members`` (the others fixed as in ``cells``) so that every minimum is
    met; the stints' satisfaction (no waiting or changes) is the objective when
    ``objective``. None if no schedule is found by ``deadline`` (or none exists).

    ``max_short > 0``: the minima ``cells`` leaves unmet may stay short by at most
    ``max_short`` student-periods in all (each one penalised above any satisfaction), the
    ones ``cells`` meets stay met: a neighbourhood that cannot cover everything still
    makes progress (``max_short`` = unmet - 1).

    ``window = (a, b)``: only the members' stints inside periods ``a..b-1`` move (their
    stints elsewhere stay, with their disciplines, hospitals and predecessors); the
    neighbourhood for instances too large for everybody's whole horizon at once."""
    began = time.monotonic()
    D = inst.duration
    mem = set(members)
    start, kept, load, cap_left = _window_stints(inst, cells, members, window)
    wb = window[1] if window is not None else inst.horizon
    solver = _Builder()
    open_w = open_starts(inst, cap_left)
    z: dict[tuple[int, int, int, int], mathopt.Variable] = {}
    cover: dict[tuple[int, int, int], list] = defaultdict(list)
    for s in members:
        wa = start[s]
        av = np.array(inst.availability[s], dtype=bool)
        av[:wa] = False
        av[wb:] = False
        for _, _, t in kept[s]:
            av[t:t + D] = False
        done = {d: t for _, d, t in kept[s]}

        def skip(d: int, done: dict[int, int] = done, wa: int = wa) -> bool:
            # Kept elsewhere, or a predecessor kept later than the window start.
            return d in done or any(inst.precededby[d][d1] and done.get(d1, -1) >= wa
                                    for d1 in range(inst.disciplines))

        def latest(d: int, done: dict[int, int] = done, wa: int = wa) -> int:
            # A predecessor of a stint kept later must end before that stint starts.
            return min((t - D for d2, t in done.items()
                        if t >= wa and d2 != d and inst.precededby[d2][d]),
                       default=inst.horizon)

        rows: SlotRows[mathopt.Variable] = SlotRows(cover)
        for h, d, t, val in slots(inst, s, open_w, avail_starts(av, D), skip, latest):
            x = solver.m.add_binary_variable()
            z[(s, h, d, t)] = x
            rows.add(inst, h, d, t, x)
            if objective:
                solver.obj.append((x, float(val)))
        if not _student_rows(solver, inst, s, rows, kept[s], wa):
            return None
    minima = _minima_rows(solver, inst, cells, cover, load, cap_left, max_short, objective)
    if minima is None:
        return None
    built = time.monotonic()
    res = _solve_first(solver, deadline, first, verbose, minima, max_short)
    if res is None:
        return None
    if verbose:
        print(f"mip_cover: {len(z)} binaries, built {built - began:.1f} s, "
              f"{res.termination.reason.name} after {time.monotonic() - built:.1f} s")
    if not res.has_primal_feasible_solution():
        return None
    vals = res.variable_values()
    out = {c for c in cells if c[0] not in mem}
    for s, st in kept.items():
        out.update((s, k, h, d) for h, d, t in st for k in range(t, t + D))
    for (s, h, d, t), x in z.items():
        if vals[x] > 0.5:
            out.update((s, k, h, d) for k in range(t, t + D))
    return out


Kept = dict[int, list[tuple[int, int, int]]]  # student -> [(hospital, discipline, start)]


def _window_stints(inst: MssInstance, cells: set[Cell], members: list[int],
                   window: tuple[int, int] | None
                   ) -> tuple[dict[int, int], Kept, dict[tuple[int, int, int], int],
                              np.ndarray]:
    """Per member the first period it may change and the stints it keeps, the load of
    everything fixed per (hospital, discipline, period) and the capacity it leaves.

    Each member's window starts at its last stint before the window, so a student idle
    in the window can move a stint into it (on I80_24_4 the unmet minima are late and
    many students had finished by then). Stints outside stay."""
    D, T = inst.duration, inst.horizon
    mem = set(members)
    wa, wb = window if window is not None else (0, T)
    mine: Kept = defaultdict(list)
    for s, h, d, t in stints_of({c for c in cells if c[0] in mem}, D):
        mine[s].append((h, d, t))
    start: dict[int, int] = {}
    kept: Kept = defaultdict(list)
    for s in members:
        before = [t for _, _, t in mine[s] if t < wa]
        start[s] = max(before) if before and window is not None else wa
        kept[s] = [(h, d, t) for h, d, t in mine[s] if t < start[s] or t + D > wb]
    load: dict[tuple[int, int, int], int] = defaultdict(int)
    for s, t, h, d in cells:
        if s not in mem:
            load[(h, d, t)] += 1
    for st in kept.values():
        for h, d, t in st:
            for k in range(t, t + D):
                load[(h, d, k)] += 1
    cap_left = np.array(inst.max_pos, dtype=np.int64)
    for (h, d, t), n in load.items():
        cap_left[h, d, t] -= n
    return start, kept, load, cap_left


def _student_rows(solver: _Builder, inst: MssInstance, s: int,
                  rows: SlotRows[mathopt.Variable], kept: list[tuple[int, int, int]],
                  wa: int) -> bool:
    """Member ``s``'s rows around the stints it keeps; False if it cannot be completed."""
    D, ND = inst.duration, inst.disciplines
    inf = np.inf
    done = {d: t for _, d, t in kept}
    at_h: dict[int, int] = defaultdict(int)
    in_g: dict[int, int] = defaultdict(int)
    for h, d, _ in kept:
        at_h[h] += 1
        in_g[inst.disc_group[d]] += 1
    per_d, starts = rows.per_d, rows.starts
    for lits in list(rows.busy.values()) + list(per_d.values()):
        if len(lits) > 1:
            solver.row_ones(lits, -inf, 1)
    for g in range(inst.groups):
        need = inst.stud_disc_group[s][g] - in_g[g]
        if len(rows.per_g.get(g, [])) < need:
            return False
        solver.row_ones(rows.per_g.get(g, []), need, need)
    for h, lits in rows.per_h.items():
        if len(lits) > inst.max_disc_per_hosp - at_h[h]:
            solver.row_ones(lits, -inf, inst.max_disc_per_hosp - at_h[h])
    for d, t in done.items():
        # A kept stint after the window needs its predecessors not kept before it.
        for d1 in range(ND):
            if d1 != d and inst.precededby[d][d1] and t >= wa and d1 not in done:
                if not per_d.get(d1):
                    return False
                solver.row_ones(per_d[d1], 1, 1)
    # Precedence d after d1 as running sums, y[d][t] = stints of d started by t:
    # y[d][t] <= y[d1][t - D] (d1 ended before d starts). Written directly over the
    # starts, the rows held 1.4 M nonzeros on I40_12_4 and HiGHS's presolve took 50 s.
    involved = {d for d in range(ND) for d1 in range(ND) if d1 != d and starts.get(d)
                and inst.precededby[d][d1] and d1 not in done}
    involved |= {d1 for d in involved for d1 in range(ND) if d1 != d
                 and inst.precededby[d][d1]}
    # Only at the start times of each discipline (the window's, and the running sums
    # step only there): over all T periods the rows of 320 students took most of a 9 s
    # build on I320_12_4.
    run: dict[int, tuple[list[int], list]] = {}
    for d in involved:
        by_t: dict[int, list] = defaultdict(list)
        for t, x in starts.get(d, []):
            by_t[t].append(x)
        times = sorted(by_t)
        ys: list = []
        for t in times:
            y = solver.m.add_variable(lb=0.0, ub=1.0)
            # y[k] - y[k-1] - sum x[t_k] = 0
            solver.row([(y, 1.0)] + ([(ys[-1], -1.0)] if ys else [])
                       + [(x, -1.0) for x in by_t[t]], 0.0, 0.0)
            ys.append(y)
        run[d] = (times, ys)
    for d in involved:
        if not starts.get(d):
            continue
        for d1 in range(ND):
            if d1 == d or not inst.precededby[d][d1] or d1 in done:
                continue  # kept before the window (kept after: d has no starts)
            times1, ys1 = run[d1]
            for t, y in zip(*run[d], strict=True):
                k = bisect.bisect_right(times1, t - D) - 1
                solver.row([(y, 1.0)] + ([(ys1[k], -1.0)] if k >= 0 else []), -inf, 0.0)
    return True


def _minima_rows(solver: _Builder, inst: MssInstance, cells: set[Cell],
                 cover: dict[tuple[int, int, int], list],
                 load: dict[tuple[int, int, int], int], cap_left: np.ndarray,
                 max_short: int, objective: bool
                 ) -> tuple[mathopt.LinearConstraint | None, int] | None:
    """Capacity and minima rows; with ``max_short``, a shortfall per minimum unmet now
    and their total row. Returns (that row, the shortfall no member can reach), None if
    a hard minimum cannot be met."""
    have: dict[tuple[int, int, int], int] = defaultdict(int)
    for _, t, h, d in cells:
        have[(h, d, t)] += 1
    shorts: list[mathopt.Variable] = []
    floor_short = 0  # shortfall of the unmet minima no member can reach
    for h in range(inst.hospitals):
        for d in range(inst.disciplines):
            for t in range(inst.horizon):
                need = inst.min_pos[h][d][t] - load[(h, d, t)]
                lits = cover.get((h, d, t), [])
                cap = int(cap_left[h, d, t])
                gap = inst.min_pos[h][d][t] - have[(h, d, t)]
                if need > 0 and max_short > 0 and gap > 0:
                    # Unmet now: a shortfall variable (within the total allowed below).
                    sh = solver.m.add_integer_variable(lb=0, ub=need)
                    shorts.append(sh)
                    if not lits:
                        floor_short += need
                    if objective:
                        solver.obj.append((sh, -SHORT_PENALTY))
                    solver.row([(x, 1.0) for x in lits] + [(sh, 1.0)], need, np.inf)
                    if len(lits) > cap:
                        solver.row_ones(lits, 0, cap)
                    continue
                if need > 0 and len(lits) < need:
                    return None
                if lits and (need > 0 or len(lits) > cap):
                    solver.row_ones(lits, max(0, need), min(cap, len(lits)))
    total_row = None
    if shorts:
        solver.row_ones(shorts, 0, max_short)
        total_row = solver.last
    for x, v in solver.obj:
        solver.m.objective.set_linear_coefficient(x, v)
    solver.m.objective.is_maximize = True
    return total_row, floor_short


def _solve_first(solver: _Builder, deadline: float, first: bool, verbose: bool,
                 minima: tuple[mathopt.LinearConstraint | None, int], max_short: int
                 ) -> mathopt.SolveResult | None:
    total_row, floor_short = minima
    left = max(0.1, deadline - time.monotonic())
    # Presolve off: on I40_12_4 HiGHS's presolve ran 40 s and found nothing; without it
    # the feasibility jump heuristic has a schedule at the root in seconds.
    params = mathopt.SolveParameters(
        time_limit=datetime.timedelta(seconds=left),
        presolve=mathopt.Emphasis.OFF, enable_output=verbose,
        solution_limit=1 if first else None)
    if total_row is not None and floor_short < max_short:
        # Every unmet minimum in reach met at once first (a few seconds), else one fewer.
        total_row.upper_bound = floor_short
        params.time_limit = datetime.timedelta(seconds=max(0.1, min(left / 4, 3.0)))
        res = _highs(solver.m, params)
        if res is not None and res.has_primal_feasible_solution():
            return res
        total_row.upper_bound = max_short
        params.time_limit = datetime.timedelta(
            seconds=max(0.1, deadline - time.monotonic()))
    return _highs(solver.m, params)


def _highs(m: mathopt.Model, params: mathopt.SolveParameters) -> mathopt.SolveResult | None:
    try:
        return mathopt.solve(m, mathopt.SolverType.HIGHS, params=params)
    except (RuntimeError, ValueError):  # the solver refused the model or its parameters
        return None


class _Builder:
    """A mathopt model and the objective terms collected while building."""

    def __init__(self) -> None:
        self.m = mathopt.Model()
        self.obj: list[tuple[mathopt.Variable, float]] = []
        self.last: mathopt.LinearConstraint | None = None

    def row(self, terms: list, lo: float, hi: float) -> None:
        c = self.m.add_linear_constraint(lb=lo, ub=hi)
        for x, a in terms:
            c.set_coefficient(x, a)

    def row_ones(self, lits: list, lo: float, hi: float) -> None:
        c = self.m.add_linear_constraint(lb=float(lo), ub=float(hi))
        self.last = c
        for x in lits:
            c.set_coefficient(x, 1.0)


def _size(inst: MssInstance, s: int) -> int:
    """Start binaries of student ``s`` (an estimate: ward closures are not counted)."""
    T, D = inst.horizon, inst.duration
    wards = sum(inst.allowed_disc[s][d] * inst.ability[s][h][d]
                for h in range(inst.hospitals) for d in range(inst.disciplines))
    return wards * sum(1 for t in range(T - D + 1) if all(inst.availability[s][t:t + D]))


def mip_size(inst: MssInstance) -> int:
    """Start binaries of the MIP of every student over the whole horizon (an estimate)."""
    return sum(_size(inst, s) for s in range(inst.students))


def mip_repair(inst: MssInstance, cells: set[Cell], deadline: float, seed: int = 0,
               whole: int = 80_000, budget: int = 40_000, step: float = 10.0,
               verbose: bool = False) -> set[Cell]:
    """Cover the minima ``cells`` leaves unmet with :func:`mip_cover`; every other
    constraint must hold in ``cells`` already. Up to ``whole`` binaries all students over
    the whole horizon at once, every minimum hard; otherwise every student within a time
    window around a random unmet minimum, about ``budget`` binaries, that must leave at
    least one unmet student-period fewer each time. (Neighbourhoods of the students able
    to cover the most unmet minima over the whole horizon found nothing on I80_24_4: the
    unmet minima are late in the horizon and every able student was busy then.)"""
    rng = random.Random(seed)
    S, T, D = inst.students, inst.horizon, inst.duration
    total = mip_size(inst)
    cur = set(cells)
    unmet = unmet_cells(inst, cur)
    if unmet and total <= whole:
        got = mip_cover(inst, cur, list(range(S)), deadline, objective=False,
                        verbose=verbose)
        if got is not None and not unmet_cells(inst, got):
            return got
    size = [_size(inst, s) for s in range(S)]
    width = max(3 * D, min(T, int(T * budget / max(1, total))))
    fails = 0
    rounds = 0
    while time.monotonic() < deadline - 1:
        unmet = unmet_cells(inst, cur)
        if not unmet:
            break
        short = _short(inst, cur)
        h0, d0, t0 = rng.choice(unmet)
        rounds += 1
        if rounds % 2:
            # Everybody in a window around the minimum, wider after failures, shifted at
            # random (I80_24_4: 11 -> 8 unmet in 40 s at load 5).
            w = min(T, width + fails * D)
            a = max(0, min(T - w, t0 - rng.randrange(D, max(D + 1, w - D))))
            members, window = list(range(S)), (a, a + w)
        else:
            # The students able to cover it over the whole horizon, those able to cover
            # the most unmet minima first: precedence chains (I320_12_4) need the whole
            # horizon.
            able, rest, reach = able_first(inst, unmet, (h0, d0, t0), rng)
            rest.sort(key=lambda s: (-reach[s], rng.random()))
            members, lits = [], 0
            for s in able + rest:
                if lits + size[s] <= budget or not members:
                    members.append(s)
                    lits += size[s]
            members.sort()
            window = None
        got = mip_cover(inst, cur, members, min(deadline, time.monotonic() + step),
                        max_short=short - 1, objective=False, window=window,
                        verbose=verbose)
        if got is not None and _short(inst, got) < short:
            cur = got
            fails = max(0, fails - 1)
        else:
            fails += 1
    return cur


def _short(inst: MssInstance, cells: set[Cell]) -> int:
    """Student-periods missing from the minima."""
    load: dict[tuple[int, int, int], int] = defaultdict(int)
    for _, t, h, d in cells:
        load[(h, d, t)] += 1
    return sum(max(0, inst.min_pos[h][d][t] - load[(h, d, t)]) for h in range(inst.hospitals)
               for d in range(inst.disciplines) for t in range(inst.horizon))
