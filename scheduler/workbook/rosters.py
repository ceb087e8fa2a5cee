"""Rosters from a plan: one workbook per unit for its clinic, one personal plan per trainee.

A unit's workbook lists who is placed there and when (sheet *Placerade*), a week grid with the
number placed, the capacity and whether it is full (*Veckor*), and the periods of full capacity
(*Full kapacitet*). A personal plan lists the trainee's stints in order with the requirement
each one fulfils, its introduction weeks (at no unit), leave that extends the block, and the
requirements with planned weeks.

Names are written only when the instance has them and the rosters are not pseudonymised: a
clinic needs to know who is coming; nothing else about the person is copied.
"""

from __future__ import annotations

import io as _io
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from scheduler.domain import (
    EXTENDING_LEAVE,
    Instance,
    Programme,
    Trainee,
    block_end,
    calendar_weeks,
    introduction_mondays,
)
from scheduler.i18n import Lang, discipline_name, last_day, until_text, week_text
from scheduler.outputs import defuse_formulas, write_atomic
from scheduler.plan import Stint
from scheduler.report.printing import print_setup
from scheduler.workbook.schema import LEAVE_KINDS

LABELS: dict[str, tuple[str, str]] = {
    "units_dir": ("enheter", "units"),
    "people_dir": ("personliga-planer", "personal-plans"),
    "about": ("Enhet", "Unit"),
    "placed": ("Placerade", "Placed"),
    "weeks_sheet": ("Veckor", "Weeks"),
    "full_sheet": ("Full kapacitet", "Full capacity"),
    "item": ("Uppgift", "Item"),
    "value": ("Värde", "Value"),
    "unit": ("Enhet", "Unit"),
    "unit_name": ("Enhetens namn", "Unit name"),
    "site": ("Ort", "Site"),
    "home_site": ("Hemort", "Home site"),
    "capacity": ("Kapacitet", "Capacity"),
    "unlimited": ("obegränsad", "unlimited"),
    "disciplines": ("Discipliner", "Disciplines"),
    "trainee": ("AT/BT-läkare", "Trainee"),
    "name": ("Namn", "Name"),
    "programme": ("Program", "Programme"),
    "discipline": ("Disciplin", "Discipline"),
    "start": ("Från", "From"),
    "end": ("T.o.m.", "Until (incl.)"),
    "weeks": ("Veckor", "Weeks"),
    "week": ("Vecka", "Week"),
    "monday": ("Måndag", "Monday"),
    "count": ("Antal placerade", "Placed"),
    "full": ("Full", "Full"),
    "yes": ("ja", "yes"),
    "no": ("nej", "no"),
    "n_placed": ("AT/BT-läkare under perioden", "Trainees in the period"),
    "n_full": ("Veckor med full kapacitet", "Weeks at full capacity"),
    "peak": ("Som mest placerade", "Most placed"),
    "plan_sheet": ("Plan", "Plan"),
    "req_sheet": ("Krav", "Requirements"),
    "part_time": ("Sysselsättningsgrad (%)", "Part time (%)"),
    "block_start": ("Blockets start", "Block start"),
    "block_end": ("Blockets slut (t.o.m.)", "Block end (incl.)"),
    "fulfils": ("Uppfyller krav", "Fulfils requirement"),
    "leave": ("Ledighet (förlänger blocket): {kind}", "Leave (extends the block): {kind}"),
    "leave_any": ("ledig", "on leave"),
    "intro": ("Introduktion {week} – {until} (ingen enhet, räknas som tjänstgöring)",
              "Introduction {week} – {until} (no unit, counts as service)"),
    "req_min": ("{name}: minst {n} veckor", "{name}: at least {n} weeks"),
    "req_max": ("högst {n} veckor", "at most {n} weeks"),
    "req_none": ("{name}", "{name}"),
    "requirement": ("Krav", "Requirement"),
    "min": ("Minst (veckor)", "Min (weeks)"),
    "max": ("Högst (veckor)", "Max (weeks)"),
    "planned": ("Planerat (veckor)", "Planned (weeks)"),
    "met": ("Uppfyllt", "Met"),
}

BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
FULL_FILL = PatternFill("solid", fgColor="FFC000")
PLACED_FILL = PatternFill("solid", fgColor="9DC3E6")
DATE_FORMAT = "yyyy-mm-dd"


def _l(key: str, lang: Lang, **kw: object) -> str:
    sv, en = LABELS[key]
    text = en if lang == "en" else sv
    return text.format(**kw) if kw else text


def week_label(d: date, lang: Lang) -> str:
    return week_text(d, lang)


def _header(ws: Worksheet, row: int, titles: list[str]) -> None:
    for j, t in enumerate(titles, start=1):
        c = ws.cell(row=row, column=j, value=t)
        c.font = BOLD
        c.fill = HEAD_FILL


def _widths(ws: Worksheet, widths: Sequence[float]) -> None:
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w


def _date_cell(ws: Worksheet, row: int, col: int, d: date) -> None:
    ws.cell(row=row, column=col, value=d).number_format = DATE_FORMAT


def _save(wb: Workbook, path: Path) -> None:
    buf = _io.BytesIO()
    defuse_formulas(wb).save(buf)  # names are text, never formulas
    write_atomic(path, buf.getvalue())


def _weeks(start: date, end: date) -> list[date]:
    return [start + timedelta(weeks=k) for k in range((end - start).days // 7)]


def unit_load(inst: Instance, stints: list[Stint]) -> dict[str, dict[date, int]]:
    """Trainees placed per unit and week (Monday)."""
    load: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for s in stints:
        for d in _weeks(s.start, s.end):
            load[s.unit][d] += 1
    return load


def full_weeks(inst: Instance, unit_id: str, load: dict[date, int]) -> list[date]:
    """Weeks of the horizon in which the unit is at (or over) its capacity."""
    u = inst.unit(unit_id)
    out = []
    for d in _weeks(inst.horizon.start, inst.horizon.end):
        cap = u.capacity_in_week(d)
        if cap is not None and load.get(d, 0) >= cap and load.get(d, 0) > 0:
            out.append(d)
    return out


def _runs(weeks: list[date]) -> list[tuple[date, date]]:
    runs: list[tuple[date, date]] = []
    for d in weeks:
        if runs and runs[-1][1] == d:
            runs[-1] = (runs[-1][0], d + timedelta(weeks=1))
        else:
            runs.append((d, d + timedelta(weeks=1)))
    return runs


def unit_roster(inst: Instance, unit_id: str, stints: list[Stint], names: dict[str, str],
                lang: Lang) -> Workbook:
    """The clinic's workbook for one unit; ``stints`` are the plan's stints (all units)."""
    u = inst.unit(unit_id)
    mine = sorted((s for s in stints if s.unit == unit_id), key=lambda s: (s.start, s.trainee))
    load = unit_load(inst, mine)[unit_id]
    full = full_weeks(inst, unit_id, load)
    site_name = {s.id: s.name for s in inst.sites}
    show_names = any(s.trainee in names for s in mine)
    people = {t.id: t for t in inst.all_trainees()}

    wb = Workbook()
    about = wb.active
    assert about is not None
    about.title = _l("about", lang)
    _header(about, 1, [_l("item", lang), _l("value", lang)])
    rows: list[tuple[str, object]] = [
        (_l("unit", lang), u.id), (_l("unit_name", lang), u.name),
        (_l("site", lang), f"{u.site} ({site_name.get(u.site, u.site)})"),
        (_l("disciplines", lang), ", ".join(discipline_name(d, lang) for d in u.disciplines)),
        (_l("capacity", lang), _l("unlimited", lang) if u.capacity is None else u.capacity),
        (_l("n_placed", lang), len({s.trainee for s in mine})),
        (_l("peak", lang), max(load.values(), default=0)),
        (_l("n_full", lang), len(full)),
    ]
    for i, (k, v) in enumerate(rows, start=2):
        about.cell(row=i, column=1, value=k).font = BOLD
        about.cell(row=i, column=2, value=v)
    _widths(about, [30, 50])
    print_setup(about, lang, inst.name, grid=False)

    ws = wb.create_sheet(_l("placed", lang))
    titles = [_l("trainee", lang)] + ([_l("name", lang)] if show_names else []) + [
        _l("programme", lang), _l("home_site", lang), _l("discipline", lang), _l("start", lang),
        _l("end", lang), _l("weeks", lang)]
    _header(ws, 1, titles)
    for i, s in enumerate(mine, start=2):
        vals: list[object] = [s.trainee] + ([names.get(s.trainee)] if show_names else [])
        home = people[s.trainee].site if s.trainee in people else s.site
        vals += [s.programme, home, discipline_name(s.discipline, lang)]
        for j, v in enumerate(vals, start=1):
            ws.cell(row=i, column=j, value=v)
        _date_cell(ws, i, len(vals) + 1, s.start)
        _date_cell(ws, i, len(vals) + 2, last_day(s.end))
        ws.cell(row=i, column=len(vals) + 3, value=s.weeks)
    _widths(ws, [16] + ([28] if show_names else []) + [10, 10, 20, 12, 12, 8])
    ws.freeze_panes = "A2"
    print_setup(ws, lang, inst.name, grid=False)

    grid = wb.create_sheet(_l("weeks_sheet", lang))
    weeks = _weeks(inst.horizon.start, inst.horizon.end)
    fixed = [_l("trainee", lang), _l("programme", lang)]
    _header(grid, 1, fixed + [week_label(d, lang) for d in weeks])
    grid.cell(row=2, column=1, value=_l("monday", lang)).font = BOLD
    first = len(fixed) + 1
    col_of = {d: first + k for k, d in enumerate(weeks)}
    for d, c in col_of.items():
        _date_cell(grid, 2, c, d)
    order = sorted({s.trainee for s in mine},
                   key=lambda t: min(s.start for s in mine if s.trainee == t))
    row_of = {t: 3 + k for k, t in enumerate(order)}
    for t, r in row_of.items():
        grid.cell(row=r, column=1, value=t)
        grid.cell(row=r, column=2, value=next(s.programme for s in mine if s.trainee == t))
    for s in mine:
        for d in _weeks(s.start, s.end):
            if d in col_of:
                c = grid.cell(row=row_of[s.trainee], column=col_of[d], value=s.discipline)
                c.fill = PLACED_FILL
    base = 3 + len(order)
    grid.cell(row=base, column=1, value=_l("count", lang)).font = BOLD
    grid.cell(row=base + 1, column=1, value=_l("capacity", lang)).font = BOLD
    grid.cell(row=base + 2, column=1, value=_l("full", lang)).font = BOLD
    full_set = set(full)
    for d, c in col_of.items():
        grid.cell(row=base, column=c, value=load.get(d, 0))
        cap = u.capacity_in_week(d)
        grid.cell(row=base + 1, column=c, value=_l("unlimited", lang) if cap is None else cap)
        if d in full_set:
            grid.cell(row=base + 2, column=c, value=_l("yes", lang)).fill = FULL_FILL
    _widths(grid, [16, 10] + [9] * len(weeks))
    grid.freeze_panes = grid.cell(row=3, column=first)
    print_setup(grid, lang, inst.name, grid=True, title_rows=2, title_cols="A:B")

    fs = wb.create_sheet(_l("full_sheet", lang))
    _header(fs, 1, [_l("start", lang), _l("end", lang), _l("weeks", lang),
                    _l("count", lang), _l("capacity", lang)])
    for i, (a, b) in enumerate(_runs(full), start=2):
        _date_cell(fs, i, 1, a)
        _date_cell(fs, i, 2, last_day(b))
        fs.cell(row=i, column=3, value=(b - a).days // 7)
        fs.cell(row=i, column=4, value=max(load.get(d, 0) for d in _weeks(a, b)))
        fs.cell(row=i, column=5, value=min(u.capacity_in_week(d) or 0 for d in _weeks(a, b)))
    _widths(fs, [12, 12, 8, 16, 12])
    print_setup(fs, lang, inst.name, grid=False)
    return wb


def requirement_text(prog: Programme, discipline: str, part_time: int, lang: Lang) -> str:
    """The requirement(s) a stint credited as ``discipline`` counts towards."""
    parts = []
    name = discipline_name(discipline, lang)
    r = prog.requirement(discipline)
    if r is not None and r.min_weeks > 0:
        parts.append(_l("req_min", lang, name=name, n=calendar_weeks(r.min_weeks, part_time)))
    else:
        parts.append(_l("req_none", lang, name=name))
    if r is not None and r.max_weeks is not None:
        parts[-1] += ", " + _l("req_max", lang, n=calendar_weeks(r.max_weeks, part_time))
    for g in prog.group_requirements:
        if discipline in g.disciplines and g.min_weeks > 0:
            parts.append(_l("req_min", lang, name=g.name,
                            n=calendar_weeks(g.min_weeks, part_time)))
    return "; ".join(parts)


def personal_plan(inst: Instance, trainee: Trainee, stints: list[Stint], names: dict[str, str],
                  lang: Lang, hide_leave_kind: bool = False) -> Workbook:
    """``hide_leave_kind`` (pseudonymised): leave is shown as "ledig", never its kind (sick
    leave is health data)."""
    prog = inst.programme(trainee.programme)
    mine = sorted((s for s in stints if s.trainee == trainee.id), key=lambda s: s.start)
    unit_name = {u.id: u.name for u in inst.units}
    wb = Workbook()
    about = wb.active
    assert about is not None
    about.title = _l("trainee", lang).replace("/", "-")
    _header(about, 1, [_l("item", lang), _l("value", lang)])
    rows: list[tuple[str, object]] = [(_l("trainee", lang), trainee.id)]
    if trainee.id in names:
        rows.append((_l("name", lang), names[trainee.id]))
    rows += [(_l("programme", lang), f"{prog.id} ({prog.name})"),
             (_l("home_site", lang), trainee.site),
             (_l("part_time", lang), trainee.part_time),
             (_l("block_start", lang), trainee.start),
             (_l("block_end", lang), last_day(block_end(trainee, prog)))]
    for i, (k, v) in enumerate(rows, start=2):
        about.cell(row=i, column=1, value=k).font = BOLD
        if isinstance(v, date):
            _date_cell(about, i, 2, v)
        else:
            about.cell(row=i, column=2, value=v)
    _widths(about, [26, 50])
    print_setup(about, lang, inst.name, grid=False)

    ws = wb.create_sheet(_l("plan_sheet", lang))
    _header(ws, 1, [_l("start", lang), _l("end", lang), _l("weeks", lang), _l("unit", lang),
                    _l("unit_name", lang), _l("site", lang), _l("discipline", lang),
                    _l("fulfils", lang)])
    entries: list[tuple[date, date, list[object]]] = [
        (s.start, s.end, [s.weeks, s.unit, unit_name.get(s.unit, s.unit), s.site,
                          discipline_name(s.discipline, lang),
                          requirement_text(prog, s.discipline, trainee.part_time, lang)])
        for s in mine]
    entries += [(lv.start, lv.end, [lv.weeks, None, _l("leave", lang, kind=(
        _l("leave_any", lang) if hide_leave_kind else
        LEAVE_KINDS[lv.kind][1] if lang == "en" else LEAVE_KINDS[lv.kind][0]))])
        for lv in trainee.leave if lv.kind in EXTENDING_LEAVE]
    entries += [(a, b, [(b - a).days // 7, None, _l("intro", lang, week=week_text(a, lang),
                                                   until=until_text(b, lang))])
                for a, b in _runs(introduction_mondays(trainee, prog))]
    for i, (a, b, vals) in enumerate(sorted(entries, key=lambda e: e[0]), start=2):
        _date_cell(ws, i, 1, a)
        _date_cell(ws, i, 2, last_day(b))
        for j, v in enumerate(vals, start=3):
            ws.cell(row=i, column=j, value=v)
    _widths(ws, [12, 12, 8, 12, 36, 8, 20, 60])
    ws.freeze_panes = "A2"
    print_setup(ws, lang, inst.name, grid=False, landscape=True)

    rq = wb.create_sheet(_l("req_sheet", lang))
    _header(rq, 1, [_l("requirement", lang), _l("min", lang), _l("max", lang),
                    _l("planned", lang), _l("met", lang)])
    weeks: dict[str, int] = defaultdict(int)
    for s in mine:
        weeks[s.discipline] += s.weeks
    pt = trainee.part_time
    reqs = [(discipline_name(r.discipline, lang), r.min_weeks, r.max_weeks, weeks[r.discipline])
            for r in prog.requirements]
    reqs += [(g.name, g.min_weeks, g.max_weeks, sum(weeks[d] for d in g.disciplines))
             for g in prog.group_requirements]
    for i, (name, lo, hi, got) in enumerate(reqs, start=2):
        lo_c = calendar_weeks(lo, pt)
        hi_c = None if hi is None else calendar_weeks(hi, pt)
        ok = got >= lo_c and (hi_c is None or got <= hi_c)
        for j, v in enumerate([name, lo_c, hi_c, got, _l("yes" if ok else "no", lang)], 1):
            rq.cell(row=i, column=j, value=v)
    _widths(rq, [34, 14, 14, 16, 10])
    print_setup(rq, lang, inst.name, grid=False)
    return wb


def write_rosters(inst: Instance, stints: list[Stint], out: Path, lang: Lang = "sv",
                  names: dict[str, str] | None = None,
                  hide_leave_kind: bool = False) -> list[Path]:
    """Write every unit's roster and every trainee's personal plan under ``out``."""
    names = names or {}
    written: list[Path] = []
    udir = out / _l("units_dir", lang)
    for u in inst.units:
        path = udir / f"{u.id}.xlsx"
        _save(unit_roster(inst, u.id, stints, names, lang), path)
        written.append(path)
    pdir = out / _l("people_dir", lang)
    for t in inst.all_trainees():
        path = pdir / f"{t.id}.xlsx"
        _save(personal_plan(inst, t, stints, names, lang, hide_leave_kind), path)
        written.append(path)
    return written
