"""Counting arguments: infeasibility proven by arithmetic before any search.

A coordinator's usual cause of "no plan" is that an intake needs more weeks of a discipline
than the units giving it have seats for. That is a counting fact, found in milliseconds:

* **Discipline against seats in a window** (``window``). For a requirement (one discipline or
  a group such as medicin+kirurgi) with minimum ``n`` calendar weeks, a trainee whose block has
  ``S`` service weeks of which ``out`` lie outside the weeks ``[a, b)`` must spend at least
  ``max(0, n - out)`` of them in that discipline inside ``[a, b)``. Every such week takes a seat
  of a unit that credits the discipline and is open to the trainee. Take a set of units ``E``
  (a *unit group*: the units open to one kind of trainee, or all of them) and the trainees
  whose units for this requirement all lie in ``E``; if their forced weeks exceed the seats of
  ``E`` in ``[a, b)`` (capacity per week including ``capacity_changes``, less the seats held by
  other trainees' locked stints), no plan exists. Windows run between block starts and ends and
  capacity change points, so a single intake (*per start*) and several overlapping intakes are
  both tried.
* **Locked stints over capacity** (``locked``): more locked stints at a unit in one week than
  it has seats.

Both are necessary conditions only (stint lengths, order rules and one seat per trainee and
week are ignored), so a shortfall is a proof of infeasibility; finding none proves nothing, and
the explanation then falls back to a CP-SAT core.

Also here: :func:`unreachable_requirements`, the input check (exit 2) for a required discipline
that no eligible unit can give at all during a block (no such unit, or capacity 0 throughout).
"""

from __future__ import annotations

import bisect
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from ortools.sat.python import cp_model

from scheduler.domain import (
    EXTENDING_LEAVE,
    Instance,
    Trainee,
    block_end,
    calendar_weeks,
    leaves_early,
)
from scheduler.solver.model import PlacementModel, capacity_profiles, kind_key


@dataclass(frozen=True)
class Demand:
    """The weeks one intake (cohort) or trainee must spend in the window."""

    who: str  # cohort id or trainee id (the rule group's ``who``)
    programme: str
    count: int  # trainees
    need: int  # calendar weeks of the requirement, per trainee
    forced: int  # of which inside the window, per trainee
    start: date  # the block (first member)
    end: date
    trainees: tuple[str, ...] = ()


@dataclass(frozen=True)
class Shortfall:
    """A counting proof of infeasibility, in the terms the explanation words it."""

    kind: str  # "window" or "locked"
    label: str  # requirement detail: a discipline code or a group requirement's name
    disciplines: tuple[str, ...]
    first: int  # window [first, end) in horizon weeks
    end: int
    units: tuple[str, ...]
    demand: int  # trainee-weeks that must fall in the window
    supply: int  # seat-weeks in the window
    demands: tuple[Demand, ...] = ()
    locked: tuple[tuple[str, int], ...] = ()  # (trainee id, index) of locked stints counted
    cap_low: int = 0  # capacity per week in the window, summed over the units: least, most
    cap_high: int = 0

    @property
    def deficit(self) -> int:
        return self.demand - self.supply


@dataclass
class _Kind:
    """Identical trainees of one intake (or one trainee): their block and service weeks."""

    who: str
    trainees: list[Trainee]
    start: int
    end: int
    service: list[int] = field(default_factory=list)  # sorted weeks of service

    def inside(self, a: int, b: int) -> int:
        return bisect.bisect_left(self.service, b) - bisect.bisect_left(self.service, a)


def _kinds(inst: Instance) -> list[_Kind]:
    who = {t.id: c.id for c in inst.cohorts for t in c.trainees()}
    groups: dict[tuple, list[Trainee]] = defaultdict(list)
    for t in inst.all_trainees():
        groups[(who.get(t.id, t.id), kind_key(t))].append(t)
    out = []
    for (w, _), ts in groups.items():
        t = ts[0]
        prog = inst.programme(t.programme)
        if leaves_early(t, prog):  # the minima lapse
            continue
        s, e = inst.week_index(t.start), inst.week_index(block_end(t, prog))
        leave = {inst.week_index(lv.start) + k for lv in t.leave if lv.kind in EXTENDING_LEAVE
                 for k in range(lv.weeks)}
        out.append(_Kind(w, ts, s, e, [x for x in range(s, e) if x not in leave]))
    return out


def _rows(inst: Instance, programme: str, part_time: int
          ) -> list[tuple[str, tuple[str, ...], int]]:
    """(detail, disciplines, calendar weeks) of every minimum of the programme."""
    prog = inst.programme(programme)
    out: list[tuple[str, tuple[str, ...], int]] = []
    for r in prog.requirements:
        if r.min_weeks:
            out.append((r.discipline, (r.discipline,), calendar_weeks(r.min_weeks, part_time)))
    for g in prog.group_requirements:
        members = sum(calendar_weeks(r.min_weeks, part_time)
                      for r in prog.requirements if r.discipline in g.disciplines)
        least = max(calendar_weeks(g.min_weeks, part_time), members)
        if least:
            out.append((g.name, tuple(g.disciplines), least))
    return out


def _open_units(inst: Instance, t: Trainee, disciplines: tuple[str, ...]) -> frozenset[str]:
    prog = inst.programme(t.programme)
    return frozenset(u.id for u in inst.units
                     if u.eligible(prog.id, t.site) and u.capacity_by_programme.get(prog.id) != 0
                     and any(d in u.disciplines and prog.requirement(d) is not None
                             for d in disciplines))


def shortfalls(inst: Instance, deadline: float | None = None) -> list[Shortfall]:
    """Counting proofs of infeasibility: the largest shortfall per requirement (and unit
    group), and every unit-week where locked stints exceed the seats. Empty: none found."""
    profiles = capacity_profiles(inst)
    H = inst.n_weeks
    # Locked stints: per unit and week, the trainees holding a seat there.
    held: dict[str, dict[int, list[tuple[str, int]]]] = defaultdict(lambda: defaultdict(list))
    for t in inst.all_trainees():  # a cohort member's locks (overrides) hold seats too
        for j, lk in enumerate(t.locked):
            for w in range(max(0, inst.week_index(lk.start)), min(H, inst.week_index(lk.end))):
                held[lk.unit][w].append((t.id, j))
    out: list[Shortfall] = []
    for uid, weeks in sorted(held.items()):
        prof = profiles[uid]
        if prof is None:
            continue
        cap: list[int] = prof
        bad = sorted(w for w, hs in weeks.items() if len(hs) > cap[w])
        if bad:
            w = max(bad, key=lambda x: len(weeks[x]) - cap[x])
            out.append(Shortfall("locked", "", tuple(inst.unit(uid).disciplines), w, w + 1,
                                 (uid,), len(weeks[w]), prof[w], locked=tuple(weeks[w]),
                                 cap_low=prof[w], cap_high=prof[w]))

    kinds = _kinds(inst)
    # Requirements by (detail, disciplines): the kinds that have them, with their weeks, their
    # open units and the most weeks each unit can give them.
    reqs: dict[tuple[str, tuple[str, ...]], list[tuple[_Kind, int, dict[str, int]]]] = \
        defaultdict(list)
    for k in kinds:
        t = k.trainees[0]
        for detail, discs, need in _rows(inst, t.programme, t.part_time):
            units = _open_units(inst, t, discs)
            reqs[(detail, discs)].append(
                (k, need, {u: _most_weeks(inst, k, u, discs, profiles) for u in units}))
    cuts = {0, H}
    for u in inst.units:
        for ch in u.capacity_changes:
            cuts.update((max(0, min(H, inst.week_index(ch.start))),
                         max(0, min(H, inst.week_index(ch.end)))))
    prefix: dict[str, list[int]] = {}
    for uid, prof in profiles.items():
        if prof is not None:
            acc = [0]
            for c in prof:
                acc.append(acc[-1] + c)
            prefix[uid] = acc

    for (detail, discs), rows in sorted(reqs.items()):
        # Unit groups: the units open to each kind, all of them, each unit alone, and all but
        # those that can give no trainee the whole requirement (short stints).
        groups = {frozenset(most) for _, _, most in rows}
        every = frozenset().union(*groups)
        groups.add(every)
        groups.update(frozenset([u]) for u in every)
        groups.add(frozenset(u for u in every
                             if any(most.get(u, 0) >= need for _, need, most in rows)))
        best: Shortfall | None = None
        for units in sorted(groups, key=lambda g: (len(g), sorted(g))):
            if not units or any(profiles[u] is None for u in units):
                continue  # a unit without supervisor limit: nothing to count
            # Weeks each kind must spend at these units: the minimum less the most the other
            # open units can give it (one stint per unit and discipline, of at most max_weeks).
            mine = []
            for k, need, most in rows:
                if units.isdisjoint(most):
                    continue
                rest = need - sum(w for u, w in most.items() if u not in units)
                if rest > 0:
                    mine.append((k, rest))
            if not mine:
                continue
            ids = {t.id for k, _ in mine for t in k.trainees}
            starts = sorted({k.start for k, _ in mine} | {c for c in cuts if c < H})
            ends = sorted({k.end for k, _ in mine} | {c for c in cuts if c > 0})
            for a in starts:
                if deadline is not None and time.monotonic() > deadline:
                    return _pick(out, best)
                for b in ends:
                    if b <= a:
                        continue
                    demand = 0
                    for k, need in mine:
                        forced = need - (len(k.service) - k.inside(a, b))
                        if forced > 0:
                            demand += forced * len(k.trainees)
                    if demand == 0:
                        continue
                    supply, locked = _supply(units, a, b, prefix, profiles, held, ids)
                    # The largest shortfall; of equal ones the shortest window.
                    if demand <= supply or (best is not None and (demand - supply, a - b)
                                            <= (best.deficit, best.first - best.end)):
                        continue
                    best = _window(inst, detail, discs, units, a, b, mine, demand, supply,
                                   locked, profiles)
        if best is not None:
            out.append(best)
    return _pick(out, None)


def _most_weeks(inst: Instance, k: _Kind, uid: str, discs: tuple[str, ...],
                profiles: dict) -> int:
    """The most weeks of ``discs`` a trainee of kind ``k`` can spend at the unit: one stint
    per unit and discipline (the repeat rule) of at most its longest stint; none if it is
    closed over the whole block. Leave may split a stint in two, and locked and opening stints
    are not counted by the repeat rule: then no limit but the block.
    """
    t = k.trainees[0]
    u = inst.unit(uid)
    prof = profiles[uid]
    if prof is not None and max(prof[k.start:k.end], default=0) == 0:
        return 0
    service = len(k.service)
    prog = inst.programme(t.programme)
    if len(k.service) < k.end - k.start or t.locked or (
            prog.starts_with is not None and prog.starts_with.discipline in discs):
        return service
    hi = u.stint_range(prog.id, t.part_time)[1] or service
    n = sum(1 for d in discs if d in u.disciplines and prog.requirement(d) is not None)
    return min(service, hi * n)


def _pick(out: list[Shortfall], last: Shortfall | None) -> list[Shortfall]:
    if last is not None:
        out = out + [last]
    # The largest shortfall first; one per requirement (a group that only repeats the shortage
    # of one of its disciplines, at the same units, is left out).
    out = sorted(out, key=lambda s: (-s.deficit, s.label))
    kept: list[Shortfall] = []
    for s in out:
        if any(s.kind == "window" and k.kind == "window" and set(s.units) == set(k.units)
               and set(k.disciplines) < set(s.disciplines) for k in kept):
            continue
        kept.append(s)
    return kept


def _supply(units: frozenset[str], a: int, b: int, prefix: dict[str, list[int]],
            profiles: dict, held: dict, ids: set[str]) -> tuple[int, tuple[tuple[str, int], ...]]:
    """Seat-weeks of ``units`` in ``[a, b)``, less the seats of other trainees' locked
    stints; and those locked stints."""
    total = 0
    locked: set[tuple[str, int]] = set()
    for uid in units:
        seats = prefix[uid][b] - prefix[uid][a]
        for w, hs in held.get(uid, {}).items():
            if a <= w < b:
                others = [h for h in hs if h[0] not in ids]
                if others:
                    taken = min(len(others), profiles[uid][w])
                    seats -= taken
                    if taken:
                        locked.update(others)
        total += seats
    return total, tuple(sorted(locked))


def _window(inst: Instance, detail: str, discs: tuple[str, ...], units: frozenset[str], a: int,
            b: int, mine: list, demand: int, supply: int, locked: tuple, profiles: dict
            ) -> Shortfall:
    demands = []
    for k, need in mine:
        forced = need - (len(k.service) - k.inside(a, b))
        if forced > 0:
            t = k.trainees[0]
            demands.append(Demand(k.who, t.programme, len(k.trainees), need, forced,
                                  inst.week_date(k.start), inst.week_date(k.end),
                                  tuple(x.id for x in k.trainees)))
    per_week = [sum(profiles[u][w] for u in units) for w in range(a, b)]
    return Shortfall("window", detail, discs, a, b, tuple(sorted(units)), demand, supply,
                     tuple(demands), locked, min(per_week), max(per_week))


# --------------------------------------------------------------------------------------------
# One trainee alone


def lone_infeasible(inst: Instance, deadline: float) -> Trainee | None:
    """A trainee who has no plan even alone with unlimited capacity at the open units (block
    too short for the stint lengths, a locked stint in the way, ...); one per kind is solved
    (~0.05 s each). ``None``: every kind has a plan alone, or the time ran out."""
    seen: set[tuple] = set()
    profiles = capacity_profiles(inst)
    trainees = inst.all_trainees()
    # One trainee per programme, site and conditions first (the start rarely matters alone):
    # a programme-wide cause is found in a handful of solves even on a large region.
    rough: dict[tuple, Trainee] = {}
    for t in trainees:
        rough.setdefault((t.programme, t.site, t.part_time, tuple(t.leave), tuple(t.locked),
                          t.leaves_on), t)
    # Plain trainees (no leave, no locks) first: their core is the programme's own.
    firsts = sorted(rough.values(), key=lambda t: (len(t.leave) + len(t.locked), t.id))
    for t in [*firsts, *trainees]:
        key = kind_key(t)
        if key in seen:
            continue
        seen.add(key)
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        pm = PlacementModel(inst, [t], terms=(), ignore_capacity=True, profiles=profiles)
        s = cp_model.CpSolver()
        s.parameters.num_workers = 1
        s.parameters.max_time_in_seconds = max(0.05, min(2.0, left))
        s.parameters.symmetry_level = 0
        if s.solve(pm.model) == cp_model.INFEASIBLE:
            return t
    return None


# --------------------------------------------------------------------------------------------
# Input check


def unreachable_requirements(inst: Instance) -> list[tuple[str, str, str, str]]:
    """``(location, programme, discipline, weeks)`` for every minimum that no eligible unit can
    give during the block: no open unit credits it, or every one has capacity 0 throughout.
    Such input is rejected before any search (exit 2)."""
    profiles = capacity_profiles(inst)
    people: list[tuple[str, Trainee]] = [
        (f"trainees[{i}] ({t.id})", t) for i, t in enumerate(inst.trainees)]
    people += [(f"cohorts[{i}] ({c.id})", c.trainees()[0]) for i, c in enumerate(inst.cohorts)]
    out = []
    for loc, t in people:
        prog = inst.programme(t.programme)
        if leaves_early(t, prog):
            continue
        a, b = inst.week_index(t.start), inst.week_index(block_end(t, prog))
        for detail, discs, need in _rows(inst, t.programme, t.part_time):
            units = _open_units(inst, t, discs)
            if any((p := profiles[u]) is None or max(p[a:b], default=0) > 0 for u in units):
                continue
            out.append((loc, prog.id, detail, f"{need}"))
    return out
