"""The coordinator's workbook: sheets, grid, load colours, requirements, run, privacy, atomicity."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
import yaml

from scheduler.domain import Instance
from scheduler.i18n import set_language
from scheduler.inputs.yaml_io import dump_instance, load_instance, parse_instance_text
from scheduler.plan import Stint
from scheduler.report.excel import (
    AMBER,
    DISCIPLINE_COLOURS,
    RED,
    SUMMER,
    TODAY,
    build_workbook,
    write_workbook,
)
from scheduler.result import Result, Status

ROOT = Path(__file__).resolve().parents[1]
H0 = date(2027, 1, 4)  # horizon start of the tutorial
# Invented people for the privacy test; the names must never reach the workbook.
NAMES = ["Greta Testdotter", "Sven Påhittad"]


@dataclass(frozen=True)
class Violation:
    """Shaped like checker.Violation; the workbook only reads ``rule`` and ``message``."""

    rule: str
    message: str


def wk(n: int) -> date:
    return H0 + timedelta(weeks=n)


@pytest.fixture(scope="module")
def instance() -> Instance:
    """The tutorial plus two named individual trainees, one with parental leave."""
    raw = yaml.safe_load(dump_instance(load_instance(ROOT / "instances" / "tutorial.yaml")))
    raw["trainees"] = [
        {"id": "X-GRETA", "name": NAMES[0], "programme": "BT12", "start": "2027-03-01",
         "site": "SJH",
         "leave": [{"kind": "foraldraledighet", "start": "2027-06-07", "end": "2027-07-05"}]},
        {"id": "X-SVEN", "name": NAMES[1], "programme": "BT12", "start": "2027-01-04",
         "site": "SJH", "part_time": 75},
    ]
    return parse_instance_text(yaml.safe_dump(raw, allow_unicode=True))


def stint(trainee: str, programme: str, unit: str, discipline: str, start: date,
          weeks: int) -> Stint:
    return Stint(trainee=trainee, start=start, end=start + timedelta(weeks=weeks), unit=unit,
                 discipline=discipline, programme=programme, site="SJH")


@pytest.fixture(scope="module")
def stints() -> list[Stint]:
    a1 = "AT-2027-01-01"  # a complete AT18 block: 13 + 13 + 13 + 13 + 26 weeks
    return [
        stint(a1, "AT18", "MED", "medicin", wk(0), 13),
        stint(a1, "AT18", "KIR", "kirurgi", wk(13), 13),
        stint(a1, "AT18", "MED", "medicin", wk(26), 13),
        stint(a1, "AT18", "PSY", "psykiatri", wk(39), 13),
        stint(a1, "AT18", "VC-NORR", "allmanmedicin", wk(52), 26),
        # Incomplete block, and a second trainee at VC-NORR (capacity 1) in weeks 52-64.
        stint("AT-2027-01-02", "AT18", "VC-NORR", "allmanmedicin", wk(52), 13),
        # Two at PSY (capacity 2) in weeks 39-51: exactly full.
        stint("AT-2027-01-03", "AT18", "PSY", "psykiatri", wk(39), 13),
        # Greta: BT from 2027-03-01 (week 8), leave weeks 22-25, back at week 26.
        stint("X-GRETA", "BT12", "AKM", "akut", wk(8), 8),
        stint("X-GRETA", "BT12", "MED", "akut", wk(16), 6),
        stint("X-GRETA", "BT12", "MED", "akut", wk(26), 4),
        stint("X-SVEN", "BT12", "AKM", "akut", wk(0), 8),
    ]


@pytest.fixture(scope="module")
def result(instance: Instance, stints: list[Stint]) -> Result:
    return Result(status=Status.FEASIBLE, stints=stints, objective=1234.0, bound=1000.0,
                  terms={"unit_changes": 5, "fragmentation": 13, "staffing_shortfall": 40,
                         "peak_utilisation": 100},
                  weights=instance.weights.model_dump(), wall_time=12.5, time_to_first=0.8,
                  seed=7, workers=8, time_limit=60.0, reproducible=False,
                  versions={"ortools": "9.15", "atbt-scheduler": "0.1.0"},
                  input_hash="ab" * 32, method="cp-sat")


def write(tmp_path: Path, instance: Instance, result: Result, lang=None, violations=None):
    path = tmp_path / "plan.xlsx"
    write_workbook(instance, result, path, lang=lang, violations=violations)
    return openpyxl.load_workbook(path)


def row_of(ws, trainee: str) -> int:
    for row in range(4, ws.max_row + 1):
        if ws.cell(row=row, column=1).value == trainee:
            return row
    raise AssertionError(trainee)


def test_sheet_names_sv_and_en(tmp_path, instance, result):
    sv = write(tmp_path, instance, result)
    assert sv.sheetnames == ["Plan", "Enhetsbelastning", "Krav", "Placeringar", "Körning"]
    en = write(tmp_path, instance, result, lang="en")
    assert en.sheetnames == ["Plan", "Unit load", "Requirements", "Stints", "Run"]


def test_default_language_follows_set_language(instance, result, tmp_path):
    set_language("en")
    try:
        wb = write(tmp_path, instance, result)
    finally:
        set_language("sv")
    assert "Unit load" in wb.sheetnames


def test_plan_grid_cells_headers_and_frozen_panes(tmp_path, instance, result):
    ws = write(tmp_path, instance, result)["Plan"]
    assert ws.freeze_panes == "G4"  # three header rows: month, week, Monday
    assert ws.cell(row=1, column=7).value == "januari 2027"
    assert "G1:J1" in {str(r) for r in ws.merged_cells.ranges}  # Mondays 4, 11, 18, 25 Jan
    assert ws.cell(row=2, column=7).value == "v. 1 2027"
    monday = ws.cell(row=3, column=7)
    assert monday.value == datetime(2027, 1, 4) and monday.number_format == "yyyy-mm-dd"
    row = row_of(ws, "AT-2027-01-01")
    assert ws.cell(row=row, column=2).value == "AT18"
    assert ws.cell(row=row, column=5).value == datetime(2027, 1, 4)
    # The block ends before week 78: inclusive, the Friday of week 77.
    assert ws.cell(row=row, column=6).value == datetime.combine(wk(78) - timedelta(days=3),
                                                                datetime.min.time())
    med = ws.cell(row=row, column=7 + 0)
    assert med.value == "MED"
    assert med.fill.fgColor.rgb.endswith(DISCIPLINE_COLOURS["medicin"])
    assert ws.cell(row=row, column=7 + 1).value is None  # the short name is written once
    assert ws.cell(row=row, column=7 + 1).fill.fgColor.rgb.endswith(DISCIPLINE_COLOURS["medicin"])
    kir = ws.cell(row=row, column=7 + 13)
    assert kir.value == "KIR"
    assert kir.fill.fgColor.rgb.endswith(DISCIPLINE_COLOURS["kirurgi"])
    # Two medicine stints in a row would look alike: the dark edge tells where one begins.
    again = ws.cell(row=row, column=7 + 26)
    assert again.value == "MED" and again.border.left.style == "medium"
    assert ws.cell(row=row, column=7 + 27).border.left.style == "thin"
    assert ws.cell(row=row, column=7 + 78).value is None  # after the block
    assert ws.column_dimensions["G"].width < 4  # narrow week columns
    legend = [ws.cell(row=r, column=2).value for r in range(1, ws.max_row + 1)]
    assert "Invärtesmedicin" in legend and "Allmänmedicin" in legend
    assert "Vårdcentralen Norr" in legend  # every unit's full name


def test_plan_grid_grouped_per_start_with_band_rows(tmp_path, instance, result):
    ws = write(tmp_path, instance, result)["Plan"]
    bands = [(r, ws.cell(row=r, column=1).value) for r in range(4, ws.max_row + 1)
             if str(ws.cell(row=r, column=1).value).startswith("Start ")]
    starts = sorted({t.start for t in instance.all_trainees()})
    assert len(bands) == len(starts)
    # 2027-01-04: the AT cohort of 3 and X-SVEN (BT12).
    assert bands[0] == (4, "Start 2027-01-04 (v. 1 2027): 4 AT/BT-läkare (AT18 3, BT12 1)")
    assert row_of(ws, "AT-2027-01-01") == 5 and ws.row_dimensions[5].outlineLevel == 1
    assert row_of(ws, "X-GRETA") > bands[1][0]  # a later start, in its own group
    rows = [r for r, _ in bands] + [ws.max_row]
    for (r, _), nxt in zip(bands, rows[1:], strict=False):
        members = [ws.cell(row=k, column=5).value for k in range(r + 1, nxt)
                   if ws.cell(row=k, column=5).value is not None]
        assert len(set(members)) <= 1  # one start per group


def test_plan_grid_summer_shading_and_today_line(tmp_path, instance, result):
    dated = Result(**{**result.__dict__, "today": "2027-07-05"})  # week 27
    ws = write(tmp_path, instance, dated)["Plan"]
    w27 = 7 + 26  # 2027-07-05 is week 26 of the horizon
    assert ws.cell(row=2, column=w27).value == "v. 27 2027"
    assert ws.cell(row=2, column=w27).fill.fgColor.rgb.endswith("F8CBAD")  # summer header
    assert not ws.cell(row=2, column=7 + 10).fill.fgColor.rgb.endswith("F8CBAD")
    row = row_of(ws, "AT-2027-01-02")  # at VC-NORR only from week 52: empty in summer
    assert ws.cell(row=row, column=w27).fill.fgColor.rgb.endswith(SUMMER)
    for r in (row_of(ws, "AT-2027-01-01"), row):
        edge = ws.cell(row=r, column=w27).border.left
        assert edge.style == "thick" and edge.color.rgb.endswith(TODAY)
    plain = write(tmp_path, instance, result)["Plan"]
    assert plain.cell(row=row, column=w27).border.left.style != "thick"  # no --today, no line


def test_every_sheet_prints_one_page_wide_with_titles_and_page_numbers(tmp_path, instance,
                                                                       result):
    wb = write(tmp_path, instance, result)
    for ws in wb:
        ps = ws.page_setup
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert (ps.fitToWidth, ps.fitToHeight) == (1, 0)
        assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text
        assert ws.oddHeader.left.text == instance.name
        assert ws.print_title_rows
    plan = wb["Plan"]
    assert str(plan.page_setup.paperSize) == plan.PAPERSIZE_A3
    assert plan.page_setup.orientation == "landscape"
    assert plan.print_title_rows == "$1:$3" and plan.print_title_cols == "$A:$F"
    assert str(wb["Krav"].page_setup.paperSize) == plan.PAPERSIZE_A4


def test_extending_leave_shown_inside_block(tmp_path, instance, result):
    ws = write(tmp_path, instance, result)["Plan"]
    row = row_of(ws, "X-GRETA")
    leave = ws.cell(row=row, column=7 + 22)
    assert leave.value == "Ledig"
    assert leave.fill.patternType == "lightUp"
    assert ws.cell(row=row, column=7 + 23).fill.patternType == "lightUp"
    assert ws.cell(row=row, column=7 + 26).value == "MED"
    # Four weeks of leave lengthen the 52-week block to 56 weeks (t.o.m. the Friday before).
    assert ws.cell(row=row, column=6).value == datetime.combine(
        wk(8 + 56) - timedelta(days=3), datetime.min.time())
    en = write(tmp_path, instance, result, lang="en")["Plan"]
    assert en.cell(row=row, column=7 + 22).value == "Leave"
    assert en.cell(row=2, column=7).value == "week 1 2027"


def test_unit_load_colours_and_totals(tmp_path, instance, result):
    ws = write(tmp_path, instance, result)["Enhetsbelastning"]
    assert ws.freeze_panes == "H4"
    rows = {ws.cell(row=r, column=1).value: r for r in range(4, ws.max_row + 1)}
    over = ws.cell(row=rows["VC-NORR"], column=8 + 52)
    assert over.value == 2 and over.number_format == '0"/1"'
    assert over.fill.fgColor.rgb.endswith(RED)
    full = ws.cell(row=rows["PSY"], column=8 + 39)
    assert full.value == 2 and full.number_format == '0"/2"'
    assert full.fill.fgColor.rgb.endswith(AMBER)
    free = ws.cell(row=rows["MED"], column=8 + 0)
    assert free.value == 1 and free.fill.patternType is None
    # VC-NORR: 26 + 13 trainee-weeks over 104 capacity-weeks.
    assert ws.cell(row=rows["VC-NORR"], column=5).value == 39
    assert ws.cell(row=rows["VC-NORR"], column=6).value == 104
    assert ws.cell(row=rows["VC-NORR"], column=7).value == pytest.approx(39 / 104)


def test_requirements_ok_and_not_ok(tmp_path, instance, result):
    ws = write(tmp_path, instance, result, lang="en")["Requirements"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    done = [r for r in rows if r[0] == "AT-2027-01-01"]
    assert len(done) == 5  # four disciplines and the medicin+kirurgi group
    assert all(r[8] == "OK" for r in done)
    group = next(r for r in done if r[3] == "Group")
    assert group[5] == 39 and group[7] == 39
    short = next(r for r in rows if r[0] == "AT-2027-01-02" and r[4] == "General practice")
    assert short[5] == 26 and short[7] == 13 and short[8] == "Not OK"
    # 75 % part time: 13 weeks become ceil(13 * 100 / 75) = 18 calendar weeks.
    sven = next(r for r in rows if r[0] == "X-SVEN" and r[4] == "Acute care")
    assert sven[5] == 18 and sven[8] == "Not OK"
    sven_gp = next(r for r in rows if r[0] == "X-SVEN" and r[4] == "General practice")
    assert sven_gp[6] == 23  # max 17 weeks -> ceil(1700 / 75)
    ok_cell = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "AT-2027-01-01")[8]
    assert ok_cell.fill.fgColor.rgb.endswith("C6EFCE")
    assert ws.auto_filter.ref


def test_stints_sheet_matches_plan(tmp_path, instance, result, stints):
    ws = write(tmp_path, instance, result)["Placeringar"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    assert len(rows) == len(stints)
    first = rows[0]
    assert first[:8] == ["AT-2027-01-01", "AT18", "MED", "medicin", "SJH",
                         datetime(2027, 1, 4), datetime(2027, 4, 2), 13]  # t.o.m. Friday
    assert ws.cell(row=1, column=7).value == "T.o.m."
    assert first[8:] == ["Medicinkliniken", "Invärtesmedicin"]
    assert ws.cell(row=2, column=6).number_format == "yyyy-mm-dd"
    assert ws.tables  # an Excel table, with filters


def test_run_sheet(tmp_path, instance, result):
    ws = write(tmp_path, instance, result, lang="en", violations=[])["Run"]
    values = {r[0].value: r[1].value for r in ws.iter_rows(min_row=2) if r[0].value}
    assert values["Status"].startswith("Valid plan") and "feasible" in values["Status"]
    assert values["Objective"] == 1234
    assert values["Bound"] == 1000
    assert values["Gap"] == pytest.approx(234 / 1234)
    assert values["Checker violations"] == 0
    assert values["Trainees"] == 10
    assert values["Seed"] == 7 and values["Workers"] == 8
    assert values["Reproducible"] == "No"
    assert values["Version: ortools"] == "9.15"
    assert isinstance(values["Workbook written"], datetime)
    assert any(str(k).startswith("Not reproducible") for k in values)
    terms = {r[0].value: (r[1].value, r[2].value, r[3].value) for r in ws.iter_rows(min_row=2)}
    assert terms["Unit changes (unit_changes)"] == (5, 10, 50)
    term_rows = [c.value for c in ws["A"] if str(c.value).endswith("(unit_changes)")]
    assert len(term_rows) == 1
    sv = write(tmp_path, instance, result)["Körning"]
    assert any(c.value == "Målfunktion" for c in sv["A"])


def test_violations_listed(tmp_path, instance, result):
    found = [Violation(rule="capacity", message="VC-NORR v. 1 2028: 2 placerade, plats för 1")]
    ws = write(tmp_path, instance, result, violations=found)["Körning"]
    values = {r[0].value: r[1].value for r in ws.iter_rows(min_row=2) if r[0].value}
    assert values["Regelbrott enligt kontrollen"] == 1
    assert values["capacity"].startswith("VC-NORR v. 1 2028")


def test_no_trainee_names_in_workbook(tmp_path, instance, result):
    wb = write(tmp_path, instance, result, violations=["X-GRETA: test"])
    cells = [str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value]
    assert any("X-GRETA" in c for c in cells)
    for name in NAMES:
        assert not any(name in c or name.split()[1] in c for c in cells)
    assert wb.properties.creator == "atbt-scheduler"


def test_no_plan_still_writes(tmp_path, instance):
    wb = write(tmp_path, instance, Result(status=Status.INFEASIBLE))
    values = {r[0].value: r[1].value for r in wb["Körning"].iter_rows(min_row=2) if r[0].value}
    assert "infeasible" in values["Status"]
    assert wb["Placeringar"].max_row == 1


def test_failed_write_leaves_nothing(tmp_path, instance, result):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(OSError):
        write_workbook(instance, result, blocker / "plan.xlsx")
    assert blocker.read_text() == "x"


def test_failed_rename_keeps_old_file_and_removes_temp(tmp_path, instance, result, monkeypatch):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(b"previous plan")

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        write_workbook(instance, result, path)
    assert path.read_bytes() == b"previous plan"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx"]


def test_regional_size_is_fast(instance):
    """~200 trainees x ~200 weeks must build in seconds, not minutes."""
    raw = yaml.safe_load(dump_instance(instance))
    raw["horizon"] = {"start": H0.isoformat(), "end": wk(200).isoformat()}
    raw["trainees"] = []
    raw["cohorts"] = [{"id": f"C{k}", "programme": "AT18", "start": wk(13 * k).isoformat(),
                       "count": 25, "site": "SJH"} for k in range(8)]
    big = parse_instance_text(yaml.safe_dump(raw))
    plan = []
    for t in big.all_trainees():
        d = t.start
        for unit, disc, weeks in (("MED", "medicin", 26), ("KIR", "kirurgi", 13),
                                  ("PSY", "psykiatri", 13), ("VC-VAST", "allmanmedicin", 26)):
            plan.append(stint(t.id, "AT18", unit, disc, d, weeks))
            d += timedelta(weeks=weeks)
    t0 = time.perf_counter()
    data = build_workbook(big, Result(status=Status.FEASIBLE, stints=plan), lang="en")
    assert time.perf_counter() - t0 < 10
    assert data[:2] == b"PK"


def test_unit_short_name_in_the_grid_and_its_full_name_in_the_legend(tmp_path, instance,
                                                                     result):
    units = [u.model_copy(update={"short_name": "Med"}) if u.id == "MED" else u
             for u in instance.units]
    named = instance.model_copy(update={"units": units})
    ws = write(tmp_path, named, result)["Plan"]
    row = row_of(ws, "AT-2027-01-01")
    assert ws.cell(row=row, column=7).value == "Med"
    legend = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value
              for r in range(row, ws.max_row + 1)}
    assert legend["Med"] == "Medicinkliniken (MED)"
    assert legend["VC-NORR"] == "Vårdcentralen Norr"  # short enough: the id itself


def test_abbreviations_are_readable_and_unique():
    from scheduler.report.names import abbreviate

    assert abbreviate("VC-BARONBACKARNA") == "VC-BARON"
    assert abbreviate("PSY-ALLM-ORE") == "PS-AL-OR"  # every part kept, the longest cut first
    assert abbreviate("MED") == "MED"
    assert all(len(abbreviate(u)) <= 8 for u in ("VC-ONSTA-GRYTA", "X" * 40, "A-B-C-D-E-F-G"))
    from types import SimpleNamespace as Unit

    from scheduler.report.names import short_names

    alike = [Unit(id=i, short_name=None) for i in ("VC-SKINNSKATTEBERG", "VC-SKINNAREBO",
                                                   "VC-SKINNARBY")]
    assert list(short_names(Unit(units=alike)).values()) == ["VC-SKINN", "VC-SKIN2",
                                                             "VC-SKIN3"]


def test_method_in_the_workbook_language():
    # run.json keeps the solver's English method; the Run sheet says it in Swedish by default.
    from scheduler.report.excel import method_text

    m = ("first plan by placement and repair + polish + neighbourhood search (two pipelines)"
         " + direct bound + interval model for the bound")
    assert method_text(m, "en") == m
    assert method_text(m, "sv") == (
        "första plan genom placering och reparation + finslipning + grannskapssökning"
        " (två parallella spår) + direkt undre gräns + intervallmodell för den undre gränsen")
    assert method_text("interval model", "sv") == "intervallmodell"
