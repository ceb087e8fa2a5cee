"""Block arithmetic and week plumbing of the checker, re-implemented from docs/MODEL.md.

The block length and block end are recomputed here instead of taken from ``scheduler.domain``:
a misreading of MODEL.md in one of the two shows up as a disagreement in the tests.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

from scheduler.domain import Programme, Trainee, Unit
from scheduler.plan import Stint

# Leave that is not service and so pushes the block end out; vacation (semester) is service.
EXTENDING = frozenset({"foraldraledighet", "sjukskrivning", "tjanstledighet"})


# --------------------------------------------------------------------------------------------
# Block arithmetic (re-implemented from MODEL.md on purpose)


def ceil_pct(weeks: int, part_time: int) -> int:
    """Calendar weeks that credit ``weeks`` full-time weeks at ``part_time`` percent."""
    return -(-weeks * 100 // part_time)


def service_weeks(programme: Programme, part_time: int) -> int:
    """S = max(ceil(L*100/p), calendar weeks the minima need at p)."""
    grouped = {d for g in programme.group_requirements for d in g.disciplines}
    rounded = {r.discipline: ceil_pct(r.min_weeks, part_time) for r in programme.requirements}
    minima = sum(w for d, w in rounded.items() if d not in grouped)
    for g in programme.group_requirements:
        members = sum(rounded.get(d, 0) for d in set(g.disciplines))  # a listed twice counts once
        minima += max(ceil_pct(g.min_weeks, part_time), members)
    # Introduction weeks are service at no unit: they count toward the block.
    return max(ceil_pct(programme.length_weeks, part_time),
               minima + programme.introduction_weeks)


def leave_mondays(trainee: Trainee) -> set[date]:
    out: set[date] = set()
    for lv in trainee.leave:
        if lv.kind in EXTENDING:
            d = lv.start
            while d < lv.end:
                out.add(d)
                d += timedelta(weeks=1)
    return out


def intro_weeks(trainee: Trainee, programme: Programme) -> set[date]:
    """The block's first ``introduction_weeks`` weeks that are not extending leave."""
    leave = leave_mondays(trainee)
    out: set[date] = set()
    d = trainee.start
    while len(out) < programme.introduction_weeks:
        if d not in leave:
            out.add(d)
        d += timedelta(weeks=1)
    return out


def block_end(trainee: Trainee, programme: Programme) -> date:
    """First Monday ``e`` such that ``[start, e)`` holds exactly S weeks of service, or the
    day the trainee leaves the programme if that is earlier."""
    leave = leave_mondays(trainee)
    left = service_weeks(programme, trainee.part_time)
    d = trainee.start
    while left > 0:
        if d not in leave:
            left -= 1
        d += timedelta(weeks=1)
    if trainee.leaves_on is not None and trainee.leaves_on < d:
        return trainee.leaves_on
    return d


def is_unfinished(trainee: Trainee, programme: Programme) -> bool:
    """The trainee leaves before the block is complete: minima and order rules lapse."""
    return trainee.leaves_on is not None and block_end(trainee, programme) == \
        trainee.leaves_on and block_end(trainee.model_copy(update={"leaves_on": None}),
                                        programme) > trainee.leaves_on


# --------------------------------------------------------------------------------------------
# Shared plumbing


def wk(h0: date, d: date) -> int:
    return (d - h0).days // 7


def unit_loads(h0: date, stints: Iterable[Stint]) -> dict[str, Counter[int]]:
    """Distinct trainees per unit and week index (a trainee double-booked counts once)."""
    weeks: dict[tuple[str, str], set[int]] = defaultdict(set)
    for s in stints:
        weeks[(s.unit, s.trainee)].update(range(wk(h0, s.start), wk(h0, s.end)))
    loads: dict[str, Counter[int]] = defaultdict(Counter)
    for (unit, _), ws in weeks.items():
        loads[unit].update(ws)
    return loads


def runs(items: Iterable[tuple[int, object]]) -> list[tuple[int, int, object]]:
    """Group ``(week, key)`` pairs sorted by week into maximal runs of consecutive weeks with the
    same key: ``(first week, number of weeks, key)``."""
    out: list[tuple[int, int, object]] = []
    for w, key in items:
        if out and out[-1][2] == key and out[-1][0] + out[-1][1] == w:
            first, n, _ = out[-1]
            out[-1] = (first, n + 1, key)
        else:
            out.append((w, 1, key))
    return out


def catches(u: Unit, home: str) -> bool:
    """MODEL.md eligibility, site part: region-wide, the home site, or listed in takes_from."""
    if u.region_wide or u.site == home:
        return True
    return home in set(u.takes_from or [])
