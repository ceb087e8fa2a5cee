"""``atbt explain``: say in domain words why no plan exists and what would give one.

The search is in :mod:`scheduler.solver.explain`; this module words its findings for the
coordinator (Swedish by default, English with ``lang="en"``).
"""

from __future__ import annotations

from datetime import date, timedelta

from scheduler.domain import Instance
from scheduler.i18n import Lang, discipline_name, language
from scheduler.solver.counting import Shortfall
from scheduler.solver.explain import (
    Explanation,
    Group,
    Relaxation,
    counted_groups,
    explain,
    group_facts,
)

__all__ = ["explain", "render"]

TEXT: dict[str, tuple[str, str]] = {
    "feasible": ("Instansen har en plan; det finns ingen konflikt att förklara.",
                 "The instance has a plan; there is no conflict to explain."),
    "unknown": ("Tiden tog slut innan en konflikt kunde bevisas (pröva en längre "
                "--time-limit).",
                "The time ran out before a conflict could be proven (try a longer "
                "--time-limit)."),
    "why": ("Därför finns ingen plan (de här kraven går inte att uppfylla samtidigt):",
            "Why there is no plan (these requirements cannot all be met at once):"),
    "not_minimal": ("(tiden räckte inte för att krympa listan till det minsta)",
                    "(the time ran out before the list was shrunk to the smallest)"),
    "headline": ("{disc} {weeks}: {n} {kind} behöver {w} veckor var inom sina block, men "
                 "kapaciteten är {cap} per vecka ({units})",
                 "{disc} {weeks}: {n} {kind} trainees need {w} weeks each within their blocks, "
                 "but the capacity is {cap} per week ({units})"),
    "counted": ("(räknat: {demand} veckor behövs där, men enheterna har {supply} "
                "platsveckor{locked}; {deficit} veckor saknas)",
                "(counted: {demand} weeks are needed there, but the units have {supply} "
                "seat-weeks{locked}; {deficit} weeks short)"),
    "counted_locked": (" efter {n} låsta placeringar", " after {n} locked stints"),
    "locked_over": ("{unit} {weeks}: {n} låsta placeringar, men kapaciteten är {cap}",
                    "{unit} {weeks}: {n} locked stints, but the capacity is {cap}"),
    "capacity": ("{unit}: kapaciteten är {cap} per vecka",
                 "{unit}: the capacity is {cap} per week"),
    "requirement": ("{who}: {n} {kind} behöver minst {w} veckor {disc} inom blocket {weeks}",
                    "{who}: {n} {kind} trainees need at least {w} weeks of {disc} within the "
                    "block {weeks}"),
    "block": ("{who}: blocket {weeks} ska rymma {s} veckors tjänstgöring",
              "{who}: the block {weeks} must hold {s} weeks of service"),
    "locked": ("{who}: låst placering på {unit} {weeks}",
               "{who}: locked stint at {unit} {weeks}"),
    "leave": ("{who}: {leave} {weeks}", "{who}: {leave} {weeks}"),
    "fix": ("Minsta ändring som ger en plan:", "Smallest change that gives a plan:"),
    "fix_capacity": ("+{k} handledare på {unit} {weeks}{was}",
                     "+{k} supervisors at {unit} in {weeks}{was}"),
    "fix_was": (" (kapacitet {a} → {b} per vecka)", " (capacity {a} → {b} a week)"),
    "fix_unlock": ("lås upp placeringen för {who} som börjar {start}",
                   "unlock the stint of {who} starting {start}"),
    "fix_longer": ("förläng blocket i {programme} med {k} veckor",
                   "lengthen the block of {programme} by {k} weeks"),
    "fix_none": ("ingen ändring av kapacitet, låsningar eller blocklängd räcker",
                 "no change of capacity, locks or block length suffices"),
    "verified": ("(kontrollerat: med ändringen finns en plan)",
                 "(verified: with the change a plan exists)"),
    "not_verified": ("(kunde inte kontrolleras inom tidsgränsen)",
                     "(could not be verified within the time limit)"),
    "widened": ("(ändringar bara där orsaken ligger räckte inte; ändringen går utöver dem)",
                "(changes only where the cause lies did not suffice; the change goes beyond)"),
    "ran_out": ("Tiden tog slut för: {parts}.", "The time ran out for: {parts}."),
    "part_conflict": ("att bevisa en konflikt", "proving a conflict"),
    "part_shrink": ("att krympa konflikten till den minsta", "shrinking the conflict"),
    "part_fix": ("att hitta en ändring", "finding a change"),
    "part_verify": ("att kontrollera ändringen", "verifying the change"),
    "alternative": ("Alternativ: senarelägg starten för {who} med {k} veckor (till {start})",
                    "Alternative: start {who} {k} weeks later (on {start})"),
    "unreachable": ("{file}: {loc}: {programme} kräver minst {weeks} veckor {disc}, men ingen "
                    "enhet som tar emot {programme} kan ge {disc} under blocket (ingen sådan "
                    "enhet, eller kapacitet 0 hela blocket)",
                    "{file}: {loc}: {programme} requires at least {weeks} weeks of {disc}, but "
                    "no unit taking {programme} can give {disc} during the block (no such unit, "
                    "or capacity 0 throughout)"),
    "solve_spent": ("(lösaren bevisade det efter {t:.1f} s; förklaringen får resten av "
                    "--time-limit {limit:g} s: {left:.1f} s)",
                    "(the solver proved it after {t:.1f} s; the explanation gets the rest of "
                    "--time-limit {limit:g} s: {left:.1f} s)"),
    "counted_first": ("(bevisat genom räkning före sökningen, på {t:.1f} s)",
                      "(proven by counting before any search, in {t:.1f} s)"),
    "week_one": ("v. {a} {y}", "week {a} {y}"),
    "week_span": ("v. {a}–{b} {y}", "weeks {a}–{b} {y}"),
    "week_years": ("v. {a} {y}–v. {b} {z}", "week {a} {y} – week {b} {z}"),
}

LEAVE_NAMES = {"foraldraledighet": ("föräldraledighet", "parental leave"),
               "sjukskrivning": ("sjukskrivning", "sick leave"),
               "tjanstledighet": ("tjänstledighet", "unpaid leave"),
               "semester": ("semester", "vacation")}


def _t(key: str, lang: Lang, **kw: object) -> str:
    sv, en = TEXT[key]
    return (en if lang == "en" else sv).format(**kw)


def weeks_text(first: date, end: date, lang: Lang) -> str:
    """ISO weeks ``[first, end)`` as a coordinator writes them: ``v. 10–22 2027``."""
    last = end - timedelta(weeks=1) if end > first else first
    (y, a, _), (z, b, _) = first.isocalendar(), last.isocalendar()
    if a == b and y == z:
        return _t("week_one", lang, a=a, y=y)
    if y == z:
        return _t("week_span", lang, a=a, b=b, y=y)
    return _t("week_years", lang, a=a, y=y, b=b, z=z)


def _kind(inst: Instance, programme: str) -> str:
    p = inst.programme(programme)
    return p.kind if p.kind in ("AT", "BT") else p.id


def _unit(inst: Instance, uid: str) -> str:
    return f"{inst.unit(uid).name} ({uid})"


def _cap_in(inst: Instance, uid: str, first: date, end: date) -> int:
    u = inst.unit(uid)
    caps = [u.capacity_in_week(first + timedelta(weeks=k))
            for k in range(max(1, (end - first).days // 7))]
    return max((c or 0) for c in caps) if caps else (u.capacity or 0)


def render(inst: Instance, ex: Explanation, lang: Lang | None = None) -> list[str]:
    """The explanation as lines of text."""
    lang = lang or language()
    if ex.feasible:
        return [_t("feasible", lang)]
    if not ex.proven:
        return [_t("unknown", lang)] + ([ran_out_text(ex.ran_out, lang)] if ex.ran_out else [])
    lines = [_t("why", lang)]
    facts = {g: group_facts(inst, g) for g in ex.conflict}
    used: set[Group] = set()
    for sf in ex.counted:
        lines += ["  " + x for x in counted_lines(inst, sf, lang)]
        used.update(g for g in counted_groups(inst, [sf]) if g.kind != "locked")
    caps = [g for g in ex.conflict if g.kind == "capacity" and g not in used]
    reqs = [g for g in ex.conflict if g.kind == "requirement" and g not in used]
    # Headline: requirements of one discipline against the capacity of the units crediting it.
    for disc in sorted({d for g in reqs for d in facts[g]["disciplines"]}):
        mine = [g for g in reqs if disc in facts[g]["disciplines"]]
        units = [g for g in caps if disc in facts[g]["unit"].disciplines]
        if not mine or not units:
            continue
        first = min(facts[g]["start"] for g in mine)
        end = max(facts[g]["end"] for g in mine)
        kinds = sorted({_kind(inst, facts[g]["programme"].id) for g in mine})
        lines.append("  " + _t(
            "headline", lang, disc=discipline_name(disc, lang),
            weeks=weeks_text(first, end, lang), n=sum(facts[g]["count"] for g in mine),
            kind="/".join(kinds), w=_span(sorted({facts[g]["weeks"] for g in mine})),
            cap=sum(_cap_in(inst, g.who, first, end) for g in units),
            units=", ".join(g.who for g in units)))
        used.update(mine + units)
    for g in ex.conflict:
        if g in used:
            continue
        f = facts[g]
        if g.kind == "capacity":
            line = _t("capacity", lang, unit=_unit(inst, g.who), cap=f["capacity"])
        else:
            weeks = weeks_text(f["start"], f["end"], lang)
            common = {"who": g.who, "weeks": weeks}
            if g.kind == "requirement":
                disc = ", ".join(discipline_name(d, lang).lower() for d in f["disciplines"])
                line = _t("requirement", lang, **common, n=f["count"],
                          kind=_kind(inst, f["programme"].id), w=f["weeks"], disc=disc)
            elif g.kind == "block":
                line = _t("block", lang, **common, s=f["service"])
            elif g.kind == "locked":
                lk = f["locked"]
                line = _t("locked", lang, who=g.who, unit=_unit(inst, lk.unit),
                          weeks=weeks_text(lk.start, lk.end, lang))
            else:
                lv = f["leave"]
                name = LEAVE_NAMES.get(lv.kind, (lv.kind, lv.kind))[lang == "en"]
                line = _t("leave", lang, who=g.who, leave=name,
                          weeks=weeks_text(lv.start, lv.end, lang))
        lines.append("  " + line)
    if not ex.minimal and not ex.counted:
        lines.append("  " + _t("not_minimal", lang))
    lines.append(_t("fix", lang))
    if not ex.relaxations:
        lines.append("  " + _t("fix_none", lang))
    for r in ex.relaxations:
        lines.append("  " + relaxation_text(inst, r, lang))
    if ex.relaxations:
        lines.append("  " + _t("verified" if ex.relaxation_verified else "not_verified", lang))
    if ex.widened:
        lines.append("  " + _t("widened", lang))
    for r in ex.later_start:
        start = _start_of(inst, r.target) + timedelta(weeks=r.amount)
        lines.append(_t("alternative", lang, who=r.target, k=r.amount, start=start.isoformat()))
    if ex.ran_out:
        lines.append(ran_out_text(ex.ran_out, lang))
    return lines


def unreachable_lines(inst: Instance, file: str, lang: Lang) -> list[str]:
    """The input check (exit 2): a minimum no eligible unit can give during the block."""
    from scheduler.solver.counting import unreachable_requirements

    out = []
    for loc, prog, detail, weeks in unreachable_requirements(inst):
        p = inst.programme(prog)
        grp = next((g for g in p.group_requirements if g.name == detail), None)
        discs = grp.disciplines if grp else [detail]
        disc = " + ".join(discipline_name(d, lang).lower() for d in discs)
        out.append(_t("unreachable", lang, file=file, loc=loc, programme=prog, weeks=weeks,
                      disc=f"{disc} ({detail})"))
    return out


def note(key: str, lang: Lang, **kw: object) -> str:
    return _t(key, lang, **kw)


def ran_out_text(parts: list[str], lang: Lang) -> str:
    return _t("ran_out", lang, parts=", ".join(_t(f"part_{p}", lang) for p in parts))


def counted_lines(inst: Instance, sf: Shortfall, lang: Lang) -> list[str]:
    """A counting proof in the coordinator's words, with its arithmetic."""
    weeks = weeks_text(inst.week_date(sf.first), inst.week_date(sf.end), lang)
    if sf.kind == "locked":
        uid = sf.units[0]
        return [_t("locked_over", lang, unit=_unit(inst, uid), weeks=weeks, n=sf.demand,
                   cap=sf.supply)]
    names = [discipline_name(d, lang) for d in sf.disciplines]
    disc = " + ".join([names[0]] + [n.lower() for n in names[1:]])
    kinds = sorted({_kind(inst, d.programme) for d in sf.demands})
    head = _t("headline", lang, disc=disc, weeks=weeks, n=sum(d.count for d in sf.demands),
              kind="/".join(kinds), w=_span(sorted({d.forced for d in sf.demands})),
              cap=_span(sorted({sf.cap_low, sf.cap_high})), units=", ".join(sf.units))
    locked = _t("counted_locked", lang, n=len(sf.locked)) if sf.locked else ""
    return [head, "  " + _t("counted", lang, demand=sf.demand, supply=sf.supply, locked=locked,
                            deficit=sf.deficit)]


def _span(values: list[int]) -> str:
    return str(values[0]) if len(values) == 1 else f"{values[0]}–{values[-1]}"


def _start_of(inst: Instance, who: str) -> date:
    for c in inst.cohorts:
        if c.id == who:
            return c.start
    return next(t.start for t in inst.trainees if t.id == who)


def relaxation_text(inst: Instance, r: Relaxation, lang: Lang) -> str:
    if r.kind == "capacity":
        assert r.start is not None
        u = inst.unit(r.target)
        old = {u.capacity_in_week(r.start + timedelta(weeks=k)) or 0 for k in range(r.weeks)}
        was = (_t("fix_was", lang, a=min(old), b=min(old) + r.amount) if len(old) == 1
               else "")
        return _t("fix_capacity", lang, unit=_unit(inst, r.target), k=r.amount,
                  weeks=weeks_text(r.start, r.start + timedelta(weeks=r.weeks), lang), was=was)
    if r.kind == "unlock":
        return _t("fix_unlock", lang, who=r.target,
                  start=r.start.isoformat() if r.start else "")
    return _t("fix_longer", lang, programme=r.target, k=r.amount)
