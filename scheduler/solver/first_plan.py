"""The first plan: trainee by trainee in start order (``decompose``), and the one-trainee
(or few-trainee) re-plan against fixed stints that every phase builds on (``solve_part``)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from itertools import groupby

from ortools.sat.python import cp_model

from scheduler.domain import Instance, Trainee
from scheduler.plan import Stint
from scheduler.solver.context import Deadline, Progress
from scheduler.solver.cpsat import EarlyStop, complete_hint, make_solver, run
from scheduler.solver.model import PlacementModel, capacity_profiles, kind_key, min_stints
from scheduler.solver.plan_state import own_cost


def solve_part(instance: Instance, trainees: list, fixed: list[Stint], budget: float,
               seed: int, profiles: dict, contiguous: bool, least: dict[str, int],
               terms: tuple[str, ...] = ("unit_changes",),
               soft_capacity: bool = False,
               hint: list[Stint] | None = None,
               patience: float | None = None,
               outcome: list[int] | None = None,
               presolve: bool = True,
               max_stints: int | None = None) -> list[Stint] | None:
    # Contiguous blocks make fragmentation zero by construction; the free fallback minimises
    # unit changes, then fragmentation from there, and the last resort (``terms=()``) only
    # looks for a feasible plan.
    # The stint minima let the solver prove a one-trainee plan optimal as soon as it has one.
    pm = PlacementModel(instance, trainees, external=fixed, profiles=profiles, terms=terms,
                        contiguous=contiguous, min_stints=least, soft_capacity=soft_capacity)
    if max_stints is not None:
        pm.model.add(sum(o.presence for td in pm.data for o in td.options) <= max_stints)
    if hint:
        pm.hint(hint)
        # CP-SAT often drops a hint without values for the helper variables (measured: a
        # 7-trainee re-plan started at 4 265 from a hint worth 965), so complete it first,
        # in the budget's time.
        t0 = time.monotonic()
        complete_hint(pm, min(1.0, budget / 2), seed)
        budget -= time.monotonic() - t0
    solver = make_solver(max(0.1, budget), 1, seed, cp_model_presolve=presolve)
    stopper = EarlyStop(patience=patience or min(0.15, budget / 4),
                        has_objective=bool(pm.weights), reset=patience is not None)
    status = run(solver, pm.model, stopper)
    stopper.cancel()
    if outcome is not None:  # the caller tells "proven impossible" from "not found in time"
        outcome.append(int(status))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return pm.extract(solver)


def keep_part(instance: Instance, t: Trainee, stints: list[Stint], fixed: list[Stint],
              profiles: dict) -> list[Stint] | None:
    """The trainee's stints of an earlier plan if they still fit (warm start of a variant).

    A feasibility check with every stint variable fixed to the old plan: a closed unit, a
    changed programme or the capacity the earlier trainees left make it fail (``None``).
    """
    pm = PlacementModel(instance, [t], external=fixed, profiles=profiles, terms=())
    pm.hint(stints)
    solver = make_solver(1.0, 1, 0, fix_variables_to_their_hinted_value=True)
    status = run(solver, pm.model)
    return pm.extract(solver) if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None


def decompose(instance: Instance, time_limit: float, seed: int,
              progress: Progress | None = None, least: dict[str, int] | None = None,
              attempt: int = 0, profiles: dict | None = None,
              keep: dict[str, list[Stint]] | None = None,
              soft_capacity: bool = False,
              stop: Callable[[], bool] | None = None) -> list[Stint] | None:
    """A first plan, trainee by trainee in start order; ``None`` if none is found in time.

    ``keep``: stints per trainee id of an earlier plan (e.g. the base plan of a what-if
    variant), kept for every trainee they still fit instead of solving it again.

    Each trainee is planned against the capacity the earlier ones left, minimising their own
    unit changes with each discipline kept in one block (a one-trainee solve takes ~0.1 s),
    else freely, else with any feasible plan. When a trainee finds no room, its whole intake
    (then with one or two earlier intakes) is re-planned jointly before giving up. Solving
    two trainees speculatively in parallel threads was measured slower on 2 cores.
    """
    trainees = sorted(instance.all_trainees(), key=lambda t: (t.start, t.programme, t.site))
    groups = [list(g) for _, g in groupby(trainees, key=lambda t: t.start)]
    if attempt:  # a retry plans each intake's trainees in another order
        rng = random.Random(seed + attempt)
        for grp in groups:
            rng.shuffle(grp)
    plans: list[list[Stint]] = []  # one entry per planned intake, so back-steps can drop some
    deadline = Deadline(time_limit, stop)
    profiles = profiles or capacity_profiles(instance)
    if least is None:
        least = min_stints(instance, trainees, profiles=profiles)

    def flat(parts: list[list[Stint]]) -> list[Stint]:
        return [s for part in parts for s in part]

    left = deadline.left  # ``stop``: the full model beside proved the instance infeasible

    # Identical trainees (same programme, site and start) for whom contiguous blocks are
    # proven impossible, or were not found in time twice, make the next ones skip straight to
    # a fragmented plan: proving "no contiguous plan" can take seconds, finding a fragmented
    # plan a fraction of one. (Skipping after the first time-out, as before, left whole
    # intakes fragmented by one slow solve: first plans of Örebro ranged from 82 to 715
    # weeks of fragmentation between orders.)
    no_blocks: set[tuple] = set()
    misses: dict[tuple, int] = {}
    w_changes, w_frag = instance.weights.unit_changes, instance.weights.fragmentation
    # Staffing targets in each trainee's solve, but only in the first 6 % of the time limit.
    # Measured (idle 2-core VM, 120 s): with them throughout, Örebro's first plan left 58
    # instead of ~184 empty vårdcentral weeks (gap 11.3 % against 14.8 %) and Uppsala's gap
    # was 6.3 % against 18.9 %, but Örebro's first plan took 32.8 s instead of 18.6 s, past
    # the 30 s target: a one-trainee model cannot prove its staffing optimum, so each solve
    # runs to its patience (0.18 s against 0.09 s). With 12 % the first plan took 28.6-34 s
    # (3 seeds, with the bound's cut computed beside it); with 6 % about 23 s, 101-129 weeks
    # short either way.
    staff_until = 0.06 * time_limit
    for g, group in enumerate(groups):
        mine: list[Stint] | None = []
        for t in group:
            assert mine is not None
            if left() <= 0:  # the time limit is a promise to batch runs
                return None
            fixed = flat(plans) + mine
            budget = max(0.5, min(2.0, left() / 4))
            part = None
            if keep and keep.get(t.id):
                part = keep_part(instance, t, keep[t.id], fixed, profiles)
            if part is None and kind_key(t) not in no_blocks:
                # Hard capacity first even when soft: a plan within capacity has no overrun,
                # and the hard model is found about twice as fast (Örebro, measured).
                outcome: list[int] = []
                first_terms: tuple[str, ...] = ("unit_changes",)
                if deadline.elapsed() < staff_until:
                    first_terms += ("staffing_shortfall",)
                # Without staffing the one-trainee model is proven optimal at once; presolve
                # then is most of its time (measured on Örebro: 0.02-0.045 s a solve without,
                # 0.04-0.09 s with). With staffing it pays (proofs, not time-outs).
                part = solve_part(instance, [t], fixed, min(0.5, budget), seed, profiles, True,
                                  least, terms=first_terms, outcome=outcome,
                                  presolve=len(first_terms) > 1)
                if part is None:
                    misses[kind_key(t)] = misses.get(kind_key(t), 0) + 1
                    if outcome == [cp_model.INFEASIBLE] or misses[kind_key(t)] >= 2:
                        no_blocks.add(kind_key(t))
            if part is None:  # no contiguous plan in time: let this trainee fragment
                part = solve_part(instance, [t], fixed, budget, seed, profiles, False, least,
                                  soft_capacity=soft_capacity)
                if part is not None and w_frag and own_cost(part, 0, 1) > 0:
                    # ... as little as it can, starting from that plan. Measured: minimising
                    # unit changes alone left ~2 300 weeks of fragmentation on Örebro for
                    # polishing to repair; fragmentation in the objective from scratch cut it
                    # to ~700 there but raised Uppsala's from 21 to ~440 (its early stop
                    # settles for worse first solutions); from the hint it can only improve.
                    better = solve_part(instance, [t], fixed, budget, seed, profiles, False,
                                        least, terms=("unit_changes", "fragmentation"),
                                        soft_capacity=soft_capacity, hint=part)
                    if better is not None and (own_cost(better, w_changes, w_frag)
                                               < own_cost(part, w_changes, w_frag)):
                        part = better
            if part is None:  # any feasible plan for this trainee
                part = solve_part(instance, [t], fixed, max(1.0, min(10.0, left() / 2)), seed,
                                  profiles, False, least, terms=(),
                                  soft_capacity=soft_capacity)
            if part is None:
                mine = None
                break
            mine.extend(part)
        back = 0
        while mine is None and back <= min(2, g):
            if left() <= 0:
                return None
            joint = [t for grp in groups[g - back:g + 1] for t in grp]
            kept = plans[:g - back]
            # Joint models of several intakes rarely pay after ~10 s; a retry in another
            # order (see solve) is then the better use of the time.
            part = solve_part(instance, joint, flat(kept), min(10.0, left() / 2), seed,
                              profiles, False, least, terms=(),
                              soft_capacity=soft_capacity)
            if part is not None:
                plans = kept + [[] for _ in range(back)]
                mine = part
            back += 1
        if mine is None:
            return None
        plans.append(mine)
        if progress:
            progress({"phase": "decompose", "done": sum(map(len, groups[:g + 1])),
                      "of": len(trainees), "time": deadline.elapsed()})
    return flat(plans)
