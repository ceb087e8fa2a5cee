"""A proven upper bound from column generation with exact pricing (CP-SAT per student).

Why: on the Akbarzadeh–Maenhout instances that stayed unproven (Instance_L72-L84) the
per-student bound ``sum(ideal) + min(ideal)`` is 14-65 above the best schedules and the
full model's bound does not move in 60 s; the gap is capacity, which the master LP over
whole-schedule columns prices. The dynamic programme of :mod:`scheduler.mss.pricing` is
relaxed (10 above the exact ideals on Instance_L72 already without prices) and slow once
its critical sets grow, so here each student's priced problem is solved exactly by CP-SAT.

Bound (integer arithmetic, so it is exact): with integers ``A[h,d,t] >= 0`` and ``p_s >= 0``
summing to ``K``, Lagrangian relaxation of the capacity rows (multipliers ``A / K``) and of
``w <= SatTot_s`` (multipliers ``p_s / K``, in the simplex, so ``w`` drops out) gives

    K * objective <= sum_s max_sched [(K + p_s) SatTot - A . use] + A . MaxPosHosp

and CP-SAT's proven bound of each ``max`` keeps it valid whether or not it finished. Without
``MinPosHosp`` (every Akbarzadeh–Maenhout instance) there are no other coupling rows. The
multipliers are the master LP's duals (:func:`scheduler.mss.colgen._master_lp`) rounded
down, so every round's bound is valid however far the LP is from converging.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from scheduler.mss.colgen import Column, _master_lp
from scheduler.mss.dzn import Cell, MssInstance
from scheduler.mss.greedy import empty_grid, single, sub_solver
from scheduler.mss.model import MssModel, stints_of
from scheduler.mss.pricing import StudentPricer

# Scale of the multipliers (the duals are rounded down to 1 / K).
K = 1000


def no_minima(inst: MssInstance) -> bool:
    return not any(x for per_h in inst.min_pos for per_d in per_h for x in per_d)


class ExactPricer:
    """One student alone with all the capacity, as a time-indexed CP-SAT model (a literal
    per ward and start), built once; each call only replaces the objective."""

    def __init__(self, inst: MssInstance, s: int):
        self.inst, self.s, self.D = inst, s, inst.duration
        self.mm = MssModel(single(inst, s, empty_grid(inst)), time_indexed=True)
        self.tot = self.mm.totals[0]
        # (hospital, discipline, start) -> literal
        self.z = {(h, d, t): lit for (_, h, d), zs in self.mm.z.items()
                  for t, lit in zs.items()}

    def price(self, weight: int, A: np.ndarray | None, limit: float, seed: int = 0,
              hint: Column | None = None) -> tuple[int | None, Column | None]:
        """max weight * SatTot - A . use: CP-SAT's proven upper bound (None if it proved
        nothing) and its best schedule as a column (None if none)."""
        m, D = self.mm.model, self.D
        cost = []
        if A is not None:
            for (h, d, t), lit in self.z.items():
                c = int(A[h, d, t:t + D].sum())
                if c:
                    cost.append(c * lit)
        m.maximize(weight * self.tot - sum(cost))
        m.clear_hints()
        return self._solve(limit, seed, hint)

    def _solve(self, limit: float, seed: int, hint: Column | None
               ) -> tuple[int | None, Column | None]:
        """Solve ``self.mm`` (its objective set): the proven bound and the best column."""
        D = self.D
        if hint is not None:
            self.mm.hint_cells({(0, t + k, h, d) for h, d, t in hint.stints
                                for k in range(D)})
        solver = sub_solver(limit, seed)
        status = solver.solve(self.mm.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None, None  # UNKNOWN's bound is no bound
        ub = int(round(solver.objective_value)) if status == cp_model.OPTIMAL else \
            int(np.floor(solver.best_objective_bound + 1e-6))
        st = tuple(sorted(((h, d, t) for _, h, d, t in stints_of(
            {(self.s, t, h, d) for _, t, h, d in self.mm.cells(solver)}, D)),
            key=lambda x: x[2]))
        return ub, Column(st, int(round(solver.value(self.tot))))


class IntervalPricer(ExactPricer):
    """The same pricing on the interval model (as the greedy's ideal solves), rebuilt per
    call with a literal only for the starts that carry a price: 3.6 CPU s for 20 students
    of Instance_L72 with 300 priced ward-periods, where the time-indexed model took 11.5 s
    (the same 20 optima)."""

    def __init__(self, inst: MssInstance, s: int):
        self.inst, self.s, self.D = inst, s, inst.duration
        self.sub = single(inst, s, empty_grid(inst))

    def price(self, weight: int, A: np.ndarray | None, limit: float, seed: int = 0,
              hint: Column | None = None) -> tuple[int | None, Column | None]:
        D = self.D
        self.mm = mm = MssModel(self.sub)
        m = mm.model
        self.tot = mm.totals[0]
        sv = mm.students[0]
        cost = []
        if A is not None:
            for (h, d), o in sv.options.items():
                for t in range(self.inst.horizon - D + 1):
                    c = int(A[h, d, t:t + D].sum())
                    if not c:
                        continue
                    eq, z = m.new_bool_var(""), m.new_bool_var("")
                    m.add(sv.starts[d] == t).only_enforce_if(eq)
                    m.add(sv.starts[d] != t).only_enforce_if(~eq)
                    m.add_bool_and([eq, o.presence]).only_enforce_if(z)
                    m.add_bool_or([~eq, ~o.presence, z])
                    cost.append(c * z)
        m.maximize(weight * self.tot - sum(cost))
        return self._solve(limit, seed, hint)


def _use(col: Column, A: np.ndarray, D: int) -> int:
    return int(sum(int(A[h, d, t:t + D].sum()) for h, d, t in col.stints))


def round_duals(alpha: np.ndarray, pi: np.ndarray, weakest: int
                ) -> tuple[np.ndarray, list[int]]:
    """Integer multipliers: ``A = floor(K alpha)`` and ``p = floor(K pi)`` with what the
    rounding leaves of ``K`` on student ``weakest`` (so ``sum(p) == K`` exactly)."""
    A = np.floor(K * np.maximum(alpha, 0.0) + 1e-9).astype(np.int64)
    p = [int(np.floor(K * max(0.0, x) + 1e-9)) for x in pi]
    p[weakest] += K - sum(p)
    if p[weakest] < 0:  # pi summed above 1 by rounding noise: all on the weakest
        p = [0] * len(p)
        p[weakest] = K
    return A, p


def lagrange_value(inst: MssInstance, ubs: list[int], A: np.ndarray) -> int:
    """The bound from the per-student priced bounds: floor((sum ubs + A . cap) / K)."""
    cap = np.array(inst.max_pos, dtype=np.int64)
    return (sum(ubs) + int((A * cap).sum())) // K


@dataclass
class ExactColGen:
    bound: int | None  # best proven bound over the rounds
    ideals: list[int] | None  # each student's proven best SatTot alone (round 0)
    pool: list[list[Column]] = field(default_factory=list)
    rounds: int = 0
    lp: float | None = None
    # (wall s, process CPU s, bound, LP value) per round
    trace: list[tuple[float, float, int | None, float | None]] = field(default_factory=list)


def exact_column_generation(inst: MssInstance, deadline: float, starts: list[set[Cell]],
                            ubs: list[int] | None = None, target: int | None = None,
                            pricers: list[StudentPricer] | None = None, seed: int = 0,
                            solve_limit: float = 2.0, workers: int = 1,
                            verbose: bool = False) -> ExactColGen:
    """Column generation over the master LP with CP-SAT pricing; stops at ``deadline``, when
    the bound reaches ``target`` (a schedule's score: then it is optimal), or when no column
    prices out. Columns start from the schedules ``starts``; ``ubs``: proven upper bounds
    on each student's SatTot (without them each is solved alone first).
    Instances without ``MinPosHosp`` only (the pricing has no minimum duals)."""
    S, D = inst.students, inst.duration
    t0, c0 = time.monotonic(), time.process_time()
    pricers = pricers or [StudentPricer(inst, s) for s in range(S)]
    exact: list[ExactPricer | None] = [None] * S
    pool: list[list[Column]] = [[] for _ in range(S)]
    seen: list[set] = [set() for _ in range(S)]
    out = ExactColGen(None, None, pool)

    def add(s: int, col: Column | None) -> None:
        if col is not None and col.stints not in seen[s]:
            seen[s].add(col.stints)
            pool[s].append(col)

    def pricer(s: int) -> ExactPricer:
        if exact[s] is None:
            exact[s] = IntervalPricer(inst, s)
        return exact[s]  # type: ignore[return-value]

    for sched in starts:
        per: list[list] = [[] for _ in range(S)]
        for s, h, d, t in stints_of(sched, D):
            per[s].append((h, d, t))
        for s in range(S):
            st = sorted(per[s], key=lambda x: x[2])
            if pricers[s].feasible(st):
                add(s, Column(tuple(st), pricers[s].satisfaction(st)))
    # Round 0: each student's best SatTot alone. Given ``ubs`` (the solve's programme and
    # CP-SAT ideals) they are taken as they are: a loose one only means the student is
    # priced exactly in every round (the pricing's bound replaces it there).
    ideals: list[int] = list(ubs) if ubs else []
    for s in range(S if not ubs else 0):
        if time.monotonic() > deadline:
            return out
        best = max(pool[s], key=lambda c: c.value, default=None)
        got, col = pricer(s).price(1, None, max(0.1, min(solve_limit,
                                                       deadline - time.monotonic())),
                                   seed, best)
        add(s, col)
        if got is None:
            return out  # no bound on this student: no bound at all
        ideals.append(got)
    out.ideals = ideals
    out.bound = sum(ideals) + min(ideals)
    out.trace.append((time.monotonic() - t0, time.process_time() - c0, out.bound, None))
    cap = np.array(inst.max_pos, dtype=float)
    mins = np.array(inst.min_pos, dtype=float)
    weakest = min(range(S), key=lambda s: ideals[s])
    while time.monotonic() < deadline and not (target is not None and out.bound <= target):
        lp = _master_lp(inst, pool, cap, mins)
        if lp is None:
            break
        out.lp, alpha, _beta, pi = lp
        A, p = round_duals(alpha, pi, weakest)
        # Per student its priced upper bound times K; CP-SAT only where the programme and
        # the pool leave a gap, ``workers`` students at a time (the solves release the GIL).
        row: list[int] = []
        todo: list[tuple[int, int, list[int], Column | None]] = []
        added = 0
        for s in range(S):
            w = K + p[s]
            val, cands, best, new = _cheap(pricers[s], pool[s], w, A, ideals[s], D)
            if new is not None:
                added += new.stints not in seen[s]
                add(s, new)
            row.append(val if val is not None else 0)
            if val is None:
                todo.append((s, w, cands, best))
        for s in {s for s, *_ in todo}:
            pricer(s)
        with ThreadPoolExecutor(max_workers=max(1, workers)) as ex:
            jobs = [ex.submit(_exact, exact[s], w, A, deadline, solve_limit, seed, best)
                    for s, w, _, best in todo]
            for (s, _w, cands, _b), job in zip(todo, jobs, strict=True):
                got, col = job.result()
                if col is not None and col.stints not in seen[s]:
                    added += 1
                add(s, col)
                row[s] = min(cands + ([got] if got is not None else []))
        priced = len(todo)
        out.rounds += 1
        out.bound = min(out.bound, lagrange_value(inst, row, A))
        out.trace.append((time.monotonic() - t0, time.process_time() - c0, out.bound, out.lp))
        if verbose:
            print("exact colgen", out.trace[-1], "priced", priced, "added", added, flush=True)
        # No column left to price out, or the pool's LP already at the bound (the bound
        # never falls below the full master's LP): converged.
        if not added or (out.lp is not None and out.lp >= out.bound - 1e-6):
            break
    return out


def _cheap(sp: StudentPricer, pool: list[Column], w: int, A: np.ndarray, ideal: int, D: int
           ) -> tuple[int | None, list[int], Column | None, Column | None]:
    """Student's priced bound (times K) without CP-SAT where possible: a pooled schedule
    reaching the ideal, or the programme's bound (milliseconds; valid for any multipliers)
    reached by a pooled schedule or its own path. Returns (the value or None, the valid
    upper bounds so far, the best pooled column, a new column from the programme)."""
    best = max(pool, key=lambda c: w * c.value - _use(c, A, D), default=None)
    lo = None if best is None else w * best.value - _use(best, A, D)
    if lo is not None and lo >= w * ideal:
        return w * ideal, [w * ideal], best, None
    dp = sp.solve(A / K, w / K)
    cands = [w * ideal, int(np.floor(K * dp.bound + 1e-3))]
    new = None
    if dp.feasible:
        new = Column(tuple(dp.stints), sp.satisfaction(dp.stints))
        mine = w * new.value - _use(new, A, D)
        lo = mine if lo is None else max(lo, mine)
    if lo is not None and min(cands) <= lo:
        return lo, cands, best, new
    return None, cands, best, new


def _exact(ep: ExactPricer | None, w: int, A: np.ndarray, deadline: float, limit: float,
           seed: int, hint: Column | None) -> tuple[int | None, Column | None]:
    left = deadline - time.monotonic()
    if ep is None or left < 0.1:
        return None, None
    return ep.price(w, A, min(limit, left), seed, hint)
