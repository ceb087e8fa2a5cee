"""``atbt explain``: say in domain words why no plan exists and what would give one.

The search is in :mod:`scheduler.solver.explain`; this module words its findings for the
coordinator (Swedish by default, English with ``lang="en"``).
"""

from __future__ import annotations

from datetime import date, timedelta

from scheduler.domain import Instance
from scheduler.i18n import Lang, discipline_name, has_text, language, tr
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

def weeks_text(first: date, end: date, lang: Lang) -> str:
    """ISO weeks ``[first, end)`` as a coordinator writes them: ``v. 10–22 2027``."""
    last = end - timedelta(weeks=1) if end > first else first
    (y, a, _), (z, b, _) = first.isocalendar(), last.isocalendar()
    if a == b and y == z:
        return tr("explanation.week_one", lang, a=a, y=y)
    if y == z:
        return tr("explanation.week_span", lang, a=a, b=b, y=y)
    return tr("explanation.week_years", lang, a=a, y=y, b=b, z=z)


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
        return [tr("explanation.feasible", lang)]
    if not ex.proven:
        return [tr("explanation.unknown",
                   lang)] + ([ran_out_text(ex.ran_out, lang)] if ex.ran_out else [])
    lines = [tr("explanation.why", lang)]
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
        lines.append("  " + tr(
            "explanation.headline", lang, disc=discipline_name(disc, lang),
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
            line = tr("explanation.capacity", lang, unit=_unit(inst, g.who), cap=f["capacity"])
        else:
            weeks = weeks_text(f["start"], f["end"], lang)
            common = {"who": g.who, "weeks": weeks}
            if g.kind == "requirement":
                disc = ", ".join(discipline_name(d, lang).lower() for d in f["disciplines"])
                line = tr("explanation.requirement", lang, **common, n=f["count"],
                          kind=_kind(inst, f["programme"].id), w=f["weeks"], disc=disc)
            elif g.kind == "block":
                line = tr("explanation.block", lang, **common, s=f["service"])
            elif g.kind == "locked":
                lk = f["locked"]
                line = tr("explanation.locked", lang, who=g.who, unit=_unit(inst, lk.unit),
                          weeks=weeks_text(lk.start, lk.end, lang))
            else:
                lv = f["leave"]
                key = f"explanation.leave_kind_{lv.kind}"
                name = tr(key, lang) if has_text(key) else lv.kind
                line = tr("explanation.leave", lang, who=g.who, leave=name,
                          weeks=weeks_text(lv.start, lv.end, lang))
        lines.append("  " + line)
    if not ex.minimal and not ex.counted:
        lines.append("  " + tr("explanation.not_minimal", lang))
    lines.append(tr("explanation.fix", lang))
    if not ex.relaxations:
        lines.append("  " + tr("explanation.fix_none", lang))
    for r in ex.relaxations:
        lines.append("  " + relaxation_text(inst, r, lang))
    if ex.relaxations:
        key = "verified" if ex.relaxation_verified else "not_verified"
        lines.append("  " + tr(f"explanation.{key}", lang))
    if ex.widened:
        lines.append("  " + tr("explanation.widened", lang))
    for r in ex.later_start:
        start = _start_of(inst, r.target) + timedelta(weeks=r.amount)
        lines.append(tr("explanation.alternative", lang, who=r.target, k=r.amount,
                        start=start.isoformat()))
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
        out.append(tr("explanation.unreachable", lang, file=file, loc=loc, programme=prog,
                      weeks=weeks,
                      disc=f"{disc} ({detail})"))
    return out


def note(key: str, lang: Lang, **kw: object) -> str:
    return tr(f"explanation.{key}", lang, **kw)


def ran_out_text(parts: list[str], lang: Lang) -> str:
    return tr("explanation.ran_out", lang,
              parts=", ".join(tr(f"explanation.part_{p}", lang) for p in parts))


def counted_lines(inst: Instance, sf: Shortfall, lang: Lang) -> list[str]:
    """A counting proof in the coordinator's words, with its arithmetic."""
    weeks = weeks_text(inst.week_date(sf.first), inst.week_date(sf.end), lang)
    if sf.kind == "locked":
        uid = sf.units[0]
        return [tr("explanation.locked_over", lang, unit=_unit(inst, uid), weeks=weeks, n=sf.demand,
                   cap=sf.supply)]
    names = [discipline_name(d, lang) for d in sf.disciplines]
    disc = " + ".join([names[0]] + [n.lower() for n in names[1:]])
    kinds = sorted({_kind(inst, d.programme) for d in sf.demands})
    head = tr("explanation.headline", lang, disc=disc, weeks=weeks,
              n=sum(d.count for d in sf.demands),
              kind="/".join(kinds), w=_span(sorted({d.forced for d in sf.demands})),
              cap=_span(sorted({sf.cap_low, sf.cap_high})), units=", ".join(sf.units))
    locked = tr("explanation.counted_locked", lang, n=len(sf.locked)) if sf.locked else ""
    return [head,
            "  " + tr("explanation.counted", lang, demand=sf.demand, supply=sf.supply,
                      locked=locked,
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
        was = (tr("explanation.fix_was", lang, a=min(old), b=min(old) + r.amount) if len(old) == 1
               else "")
        return tr("explanation.fix_capacity", lang, unit=_unit(inst, r.target), k=r.amount,
                  weeks=weeks_text(r.start, r.start + timedelta(weeks=r.weeks), lang), was=was)
    if r.kind == "unlock":
        return tr("explanation.fix_unlock", lang, who=r.target,
                  start=r.start.isoformat() if r.start else "")
    return tr("explanation.fix_longer", lang, programme=r.target, k=r.amount)
