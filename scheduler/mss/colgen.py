"""Column generation for MSS: one column is one student's whole schedule.

Master (an LP, GLOP)::

    max  sum_c v_c x_c + w - M sum slack
    s.t. sum_{c of s} x_c = 1                     (each student one schedule)
         w - sum_{c of s} v_c x_c <= 0  [pi_s]     (w is the worst SatTot)
         sum_c a_c(h,d,t) x_c <= MaxPosHosp  [alpha]
         sum_c a_c(h,d,t) x_c + slack >= MinPosHosp  [beta]

Pricing: each student's best schedule with satisfaction scaled by ``1 + pi_s`` and every
ward-period priced ``alpha - beta`` (:mod:`scheduler.mss.pricing`, a dynamic programme).

Bound: for any ``alpha, beta >= 0`` and ``pi >= 0`` summing to 1 (Lagrangian relaxation of
the capacity, minimum and worst rows; ``w`` drops out), the optimum is at most
``sum_s max_c [(1 + pi_s) v_c - (alpha - beta) . a_c] + alpha . MaxPosHosp - beta . MinPosHosp``.
The pricing returns an upper bound on each ``max``, so the bound holds at every round, with
whatever duals the LP gives and however early it stops (the smallest over the rounds is
kept). With zero prices and ``pi`` on the weakest student it is the per-student ideal bound
``sum(ideal) + min(ideal)``.

Schedules: the integer master over the columns generated (CP-SAT, one Boolean per column,
minima hard): price-and-branch.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from scheduler.mss.dzn import Cell, MssInstance
from scheduler.mss.model import stints_of
from scheduler.mss.pricing import Stint, StudentPricer

# Objective penalty per minimum period left uncovered in the LP (above any student's SatTot).
SLACK_PENALTY = 1000.0


@dataclass
class Column:
    stints: tuple[Stint, ...]
    value: int  # SatTot


@dataclass
class ColGen:
    bound: int | None  # best Lagrangian upper bound (None: not a single round priced)
    lp: float | None  # last master LP value
    rounds: int
    pool: list[list[Column]] = field(default_factory=list)  # per student
    ideal_bound: int | None = None  # the zero-price round: sum(ideal) + min(ideal)


def _cells_of(col: Column, D: int) -> list[tuple[int, int, int]]:
    return [(h, d, t0 + k) for h, d, t0 in col.stints for k in range(D)]


def columns_of(inst: MssInstance, cells: set[Cell], pricers: list[StudentPricer]
               ) -> list[Column | None]:
    """Each student's schedule in ``cells`` as a column (None if not a real one)."""
    per: list[list[Stint]] = [[] for _ in range(inst.students)]
    for s, h, d, t in stints_of(cells, inst.duration):
        per[s].append((h, d, t))
    out: list[Column | None] = []
    for s in range(inst.students):
        st = sorted(per[s], key=lambda x: x[2])
        ok = pricers[s].feasible(st)
        out.append(Column(tuple(st), pricers[s].satisfaction(st)) if ok else None)
    return out


def column_generation(inst: MssInstance, deadline: float, start: set[Cell] | None = None,
                      max_rounds: int = 50, iters: int = 8,
                      pricers: list[StudentPricer] | None = None,
                      verbose: bool = False) -> ColGen:
    S, H, ND, T = inst.students, inst.hospitals, inst.disciplines, inst.horizon
    pricers = pricers or [StudentPricer(inst, s) for s in range(S)]
    pool: list[list[Column]] = [[] for _ in range(S)]
    seen: list[set[tuple[Stint, ...]]] = [set() for _ in range(S)]

    def add(s: int, col: Column) -> bool:
        if col.stints in seen[s]:
            return False
        seen[s].add(col.stints)
        pool[s].append(col)
        return True

    if start:
        for s, col in enumerate(columns_of(inst, start, pricers)):
            if col is not None:
                add(s, col)
    cap = np.array(inst.max_pos, dtype=float)
    mins = np.array(inst.min_pos, dtype=float)
    best_bound = math.inf
    ideal_bound = None
    lp_val = None
    alpha = np.zeros((H, ND, T))
    beta = np.zeros((H, ND, T))
    pi = np.zeros(S)
    rounds = 0
    while rounds < max_rounds and time.monotonic() < deadline:
        # ---- pricing with the current duals (round 0: no prices, pi on the weakest)
        price = alpha - beta
        ubs = np.zeros(S)
        added = 0
        for s in range(S):
            if time.monotonic() > deadline:
                return ColGen(None if best_bound == math.inf else int(best_bound), lp_val,
                              rounds, pool, ideal_bound)
            p = pricers[s].tighten(price if rounds else None, 1.0 + pi[s],
                                   iters if rounds == 0 else max(3, iters // 2))
            ubs[s] = p.bound
            for found in pricers[s].found:
                st = tuple(sorted(found, key=lambda x: x[2]))
                added += add(s, Column(st, pricers[s].satisfaction(list(st))))
            pricers[s].found.clear()
        if rounds == 0:
            # pi = e_argmin: sum(ub) + min(ub); the true values are integers.
            ints = [math.floor(u + 1e-6) for u in ubs]
            ideal_bound = sum(ints) + min(ints)
            bound = float(ideal_bound)
        else:
            bound = float(ubs.sum() + (alpha * cap).sum() - (beta * mins).sum())
        best_bound = min(best_bound, math.floor(bound + 1e-6))
        rounds += 1
        if rounds > 1 and added == 0:
            break
        # ---- master LP
        if any(not pool[s] for s in range(S)) and rounds > 1:
            # A student without any real schedule yet: the LP would need artificial
            # columns; its duals are still usable, so keep pricing without a master.
            pass
        lp = _master_lp(inst, pool, cap, mins)
        if lp is None:
            break
        lp_val, alpha, beta, pi = lp
        if verbose:
            print(f"round {rounds}: bound {bound:.1f} best {best_bound} added {added} "
                  f"lp {lp_val:.1f} cols {sum(map(len, pool))}")
    return ColGen(None if best_bound == math.inf else int(best_bound), lp_val, rounds, pool,
                  ideal_bound)


def _master_lp(inst: MssInstance, pool: list[list[Column]], cap: np.ndarray,
               mins: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray] | None:
    S, H, ND, T, D = (inst.students, inst.hospitals, inst.disciplines, inst.horizon,
                      inst.duration)
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None:
        return None
    inf = solver.infinity()
    w = solver.NumVar(-inf, inf, "w")
    obj = solver.Objective()
    obj.SetCoefficient(w, 1.0)
    obj.SetMaximization()
    conv, worst = [], []
    use: dict[tuple[int, int, int], list] = {}
    for s in range(S):
        c_conv = solver.Constraint(1.0, 1.0)
        c_w = solver.Constraint(-inf, 0.0)
        c_w.SetCoefficient(w, 1.0)
        conv.append(c_conv)
        worst.append(c_w)
        # Artificial schedule (no stints, no value for w): keeps the LP feasible when the
        # pool's columns clash, priced out by the penalty.
        a = solver.NumVar(0.0, 1.0, f"a{s}")
        c_conv.SetCoefficient(a, 1.0)
        obj.SetCoefficient(a, -10 * SLACK_PENALTY)
        for col in pool[s]:
            x = solver.NumVar(0.0, 1.0, "")
            c_conv.SetCoefficient(x, 1.0)
            c_w.SetCoefficient(x, -float(col.value))
            obj.SetCoefficient(x, float(col.value))
            for cell in _cells_of(col, D):
                use.setdefault(cell, []).append(x)
    cap_rows, min_rows = {}, {}
    for cell, xs in use.items():
        c = solver.Constraint(-inf, float(cap[cell]))
        for x in xs:
            c.SetCoefficient(x, 1.0)
        cap_rows[cell] = c
    for raw in zip(*np.nonzero(mins), strict=True):
        cell = (int(raw[0]), int(raw[1]), int(raw[2]))
        c = solver.Constraint(float(mins[cell]), inf)
        sl = solver.NumVar(0.0, inf, "")
        c.SetCoefficient(sl, 1.0)
        obj.SetCoefficient(sl, -SLACK_PENALTY)
        for x in use.get(cell, []):
            c.SetCoefficient(x, 1.0)
        min_rows[cell] = c
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    alpha = np.zeros((H, ND, T))
    beta = np.zeros((H, ND, T))
    for cell, c in cap_rows.items():
        alpha[cell] = max(0.0, c.dual_value())
    for cell, c in min_rows.items():
        beta[cell] = max(0.0, -c.dual_value())
    pi = np.array([max(0.0, c.dual_value()) for c in worst])
    tot = pi.sum()
    pi = pi / tot if tot > 0 else np.full(S, 1.0 / S)
    return solver.Objective().Value(), alpha, beta, pi


def integer_master(inst: MssInstance, pool: list[list[Column]], deadline: float,
                   hint: set[Cell] | None = None, seed: int = 0,
                   workers: int = 1) -> set[Cell] | None:
    """Best combination of pooled columns (one per student, capacity, minima hard),
    warm-started from the schedule ``hint`` (its columns should be in the pool)."""
    S, D = inst.students, inst.duration
    if any(not pool[s] for s in range(S)):
        return None
    mine: list[tuple[Stint, ...] | None] = [None] * S
    if hint:
        per: list[list[Stint]] = [[] for _ in range(S)]
        for s, h, d, t in stints_of(hint, D):
            per[s].append((h, d, t))
        mine = [tuple(sorted(p, key=lambda x: x[2])) for p in per]
    m = cp_model.CpModel()
    xs: list[list] = []
    use: dict[tuple[int, int, int], list] = {}
    lo = min(min(c.value for c in p) for p in pool)
    hi = max(max(c.value for c in p) for p in pool)
    w = m.new_int_var(lo, hi, "w")
    obj = []
    for s in range(S):
        row = [m.new_bool_var("") for _ in pool[s]]
        m.add_exactly_one(row)
        xs.append(row)
        m.add(w <= sum(c.value * x for c, x in zip(pool[s], row, strict=True)))
        for c, x in zip(pool[s], row, strict=True):
            obj.append(c.value * x)
            for cell in _cells_of(c, D):
                use.setdefault(cell, []).append(x)
        if mine[s] is not None:
            for c, x in zip(pool[s], row, strict=True):
                m.add_hint(x, c.stints == mine[s])
    for cell, lits in use.items():
        h, d, t = cell
        if len(lits) > inst.max_pos[h][d][t]:
            m.add(sum(lits) <= inst.max_pos[h][d][t])
    for h in range(inst.hospitals):
        for d in range(inst.disciplines):
            for t in range(inst.horizon):
                need = inst.min_pos[h][d][t]
                if need:
                    lits = use.get((h, d, t), [])
                    if len(lits) < need:
                        return None
                    m.add(sum(lits) >= need)
    m.maximize(sum(obj) + w)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, deadline - time.monotonic())
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    status = solver.solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    cells: set[Cell] = set()
    for s in range(S):
        for c, x in zip(pool[s], xs[s], strict=True):
            if solver.value(x):
                cells.update((s, t, h, d) for h, d, t in _cells_of(c, D))
    return cells


def ideal_bounds(inst: MssInstance, deadline: float,
                 pricers: list[StudentPricer] | None = None,
                 iters: int = 8, hard_deadline: float | None = None) -> list[int] | None:
    """Upper bound on each student's best SatTot with all the ward capacity (the pricing
    without prices): one programme per student first (valid already), then subgradient
    and critical-set rounds on the loosest students until ``deadline``. None if the first
    pass does not finish by ``hard_deadline`` (by default it always finishes: one programme
    per student, 0.6-4 s CPU on the generated instances, is what guarantees a bound)."""
    S = inst.students
    pricers = pricers or [StudentPricer(inst, s) for s in range(S)]
    ubs: list[float] = []
    exact: list[bool] = []
    for s in range(S):
        if hard_deadline is not None and time.monotonic() > hard_deadline:
            return None
        p = pricers[s].solve(None, 1.0)
        ubs.append(p.bound)
        exact.append(p.feasible and abs(p.bound - p.value) < 1e-6)
    for s in sorted(range(S), key=lambda s: -ubs[s]):
        if time.monotonic() > deadline:
            break
        if exact[s]:
            continue
        ubs[s] = min(ubs[s], pricers[s].tighten(None, 1.0, iters).bound)
    return [math.floor(u + 1e-6) for u in ubs]
