"""plan.xlsx's week grids: the plan (one row per trainee, a band per start, the legend) and the
unit load (one row per unit)."""

from __future__ import annotations

from collections import Counter
from datetime import date

from openpyxl.styles import Border
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from scheduler.domain import (
    MEDICIN,
    Instance,
    Trainee,
    block_end,
    extending_leave_mondays,
    introduction_mondays,
)
from scheduler.i18n import Lang, discipline_name, last_day, tr, week_text
from scheduler.plan import Stint
from scheduler.report.excel.layout import (
    BOLD,
    CENTER,
    DATE_FORMAT,
    FILL_AMBER,
    FILL_INTRO,
    FILL_LEAVE,
    FILL_OTHER,
    FILL_RED,
    FILL_START_BAND,
    FILL_SUMMER,
    FILLS,
    GREY_FONT,
    GRID_FONT,
    HEAD_ROWS,
    LEFT,
    NOTE,
    PERCENT,
    PERCENT_1,
    SMALL,
    SMALL_BOLD,
    STINT_SIDE,
    TODAY_SIDE,
    VACATION_FILLS,
    VACATION_OTHER,
    WEEK_WIDTH,
    StyleCache,
    grid_border,
    is_summer,
    left_headers,
    vacation_weeks,
    week_headers,
    week_range,
)
from scheduler.report.names import by_start, short_names
from scheduler.report.printing import print_setup


def plan_sheet(ws: Worksheet, instance: Instance, trainees: list[Trainee],
               by_trainee: dict[str, list[Stint]], lang: Lang, today: date | None = None
               ) -> None:
    """Trainee x week grid, grouped per start. Each stint shows its unit's short name once,
    in its first week (the text runs on over the empty cells of the stint), its discipline's
    colour in every week and a dark edge where it begins: two stints in a row in one
    discipline are told apart. The legend below lists the colours and every short name."""
    first_col = 7
    left_headers(ws, [tr(f"excel.{k}", lang) for k in
                       ("trainee", "programme", "home_site", "part_time", "block_start",
                        "block_end")],
                  [max(12.0, 1.1 * max((len(t.id) for t in trainees), default=8) + 1),
                   8, 8, 7, 11, 11])
    week_headers(ws, instance, first_col, lang)
    for w in range(instance.n_weeks):
        ws.column_dimensions[get_column_letter(first_col + w)].width = WEEK_WIDTH
    short = short_names(instance)
    today_w = instance.week_index(today) if today is not None else None
    summer = [is_summer(instance.week_date(w)) for w in range(instance.n_weeks)]
    last_col = first_col + instance.n_weeks - 1

    styles = StyleCache()
    leave_text = tr("excel.leave_cell", lang)
    programmes = {p.id: p for p in instance.programmes}
    row = HEAD_ROWS
    for start, group in by_start(trainees):
        row += 1
        counts = Counter(t.programme for t in group)
        band = ws.cell(row=row, column=1, value=tr(
            "excel.start_band", lang, day=start.isoformat(), week=week_text(start, lang),
            n=len(group), programmes=", ".join(f"{k} {v}" for k, v in sorted(counts.items()))))
        styles.apply(band, ("band",), font=BOLD, fill=FILL_START_BAND, alignment=LEFT)
        for col in range(2, last_col + 1):
            styles.apply(ws.cell(row=row, column=col), ("band-fill",), fill=FILL_START_BAND)
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
              today_w: int | None, leave_text: str, styles: StyleCache,
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

    vacation = vacation_weeks(t)
    covered: dict[int, tuple[Stint, bool]] = {}  # week -> (stint, first week of it)
    for s in stints:
        weeks = week_range(instance, s.start, s.end)
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
            known = s.discipline in FILLS and s.discipline
            fill = ((VACATION_FILLS.get(s.discipline, VACATION_OTHER)) if on_vacation
                    else FILLS.get(s.discipline, FILL_OTHER))
            styles.apply(cell, ("grid", known, on_vacation, begins, at_today, w == last_w),
                         fill=fill, font=GRID_FONT, alignment=LEFT,
                         border=grid_border(begins, at_today, w == last_w))
        elif w in leave:
            if w - 1 not in leave:
                cell.value = leave_text
            styles.apply(cell, ("leave", at_today), fill=FILL_LEAVE, font=GREY_FONT,
                         alignment=LEFT, border=grid_border(False, at_today))
        elif w in intro:
            if w - 1 not in intro:
                cell.value = intro_text
            styles.apply(cell, ("intro", at_today), fill=FILL_INTRO, font=GRID_FONT,
                         alignment=LEFT, border=grid_border(False, at_today))
        elif summer[w] or at_today:
            style: dict[str, object] = {"fill": FILL_SUMMER} if summer[w] else {}
            if at_today:
                style["border"] = Border(left=TODAY_SIDE)
            styles.apply(cell, ("empty", summer[w], at_today), **style)


def _legend(ws: Worksheet, row: int, instance: Instance, lang: Lang,
            short: dict[str, str]) -> int:
    """Colours, leave, introduction weeks (if any programme has them), vacation, summer,
    today, then every unit's short name and full name; returns the last row used."""
    ws.cell(row=row, column=1, value=tr("excel.legend", lang)).font = BOLD
    ws.cell(row=row, column=2, value=tr("excel.grid_note", lang)).font = NOTE
    row += 1
    for code, fill in FILLS.items():
        ws.cell(row=row, column=1).fill = fill
        ws.cell(row=row, column=2, value=discipline_name(code, lang))
        row += 1
    used = {d for p in instance.programmes for d in p.disciplines}
    used |= {d for u in instance.units for d in u.disciplines}
    others = sorted(d for d in used if d not in FILLS)
    other = tr("excel.other", lang)
    if others:
        other += " (" + ", ".join(discipline_name(d, lang) for d in others) + ")"
    ws.cell(row=row, column=1).fill = FILL_OTHER
    ws.cell(row=row, column=2, value=other)
    row += 1
    leave = ws.cell(row=row, column=1, value=tr("excel.leave_cell", lang))
    leave.fill = FILL_LEAVE
    leave.font = GREY_FONT
    leave.alignment = CENTER
    ws.cell(row=row, column=2, value=tr("excel.leave_legend", lang))
    row += 1
    if any(p.introduction_weeks for p in instance.programmes):
        intro = ws.cell(row=row, column=1, value=tr("excel.intro_cell", lang))
        intro.fill = FILL_INTRO
        intro.font = GRID_FONT
        intro.alignment = CENTER
        ws.cell(row=row, column=2, value=tr("excel.intro_legend", lang))
        row += 1
    ws.cell(row=row, column=1).fill = VACATION_FILLS[MEDICIN]
    ws.cell(row=row, column=2, value=tr("excel.vacation_legend", lang))
    row += 1
    ws.cell(row=row, column=1).fill = FILL_SUMMER
    ws.cell(row=row, column=2, value=tr("excel.summer_legend", lang))
    row += 1
    ws.cell(row=row, column=1).border = Border(left=STINT_SIDE)
    ws.cell(row=row, column=2, value=tr("excel.stint_edge_legend", lang))
    row += 1
    ws.cell(row=row, column=1).border = Border(left=TODAY_SIDE)
    ws.cell(row=row, column=2, value=tr("excel.today_legend", lang))
    row += 2
    ws.cell(row=row, column=1, value=tr("excel.units_legend", lang)).font = BOLD
    for u in instance.units:
        row += 1
        ws.cell(row=row, column=1, value=short[u.id]).font = SMALL_BOLD
        ws.cell(row=row, column=2, value=f"{u.name} ({u.id})" if short[u.id] != u.id
                else u.name)
    return row


def load_sheet(ws: Worksheet, instance: Instance, stints: list[Stint], lang: Lang) -> None:
    first_col = 8
    n = instance.n_weeks
    load: dict[str, list[int]] = {u.id: [0] * n for u in instance.units}
    for s in stints:
        if s.unit in load:
            row_load = load[s.unit]
            for w in week_range(instance, s.start, s.end):
                row_load[w] += 1

    left_headers(ws, [tr(f"excel.{k}", lang) for k in
                       ("unit", "unit_name", "site", "disciplines", "trainee_weeks",
                        "capacity_weeks", "utilisation")],
                  [max(9.0, 1.1 * max(len(u.id) for u in instance.units) + 1),
                   min(40.0, max(14.0, max(len(u.name) for u in instance.units) + 1)),
                   8, 24, 10, 10, 10])
    week_headers(ws, instance, first_col, lang)
    for w in range(n):
        ws.column_dimensions[get_column_letter(first_col + w)].width = 5.5

    styles = StyleCache()
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
            style: dict[str, object] = {"number_format": fmt, "alignment": CENTER,
                                        "font": GREY_FONT if state == "empty" else SMALL}
            if state == "over":
                style["fill"] = FILL_RED
            elif state == "full":
                style["fill"] = FILL_AMBER
            styles.apply(cell, ("load", fmt, state), **style)

    total_row = row + 1
    label = ws.cell(row=total_row, column=1, value=tr("excel.total_placed", lang))
    label.font = BOLD
    total_load = [sum(load[u.id][w] for u in instance.units) for w in range(n)]
    ws.cell(row=total_row, column=5, value=sum(total_load)).font = BOLD
    for w in range(n):
        styles.apply(ws.cell(row=total_row, column=first_col + w, value=total_load[w]),
                     ("total",), font=SMALL_BOLD, alignment=CENTER)
    ws.cell(row=total_row + 2, column=1, value=tr("excel.load_note", lang)).font = NOTE
    ws.freeze_panes = ws.cell(row=HEAD_ROWS + 1, column=first_col)
    print_setup(ws, lang, instance.name, grid=True, title_rows=HEAD_ROWS, title_cols="A:A")
