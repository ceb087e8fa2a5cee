"""Solving an MSS instance: a greedy first plan, then the CP-SAT model warm-started from it."""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.mss.check import check
from scheduler.mss.colgen import Column, column_generation, ideal_bounds, integer_master
from scheduler.mss.construct import Plan, construct, fill, swap_repair
from scheduler.mss.cover import cover_repair
from scheduler.mss.dzn import Cell, MssInstance
from scheduler.mss.evaluate import evaluate
from scheduler.mss.fit import fit_repair
from scheduler.mss.greedy import (
    MIN_REWARD,
    FirstPlan,
    combined_bound,
    greedy,
    load_of,
    need_of,
    single,
    solve_single,
    sub_solver,
    subset,
)
from scheduler.mss.handoff import handoff
from scheduler.mss.lagrange import exact_column_generation, no_minima
from scheduler.mss.mipcover import mip_repair, mip_size
from scheduler.mss.model import MssModel, stints_of
from scheduler.mss.pricing import StudentPricer


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



# Above this many circuit arcs (students x attendable disciplines^2) the full model is not
# built: I160_24_1 (92 k) builds in 6 s, I320_24_4 (184 k) in 15 s and its presolve takes
# minutes; re-planning uses the whole time instead.
FULL_MODEL_ARCS = 60_000
# Up to this many start binaries (all students, whole horizon) the MIP cover of everybody
# runs first when the quick plan leaves minima unmet (I40_24_1: 69 k, met in 4 CPU s).
MIP_WHOLE = 80_000
# The fit (:mod:`scheduler.mss.fit`) on the larger instances: until this share of the
# limit (it returns as soon as every minimum is met, so only instances still without a
# schedule give the greedy's re-planning and bound less time; 0.5 until 2026-12-07, when
# I80_24_4 needed 30-45 s of it after a 15 s quick plan), neighbourhoods of about
# FIT_LITERALS literals (student neighbourhoods; the discipline ones have their own
# budget in fit_repair), each at most FIT_WORK units of CP-SAT's deterministic time or
# 10 s of wall time, whichever comes first (the discipline neighbourhoods of I80_24_4
# were solved optimally in 3.1-3.4 units).
FIT_UNTIL = 0.8
FIT_LITERALS = 15_000
FIT_WORK = 4.0
# Without minima, the share of the time left for the column generation with exact
# pricing (scheduler.mss.lagrange) before its integer master, re-planning and the full model.
EXACT_CG_SHARE = 0.5
# The CP-SAT repair of minima hands over to the fit after this many failed attempts in a
# row on the larger instances (I80_24_4: 13 -> 13 and 57 -> 57 unmet in 10 s).
REPAIR_STALL = 6
# Share of the time left the hand-off moves may take (they take 0.1-0.4 s on the 40- and
# 80-student instances).
HANDOFF_SHARE = 0.05


def _arcs(inst: MssInstance) -> int:
    return sum(sum(inst.allowed_disc[s]) ** 2 for s in range(inst.students))


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
        load = load_of(inst, by_student, members)
        need = need_of(inst, load)
        others = [best.per_student[s]["total"] for s in range(S) if s not in members]
        sub = subset(inst, members, load, need)
        mm = MssModel(sub, others_worst=min(others) if others else None,
                      soft_min=MIN_REWARD if unmet else 0)
        index = {s: k for k, s in enumerate(members)}
        mm.hint_cells({(index[s], t, h, d) for s in members for (_, t, h, d) in by_student[s]})
        solver = sub_solver(min(left, 2.0), rng.randrange(1 << 30))
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
        load = load_of(inst, by_student, [s])
        others = [best.per_student[s2]["total"] for s2 in range(S) if s2 != s]
        mm = MssModel(subset(inst, [s], load, need_of(inst, load)),
                      others_worst=min(others) if others else None)
        mm.hint_cells({(0, t, h, d) for (_, t, h, d) in by_student[s]})
        solver = sub_solver(min(left, limit), seed)
        if solver.solve(mm.model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue
        new = {(s, t, h, d) for _, t, h, d in mm.cells(solver)}
        trial = (cur - by_student[s]) | new
        sc = evaluate(inst, trial)
        if sc.score > best.score:
            cur, best, by_student[s] = trial, sc, new
    return cur


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
            sub = single(inst, s, p.load, need_of(inst, p.load))
            if fixed:
                got, _ = solve_single(sub, min(left, 2.0), seed, soft_min=MIN_REWARD,
                                       fixed=fixed)
            if got is None:
                got, _ = solve_single(sub, min(max(0.1, deadline - time.monotonic()), 3.0),
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
           size: int = 4, tries: int = 6, stall: int | None = None) -> set[Cell]:
    """Cover unmet MinPosHosp minima of a schedule valid in every other respect.

    Takes the unmet ward-period with the fewest students able to cover it and re-solves a few
    of those students (the ones able to cover the most unmet minima first; a random pick of
    more of them after a failure) with everyone else fixed and a hard constraint: the
    sub-model must keep every minimum period the members now cover and cover the target one
    more time. So each success removes at least one unmet student-period and never uncovers
    another; satisfaction is the sub-model's objective (the others' worst joins its minimum).
    A target that fails ``tries`` times is left (the full model may still get it); after
    ``stall`` failed attempts in a row (any targets) the repair stops.
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

    in_a_row = 0
    while time.monotonic() < deadline - 0.2 and (stall is None or in_a_row < stall):
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
        load = load_of(inst, by_student, members)
        mine = load_of(inst, {s: by_student[s] for s in members}, [])
        full = need_of(inst, load)
        hard = [[[min(full[h][d][t], mine[h][d][t]) for t in range(inst.horizon)]
                 for d in range(inst.disciplines)] for h in range(inst.hospitals)]
        hard[h0][d0][t0] = min(full[h0][d0][t0], mine[h0][d0][t0] + 1)
        tot = evaluate(inst, cur).per_student
        others = [tot[s]["total"] for s in range(S) if s not in members]
        sub = subset(inst, members, load, hard)
        mm = MssModel(sub, others_worst=min(others) if others else None)
        index = {s: j for j, s in enumerate(members)}
        mm.hint_cells({(index[s], t, h, d) for s in members for (_, t, h, d) in by_student[s]})
        solver = sub_solver(max(0.1, min(deadline - time.monotonic(), 1.0)),
                             rng.randrange(1 << 30))
        # Coverage first: the first feasible sub-schedule is kept (re-planning restores
        # satisfaction later). Optimising here took 1-2 s per attempt on I40_24_2.
        solver.parameters.stop_after_first_solution = True
        status = solver.solve(mm.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            fails[target] = fails.get(target, 0) + 1
            in_a_row += 1
            continue
        in_a_row = 0
        new = {(members[j], t, h, d) for j, t, h, d in mm.cells(solver)}
        cur = {c for c in cur if c[0] not in index} | new
        for s in members:
            by_student[s] = {c for c in new if c[0] == s}
    return cur


def _minima_phase(inst: MssInstance, t0: float, time_limit: float, seed: int,
                  workers: int) -> set[Cell] | None:
    """The quick plan and the repairs of the minima it misses (None if it is incomplete;
    minima may still be unmet)."""
    qp = quick_plan(inst, t0 + 0.25 * time_limit, seed)
    if not qp.complete:
        return None
    quick = qp.cells
    small = mip_size(inst) <= MIP_WHOLE
    if _unmet(inst, quick) and small:
        # Small enough for the time-indexed MIP of everybody (HiGHS's feasibility
        # jump): I40_24_1 and I40_12_4 met in 4-5 CPU s, where the repairs below left
        # 1-3 minimum periods unmet at 60 s.
        quick = mip_repair(inst, quick, t0 + 0.3 * time_limit, seed, whole=MIP_WHOLE)
    if _unmet(inst, quick):
        # The interval-model repair first: it closed the few unmet minima of 25 of the
        # 30 generated instances in seconds (2026-11-23). Then the fit (larger
        # instances) and the time-indexed CP-SAT neighbourhoods for what it leaves
        # (I80_24_4: 51 -> 24 unmet in 2 of them, where the repair removed 1 in 15 s;
        # on the larger ones it stops after REPAIR_STALL failures in a row). Cover first,
        # measured at load 14-17, left 9 of 30 without a schedule at 60 s.
        # Until 40 % on the larger instances: I320_12_4's 6-16 unmet minima after the
        # quick plan are closed by it in 1.6 CPU s alone, but the 3 s of wall time
        # left to 30 % at load 5 were not enough (the MIP neighbourhoods: 10 -> 9 in
        # 40 s there).
        quick = repair(inst, quick, t0 + (0.3 if small else 0.4) * time_limit, seed,
                       stall=None if small else REPAIR_STALL)
    if _unmet(inst, quick) and not small:
        # The fit model where the MIP neighbourhoods were (they removed 1 of 48 unmet on
        # I80_24_4 and 0 of 2 on I320_12_4): students over the whole horizon, stints off
        # the minima left open (I80_24_4: 57 -> 47 in 20 s at load 5, nice 10), and
        # since 2026-12-07 every student with a few disciplines' stints (11 -> 0 in
        # 15-45 s), with the lean objective (fewer stints on minima at equal shortfall).
        quick = fit_repair(inst, quick, t0 + FIT_UNTIL * time_limit, seed, workers=workers,
                           budget=FIT_LITERALS, work=FIT_WORK, lean=True)
    if _unmet(inst, quick):
        quick = cover_repair(inst, quick, t0 + 0.85 * time_limit, seed, workers=workers)
    return quick


def _hand_off(inst: MssInstance, valid: set[Cell], end: float,
              share: float = HANDOFF_SHARE) -> set[Cell]:
    """:func:`scheduler.mss.handoff.handoff` for at most ``share`` of the time left; its
    schedule only if the checker finds it valid and it scores more."""
    left = end - time.monotonic()
    if left <= 0.5:
        return valid
    new = handoff(inst, valid, time.monotonic() + share * left)
    if new == valid or check(inst, new) or evaluate(inst, new).score <= evaluate(inst, valid).score:
        return valid
    return new


def _sweeps(inst: MssInstance, valid: set[Cell], end: float, seed: int) -> set[Cell]:
    """:func:`sweep` while it gains, for half the time left: I40_24_2 4832 -> 5165 in
    4 s (a second pass 5192), where 60 s of re-planning alone reached 5041."""
    stop = time.monotonic() + 0.5 * (end - time.monotonic())
    score = evaluate(inst, valid).score
    while time.monotonic() < stop - 1:
        nxt = sweep(inst, valid, stop, seed)
        new_score = evaluate(inst, nxt).score
        if new_score <= score:
            break
        valid, score = nxt, new_score
    return valid


def _price_and_branch(inst: MssInstance, valid: set[Cell], end: float, share: float,
                      pricers: list[StudentPricer], seed: int, workers: int
                      ) -> tuple[set[Cell] | None, int | None]:
    """Column generation from the schedule's own columns for ``share`` of the time left,
    then the best combination of the columns (I40_12_1 at load 9: 3618 -> 4090 in 60 s).
    Returns a better checker-clean schedule (or None) and the bound."""
    cg = column_generation(inst, time.monotonic() + share * (end - time.monotonic()),
                           start=valid, pricers=pricers)
    return _better_master(inst, cg.pool, valid, evaluate(inst, valid).score, end, seed,
                          workers), cg.bound


def _better_master(inst: MssInstance, pool: list[list[Column]], valid: set[Cell], score: int,
                   end: float, seed: int, workers: int) -> set[Cell] | None:
    """The integer master over ``pool`` in 0.3 of the time left, from ``valid``: its
    schedule if checker-clean and better than ``score``, else None."""
    got = integer_master(inst, pool, time.monotonic() + 0.3 * (end - time.monotonic()),
                         hint=valid, seed=seed, workers=workers)
    if got is not None and not check(inst, got) and evaluate(inst, got).score > score:
        return got
    return None


def _exact_price_and_branch(inst: MssInstance, valid: set[Cell], end: float, share: float,
                            ubs: list[int], extra: set[Cell] | None,
                            pricers: list[StudentPricer], seed: int, workers: int
                            ) -> tuple[set[Cell] | None, int | None]:
    """Without minima: column generation with exact (CP-SAT) pricing for ``share`` of the
    time left, stopping once its bound reaches the schedule's score, then the integer
    master over its columns (see :mod:`scheduler.mss.lagrange`). ``ubs``: proven upper
    bounds on each student's SatTot (the round-0 ideals where a pooled schedule reaches
    them); ``extra``: more schedules to pool columns from (the greedy's)."""
    score = evaluate(inst, valid).score
    cg = exact_column_generation(inst, time.monotonic() + share * (end - time.monotonic()),
                                 [valid, *([extra] if extra else [])], ubs, target=score,
                                 pricers=pricers, seed=seed, workers=workers)
    if cg.bound is not None and cg.bound <= score:
        return None, cg.bound
    return _better_master(inst, cg.pool, valid, score, end, seed, workers), cg.bound


def _start(valid: set[Cell] | None, quick: set[Cell] | None, fp: FirstPlan,
           codes: set[str], source: str) -> tuple[set[Cell], str]:
    """The schedule the later phases start from, and where it came from."""
    if valid is not None:
        return valid, source
    if quick is not None:  # only minima unmet: replan keeps repairing (by reward)
        return quick, "construct-partial"
    if fp.complete and codes <= {"min_pos"}:
        return fp.cells, "greedy"
    return fp.cells, "greedy-partial"


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
        # 0. The pricing programme per student without prices: an upper bound on each
        # student's SatTot in seconds (plain numpy), so every instance has a bound.
        pricers = [StudentPricer(inst, s) for s in range(inst.students)]
        dp_ub = ideal_bounds(inst, t0 + 0.05 * time_limit, pricers)
        # 1a. Minima first, then the repairs of the minima missed.
        quick = _minima_phase(inst, t0, time_limit, seed, workers)
        if quick is not None and not check(inst, quick):
            valid, source = quick, "construct"
            first_valid = time.monotonic() - t0
        # 1b. The CP-SAT greedy: its ideals bound the objective and often are the optimum
        # (Akbarzadeh–Maenhout); it gives up early when it is too slow and the quick plan is
        # complete (then at worst a few minima short, which re-planning repairs).
        fp = greedy(inst, t0 + 0.85 * time_limit, seed, give_up=quick is not None)
        codes = {v.code for v in check(inst, fp.cells)} if fp.complete else {"incomplete"}
        ideal_bound = min((b for b in (fp.bound, combined_bound(dp_ub, fp.ideals))
                           if b is not None), default=None)
        if not codes and (valid is None
                          or evaluate(inst, fp.cells).score >= evaluate(inst, valid).score):
            valid, source = fp.cells, "greedy"
            first_valid = first_valid or time.monotonic() - t0
            if evaluate(inst, fp.cells).score == ideal_bound:
                # Every student has its ideal schedule: optimal.
                return SolveResult("optimal", fp.cells, ideal_bound, ideal_bound,
                                   time.monotonic() - t0, 0.0, source, first_valid)
        start, source = _start(valid, quick, fp, codes, source)
        if valid is not None:
            valid = start = _hand_off(inst, valid, t0 + time_limit)
        if valid is not None and source == "construct":
            valid = _sweeps(inst, valid, t0 + time_limit, seed)
            valid = start = _hand_off(inst, valid, t0 + time_limit)
            source += "+sweep"
        if valid is not None and colgen_share > 0 and no_minima(inst) and dp_ub:
            # Capacity alone couples the students (every Akbarzadeh–Maenhout instance):
            # the exact pricing's bound can close the gap the ideals leave.
            ubs = [min(u, (fp.ideals or {}).get(s, u)) for s, u in enumerate(dp_ub)]
            got, cg_bound = _exact_price_and_branch(
                inst, valid, t0 + time_limit, EXACT_CG_SHARE, ubs, fp.cells or None,
                pricers, seed, workers)
        elif valid is not None and colgen_share > 0:
            got, cg_bound = _price_and_branch(inst, valid, t0 + time_limit, colgen_share,
                                              pricers, seed, workers)
        else:
            got, cg_bound = None, None
        if valid is not None and colgen_share > 0:
            if cg_bound is not None:
                ideal_bound = cg_bound if ideal_bound is None else min(ideal_bound, cg_bound)
            if got is not None:
                valid = start = got
                source += "+colgen"
            if evaluate(inst, valid).score == ideal_bound:
                return SolveResult("optimal", valid, ideal_bound, ideal_bound,
                                   time.monotonic() - t0, 0.0, source, first_valid)
        hint = start
        # 2. Re-planning. The full model is skipped where building and presolving it would
        # eat the time (FULL_MODEL_ARCS): re-planning then gets all of it.
        full = _arcs(inst) <= FULL_MODEL_ARCS
        left = t0 + time_limit - time.monotonic()
        if replan_share > 0 and left > 2 and start is not None and (
                start is valid or {v.code for v in check(inst, start)} <= {"min_pos"}):
            share = replan_share if full else 0.95
            hint = replan(inst, start, time.monotonic() + share * left, seed,
                          bound=ideal_bound, stall=None if not full else 10)
            source += "+replan"
            if not check(inst, hint):
                valid = hint = _hand_off(inst, hint, t0 + time_limit, share=1.0)
                first_valid = first_valid or time.monotonic() - t0
                score = evaluate(inst, hint).score
                if score == ideal_bound:
                    return SolveResult("optimal", hint, score, ideal_bound,
                                       time.monotonic() - t0, 0.0, source, first_valid)
        # Nor is it built with under 5 % of the limit left: building and presolving alone
        # overran the limit by 8-12 s on Instance_L72/L73 (60 s, load 3).
        late = t0 + time_limit - time.monotonic() < 0.05 * time_limit
        if (not full or late) and valid is not None:
            return SolveResult("feasible", valid, evaluate(inst, valid).score, ideal_bound,
                               time.monotonic() - t0, 0.0, source, first_valid)
    return _full_model(inst, hint, t0, time_limit, workers, seed, log, time_indexed,
                       ideal_bound, valid, source, first_valid)


def _full_model(inst: MssInstance, hint: set[Cell] | None, t0: float, time_limit: float,
                workers: int, seed: int, log: bool, time_indexed: bool,
                ideal_bound: int | None, valid: set[Cell] | None, source: str,
                first_valid: float | None) -> SolveResult:
    """The full CP-SAT model, warm-started from ``hint``, for the rest of the limit; the
    earlier ``valid`` schedule if it finds nothing."""
    mm = MssModel(inst, time_indexed=time_indexed)
    if hint:
        mm.hint_cells(hint)
    if ideal_bound is not None:
        # A proven bound (ideals, exact column generation): CP-SAT stops, OPTIMAL, as soon
        # as it reaches it, instead of searching on for a proof it cannot find.
        mm.model.add(mm.objective <= ideal_bound)
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
