"""Neighbourhoods of ``improve``: each picks a few trainees to re-plan jointly where the cost
is (a week below a staffing target, the busiest unit of a class, a costly trainee), and
optionally a unit they must give up weeks at."""

from __future__ import annotations

import itertools
import random

from scheduler.domain import Instance, Trainee
from scheduler.solver.plan_state import (
    PlanState,
    can_take,
    competitors,
    own_cost,
    short_weeks,
    stint_at,
)
from scheduler.wishes import per_trainee


def hood_staffing(instance: Instance, trainees: dict[str, Trainee],
                  state: PlanState, profiles: dict, least: dict[str, int],
                  rng: random.Random) -> tuple[list[str], str | None]:
    """A week in which a unit is below its staffing target, and trainees who could fill it:
    those in a unit of the same kind then (they can swap), and a few others in their block."""
    by_t = state.by_t
    gaps = short_weeks(instance, state.load)
    if not gaps:
        return [], None
    uid, week, _ = rng.choice(gaps)
    kind = set(instance.unit(uid).disciplines)
    close: list[str] = []
    other: list[str] = []
    for k, ss in by_t.items():
        if not can_take(instance, trainees[k], uid):
            continue
        here = stint_at(instance, ss, week)
        if here is None:
            continue
        (close if here.discipline in kind else other).append(k)
    rng.shuffle(close)
    rng.shuffle(other)
    return close[:3] + other[:2], None


def hood_peak(instance: Instance, trainees: dict[str, Trainee],
              state: PlanState, profiles: dict, least: dict[str, int],
              rng: random.Random) -> tuple[list[str], str | None]:
    """The busiest unit of a class (by utilisation over the horizon): some of its trainees and
    some of the class's quietest units, who can trade places."""
    by_t, load = state.by_t, state.load
    classes: dict[frozenset[str], list[tuple[float, str]]] = {}
    for u in instance.units:
        prof = profiles[u.id]
        if prof is None or sum(prof) == 0:
            continue
        util = sum(load.get(u.id, ())) / sum(prof)
        classes.setdefault(frozenset(u.disciplines), []).append((util, u.id))
    spread = [(max(us)[0] - min(us)[0], us) for us in classes.values() if len(us) > 1]
    spread = [x for x in spread if x[0] > 0]
    if not spread:
        return [], None
    _, units = rng.choices(spread, weights=[s for s, _ in spread])[0]
    units = sorted(units)
    top, quiet = units[-1][1], {uid for _, uid in units[:max(1, len(units) // 3)]}
    busy = [k for k, ss in by_t.items() if any(s.unit == top for s in ss)]
    calm = [k for k, ss in by_t.items() if any(s.unit in quiet for s in ss)
            and can_take(instance, trainees[k], top)]
    rng.shuffle(busy)
    rng.shuffle(calm)
    return list(dict.fromkeys(busy[:3] + calm[:2])), top


def hood_costly(instance: Instance, trainees: dict[str, Trainee],
                state: PlanState, profiles: dict, least: dict[str, int],
                rng: random.Random,
                floors: dict[str, int] | None = None) -> tuple[list[str], str | None]:
    """A trainee above its least own cost with a few trainees holding the units it needs
    (``floors``: fragmentation each trainee cannot avoid, ``bounds.leave_floors``)."""
    w, by_t = instance.weights, state.by_t
    floors = floors or {}
    costly = [k for k, ss in by_t.items()
              if own_cost(ss, w.unit_changes, w.fragmentation)
              > w.unit_changes * (least.get(k, 1) - 1) + w.fragmentation * floors.get(k, 0)]
    if not costly:
        return [], None
    tid = rng.choice(costly)
    rivals = competitors(instance, trainees[tid], by_t, tid)[:10]
    return [tid] + rng.sample(rivals, k=min(4, len(rivals))), None


def hood_worst(instance: Instance, trainees: dict[str, Trainee],
               state: PlanState, profiles: dict, least: dict[str, int],
               rng: random.Random) -> tuple[list[str], str | None]:
    """Fairness: one of the trainees of the largest own cost (docs/MODEL.md) with a few
    trainees holding the units it needs, who can give it a wished unit or a rotation with
    fewer changes."""
    per = per_trainee(instance, state.stints())
    if not per:
        return [], None
    top = max(p["cost"] for p in per.values())
    tid = rng.choice(sorted(k for k, p in per.items() if p["cost"] == top))
    rivals = competitors(instance, trainees[tid], state.by_t, tid)[:10]
    return [tid] + rng.sample(rivals, k=min(4, len(rivals))), None


def hood_spacing(instance: Instance, trainees: dict[str, Trainee],
                 state: PlanState, profiles: dict, least: dict[str, int],
                 rng: random.Random) -> tuple[list[str], str | None]:
    """Spacing: two trainees whose starts at a unit with ``min_start_gap_weeks`` lie closer
    than the gap, with a few who start at a unit of the same kind near then (a swap of
    vårdcentraler moves one start away)."""
    gaps = {u.id: u.min_start_gap_weeks for u in instance.units if u.min_start_gap_weeks}
    first: dict[str, dict[str, int]] = {}
    for k, ss in state.by_t.items():
        for st in ss:
            if st.unit in gaps:
                w = instance.week_index(st.start)
                mine = first.setdefault(st.unit, {})
                mine[k] = min(w, mine.get(k, w))
    close: list[tuple[str, str, str, int]] = []
    for uid, starts in first.items():
        order = sorted(starts, key=starts.__getitem__)
        close += [(uid, a, b, starts[a]) for a, b in itertools.pairwise(order)
                  if starts[b] - starts[a] < gaps[uid]]
    if not close:
        return [], None
    uid, a, b, week = rng.choice(close)
    kind = set(instance.unit(uid).disciplines)
    near = [k for v, starts in first.items()
            if v != uid and kind & set(instance.unit(v).disciplines)
            for k, w in starts.items() if abs(w - week) < gaps[uid] and k not in (a, b)]
    rng.shuffle(near)
    return list(dict.fromkeys([a, b] + near[:3])), None
