"""A plan's state and cost from its stints alone: each trainee's own cost, the plan's
stints per trainee and loads per unit and week kept up to date as stints move
(``PlanState``), the plan's whole cost (``plan_cost``), and the look-ups the phases share."""

from __future__ import annotations

import itertools
from collections.abc import Collection

from scheduler.domain import Instance, Trainee
from scheduler.plan import Stint
from scheduler.solver.model import OVERRUN_WEIGHT, staffing_window, utilisation
from scheduler.wishes import per_trainee


def own_cost(stints: list[Stint], w_changes: int, w_frag: int) -> int:
    """One trainee's unit changes and fragmentation, weighted (as in docs/MODEL.md)."""
    spans: dict[str, list[Stint]] = {}
    for st in stints:
        spans.setdefault(st.discipline, []).append(st)
    frag = sum((max(x.end for x in ss) - min(x.start for x in ss)).days // 7
               - sum(x.weeks for x in ss) for ss in spans.values())
    return w_changes * (len(stints) - 1) + w_frag * frag


def excess_cost(instance: Instance, stints: list[Stint], least: int) -> int:
    """A trainee's own cost (unit changes, fragmentation) above the least it could have."""
    w = instance.weights
    return (own_cost(stints, w.unit_changes, w.fragmentation)
            - w.unit_changes * (least - 1) + own_extra(instance, stints))


def competitors(instance: Instance, t: Trainee, by_t: dict[str, list[Stint]],
                tid: str) -> list[str]:
    """Other trainees with stints in units ``t`` may use, in the weeks of ``t``'s block.

    Ranked by the weeks they hold there, most first.
    """
    mine = by_t[tid]
    a, b = min(s.start for s in mine), max(s.end for s in mine)
    needs = {s.discipline for s in mine}
    usable = {u.id for u in instance.units
              if u.eligible(t.programme, t.site)
              and needs & set(u.disciplines) and u.capacity is not None}
    held: dict[str, int] = {}
    for k, ss in by_t.items():
        if k == tid:
            continue
        for s in ss:
            if s.unit in usable:
                ov = (min(s.end, b) - max(s.start, a)).days // 7
                if ov > 0:
                    held[k] = held.get(k, 0) + ov
    return sorted(held, key=lambda k: -held[k])


def plan_cost(instance: Instance, stints: list[Stint], profiles: dict,
              soft_capacity: bool = False) -> tuple[int, dict[str, int]]:
    """The weighted objective of a plan and its unweighted terms, from the stints alone.

    The solver's own arithmetic (docs/MODEL.md, "Objective"), used to compare plans between
    phases: a CP-SAT objective can sit above a plan's true cost (one-sided helper variables,
    a hint completed only in part). The checker recomputes the reported values independently.
    """
    n, w = instance.n_weeks, instance.weights
    state = PlanState(instance, stints)
    by_t, load = state.by_t, state.load
    empty = [0] * n
    short = sum(missing for _, _, missing in short_weeks(instance, load))
    peaks: dict[frozenset[str], int] = {}
    overrun = 0
    for u in instance.units:
        prof = profiles[u.id]
        if prof is None:
            continue
        row = load.get(u.id, empty)
        overrun += sum(max(0, x - c) for x, c in zip(row, prof, strict=True))
        if sum(prof) > 0:
            cls = frozenset(u.disciplines)
            peaks[cls] = max(peaks.get(cls, 0), utilisation(sum(row), prof))
    terms = {"unit_changes": sum(len(ss) - 1 for ss in by_t.values()),
             "fragmentation": sum(own_cost(ss, 0, 1) for ss in by_t.values()),
             "staffing_shortfall": short, "peak_utilisation": sum(peaks.values())}
    total = sum(getattr(w, t) * v for t, v in terms.items())
    if "spacing" in instance.objective_weights():
        terms["spacing"] = spacing(instance, by_t)
        total += instance.objective_weights()["spacing"] * terms["spacing"]
    own = personal_terms(instance, stints)  # wishes, travel, worst: only when in the objective
    terms.update(own)
    total += sum(instance.objective_weights()[t] * v for t, v in own.items())
    if soft_capacity:
        terms["capacity_overrun"] = overrun
        total += OVERRUN_WEIGHT * overrun
    return total, terms


def spacing(instance: Instance, by_t: dict[str, list[Stint]],
            units: Collection[str] | None = None) -> int:
    """The term ``spacing`` (docs/MODEL.md), unweighted, over ``units`` (default: all): per
    unit with ``min_start_gap_weeks`` g, the sum over consecutive starts (each trainee's
    first week there, sorted) of g minus their distance, where that is positive."""
    gaps = {u.id: u.min_start_gap_weeks for u in instance.units
            if u.min_start_gap_weeks and (units is None or u.id in units)}
    if not gaps:
        return 0
    first: dict[tuple[str, str], int] = {}
    for tid, ss in by_t.items():
        for st in ss:
            if st.unit in gaps:
                w = instance.week_index(st.start)
                first[st.unit, tid] = min(w, first.get((st.unit, tid), w))
    starts: dict[str, list[int]] = {}
    for (uid, _), w in first.items():
        starts.setdefault(uid, []).append(w)
    total = 0
    for uid, ws in starts.items():
        ws.sort()
        total += sum(max(0, gaps[uid] - (b - a)) for a, b in itertools.pairwise(ws))
    return total


def spacing_delta(instance: Instance, by_t: dict[str, list[Stint]],
                  new_by: dict[str, list[Stint]]) -> int:
    """Weighted change of the term ``spacing`` if these trainees' stints are replaced
    (``new_by``); 0 without the term. The re-plans of one trainee or a few judge their own
    cost, which does not see when a trainee's start moves next to another's."""
    weight = instance.objective_weights().get("spacing", 0)
    if not weight:
        return 0
    units = {st.unit for k in new_by for st in (*by_t.get(k, ()), *new_by[k])}
    after = {**by_t, **new_by}
    return weight * (spacing(instance, after, units) - spacing(instance, by_t, units))


def personal_terms(instance: Instance, stints: list[Stint]) -> dict[str, int]:
    """The terms ``wishes``, ``travel`` and ``worst`` (docs/MODEL.md) that are in the
    objective, unweighted, from the stints alone; {} when none is."""
    weights = instance.objective_weights()
    keys = [k for k in ("wishes", "travel", "worst") if k in weights]
    if not keys:
        return {}
    per = per_trainee(instance, stints).values()
    out = {"wishes": sum(p["wishes"] for p in per), "travel": sum(p["travel"] for p in per),
           "worst": max((p["cost"] for p in per), default=0)}
    return {k: out[k] for k in keys}


def own_extra(instance: Instance, stints: list[Stint]) -> int:
    """One trainee's weighted wishes missed and travel (0 when neither is in the objective):
    the part of its own cost that ``own_cost`` does not see."""
    weights = instance.objective_weights()
    if "wishes" not in weights and "travel" not in weights:
        return 0
    p = next(iter(per_trainee(instance, stints).values()), None)
    if p is None:
        return 0
    return weights.get("wishes", 0) * p["wishes"] + weights.get("travel", 0) * p["travel"]


def fairer_or_equal(instance: Instance, state: PlanState | list[Stint],
                    new_by: dict[str, list[Stint]]) -> bool:
    """With a ``worst`` term: does replacing these trainees' stints (in ``state``, or in a
    plan's stints) leave the worst trainee's cost no higher? (One-trainee re-plans judge
    their own cost only; without this a group re-plan could make one member the new worst.)
    True without the term."""
    if "worst" not in instance.objective_weights():
        return True
    stints = state.stints() if isinstance(state, PlanState) else state
    before = per_trainee(instance, stints)
    worst = max((p["cost"] for p in before.values()), default=0)
    after = per_trainee(instance, [st for ss in new_by.values() for st in ss])
    return max((p["cost"] for p in after.values()), default=0) <= worst


class PlanState:
    """A plan's stints per trainee (``by_t``), trainees per unit and week (``load``) and
    weeks per unit (``total``), kept up to date as stints move; and the staffing term's
    change if stints are replaced (``staffing_delta``)."""

    def __init__(self, instance: Instance, stints: list[Stint]):
        self.inst = instance
        self.n = instance.n_weeks
        self.by_t: dict[str, list[Stint]] = {}
        for st in stints:
            self.by_t.setdefault(st.trainee, []).append(st)
        self.load: dict[str, list[int]] = {}
        self.total: dict[str, int] = {}
        for ss in self.by_t.values():
            self.add(ss)
        self._windows: dict[str, tuple[int, int, int]] | None = None

    def span(self, st: Stint) -> tuple[int, int]:
        """The stint's weeks within the horizon, as ``range`` bounds."""
        return (max(0, self.inst.week_index(st.start)),
                min(self.n, self.inst.week_index(st.end)))

    def shift(self, uid: str, span: tuple[int, int], weeks: int, sign: int) -> None:
        """Add (``sign`` 1) or remove (-1) a stint of ``weeks`` at ``uid`` over ``span``."""
        row = self.load.setdefault(uid, [0] * self.n)
        for k in range(*span):
            row[k] += sign
        self.total[uid] = self.total.get(uid, 0) + sign * weeks

    def add(self, stints: list[Stint], sign: int = 1) -> None:
        for st in stints:
            self.shift(st.unit, self.span(st), st.weeks, sign)

    def move(self, old: list[Stint], new: list[Stint]) -> None:
        """The loads with the stints ``old`` replaced by ``new`` (``by_t`` is the caller's)."""
        self.add(old, -1)
        self.add(new, 1)

    def set(self, tid: str, new: list[Stint]) -> None:
        """Trainee ``tid``'s stints replaced by ``new``."""
        self.move(self.by_t[tid], new)
        self.by_t[tid] = new

    def stints(self) -> list[Stint]:
        return [st for ss in self.by_t.values() for st in ss]

    def others(self, group: Collection[str]) -> list[Stint]:
        """The stints of every trainee not in ``group``."""
        return [st for k, ss in self.by_t.items() if k not in group for st in ss]

    def staffing_delta(self, old: list[Stint], new: list[Stint]) -> int:
        """Weighted change of the staffing term if the stints ``old`` are replaced by ``new``.

        Polishing re-plans for the trainees' own cost; a re-plan that is neutral there may
        move a vårdcentral stint to weeks another trainee already covers, and ``reassign``
        cannot undo that (it keeps every stint's weeks). So re-plans are weighed with the
        change they make here too. Measured on Örebro (idle 2-core VM, 120 s, seeds 0-2):
        empty vårdcentral weeks at the end 135 / 3 / 132 without this, 6 / 6 / 15 with it;
        objective 12 389 / 12 658 / 12 785 against 11 935 / 12 183 / 11 874 (with a 10 s
        reassignment before polishing, which itself changed nearly nothing and was dropped).
        """
        weight = self.inst.weights.staffing_shortfall
        if not weight:
            return 0
        if self._windows is None:
            self._windows = {u.id: win for u in self.inst.units
                             if (win := staffing_window(self.inst, u)) is not None}
        change: dict[tuple[str, int], int] = {}
        for sign, ss in ((-1, old), (1, new)):
            for st in ss:
                win = self._windows.get(st.unit)
                if win is None:
                    continue
                a, b = self.span(st)
                for k in range(max(a, win[0]), min(b, win[1])):
                    change[st.unit, k] = change.get((st.unit, k), 0) + sign
        delta = 0
        for (uid, k), c in change.items():
            want, have = self._windows[uid][2], self.load.get(uid, [0] * self.n)[k]
            delta += max(0, want - have - c) - max(0, want - have)
        return weight * delta


def short_weeks(instance: Instance,
                load: dict[str, list[int]]) -> list[tuple[str, int, int]]:
    """(unit, week, trainees missing) for every week a unit is below its staffing target."""
    n = instance.n_weeks
    out = []
    for u in instance.units:
        win = staffing_window(instance, u)
        if win is None:
            continue
        a, b, want = win
        row = load.get(u.id, [0] * n)
        out += [(u.id, k, want - row[k]) for k in range(a, b) if row[k] < want]
    return out


def can_take(instance: Instance, t: Trainee, unit_id: str) -> bool:
    u = instance.unit(unit_id)
    prog = instance.programme(t.programme)
    return (u.eligible(t.programme, t.site)
            and any(prog.requirement(d) is not None for d in u.disciplines))


def stint_at(instance: Instance, ss: list[Stint], week: int) -> Stint | None:
    return next((s for s in ss if instance.week_index(s.start) <= week
                 < instance.week_index(s.end)), None)

