"""Cover every MinPosHosp minimum with a time-indexed CP-SAT model of chosen students.

Why: on the tightest instances (I40_24_1: minima are 81 % of the periods attended; I80_24_4)
the plain-Python construction and the interval-model repair (4-8 students at a time) left
minima unmet at 600 s. Here one literal per (student, hospital, discipline, start) and plain
sums: each period at most one stint, each discipline at most once, group counts,
precedences, ``MaxDiscPerHosp``, capacity and minima. No waiting or changes (what makes the
full model heavy); the objective is the stints' satisfaction without them, and the hint is
the current schedule, so the result stays close to it. Students outside ``members`` are fixed
(their load is subtracted), so the same model serves a neighbourhood or everybody.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np
from ortools.sat.python import cp_model

from scheduler.mss.dzn import Cell, MssInstance
from scheduler.mss.model import stints_of

# Per minimum period left short in a soft neighbourhood: above any satisfaction change.
SHORT_PENALTY = 10_000
# Up to this many start literals (estimated), cover_repair first tries all students at once.
WHOLE_LITERALS = 80_000

V = TypeVar("V")  # a model's literal: a CP-SAT BoolVar or a MathOpt Variable


def open_starts(inst: MssInstance, cap_left: np.ndarray) -> np.ndarray:
    """[h, d, t]: a stint of ward (h, d) started at t finds room in every period."""
    D, T = inst.duration, inst.horizon
    n_st = max(0, T - D + 1)
    open_w = np.ones((inst.hospitals, inst.disciplines, n_st), dtype=bool)
    for k in range(D):
        open_w &= cap_left[:, :, k:k + n_st] > 0
    return open_w


def avail_starts(av: np.ndarray, duration: int) -> np.ndarray:
    """[t]: the student is available in every period of a stint started at t."""
    n_st = max(0, len(av) - duration + 1)
    ok = np.ones(n_st, dtype=bool)
    for k in range(duration):
        ok &= av[k:k + n_st]
    return ok


@dataclass
class SlotRows(Generic[V]):
    """One student's start literals of the time-indexed models, grouped for their rows:
    per period (one stint at a time), discipline (once), hospital (``MaxDiscPerHosp``),
    group (counts) and discipline with start times (precedences); ``cover`` (shared by
    all students) per ward-period for capacity and minima."""
    cover: dict[tuple[int, int, int], list[V]]
    busy: dict[int, list[V]] = field(default_factory=lambda: defaultdict(list))
    per_d: dict[int, list[V]] = field(default_factory=lambda: defaultdict(list))
    per_h: dict[int, list[V]] = field(default_factory=lambda: defaultdict(list))
    per_g: dict[int, list[V]] = field(default_factory=lambda: defaultdict(list))
    starts: dict[int, list[tuple[int, V]]] = field(default_factory=lambda: defaultdict(list))

    def add(self, inst: MssInstance, h: int, d: int, t: int, x: V) -> None:
        for k in range(t, t + inst.duration):
            self.busy[k].append(x)
            self.cover[(h, d, k)].append(x)
        self.per_d[d].append(x)
        self.per_h[h].append(x)
        self.per_g[inst.disc_group[d]].append(x)
        self.starts[d].append((t, x))


def slots(inst: MssInstance, s: int, open_w: np.ndarray, av_w: np.ndarray,
          skip: Callable[[int], bool] = lambda d: False,
          latest: Callable[[int], int] | None = None
          ) -> Iterator[tuple[int, int, int, int]]:
    """(hospital, discipline, start, stint value) of every stint student ``s`` may take:
    allowed discipline, able, room in the ward and available at every period, discipline
    not ``skip``-ped, start at most ``latest(d)``. The value is the stint's satisfaction
    without waiting and changes."""
    w_disc, w_hosp, _, _ = inst.weight_pref[s]
    for d in range(inst.disciplines):
        if not inst.allowed_disc[s][d] or skip(d):
            continue
        last = latest(d) if latest is not None else inst.horizon
        for h in range(inst.hospitals):
            if not inst.ability[s][h][d]:
                continue
            val = w_disc * inst.pref_disc[s][d] + inst.man_pref[d] + \
                w_hosp * inst.pref_hosp[s][h]
            for t in np.flatnonzero(open_w[h, d] & av_w).tolist():
                if t > last:
                    break
                yield h, d, t, val


class _StopWhenMet(cp_model.CpSolverSolutionCallback):
    def __init__(self, shorts: list) -> None:
        super().__init__()
        self.shorts = shorts

    def on_solution_callback(self) -> None:
        if sum(self.value(x) for x in self.shorts) == 0:
            self.stop_search()


def cover_model(inst: MssInstance, cells: set[Cell], members: list[int], deadline: float,
                seed: int = 0, workers: int = 1, first: bool = False,
                verbose: bool = False, soft: bool = False) -> set[Cell] | None:
    """Re-place ``members`` so every minimum is met (None if not found in time);
    ``soft``: as many as they can (shortfall minimised first; None only if no solution)."""
    began = time.monotonic()
    D, T, H, ND = inst.duration, inst.horizon, inst.hospitals, inst.disciplines
    mem = set(members)
    load: dict[tuple[int, int, int], int] = defaultdict(int)
    for s, t, h, d in cells:
        if s not in mem:
            load[(h, d, t)] += 1
    cur = {(s, h, d): t for s, h, d, t in stints_of({c for c in cells if c[0] in mem}, D)}
    m = cp_model.CpModel()
    cover: dict[tuple[int, int, int], list] = defaultdict(list)
    z: dict[tuple[int, int, int, int], cp_model.IntVar] = {}
    obj = []
    hinted: set[int] = set()  # indices of the literals true in the current schedule
    cap_left = np.array(inst.max_pos, dtype=np.int64)
    for (h, d, t), n in load.items():
        cap_left[h, d, t] -= n
    open_w = open_starts(inst, cap_left)
    for s in members:
        rows: SlotRows[cp_model.IntVar] = SlotRows(cover)
        av = np.array(inst.availability[s], dtype=bool)
        for h, d, t, val in slots(inst, s, open_w, avail_starts(av, D)):
            x = m.new_bool_var("")
            z[(s, h, d, t)] = x
            rows.add(inst, h, d, t, x)
            obj.append(val * x)
            m.add_hint(x, cur.get((s, h, d)) == t)
            if cur.get((s, h, d)) == t:
                hinted.add(x.index)
        _student_rows(m, inst, s, rows)
    shorts = []
    for h in range(H):
        for d in range(ND):
            for t in range(T):
                need = inst.min_pos[h][d][t] - load[(h, d, t)]
                lits = cover.get((h, d, t), [])
                if need > 0:
                    if soft:
                        # Shortfall, minimised first: the neighbourhood covers what it can.
                        have = sum(1 for x in lits if x.index in hinted)
                        sh = m.new_int_var(0, need, "")
                        m.add(sum(lits) + sh >= need)
                        m.add_hint(sh, max(0, need - have))
                        shorts.append(sh)
                        continue
                    if len(lits) < need:
                        return None
                    m.add(sum(lits) >= need)
                cap = inst.max_pos[h][d][t] - load[(h, d, t)]
                if len(lits) > cap:
                    m.add(sum(lits) <= cap)
    m.maximize(sum(obj) - SHORT_PENALTY * sum(shorts))
    built = time.monotonic()
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, deadline - time.monotonic())
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.stop_after_first_solution = first
    # Probing took most of the time on I40_24_1 (3 s of a 5 s presolve at load 7).
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.symmetry_level = 0
    # Presolve took the whole 12 s of a 25 k-literal neighbourhood on I80_24_4 (the hint,
    # complete and feasible, is the start anyway).
    solver.parameters.cp_model_presolve = False
    # Soft: stop once every minimum is met (satisfaction is for the later phases).
    status = solver.solve(m, _StopWhenMet(shorts) if soft and shorts else None)
    if verbose:
        print(f"cover: {len(z)} literals, built {built - began:.1f} s, "
              f"{solver.status_name(status)} after {solver.wall_time:.1f} s")
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    out = {c for c in cells if c[0] not in mem}
    for (s, h, d, t), x in z.items():
        if solver.value(x):
            out.update((s, k, h, d) for k in range(t, t + D))
    return out


def _student_rows(m: cp_model.CpModel, inst: MssInstance, s: int,
                  rows: SlotRows[cp_model.IntVar]) -> None:
    """Student ``s``'s rows: one stint at a time, disciplines once, group counts,
    ``MaxDiscPerHosp`` and precedences (``d`` started by ``t`` needs ``d1`` started by
    ``t - D``)."""
    D, ND = inst.duration, inst.disciplines
    for lits in list(rows.busy.values()) + list(rows.per_d.values()):
        if len(lits) > 1:
            m.add_at_most_one(lits)
    for g in range(inst.groups):
        m.add(sum(rows.per_g.get(g, [])) == inst.stud_disc_group[s][g])
    for lits in rows.per_h.values():
        if len(lits) > inst.max_disc_per_hosp:
            m.add(sum(lits) <= inst.max_disc_per_hosp)
    mine = rows.starts
    for d in range(ND):
        for d1 in range(ND):
            if d1 == d or not inst.precededby[d][d1] or not rows.per_d.get(d):
                continue
            xs_d = sorted(mine[d], key=lambda p: p[0])
            xs_d1 = sorted(mine.get(d1, []), key=lambda p: p[0])
            acc_d1: list = []
            j = 0
            for i, (t, _) in enumerate(xs_d):
                if i + 1 < len(xs_d) and xs_d[i + 1][0] == t:
                    continue
                while j < len(xs_d1) and xs_d1[j][0] <= t - D:
                    acc_d1.append(xs_d1[j][1])
                    j += 1
                m.add(sum(x for _, x in xs_d[:i + 1]) <= sum(acc_d1))


def unmet_cells(inst: MssInstance, cells: set[Cell]) -> list[tuple[int, int, int]]:
    """(hospital, discipline, period) of every minimum not met."""
    load: dict[tuple[int, int, int], int] = defaultdict(int)
    for _, t, h, d in cells:
        load[(h, d, t)] += 1
    return [(h, d, t) for h in range(inst.hospitals) for d in range(inst.disciplines)
            for t in range(inst.horizon) if inst.min_pos[h][d][t] > load[(h, d, t)]]


def cover_repair(inst: MssInstance, cells: set[Cell], deadline: float, seed: int = 0,
                 workers: int = 1, budget: int = 30_000, verbose: bool = False) -> set[Cell]:
    """Neighbourhoods of :func:`cover_model` until every minimum is met or time is up.

    Members: the students able to cover the most unmet minimum periods first, then random
    others, up to about ``budget`` start literals (I80_24_4 with all 80 students: 330 k,
    43 s to build at load 7; I40_24_1 with all 40: 69 k, met in 16 s). A neighbourhood that
    finds nothing is replaced by a random one of the same size."""
    rng = random.Random(seed)
    D, T = inst.duration, inst.horizon
    S = inst.students
    size = [sum(inst.allowed_disc[s][d] * inst.ability[s][h][d]
                for h in range(inst.hospitals) for d in range(inst.disciplines))
            * sum(1 for t in range(T - D + 1) if all(inst.availability[s][t:t + D]))
            for s in range(S)]
    cur = set(cells)
    if sum(size) <= WHOLE_LITERALS and unmet_cells(inst, cur):
        # Everybody at once: I40_24_1 (69 k literals) is met in one model (16 s at load 7).
        # Shortfall minimised from the hint, so any progress is kept (hard minima with one
        # worker found nothing in 47 s at load 11; with two, all met in 15.5 s).
        got = cover_model(inst, cur, list(range(S)), deadline, seed=seed, workers=workers,
                          soft=workers < 2, first=workers >= 2, verbose=verbose)
        if got is not None and len(unmet_cells(inst, got)) < len(unmet_cells(inst, cur)):
            cur = got
        if not unmet_cells(inst, cur) or time.monotonic() > deadline - 1:
            return cur
    fails = 0
    while time.monotonic() < deadline - 1:
        unmet = unmet_cells(inst, cur)
        if not unmet:
            break
        # A random unmet minimum: every student able to cover it, the ones able to cover
        # the most unmet minima first, then others at random, up to the literal budget.
        h0, d0, t0 = rng.choice(unmet)
        reach = {s: sum(1 for h, d, t in unmet
                        if inst.ability[s][h][d] and inst.allowed_disc[s][d]
                        and inst.availability[s][t]) for s in range(S)}
        able = [s for s in range(S) if inst.ability[s][h0][d0] and inst.allowed_disc[s][d0]
                and inst.availability[s][t0]]
        rest = [s for s in range(S) if s not in able]
        able.sort(key=lambda s: (-reach[s], rng.random()))
        rng.shuffle(rest)
        members: list[int] = []
        lits = 0
        for s in able + rest:
            if lits + size[s] > budget and members:
                continue
            members.append(s)
            lits += size[s]
        left = deadline - time.monotonic()
        got = cover_model(inst, cur, sorted(members), time.monotonic() + min(left, 20.0),
                          seed=rng.randrange(1 << 30), workers=workers, soft=True,
                          verbose=verbose)
        if got is None or len(unmet_cells(inst, got)) >= len(unmet):
            fails += 1
            continue
        cur = got
    return cur


def able_first(inst: MssInstance, unmet: list[tuple[int, int, int]], cell: tuple[int, int, int],
               rng: random.Random) -> tuple[list[int], list[int], dict[int, int]]:
    """The students able to cover ``cell`` (most unmet minima they could cover first, ties at
    random), the others, and each student's count of unmet minima it could cover: who a
    repair neighbourhood around an unmet minimum takes first."""
    S = inst.students
    reach = {s: sum(1 for h, d, t in unmet if inst.ability[s][h][d]
                    and inst.allowed_disc[s][d] and inst.availability[s][t])
             for s in range(S)}
    h0, d0, t0 = cell
    able = [s for s in range(S) if inst.ability[s][h0][d0]
            and inst.allowed_disc[s][d0] and inst.availability[s][t0]]
    rest = [s for s in range(S) if s not in able]
    able.sort(key=lambda s: (-reach[s], rng.random()))
    return able, rest, reach
