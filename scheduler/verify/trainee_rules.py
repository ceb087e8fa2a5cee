"""The checker's rules over one trainee: each stint alone, the whole block, and history."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from scheduler.domain import Programme, Trainee
from scheduler.i18n import tr, week_text
from scheduler.plan import Stint
from scheduler.verify.block import (
    block_end,
    catches,
    ceil_pct,
    intro_weeks,
    is_unfinished,
    leave_mondays,
    runs,
    wk,
)
from scheduler.verify.violations import Context, History


def interrupted_parts(t: Trainee, stints: list[Stint]) -> set[int]:
    """Indices of the stints that are a part of a stint interrupted by extending leave: another
    stint at the same unit and discipline follows or precedes it with only such leave (at least
    one week) in between.

    Linear in the stints (times the length of a run of leave), not quadratic: a hand-edited
    plan of 100 000 rows is checked in seconds."""
    leave = leave_mondays(t)
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


def check_stint(cx: Context, t: Trainee, prog: Programme, s: Stint,
                interrupted: bool = False) -> None:
    """reference, eligibility and stint_length: rules that look at one stint alone.

    A part of a stint ``interrupted`` by extending leave has no minimum length."""
    w = wk(cx.h0, s.start)
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
    if not catches(u, t.site):
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
        skip = leave_mondays(t) | intro_weeks(t, prog)
        first = t.start
        while first in skip:
            first += timedelta(weeks=1)
        if s.start == first:
            return  # the opening stint's length is set by the starts_with rule
    o = u.stint_weeks.get(prog.id)
    lo, hi = (o.min_weeks, o.max_weeks) if o is not None else (u.min_weeks, u.max_weeks)
    if not u.calendar_stints:  # full-time weeks: a part-timer's stint lasts longer
        lo = max(1, lo * 100 // t.part_time)  # rounded down, the most up (MODEL.md)
        hi = None if hi is None else ceil_pct(hi, t.part_time)
    if s.weeks < lo and not interrupted:
        cx.add("stint_length", "chk_stint_short", **common, weeks=s.weeks, min=lo)
    elif hi is not None and s.weeks > hi:
        cx.add("stint_length", "chk_stint_long", **common, weeks=s.weeks, max=hi)


@dataclass(frozen=True)
class _Block:
    """One trainee's block in week indices: ``[a, e)``, the weeks of extending leave and of
    introduction, and every stint as ``(first week, end week, stint)``."""

    a: int
    e: int
    leave: set[int]
    intro: set[int]
    spans: list[tuple[int, int, Stint]]


def check_trainee(cx: Context, t: Trainee, prog: Programme, stints: list[Stint]) -> None:
    """coverage, requirement, locked and order: rules over one trainee's whole block."""
    h0 = cx.h0
    b = _Block(wk(h0, t.start), wk(h0, block_end(t, prog)),
               {wk(h0, d) for d in leave_mondays(t)}, {wk(h0, d) for d in intro_weeks(t, prog)},
               [(wk(h0, s.start), wk(h0, s.end), s) for s in stints])
    unfinished = is_unfinished(t, prog)
    _coverage(cx, t, prog, b)
    _requirements(cx, t, prog, stints, unfinished)
    _locked(cx, t, stints)
    _repeat(cx, t, prog, stints, b.leave)
    if stints and (prog.starts_with is not None or prog.ends_with is not None) \
            and not unfinished:
        _order(cx, t, prog, b, stints)


def _coverage(cx: Context, t: Trainee, prog: Programme, b: _Block) -> None:
    """coverage: classify every week of the block or of a stint, then report runs."""
    a, e = b.a, b.e
    covered: Counter[int] = Counter()
    for lo, hi, _ in b.spans:
        covered.update(range(lo, hi))
    weeks = sorted(set(range(a, e)) | set(covered))
    kinds: list[tuple[int, object]] = []
    for w in weeks:
        c = covered[w]
        if not a <= w < e:
            kind = "outside" if c else None
        elif w in b.leave:
            kind = "leave" if c else None
        elif w in b.intro:
            kind = "intro" if c else None
        else:
            kind = None if c == 1 else ("gap" if c == 0 else "overlap")
        if kind:
            kinds.append((w, kind))
    for first, n, problem in runs(kinds):
        units = sorted({s.unit for lo, hi, s in b.spans if lo < first + n and hi > first})
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


def _requirements(cx: Context, t: Trainee, prog: Programme, stints: list[Stint],
                  unfinished: bool) -> None:
    """requirement: calendar weeks per discipline against the part-time-scaled bounds."""
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
    for name, x, least, most in bounds:
        if x < ceil_pct(least, p) and not unfinished:
            cx.add("requirement", "chk_requirement_min", who=t.id, weeks=x, discipline=name,
                   programme=prog.id, need=ceil_pct(least, p), part=part)
        elif most is not None and x > ceil_pct(most, p):
            cx.add("requirement", "chk_requirement_max", who=t.id, weeks=x, discipline=name,
                   programme=prog.id, need=ceil_pct(most, p), part=part)


def _locked(cx: Context, t: Trainee, stints: list[Stint]) -> None:
    """locked: each locked stint must be in the plan unchanged."""
    have = {(s.unit, s.discipline, s.start, s.end) for s in stints}
    for lk in t.locked:
        if (lk.unit, lk.discipline, lk.start, lk.end) not in have:
            w = wk(cx.h0, lk.start)
            cx.add("locked", "chk_locked_missing", who=t.id, uid=lk.unit, week=w,
                   when=cx.when(w, lk.weeks), discipline=cx.disc(lk.discipline))


def _repeat(cx: Context, t: Trainee, prog: Programme, stints: list[Stint],
            leave: set[int]) -> None:
    """repeat: one stint per unit and discipline, besides locked stints and a starts_with
    opening stint (it may share the unit of the last stint)."""
    h0 = cx.h0
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
        lo = wk(h0, s.start)
        after = resumes_at.get(key)
        resumes_at[key] = wk(h0, s.end)
        if after is not None and after < lo and all(w in leave for w in range(after, lo)):
            continue
        seen[key] += 1
        if seen[(s.unit, s.discipline)] == 2:
            w = wk(h0, s.start)
            cx.add("repeat", "chk_repeat", who=t.id, uid=s.unit, week=w,
                   when=cx.when(w, s.weeks), discipline=cx.disc(s.discipline))


def _order(cx: Context, t: Trainee, prog: Programme, b: _Block, stints: list[Stint]) -> None:
    """order: the first service week (the block's first week unless the trainee starts on
    extending leave) opens with starts_with; the last stint carries ends_with."""
    last = max(stints, key=lambda s: (s.end, s.start, s.unit))
    lw = wk(cx.h0, last.start)
    if prog.starts_with is not None:
        sw = prog.starts_with
        f = next((w for w in range(b.a, b.e) if w not in b.leave and w not in b.intro), b.a)
        opening = next((s for lo, _, s in b.spans if lo == f), None)
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


def check_frozen(cx: Context, trainees: dict[str, Trainee], history: History,
                 by_trainee: dict[str, list[Stint]]) -> None:
    """Each trainee's (unit, discipline) in every week before ``today`` is the old plan's."""
    h0, cut = cx.h0, wk(cx.h0, history.today)

    def weekly(stints: Iterable[Stint]) -> dict[int, tuple[str, str]]:
        return {w: (s.unit, s.discipline) for s in stints
                for w in range(wk(h0, s.start), min(wk(h0, s.end), cut))}

    old: dict[str, list[Stint]] = defaultdict(list)
    for s in history.stints:
        old[s.trainee].append(s)
    for tid in sorted(set(old) & set(trainees)):
        before, after = weekly(old[tid]), weekly(by_trainee.get(tid, []))
        bad = sorted(w for w in set(before) | set(after) if before.get(w) != after.get(w))
        for first, n, _ in runs((w, True) for w in bad):
            was, now = before.get(first), after.get(first)
            cx.add("frozen", "chk_frozen", who=tid, uid=(now or was or (None,))[0], week=first,
                   when=cx.when(first, n), today=week_text(history.today, cx.lang),
                   expected=was[0] if was else "–", found=now[0] if now else "–")
