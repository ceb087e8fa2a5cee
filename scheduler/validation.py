"""Cross-reference and never-feasible checks of an instance, all found at once.

The second tier of the domain's validation (``scheduler.domain`` checks local rules in field
validators): ids that name nothing, a minimum no unit can give, a block outside the horizon,
entries of a trainee that contradict each other, wishes that can never be met. Each problem is
``(location, message)``; ``Instance`` raises them together, as one input error (exit 2).
"""

from __future__ import annotations

import difflib
import unicodedata
from typing import TYPE_CHECKING, cast

from scheduler.blocks import EXTENDING_LEAVE, block_end, introduction_mondays
from scheduler.i18n import DISCIPLINE_NAMES, tr

if TYPE_CHECKING:
    from datetime import date

    from scheduler.domain import Cohort, Instance, Programme, Requirement, Trainee

Problems = list[tuple[str, str]]


def instance_problems(inst: Instance) -> Problems:
    """Cross-reference and never-feasible checks: ``(location, message)`` pairs, all at once."""
    problems: Problems = []
    ids = _unique_ids(inst, problems)
    problems += _unit_problems(inst, ids)
    problems += _people_problems(inst, ids)
    for site in inst.sites:
        for k in site.travel_minutes:
            if k not in ids["sites"]:
                problems.append((f"sites ({site.id}).travel_minutes",
                                 tr("unknown_ref", kind="site", id=k)))
    if inst.wishes and not problems:
        problems += wish_problems(inst)
    return problems


def _unique_ids(inst: Instance, problems: Problems) -> dict[str, set[str]]:
    """The ids of each kind; an id given twice is a problem."""

    def dupes(items: list, kind: str) -> set[str]:
        ids: set[str] = set()
        for i, it in enumerate(items):
            if it.id in ids:
                problems.append((f"{kind}[{i}] ({it.id}).id", tr("duplicate_id", id=it.id)))
            ids.add(it.id)
        return ids

    out = {kind: dupes(getattr(inst, kind), kind)
           for kind in ("programmes", "sites", "units", "trainees", "cohorts")}
    for c in inst.cohorts:
        for t in c.trainees():
            if t.id in out["trainees"]:
                problems.append((f"cohorts ({c.id})", tr("duplicate_id", id=t.id)))
    return out


def _unit_problems(inst: Instance, ids: dict[str, set[str]]) -> Problems:
    """Disciplines, sites and programmes a unit names that the instance does not have."""
    problems: Problems = []
    known = {r.discipline for p in inst.programmes for r in p.requirements}
    known |= set(DISCIPLINE_NAMES)  # declared extras: akut, valfri, forskning, ...
    for i, u in enumerate(inst.units):
        loc = f"units[{i}] ({u.id})"
        for d in u.disciplines:
            if d not in known:
                problems.append((f"{loc}.disciplines", tr(
                    "unknown_discipline", id=d, hint=_closest_hint(d, known))))
        if u.site not in ids["sites"]:
            problems.append((f"{loc}.site", tr("unknown_ref", kind="site", id=u.site)))
        for s in u.takes_from or []:
            if s not in ids["sites"]:
                problems.append((f"{loc}.takes_from", tr("unknown_ref", kind="site", id=s)))
        for p in (u.programmes or []) + list(u.stint_weeks) + list(u.capacity_by_programme) \
                + list(u.reserved_seats):
            if p not in ids["programmes"]:
                problems.append((f"{loc}.programmes", tr("unknown_ref", kind="programme", id=p)))
    return problems


def _people_problems(inst: Instance, ids: dict[str, set[str]]) -> Problems:
    """Trainees and cohorts: references, part time, a minimum no unit can give, the block
    inside the horizon, and an individual's own entries (leave, locked stints)."""
    problems: Problems = []
    # (location, trainee or cohort, an individual?)
    people: list[tuple[str, Trainee | Cohort, bool]] = [
        (f"trainees[{i}] ({t.id})", t, True) for i, t in enumerate(inst.trainees)
    ] + [(f"cohorts[{i}] ({c.id})", c, False) for i, c in enumerate(inst.cohorts)]
    # Cohort members with facts of their own are checked as the individuals they are.
    members = {t.id: t for c in inst.cohorts for t in c.trainees()}
    people += [(f"cohorts[{i}] ({c.id}).overrides[{j}] ({o.id})", members[o.id], True)
               for i, c in enumerate(inst.cohorts) for j, o in enumerate(c.overrides)]
    checked_pairs: set[tuple[str, str]] = set()
    for loc, who, individual in people:
        if who.programme not in ids["programmes"]:
            problems.append(
                (f"{loc}.programme", tr("unknown_ref", kind="programme", id=who.programme))
            )
            continue
        if who.site not in ids["sites"]:
            problems.append((f"{loc}.site", tr("unknown_ref", kind="site", id=who.site)))
            continue
        if not 50 <= who.part_time <= 100:
            problems.append((f"{loc}.part_time", tr("part_time_range", value=who.part_time)))
            continue
        prog = inst.programme(who.programme)
        if (prog.id, who.site) not in checked_pairs:
            checked_pairs.add((prog.id, who.site))
            for r in minima_no_unit_can_give(inst, prog, who.site):
                problems.append((f"{loc}.programme", tr(
                    "no_unit_for_requirement", programme=prog.id, weeks=r.min_weeks,
                    discipline=r.discipline, site=who.site)))
        sample = cast("Trainee", who) if individual else cast("Cohort", who).trainees()[0]
        if who.start < inst.horizon.start:
            problems.append((f"{loc}.start", tr(
                "block_before_horizon", trainee=sample.id, start=who.start.isoformat(),
                horizon_start=inst.horizon.start.isoformat())))
            continue
        end = block_end(sample, prog)
        if end > inst.horizon.end:
            problems.append((f"{loc}.start", tr(
                "block_outside_horizon", trainee=sample.id, end=end.isoformat(),
                horizon_end=inst.horizon.end.isoformat())))
        if individual:
            problems += entry_clashes(loc, sample)
            problems += _locked_problems(inst, loc, sample, prog, end, ids["units"])
    return problems


def _locked_problems(inst: Instance, loc: str, who: Trainee, prog: Programme, end: date,
                     unit_ids: set[str]) -> Problems:
    """Locked stints at a unit that is not there, does not credit the discipline or take the
    trainee, outside the block or in its introduction weeks."""
    problems: Problems = []
    for j, ls in enumerate(who.locked):
        where = f"{loc}.locked[{j}]"
        if ls.unit not in unit_ids:
            problems.append((f"{where}.unit", tr("unknown_ref", kind="unit", id=ls.unit)))
            continue
        u = inst.unit(ls.unit)
        if ls.discipline not in u.disciplines or ls.discipline not in prog.disciplines:
            problems.append((f"{where}.discipline", tr(
                "unit_no_discipline", unit=ls.unit, discipline=ls.discipline)))
        if not u.eligible(prog.id, who.site):
            problems.append((f"{where}.unit", tr(
                "locked_not_eligible", unit=ls.unit, trainee=who.id)))
        if ls.start < who.start or ls.end > end:
            problems.append((f"{where}", tr(
                "locked_outside_block", trainee=who.id, start=who.start.isoformat(),
                end=end.isoformat())))
        intro = [d for d in introduction_mondays(who, prog) if ls.start <= d < ls.end]
        if intro:
            problems.append((f"{where}", tr(
                "locked_in_introduction", a=f"locked[{j}] ({ls.unit})",
                week=intro[0].isoformat(), programme=prog.id,
                weeks=prog.introduction_weeks)))
    return problems


def _fold(name: str) -> str:
    """Lower case without diacritics: 'Allmänmedicin' and 'allmanmedicin' fold alike."""
    return "".join(c for c in unicodedata.normalize("NFKD", name.lower())
                   if not unicodedata.combining(c))


def _closest_hint(name: str, known: set[str]) -> str:
    """`` (menar du 'x'?)`` for the known name a typo most likely meant, else ''."""
    folded = {_fold(k): k for k in sorted(known)}
    match = difflib.get_close_matches(_fold(name), list(folded), n=1, cutoff=0.6)
    return tr("did_you_mean", name=folded[match[0]]) if match else ""


def minima_no_unit_can_give(inst: Instance, prog: Programme, site: str) -> list[Requirement]:
    """The input check (exit 2) for a minimum that no unit can give a trainee of ``prog``
    employed at ``site``: none credits the discipline, takes the programme, is open to the
    site (region-wide, own site or ``takes_from``) and has a seat for the programme
    (``capacity_by_programme`` not 0). Capacity 0 over a whole block is the solver side's
    ``counting.unreachable_requirements`` (it needs the block's weeks)."""
    return [r for r in prog.requirements if r.min_weeks > 0 and not any(
        r.discipline in u.disciplines and u.eligible(prog.id, site)
        and u.capacity_by_programme.get(prog.id) != 0
        for u in inst.units)]


def _sweep_overlaps(items: list) -> list[tuple[int, int]]:
    """``(i, j)`` for every item ``j`` that overlaps an earlier-starting item ``i`` (the one of
    the latest end so far): each clash is named once, in n log n for long lists."""
    order = sorted(range(len(items)), key=lambda k: (items[k].start, items[k].end))
    out: list[tuple[int, int]] = []
    reach = -1
    for k in order:
        if reach >= 0 and items[k].start < items[reach].end:
            out.append((reach, k))
        if reach < 0 or items[k].end > items[reach].end:
            reach = k
    return out


def entry_clashes(loc: str, t: Trainee) -> list[tuple[str, str]]:
    """Entries of one trainee that contradict each other, each pair named: two leave periods
    that overlap, two locked stints that overlap, a locked stint in leave that is not service
    (no plan could hold it, so this is input, not an infeasible instance: exit 2)."""
    out: list[tuple[str, str]] = []

    for i, j in _sweep_overlaps(t.leave):
        lv, lw = t.leave[i], t.leave[j]
        out.append((f"{loc}.leave[{j}]", tr(
            "leave_overlap", a=f"leave[{j}]", a_start=lw.start.isoformat(),
            a_end=lw.end.isoformat(), b=f"leave[{i}]", b_start=lv.start.isoformat(),
            b_end=lv.end.isoformat())))
    for i, j in _sweep_overlaps(t.locked):
        lk, ll = t.locked[i], t.locked[j]
        out.append((f"{loc}.locked[{j}]", tr(
            "locked_overlap", a=f"locked[{j}] ({ll.unit})", a_start=ll.start.isoformat(),
            a_end=ll.end.isoformat(), b=f"locked[{i}] ({lk.unit})", b_start=lk.start.isoformat(),
            b_end=lk.end.isoformat())))
    extending = [(k, lv) for k, lv in enumerate(t.leave) if lv.kind in EXTENDING_LEAVE]
    for j, ls in enumerate(t.locked):
        for k, lv in extending:
            if ls.start < lv.end and lv.start < ls.end:
                out.append((f"{loc}.locked[{j}]", tr(
                    "locked_on_leave", a=f"locked[{j}] ({ls.unit})", a_start=ls.start.isoformat(),
                    a_end=ls.end.isoformat(), leave_kind=lv.kind, b=f"leave[{k}]",
                    b_start=lv.start.isoformat(), b_end=lv.end.isoformat())))
    return out


def wish_problems(inst: Instance) -> list[tuple[str, str]]:
    """Wishes that can never be met are input errors, located (docs/MODEL.md)."""
    problems: list[tuple[str, str]] = []
    trainees = {t.id: t for t in inst.all_trainees()}
    units = {u.id: u for u in inst.units}
    seen: set[tuple] = set()
    for i, w in enumerate(inst.wishes):
        loc = f"wishes[{i}] ({w.trainee})"
        t = trainees.get(w.trainee)
        if t is None:
            problems.append((f"{loc}.trainee", tr("unknown_ref", kind="trainee", id=w.trainee)))
            continue
        key = (w.trainee, w.kind, w.unit, w.discipline, w.date)
        if key in seen:
            problems.append((loc, tr("wish_twice", trainee=w.trainee)))
        seen.add(key)
        prog = inst.programme(t.programme)
        if w.unit is not None:
            u = units.get(w.unit)
            if u is None:
                problems.append((f"{loc}.unit", tr("unknown_ref", kind="unit", id=w.unit)))
                continue
            if not u.eligible(prog.id, t.site):
                problems.append((f"{loc}.unit", tr("wish_unit_not_eligible", unit=u.id,
                                                   trainee=t.id)))
                continue
            if w.discipline is not None and (w.discipline not in u.disciplines
                                             or prog.requirement(w.discipline) is None):
                problems.append((f"{loc}.discipline", tr(
                    "wish_no_discipline", discipline=w.discipline, trainee=t.id, unit=u.id)))
        elif w.discipline is not None and prog.requirement(w.discipline) is None:
            problems.append((f"{loc}.discipline", tr(
                "wish_no_discipline", discipline=w.discipline, trainee=t.id, unit="-")))
        if w.date is not None:
            end = block_end(t, prog)
            if not t.start < w.date <= end:
                problems.append((f"{loc}.date", tr(
                    "wish_date_outside", date=w.date.isoformat(), trainee=t.id,
                    start=t.start.isoformat(), end=end.isoformat())))
    return problems
