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
    Unit,
    block_end,
    calendar_weeks,
    introduction_mondays,
)
from scheduler.i18n import Lang, discipline_name, last_day, tr, until_text, week_text
from scheduler.outputs import defuse_formulas, write_atomic
from scheduler.plan import Stint
from scheduler.report.printing import print_setup
from scheduler.workbook.schema import LEAVE_KINDS

BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
FULL_FILL = PatternFill("solid", fgColor="FFC000")
PLACED_FILL = PatternFill("solid", fgColor="9DC3E6")
DATE_FORMAT = "yyyy-mm-dd"


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

    wb = Workbook()
    about = wb.active
    assert about is not None
    about.title = tr("rosters.about", lang)
    _about_sheet(about, inst, u, mine, load, full, lang)
    ws = wb.create_sheet(tr("rosters.placed", lang))
    _placed_sheet(ws, inst, mine, names, lang)
    grid = wb.create_sheet(tr("rosters.weeks_sheet", lang))
    _weeks_sheet(grid, inst, u, mine, load, full, lang)
    fs = wb.create_sheet(tr("rosters.full_sheet", lang))
    _full_sheet(fs, inst, u, load, full, lang)
    return wb


def _about_sheet(about: Worksheet, inst: Instance, u: Unit, mine: list[Stint], load: dict,
                 full: list[date], lang: Lang) -> None:
    """The unit at a glance: site, disciplines, capacity, how many are placed."""
    site_name = {s.id: s.name for s in inst.sites}
    _header(about, 1, [tr("rosters.item", lang), tr("rosters.value", lang)])
    rows: list[tuple[str, object]] = [
        (tr("rosters.unit", lang), u.id), (tr("rosters.unit_name", lang), u.name),
        (tr("rosters.site", lang), f"{u.site} ({site_name.get(u.site, u.site)})"),
        (tr("rosters.disciplines", lang),
         ", ".join(discipline_name(d, lang) for d in u.disciplines)),
        (tr("rosters.capacity", lang),
         tr("rosters.unlimited", lang) if u.capacity is None else u.capacity),
        (tr("rosters.n_placed", lang), len({s.trainee for s in mine})),
        (tr("rosters.peak", lang), max(load.values(), default=0)),
        (tr("rosters.n_full", lang), len(full)),
    ]
    for i, (k, v) in enumerate(rows, start=2):
        about.cell(row=i, column=1, value=k).font = BOLD
        about.cell(row=i, column=2, value=v)
    _widths(about, [30, 50])
    print_setup(about, lang, inst.name, grid=False)


def _placed_sheet(ws: Worksheet, inst: Instance, mine: list[Stint], names: dict[str, str],
                  lang: Lang) -> None:
    """One row per stint at the unit; names only where the plan has them."""
    show_names = any(s.trainee in names for s in mine)
    people = {t.id: t for t in inst.all_trainees()}
    titles = [tr("rosters.trainee", lang)] + ([tr("rosters.name", lang)] if show_names else []) + [
        tr("rosters.programme", lang), tr("rosters.home_site", lang),
        tr("rosters.discipline", lang), tr("rosters.start", lang),
        tr("rosters.end", lang), tr("rosters.weeks", lang)]
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


def _weeks_sheet(grid: Worksheet, inst: Instance, u: Unit, mine: list[Stint], load: dict,
                 full: list[date], lang: Lang) -> None:
    """Who is placed which week, with the load, the capacity and the full weeks below."""
    weeks = _weeks(inst.horizon.start, inst.horizon.end)
    fixed = [tr("rosters.trainee", lang), tr("rosters.programme", lang)]
    _header(grid, 1, fixed + [week_label(d, lang) for d in weeks])
    grid.cell(row=2, column=1, value=tr("rosters.monday", lang)).font = BOLD
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
    grid.cell(row=base, column=1, value=tr("rosters.count", lang)).font = BOLD
    grid.cell(row=base + 1, column=1, value=tr("rosters.capacity", lang)).font = BOLD
    grid.cell(row=base + 2, column=1, value=tr("rosters.full", lang)).font = BOLD
    full_set = set(full)
    for d, c in col_of.items():
        grid.cell(row=base, column=c, value=load.get(d, 0))
        cap = u.capacity_in_week(d)
        grid.cell(row=base + 1, column=c,
                  value=tr("rosters.unlimited", lang) if cap is None else cap)
        if d in full_set:
            grid.cell(row=base + 2, column=c, value=tr("rosters.yes", lang)).fill = FULL_FILL
    _widths(grid, [16, 10] + [9] * len(weeks))
    grid.freeze_panes = grid.cell(row=3, column=first)
    print_setup(grid, lang, inst.name, grid=True, title_rows=2, title_cols="A:B")


def _full_sheet(fs: Worksheet, inst: Instance, u: Unit, load: dict, full: list[date],
                lang: Lang) -> None:
    """The runs of weeks at full capacity."""
    _header(fs, 1, [tr("rosters.start", lang), tr("rosters.end", lang), tr("rosters.weeks", lang),
                    tr("rosters.count", lang), tr("rosters.capacity", lang)])
    for i, (a, b) in enumerate(_runs(full), start=2):
        _date_cell(fs, i, 1, a)
        _date_cell(fs, i, 2, last_day(b))
        fs.cell(row=i, column=3, value=(b - a).days // 7)
        fs.cell(row=i, column=4, value=max(load.get(d, 0) for d in _weeks(a, b)))
        fs.cell(row=i, column=5, value=min(u.capacity_in_week(d) or 0 for d in _weeks(a, b)))
    _widths(fs, [12, 12, 8, 16, 12])
    print_setup(fs, lang, inst.name, grid=False)


def requirement_text(prog: Programme, discipline: str, part_time: int, lang: Lang) -> str:
    """The requirement(s) a stint credited as ``discipline`` counts towards."""
    parts = []
    name = discipline_name(discipline, lang)
    r = prog.requirement(discipline)
    if r is not None and r.min_weeks > 0:
        parts.append(tr("rosters.req_min", lang, name=name,
                        n=calendar_weeks(r.min_weeks, part_time)))
    else:
        parts.append(tr("rosters.req_none", lang, name=name))
    if r is not None and r.max_weeks is not None:
        parts[-1] += ", " + tr("rosters.req_max", lang, n=calendar_weeks(r.max_weeks, part_time))
    for g in prog.group_requirements:
        if discipline in g.disciplines and g.min_weeks > 0:
            parts.append(tr("rosters.req_min", lang, name=g.name,
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
    about.title = tr("rosters.trainee", lang).replace("/", "-")
    _header(about, 1, [tr("rosters.item", lang), tr("rosters.value", lang)])
    rows: list[tuple[str, object]] = [(tr("rosters.trainee", lang), trainee.id)]
    if trainee.id in names:
        rows.append((tr("rosters.name", lang), names[trainee.id]))
    rows += [(tr("rosters.programme", lang), f"{prog.id} ({prog.name})"),
             (tr("rosters.home_site", lang), trainee.site),
             (tr("rosters.part_time", lang), trainee.part_time),
             (tr("rosters.block_start", lang), trainee.start),
             (tr("rosters.block_end", lang), last_day(block_end(trainee, prog)))]
    for i, (k, v) in enumerate(rows, start=2):
        about.cell(row=i, column=1, value=k).font = BOLD
        if isinstance(v, date):
            _date_cell(about, i, 2, v)
        else:
            about.cell(row=i, column=2, value=v)
    _widths(about, [26, 50])
    print_setup(about, lang, inst.name, grid=False)

    ws = wb.create_sheet(tr("rosters.plan_sheet", lang))
    _header(ws, 1,
            [tr("rosters.start", lang), tr("rosters.end", lang), tr("rosters.weeks", lang),
             tr("rosters.unit", lang),
                    tr("rosters.unit_name", lang), tr("rosters.site", lang),
                    tr("rosters.discipline", lang),
                    tr("rosters.fulfils", lang)])
    entries: list[tuple[date, date, list[object]]] = [
        (s.start, s.end, [s.weeks, s.unit, unit_name.get(s.unit, s.unit), s.site,
                          discipline_name(s.discipline, lang),
                          requirement_text(prog, s.discipline, trainee.part_time, lang)])
        for s in mine]
    entries += [(lv.start, lv.end, [lv.weeks, None, tr("rosters.leave", lang, kind=(
        tr("rosters.leave_any", lang) if hide_leave_kind else
        LEAVE_KINDS[lv.kind][1] if lang == "en" else LEAVE_KINDS[lv.kind][0]))])
        for lv in trainee.leave if lv.kind in EXTENDING_LEAVE]
    entries += [(a, b, [(b - a).days // 7, None, tr("rosters.intro", lang, week=week_text(a, lang),
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

    rq = wb.create_sheet(tr("rosters.req_sheet", lang))
    _header(rq, 1,
            [tr("rosters.requirement", lang), tr("rosters.min", lang), tr("rosters.max", lang),
             tr("rosters.planned", lang), tr("rosters.met", lang)])
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
        met = tr("rosters.yes" if ok else "rosters.no", lang)
        for j, v in enumerate([name, lo_c, hi_c, got, met], 1):
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
    udir = out / tr("rosters.units_dir", lang)
    for u in inst.units:
        path = udir / f"{u.id}.xlsx"
        _save(unit_roster(inst, u.id, stints, names, lang), path)
        written.append(path)
    pdir = out / tr("rosters.people_dir", lang)
    for t in inst.all_trainees():
        path = pdir / f"{t.id}.xlsx"
        _save(personal_plan(inst, t, stints, names, lang, hide_leave_kind), path)
        written.append(path)
    return written
