"""The instance workbook: template layout, lossless round trips, dates and characters.

Round trips compare :class:`Instance` objects (pydantic equality: every field, in order), so
"without loss" means the workbook holds exactly what the YAML instance holds.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler import api
from scheduler.domain import Instance
from scheduler.i18n import set_language
from scheduler.inputs.yaml_io import dump_instance, load_instance, parse_instance_text
from scheduler.workbook import schema as S
from scheduler.workbook.reader import read_workbook
from scheduler.workbook.template import example_instance, instance_to_workbook
from tests.helpers import instance_dicts

ROOT = Path(__file__).resolve().parents[1]
INSTANCES = ["tutorial", "orebro", "uppsala", "vastmanland"]


@pytest.fixture(autouse=True)
def _swedish_afterwards():
    yield
    set_language("sv")


def save(tmp_path: Path, inst: Instance, lang: str = "sv", name: str = "wb.xlsx") -> Path:
    path = tmp_path / name
    path.write_bytes(instance_to_workbook(inst, lang))  # type: ignore[arg-type]
    return path


@pytest.mark.parametrize("name", INSTANCES)
def test_every_shipped_instance_round_trips_exactly(tmp_path, name):
    inst = load_instance(ROOT / "instances" / f"{name}.yaml")
    back = read_workbook(save(tmp_path, inst))
    assert back == inst
    # ... and on to YAML text and back, the path of `atbt convert`
    assert parse_instance_text(dump_instance(back)) == inst


def test_english_workbook_round_trips(tmp_path):
    inst = load_instance(ROOT / "instances" / "orebro.yaml")
    path = save(tmp_path, inst, lang="en")
    wb = openpyxl.load_workbook(path)
    assert "Units" in wb.sheetnames and "Enheter" not in wb.sheetnames
    assert read_workbook(path) == inst


def test_orebro_programmes_are_references_to_rule_set_files(tmp_path):
    wb = openpyxl.load_workbook(save(tmp_path, load_instance(ROOT / "instances/orebro.yaml")))
    rows = list(wb["Program"].iter_rows(min_row=2, max_col=2, values_only=True))
    assert rows == [("AT18", "at-18-nationell.yaml"), ("BT12", "bt-12.yaml")]
    assert wb["Programkrav"].max_row == 1  # requirements live in the rule-set files


def test_template_layout_swedish_headers_instructions_and_drop_downs(tmp_path):
    wb = openpyxl.load_workbook(save(tmp_path, example_instance()))
    assert wb.sheetnames[0] == "Instruktioner"
    assert wb["Instruktioner"]["A1"].value.startswith("Planeringsunderlag")
    for sheet in S.DATA_SHEETS:
        ws = wb[sheet.sv]
        assert [c.value for c in ws[1]] == [c.sv for c in sheet.columns]
        # a drop-down on every column that refers to another sheet, pointing at its ids
        formulas = {str(dv.sqref).split(":")[0][0]: dv.formula1
                    for dv in ws.data_validations.dataValidation}
        for j, col in enumerate(sheet.columns):
            letter = openpyxl.utils.get_column_letter(j + 1)
            if col.ref is not None:
                assert formulas[letter] == f"'{S.SHEETS[col.ref].sv}'!$A$2:$A$2000", col
            elif col.choices is not None:
                assert formulas[letter].startswith("'Listor'!"), col
    assert wb["Listor"].sheet_state == "hidden"
    # example rows on every sheet an example region needs
    for key in ("programmes", "sites", "units", "capacity_changes", "stint_weeks", "cohorts",
                "trainees", "leave", "locked"):
        assert wb[S.SHEETS[key].sv].max_row >= 2, key


def test_example_template_reads_back_to_the_example(tmp_path):
    assert read_workbook(save(tmp_path, example_instance())) == example_instance()


def test_api_load_dispatches_on_xlsx_suffix_and_hashes_the_workbook(tmp_path):
    inst = load_instance(ROOT / "instances" / "tutorial.yaml")
    path = save(tmp_path, inst)
    got, digest = api.load(path)
    assert got == inst
    assert len(digest) == 64
    path.write_bytes(instance_to_workbook(inst.model_copy(update={"name": "Ny"}), "sv"))
    assert api.load(path)[1] != digest  # another workbook, another hash


def edit(path: Path, sheet: str, cells: dict[str, Any]) -> None:
    wb = openpyxl.load_workbook(path)
    for ref, value in cells.items():
        wb[sheet][ref] = value
    wb.save(path)


def test_dates_as_text_or_real_dates_and_swedish_characters(tmp_path):
    inst = load_instance(ROOT / "instances" / "tutorial.yaml")
    path = save(tmp_path, inst)
    # Kohorter row 2: AT-2027-01 starting 2027-01-04; C = Start. Text, datetime and date.
    edit(path, "Kohorter", {"C2": "2027-01-04", "C3": datetime(2027, 7, 5), "C4": " 2027-03-01 "})
    edit(path, "Orter", {"B2": "Sjukhuset i Örebro–Åmål, Västerås é"})
    edit(path, "Inställningar", {"B5": "2027-01-04"})  # horizon start as text
    back = read_workbook(path)
    assert back.sites[0].name == "Sjukhuset i Örebro–Åmål, Västerås é"
    assert [c.start for c in back.cohorts] == [c.start for c in inst.cohorts]
    assert back.horizon == inst.horizon


def test_empty_rows_and_extra_columns_are_ignored(tmp_path):
    inst = load_instance(ROOT / "instances" / "tutorial.yaml")
    path = save(tmp_path, inst)
    wb = openpyxl.load_workbook(path)
    ws = wb["Enheter"]
    ws.insert_rows(4)  # an empty row in the middle
    ws["Q1"] = "Kommentar"  # an extra column with a header ...
    ws["Q2"] = "ring först"
    ws["R3"] = "utan rubrik"  # ... and one without
    for r in range(ws.max_row + 1, ws.max_row + 30):  # trailing rows: empty or spaces only
        ws.cell(row=r, column=2, value="   " if r % 2 else None)
    wb.save(path)
    assert read_workbook(path) == inst


def test_yes_no_unlimited_and_none_words_in_either_language(tmp_path):
    inst = load_instance(ROOT / "instances" / "tutorial.yaml")
    path = save(tmp_path, inst)
    # Enheter: D = Hela regionen, F = Kapacitet, I = Program
    edit(path, "Enheter", {"D2": "Yes", "D3": True, "F2": "Unlimited", "F3": "obegränsad",
                           "I2": "inga", "I3": "AT18; BT12", "F4": 3.0})
    back = read_workbook(path)
    med, kir, akm = back.units[:3]
    assert med.region_wide and kir.region_wide
    assert med.capacity is None and kir.capacity is None and akm.capacity == 3
    assert med.programmes == [] and kir.programmes == ["AT18", "BT12"]


# ---- hypothesis: random instance -> workbook -> instance

TEXT = st.text(alphabet="abcxyzåäöÅÄÖéü -=+,;:'\"0123456789\n", min_size=1, max_size=24
               ).filter(lambda s: s.strip() == s and s != "")


@st.composite
def decorated_instances(draw) -> Instance:
    raw: dict[str, Any] = {k: v for k, v in draw(instance_dicts()).items() if k != "_ample"}
    raw["name"] = draw(TEXT)
    raw["description"] = draw(st.just("") | TEXT)
    for site in raw["sites"]:
        site["name"] = draw(TEXT)
    for u in raw["units"]:
        u["name"] = draw(TEXT)
        if u["id"] == "FJARR":
            u["programmes"] = draw(st.sampled_from([None, [], ["P"]]))
        elif draw(st.booleans()):
            u["programmes"] = ["P"]
    prog = raw["programmes"][0]
    prog["name"], prog["regulation"] = draw(TEXT), draw(TEXT)
    prog["source"] = draw(st.just("") | TEXT)
    for t in raw["trainees"]:
        if draw(st.booleans()):
            t["name"] = draw(TEXT)
    first = raw["trainees"][0]
    if draw(st.booleans()):
        raw["cohorts"] = [{"id": "K1", "programme": "P", "start": first["start"],
                           "count": draw(st.integers(1, 3)), "site": "NORD",
                           "part_time": first.get("part_time", 100)}]
    return Instance.model_validate(raw)


@settings(max_examples=25, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture])
@given(inst=decorated_instances(), lang=st.sampled_from(["sv", "en"]))
def test_round_trip_random_instances(tmp_path, inst, lang):
    path = save(tmp_path, inst, lang=lang)
    assert read_workbook(path) == inst


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    inst = load_instance(ROOT / "instances" / "tutorial.yaml")
    inst = inst.model_copy(update={"name": "=SUM(A1:A3)", "description": "=1+1"})
    path = save(tmp_path, inst)
    assert read_workbook(path) == inst
    assert openpyxl.load_workbook(path)["Inställningar"]["B2"].data_type == "s"


def test_date_cells_are_real_excel_dates(tmp_path):
    path = save(tmp_path, load_instance(ROOT / "instances" / "tutorial.yaml"))
    cell = openpyxl.load_workbook(path)["Kohorter"]["C2"]
    assert cell.is_date and cell.value == datetime(2027, 1, 4)
    assert date(2027, 1, 4) == cell.value.date()


def test_unit_short_name_round_trips_and_an_old_workbook_without_it_reads(tmp_path):
    inst = load_instance(ROOT / "instances" / "tutorial.yaml")
    named = inst.model_copy(update={"units": [
        u.model_copy(update={"short_name": "Norr"}) if u.id == "VC-NORR" else u
        for u in inst.units]})
    back = read_workbook(save(tmp_path, named))
    assert {u.id: u.short_name for u in back.units}["VC-NORR"] == "Norr"
    assert dump_instance(back) == dump_instance(named)
    # A workbook written before the column existed: the column removed, the rest reads.
    path = save(tmp_path, inst, name="old.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["Enheter"]
    col = next(c.column for c in ws[1] if c.value == "Kortnamn")
    ws.delete_cols(col)
    wb.save(path)
    assert all(u.short_name is None for u in read_workbook(path).units)
