"""Wishes (önskemål), travel and each trainee's own cost, from the data and a plan's stints.

The model side's arithmetic (docs/MODEL.md, "Wishes, travel and fairness"), used by
``plan_state.plan_cost`` to judge the heuristic phases' moves and by the reports to word why a
wish was not granted. The checker recomputes every figure on its own and never imports this.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from scheduler.domain import (
    SHORT_TRAVEL_FACTOR,
    Instance,
    Trainee,
    Wish,
    block_end,
    calendar_weeks,
    leaves_early,
    service_weeks_needed,
)
from scheduler.i18n import Lang, discipline_name, tr
from scheduler.plan import Stint


def wish_weight(w: Wish) -> int:
    """Unweighted cost of a wish not granted: 3, 2, 1 for priority 1, 2, 3."""
    return 4 - w.priority


def travel_minutes(inst: Instance, home: str, site: str) -> int:
    """Minutes one way from a trainee's home site to a unit's site (either direction given)."""
    if home == site:
        return 0
    sites = {s.id: s for s in inst.sites}
    a, b = sites.get(home), sites.get(site)
    if a is not None and site in a.travel_minutes:
        return a.travel_minutes[site]
    if b is not None and home in b.travel_minutes:
        return b.travel_minutes[home]
    return 0


def travel_rate(inst: Instance, t: Trainee, site: str) -> int:
    """Travel cost per stint-week: started 10 minutes one way, times the short-travel factor."""
    tens = -(-travel_minutes(inst, t.site, site) // 10)
    return tens * (SHORT_TRAVEL_FACTOR if t.short_travel else 1)


def eligible_units(inst: Instance, t: Trainee) -> list:
    prog = inst.programme(t.programme)
    return [u for u in inst.units if u.eligible(prog.id, t.site)
            and any(prog.requirement(d) is not None for d in u.disciplines)]


_CACHE: dict[tuple[int, str], tuple[Instance, object]] = {}


def _cached(inst: Instance, key: str, make):  # type: ignore[no-untyped-def]
    """Per-instance memo (the instance is frozen; kept alive so its id is not reused)."""
    hit = _CACHE.get((id(inst), key))
    if hit is not None and hit[0] is inst:
        return hit[1]
    if len(_CACHE) > 10_000:
        _CACHE.clear()
    value = make()
    _CACHE[(id(inst), key)] = (inst, value)
    return value


def trainees_of(inst: Instance) -> dict[str, Trainee]:
    return _cached(inst, "", lambda: {t.id: t for t in inst.all_trainees()})  # type: ignore


def least_stints(inst: Instance, t: Trainee) -> int:
    return _cached(inst, "least|" + t.id, lambda: _least_stints(inst, t))  # type: ignore


def _least_stints(inst: Instance, t: Trainee) -> int:
    """A lower bound on the trainee's stints from the data alone (docs/MODEL.md, "A
    trainee's own cost"); 1 for a trainee who leaves early."""
    prog = inst.programme(t.programme)
    if leaves_early(t, prog):
        return 1
    units = eligible_units(inst, t)
    sw = prog.starts_with
    o, od = (sw.weeks, sw.discipline) if sw is not None else (0, None)

    def count(discs: set[str], need: int) -> int:
        tops = [u.stint_range(prog.id, t.part_time)[1] for u in units if discs & set(u.disciplines)]
        if need <= 0 or not tops:
            return 0
        if any(x is None for x in tops):
            return 1
        return -(-need // max(x for x in tops if x is not None))

    per = {r.discipline: count({r.discipline}, calendar_weeks(r.min_weeks, t.part_time)
                               - (o if r.discipline == od else 0))
           for r in prog.requirements if r.min_weeks > 0}
    n = (sw is not None) + sum(per.values())
    extra = [count(set(g.disciplines), calendar_weeks(g.min_weeks, t.part_time)
                   - (o if od in g.disciplines else 0))
             - sum(per.get(d, 0) for d in set(g.disciplines))
             for g in prog.group_requirements if g.min_weeks > 0]
    n += max([0, *extra])
    tiling = (sw is not None) + count(set(prog.disciplines),
                                      service_weeks_needed(prog, t.part_time) - o)
    return max(1, n, tiling)


def least_travel(inst: Instance, t: Trainee) -> int:
    return _cached(inst, "travel|" + t.id, lambda: _least_travel(inst, t))  # type: ignore


def _least_travel(inst: Instance, t: Trainee) -> int:
    """Travel no plan avoids (docs/MODEL.md): each discipline's calendar minimum at the
    nearest unit the trainee may use for it (stints have one discipline each, so the minima's
    weeks are distinct); 0 for a trainee who leaves early."""
    prog = inst.programme(t.programme)
    if leaves_early(t, prog):
        return 0
    units = eligible_units(inst, t)
    return sum(calendar_weeks(r.min_weeks, t.part_time)
               * min((travel_rate(inst, t, u.site) for u in units
                      if r.discipline in u.disciplines), default=0)
               for r in prog.requirements if r.min_weeks > 0)


def least_fragmentation(inst: Instance, t: Trainee) -> int:
    """Fragmentation no plan avoids (docs/MODEL.md): with ``starts_with`` at the unit of the
    last stint, the discipline's span is the whole block, less the most weeks it may have."""
    prog = inst.programme(t.programme)
    sw = prog.starts_with
    if sw is None or not sw.same_unit_as_end or leaves_early(t, prog):
        return 0
    first = first_service_week(t)
    span = (block_end(t, prog) - first).days // 7
    service = service_weeks_needed(prog, t.part_time)
    req = prog.requirement(sw.discipline)
    most = service if req is None or req.max_weeks is None else min(
        service, calendar_weeks(req.max_weeks, t.part_time))
    # The other disciplines' minima take weeks the opening's discipline cannot have.
    groups = prog.group_requirements
    grouped = [d for g in groups for d in set(g.disciplines)]
    disjoint = len(grouped) == len(set(grouped))
    cal = {r.discipline: calendar_weeks(r.min_weeks, t.part_time) for r in prog.requirements}
    others = sum(w for d, w in cal.items()
                 if d != sw.discipline and (d not in grouped or not disjoint))
    for g in groups if disjoint else []:
        members = sum(cal.get(d, 0) for d in set(g.disciplines) if d != sw.discipline)
        if sw.discipline in g.disciplines:
            others += members
        else:
            others += max(calendar_weeks(g.min_weeks, t.part_time), members)
    return max(0, span - min(most, service - others))


def granted(w: Wish, t: Trainee, stints: list[Stint], first_week: date | None) -> bool:
    """Is the wish met by the trainee's stints? ``first_week``: its first week of service."""
    if w.kind in ("prefer", "avoid"):
        hit = any(s.unit == w.unit and (w.discipline is None or s.discipline == w.discipline)
                  for s in stints)
        return hit if w.kind == "prefer" else not hit
    if w.kind == "before":
        return all(s.end <= w.date for s in stints  # type: ignore[operator]
                   if s.discipline == w.discipline)
    opening = next((s for s in stints if s.start == first_week), None)
    return opening is not None and opening.discipline == w.discipline


def first_service_week(t: Trainee) -> date:
    off = {lv.start + timedelta(weeks=k) for lv in t.leave
           if lv.kind != "semester" for k in range(lv.weeks)}
    d = t.start
    while d in off:
        d += timedelta(weeks=1)
    return d


def per_trainee(inst: Instance, stints: list[Stint],
                trainees: dict[str, Trainee] | None = None) -> dict[str, dict[str, int]]:
    """Per trainee with stints: ``wishes`` (unweighted, missed), ``travel`` (unweighted),
    ``stints``, ``fragmentation``, and ``cost`` (docs/MODEL.md: weighted own cost with unit
    changes above ``least_stints`` and travel above ``least_travel``)."""
    trainees = trainees or trainees_of(inst)
    by_t: dict[str, list[Stint]] = defaultdict(list)
    for s in stints:
        by_t[s.trainee].append(s)
    wishes: dict[str, list[Wish]] = defaultdict(list)
    for w in inst.wishes:
        wishes[w.trainee].append(w)
    site_of = {u.id: u.site for u in inst.units}
    wt = inst.objective_weights()
    out = {}
    for tid, ss in by_t.items():
        t = trainees[tid]
        first = first_service_week(t)
        missed = sum(wish_weight(w) for w in wishes.get(tid, ()) if not granted(w, t, ss, first))
        travel = sum(s.weeks * travel_rate(inst, t, site_of[s.unit]) for s in ss)
        spans: dict[str, list[Stint]] = defaultdict(list)
        for s in ss:
            spans[s.discipline].append(s)
        frag = sum((max(x.end for x in xs) - min(x.start for x in xs)).days // 7
                   - sum(x.weeks for x in xs) for xs in spans.values())
        least_frag = _cached(inst, "frag|" + tid, lambda t=t: least_fragmentation(inst, t))
        cost = (wt.get("unit_changes", 0) * (len(ss) - least_stints(inst, t))
                + wt.get("fragmentation", 0) * (frag - least_frag)  # type: ignore[operator]
                + wt.get("wishes", 0) * missed
                + wt.get("travel", 0) * (travel - least_travel(inst, t)))
        out[tid] = {"stints": len(ss), "fragmentation": frag, "wishes": missed,
                    "travel": travel, "cost": cost}
    return out


# ---------------------------------------------------------------------------- report wording


def describe(inst: Instance, w: Wish, lang: Lang | None = None) -> str:
    disc = f" ({discipline_name(w.discipline, lang)})" if w.discipline else ""
    if w.kind in ("prefer", "avoid"):
        return tr(f"wish_text_{w.kind}", lang, unit=w.unit, disc=disc)
    return tr(f"wish_text_{w.kind}", lang, discipline=discipline_name(w.discipline or "", lang),
              date=w.date.isoformat() if w.date else "")


def reason(inst: Instance, w: Wish, stints: list[Stint], lang: Lang | None = None) -> str:
    """Why a wish was not granted, in a coordinator's words: the unit full in the weeks the
    trainee spent in the discipline (with its load and capacity), else the trade-off."""
    t = next(x for x in inst.all_trainees() if x.id == w.trainee)
    mine = [s for s in stints if s.trainee == t.id]
    if w.kind == "prefer":
        u = inst.unit(w.unit)  # type: ignore[arg-type]
        discs = {w.discipline} if w.discipline else set(u.disciplines)
        h0 = inst.horizon.start
        load: dict[int, int] = defaultdict(int)
        for s in stints:
            if s.unit == u.id:
                for k in range(inst.week_index(s.start), inst.week_index(s.end)):
                    load[k] += 1
        # The weeks the trainee could have been there: its stints in the wished discipline.
        weeks = sorted({k for s in mine if s.discipline in discs
                        for k in range(inst.week_index(s.start), inst.week_index(s.end))})
        full = [k for k in weeks
                if (c := u.capacity_in_week(h0 + timedelta(weeks=k))) is not None
                and load[k] >= c]
        if full:
            a, b = full[0], full[-1]
            cap = u.capacity_in_week(h0 + timedelta(weeks=a))
            return tr("wish_full", lang, unit=u.id, weeks=_weeks_text(inst, a, b),
                      n=load[a], cap=cap)
    if w.kind == "avoid":
        # Full only if every other unit that credits the stint's discipline was full in
        # every week the trainee spent at the avoided unit.
        there = [s for s in mine if s.unit == w.unit
                 and (w.discipline is None or s.discipline == w.discipline)]
        h0 = inst.horizon.start
        held: dict[tuple[str, int], int] = defaultdict(int)
        for s in stints:
            if s.trainee != t.id:
                for k in range(inst.week_index(s.start), inst.week_index(s.end)):
                    held[s.unit, k] += 1
        units = eligible_units(inst, t)
        if there and all(
                u.id == w.unit or s.discipline not in u.disciplines
                or ((c := u.capacity_in_week(h0 + timedelta(weeks=k))) is not None
                    and held[u.id, k] >= c)
                for s in there for k in range(inst.week_index(s.start), inst.week_index(s.end))
                for u in units):
            return tr("wish_avoid_full", lang, discipline=discipline_name(
                there[0].discipline, lang), trainee=t.id)
    return tr("wish_tradeoff", lang, what=describe(inst, w, lang))


def _weeks_text(inst: Instance, a: int, b: int) -> str:
    """ISO weeks ``a``-``b`` (horizon indices) as '12–24 2027' or '50 2027–6 2028'."""
    ya, na, _ = (inst.horizon.start + timedelta(weeks=a)).isocalendar()
    yb, nb, _ = (inst.horizon.start + timedelta(weeks=b)).isocalendar()
    return f"{na}–{nb} {ya}" if ya == yb else f"{na} {ya}–{nb} {yb}"
