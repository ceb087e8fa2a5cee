"""plan.xlsx's look: colours, fills, fonts and borders created once and shared, and the
week-column headers the grid sheets share (``report.excel``)."""

from __future__ import annotations

from copy import copy
from datetime import date, timedelta

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
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
)
from scheduler.i18n import Lang, tr, week_text

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


def solid(colour: str) -> PatternFill:
    return PatternFill("solid", start_color=colour, end_color=colour)


FILLS = {d: solid(c) for d, c in DISCIPLINE_COLOURS.items()}


FILL_OTHER = solid(OTHER_COLOUR)


# A light hatch reads as "absent" in colour and in greyscale print.
FILL_LEAVE = PatternFill("lightUp", fgColor="BFBFBF", bgColor=LEAVE_COLOUR)


FILL_INTRO = solid(INTRO_COLOUR)


FILL_HEADER = solid("DDEBF7")


FILL_RED = solid(RED)


FILL_AMBER = solid(AMBER)


FILL_OK = solid(GREEN)


FILL_NOT_OK = solid(RED_LIGHT)


BOLD = Font(bold=True)


TITLE = Font(bold=True, size=12)


GRID_FONT = Font(size=8)


GRID_FONT_VACATION = Font(size=8, italic=True)


GREY_FONT = Font(size=8, color="A6A6A6")


SMALL = Font(size=8)


SMALL_BOLD = Font(size=8, bold=True)


NOTE = Font(italic=True, color="595959")


CENTER = Alignment(horizontal="center", vertical="center")


ROTATED = Alignment(horizontal="center", vertical="bottom", text_rotation=90)


HEAD = Alignment(vertical="bottom", wrap_text=True)


THIN = Side(style="thin", color="BFBFBF")


GRID_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


# Print-ready grid: month bands, summer shading, a band row per start, a dark
# border where a stint begins, a red line at today.
BAND = Alignment(horizontal="center", vertical="center")


LEFT = Alignment(horizontal="left", vertical="center")


FILL_MONTH = (solid("DDEBF7"), solid("BDD7EE"))


MONTH_SIDE = Side(style="thin", color="808080")


MONTH_BORDER = Border(left=MONTH_SIDE, right=MONTH_SIDE, top=MONTH_SIDE, bottom=MONTH_SIDE)


SUMMER = "FCE4D6"


FILL_SUMMER_HEAD = solid("F8CBAD")


FILL_SUMMER = solid(SUMMER)


FILL_START_BAND = solid("D9D9D9")


STINT_SIDE = Side(style="medium", color="262626")


TODAY = "C00000"


TODAY_SIDE = Side(style="thick", color=TODAY)


# Vacation inside a stint: a dotted pattern over the discipline colour (reads in greyscale).
VACATION_FILLS = {d: PatternFill("gray125", fgColor="7F7F7F", bgColor=c)
                  for d, c in DISCIPLINE_COLOURS.items()}


VACATION_OTHER = PatternFill("gray125", fgColor="7F7F7F", bgColor=OTHER_COLOUR)


def grid_border(stint_start: bool, today: bool, last: bool = False) -> Border:
    """Thin grey all round; a dark left edge where a stint begins (and a dark right edge on the
    block's last week); a thick red left edge in the week of today."""
    left = TODAY_SIDE if today else STINT_SIDE if stint_start else THIN
    return Border(left=left, right=STINT_SIDE if last else THIN, top=THIN, bottom=THIN)


DATE_FORMAT = "yyyy-mm-dd"


DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


PERCENT = "0%"


PERCENT_1 = "0.0%"


PERCENT_2 = "0.00%"


TERM_ORDER = list(Weights.model_fields)


class StyleCache:
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


HEAD_ROWS = 3  # month band, ISO week, Monday; data starts on row 4


# ISO weeks 26-32: the main Swedish summer holiday, when units run on summer staffing.
SUMMER_WEEKS = range(26, 33)


def is_summer(monday: date) -> bool:
    return monday.isocalendar()[1] in SUMMER_WEEKS


def week_headers(ws: Worksheet, instance: Instance, first_col: int, lang: Lang) -> None:
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
        band.font = SMALL_BOLD
        band.alignment = BAND
        band.fill = FILL_MONTH[month.month % 2]
        band.border = MONTH_BORDER
        if end > w:
            ws.merge_cells(start_row=1, start_column=first_col + w, end_row=1,
                           end_column=first_col + end)
        w = end + 1
    for w, monday in enumerate(mondays):
        col = first_col + w
        fill = FILL_SUMMER_HEAD if is_summer(monday) else FILL_HEADER
        c1 = ws.cell(row=2, column=col, value=week_text(monday, lang))
        c1.font = SMALL
        c1.alignment = ROTATED
        c1.fill = fill
        c2 = ws.cell(row=3, column=col, value=monday)
        c2.number_format = DATE_FORMAT
        c2.font = SMALL
        c2.alignment = ROTATED
        c2.fill = fill


def left_headers(ws: Worksheet, titles: list[str], widths: list[float]) -> None:
    """Column titles spanning both header rows on the left of a week grid."""
    for i, (title, width) in enumerate(zip(titles, widths, strict=True), start=1):
        cell = ws.cell(row=1, column=i, value=title)
        cell.font = BOLD
        cell.alignment = HEAD
        cell.fill = FILL_HEADER
        ws.merge_cells(start_row=1, start_column=i, end_row=HEAD_ROWS, end_column=i)
        ws.column_dimensions[get_column_letter(i)].width = width


def header_row(ws: Worksheet, row: int, titles: list[str]) -> None:
    for i, title in enumerate(titles, start=1):
        cell = ws.cell(row=row, column=i, value=title)
        cell.font = BOLD
        cell.fill = FILL_HEADER
        cell.alignment = HEAD


def set_widths(ws: Worksheet, widths: list[float]) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


WEEK_WIDTH = 2.7  # a short name (8 characters) spans about three weeks at 8 pt


def vacation_weeks(trainee: Trainee) -> set[date]:
    weeks: set[date] = set()
    for lv in trainee.leave:
        if lv.kind == "semester":
            d = lv.start
            while d < lv.end:
                weeks.add(d)
                d += timedelta(weeks=1)
    return weeks


def week_range(instance: Instance, start: date, end: date) -> range:
    """Horizon week indices covered by ``[start, end)``, clipped to the horizon."""
    return range(max(0, instance.week_index(start)),
                 min(instance.n_weeks, instance.week_index(end)))
