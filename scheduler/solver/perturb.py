"""Ruin and recreate (``ruin_recreate``): once the one-trainee phases have settled, part of
one or two intakes is planned again by the construction around everybody else's stints
(``construct_around``), then polished, reassigned and touched up; the plan is kept if the
whole cost falls.

Why: after polishing and the rounds of reassignment and touch-up, a plan sits where no
re-plan of one trainee, or of a few jointly, lowers the cost; the neighbourhood search of
``improve`` then kept almost nothing (from settled plans, 60 s on one core: 0 of 52 steps
on Örebro, 0-1 kept on five generated regions). Re-placing half of two adjacent intakes
moves many trainees at once, and the phases after it use the seats that frees (same plans
and time: Örebro 12 289 -> 12 032, exact-stagger-200 12 472 -> 12 146, mixed-slack-160
7 153 -> 7 043, six-hospitals-156 9 803 -> 9 706, at21j-bt12-136 8 268 -> 8 223,
leave-120 9 846 -> 9 456; benchmarks/results/ruin-recreate-2026-12-07.md).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from scheduler.domain import Instance
from scheduler.plan import Stint
from scheduler.solver.construct import construct_around
from scheduler.solver.context import Deadline
from scheduler.solver.plan_state import plan_cost
from scheduler.solver.polish import polish
from scheduler.solver.reassign import reassign
from scheduler.solver.touch_up import touch_up

# Share of the trainees of the chosen intakes that are planned again.
RUIN_SHARE = 0.5
# Intakes (distinct start dates) in one ruin, adjacent in time: trainees of neighbouring
# intakes share the units in the weeks where one block ends and the next begins.
RUIN_INTAKES = 2
# Seconds of each phase after the construction, per step (then scaled by the region's
# size: ``_scale``).
STEP = {"polish": 4.0, "reassign": 2.5, "touch_up": 4.0, "short": 1.5}


def _scale(n_trainees: int) -> float:
    """Phases take longer on larger regions (more trainees to try): 1 up to 200 trainees."""
    return max(1.0, n_trainees / 200)


def ruin_set(instance: Instance, rng: random.Random) -> set[str]:
    """``RUIN_SHARE`` of the trainees of ``RUIN_INTAKES`` adjacent intakes, drawn at random
    (trainees with locked stints stay: their stints are the coordinator's)."""
    trainees = [t for t in instance.all_trainees() if not t.locked]
    starts = sorted({t.start for t in trainees})
    if not starts:
        return set()
    k = rng.randrange(len(starts))
    window = set(starts[k:k + RUIN_INTAKES])
    cands = sorted(t.id for t in trainees if t.start in window)
    return set(rng.sample(cands, max(1, round(RUIN_SHARE * len(cands)))))


def ruin_recreate(instance: Instance, plan: list[Stint], time_limit: float, seed: int,
                  least: dict[str, int], profiles: dict,
                  stop: Callable[[], bool] | None = None,
                  floors: dict[str, int] | None = None,
                  on_better: Callable[[int], None] | None = None,
                  share: Callable[[list[Stint], int], None] | None = None) -> list[Stint]:
    """Steps of ruin and recreate (module docstring) for ``time_limit`` seconds; the best
    plan. A step starts only if the time left is at least the longest step so far that ran
    its phases (until one has: ``STEP`` scaled, twice), so the phase after this one keeps its
    time; the construction gets at most that long.
    ``on_better``/``share``: called with each better plan's cost (and the plan)."""
    deadline = Deadline(time_limit, stop)
    scale = _scale(len(instance.all_trainees()))
    step_s = {k: v * scale for k, v in STEP.items()}
    # Until a step has run its phases, twice their seconds (the construction's are unknown).
    longest, measured = 2 * sum(step_s.values()), False
    rng = random.Random(seed)

    def at_most(s: float) -> float:
        return max(0.0, min(s, deadline.left()))

    best, cost = plan, plan_cost(instance, plan, profiles)[0]
    steps = 0
    while deadline.left() >= longest:
        steps += 1
        t0 = time.monotonic()
        ruined = ruin_set(instance, rng)
        if not ruined:
            break  # every trainee has locked stints: nothing to plan again
        fixed: dict[str, list[Stint]] = {}
        for st in best:
            if st.trainee not in ruined:
                fixed.setdefault(st.trainee, []).append(st)
        new = construct_around(instance, profiles, least, fixed, seed + steps, attempt=steps,
                               deadline=time.monotonic() + at_most(longest), stop=stop)
        if new is None:
            continue
        new = polish(instance, new, at_most(step_s["polish"]), seed + steps, least,
                     profiles=profiles, stop=stop, floors=floors)
        new = reassign(instance, new, profiles, at_most(step_s["reassign"]), seed + steps,
                       stop=stop)
        new = touch_up(instance, new, at_most(step_s["touch_up"]), seed + steps, least,
                       profiles, stop=stop, floors=floors)
        new = reassign(instance, new, profiles, at_most(step_s["short"]), seed + steps,
                       stop=stop)
        c = plan_cost(instance, new, profiles)[0]
        if c < cost:
            best, cost = new, c
            if on_better is not None:
                on_better(cost)
            if share is not None:
                share(best, cost)
        spent = time.monotonic() - t0
        longest, measured = (max(longest, spent), True) if measured else (spent, True)
    return best
