"""Per-student CP-SAT sub-models of the MSS and the CP-SAT greedy first plan.

A sub-model is a few students alone (:func:`subset`) with the ward capacity the others
leave and the minima still to cover; :func:`solve_single` solves one student;
:func:`greedy` places the students one after the other (see :mod:`scheduler.mss.solve`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from scheduler.mss.dzn import Cell, MssInstance
from scheduler.mss.model import MssModel

# Reward per period a student covers towards an unmet MinPosHosp in the greedy first plan: more
# than any student's satisfaction can change (|SatTot| stays far below it on every instance).
MIN_REWARD = 10_000


Grid = list[list[list[int]]]  # [hospital][discipline][period]


def subset(inst: MssInstance, members: list[int], load: Grid,
            need: Grid | None = None) -> MssInstance:
    """Students ``members`` alone, with the ward capacity the others leave (``load`` is the
    others' load) and the minima ``need`` still to cover (none if ``None``)."""
    return replace(
        inst, name=f"{inst.name}-sub", students=len(members),
        stud_disc_group=[inst.stud_disc_group[s] for s in members],
        allowed_disc=[inst.allowed_disc[s] for s in members],
        availability=[inst.availability[s] for s in members],
        ability=[inst.ability[s] for s in members],
        max_pos=[[[max(0, c - x) for c, x in zip(inst.max_pos[h][d], load[h][d], strict=True)]
                  for d in range(inst.disciplines)] for h in range(inst.hospitals)],
        min_pos=need or [[[0] * inst.horizon for _ in range(inst.disciplines)]
                         for _ in range(inst.hospitals)],
        weight_pref=[inst.weight_pref[s] for s in members],
        pref_disc=[inst.pref_disc[s] for s in members],
        pref_hosp=[inst.pref_hosp[s] for s in members])


def single(inst: MssInstance, s: int, load: Grid, need: Grid | None = None) -> MssInstance:
    """Student ``s`` alone, with the ward capacity the others leave (and minima ``need``)."""
    return subset(inst, [s], load, need)


def empty_grid(inst: MssInstance) -> Grid:
    return [[[0] * inst.horizon for _ in range(inst.disciplines)]
            for _ in range(inst.hospitals)]


def sub_solver(limit: float, seed: int) -> cp_model.CpSolver:
    """CP-SAT for the small sub-models (one student or a few): one worker, no symmetry
    detection or probing (Instance_L80, 8 students: 1.5 s instead of 2.4 s, same optima)."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = limit
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.symmetry_level = 0
    solver.parameters.cp_model_probing_level = 0
    return solver


def load_of(inst: MssInstance, by_student: dict[int, set[Cell]], skip: set[int] | list[int]
             ) -> Grid:
    """Students' load per [hospital][discipline][period], leaving out ``skip``."""
    load = empty_grid(inst)
    for s, mine in by_student.items():
        if s not in skip:
            for _, t, h, d in mine:
                load[h][d][t] += 1
    return load


@dataclass
class FirstPlan:
    cells: set[Cell]
    complete: bool  # every student has a schedule
    # Upper bound on the objective: sum of each student's best SatTot with all the ward
    # capacity to themselves, plus the smallest of them (None if one was not proven).
    bound: int | None
    ideals: dict[int, int] | None = None  # student -> CP-SAT bound on its best SatTot alone


def solve_single(sub: MssInstance, limit: float, seed: int, soft_min: int = 0,
                 hint: set[Cell] | None = None,
                 fixed: dict[int, tuple[int, int]] | None = None
                 ) -> tuple[set[Cell] | None, int | None]:
    """Best schedule of a one-student instance and the proven best SatTot (objective / 2).
    ``fixed``: stints ``discipline -> (hospital, start)`` the schedule must keep."""
    mm = MssModel(sub, soft_min=soft_min)
    if hint:
        mm.hint_cells(hint)
    for d, (h, st) in (fixed or {}).items():
        o = mm.students[0].options.get((h, d))
        if o is None:
            return None, None
        mm.model.add(o.presence == 1)
        mm.model.add(mm.students[0].starts[d] == st)
    solver = sub_solver(limit, seed)
    status = solver.solve(mm.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # UNKNOWN reports a best bound of 0, which is no bound (it made the greedy's bound
        # 7738 on I40_24_1 at load 9, below the best known 7799).
        return None, None
    ub = int(math.floor(solver.best_objective_bound + 1e-6)) // 2
    return mm.cells(solver), ub


def need_of(inst: MssInstance, load: Grid) -> Grid:
    """MinPosHosp still to cover given ``load``."""
    return [[[max(0, lo - x) for lo, x in zip(inst.min_pos[h][d], load[h][d], strict=True)]
             for d in range(inst.disciplines)] for h in range(inst.hospitals)]


def greedy(inst: MssInstance, deadline: float, seed: int = 0,
           give_up: bool = False) -> FirstPlan:
    """A first schedule, student by student, each given its best stints in the capacity left.

    Like the core's trainee-by-trainee first plan: CP-SAT struggles to find any feasible
    schedule of the full model on the larger instances (none in 40 s on Instance_100).
    Students with the fewest free periods per required period go first. Each student is
    first solved with all the capacity (its ideal, which also bounds the objective); only if
    that schedule does not fit in what the others left is it solved again with the rest.
    While some ward-period lacks its MinPosHosp students, each student is instead solved
    with the capacity left and a large reward per period it covers towards a minimum.
    ``give_up`` (a valid plan exists already): return an incomplete plan as soon as the pace
    so far will not finish every student's ideal solve by ``deadline``; without the ideals
    there is no bound and the plan is no better than :func:`quick_plan`'s (I40_24_2: 50 s,
    incomplete).
    """
    D = inst.duration
    load = [[[0] * inst.horizon for _ in range(inst.disciplines)]
            for _ in range(inst.hospitals)]
    zero = [[[0] * inst.horizon for _ in range(inst.disciplines)]
            for _ in range(inst.hospitals)]

    def slack(s: int) -> float:
        return sum(inst.availability[s]) / max(1, D * inst.n_stints(s))

    order = sorted(range(inst.students), key=lambda s: (slack(s), s))
    cells: set[Cell] = set()
    complete = True
    ideals: list[int | None] = []
    per_student: dict[int, int] = {}
    began = time.monotonic()
    for k, s in enumerate(order):
        left = deadline - time.monotonic()
        if left <= 0:
            return FirstPlan(cells, False, None, per_student)
        per_stu = left / (len(order) - k)
        if give_up and (per_stu < 0.2 or (
                k >= max(3, len(order) // 20)
                and (time.monotonic() - began) / k * (len(order) - k) > left)):
            return FirstPlan(cells, False, None, per_student)
        limit = max(0.3, min(3.0, 2 * per_stu))
        if per_stu >= 0.2:
            mine, ideal = solve_single(single(inst, s, zero), limit, seed)
        else:  # short of time: no ideal (and so no greedy bound), one solve per student
            mine, ideal = None, None
        ideals.append(ideal)
        if ideal is not None:
            per_student[s] = ideal
        need = [[[max(0, lo - x) for lo, x in zip(inst.min_pos[h][d], load[h][d], strict=True)]
                 for d in range(inst.disciplines)] for h in range(inst.hospitals)]
        short = any(x for per_h in need for per_d in per_h for x in per_d)
        fits = mine is not None and all(load[h][d][t] < inst.max_pos[h][d][t]
                                        for _, t, h, d in mine)
        if short:
            # Cover unmet minima first (a large reward per period), then satisfaction. Proving
            # that optimal can take long: a short limit, warm-started from the ideal.
            got, _ = solve_single(single(inst, s, load, need), min(limit, 1.0), seed,
                                   soft_min=MIN_REWARD, hint=mine if fits else None)
            mine = got if got is not None else (mine if fits else None)
            fits = mine is not None
        if not fits:
            mine, _ = solve_single(single(inst, s, load), limit, seed)
        if mine is None:
            complete = False
            continue
        for _, t, h, d in mine:
            cells.add((s, t, h, d))
            load[h][d][t] += 1
    known = [x for x in ideals if x is not None]
    bound = (sum(known) + min(known)
             if len(known) == len(ideals) == inst.students and known else None)
    return FirstPlan(cells, complete, bound, per_student)


def combined_bound(dp: list[int] | None, cp: dict[int, int] | None) -> int | None:
    """``sum + min`` of each student's smaller upper bound (the pricing programme's, the
    CP-SAT ideal's); None without the programme's (the CP-SAT ones may miss students)."""
    if not dp:
        return None
    ub = [min(u, (cp or {}).get(s, u)) for s, u in enumerate(dp)]
    return sum(ub) + min(ub)
