"""The plan's state and cost from its stints alone: each trainee's own cost, loads per unit
and week, the staffing term kept up to date (``Staffing``), the plan's whole cost
(``plan_cost``), and the small look-ups the phases share."""

from __future__ import annotations

from scheduler.domain import Instance, Trainee
from scheduler.plan import Stint
from scheduler.solver.model import OVERRUN_WEIGHT, staffing_window, utilisation


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
            - w.unit_changes * (least - 1))


def competitors(instance: Instance, t: Trainee, by_t: dict[str, list[Stint]],
                tid: str) -> list[str]:
    """Other trainees with stints in units ``t`` may use, in the weeks of ``t``'s block.

    Ranked by the weeks they hold there, most first.
    """
    mine = by_t[tid]
    a, b = min(s.start for s in mine), max(s.end for s in mine)
    needs = {s.discipline for s in mine}
    usable = {u.id for u in instance.units
              if u.takes(t.programme) and (u.region_wide or u.site == t.site)
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
    by_t: dict[str, list[Stint]] = {}
    for st in stints:
        by_t.setdefault(st.trainee, []).append(st)
    load = unit_loads(instance, by_t)
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
    if soft_capacity:
        terms["capacity_overrun"] = overrun
        total += OVERRUN_WEIGHT * overrun
    return total, terms


def unit_loads(instance: Instance, by_t: dict[str, list[Stint]]) -> dict[str, list[int]]:
    n = instance.n_weeks
    load: dict[str, list[int]] = {}
    for ss in by_t.values():
        for st in ss:
            row = load.setdefault(st.unit, [0] * n)
            for k in range(max(0, instance.week_index(st.start)),
                           min(n, instance.week_index(st.end))):
                row[k] += 1
    return load


class Staffing:
    """The staffing term, kept up to date while polishing moves stints (weighted).

    Polishing re-plans for the trainees' own cost; a re-plan that is neutral there may move a
    vårdcentral stint to weeks another trainee already covers, and ``reassign`` cannot undo
    that (it keeps every stint's weeks). So re-plans are weighed with the change they make
    here too. Measured on Örebro (idle 2-core VM, 120 s, seeds 0-2): empty vårdcentral weeks
    at the end 135 / 3 / 132 without this, 6 / 6 / 15 with it; objective 12 389 / 12 658 /
    12 785 against 11 935 / 12 183 / 11 874 (with a 10 s reassignment before polishing, which
    itself changed nearly nothing and was dropped).
    """

    def __init__(self, instance: Instance, by_t: dict[str, list[Stint]]):
        self.inst = instance
        self.weight = instance.weights.staffing_shortfall
        self.window: dict[str, tuple[int, int, int]] = {}
        for u in instance.units:
            win = staffing_window(instance, u)
            if win is not None and self.weight:
                self.window[u.id] = win
        self.load = {uid: [0] * instance.n_weeks for uid in self.window}
        for ss in by_t.values():
            self._add(ss, 1)

    def _cells(self, ss: list[Stint]) -> list[tuple[str, int]]:
        out = []
        for st in ss:
            if st.unit in self.window:
                a, b, _ = self.window[st.unit]
                out += [(st.unit, k) for k in range(max(a, self.inst.week_index(st.start)),
                                                    min(b, self.inst.week_index(st.end)))]
        return out

    def _add(self, ss: list[Stint], sign: int) -> None:
        for uid, k in self._cells(ss):
            self.load[uid][k] += sign

    def delta(self, old: list[Stint], new: list[Stint]) -> int:
        """Weighted change of the term if the stints ``old`` are replaced by ``new``."""
        cells = set(self._cells(old)) | set(self._cells(new))
        if not cells:
            return 0

        def short() -> int:
            return sum(max(0, self.window[u][2] - self.load[u][k]) for u, k in cells)

        before = short()
        self.apply(old, new)
        after = short()
        self.apply(new, old)
        return self.weight * (after - before)

    def apply(self, old: list[Stint], new: list[Stint]) -> None:
        self._add(old, -1)
        self._add(new, 1)


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
    return (u.takes(t.programme) and (u.region_wide or u.site == t.site)
            and any(prog.requirement(d) is not None for d in u.disciplines))


def stint_at(instance: Instance, ss: list[Stint], week: int) -> Stint | None:
    return next((s for s in ss if instance.week_index(s.start) <= week
                 < instance.week_index(s.end)), None)

