"""Polishing: re-plans of one trainee, a few identical peers, or a costly trainee with its
competitors, each against everybody else, while their own cost falls (``polish``)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from ortools.sat.python import cp_model

from scheduler.domain import EXTENDING_LEAVE, Instance, Trainee
from scheduler.plan import Stint
from scheduler.solver.bounds import leave_floors
from scheduler.solver.context import Deadline, Progress
from scheduler.solver.cpsat import EarlyStop, complete_hint, make_solver, run
from scheduler.solver.first_plan import solve_part
from scheduler.solver.model import OWN, PlacementModel, capacity_profiles, kind_key
from scheduler.solver.plan_state import (
    PlanState,
    competitors,
    excess_cost,
    fairer_or_equal,
    own_cost,
    own_extra,
    spacing_delta,
)


def unblocked(t: Trainee) -> bool:
    """One block per discipline does not apply to the trainee (``PlacementModel``'s
    ``contiguous`` leaves trainees with leave or locked stints free)."""
    return bool(t.locked) or any(lv.kind in EXTENDING_LEAVE for lv in t.leave)


def replan_free(instance: Instance, t: Trainee, others: list[Stint], budget: float,
                seed: int, profiles: dict, least: dict[str, int], floor: int,
                hint: list[Stint], terms: tuple[str, ...] = ("unit_changes", "fragmentation"),
                ) -> list[Stint] | None:
    """One trainee re-planned for its unit changes and fragmentation (and ``terms``) from
    its rotation, against everybody else, until 0.5 s without improvement.

    For a trainee with leave or locked stints, where one block per discipline does not apply:
    a solve for unit changes alone stops at its least number of stints with whatever
    fragmentation (leave-80-tight: all 2 104 weeks of the first plan's fragmentation were
    such trainees', against a floor of 256). ``floor`` (``bounds.leave_fragmentation``) is
    posted as a redundant bound on its fragmentation, so a re-plan that reaches it stops at
    once (its LP bound is otherwise 0 and the solve runs to its limit).
    """
    pm = PlacementModel(instance, [t], external=others, profiles=profiles, terms=terms,
                        min_stints=least)
    if floor and "fragmentation" in pm.term_exprs:
        pm.model.add(pm.term_exprs["fragmentation"] >= floor)
    pm.hint(hint)
    t0 = time.monotonic()
    complete_hint(pm, min(0.5, budget / 2), seed)  # in the budget's time
    solver = make_solver(max(0.1, budget - (time.monotonic() - t0)), 1, seed)
    stopper = EarlyStop(patience=0.5, reset=True)
    status = run(solver, pm.model, stopper)
    stopper.cancel()
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return pm.extract(solver)


def polish(instance: Instance, plan: list[Stint], time_limit: float, seed: int,
           least: dict[str, int], progress: Progress | None = None,
           profiles: dict | None = None,
           stop: Callable[[], bool] | None = None,
           floors: dict[str, int] | None = None) -> list[Stint]:
    """Re-plan one trainee at a time against everybody else's stints while it pays.

    A cheap large-neighbourhood search over the trainees whose own cost (unit changes above
    their minimum, fragmentation) is highest; the full model then works on the global terms.
    ``floors``: ``bounds.leave_floors`` of the trainees, if known (else computed here).
    """
    deadline = Deadline(time_limit, stop)
    if deadline.left() <= 0:
        return plan
    w = instance.weights

    remaining = deadline.left  # ``stop``: the plan is proven optimal (or nothing is left to do)

    profiles = profiles or capacity_profiles(instance)
    state = PlanState(instance, plan)
    by_t = state.by_t
    trainees = {t.id: t for t in instance.all_trainees()}

    # Fragmentation no plan avoids (leave, the opening rule) is not the plan's to remove.
    if floors is None:
        floors = (leave_floors(instance, list(trainees.values()), profiles,
                               stop=deadline.expired) if w.fragmentation else {})

    def excess(tid: str) -> int:
        return (excess_cost(instance, by_t[tid], least.get(tid, 1))
                - w.fragmentation * floors.get(tid, 0))

    order = sorted((tid for tid in by_t if excess(tid) > 0), key=excess, reverse=True)
    improved = 0
    rng = random.Random(seed)
    peers: dict[tuple, list[str]] = {}
    for tid in by_t:
        peers.setdefault(kind_key(trainees[tid]), []).append(tid)

    def alone(tids: list[str], until: float = 0.2) -> int:
        """Re-plan each costly trainee by itself against everybody else; keep what is cheaper."""
        n = 0
        for tid in tids:
            left = remaining()
            if left <= until:
                break
            if excess(tid) <= 0:
                continue
            others = state.others((tid,))
            t = trainees[tid]
            if unblocked(t) and w.fragmentation:
                new = replan_free(instance, t, others, min(2.0, left), seed, profiles, least,
                                  floors.get(tid, 0), by_t[tid],
                                  terms=("unit_changes", "fragmentation", *OWN))
            else:
                new = solve_part(instance, [t], others, min(1.0, left), seed, profiles, True,
                                 least, terms=("unit_changes", *OWN))
            if new is None and w.fragmentation and not unblocked(t):
                # From its current rotation (always feasible: nobody else moved), until 0.5 s
                # without improvement; from scratch with the default early stop it kept
                # fragmented plans worse than the one it had.
                new = solve_part(instance, [t], others, min(2.0, remaining()), seed, profiles,
                                 False, least, terms=("unit_changes", "fragmentation", *OWN),
                                 hint=by_t[tid], patience=0.5)
            if new is not None and (own_cost(new, w.unit_changes, w.fragmentation)
                                    - own_cost(by_t[tid], w.unit_changes, w.fragmentation)
                                    + own_extra(instance, new) - own_extra(instance, by_t[tid])
                                    + state.staffing_delta(by_t[tid], new)
                                    + spacing_delta(instance, by_t, {tid: new}) < 0) \
                    and fairer_or_equal(instance, state, {tid: new}):
                state.set(tid, new)
                n += 1
        return n

    improved += alone(order)

    def replan_group(group: list[str], budget: float, group_seed: int) -> int:
        """Re-plan ``group`` jointly against everybody else; keep it if their cost falls."""
        others = state.others(group)
        new = solve_part(instance, [trainees[k] for k in group], others, budget, group_seed,
                         profiles, False, least, terms=("unit_changes", "fragmentation", *OWN),
                         hint=[st for k in group for st in by_t[k]], patience=0.5)
        if new is None:
            return 0
        new_by = {k: [st for st in new if st.trainee == k] for k in group}
        before = sum(own_cost(by_t[k], w.unit_changes, w.fragmentation)
                     + own_extra(instance, by_t[k]) for k in group)
        after = sum(own_cost(new_by[k], w.unit_changes, w.fragmentation)
                    + own_extra(instance, new_by[k]) for k in group)
        old = [st for k in group for st in by_t[k]]
        if (after - before + state.staffing_delta(old, new)
                + spacing_delta(instance, by_t, new_by) >= 0
                or not fairer_or_equal(instance, state, new_by)):
            return 0
        state.move(old, new)
        by_t.update(new_by)
        return 1

    # Second pass: a trainee that cannot improve alone is re-planned together with a few
    # identical peers from the same intake, who can give up the weeks it needs.
    for tid in order:
        left = remaining()
        if left <= 0.5 or excess(tid) <= 0:
            continue
        group = [tid] + rng.sample([p for p in peers[kind_key(trainees[tid])] if p != tid],
                                   k=min(3, len(peers[kind_key(trainees[tid])]) - 1))
        improved += replan_group(group, min(3.0, left), seed)
    # Third pass, while time is left: a costly trainee together with a few competitors, the
    # trainees of other intakes holding the units it needs while its block runs. On Örebro the
    # fragmentation left after the first passes sat in the last intakes (7 trainees carried
    # all of it in one 120 s run), squeezed by earlier intakes that took the capacity first;
    # only moving those can free it.
    # The group re-plans move trainees around the costly ones (and may leave one of a group
    # costlier for the group's sake), which often makes room for them alone later: each
    # round starts with, and polishing ends with, a sweep of one-trainee re-plans (~0.2 s
    # each), with a few seconds kept for the last one. Measured on a polished Örebro plan
    # (loaded machine): 5 trainees with 65-155 above their least own cost each had a plan in
    # one block per discipline at 10 above it, found alone.
    def costly() -> list[str]:
        return sorted((k for k in by_t if excess(k) > 0), key=excess, reverse=True)

    reserve = min(5.0, 0.1 * time_limit)
    rounds = 0
    while True:
        if rounds:
            improved += alone(costly(), until=reserve)
        if not costly():
            break
        for tid in costly():
            left = remaining() - reserve
            if left <= 1.0:
                break
            rivals = competitors(instance, trainees[tid], by_t, tid)
            if not rivals:
                continue
            group = [tid] + rng.sample(rivals[:10], k=min(4, len(rivals[:10])))
            improved += replan_group(group, min(4.0, left), seed + rounds)
        rounds += 1
        if remaining() - reserve <= 1.0 or rounds >= 5:
            break
    improved += alone(costly())
    if progress:
        progress({"phase": "polish", "improved": improved, "of": len(order),
                  "time": deadline.elapsed()})
    return state.stints()
