"""Solving an MSS instance: a greedy first plan, then the CP-SAT model warm-started from it."""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, replace

from ortools.sat.python import cp_model

from scheduler.mss.check import check
from scheduler.mss.colgen import column_generation, ideal_bounds, integer_master
from scheduler.mss.construct import Plan, construct, fill, swap_repair
from scheduler.mss.cover import cover_repair
from scheduler.mss.dzn import Cell, MssInstance
from scheduler.mss.evaluate import evaluate
from scheduler.mss.mipcover import mip_repair, mip_size
from scheduler.mss.model import MssModel, stints_of
from scheduler.mss.pricing import StudentPricer

# Reward per period a student covers towards an unmet MinPosHosp in the greedy first plan: more
# than any student's satisfaction can change (|SatTot| stays far below it on every instance).
MIN_REWARD = 10_000


@dataclass
class SolveResult:
    status: str  # "optimal", "feasible", "infeasible", "no_plan_in_time"
    cells: set[Cell]
    objective: int | None  # the solver's objective (= the evaluator's score)
    bound: int | None
    wall_time: float
    build_time: float
    first_plan: str = ""  # where the warm start came from ("construct", "greedy", ...)
    first_valid: float | None = None  # seconds to the first checker-clean schedule


Grid = list[list[list[int]]]  # [hospital][discipline][period]

# Above this many circuit arcs (students x attendable disciplines^2) the full model is not
# built: I160_24_1 (92 k) builds in 6 s, I320_24_4 (184 k) in 15 s and its presolve takes
# minutes; re-planning uses the whole time instead.
FULL_MODEL_ARCS = 60_000
# Up to this many start binaries (all students, whole horizon) the MIP cover of everybody
# runs first when the quick plan leaves minima unmet (I40_24_1: 69 k, met in 4 CPU s).
MIP_WHOLE = 80_000


def _arcs(inst: MssInstance) -> int:
    return sum(sum(inst.allowed_disc[s]) ** 2 for s in range(inst.students))


def _subset(inst: MssInstance, members: list[int], load: Grid,
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


def _single(inst: MssInstance, s: int, load: Grid, need: Grid | None = None) -> MssInstance:
    """Student ``s`` alone, with the ward capacity the others leave (and minima ``need``)."""
    return _subset(inst, [s], load, need)


def _grid(inst: MssInstance) -> Grid:
    return [[[0] * inst.horizon for _ in range(inst.disciplines)]
            for _ in range(inst.hospitals)]


def _unmet_cells(inst: MssInstance, cells: set[Cell]) -> list[tuple[int, int, int]]:
    """(hospital, discipline, period) of every MinPosHosp minimum not met, once per student
    missing."""
    load: dict[tuple[int, int, int], int] = {}
    for _, t, h, d in cells:
        load[(h, d, t)] = load.get((h, d, t), 0) + 1
    return [(h, d, t) for h in range(inst.hospitals) for d in range(inst.disciplines)
            for t, lo in enumerate(inst.min_pos[h][d]) if lo
            for _ in range(max(0, lo - load.get((h, d, t), 0)))]


def _unmet(inst: MssInstance, cells: set[Cell]) -> int:
    """Student-periods missing from the MinPosHosp minima."""
    return len(_unmet_cells(inst, cells))


def replan(inst: MssInstance, cells: set[Cell], deadline: float, seed: int = 0,
           size: int = 8, bound: int | None = None, stall: int | None = 10) -> set[Cell]:
    """Improve a valid schedule by re-planning a few students at a time, the rest fixed.

    Each neighbourhood is a random student and students who share its wards, solved exactly
    (the smallest SatTot of the others joins the minimum, so the sub-model's objective is the
    full objective minus a constant); a result is kept only if the full score improves.
    The neighbourhood grows while sub-problems solve to optimality and shrinks when they
    time out. A schedule whose only violations are unmet MinPosHosp (the greedy covers
    minima by reward, not by rule) is repaired the same way: while minima are unmet the
    sub-models reward covering them instead of requiring it, and a result is kept if it
    leaves fewer unmet minima, or as many and a better score. Stops early at ``bound`` or
    after ``stall * students`` neighbourhoods in a row without a change (the full model then
    takes over; ``None``: never, when there is no full model to hand over to).
    """
    rng = random.Random(seed)
    S = inst.students
    cur = set(cells)
    best = evaluate(inst, cur)
    codes = {v.code for v in check(inst, cur)}
    if codes - {"min_pos"}:
        return cur  # not repairable here
    unmet = _unmet(inst, cur)
    by_student: dict[int, set[Cell]] = {s: set() for s in range(S)}
    for c in cur:
        by_student[c[0]].add(c)
    idle = 0
    max_idle = S * stall if stall is not None else math.inf
    while S > 1 and idle < max_idle and not (bound is not None and not unmet
                                           and best.score >= bound):
        left = deadline - time.monotonic()
        if left < 0.5:
            break
        idle += 1
        s0 = rng.randrange(S)
        wards = {(h, d) for _, _, h, d in by_student[s0]}
        related = [s for s in range(S) if s != s0
                   and any((h, d) in wards for _, _, h, d in by_student[s])]
        if unmet:
            # Repair: students who could cover an unmet minimum.
            h, d, t = rng.choice(_unmet_cells(inst, cur))
            able = [s for s in range(S) if inst.ability[s][h][d] and inst.allowed_disc[s][d]
                    and inst.availability[s][t]]
            if able:
                s0 = rng.choice(able)
                related = [s for s in able if s != s0]
        rng.shuffle(related)
        members = [s0, *related[:max(0, size // 2)]]
        rest = [s for s in range(S) if s not in members]
        rng.shuffle(rest)
        members += rest[:max(0, size - len(members))]
        members.sort()
        load = _grid(inst)
        for s in range(S):
            if s not in members:
                for _, t, h, d in by_student[s]:
                    load[h][d][t] += 1
        need = [[[max(0, lo - x) for lo, x in zip(inst.min_pos[h][d], load[h][d], strict=True)]
                 for d in range(inst.disciplines)] for h in range(inst.hospitals)]
        others = [best.per_student[s]["total"] for s in range(S) if s not in members]
        sub = _subset(inst, members, load, need)
        mm = MssModel(sub, others_worst=min(others) if others else None,
                      soft_min=MIN_REWARD if unmet else 0)
        index = {s: k for k, s in enumerate(members)}
        mm.hint_cells({(index[s], t, h, d) for s in members for (_, t, h, d) in by_student[s]})
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = min(left, 2.0)
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = rng.randrange(1 << 30)
        solver.parameters.symmetry_level = 0
        solver.parameters.cp_model_probing_level = 0
        status = solver.solve(mm.model)
        size = min(S, size + 1) if status == cp_model.OPTIMAL else max(2, size - 1)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue
        new = {(members[k], t, h, d) for k, t, h, d in mm.cells(solver)}
        trial = {c for c in cur if c[0] not in index} | new
        sc = evaluate(inst, trial)
        trial_unmet = _unmet(inst, trial) if unmet else 0
        if (trial_unmet, -sc.score) < (unmet, -best.score):
            cur, best, unmet = trial, sc, trial_unmet
            idle = 0
            for s in members:
                by_student[s] = {c for c in new if c[0] == s}
    return cur


def sweep(inst: MssInstance, cells: set[Cell], deadline: float, seed: int = 0,
          limit: float = 1.0) -> set[Cell]:
    """Re-solve each student alone, everyone else fixed, lowest SatTot first; keep a result
    if the score improves. The quick plan fills students myopically (time order, best stint
    first); one exact solve per student recovers most of that, and costs one small model each
    where :func:`replan`'s neighbourhoods of up to 8 students take seconds on 24 disciplines.
    Minima stay hard (the others' load sets what the student must still cover)."""
    S = inst.students
    cur = set(cells)
    if check(inst, cur):
        return cur
    best = evaluate(inst, cur)
    by_student: dict[int, set[Cell]] = {s: set() for s in range(S)}
    for c in cur:
        by_student[c[0]].add(c)
    for s in sorted(range(S), key=lambda s: (best.per_student[s]["total"], s)):
        left = deadline - time.monotonic()
        if left < 0.2:
            break
        load = _grid(inst)
        for s2 in range(S):
            if s2 != s:
                for _, t, h, d in by_student[s2]:
                    load[h][d][t] += 1
        others = [best.per_student[s2]["total"] for s2 in range(S) if s2 != s]
        mm = MssModel(_subset(inst, [s], load, _need(inst, load)),
                      others_worst=min(others) if others else None)
        mm.hint_cells({(0, t, h, d) for (_, t, h, d) in by_student[s]})
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = min(left, limit)
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        solver.parameters.symmetry_level = 0
        solver.parameters.cp_model_probing_level = 0
        if solver.solve(mm.model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue
        new = {(s, t, h, d) for _, t, h, d in mm.cells(solver)}
        trial = (cur - by_student[s]) | new
        sc = evaluate(inst, trial)
        if sc.score > best.score:
            cur, best, by_student[s] = trial, sc, new
    return cur


@dataclass
class FirstPlan:
    cells: set[Cell]
    complete: bool  # every student has a schedule
    # Upper bound on the objective: sum of each student's best SatTot with all the ward
    # capacity to themselves, plus the smallest of them (None if one was not proven).
    bound: int | None
    ideals: dict[int, int] | None = None  # student -> CP-SAT bound on its best SatTot alone


def _solve_single(sub: MssInstance, limit: float, seed: int, soft_min: int = 0,
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
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = limit
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    # Measured on Instance_L80 (8 students): 1.5 s instead of 2.4 s, same optima.
    solver.parameters.symmetry_level = 0
    solver.parameters.cp_model_probing_level = 0
    status = solver.solve(mm.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # UNKNOWN reports a best bound of 0, which is no bound (it made the greedy's bound
        # 7738 on I40_24_1 at load 9, below the best known 7799).
        return None, None
    ub = int(math.floor(solver.best_objective_bound + 1e-6)) // 2
    return mm.cells(solver), ub


def _need(inst: MssInstance, load: Grid) -> Grid:
    """MinPosHosp still to cover given ``load``."""
    return [[[max(0, lo - x) for lo, x in zip(inst.min_pos[h][d], load[h][d], strict=True)]
             for d in range(inst.disciplines)] for h in range(inst.hospitals)]


def quick_plan(inst: MssInstance, deadline: float, seed: int = 0) -> FirstPlan:
    """A complete first plan in seconds: :func:`scheduler.mss.construct.construct` (minima
    first, then each student filled in plain Python), the students it cannot complete filled
    again or solved alone with CP-SAT, then :func:`~scheduler.mss.construct.swap_repair`.
    No bound (see :func:`greedy`). (Restarts with random tie-breaks until the deadline were
    tried: no fewer unmet minima on I40_24_1, I40_12_4, I80_24_4.)"""
    p, complete = _quick_once(inst, deadline, seed)
    return FirstPlan(p.cells(), complete, None)


def _quick_once(inst: MssInstance, deadline: float, seed: int) -> tuple[Plan, bool]:
    p, failed = construct(inst)
    complete = True
    for s in failed:
        left = deadline - time.monotonic()
        fixed = dict(p.stints[s])
        for d in list(fixed):
            p.remove(s, d)
        # Without its minima stints the plain fill often completes the student at once
        # (I80_24_4: 6 students, where CP-SAT took over 13 s for them); swap_repair then
        # covers the minima again.
        if fill(p, s):
            continue
        got = None
        if left > 0:
            sub = _single(inst, s, p.load, _need(inst, p.load))
            if fixed:
                got, _ = _solve_single(sub, min(left, 2.0), seed, soft_min=MIN_REWARD,
                                       fixed=fixed)
            if got is None:
                got, _ = _solve_single(sub, min(max(0.1, deadline - time.monotonic()), 3.0),
                                       seed, soft_min=MIN_REWARD)
        if got is None:
            complete = False
            continue
        for _, h, d, st in stints_of(got, inst.duration):
            p.add(s, h, d, st)
    if complete:
        swap_repair(p, max(deadline, time.monotonic() + 1.0))
    return p, complete


def repair(inst: MssInstance, cells: set[Cell], deadline: float, seed: int = 0,
           size: int = 4, tries: int = 6) -> set[Cell]:
    """Cover unmet MinPosHosp minima of a schedule valid in every other respect.

    Takes the unmet ward-period with the fewest students able to cover it and re-solves a few
    of those students (the ones able to cover the most unmet minima first; a random pick of
    more of them after a failure) with everyone else fixed and a hard constraint: the
    sub-model must keep every minimum period the members now cover and cover the target one
    more time. So each success removes at least one unmet student-period and never uncovers
    another; satisfaction is the sub-model's objective (the others' worst joins its minimum).
    A target that fails ``tries`` times is left (the full model may still get it).
    """
    rng = random.Random(seed)
    S = inst.students
    cur = set(cells)
    if {v.code for v in check(inst, cur)} - {"min_pos"}:
        return cur
    by_student: dict[int, set[Cell]] = {s: set() for s in range(S)}
    for c in cur:
        by_student[c[0]].add(c)
    fails: dict[tuple[int, int, int], int] = {}
    able_at: dict[tuple[int, int, int], list[int]] = {}

    def able(h: int, d: int, t: int) -> list[int]:
        if (h, d, t) not in able_at:
            able_at[(h, d, t)] = [s for s in range(S) if inst.ability[s][h][d]
                                  and inst.allowed_disc[s][d] and inst.availability[s][t]]
        return able_at[(h, d, t)]

    while time.monotonic() < deadline - 0.2:
        unmet = sorted(set(_unmet_cells(inst, cur)))
        todo = [c for c in unmet if fails.get(c, 0) < tries and able(*c)]
        if not todo:
            break
        target = min(todo, key=lambda c: (fails.get(c, 0), len(able(*c)), c))
        h0, d0, t0 = target
        # Students by how many unmet minima they could cover.
        reach = {s: sum(1 for (h, d, t) in unmet if inst.ability[s][h][d]
                        and inst.allowed_disc[s][d] and inst.availability[s][t])
                 for s in able(*target)}
        k = min(len(reach), size + 2 * fails.get(target, 0))
        if fails.get(target, 0) == 0:
            # Idle in the target period first (nothing to move out of the way).
            members = sorted(reach, key=lambda s: (
                any(c[1] == t0 for c in by_student[s]), -reach[s], s))[:k]
        else:
            members = rng.sample(sorted(reach), k)
        members.sort()
        load = _grid(inst)
        mine = _grid(inst)
        for s in range(S):
            grid = mine if s in reach and s in members else load
            for _, t, h, d in by_student[s]:
                grid[h][d][t] += 1
        full = _need(inst, load)
        hard = [[[min(full[h][d][t], mine[h][d][t]) for t in range(inst.horizon)]
                 for d in range(inst.disciplines)] for h in range(inst.hospitals)]
        hard[h0][d0][t0] = min(full[h0][d0][t0], mine[h0][d0][t0] + 1)
        tot = evaluate(inst, cur).per_student
        others = [tot[s]["total"] for s in range(S) if s not in members]
        sub = _subset(inst, members, load, hard)
        mm = MssModel(sub, others_worst=min(others) if others else None)
        index = {s: j for j, s in enumerate(members)}
        mm.hint_cells({(index[s], t, h, d) for s in members for (_, t, h, d) in by_student[s]})
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.1, min(deadline - time.monotonic(), 1.0))
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = rng.randrange(1 << 30)
        solver.parameters.symmetry_level = 0
        solver.parameters.cp_model_probing_level = 0
        # Coverage first: the first feasible sub-schedule is kept (re-planning restores
        # satisfaction later). Optimising here took 1-2 s per attempt on I40_24_2.
        solver.parameters.stop_after_first_solution = True
        status = solver.solve(mm.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            fails[target] = fails.get(target, 0) + 1
            continue
        new = {(members[j], t, h, d) for j, t, h, d in mm.cells(solver)}
        cur = {c for c in cur if c[0] not in index} | new
        for s in members:
            by_student[s] = {c for c in new if c[0] == s}
    return cur


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
            mine, ideal = _solve_single(_single(inst, s, zero), limit, seed)
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
            got, _ = _solve_single(_single(inst, s, load, need), min(limit, 1.0), seed,
                                   soft_min=MIN_REWARD, hint=mine if fits else None)
            mine = got if got is not None else (mine if fits else None)
            fits = mine is not None
        if not fits:
            mine, _ = _solve_single(_single(inst, s, load), limit, seed)
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


def _combined_bound(dp: list[int] | None, cp: dict[int, int] | None) -> int | None:
    """``sum + min`` of each student's smaller upper bound (the pricing programme's, the
    CP-SAT ideal's); None without the programme's (the CP-SAT ones may miss students)."""
    if not dp:
        return None
    ub = [min(u, (cp or {}).get(s, u)) for s, u in enumerate(dp)]
    return sum(ub) + min(ub)


def solve(inst: MssInstance, time_limit: float = 60.0, workers: int = 2, seed: int = 0,
          hint: set[Cell] | None = None, log: bool = False,
          time_indexed: bool = False, first_plan: bool = True,
          replan_share: float = 0.7, colgen_share: float = 0.25) -> SolveResult:
    """Solve ``inst`` in three phases, each starting from the previous one's schedule.

    1. Greedy first plan (unless ``hint`` is given; at most 85 % of the limit). If every
       student gets its ideal schedule the plan is optimal and nothing else runs (most
       Akbarzadeh–Maenhout instances).
    2. If the plan is valid: :func:`replan` for ``replan_share`` of the time left (measured on
       I40_12_1: 4006 -> 4101 in 40 s, where the full model reached 4030 in 30 s).
    3. The full CP-SAT model, warm-started, for the rest: it can still improve and proves
       bounds. Whatever it finds is at least as good as its hint; if it finds nothing in time
       the valid schedule of phase 1 or 2 is returned.
    """
    t0 = time.monotonic()
    source = ""
    ideal_bound = None
    valid: set[Cell] | None = None  # the best checker-clean schedule so far
    first_valid: float | None = None
    if hint is None and first_plan:
        # 1a. Minima first, in seconds (plain Python; CP-SAT only for students it cannot
        # complete), then the targeted repair of minima it missed.
        # 0. The pricing programme per student without prices: an upper bound on each
        # student's SatTot in seconds (plain numpy), so every instance has a bound.
        pricers = [StudentPricer(inst, s) for s in range(inst.students)]
        dp_ub = ideal_bounds(inst, t0 + 0.05 * time_limit, pricers)
        qp = quick_plan(inst, t0 + 0.25 * time_limit, seed)
        quick: set[Cell] | None = qp.cells if qp.complete else None
        small = mip_size(inst) <= MIP_WHOLE
        if quick is not None and _unmet(inst, quick) and small:
            # Small enough for the time-indexed MIP of everybody (HiGHS's feasibility
            # jump): I40_24_1 and I40_12_4 met in 4-5 CPU s, where the repairs below left
            # 1-3 minimum periods unmet at 60 s.
            quick = mip_repair(inst, quick, t0 + 0.3 * time_limit, seed, whole=MIP_WHOLE)
        if quick is not None and _unmet(inst, quick):
            # The interval-model repair first: it closed the few unmet minima of 25 of the
            # 30 generated instances in seconds (2026-11-23). Then the MIP neighbourhoods
            # and the time-indexed CP-SAT neighbourhoods for what it leaves (I80_24_4: 51
            # -> 24 unmet in 2 of them, where the repair removed 1 in 15 s). Cover first,
            # measured at load 14-17, left 9 of 30 without a schedule at 60 s.
            # Until 40 % on the larger instances: I320_12_4's 6-16 unmet minima after the
            # quick plan are closed by it in 1.6 CPU s alone, but the 3 s of wall time
            # left to 30 % at load 5 were not enough (the MIP neighbourhoods: 10 -> 9 in
            # 40 s there).
            quick = repair(inst, quick, t0 + (0.3 if small else 0.4) * time_limit, seed)
        if quick is not None and _unmet(inst, quick) and not small:
            quick = mip_repair(inst, quick, t0 + 0.5 * time_limit, seed, whole=MIP_WHOLE)
        if quick is not None and _unmet(inst, quick):
            quick = cover_repair(inst, quick, t0 + 0.6 * time_limit, seed, workers=workers)
        if quick is not None and not check(inst, quick):
            valid, source = quick, "construct"
            first_valid = time.monotonic() - t0
        # 1b. The CP-SAT greedy: its ideals bound the objective and often are the optimum
        # (Akbarzadeh–Maenhout); it gives up early when it is too slow and the quick plan is
        # complete (then at worst a few minima short, which re-planning repairs).
        fp = greedy(inst, t0 + 0.85 * time_limit, seed, give_up=quick is not None)
        codes = {v.code for v in check(inst, fp.cells)} if fp.complete else {"incomplete"}
        ideal_bound = min((b for b in (fp.bound, _combined_bound(dp_ub, fp.ideals))
                           if b is not None), default=None)
        if not codes and (valid is None
                          or evaluate(inst, fp.cells).score >= evaluate(inst, valid).score):
            valid, source = fp.cells, "greedy"
            first_valid = first_valid or time.monotonic() - t0
            if evaluate(inst, fp.cells).score == ideal_bound:
                # Every student has its ideal schedule: optimal.
                return SolveResult("optimal", fp.cells, ideal_bound, ideal_bound,
                                   time.monotonic() - t0, 0.0, source, first_valid)
        if valid is not None:
            start: set[Cell] | None = valid
        elif quick is not None:  # only minima unmet: replan keeps repairing (by reward)
            start, source = quick, "construct-partial"
        elif fp.complete and codes <= {"min_pos"}:
            start, source = fp.cells, "greedy"
        else:
            start, source = fp.cells, "greedy-partial"
        if valid is not None and source == "construct":
            # Each student re-solved alone: I40_24_2 4832 -> 5165 in 4 s (a second pass
            # 5192), where 60 s of re-planning alone reached 5041.
            stop = time.monotonic() + 0.5 * (t0 + time_limit - time.monotonic())
            score = evaluate(inst, valid).score
            while time.monotonic() < stop - 1:
                nxt = sweep(inst, valid, stop, seed)
                new_score = evaluate(inst, nxt).score
                if new_score <= score:
                    break
                valid, score = nxt, new_score
            start = valid
            source += "+sweep"
        if valid is not None and colgen_share > 0:
            # Price-and-branch: column generation from the schedule's own columns, then the
            # best combination of the columns (I40_12_1 at load 9: 3618 -> 4090 in 60 s).
            left = t0 + time_limit - time.monotonic()
            cg = column_generation(inst, time.monotonic() + colgen_share * left, start=valid,
                                   pricers=pricers)
            if cg.bound is not None:
                ideal_bound = cg.bound if ideal_bound is None else min(ideal_bound, cg.bound)
            left = t0 + time_limit - time.monotonic()
            got = integer_master(inst, cg.pool, time.monotonic() + 0.3 * left, hint=valid,
                                 seed=seed, workers=workers)
            if got is not None and not check(inst, got) and \
                    evaluate(inst, got).score > evaluate(inst, valid).score:
                valid = start = got
                source += "+colgen"
        hint = start
        # 2. Re-planning. The full model is skipped where building and presolving it would
        # eat the time (FULL_MODEL_ARCS): re-planning then gets all of it.
        full = _arcs(inst) <= FULL_MODEL_ARCS
        left = t0 + time_limit - time.monotonic()
        if replan_share > 0 and left > 2 and start is not None and (
                start is valid or {v.code for v in check(inst, start)} <= {"min_pos"}):
            share = replan_share if full else 1.0
            hint = replan(inst, start, time.monotonic() + share * left, seed,
                          bound=ideal_bound, stall=None if not full else 10)
            source += "+replan"
            if not check(inst, hint):
                valid = hint
                first_valid = first_valid or time.monotonic() - t0
                score = evaluate(inst, hint).score
                if score == ideal_bound:
                    return SolveResult("optimal", hint, score, ideal_bound,
                                       time.monotonic() - t0, 0.0, source, first_valid)
        if not full and valid is not None:
            return SolveResult("feasible", valid, evaluate(inst, valid).score, ideal_bound,
                               time.monotonic() - t0, 0.0, source, first_valid)
    mm = MssModel(inst, time_indexed=time_indexed)
    if hint:
        mm.hint_cells(hint)
    build = time.monotonic() - t0
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, time_limit - build)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.log_search_progress = log
    status = solver.solve(mm.model)
    wall = time.monotonic() - t0
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        obj = round(solver.objective_value)
        bound = int(math.floor(solver.best_objective_bound + 1e-6))
        if ideal_bound is not None:
            bound = min(bound, ideal_bound)
        done = status == cp_model.OPTIMAL or obj >= bound
        return SolveResult("optimal" if done else "feasible", mm.cells(solver), obj, bound,
                           wall, build, source, first_valid if first_valid is not None else wall)
    if status == cp_model.INFEASIBLE:
        return SolveResult("infeasible", set(), None, None, wall, build, source)
    if valid is not None:
        # The model found nothing in time (large instances: presolve alone can take minutes),
        # but the earlier schedule is valid.
        return SolveResult("feasible", valid, evaluate(inst, valid).score, ideal_bound,
                           wall, build, source, first_valid)
    return SolveResult("no_plan_in_time", set(), None, ideal_bound, wall, build, source)
