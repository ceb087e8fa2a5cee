"""plan.xlsx's tables: requirements met, stints (plan.csv plus names), the run, and capacity
overruns (``solve --soft-capacity``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from scheduler.domain import (
    Instance,
    Trainee,
    calendar_weeks,
)
from scheduler.i18n import Lang, discipline_name, has_text, last_day, numbered, tr
from scheduler.plan import Stint
from scheduler.report.excel.layout import (
    BOLD,
    CENTER,
    DATE_FORMAT,
    DATETIME_FORMAT,
    FILL_HEADER,
    FILL_NOT_OK,
    FILL_OK,
    FILL_RED,
    NOTE,
    PERCENT,
    PERCENT_2,
    TERM_ORDER,
    TITLE,
    StyleCache,
    header_row,
    set_widths,
)
from scheduler.report.printing import print_setup
from scheduler.result import Result


def method_text(method: str, lang: Lang) -> str:
    """The solver's method string in the workbook's language (unknown parts stay as they are)."""
    if lang == "en":
        return method
    for sv, en in zip(numbered("excel.method", "sv"), numbered("excel.method", "en"), strict=True):
        method = method.replace(en, sv)
    return method


def requirements_sheet(ws: Worksheet, instance: Instance, trainees: list[Trainee],
                       by_trainee: dict[str, list[Stint]], lang: Lang) -> None:
    titles = [tr(f"excel.{k}", lang) for k in ("trainee", "programme", "part_time", "kind",
                                               "requirement", "min_cal", "max_cal", "planned",
                                               "result")]
    header_row(ws, 1, titles)
    set_widths(ws, [14, 10, 9, 10, 30, 12, 12, 12, 9])
    styles = StyleCache()
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
                         fill=FILL_OK if good else FILL_NOT_OK, alignment=CENTER)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:I{max(row, 2)}"
    print_setup(ws, lang, instance.name, grid=False)


def stints_sheet(ws: Worksheet, instance: Instance, stints: list[Stint], lang: Lang) -> None:
    titles = [tr(f"excel.{k}", lang) for k in ("trainee", "programme", "unit", "discipline", "site",
                                               "start", "end", "weeks", "unit_name",
                                               "discipline_name")]
    header_row(ws, 1, titles)
    set_widths(ws, [14, 10, 11, 14, 8, 11, 11, 7, 28, 22])
    names = {u.id: u.name for u in instance.units}
    styles = StyleCache()
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
        table = Table(displayName=tr("excel.table_stints", lang), ref=ref)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
        ws.add_table(table)
    else:
        ws.auto_filter.ref = ref
    print_setup(ws, lang, instance.name, grid=False, landscape=True)


def _fairness_wanted(instance: Instance) -> bool:
    from scheduler.report.fairness import wanted

    return wanted(instance)


def run_sheet(ws: Worksheet, instance: Instance, result: Result, n_trainees: int,
              violations: list | None, lang: Lang) -> None:
    """The run: what was solved, how, and how well; the objective terms; any violations."""
    set_widths(ws, [30, 44, 14, 18])
    header_row(ws, 1, [tr("excel.field", lang), tr("excel.value", lang)])
    print_setup(ws, lang, instance.name, grid=False)
    row = 1
    for row, (label, value, fmt) in enumerate(
            _run_rows(instance, result, n_trainees, violations, lang), start=2):
        ws.cell(row=row, column=1, value=label).font = BOLD
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
        cell.font = NOTE
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
    row = _terms_table(ws, row + 2, instance, result, lang)
    if violations:
        row += 2
        ws.cell(row=row, column=1, value=tr("excel.violation_list", lang)).font = TITLE
        for v in violations:
            # checker.Violation has rule and message; anything else is shown as text.
            row += 1
            ws.cell(row=row, column=1, value=getattr(v, "rule", None))
            ws.cell(row=row, column=2, value=getattr(v, "message", str(v)))


def _run_rows(instance: Instance, result: Result, n_trainees: int, violations: list | None,
              lang: Lang) -> list[tuple[str, object, str | None]]:
    """(label, value, number format) per line of the run table."""
    yes, no = tr("excel.yes", lang), tr("excel.no", lang)
    status = f"{tr(f'excel.status_{result.status.value}', lang)} ({result.status.value})"
    rows: list[tuple[str, object, str | None]] = [
        (tr("excel.instance", lang), instance.name, None),
        (tr("excel.n_trainees", lang), n_trainees, None),
        (tr("excel.n_stints", lang), len(result.stints), None),
        (tr("excel.status", lang), status, None),
        (tr("excel.objective", lang), result.objective, None),
        (tr("excel.solver_objective", lang), getattr(result, "solver_objective", None), None),
        (tr("excel.bound", lang), result.bound, None),
        (tr("excel.gap", lang), result.gap, PERCENT_2),
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
    return rows + [(tr("excel.version", lang, name=k), v, None)
                   for k, v in result.versions.items()]


def _terms_table(ws: Worksheet, row: int, instance: Instance, result: Result,
                 lang: Lang) -> int:
    """The objective terms from ``row`` on: unweighted value, weight, weighted contribution.
    Returns the last row written."""
    ws.cell(row=row, column=1, value=tr("excel.terms", lang)).font = TITLE
    row += 1
    for col, key in enumerate(("term", "unweighted", "weight", "weighted"), start=1):
        cell = ws.cell(row=row, column=col, value=tr(f"excel.{key}", lang))
        cell.font = BOLD
        cell.fill = FILL_HEADER
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
    return row


def overrun_sheet(ws: Worksheet, instance: Instance, overruns: list, lang: Lang) -> None:
    """One row per run of weeks a unit is over capacity (checker.Overrun), coloured red."""
    titles = [tr(f"excel.{k}", lang) for k in ("unit", "unit_name", "start", "end", "weeks",
                                               "over_by", "trainee_weeks_over")]
    header_row(ws, 1, titles)
    set_widths(ws, [11, 30, 11, 11, 7, 14, 16])
    names = {u.id: u.name for u in instance.units}
    print_setup(ws, lang, instance.name, grid=False, landscape=True)
    if not overruns:
        ws.cell(row=2, column=1, value=tr("excel.no_overruns", lang)).font = NOTE
        return
    for row, o in enumerate(overruns, start=2):
        values = (o.unit, names.get(o.unit, ""), o.start,
                  last_day(o.start + timedelta(weeks=o.weeks)), o.weeks, o.over, o.trainee_weeks)
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col, value=value)
            cell.fill = FILL_RED
            if col in (3, 4):
                cell.number_format = DATE_FORMAT
    ws.freeze_panes = "A2"
