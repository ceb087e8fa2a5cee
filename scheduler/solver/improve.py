"""Large-neighbourhood search on the whole objective (``improve``), over the neighbourhoods
of ``hoods``."""

from __future__ import annotations

import random
from collections.abc import Callable

from ortools.sat.python import cp_model

from scheduler.domain import Instance, Trainee
from scheduler.plan import Stint
from scheduler.solver.bounds import leave_floors
from scheduler.solver.context import Deadline, Progress
from scheduler.solver.cpsat import EarlyStop, complete_hint, make_solver, run
from scheduler.solver.hoods import (
    hood_costly,
    hood_peak,
    hood_spacing,
    hood_staffing,
    hood_worst,
)
from scheduler.solver.model import TERMS, PlacementModel
from scheduler.solver.plan_state import PlanState, plan_cost


def improve(instance: Instance, plan: list[Stint], time_limit: float, seed: int,
            least: dict[str, int], profiles: dict, progress: Progress | None = None,
            soft_capacity: bool = False,
            on_better: Callable[[int], None] | None = None,
            stop: Callable[[], bool] | None = None,
            floors: dict[str, int] | None = None,
            share: Callable[[list[Stint], int], None] | None = None) -> list[Stint]:
    """Large-neighbourhood search on the whole objective (every term, every trainee).

    ``polish`` only lowers each trainee's own cost; staffing targets and peak utilisation
    depend on how trainees share units, and the full model improves a plan of Örebro's size
    slowly (it also needs seconds of presolve per start). Each step re-plans a few trainees
    jointly with the full objective against everybody else's stints (one worker, about a
    second) and keeps the result if the plan's cost falls. Neighbourhoods aim at where the
    cost is: a week a vårdcentral stands empty (trainees who could be there then), the
    busiest unit of a class (its trainees and those of the quietest units), a trainee
    above its own minimum cost with its competitors. ``floors``: as ``polish``'s.
    ``share``: called with each better plan and its cost (``Context.share``).
    """
    deadline = Deadline(time_limit, stop)
    if deadline.left() <= 0.3:  # the least it needs for a step (below)
        return plan
    trainees = {t.id: t for t in instance.all_trainees()}
    state = PlanState(instance, plan)
    by_t = state.by_t
    cost, _ = plan_cost(instance, plan, profiles, soft_capacity)
    start_cost = cost
    rng = random.Random(seed)
    steps = kept = 0
    if floors is None:
        floors = (leave_floors(instance, list(trainees.values()), profiles,
                               stop=deadline.expired) if instance.weights.fragmentation else {})

    def costly(instance: Instance, trainees: dict[str, Trainee], state: PlanState,
               profiles: dict, least: dict[str, int],
               rng: random.Random) -> tuple[list[str], str | None]:
        return hood_costly(instance, trainees, state, profiles, least, rng, floors=floors)

    hoods = [hood_staffing, hood_peak, costly]
    if "worst" in instance.objective_weights():  # fairness: the worst-off trainee too
        hoods += [hood_worst, hood_worst]
    if "spacing" in instance.objective_weights():  # starts too close at a unit
        hoods += [hood_spacing]
    while True:
        left = deadline.left()
        if left <= 0.3:
            break
        hood = hoods[steps % len(hoods)]
        steps += 1
        group, relieve = hood(instance, trainees, state, profiles, least, rng)
        if not group:
            continue
        others = state.others(group)
        # Without the peak term: its max over a class of ceil-divided utilisations gives
        # the sub-model a weak relaxation, and measured on Örebro no 5-trainee re-plan with
        # it improved in 5 s, while without it one cut the sub-objective by a third in 3.5 s.
        # The peak is lowered instead by asking the busiest unit's trainees to give up
        # weeks there (``relieve``); every step is judged by the plan's whole cost.
        pm = PlacementModel(instance, [trainees[k] for k in group], external=others,
                            profiles=profiles, min_stints=least, soft_capacity=soft_capacity,
                            terms=tuple(t for t in TERMS if t != "peak_utilisation"))
        if relieve is not None:
            held = sum(st.weeks for k in group for st in by_t[k] if st.unit == relieve)
            pm.model.add(sum(o.size for o in pm.by_unit.get(relieve, []) if not o.fixed)
                         <= held - 1)
        pm.hint([st for k in group for st in by_t[k]])
        # The clock again: building the model against every other stint takes a while at
        # 1 000 trainees, and the hint's time is the step's.
        left = deadline.left()
        if left <= 0.3:
            break
        complete_hint(pm, min(0.5, left / 2), seed)
        solver = make_solver(max(0.1, min(2.0, deadline.left())), 1, seed + steps,
                             symmetry_level=0)
        stopper = EarlyStop(patience=0.5, reset=True)
        status = run(solver, pm.model, stopper)
        stopper.cancel()
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue
        new = pm.extract(solver)
        new_cost, _ = plan_cost(instance, others + new, profiles, soft_capacity)
        if new_cost < cost:
            cost = new_cost
            kept += 1
            if on_better:
                on_better(cost)
            for k in group:
                state.set(k, [st for st in new if st.trainee == k])
            if share:
                share(state.stints(), cost)
    if progress:
        progress({"phase": "improve", "steps": steps, "kept": kept, "from": start_cost,
                  "to": cost, "time": deadline.elapsed()})
    return state.stints()
