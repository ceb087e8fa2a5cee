"""Independent plan checker: is a plan valid, and what does it cost?

Implements docs/MODEL.md on its own. It shares no code with the CP-SAT model in
``scheduler/solver/`` (and must never import it): the point of a second implementation is that a
misreading of the contract in one of them shows up as a disagreement in the tests. For the same
reason the block length and block end are recomputed here instead of taken from
``scheduler.domain``; only plain data access on the domain classes is used.

Time is handled as integer week indices relative to ``instance.horizon.start`` (negative before
the horizon), so every rule is a few passes over small integer ranges.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from scheduler.domain import Instance, Programme, Trainee, Unit
from scheduler.i18n import Lang, discipline_name, tr, week_text
from scheduler.plan import Stint

RULES = ("reference", "coverage", "eligibility", "stint_length", "requirement", "capacity",
         "seats", "locked", "order", "repeat", "frozen")
TERMS = ("unit_changes", "fragmentation", "staffing_shortfall", "peak_utilisation")
# Leave that is not service and so pushes the block end out; vacation (semester) is service.
EXTENDING = frozenset({"foraldraledighet", "sjukskrivning", "tjanstledighet"})
# Soft capacity (docs/MODEL.md): cost of one trainee-week over a unit's capacity.
OVERRUN_WEIGHT = 1000


@dataclass(frozen=True)
class Overrun:
    """A run of weeks in which a unit has ``over`` trainees more than its capacity."""

    unit: str
    start: date  # Monday of the first week
    weeks: int
    over: int

    @property
    def trainee_weeks(self) -> int:
        return self.weeks * self.over


@dataclass(frozen=True)
class History:
    """Re-planning: the old plan, whose weeks before ``today`` are history and must not change."""

    stints: list[Stint]
    today: date


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    trainee: str | None = None
    unit: str | None = None
    week: date | None = None  # Monday of the first week concerned


# --------------------------------------------------------------------------------------------
# Block arithmetic (re-implemented from MODEL.md on purpose)


def _ceil_pct(weeks: int, part_time: int) -> int:
    """Calendar weeks that credit ``weeks`` full-time weeks at ``part_time`` percent."""
    return -(-weeks * 100 // part_time)


def service_weeks(programme: Programme, part_time: int) -> int:
    """S = max(ceil(L*100/p), calendar weeks the minima need at p)."""
    grouped = {d for g in programme.group_requirements for d in g.disciplines}
    rounded = {r.discipline: _ceil_pct(r.min_weeks, part_time) for r in programme.requirements}
    minima = sum(w for d, w in rounded.items() if d not in grouped)
    for g in programme.group_requirements:
        members = sum(rounded.get(d, 0) for d in set(g.disciplines))  # a listed twice counts once
        minima += max(_ceil_pct(g.min_weeks, part_time), members)
    # Introduction weeks are service at no unit: they count toward the block.
    return max(_ceil_pct(programme.length_weeks, part_time),
               minima + programme.introduction_weeks)


def _leave_mondays(trainee: Trainee) -> set[date]:
    out: set[date] = set()
    for lv in trainee.leave:
        if lv.kind in EXTENDING:
            d = lv.start
            while d < lv.end:
                out.add(d)
                d += timedelta(weeks=1)
    return out


def _intro_weeks(trainee: Trainee, programme: Programme) -> set[date]:
    """The block's first ``introduction_weeks`` weeks that are not extending leave."""
    leave = _leave_mondays(trainee)
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
    leave = _leave_mondays(trainee)
    left = service_weeks(programme, trainee.part_time)
    d = trainee.start
    while left > 0:
        if d not in leave:
            left -= 1
        d += timedelta(weeks=1)
    if trainee.leaves_on is not None and trainee.leaves_on < d:
        return trainee.leaves_on
    return d


def _unfinished(trainee: Trainee, programme: Programme) -> bool:
    """The trainee leaves before the block is complete: minima and order rules lapse."""
    return trainee.leaves_on is not None and block_end(trainee, programme) == \
        trainee.leaves_on and block_end(trainee.model_copy(update={"leaves_on": None}),
                                        programme) > trainee.leaves_on


# --------------------------------------------------------------------------------------------
# Shared plumbing


def _wk(h0: date, d: date) -> int:
    return (d - h0).days // 7


def _loads(h0: date, stints: Iterable[Stint]) -> dict[str, Counter[int]]:
    """Distinct trainees per unit and week index (a trainee double-booked counts once)."""
    weeks: dict[tuple[str, str], set[int]] = defaultdict(set)
    for s in stints:
        weeks[(s.unit, s.trainee)].update(range(_wk(h0, s.start), _wk(h0, s.end)))
    loads: dict[str, Counter[int]] = defaultdict(Counter)
    for (unit, _), ws in weeks.items():
        loads[unit].update(ws)
    return loads


def _runs(items: Iterable[tuple[int, object]]) -> list[tuple[int, int, object]]:
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


class _Ctx:
    """Formatting in one language, and the violations found so far, grouped by rule."""

    def __init__(self, instance: Instance, lang: Lang | None, today: date | None = None):
        self.lang = lang
        self.today = today  # re-planning: stints starting before it are history
        self.h0 = instance.horizon.start
        self.units = {u.id: u for u in instance.units}
        self.found: dict[str, list[Violation]] = {r: [] for r in RULES}

    def monday(self, w: int) -> date:
        return self.h0 + timedelta(weeks=w)

    @staticmethod
    def iso(d: date) -> str:
        y, w, _ = d.isocalendar()
        return f"{w} {y}"  # as people write it, after "v." / "week": v. 8 2027

    def when(self, w: int, n: int = 1) -> str:
        week = self.iso(self.monday(w))
        if n == 1:
            return tr("chk_when_one", self.lang, week=week)
        return tr("chk_when_many", self.lang, week=week, n=n)

    def unit(self, uid: str) -> str:
        u = self.units.get(uid)
        return f"{u.name} {u.id}" if u else f"'{uid}'"

    def disc(self, code: str) -> str:
        return discipline_name(code, self.lang).lower()

    def add(self, rule: str, key: str, *, who: str | None = None, uid: str | None = None,
            week: int | None = None, **kw: object) -> None:
        """Record a violation of ``who`` at unit ``uid``; the message names both by default."""
        kw.setdefault("trainee", who)
        if uid is not None:
            kw.setdefault("unit", self.unit(uid))
        msg = tr(key, self.lang, **kw)
        self.found[rule].append(Violation(
            rule, msg, who, uid, self.monday(week) if week is not None else None))


# --------------------------------------------------------------------------------------------
# check


def check(instance: Instance, stints: list[Stint], lang: Lang | None = None,
          soft_capacity: bool = False, history: History | None = None) -> list[Violation]:
    """Every hard-rule violation of ``stints``, grouped by rule in MODEL.md order; [] = valid.

    ``soft_capacity``: capacity is not a hard rule (overruns are listed by
    :func:`capacity_overruns` and cost ``capacity_overrun``). ``history``: a re-plan, whose
    weeks before ``history.today`` must equal the old plan's (rule ``frozen``).
    """
    cx = _Ctx(instance, lang, history.today if history is not None else None)
    h0 = cx.h0
    trainees = {t.id: t for t in instance.all_trainees()}
    programmes = {p.id: p for p in instance.programmes}

    # Stints that can take part in the per-trainee and per-unit rules.
    by_trainee: dict[str, list[Stint]] = defaultdict(list)
    for s in sorted(stints):
        t = trainees.get(s.trainee)
        w, n = _wk(h0, s.start), (s.end - s.start).days // 7
        if t is None:
            cx.add("reference", "chk_unknown_trainee", who=s.trainee, uid=s.unit, week=w,
                   when=cx.when(w, max(n, 1)))
            continue
        if s.start.weekday() or s.end.weekday() or s.end <= s.start:
            # Not whole weeks: the stint cannot cover anything, so report it and leave it out.
            cx.add("coverage", "chk_bad_dates", who=t.id, uid=s.unit,
                   start=s.start.isoformat(), end=s.end.isoformat())
            continue
        by_trainee[t.id].append(s)
    for tid, ss in by_trainee.items():
        t = trainees[tid]
        parts = _interrupted_parts(t, ss)
        for i, s in enumerate(ss):
            _check_stint(cx, t, programmes[t.programme], s, i in parts)

    for t in trainees.values():
        _check_trainee(cx, t, programmes[t.programme], by_trainee.get(t.id, []))

    if not soft_capacity:
        _check_capacity(cx, [s for ss in by_trainee.values() for s in ss])
    _check_seats(cx, trainees, [s for ss in by_trainee.values() for s in ss])
    if history is not None:
        _check_frozen(cx, trainees, history, by_trainee)
    return [v for r in RULES for v in cx.found[r]]


def _check_frozen(cx: _Ctx, trainees: dict[str, Trainee], history: History,
                  by_trainee: dict[str, list[Stint]]) -> None:
    """Each trainee's (unit, discipline) in every week before ``today`` is the old plan's."""
    h0, cut = cx.h0, _wk(cx.h0, history.today)

    def weekly(stints: Iterable[Stint]) -> dict[int, tuple[str, str]]:
        return {w: (s.unit, s.discipline) for s in stints
                for w in range(_wk(h0, s.start), min(_wk(h0, s.end), cut))}

    old: dict[str, list[Stint]] = defaultdict(list)
    for s in history.stints:
        old[s.trainee].append(s)
    for tid in sorted(set(old) & set(trainees)):
        before, after = weekly(old[tid]), weekly(by_trainee.get(tid, []))
        bad = sorted(w for w in set(before) | set(after) if before.get(w) != after.get(w))
        for first, n, _ in _runs((w, True) for w in bad):
            was, now = before.get(first), after.get(first)
            cx.add("frozen", "chk_frozen", who=tid, uid=(now or was or (None,))[0], week=first,
                   when=cx.when(first, n), today=week_text(history.today, cx.lang),
                   expected=was[0] if was else "–", found=now[0] if now else "–")


def _interrupted_parts(t: Trainee, stints: list[Stint]) -> set[int]:
    """Indices of the stints that are a part of a stint interrupted by extending leave: another
    stint at the same unit and discipline follows or precedes it with only such leave (at least
    one week) in between.

    Linear in the stints (times the length of a run of leave), not quadratic: a hand-edited
    plan of 100 000 rows is checked in seconds."""
    leave = _leave_mondays(t)
    week = timedelta(weeks=1)
    ends: dict[tuple[str, str], set[date]] = defaultdict(set)
    starts: dict[tuple[str, str], set[date]] = defaultdict(set)
    for s in stints:
        ends[(s.unit, s.discipline)].add(s.end)
        starts[(s.unit, s.discipline)].add(s.start)
    out: set[int] = set()
    for i, s in enumerate(stints):
        key = (s.unit, s.discipline)
        d = s.start  # a part before it ends at a Monday from which only leave runs to s.start
        while d - week in leave:
            d -= week
            if d in ends[key]:
                out.add(i)
                break
        d = s.end  # a part after it starts once a run of leave from s.end is over
        while d in leave:
            d += week
            if d in starts[key]:
                out.add(i)
                break
    return out


def _check_stint(cx: _Ctx, t: Trainee, prog: Programme, s: Stint,
                 interrupted: bool = False) -> None:
    """reference, eligibility and stint_length: rules that look at one stint alone.

    A part of a stint ``interrupted`` by extending leave has no minimum length."""
    w = _wk(cx.h0, s.start)
    when = cx.when(w, s.weeks)
    common: dict[str, Any] = {"who": t.id, "uid": s.unit, "week": w, "when": when}
    if s.programme != t.programme:
        cx.add("reference", "chk_wrong_programme", **common, found=s.programme,
               expected=t.programme)
    if s.discipline not in prog.disciplines:
        cx.add("eligibility", "chk_programme_discipline", **common,
               discipline=cx.disc(s.discipline), programme=prog.id)
    u = cx.units.get(s.unit)
    if u is None:
        cx.add("reference", "chk_unknown_unit", **common, unit=s.unit)
        return
    if s.site != u.site:
        cx.add("reference", "chk_wrong_site", **common, found=s.site, expected=u.site)
    if not u.takes(prog.id):
        cx.add("eligibility", "chk_unit_programme", **common, programme=prog.id)
    if not _catches(u, t.site):
        cx.add("eligibility", "chk_unit_home_site", **common, unit_site=u.site, site=t.site)
    if s.discipline not in u.disciplines:
        cx.add("eligibility", "chk_unit_discipline", **common, discipline=cx.disc(s.discipline))
    if any((lk.unit, lk.discipline, lk.start, lk.end) == (s.unit, s.discipline, s.start, s.end)
           for lk in t.locked):
        return  # locked stints keep whatever length was agreed
    if cx.today is not None and s.start < cx.today:
        return  # history (re-planning): agreed before today, possibly cut short since
    sw = prog.starts_with
    if sw is not None and s.discipline == sw.discipline and s.weeks == sw.weeks:
        skip = _leave_mondays(t) | _intro_weeks(t, prog)
        first = t.start
        while first in skip:
            first += timedelta(weeks=1)
        if s.start == first:
            return  # the opening stint's length is set by the starts_with rule
    o = u.stint_weeks.get(prog.id)
    lo, hi = (o.min_weeks, o.max_weeks) if o is not None else (u.min_weeks, u.max_weeks)
    if not u.calendar_stints:  # full-time weeks: a part-timer's stint lasts longer
        lo = max(1, lo * 100 // t.part_time)  # rounded down, the most up (MODEL.md)
        hi = None if hi is None else _ceil_pct(hi, t.part_time)
    if s.weeks < lo and not interrupted:
        cx.add("stint_length", "chk_stint_short", **common, weeks=s.weeks, min=lo)
    elif hi is not None and s.weeks > hi:
        cx.add("stint_length", "chk_stint_long", **common, weeks=s.weeks, max=hi)


def _catches(u: Unit, home: str) -> bool:
    """MODEL.md eligibility, site part: region-wide, the home site, or listed in takes_from."""
    if u.region_wide or u.site == home:
        return True
    return home in set(u.takes_from or [])


def _check_trainee(cx: _Ctx, t: Trainee, prog: Programme, stints: list[Stint]) -> None:
    """coverage, requirement, locked and order: rules over one trainee's whole block."""
    h0 = cx.h0
    a = _wk(h0, t.start)
    e = _wk(h0, block_end(t, prog))
    leave = {_wk(h0, d) for d in _leave_mondays(t)}
    intro = {_wk(h0, d) for d in _intro_weeks(t, prog)}
    spans = [(_wk(h0, s.start), _wk(h0, s.end), s) for s in stints]

    # coverage: classify every week of the block or of a stint, then report runs.
    covered: Counter[int] = Counter()
    for lo, hi, _ in spans:
        covered.update(range(lo, hi))
    weeks = sorted(set(range(a, e)) | set(covered))
    kinds: list[tuple[int, object]] = []
    for w in weeks:
        c = covered[w]
        if not a <= w < e:
            kind = "outside" if c else None
        elif w in leave:
            kind = "leave" if c else None
        elif w in intro:
            kind = "intro" if c else None
        else:
            kind = None if c == 1 else ("gap" if c == 0 else "overlap")
        if kind:
            kinds.append((w, kind))
    for first, n, problem in _runs(kinds):
        units = sorted({s.unit for lo, hi, s in spans if lo < first + n and hi > first})
        ids = ", ".join(units)
        common: dict[str, Any] = {"who": t.id, "week": first, "when": cx.when(first, n),
                                  "uid": units[0] if len(units) == 1 else None}
        if problem == "gap":
            cx.add("coverage", "chk_gap", **common)
        elif problem == "overlap":
            cx.add("coverage", "chk_overlap", **common, units=ids)
        elif problem == "leave":
            cx.add("coverage", "chk_on_leave", **common, units=ids)
        elif problem == "intro":
            cx.add("coverage", "chk_in_introduction", **common, units=ids,
                   weeks=prog.introduction_weeks)
        else:
            cx.add("coverage", "chk_outside_block", **common, units=ids,
                   first=cx.iso(cx.monday(a)), last=cx.iso(cx.monday(e - 1)))

    # requirement: calendar weeks per discipline against the part-time-scaled bounds.
    p = t.part_time
    part = tr("chk_at_part_time", cx.lang, p=p) if p != 100 else ""
    # Counted from the plan: the weeks of the stints whose discipline is in the rule's set (a
    # discipline listed twice in a group must not count its weeks twice).
    done: Counter[str] = Counter()
    for s in stints:
        done[s.discipline] += s.weeks
    bounds = [(cx.disc(r.discipline), done[r.discipline], r.min_weeks, r.max_weeks)
              for r in prog.requirements]
    bounds += [(g.name, sum(s.weeks for s in stints if s.discipline in set(g.disciplines)),
                g.min_weeks, g.max_weeks) for g in prog.group_requirements]
    unfinished = _unfinished(t, prog)
    for name, x, least, most in bounds:
        if x < _ceil_pct(least, p) and not unfinished:
            cx.add("requirement", "chk_requirement_min", who=t.id, weeks=x, discipline=name,
                   programme=prog.id, need=_ceil_pct(least, p), part=part)
        elif most is not None and x > _ceil_pct(most, p):
            cx.add("requirement", "chk_requirement_max", who=t.id, weeks=x, discipline=name,
                   programme=prog.id, need=_ceil_pct(most, p), part=part)

    # locked: each locked stint must be in the plan unchanged.
    have = {(s.unit, s.discipline, s.start, s.end) for s in stints}
    for lk in t.locked:
        if (lk.unit, lk.discipline, lk.start, lk.end) not in have:
            w = _wk(h0, lk.start)
            cx.add("locked", "chk_locked_missing", who=t.id, uid=lk.unit, week=w,
                   when=cx.when(w, lk.weeks), discipline=cx.disc(lk.discipline))

    # repeat: one stint per unit and discipline, besides locked stints and a starts_with
    # opening stint (it may share the unit of the last stint).
    locked = {(lk.unit, lk.discipline, lk.start, lk.end) for lk in t.locked}
    first_start = min((s.start for s in stints), default=None)
    seen: Counter[tuple[str, str]] = Counter()
    resumes_at: dict[tuple[str, str], int] = {}  # a stint resumed right after leave is one stint
    for s in sorted(stints, key=lambda x: x.start):
        if (s.unit, s.discipline, s.start, s.end) in locked:
            continue
        if cx.today is not None and s.start < cx.today:
            continue  # history (re-planning) is not counted
        if prog.starts_with is not None and s.start == first_start:
            continue
        key = (s.unit, s.discipline)
        lo = _wk(h0, s.start)
        after = resumes_at.get(key)
        resumes_at[key] = _wk(h0, s.end)
        if after is not None and after < lo and all(w in leave for w in range(after, lo)):
            continue
        seen[key] += 1
        if seen[(s.unit, s.discipline)] == 2:
            w = _wk(h0, s.start)
            cx.add("repeat", "chk_repeat", who=t.id, uid=s.unit, week=w,
                   when=cx.when(w, s.weeks), discipline=cx.disc(s.discipline))

    # order: the first service week (the block's first week unless the trainee starts on
    # extending leave) opens with starts_with; the last stint carries ends_with.
    if not stints or (prog.starts_with is None and prog.ends_with is None) or unfinished:
        return
    last = max(stints, key=lambda s: (s.end, s.start, s.unit))
    lw = _wk(h0, last.start)
    if prog.starts_with is not None:
        sw = prog.starts_with
        f = next((w for w in range(a, e) if w not in leave and w not in intro), a)
        opening = next((s for lo, _, s in spans if lo == f), None)
        at: dict[str, Any] = {"who": t.id, "week": f}
        if opening is None:
            cx.add("order", "chk_starts_missing", **at, when=cx.when(f), weeks=sw.weeks,
                   discipline=cx.disc(sw.discipline))
        else:
            when = cx.when(f, opening.weeks)
            if opening.discipline != sw.discipline:
                cx.add("order", "chk_starts_discipline", **at, uid=opening.unit, when=when,
                       discipline=cx.disc(sw.discipline), found=cx.disc(opening.discipline))
            if opening.weeks != sw.weeks:
                cx.add("order", "chk_starts_weeks", **at, uid=opening.unit, when=when,
                       weeks=sw.weeks, found=opening.weeks)
            if sw.same_unit_as_end and (opening.unit, opening.discipline) != (
                    last.unit, last.discipline):
                cx.add("order", "chk_starts_same_unit", **at, uid=opening.unit, when=when,
                       last_unit=cx.unit(last.unit))
    if prog.ends_with is not None and last.discipline != prog.ends_with:
        cx.add("order", "chk_ends_with", who=t.id, uid=last.unit, week=lw,
               when=cx.when(lw, last.weeks), discipline=cx.disc(prog.ends_with),
               found=cx.disc(last.discipline))


def _check_capacity(cx: _Ctx, stints: list[Stint]) -> None:
    for uid, load in sorted(_loads(cx.h0, stints).items()):
        u = cx.units.get(uid)
        if u is None or u.capacity is None:
            continue
        over: dict[int, tuple[int, int]] = {}  # week -> (load, capacity) where load > capacity
        for w in sorted(load):
            cap = u.capacity_in_week(cx.monday(w))
            if cap is not None and load[w] > cap:
                over[w] = (load[w], cap)
        # One violation per run of over-full weeks; when the figures vary, name the worst week.
        for first, n, _ in _runs((w, True) for w in over):
            rows = [(*over[w], w) for w in range(first, first + n)]
            worst = max(rows, key=lambda r: (r[0] - r[1], r[0]))
            common: dict[str, Any] = {"uid": uid, "week": first, "when": cx.when(first, n),
                                      "load": worst[0], "capacity": worst[1]}
            if len({r[:2] for r in rows}) == 1:
                cx.add("capacity", "chk_capacity", **common)
            else:
                cx.add("capacity", "chk_capacity_peak", peak=cx.iso(cx.monday(worst[2])),
                       **common)


def _check_seats(cx: _Ctx, trainees: dict[str, Trainee], stints: list[Stint]) -> None:
    """seats: per unit and week, trainees of a programme within ``capacity_by_programme``, and
    the trainees beyond their programme's reserved seats within the unreserved seats,
    sum_p max(0, n_p - r_p) <= max(0, c - R). Hard even with soft capacity."""
    present: dict[tuple[str, int], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for s in stints:
        u = cx.units.get(s.unit)
        if u is None or not (u.capacity_by_programme or u.reserved_seats):
            continue
        for w in range(_wk(cx.h0, s.start), _wk(cx.h0, s.end)):
            present[(s.unit, w)][trainees[s.trainee].programme].add(s.trainee)
    bad: dict[tuple[str, str], list[tuple[int, int, int]]] = defaultdict(list)
    for (uid, w), per_prog in sorted(present.items()):
        u = cx.units[uid]
        for pid, most in sorted(u.capacity_by_programme.items()):
            n = len(per_prog.get(pid, ()))
            if n > most:
                bad[(uid, pid)].append((w, n, most))
        cap = u.capacity_in_week(cx.monday(w))
        if cap is None or not u.reserved_seats:
            continue
        reserved = sum(u.reserved_seats.values())
        beyond = sum(max(0, len(ts) - u.reserved_seats.get(pid, 0))
                     for pid, ts in per_prog.items())
        if beyond > max(0, cap - reserved):
            bad[(uid, "")].append((w, beyond, max(0, cap - reserved)))
    for (uid, pid), rows in sorted(bad.items()):
        for first, n, _ in _runs((w, True) for w, _, _ in rows):
            worst = max(r for r in rows if first <= r[0] < first + n)
            common: dict[str, Any] = {"uid": uid, "week": first, "when": cx.when(first, n),
                                      "load": worst[1], "capacity": worst[2]}
            if pid:
                cx.add("seats", "chk_seats_programme", programme=pid, **common)
            else:
                cx.add("seats", "chk_seats_reserved", reserved=", ".join(
                    f"{p} {k}" for p, k in sorted(cx.units[uid].reserved_seats.items())),
                    **common)


# --------------------------------------------------------------------------------------------
# Objective


def capacity_overruns(instance: Instance, stints: list[Stint]) -> list[Overrun]:
    """Every run of weeks in which a unit holds more trainees than its capacity, by unit."""
    h0 = instance.horizon.start
    out: list[Overrun] = []
    loads = _loads(h0, stints)
    for u in instance.units:
        load = loads.get(u.id)
        if load is None or u.capacity is None:
            continue
        over = []
        for w in sorted(load):
            cap = u.capacity_in_week(h0 + timedelta(weeks=w))
            if cap is not None and load[w] > cap:
                over.append((w, load[w] - cap))
        for first, n, k in _runs(over):
            out.append(Overrun(u.id, h0 + timedelta(weeks=first), n, int(k)))  # type: ignore
    return out


def evaluate(instance: Instance, stints: list[Stint],
             soft_capacity: bool = False) -> dict[str, int]:
    """Unweighted value of every objective term of MODEL.md (all four keys, always; with
    ``soft_capacity`` also ``capacity_overrun``, trainee-weeks over capacity)."""
    h0 = instance.horizon.start
    n_weeks = instance.horizon.weeks
    by_trainee: dict[str, list[Stint]] = defaultdict(list)
    for s in stints:
        by_trainee[s.trainee].append(s)

    unit_changes = sum(len(ss) - 1 for ss in by_trainee.values())

    fragmentation = 0
    for ss in by_trainee.values():
        per_disc: dict[str, list[Stint]] = defaultdict(list)
        for s in ss:
            per_disc[s.discipline].append(s)
        for ds in per_disc.values():
            # Weeks of the span not covered: overlapping stints (a violation) cover a week once,
            # so the term is never negative and an overlap is never rewarded.
            span = _wk(h0, max(s.end for s in ds)) - _wk(h0, min(s.start for s in ds))
            covered = {w for s in ds for w in range(_wk(h0, s.start), _wk(h0, s.end))}
            fragmentation += max(0, span - len(covered))

    loads = _loads(h0, stints)
    shortfall = 0
    for u in instance.units:
        st = u.staffing_target
        if st is None:
            continue
        lo = max(0, _wk(h0, st.start) if st.start else 0)
        hi = min(n_weeks, _wk(h0, st.end) if st.end else n_weeks)
        load = loads.get(u.id, Counter())
        shortfall += sum(max(0, st.trainees - load[w]) for w in range(lo, hi))

    peak: dict[frozenset[str], int] = {}
    for u in instance.units:
        util = _utilisation(u, loads.get(u.id, Counter()), h0, n_weeks)
        if util is not None:
            cls = frozenset(u.disciplines)
            peak[cls] = max(peak.get(cls, 0), util)

    terms = {"unit_changes": unit_changes, "fragmentation": fragmentation,
             "staffing_shortfall": shortfall, "peak_utilisation": sum(peak.values())}
    weights = _weights(instance)
    if any(k in weights for k in ("wishes", "travel", "worst")):
        per = trainee_costs(instance, stints)
        for k in ("wishes", "travel"):
            if k in weights:
                terms[k] = sum(p[k] for p in per.values())
        if "worst" in weights:
            terms["worst"] = max((p["cost"] for p in per.values()), default=0)
    if "spacing" in weights:
        terms["spacing"] = start_crowding(instance, stints)
    if soft_capacity:
        terms["capacity_overrun"] = sum(o.trainee_weeks
                                        for o in capacity_overruns(instance, stints))
    return terms


def _utilisation(u: Unit, load: Counter[int], h0: date, n_weeks: int) -> int | None:
    """ceil(100 * trainee-weeks / capacity-weeks) over the horizon; None without a finite,
    positive capacity."""
    if u.capacity is None:
        return None
    cap_weeks = sum(u.capacity_in_week(h0 + timedelta(weeks=w)) or 0 for w in range(n_weeks))
    if cap_weeks <= 0:
        return None
    used = sum(c for w, c in load.items() if 0 <= w < n_weeks)
    return -(-100 * used // cap_weeks)


def objective(instance: Instance, terms: dict[str, int]) -> int:
    """sum(weight * value) over the named terms, with the instance's weights (plus
    OVERRUN_WEIGHT per trainee-week of ``capacity_overrun`` when that term is present)."""
    weights = _weights(instance)
    return (sum(getattr(instance.weights, k) * terms.get(k, 0) for k in TERMS)
            + sum(weights.get(k, 0) * terms.get(k, 0)
                  for k in ("wishes", "travel", "worst", "spacing"))
            + OVERRUN_WEIGHT * terms.get("capacity_overrun", 0))


# --------------------------------------------------------------------------------------------
# Wishes, travel and fairness (docs/MODEL.md), recomputed here on their own

LEXICOGRAPHIC = 10**7  # weight of ``worst`` with fairness "lexicographic"
SHORT_TRAVEL = 3  # travel of a trainee marked short_travel counts this many times


def _weights(instance: Instance) -> dict[str, int]:
    """Weights of wishes, travel and worst when they are in the objective (their data
    present, weight above 0)."""
    w = instance.weights
    out = {}
    if instance.wishes and w.wishes > 0:
        out["wishes"] = w.wishes
    if w.travel > 0 and any(site.travel_minutes for site in instance.sites):
        out["travel"] = w.travel
    if instance.fairness == "lexicographic":
        out["worst"] = LEXICOGRAPHIC
    elif instance.fairness == "weighted" and w.worst > 0:
        out["worst"] = w.worst
    if w.spacing > 0 and any(u.min_start_gap_weeks for u in instance.units):
        out["spacing"] = w.spacing
    return out


def start_crowding(instance: Instance, stints: list[Stint]) -> int:
    """The term ``spacing``, counted by windows rather than pairs: per unit with
    ``min_start_gap_weeks`` g, every window of g weeks holding k > 1 trainees' first weeks
    there counts k - 1. Two starts d < g weeks apart share g - d windows, and a window's
    k - 1 is its consecutive pairs, so this is MODEL.md's sum of shortfalls per pair."""
    h0 = instance.horizon.start
    firsts: dict[str, dict[str, int]] = defaultdict(dict)
    for s in stints:
        w = _wk(h0, s.start)
        seen = firsts[s.unit].get(s.trainee)
        firsts[s.unit][s.trainee] = w if seen is None else min(seen, w)
    total = 0
    for u in instance.units:
        g = u.min_start_gap_weeks
        weeks = Counter(firsts.get(u.id, {}).values())
        if not g or sum(weeks.values()) < 2:
            continue
        for a in range(min(weeks) - g + 1, max(weeks) + 1):
            k = sum(weeks[w] for w in range(a, a + g))
            total += max(0, k - 1)
    return total


def _minutes(instance: Instance, home: str, site: str) -> int:
    if home == site:
        return 0
    for a, b in ((home, site), (site, home)):
        found = next((x for x in instance.sites if x.id == a), None)
        if found is not None and b in found.travel_minutes:
            return found.travel_minutes[b]
    return 0


def wish_outcomes(instance: Instance, stints: list[Stint]) -> list[tuple[int, bool]]:
    """``(index into instance.wishes, granted)`` for every wish, from the plan alone."""
    people = {t.id: t for t in instance.all_trainees()}
    mine: dict[str, list[Stint]] = defaultdict(list)
    for s in stints:
        mine[s.trainee].append(s)
    out = []
    for i, w in enumerate(instance.wishes):
        ss = mine.get(w.trainee, [])
        if w.kind == "prefer":
            ok = any(s.unit == w.unit and w.discipline in (None, s.discipline) for s in ss)
        elif w.kind == "avoid":
            ok = all(s.unit != w.unit or w.discipline not in (None, s.discipline) for s in ss)
        elif w.kind == "before":
            ok = not any(s.discipline == w.discipline and s.end > w.date  # type: ignore[operator]
                         for s in ss)
        else:  # first: the stint in the first week that is not extending leave
            t = people[w.trainee]
            leave = _leave_mondays(t)
            d = t.start
            while d in leave:
                d += timedelta(weeks=1)
            ok = any(s.start <= d < s.end and s.discipline == w.discipline for s in ss)
        out.append((i, ok))
    return out


def _least_stints(instance: Instance, t: Trainee, prog: Programme) -> int:
    """docs/MODEL.md: the data's lower bound on a trainee's stints."""
    if _unfinished(t, prog):
        return 1
    units = [u for u in instance.units if u.takes(prog.id) and _catches(u, t.site)]
    opening = prog.starts_with
    o = opening.weeks if opening else 0

    def stints_for(discs: set[str], weeks: int) -> int:
        tops = [u.stint_range(prog.id, t.part_time)[1] for u in units if set(u.disciplines) & discs]
        if weeks <= 0 or not tops:
            return 0
        if None in tops:
            return 1
        return -(-weeks // max(x for x in tops if x))

    def less_opening(discs: set[str]) -> int:
        return o if opening and opening.discipline in discs else 0

    own = {r.discipline: stints_for({r.discipline}, _ceil_pct(r.min_weeks, t.part_time)
                                    - less_opening({r.discipline}))
           for r in prog.requirements if r.min_weeks > 0}
    groups = [stints_for(set(g.disciplines), _ceil_pct(g.min_weeks, t.part_time)
                         - less_opening(set(g.disciplines)))
              - sum(own.get(d, 0) for d in set(g.disciplines))
              for g in prog.group_requirements if g.min_weeks > 0]
    every = {r.discipline for r in prog.requirements}
    tiling = stints_for(every, service_weeks(prog, t.part_time) - o) + (opening is not None)
    return max(1, (opening is not None) + sum(own.values()) + max(groups, default=0), tiling)


def _least_fragmentation(t: Trainee, prog: Programme) -> int:
    """docs/MODEL.md: an opening at the last stint's unit spans the block with its discipline."""
    sw = prog.starts_with
    if sw is None or not sw.same_unit_as_end or _unfinished(t, prog):
        return 0
    leave = _leave_mondays(t)
    first = t.start
    while first in leave:
        first += timedelta(weeks=1)
    s = service_weeks(prog, t.part_time)
    most = s
    for r in prog.requirements:
        if r.discipline == sw.discipline and r.max_weeks is not None:
            most = min(s, _ceil_pct(r.max_weeks, t.part_time))
    # Weeks the other minima hold (groups counted once each; overlapping groups not at all).
    mins = {r.discipline: _ceil_pct(r.min_weeks, t.part_time) for r in prog.requirements}
    in_groups = Counter(d for g in prog.group_requirements for d in set(g.disciplines))
    overlap = any(n > 1 for n in in_groups.values())
    held = 0
    for d, w in mins.items():
        if d != sw.discipline and (overlap or d not in in_groups):
            held += w
    if not overlap:
        for g in prog.group_requirements:
            rest = sum(mins.get(d, 0) for d in set(g.disciplines) if d != sw.discipline)
            held += rest if sw.discipline in g.disciplines else max(
                _ceil_pct(g.min_weeks, t.part_time), rest)
    return max(0, (block_end(t, prog) - first).days // 7 - min(most, s - held))


def _least_travel(instance: Instance, t: Trainee, prog: Programme) -> int:
    """docs/MODEL.md: each discipline's calendar minimum at the nearest unit it may use for
    it; 0 for a trainee who leaves before the block ends."""
    if _unfinished(t, prog):
        return 0
    factor = SHORT_TRAVEL if t.short_travel else 1
    total = 0
    for r in prog.requirements:
        near = [-(-_minutes(instance, t.site, u.site) // 10) for u in instance.units
                if u.takes(prog.id) and _catches(u, t.site) and r.discipline in u.disciplines]
        if r.min_weeks > 0 and near:
            total += _ceil_pct(r.min_weeks, t.part_time) * factor * min(near)
    return total


def trainee_costs(instance: Instance, stints: list[Stint]) -> dict[str, dict[str, int]]:
    """Per trainee with stints: stints, least stints, fragmentation, wishes missed (3/2/1 by
    priority 1/2/3), travel, least travel, and the weighted own cost (docs/MODEL.md)."""
    h0 = instance.horizon.start
    people = {t.id: t for t in instance.all_trainees()}
    progs = {p.id: p for p in instance.programmes}
    site_of = {u.id: u.site for u in instance.units}
    missed: Counter[str] = Counter()
    for i, ok in wish_outcomes(instance, stints):
        if not ok:
            w = instance.wishes[i]
            missed[w.trainee] += {1: 3, 2: 2, 3: 1}[w.priority]
    mine: dict[str, list[Stint]] = defaultdict(list)
    for s in stints:
        mine[s.trainee].append(s)
    wt = instance.weights
    extra = _weights(instance)
    out = {}
    for tid, ss in sorted(mine.items()):
        t = people.get(tid)
        if t is None or t.programme not in progs:
            continue
        frag = 0
        for d in {s.discipline for s in ss}:
            ds = [s for s in ss if s.discipline == d]
            covered = {w for s in ds for w in range(_wk(h0, s.start), _wk(h0, s.end))}
            frag += max(0, _wk(h0, max(s.end for s in ds)) - _wk(h0, min(s.start for s in ds))
                        - len(covered))
        factor = SHORT_TRAVEL if t.short_travel else 1
        travel = sum(s.weeks * factor * -(-_minutes(instance, t.site, site_of.get(s.unit, t.site))
                                          // 10) for s in ss)
        least = _least_stints(instance, t, progs[t.programme])
        least_frag = _least_fragmentation(t, progs[t.programme])
        least_travel = _least_travel(instance, t, progs[t.programme])
        cost = (wt.unit_changes * (len(ss) - least) + wt.fragmentation * (frag - least_frag)
                + extra.get("wishes", 0) * missed[tid]
                + extra.get("travel", 0) * (travel - least_travel))
        out[tid] = {"stints": len(ss), "least_stints": least, "fragmentation": frag,
                    "least_fragmentation": least_frag, "wishes": missed[tid],
                    "travel": travel, "least_travel": least_travel, "cost": cost}
    return out


def fairness(instance: Instance, stints: list[Stint]) -> dict[str, Any]:
    """Each trainee's cost and the distribution: worst, median, best, Gini (0 = equal);
    wishes granted per priority."""
    per = trainee_costs(instance, stints)
    costs = sorted(p["cost"] for p in per.values())
    n = len(costs)
    median = 0.0 if not n else (costs[n // 2] if n % 2 else (costs[n // 2 - 1] + costs[n // 2]) / 2)
    total = sum(costs)
    # Gini over the costs shifted to be non-negative (a cost below 0 only for an invalid plan).
    low = min(costs, default=0)
    xs = [c - min(0, low) for c in costs]
    gini = 0.0 if not n or sum(xs) == 0 else (
        sum((2 * (i + 1) - n - 1) * x for i, x in enumerate(xs)) / (n * sum(xs)))
    granted: dict[int, list[int]] = {1: [0, 0], 2: [0, 0], 3: [0, 0]}
    for i, ok in wish_outcomes(instance, stints):
        g = granted[instance.wishes[i].priority]
        g[0] += ok
        g[1] += 1
    return {"trainees": per, "worst": costs[-1] if n else 0, "median": median,
            "best": costs[0] if n else 0, "sum": total, "gini": round(gini, 4),
            "wishes_granted": {str(k): {"granted": v[0], "of": v[1]} for k, v in granted.items()}}
