"""The change workbook of a re-plan (changes.xlsx): whom to tell about what.

Sheet 1 lists every changed stint: exactly the rows in which the old and the new plan.csv
differ (removed and new), so a coordinator can tell each trainee. Sheet 2 lists every clinic
affected, with its first changed week and the trainees concerned. Sheet 3 summarises the run
(today, change cost and the solver's bound on it).
"""

from __future__ import annotations

import io as _io
from collections import defaultdict
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from scheduler.domain import Instance
from scheduler.i18n import Lang, discipline_name, language, last_day, tr
from scheduler.inputs.changes import PlanDiff, stint_weight
from scheduler.outputs import defuse_formulas, write_atomic
from scheduler.report.printing import print_setup

_BOLD = Font(bold=True)
_HEADER = PatternFill("solid", fgColor="DDEBF7")
_REMOVED = PatternFill("solid", fgColor="FFC7CE")
_ADDED = PatternFill("solid", fgColor="C6EFCE")
DATE_FORMAT = "yyyy-mm-dd"


def build_change_workbook(instance: Instance, diff: PlanDiff, today: date,
                          summary: dict[str, object], lang: Lang | None = None) -> bytes:
    lang = lang or language()
    names = {u.id: u.name for u in instance.units}
    wb = Workbook()
    ws = wb.active
    ws.title = tr("changes.sheet_stints", lang)
    cols = ["change", "trainee", "programme", "unit", "unit_name", "discipline", "site", "start",
            "end", "weeks", "cost"]
    for c, key in enumerate(cols, start=1):
        cell = ws.cell(row=1, column=c, value=tr(f"changes.{key}", lang))
        cell.font, cell.fill = _BOLD, _HEADER
    rows = [("removed", s) for s in diff.removed] + [("added", s) for s in diff.added]
    rows.sort(key=lambda r: (r[1].trainee, r[1].start, r[0] != "removed"))
    for r, (kind, s) in enumerate(rows, start=2):
        values = [tr(f"changes.{kind}", lang), s.trainee, s.programme, s.unit,
                  names.get(s.unit, ""),
                  discipline_name(s.discipline, lang), s.site, s.start, last_day(s.end), s.weeks,
                  stint_weight(s, today) if kind == "removed" and s.end > today else None]
        for c, v in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c, value=v)
            cell.fill = _REMOVED if kind == "removed" else _ADDED
            if c in (8, 9):
                cell.number_format = DATE_FORMAT
    if not rows:
        ws.cell(row=2, column=1, value=tr("changes.none", lang))
    ws.freeze_panes = "A2"
    for c, w in enumerate([11, 16, 9, 12, 30, 18, 8, 11, 11, 7, 14], start=1):
        ws.column_dimensions[ws.cell(row=1, column=c).column_letter].width = w
    print_setup(ws, lang, instance.name, grid=False, landscape=True, plan_day=today)

    wu = wb.create_sheet(tr("changes.sheet_units", lang))
    for c, key in enumerate(("unit", "unit_name", "first_change", "n_changes", "trainees"),
                            start=1):
        cell = wu.cell(row=1, column=c, value=tr(f"changes.{key}", lang))
        cell.font, cell.fill = _BOLD, _HEADER
    per_unit: dict[str, list] = defaultdict(list)
    for _, s in rows:
        per_unit[s.unit].append(s)
    ordered = sorted(per_unit.items(), key=lambda kv: (min(x.start for x in kv[1]), kv[0]))
    for r, (uid, ss) in enumerate(ordered, start=2):
        first = min(max(x.start, today) for x in ss)
        values = [uid, names.get(uid, ""), first, len(ss),
                  ", ".join(sorted({x.trainee for x in ss}))]
        for c, v in enumerate(values, start=1):
            cell = wu.cell(row=r, column=c, value=v)
            if c == 3:
                cell.number_format = DATE_FORMAT
    for c, w in enumerate([12, 30, 18, 18, 60], start=1):
        wu.column_dimensions[wu.cell(row=1, column=c).column_letter].width = w
    print_setup(wu, lang, instance.name, grid=False, landscape=True, plan_day=today)

    wsum = wb.create_sheet(tr("changes.sheet_summary", lang))
    items = [("today", today), ("status", summary.get("status")),
             ("change_cost", summary.get("change_cost")), ("bound", summary.get("bound")),
             ("minimal", tr("changes.yes" if summary.get("minimal") else "changes.no", lang)),
             ("n_changes", len(rows)), ("n_trainees", len(diff.trainees)),
             ("n_units", len(diff.units))]
    for r, (key, v) in enumerate(items, start=1):
        wsum.cell(row=r, column=1, value=tr(f"changes.{key}", lang)).font = _BOLD
        cell = wsum.cell(row=r, column=2, value=v)
        if isinstance(v, date):
            cell.number_format = DATE_FORMAT
    wsum.cell(row=len(items) + 2, column=1, value=tr("changes.weights", lang))
    wsum.column_dimensions["A"].width = 32
    wsum.column_dimensions["B"].width = 20
    print_setup(wsum, lang, instance.name, grid=False, title_rows=0, plan_day=today)
    wb.properties.creator = "atbt-scheduler"
    wb.properties.lastModifiedBy = "atbt-scheduler"
    buf = _io.BytesIO()
    defuse_formulas(wb).save(buf)  # names are text, never formulas
    return buf.getvalue()


def write_change_workbook(path: Path, instance: Instance, diff: PlanDiff, today: date,
                          summary: dict[str, object], lang: Lang | None = None) -> None:
    write_atomic(Path(path), build_change_workbook(instance, diff, today, summary, lang))
