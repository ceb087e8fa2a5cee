"""The block: how many weeks of service a trainee's programme takes, and when it ends.

Read off the data only (the domain classes' fields), so that both the domain's validation and
every model-side module use one definition. The independent checker (``scheduler/verify/``)
re-implements it on its own. Re-exported by ``scheduler.domain``, where callers import it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scheduler.domain import Programme, Trainee

# Leave that does not count as service extends the block (SOSFS 1999:5, HSLF-FS 2021:8).
# Vacation (semester) counts as service: the trainee stays in the stint.
EXTENDING_LEAVE: frozenset[str] = frozenset({"foraldraledighet", "sjukskrivning", "tjanstledighet"})


def calendar_weeks(full_time_weeks: int, part_time: int) -> int:
    """Calendar weeks that credit ``full_time_weeks`` at ``part_time`` percent, rounded up.

    Every requirement (minimum and maximum) and the block length are converted this way, so a
    75 % trainee needs ceil(13 * 100 / 75) = 18 calendar weeks of psychiatry.
    """
    return -(-full_time_weeks * 100 // part_time)


def service_weeks_needed(programme: Programme, part_time: int) -> int:
    """Calendar weeks of service in the block at ``part_time`` percent (credited pro rata).

    At part time the rounded-up minima can add up to more than the rounded-up length (AT18 at
    75 %: 18 + 35 + 52 = 105 > 104); the block is then lengthened to fit them.
    """
    grouped = {d for g in programme.group_requirements for d in g.disciplines}
    need = sum(calendar_weeks(r.min_weeks, part_time)
               for r in programme.requirements if r.discipline not in grouped)
    for g in programme.group_requirements:
        members = sum(calendar_weeks(r.min_weeks, part_time)
                      for r in programme.requirements if r.discipline in g.disciplines)
        need += max(calendar_weeks(g.min_weeks, part_time), members)
    return max(calendar_weeks(programme.length_weeks, part_time),
               need + programme.introduction_weeks)


def introduction_mondays(trainee: Trainee, programme: Programme) -> list[date]:
    """Mondays of the introduction weeks: the block's first ``introduction_weeks`` weeks that
    are not extending leave (service at no unit, so no stint covers them)."""
    leave = extending_leave_mondays(trainee)
    out: list[date] = []
    d = trainee.start
    while len(out) < programme.introduction_weeks:
        if d not in leave:
            out.append(d)
        d += timedelta(weeks=1)
    return out


def extending_leave_mondays(trainee: Trainee) -> set[date]:
    """Mondays of the weeks of leave that do not count as service (they extend the block)."""
    return {lv.start + timedelta(weeks=k) for lv in trainee.leave
            if lv.kind in EXTENDING_LEAVE for k in range(lv.weeks)}


def block_end(trainee: Trainee, programme: Programme) -> date:
    """End (exclusive) of the block: service weeks plus every week of extending leave inside it.

    A trainee who leaves the programme (``leaves_on``) ends the block there, unfinished.
    """
    leave_weeks = extending_leave_mondays(trainee)
    needed = service_weeks_needed(programme, trainee.part_time)
    d = trainee.start
    while needed > 0:
        if d not in leave_weeks:
            needed -= 1
        d += timedelta(weeks=1)
    if trainee.leaves_on is not None:
        return min(d, trainee.leaves_on)
    return d


def leaves_early(trainee: Trainee, programme: Programme) -> bool:
    """True if the trainee leaves before the block is complete (requirements no longer apply)."""
    if trainee.leaves_on is None:
        return False
    return block_end(trainee.model_copy(update={"leaves_on": None}), programme) > \
        trainee.leaves_on
