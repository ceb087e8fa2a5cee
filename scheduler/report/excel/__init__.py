"""The coordinator's workbook (plan.xlsx): plan grid, unit load, requirements, stints, run.

Built in memory and written with :func:`scheduler.outputs.write_atomic`, so a failed run never
leaves a half-written workbook in place of the last good one. Labels are Swedish by default,
English with ``lang="en"``. Trainee names are personal data and are never written: ids only.

Speed matters (about 200 trainees x 200 weeks): every fill, font and alignment is created once at
module level and shared, and cells that look alike copy one prototype's style index.
"""

from __future__ import annotations

import io as _io
from collections import defaultdict
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from scheduler.domain import Instance
from scheduler.i18n import Lang, language, tr
from scheduler.outputs import defuse_formulas, write_atomic
from scheduler.plan import Stint
from scheduler.report.excel.grid import load_sheet, plan_sheet
from scheduler.report.excel.layout import (
    AMBER,
    DISCIPLINE_COLOURS,
    INTRO_COLOUR,
    RED,
    SUMMER,
    TODAY,
)
from scheduler.report.excel.tables import (
    method_text,
    overrun_sheet,
    requirements_sheet,
    run_sheet,
    stints_sheet,
)
from scheduler.result import Result

__all__ = ["AMBER", "DISCIPLINE_COLOURS", "INTRO_COLOUR", "RED", "SUMMER", "TODAY",
           "build_workbook", "method_text", "write_workbook"]


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
    plan_sheet(ws_plan, instance, trainees, by_trainee, lang, today)
    load_sheet(wb.create_sheet(tr("excel.sheet_load", lang)), instance, result.stints, lang)
    requirements_sheet(wb.create_sheet(tr("excel.sheet_req", lang)), instance, trainees,
                       by_trainee, lang)
    stints_sheet(wb.create_sheet(tr("excel.sheet_stints", lang)), instance, result.stints, lang)
    run_sheet(wb.create_sheet(tr("excel.sheet_run", lang)), instance, result, len(trainees),
              violations, lang)
    if overruns is not None:  # solve --soft-capacity: where supervisors are missing
        overrun_sheet(wb.create_sheet(tr("excel.sheet_overruns", lang)), instance, overruns, lang)
    from scheduler.report import fairness

    if fairness.wanted(instance) and result.stints:  # Önskemål and Rättvisa
        fairness.add_sheets(wb, instance, result.stints, lang)
    # A fixed author: the file's metadata names the tool, never a person.
    wb.properties.creator = "atbt-scheduler"
    wb.properties.lastModifiedBy = "atbt-scheduler"
    buf = _io.BytesIO()
    defuse_formulas(wb).save(buf)  # names are text, never formulas
    return buf.getvalue()
