"""Reproducible improvement (``solve --deterministic``): one-trainee re-plans counted in work.

The default pipeline's phases stop on wall-clock budgets, so what they reach depends on the
machine's load. Here every re-plan is a single-threaded CP-SAT solve with a deterministic-time
limit, trainees are visited in a seeded order, and the run ends after a fixed amount of
CP-SAT work: the same input, seed and budget give the same plan on any machine state.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable

from ortools.sat.python import cp_model

from scheduler.domain import Instance
from scheduler.halt import HALT
from scheduler.plan import Stint
from scheduler.solver.construct import Loads
from scheduler.solver.model import OWN, PlacementModel, staffing_window
from scheduler.solver.plan_state import fairer_or_equal, own_cost, own_extra, spacing_delta

# Deterministic time of one re-plan (CP-SAT's unit, roughly seconds on an idle core).
STEP_WORK = 0.3


def _shortfall(instance: Instance, loads: Loads, stints: list[Stint]) -> int:
    """Empty staffing-target weeks that ``stints`` would fill on top of the current loads."""
    extra: dict[tuple[int, int], int] = defaultdict(int)
    filled = 0
    for s in stints:
        win = staffing_window(instance, instance.unit(s.unit))
        if win is None:
            continue
        lo, hi, k = win
        i = loads.ids[s.unit]
        for wk in range(max(lo, loads.week(s.start)), min(hi, loads.week(s.end))):
            if loads.load[i, wk] + extra[(i, wk)] < k:
                filled += 1
            extra[(i, wk)] += 1
    return filled


def refine(instance: Instance, plan: list[Stint], profiles: dict[str, list[int] | None],
           least: dict[str, int], seed: int, work: float,
           stop: Callable[[], bool] | None = None,
           on_better: Callable[[], None] | None = None) -> list[Stint]:
    """Re-plan one trainee at a time (its unit changes and fragmentation, against the seats
    the others leave, from its current rotation) and keep a re-plan when the trainee's own
    cost plus the staffing gaps it opens or fills fall; stop after ``work`` units of CP-SAT
    deterministic time. ``stop`` (a signal) ends it between re-plans."""
    w = instance.weights
    by_t: dict[str, list[Stint]] = defaultdict(list)
    for s in plan:
        by_t[s.trainee].append(s)
    trainees = {t.id: t for t in instance.all_trainees()}
    loads = Loads(instance, profiles)
    loads.add(plan)
    rng = random.Random(seed)
    spent = 0.0
    order = sorted(by_t)
    while spent < work:
        rng.shuffle(order)
        # The trainees furthest above their least number of stints first.
        order.sort(key=lambda tid: least.get(tid, 0) - len(by_t[tid]))
        improved = False
        for tid in order:
            if spent >= work or HALT.is_set() or (stop is not None and stop()):
                return sorted(s for ss in by_t.values() for s in ss)
            old = by_t[tid]
            old_cost = own_cost(old, w.unit_changes, w.fragmentation) + own_extra(instance, old)
            if old_cost <= w.unit_changes * max(0, least.get(tid, 1) - 1):
                continue  # nothing to gain for this trainee's own cost
            loads.add(old, -1)
            pm = PlacementModel(instance, [trainees[tid]], profiles=loads.residual(),
                                seat_loads=loads.seat_loads(),
                                terms=("unit_changes", "fragmentation", *OWN), min_stints=least)
            pm.hint(old)
            solver = cp_model.CpSolver()
            solver.parameters.catch_sigint_signal = False  # Ctrl-C is scheduler.halt's
            solver.parameters.num_workers = 1
            solver.parameters.random_seed = seed
            solver.parameters.max_deterministic_time = STEP_WORK
            solver.parameters.symmetry_level = 0
            status = solver.solve(pm.model)
            spent += solver.deterministic_time
            new = pm.extract(solver) if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else old
            gain = old_cost - own_cost(new, w.unit_changes, w.fragmentation) - own_extra(
                instance, new)
            gain -= spacing_delta(instance, by_t, {tid: new})
            staff = w.staffing_shortfall * (_shortfall(instance, loads, new)
                                            - _shortfall(instance, loads, old))
            if new != old and gain + staff > 0 and fairer_or_equal(
                    instance, [s for k, ss in by_t.items() if k != tid for s in ss] + old,
                    {tid: new}):
                by_t[tid] = new
                improved = True
                if on_better is not None:
                    on_better()
            loads.add(by_t[tid])
        if not improved:
            break
    return sorted(s for ss in by_t.values() for s in ss)
