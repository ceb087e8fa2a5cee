"""Page setup shared by every workbook people print: plan.xlsx, changes.xlsx, rosters.

Grids (a column per week) print on A3 landscape, lists on A4; every sheet fits one page wide
(as many pages tall as needed), repeats its title rows (and columns) on every page, and has a
header with the region and the plan date and a footer with page numbers.
"""

from __future__ import annotations

from datetime import date

from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from scheduler.i18n import Lang, tr


def _escape(text: str) -> str:
    """A literal ``&`` in a header is written ``&&`` (``&P`` etc. are codes)."""
    return text.replace("&", "&&")


def print_setup(ws: Worksheet, lang: Lang, region: str, *, grid: bool,
                title_rows: int = 1, title_cols: str | None = None,
                landscape: bool | None = None, plan_day: date | None = None) -> None:
    """Make ``ws`` print well. ``grid``: A3 landscape (a week grid), else A4 (portrait unless
    ``landscape``). ``title_rows``: rows 1..n repeat on every page; ``title_cols`` (e.g.
    ``"A:F"``) repeat on every page across."""
    ps = ws.page_setup
    ps.paperSize = ws.PAPERSIZE_A3 if grid else ws.PAPERSIZE_A4
    ps.orientation = "landscape" if (grid or landscape) else "portrait"
    ps.fitToWidth = 1
    ps.fitToHeight = 0  # as many pages tall as it takes
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = False
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.7, bottom=0.6, header=0.3,
                                  footer=0.3)
    if title_rows:
        ws.print_title_rows = f"1:{title_rows}"
    if title_cols:
        ws.print_title_cols = title_cols
    day = (plan_day or date.today()).isoformat()
    for hf in (ws.oddHeader, ws.evenHeader, ws.firstHeader):
        hf.left.text = _escape(region)
        hf.left.size = 9
        hf.center.text = _escape(ws.title)
        hf.center.size = 9
        hf.right.text = tr("dates.plan_of", lang, day=day)
        hf.right.size = 9
    for hf in (ws.oddFooter, ws.evenFooter, ws.firstFooter):
        hf.center.text = tr("dates.page", lang)
        hf.center.size = 8
        hf.right.text = "atbt-scheduler"
        hf.right.size = 8
