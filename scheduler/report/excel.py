"""The coordinator's workbook (plan.xlsx): plan grid, unit load, requirements, stints, run.

Built in memory and written with :func:`scheduler.outputs.write_atomic`, so a failed run never
leaves a half-written workbook in place of the last good one. Labels are Swedish by default,
English with ``lang="en"``. Trainee names are personal data and are never written: ids only.

Speed matters (about 200 trainees x 200 weeks): every fill, font and alignment is created once at
module level and shared, and cells that look alike copy one prototype's style index.
"""

from __future__ import annotations

import io as _io
from collections import Counter, defaultdict
from copy import copy
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from scheduler.domain import (
    AKUT,
    ALLMANMEDICIN,
    FORSKNING,
    KIRURGI,
    MEDICIN,
    PSYKIATRI,
    VALFRI,
    Instance,
    Trainee,
    Weights,
    block_end,
    calendar_weeks,
    extending_leave_mondays,
    introduction_mondays,
)
from scheduler.i18n import Lang, discipline_name, has_text, language, last_day, tr, week_text
from scheduler.outputs import defuse_formulas, write_atomic
from scheduler.plan import Stint
from scheduler.report.names import by_start, short_names
from scheduler.report.printing import print_setup
from scheduler.result import Result

# --------------------------------------------------------------------------------------------
# Labels (sv, en). Kept here rather than in i18n.MESSAGES: they are only used by the workbook.

# The solver describes its method in English (run.json keeps that); the Run sheet says it in
# the workbook's language. Longer phrases first, so that none is cut by a shorter one.
METHOD_SV = (
    ("construction + repair + one-trainee re-plans counted in work (deterministic)",
     "konstruktion + reparation + omplanering en läkare i taget, räknat i arbete "
     "(reproducerbart)"),
    ("first plan by placement and repair", "första plan genom placering och reparation"),
    ("neighbourhood search", "grannskapssökning"),
    ("(two pipelines)", "(två parallella spår)"),
    ("direct bound", "direkt undre gräns"),
    ("interval model for the bound", "intervallmodell för den undre gränsen"),
    ("interval model (warm start)", "intervallmodell (varmstart)"),
    ("interval model", "intervallmodell"),
    ("polish", "finslipning"),
    ("re-plan: history fixed, least change (neighbourhood, then all), then",
     "omplanering: historiken låst, minsta ändring (grannskap, sedan alla), sedan"),
    ("unit changes", "enhetsbyten"),
    ("counting", "räkning"),
)


def method_text(method: str, lang: Lang) -> str:
    """The solver's method string in the workbook's language (unknown parts stay as they are)."""
    if lang == "en":
        return method
    for en, sv in METHOD_SV:
        method = method.replace(en, sv)
    return method


# --------------------------------------------------------------------------------------------
# Shared styles: one object each, created once.

DISCIPLINE_COLOURS: dict[str, str] = {
    MEDICIN: "9DC3E6",  # blue
    KIRURGI: "A9D18E",  # green
    PSYKIATRI: "C9B3E6",  # lilac
    ALLMANMEDICIN: "FFD966",  # yellow
    AKUT: "F4B183",  # orange
    VALFRI: "8FD9D0",  # teal
    FORSKNING: "D9C3A5",  # tan
}
OTHER_COLOUR = "D0D0D0"
LEAVE_COLOUR = "F2F2F2"
INTRO_COLOUR = "E7E6E6"  # neutral: service, but at no unit and in no discipline
RED = "FF7C80"
AMBER = "FFC000"
GREEN = "C6EFCE"
RED_LIGHT = "FFC7CE"


def _solid(colour: str) -> PatternFill:
    return PatternFill("solid", start_color=colour, end_color=colour)


_FILLS = {d: _solid(c) for d, c in DISCIPLINE_COLOURS.items()}
_FILL_OTHER = _solid(OTHER_COLOUR)
# A light hatch reads as "absent" in colour and in greyscale print.
_FILL_LEAVE = PatternFill("lightUp", fgColor="BFBFBF", bgColor=LEAVE_COLOUR)
_FILL_INTRO = _solid(INTRO_COLOUR)
_FILL_HEADER = _solid("DDEBF7")
_FILL_RED = _solid(RED)
_FILL_AMBER = _solid(AMBER)
_FILL_OK = _solid(GREEN)
_FILL_NOT_OK = _solid(RED_LIGHT)

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=12)
_GRID_FONT = Font(size=8)
_GRID_FONT_VACATION = Font(size=8, italic=True)
_GREY_FONT = Font(size=8, color="A6A6A6")
_SMALL = Font(size=8)
_SMALL_BOLD = Font(size=8, bold=True)
_NOTE = Font(italic=True, color="595959")

_CENTER = Alignment(horizontal="center", vertical="center")
_ROTATED = Alignment(horizontal="center", vertical="bottom", text_rotation=90)
_HEAD = Alignment(vertical="bottom", wrap_text=True)
_THIN = Side(style="thin", color="BFBFBF")
_GRID_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)

# Print-ready grid: month bands, summer shading, a band row per start, a dark
# border where a stint begins, a red line at today.
_BAND = Alignment(horizontal="center", vertical="center")
_LEFT = Alignment(horizontal="left", vertical="center")
_FILL_MONTH = (_solid("DDEBF7"), _solid("BDD7EE"))
_MONTH_SIDE = Side(style="thin", color="808080")
_MONTH_BORDER = Border(left=_MONTH_SIDE, right=_MONTH_SIDE, top=_MONTH_SIDE, bottom=_MONTH_SIDE)
SUMMER = "FCE4D6"
_FILL_SUMMER_HEAD = _solid("F8CBAD")
_FILL_SUMMER = _solid(SUMMER)
_FILL_START_BAND = _solid("D9D9D9")
_STINT_SIDE = Side(style="medium", color="262626")
TODAY = "C00000"
_TODAY_SIDE = Side(style="thick", color=TODAY)
# Vacation inside a stint: a dotted pattern over the discipline colour (reads in greyscale).
_VACATION_FILLS = {d: PatternFill("gray125", fgColor="7F7F7F", bgColor=c)
                   for d, c in DISCIPLINE_COLOURS.items()}
_VACATION_OTHER = PatternFill("gray125", fgColor="7F7F7F", bgColor=OTHER_COLOUR)


def _grid_border(stint_start: bool, today: bool, last: bool = False) -> Border:
    """Thin grey all round; a dark left edge where a stint begins (and a dark right edge on the
    block's last week); a thick red left edge in the week of today."""
    left = _TODAY_SIDE if today else _STINT_SIDE if stint_start else _THIN
    return Border(left=left, right=_STINT_SIDE if last else _THIN, top=_THIN, bottom=_THIN)


DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT = "0%"
PERCENT_1 = "0.0%"
PERCENT_2 = "0.00%"

TERM_ORDER = list(Weights.model_fields)


class _StyleCache:
    """Copies one prototype cell's style index to look-alike cells.

    Assigning ``cell.fill = ...`` makes openpyxl hash and look up the style objects per cell; a
    copied style array is a few integers, which keeps 40 000 grid cells well under a second.
    """

    def __init__(self) -> None:
        self._protos: dict[tuple, object] = {}

    def apply(self, cell, key: tuple, **style: object) -> None:
        proto = self._protos.get(key)
        if proto is None:
            for name, value in style.items():
                setattr(cell, name, value)
            self._protos[key] = cell._style  # noqa: SLF001 (openpyxl: shared style array)
        else:
            cell._style = copy(proto)  # noqa: SLF001 (openpyxl: shared style array)


# --------------------------------------------------------------------------------------------
# Public API


def write_workbook(instance: Instance, result: Result, path: Path, lang: Lang | None = None,
                   violations: list | None = None, overruns: list | None = None) -> None:
    """Write the coordinator's workbook for ``result`` to ``path`` atomically.

    ``violations`` are the checker's findings for the plan (shown as a count, 0 expected, and
    listed on the run sheet); ``None`` means the plan was not checked.
    """
    data = build_workbook(instance, result, lang=lang, violations=violations, overruns=overruns)
    write_atomic(Path(path), data)


def build_workbook(instance: Instance, result: Result, lang: Lang | None = None,
                   violations: list | None = None, overruns: list | None = None) -> bytes:
    """The workbook as bytes (``.xlsx``), built entirely in memory."""
    lang = lang or language()
    trainees = instance.all_trainees()
    by_trainee: dict[str, list[Stint]] = defaultdict(list)
    for s in sorted(result.stints):
        by_trainee[s.trainee].append(s)

    wb = Workbook()
    ws_plan = wb.active
    ws_plan.title = tr("excel.sheet_plan", lang)
    today = date.fromisoformat(result.today) if result.today else None
    _plan_sheet(ws_plan, instance, trainees, by_trainee, lang, today)
    _load_sheet(wb.create_sheet(tr("excel.sheet_load", lang)), instance, result.stints, lang)
    _requirements_sheet(wb.create_sheet(tr("excel.sheet_req", lang)), instance, trainees,
                        by_trainee, lang)
    _stints_sheet(wb.create_sheet(tr("excel.sheet_stints", lang)), instance, result.stints, lang)
    _run_sheet(wb.create_sheet(tr("excel.sheet_run", lang)), instance, result, len(trainees),
               violations, lang)
    if overruns is not None:  # solve --soft-capacity: where supervisors are missing
        _overrun_sheet(wb.create_sheet(tr("excel.sheet_overruns", lang)), instance, overruns, lang)
    from scheduler.report import fairness

    if fairness.wanted(instance) and result.stints:  # Önskemål and Rättvisa
        fairness.add_sheets(wb, instance, result.stints, lang)
    # A fixed author: the file's metadata names the tool, never a person.
    wb.properties.creator = "atbt-scheduler"
    wb.properties.lastModifiedBy = "atbt-scheduler"
    buf = _io.BytesIO()
    defuse_formulas(wb).save(buf)  # names are text, never formulas
    return buf.getvalue()


# --------------------------------------------------------------------------------------------
# Helpers


HEAD_ROWS = 3  # month band, ISO week, Monday; data starts on row 4
# ISO weeks 26-32: the main Swedish summer holiday, when units run on summer staffing.
SUMMER_WEEKS = range(26, 33)


def is_summer(monday: date) -> bool:
    return monday.isocalendar()[1] in SUMMER_WEEKS


def _week_headers(ws: Worksheet, instance: Instance, first_col: int, lang: Lang) -> None:
    """Three header rows over the week columns: a band per month, the ISO week as people
    write it ("v. 19 2028"), the Monday as a date. Summer weeks are shaded."""
    ws.row_dimensions[1].height = 15
    ws.row_dimensions[2].height = 52
    ws.row_dimensions[3].height = 52
    mondays = [instance.week_date(w) for w in range(instance.n_weeks)]
    w = 0
    while w < len(mondays):  # one merged, labelled band per run of weeks in a month
        month = mondays[w]
        end = w
        while end + 1 < len(mondays) and mondays[end + 1].month == month.month:
            end += 1
        band = ws.cell(row=1, column=first_col + w,
                       value=f"{tr(f'dates.month_{month.month:02d}', lang)} {month.year}")
        band.font = _SMALL_BOLD
        band.alignment = _BAND
        band.fill = _FILL_MONTH[month.month % 2]
        band.border = _MONTH_BORDER
        if end > w:
            ws.merge_cells(start_row=1, start_column=first_col + w, end_row=1,
                           end_column=first_col + end)
        w = end + 1
    for w, monday in enumerate(mondays):
        col = first_col + w
        fill = _FILL_SUMMER_HEAD if is_summer(monday) else _FILL_HEADER
        c1 = ws.cell(row=2, column=col, value=week_text(monday, lang))
        c1.font = _SMALL
        c1.alignment = _ROTATED
        c1.fill = fill
        c2 = ws.cell(row=3, column=col, value=monday)
        c2.number_format = DATE_FORMAT
        c2.font = _SMALL
        c2.alignment = _ROTATED
        c2.fill = fill


def _left_headers(ws: Worksheet, titles: list[str], widths: list[float]) -> None:
    """Column titles spanning both header rows on the left of a week grid."""
    for i, (title, width) in enumerate(zip(titles, widths, strict=True), start=1):
        cell = ws.cell(row=1, column=i, value=title)
        cell.font = _BOLD
        cell.alignment = _HEAD
        cell.fill = _FILL_HEADER
        ws.merge_cells(start_row=1, start_column=i, end_row=HEAD_ROWS, end_column=i)
        ws.column_dimensions[get_column_letter(i)].width = width


def _header_row(ws: Worksheet, row: int, titles: list[str]) -> None:
    for i, title in enumerate(titles, start=1):
        cell = ws.cell(row=row, column=i, value=title)
        cell.font = _BOLD
        cell.fill = _FILL_HEADER
        cell.alignment = _HEAD


def _set_widths(ws: Worksheet, widths: list[float]) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


WEEK_WIDTH = 2.7  # a short name (8 characters) spans about three weeks at 8 pt


def _vacation_weeks(trainee: Trainee) -> set[date]:
    weeks: set[date] = set()
    for lv in trainee.leave:
        if lv.kind == "semester":
            d = lv.start
            while d < lv.end:
                weeks.add(d)
                d += timedelta(weeks=1)
    return weeks


def _week_range(instance: Instance, start: date, end: date) -> range:
    """Horizon week indices covered by ``[start, end)``, clipped to the horizon."""
    return range(max(0, instance.week_index(start)),
                 min(instance.n_weeks, instance.week_index(end)))


# --------------------------------------------------------------------------------------------
# Sheet 1: plan grid


def _plan_sheet(ws: Worksheet, instance: Instance, trainees: list[Trainee],
                by_trainee: dict[str, list[Stint]], lang: Lang, today: date | None = None
                ) -> None:
    """Trainee x week grid, grouped per start. Each stint shows its unit's short name once,
    in its first week (the text runs on over the empty cells of the stint), its discipline's
    colour in every week and a dark edge where it begins: two stints in a row in one
    discipline are told apart. The legend below lists the colours and every short name."""
    first_col = 7
    _left_headers(ws, [tr(f"excel.{k}", lang) for k in
                       ("trainee", "programme", "home_site", "part_time", "block_start",
                        "block_end")],
                  [max(12.0, 1.1 * max((len(t.id) for t in trainees), default=8) + 1),
                   8, 8, 7, 11, 11])
    _week_headers(ws, instance, first_col, lang)
    for w in range(instance.n_weeks):
        ws.column_dimensions[get_column_letter(first_col + w)].width = WEEK_WIDTH
    short = short_names(instance)
    today_w = instance.week_index(today) if today is not None else None
    summer = [is_summer(instance.week_date(w)) for w in range(instance.n_weeks)]
    last_col = first_col + instance.n_weeks - 1

    styles = _StyleCache()
    leave_text = tr("excel.leave_cell", lang)
    programmes = {p.id: p for p in instance.programmes}
    row = HEAD_ROWS
    for start, group in by_start(trainees):
        row += 1
        counts = Counter(t.programme for t in group)
        band = ws.cell(row=row, column=1, value=tr(
            "excel.start_band", lang, day=start.isoformat(), week=week_text(start, lang),
            n=len(group), programmes=", ".join(f"{k} {v}" for k, v in sorted(counts.items()))))
        styles.apply(band, ("band",), font=_BOLD, fill=_FILL_START_BAND, alignment=_LEFT)
        for col in range(2, last_col + 1):
            styles.apply(ws.cell(row=row, column=col), ("band-fill",), fill=_FILL_START_BAND)
        first_member = row + 1
        for t in group:
            row += 1
            _plan_row(ws, row, t, programmes[t.programme], by_trainee.get(t.id, []),
                      instance, first_col, short, summer, today_w, leave_text, styles,
                      intro_text=tr("excel.intro_cell", lang))
        ws.row_dimensions.group(first_member, row, outline_level=1)

    ws.freeze_panes = ws.cell(row=HEAD_ROWS + 1, column=first_col)
    legend_row = _legend(ws, row + 2, instance, lang, short)
    print_setup(ws, lang, instance.name, grid=True, title_rows=HEAD_ROWS, title_cols="A:F")
    ws.print_area = f"A1:{get_column_letter(last_col)}{legend_row}"


def _plan_row(ws: Worksheet, row: int, t: Trainee, prog, stints: list[Stint],
              instance: Instance, first_col: int, short: dict[str, str], summer: list[bool],
              today_w: int | None, leave_text: str, styles: _StyleCache,
              intro_text: str = "Intro") -> None:
    end = block_end(t, prog)
    ws.cell(row=row, column=1, value=t.id)
    ws.cell(row=row, column=2, value=t.programme)
    ws.cell(row=row, column=3, value=t.site)
    styles.apply(ws.cell(row=row, column=4, value=t.part_time / 100), ("pct",),
                 number_format=PERCENT)
    for col, d in ((5, t.start), (6, last_day(end))):
        styles.apply(ws.cell(row=row, column=col, value=d), ("date",),
                     number_format=DATE_FORMAT)

    vacation = _vacation_weeks(t)
    covered: dict[int, tuple[Stint, bool]] = {}  # week -> (stint, first week of it)
    for s in stints:
        weeks = _week_range(instance, s.start, s.end)
        for w in weeks:
            covered[w] = (s, w == weeks.start)
    leave = {instance.week_index(d) for d in extending_leave_mondays(t) if t.start <= d < end}
    intro = {instance.week_index(d) for d in introduction_mondays(t, prog)}
    last_w = max(covered, default=None)
    for w in range(instance.n_weeks):
        cell = ws.cell(row=row, column=first_col + w)
        at_today = w == today_w
        if w in covered:
            s, begins = covered[w]
            on_vacation = instance.week_date(w) in vacation
            if begins:
                cell.value = short.get(s.unit, s.unit)
            known = s.discipline in _FILLS and s.discipline
            fill = ((_VACATION_FILLS.get(s.discipline, _VACATION_OTHER)) if on_vacation
                    else _FILLS.get(s.discipline, _FILL_OTHER))
            styles.apply(cell, ("grid", known, on_vacation, begins, at_today, w == last_w),
                         fill=fill, font=_GRID_FONT, alignment=_LEFT,
                         border=_grid_border(begins, at_today, w == last_w))
        elif w in leave:
            if w - 1 not in leave:
                cell.value = leave_text
            styles.apply(cell, ("leave", at_today), fill=_FILL_LEAVE, font=_GREY_FONT,
                         alignment=_LEFT, border=_grid_border(False, at_today))
        elif w in intro:
            if w - 1 not in intro:
                cell.value = intro_text
            styles.apply(cell, ("intro", at_today), fill=_FILL_INTRO, font=_GRID_FONT,
                         alignment=_LEFT, border=_grid_border(False, at_today))
        elif summer[w] or at_today:
            style: dict[str, object] = {"fill": _FILL_SUMMER} if summer[w] else {}
            if at_today:
                style["border"] = Border(left=_TODAY_SIDE)
            styles.apply(cell, ("empty", summer[w], at_today), **style)


def _legend(ws: Worksheet, row: int, instance: Instance, lang: Lang,
            short: dict[str, str]) -> int:
    """Colours, leave, introduction weeks (if any programme has them), vacation, summer,
    today, then every unit's short name and full name; returns the last row used."""
    ws.cell(row=row, column=1, value=tr("excel.legend", lang)).font = _BOLD
    ws.cell(row=row, column=2, value=tr("excel.grid_note", lang)).font = _NOTE
    row += 1
    for code, fill in _FILLS.items():
        ws.cell(row=row, column=1).fill = fill
        ws.cell(row=row, column=2, value=discipline_name(code, lang))
        row += 1
    used = {d for p in instance.programmes for d in p.disciplines}
    used |= {d for u in instance.units for d in u.disciplines}
    others = sorted(d for d in used if d not in _FILLS)
    other = tr("excel.other", lang)
    if others:
        other += " (" + ", ".join(discipline_name(d, lang) for d in others) + ")"
    ws.cell(row=row, column=1).fill = _FILL_OTHER
    ws.cell(row=row, column=2, value=other)
    row += 1
    leave = ws.cell(row=row, column=1, value=tr("excel.leave_cell", lang))
    leave.fill = _FILL_LEAVE
    leave.font = _GREY_FONT
    leave.alignment = _CENTER
    ws.cell(row=row, column=2, value=tr("excel.leave_legend", lang))
    row += 1
    if any(p.introduction_weeks for p in instance.programmes):
        intro = ws.cell(row=row, column=1, value=tr("excel.intro_cell", lang))
        intro.fill = _FILL_INTRO
        intro.font = _GRID_FONT
        intro.alignment = _CENTER
        ws.cell(row=row, column=2, value=tr("excel.intro_legend", lang))
        row += 1
    ws.cell(row=row, column=1).fill = _VACATION_FILLS[MEDICIN]
    ws.cell(row=row, column=2, value=tr("excel.vacation_legend", lang))
    row += 1
    ws.cell(row=row, column=1).fill = _FILL_SUMMER
    ws.cell(row=row, column=2, value=tr("excel.summer_legend", lang))
    row += 1
    ws.cell(row=row, column=1).border = Border(left=_STINT_SIDE)
    ws.cell(row=row, column=2, value=tr("excel.stint_edge_legend", lang))
    row += 1
    ws.cell(row=row, column=1).border = Border(left=_TODAY_SIDE)
    ws.cell(row=row, column=2, value=tr("excel.today_legend", lang))
    row += 2
    ws.cell(row=row, column=1, value=tr("excel.units_legend", lang)).font = _BOLD
    for u in instance.units:
        row += 1
        ws.cell(row=row, column=1, value=short[u.id]).font = _SMALL_BOLD
        ws.cell(row=row, column=2, value=f"{u.name} ({u.id})" if short[u.id] != u.id
                else u.name)
    return row


# --------------------------------------------------------------------------------------------
# Sheet 2: unit load


def _load_sheet(ws: Worksheet, instance: Instance, stints: list[Stint], lang: Lang) -> None:
    first_col = 8
    n = instance.n_weeks
    load: dict[str, list[int]] = {u.id: [0] * n for u in instance.units}
    for s in stints:
        if s.unit in load:
            row_load = load[s.unit]
            for w in _week_range(instance, s.start, s.end):
                row_load[w] += 1

    _left_headers(ws, [tr(f"excel.{k}", lang) for k in
                       ("unit", "unit_name", "site", "disciplines", "trainee_weeks",
                        "capacity_weeks", "utilisation")],
                  [max(9.0, 1.1 * max(len(u.id) for u in instance.units) + 1),
                   min(40.0, max(14.0, max(len(u.name) for u in instance.units) + 1)),
                   8, 24, 10, 10, 10])
    _week_headers(ws, instance, first_col, lang)
    for w in range(n):
        ws.column_dimensions[get_column_letter(first_col + w)].width = 5.5

    styles = _StyleCache()
    mondays = [instance.week_date(w) for w in range(n)]
    row = HEAD_ROWS
    for row, u in enumerate(instance.units, start=HEAD_ROWS + 1):
        ws.cell(row=row, column=1, value=u.id)
        ws.cell(row=row, column=2, value=u.name)
        ws.cell(row=row, column=3, value=u.site)
        ws.cell(row=row, column=4, value=", ".join(discipline_name(d, lang)
                                                      for d in u.disciplines))
        caps = [u.capacity_in_week(m) for m in mondays]
        row_load = load[u.id]
        ws.cell(row=row, column=5, value=sum(row_load))
        if u.capacity is not None:
            cap_weeks = sum(c or 0 for c in caps)
            ws.cell(row=row, column=6, value=cap_weeks)
            if cap_weeks > 0:
                styles.apply(ws.cell(row=row, column=7, value=sum(row_load) / cap_weeks),
                             ("util",), number_format=PERCENT_1)
        for w in range(n):
            placed, cap = row_load[w], caps[w]
            cell = ws.cell(row=row, column=first_col + w, value=placed)
            # The value stays a number (sums, charts); the format shows it as "placed/capacity".
            fmt = f'0"/{cap}"' if cap is not None else '0"/–"'
            if cap is not None and placed > cap:
                state = "over"
            elif cap is not None and placed == cap and placed > 0:
                state = "full"
            elif placed == 0:
                state = "empty"
            else:
                state = "ok"
            style: dict[str, object] = {"number_format": fmt, "alignment": _CENTER,
                                        "font": _GREY_FONT if state == "empty" else _SMALL}
            if state == "over":
                style["fill"] = _FILL_RED
            elif state == "full":
                style["fill"] = _FILL_AMBER
            styles.apply(cell, ("load", fmt, state), **style)

    total_row = row + 1
    label = ws.cell(row=total_row, column=1, value=tr("excel.total_placed", lang))
    label.font = _BOLD
    total_load = [sum(load[u.id][w] for u in instance.units) for w in range(n)]
    ws.cell(row=total_row, column=5, value=sum(total_load)).font = _BOLD
    for w in range(n):
        styles.apply(ws.cell(row=total_row, column=first_col + w, value=total_load[w]),
                     ("total",), font=_SMALL_BOLD, alignment=_CENTER)
    ws.cell(row=total_row + 2, column=1, value=tr("excel.load_note", lang)).font = _NOTE
    ws.freeze_panes = ws.cell(row=HEAD_ROWS + 1, column=first_col)
    print_setup(ws, lang, instance.name, grid=True, title_rows=HEAD_ROWS, title_cols="A:A")


# --------------------------------------------------------------------------------------------
# Sheet 3: requirements


def _requirements_sheet(ws: Worksheet, instance: Instance, trainees: list[Trainee],
                        by_trainee: dict[str, list[Stint]], lang: Lang) -> None:
    titles = [tr(f"excel.{k}", lang) for k in ("trainee", "programme", "part_time", "kind",
                                       "requirement", "min_cal", "max_cal", "planned",
                                       "result")]
    _header_row(ws, 1, titles)
    _set_widths(ws, [14, 10, 9, 10, 30, 12, 12, 12, 9])
    styles = _StyleCache()
    ok, not_ok = tr("excel.ok", lang), tr("excel.not_ok", lang)
    programmes = {p.id: p for p in instance.programmes}
    row = 1
    for t in trainees:
        prog = programmes[t.programme]
        weeks: dict[str, int] = defaultdict(int)
        for s in by_trainee.get(t.id, []):
            weeks[s.discipline] += s.weeks
        checks: list[tuple[str, str, int, int | None, int]] = []
        for r in prog.requirements:
            checks.append((tr("excel.kind_discipline", lang), discipline_name(r.discipline, lang),
                           r.min_weeks, r.max_weeks, weeks[r.discipline]))
        for g in prog.group_requirements:
            name = " + ".join(discipline_name(d, lang) for d in g.disciplines)
            checks.append((tr("excel.kind_group", lang), name, g.min_weeks, g.max_weeks,
                           sum(weeks[d] for d in g.disciplines)))
        for kind, name, lo, hi, planned in checks:
            row += 1
            lo_cal = calendar_weeks(lo, t.part_time)
            hi_cal = calendar_weeks(hi, t.part_time) if hi is not None else None
            good = lo_cal <= planned and (hi_cal is None or planned <= hi_cal)
            for col, value in enumerate((t.id, t.programme, t.part_time / 100, kind, name,
                                         lo_cal, hi_cal, planned), start=1):
                ws.cell(row=row, column=col, value=value)
            styles.apply(ws.cell(row=row, column=3), ("pct",), number_format=PERCENT)
            styles.apply(ws.cell(row=row, column=9, value=ok if good else not_ok), ("ok", good),
                         fill=_FILL_OK if good else _FILL_NOT_OK, alignment=_CENTER)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:I{max(row, 2)}"
    print_setup(ws, lang, instance.name, grid=False)


# --------------------------------------------------------------------------------------------
# Sheet 4: stints (plan.csv plus names)


def _stints_sheet(ws: Worksheet, instance: Instance, stints: list[Stint], lang: Lang) -> None:
    titles = [tr(f"excel.{k}", lang) for k in ("trainee", "programme", "unit", "discipline", "site",
                                       "start", "end", "weeks", "unit_name",
                                       "discipline_name")]
    _header_row(ws, 1, titles)
    _set_widths(ws, [14, 10, 11, 14, 8, 11, 11, 7, 28, 22])
    names = {u.id: u.name for u in instance.units}
    styles = _StyleCache()
    row = 1
    for row, s in enumerate(sorted(stints), start=2):
        values = (s.trainee, s.programme, s.unit, s.discipline, s.site, s.start,
                  last_day(s.end), s.weeks, names.get(s.unit, ""),
                  discipline_name(s.discipline, lang))
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col, value=value)
            if col in (6, 7):
                styles.apply(cell, ("date",), number_format=DATE_FORMAT)
    ws.freeze_panes = "A2"
    ref = f"A1:{get_column_letter(len(titles))}{row}"
    if row >= 2:
        # A table gives banding and filters; Excel rejects a table without data rows.
        table = Table(displayName="Placeringar" if lang == "sv" else "Stints", ref=ref)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
        ws.add_table(table)
    else:
        ws.auto_filter.ref = ref
    print_setup(ws, lang, instance.name, grid=False, landscape=True)


# --------------------------------------------------------------------------------------------
# Sheet 5: run


def _fairness_wanted(instance: Instance) -> bool:
    from scheduler.report.fairness import wanted

    return wanted(instance)


def _run_sheet(ws: Worksheet, instance: Instance, result: Result, n_trainees: int,
               violations: list | None, lang: Lang) -> None:
    _set_widths(ws, [30, 44, 14, 18])
    _header_row(ws, 1, [tr("excel.field", lang), tr("excel.value", lang)])
    print_setup(ws, lang, instance.name, grid=False)
    yes, no = tr("excel.yes", lang), tr("excel.no", lang)
    status = f"{tr(f'excel.status_{result.status.value}', lang)} ({result.status.value})"
    gap = result.gap
    rows: list[tuple[str, object, str | None]] = [
        (tr("excel.instance", lang), instance.name, None),
        (tr("excel.n_trainees", lang), n_trainees, None),
        (tr("excel.n_stints", lang), len(result.stints), None),
        (tr("excel.status", lang), status, None),
        (tr("excel.objective", lang), result.objective, None),
        (tr("excel.solver_objective", lang), getattr(result, "solver_objective", None), None),
        (tr("excel.bound", lang), result.bound, None),
        (tr("excel.gap", lang), gap, PERCENT_2),
        (tr("excel.wall_time", lang), round(result.wall_time, 2), "0.00"),
        (tr("excel.time_to_first", lang),
         None if result.time_to_first is None else round(result.time_to_first, 2), "0.00"),
        (tr("excel.seed", lang), result.seed, None),
        (tr("excel.workers", lang), result.workers, None),
        (tr("excel.time_limit", lang), result.time_limit, None),
        (tr("excel.reproducible", lang), yes if result.reproducible else no, None),
        (tr("excel.method", lang), method_text(result.method, lang), None),
        *([(tr("excel.fairness_mode", lang),
            f"{tr(f'excel.fairness_{instance.fairness}', lang)} ({instance.fairness})", None)]
          if _fairness_wanted(instance) else []),
        (tr("excel.input_hash", lang), result.input_hash, None),
        (tr("excel.violations", lang), None if violations is None else len(violations), None),
        (tr("excel.run_date", lang), datetime.now().replace(microsecond=0), DATETIME_FORMAT),
    ]
    rows += [(tr("excel.version", lang, name=k), v, None) for k, v in result.versions.items()]
    row = 1
    for row, (label, value, fmt) in enumerate(rows, start=2):
        ws.cell(row=row, column=1, value=label).font = _BOLD
        cell = ws.cell(row=row, column=2, value=value)
        cell.alignment = Alignment(horizontal="left")
        if fmt:
            cell.number_format = fmt
    if not result.reproducible:
        row += 1
        # A proven optimum was not stopped by the time limit: only ties can differ.
        note = (tr("excel.note_optimal", lang) if result.status.value == "optimal"
                else tr("excel.note_workers", lang, workers=result.workers) if result.workers > 1
                else tr("excel.note_wallclock", lang))
        cell = ws.cell(row=row, column=1, value=note)
        cell.font = _NOTE
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)

    # Objective terms: unweighted value, weight, weighted contribution.
    row += 2
    ws.cell(row=row, column=1, value=tr("excel.terms", lang)).font = _TITLE
    row += 1
    for col, key in enumerate(("term", "unweighted", "weight", "weighted"), start=1):
        cell = ws.cell(row=row, column=col, value=tr(f"excel.{key}", lang))
        cell.font = _BOLD
        cell.fill = _FILL_HEADER
    weights = result.weights or instance.weights.model_dump()
    names = [t for t in TERM_ORDER if t in result.terms or t in weights]
    names += sorted((set(result.terms) | set(weights)) - set(names))
    for name in names:
        row += 1
        value = result.terms.get(name)
        weight = weights.get(name)
        label = (f"{tr(f'excel.term_{name}', lang)} ({name})" if has_text(f"excel.term_{name}")
                 else name)
        ws.cell(row=row, column=1, value=label)
        ws.cell(row=row, column=2, value=value)
        ws.cell(row=row, column=3, value=weight)
        ws.cell(row=row, column=4,
                value=None if value is None or weight is None else value * weight)

    if violations:
        row += 2
        ws.cell(row=row, column=1, value=tr("excel.violation_list", lang)).font = _TITLE
        for v in violations:
            # checker.Violation has rule and message; anything else is shown as text.
            row += 1
            ws.cell(row=row, column=1, value=getattr(v, "rule", None))
            ws.cell(row=row, column=2, value=getattr(v, "message", str(v)))


# --------------------------------------------------------------------------------------------
# Sheet 6 (solve --soft-capacity): capacity overruns


def _overrun_sheet(ws: Worksheet, instance: Instance, overruns: list, lang: Lang) -> None:
    """One row per run of weeks a unit is over capacity (checker.Overrun), coloured red."""
    titles = [tr(f"excel.{k}", lang) for k in ("unit", "unit_name", "start", "end", "weeks",
                                       "over_by", "trainee_weeks_over")]
    _header_row(ws, 1, titles)
    _set_widths(ws, [11, 30, 11, 11, 7, 14, 16])
    names = {u.id: u.name for u in instance.units}
    print_setup(ws, lang, instance.name, grid=False, landscape=True)
    if not overruns:
        ws.cell(row=2, column=1, value=tr("excel.no_overruns", lang)).font = _NOTE
        return
    for row, o in enumerate(overruns, start=2):
        values = (o.unit, names.get(o.unit, ""), o.start,
                  last_day(o.start + timedelta(weeks=o.weeks)), o.weeks, o.over, o.trainee_weeks)
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col, value=value)
            cell.fill = _FILL_RED
            if col in (3, 4):
                cell.number_format = DATE_FORMAT
    ws.freeze_panes = "A2"
