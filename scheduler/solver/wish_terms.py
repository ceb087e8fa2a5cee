"""CP-SAT terms for wishes, travel and the worst trainee's cost (docs/MODEL.md, "Wishes,
travel and fairness"), built on a ``PlacementModel``'s options.

Every "missed" literal is one-sided (only forced up when the wish fails): the minimisation
pushes it down, as with the fragmentation spans; reported values are the checker's.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from ortools.sat.python import cp_model

from scheduler.wishes import (
    least_fragmentation,
    least_stints,
    least_travel,
    per_trainee,
    travel_rate,
    wish_weight,
)

if TYPE_CHECKING:
    from scheduler.solver.model import PlacementModel, TraineeData


def _own(pm: PlacementModel) -> dict[str, dict[int, Any]]:
    """Per trainee (index into ``pm.data``) its unweighted wishes missed and travel, built
    once per model and shared by the ``wishes``, ``travel`` and ``worst`` terms."""
    cached = getattr(pm, "own_terms_cache", None)
    if cached is not None:
        return cached
    m = pm.model
    wishes_by: dict[str, list] = defaultdict(list)
    for w in pm.inst.wishes:
        wishes_by[w.trainee].append(w)
    site_of = {u.id: u.site for u in pm.inst.units}
    out: dict[str, dict[int, Any]] = {"wishes": {}, "travel": {}}
    for i, td in enumerate(pm.data):
        t = td.trainee
        out["travel"][i] = sum(travel_rate(pm.inst, t, site_of[o.unit]) * o.size
                               for o in td.options)
        missed = []
        for w in wishes_by.get(t.id, ()):
            miss = m.new_bool_var(f"wish_missed[{t.id}|{w.kind}|{w.unit}|{w.discipline}]")
            _post_wish(pm, td, w, miss)
            missed.append(wish_weight(w) * miss)
        out["wishes"][i] = sum(missed)
    pm.own_terms_cache = out  # type: ignore[attr-defined]
    return out


def _post_wish(pm: PlacementModel, td: TraineeData, w: Any, miss: cp_model.IntVar) -> None:
    m = pm.model
    if w.kind in ("prefer", "avoid"):
        hits = [o for o in td.options if o.unit == w.unit
                and (w.discipline is None or o.discipline == w.discipline)]
        if w.kind == "prefer":
            m.add(miss + sum(o.presence for o in hits) >= 1)
        else:
            for o in hits:
                if o.fixed:
                    m.add(miss == 1)
                else:
                    m.add_implication(o.presence, miss)
        return
    if w.kind == "before":
        limit = pm.inst.week_index(w.date)
        for o in td.options:
            if o.discipline != w.discipline:
                continue
            if o.fixed:
                if int(o.start + o.size) > limit:  # type: ignore[operator]
                    m.add(miss == 1)
                continue
            m.add(o.end <= limit).only_enforce_if([o.presence, ~miss])
        return
    # first: no stint of another discipline starts in the first week of service.
    first = next((k for k in range(td.start, td.end) if k not in td.leave_weeks), td.start)
    for o in td.options:
        if o.discipline == w.discipline:
            continue
        if o.fixed:
            if int(o.start) == first:  # type: ignore[arg-type]
                m.add(miss == 1)
            continue
        m.add(o.start != first).only_enforce_if([o.presence, ~miss])


def wishes_term(pm: PlacementModel) -> cp_model.LinearExprT:
    return sum(_own(pm)["wishes"].values())


def travel_term(pm: PlacementModel) -> cp_model.LinearExprT:
    return sum(_own(pm)["travel"].values())


def worst_term(pm: PlacementModel) -> cp_model.LinearExprT:
    """The largest trainee's own cost in the model (docs/MODEL.md): weighted unit changes
    above its least, fragmentation, wishes missed and travel above its least."""
    m = pm.model
    own = _own(pm)
    w = pm.inst.objective_weights()
    frag = getattr(pm, "frag_by_t", {})
    costs = []
    for i, td in enumerate(pm.data):
        least = least_stints(pm.inst, td.trainee)
        cost = (w.get("unit_changes", 0) * (sum(o.presence for o in td.options) - least)
                + w.get("fragmentation", 0) * (sum(frag.get(i, []))
                                               - least_fragmentation(pm.inst, td.trainee))
                + w.get("wishes", 0) * own["wishes"][i]
                + w.get("travel", 0) * (own["travel"][i] - least_travel(pm.inst, td.trainee)))
        costs.append(cost)
    if not costs:
        return 0
    # Trainees outside the model (a re-plan of a few against everybody else) keep their
    # cost: the worst is at least theirs, so the re-plan does not trade the sum for a group
    # maximum that is not the plan's worst (the move would be refused by ``plan_cost``).
    floor = max((p["cost"] for p in per_trainee(pm.inst, pm.external).values()), default=0)
    hi = 10**9
    worst = m.new_int_var(min(floor, hi), hi, "worst")
    for c in costs:
        m.add(worst >= c)
    return worst
