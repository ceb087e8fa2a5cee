"""Malformed workbooks: every kind of error, as a real .xlsx file, against the exact message.

Each fixture is the example template (``atbt template``) written to ``tmp_path`` and edited with
openpyxl the way a coordinator might in Excel; XML-level fixtures (billion laughs, a formula
with a saved value) rewrite the package's XML directly. Row numbers are as Excel shows them.
Example rows: Enheter 2 MED, 3 KIR, ... 7 VC-NORR; AT-BT-läkare 2 AT-ÅBY-01, 3 BT-EX-01;
Ledighet 2-3 and Låsta placeringar 2 belong to AT-ÅBY-01; Kapacitetsändringar 2 is MED's.
"""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from scheduler import cli
from scheduler.i18n import set_language
from scheduler.inputs.yaml_io import InputError
from scheduler.workbook.reader import read_workbook
from scheduler.workbook.template import example_instance, instance_to_workbook

runner = CliRunner()


@pytest.fixture(autouse=True)
def _swedish_afterwards():
    yield
    set_language("sv")


@pytest.fixture
def wb_path(tmp_path: Path) -> Path:
    path = tmp_path / "region.xlsx"
    path.write_bytes(instance_to_workbook(example_instance(), "sv"))
    return path


def edit(path: Path, sheet: str, cells: dict[str, Any]) -> None:
    wb = openpyxl.load_workbook(path)
    for ref, value in cells.items():
        wb[sheet][ref] = value
    wb.save(path)


def problems(path: Path, lang: str = "sv") -> list[str]:
    set_language(lang)  # type: ignore[arg-type]
    with pytest.raises(InputError) as info:
        read_workbook(path)
    assert info.value.source == str(path)
    return [f"{loc}: {msg}" if loc else msg for loc, msg in info.value.problems]


def test_the_issue_example_in_swedish_and_english(wb_path):
    edit(wb_path, "Enheter", {"F14": "tre", "A14": "NY", "B14": "Ny enhet", "C14": "SJH",
                              "E14": "medicin"})
    assert problems(wb_path) == ["Enheter, rad 14, Kapacitet: 'tre' är inte ett heltal"]
    assert problems(wb_path, "en") == ["Enheter, row 14, Kapacitet: 'tre' is not an integer"]


def test_english_workbook_names_its_own_sheet_and_column(tmp_path):
    path = tmp_path / "en.xlsx"
    path.write_bytes(instance_to_workbook(example_instance(), "en"))
    edit(path, "Units", {"F2": "three"})
    assert problems(path, "en") == ["Units, row 2, Capacity: 'three' is not an integer"]


def test_every_cell_error_is_reported_at_once(wb_path):
    edit(wb_path, "Enheter", {"F3": "tre", "G4": 2.5, "D5": "kanske", "C6": "",
                              "E7": "medicin, allmän medicin"})
    edit(wb_path, "Kapacitetsändringar", {"B2": "2027-02-30", "C2": "28/6 2027"})
    edit(wb_path, "AT-BT-läkare", {"D3": datetime(2027, 3, 1, 12, 30), "F3": "heltid"})
    edit(wb_path, "Ledighet", {"B2": "tjänsteresa"})
    edit(wb_path, "Program", {"D2": "ST"})
    assert problems(wb_path) == [
        "Program, rad 2, Typ: 'ST' ska vara AT, BT eller other",
        "Enheter, rad 3, Kapacitet: 'tre' är inte ett heltal",
        "Enheter, rad 4, Minst (veckor): '2.5' är inte ett heltal",
        "Enheter, rad 5, Hela regionen: 'kanske' ska vara ja eller nej",
        "Enheter, rad 6, Ort: värde saknas",
        "Enheter, rad 7, Discipliner: 'allmän medicin' är inte ett giltigt id "
        "(bokstäver, siffror, _ . + -)",
        "Kapacitetsändringar, rad 2, Från: '2027-02-30' är inte ett datum (ÅÅÅÅ-MM-DD)",
        "Kapacitetsändringar, rad 2, Till (exkl.): '28/6 2027' är inte ett datum (ÅÅÅÅ-MM-DD)",
        "AT-BT-läkare, rad 3, Start: '2027-03-01 12:30:00' är inte ett datum (ÅÅÅÅ-MM-DD)",
        "AT-BT-läkare, rad 3, Sysselsättningsgrad (%): 'heltid' är inte ett heltal",
        "Ledighet, rad 2, Typ: 'tjänsteresa' är ingen ledighetstyp (semester, "
        "föräldraledighet, sjukskrivning, tjänstledighet)",
    ]


def test_entry_rules_and_references_are_reported_with_the_cell(wb_path):
    edit(wb_path, "Enheter", {"C3": "OKÄND", "G4": 9, "H4": 5, "I5": "AT18, ST5"})
    edit(wb_path, "Kapacitetsändringar", {"B2": "2027-06-29", "A3": "XYZ",
                                          "B3": "2027-06-28", "C3": "2027-08-09", "D3": 1})
    edit(wb_path, "AT-BT-läkare", {"C3": "BT99", "A4": "AT-ÅBY-01", "C4": "AT18",
                                   "D4": "2027-01-04", "E4": "ÅBY"})
    edit(wb_path, "Ledighet", {"A3": "AT-2027-01-09", "C2": "2027-07-26"})
    edit(wb_path, "Låsta placeringar", {"B2": "KIR-X"})
    assert problems(wb_path) == [
        "Enheter, rad 3, Ort: orten 'OKÄND' finns inte",
        "Enheter, rad 4: minimum (9) är större än maximum (5)",
        "Enheter, rad 5, Program: programmet 'ST5' finns inte",
        "Kapacitetsändringar, rad 2, Från: 2027-06-29 är inte en måndag",
        "Kapacitetsändringar, rad 3, Enhet: enheten 'XYZ' finns inte",
        "AT-BT-läkare, rad 3, Program: programmet 'BT99' finns inte",
        "AT-BT-läkare, rad 4, Id: 'AT-ÅBY-01' förekommer två gånger (även rad 2)",
        "Ledighet, rad 2: slutet (2027-07-26) måste ligga efter början (2027-07-26)",
        # a cohort member (AT-2027-01-02) may have leave; an id that is no member may not
        "Ledighet, rad 3, AT/BT-läkare: AT/BT-läkaren 'AT-2027-01-09' finns inte",
        "Låsta placeringar, rad 2, Enhet: enheten 'KIR-X' finns inte",
    ]


def test_instance_wide_checks_point_at_the_row_once_the_cells_are_clean(wb_path):
    # BT-EX-01 (75 %: 70 weeks) starting 2028-03-06 ends after the horizon (2029-01-01);
    # a locked stint at a unit of another site.
    edit(wb_path, "AT-BT-läkare", {"D3": "2028-03-06"})
    edit(wb_path, "Låsta placeringar", {"B2": "MED"})
    assert problems(wb_path) == [
        "AT-BT-läkare, rad 3, Start: blocket för 'BT-EX-01' slutar 2029-07-09, efter "
        "planeringshorisonten (2029-01-01)",
        "Låsta placeringar, rad 2, Enhet: 'AT-ÅBY-01' kan inte placeras på enheten 'MED' "
        "(annan ort eller annat program)",
    ]


def test_settings_errors(wb_path):
    edit(wb_path, "Inställningar", {"B2": None, "B5": "nästa måndag", "A8": "Vikt: okänd",
                                    "B8": 3})
    wb = openpyxl.load_workbook(wb_path)
    wb["Inställningar"].delete_rows(6)  # the horizon end
    wb.save(wb_path)
    assert problems(wb_path) == [
        "Inställningar: inställningen 'Horisontens slut (exkl.)' saknas",
        "Inställningar, rad 2, Namn: värde saknas",
        "Inställningar, rad 5, Horisontens start: 'nästa måndag' är inte ett datum (ÅÅÅÅ-MM-DD)",
        "Inställningar, rad 7, Inställning: okänd inställning 'Vikt: okänd'",
    ]


def test_rule_set_references(wb_path):
    edit(wb_path, "Program", {"B2": "at-99.yaml", "G3": 60})
    edit(wb_path, "Programkrav", {"A2": "BT12", "B2": "psykiatri", "C2": 4})
    out = problems(wb_path)
    assert out == [
        "Program, rad 2, Regelverk (fil): regelverket 'at-99.yaml' finns inte bland "
        "at-18-gavle.yaml, at-18-nationell.yaml, at-21-enkoping.yaml, at-21-jonkoping.yaml, "
        "bt-12.yaml",
        "Program, rad 3, Längd (veckor): regelverket 'bt-12.yaml' anger '52'; töm cellen eller "
        "regelverkscellen för att definiera programmet här",
        "Programkrav, rad 2, Program: programmet 'BT12' kommer från regelverket 'bt-12.yaml'; "
        "dess krav står där",
    ]


def test_a_programme_by_rule_set_id_and_an_inline_programme(wb_path):
    # "AT18" names the rule set by its id; BT12 becomes an inline programme of two rows.
    edit(wb_path, "Program", {"B2": "AT18", "B3": None, "E3": "regional", "F3": None,
                              "G3": 30})
    edit(wb_path, "Programkrav", {"A2": "BT12", "B2": "allmanmedicin", "C2": 13,
                                  "A3": "BT12", "B3": "akut", "C3": 13, "D3": 20})
    inst = read_workbook(wb_path)
    bt = inst.programme("BT12")
    assert bt.length_weeks == 30 and bt.regulation == "regional" and bt.source == ""
    assert [(r.discipline, r.min_weeks, r.max_weeks) for r in bt.requirements] == [
        ("allmanmedicin", 13, None), ("akut", 13, 20)]
    assert inst.programme("AT18") == example_instance().programme("AT18")


def test_missing_sheet_and_missing_column(wb_path):
    wb = openpyxl.load_workbook(wb_path)
    del wb["Orter"]
    wb["Enheter"]["F1"] = "Kapacitet (st)"
    wb.save(wb_path)
    out = problems(wb_path)
    assert out[:2] == ["Orter: bladet saknas",
                       "Enheter: kolumnen 'Kapacitet' saknas i rad 1"]


def test_not_an_instance_workbook(tmp_path):
    path = tmp_path / "plan.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "hej"  # type: ignore[index]
    wb.save(path)
    assert problems(path) == ["arbetsboken saknar bladen Inställningar, Program, Orter, "
                              "Enheter; skapa en mall med 'atbt template'"]


def test_not_a_workbook_at_all(tmp_path):
    path = tmp_path / "region.xlsx"
    path.write_text("name: a YAML file with the wrong suffix\n", encoding="utf-8")
    assert problems(path) == ["kan inte läsas som Excel-arbetsbok (.xlsx): File is not a zip "
                              "file"]
    assert problems(tmp_path / "missing.xlsx") == ["filen finns inte"]


def test_merged_cells_are_refused(wb_path):
    wb = openpyxl.load_workbook(wb_path)
    wb["Enheter"].merge_cells("A3:B3")
    wb["Ledighet"].merge_cells("C2:C3")
    wb.save(wb_path)
    assert problems(wb_path) == [
        "Enheter: sammanfogade celler (A3:B3) stöds inte; dela upp dem",
        "Ledighet: sammanfogade celler (C2:C3) stöds inte; dela upp dem",
    ]


def test_formula_without_saved_value_is_refused(wb_path):
    # openpyxl saves formulas without a computed value, like a file never opened in Excel.
    edit(wb_path, "Enheter", {"F2": "=2+2", "G3": "=SUM(F2:F3)"})
    assert problems(wb_path) == [
        "Enheter, rad 2, Kapacitet: cellen innehåller en formel (=2+2) utan sparat värde; "
        "skriv in värdet",
        "Enheter, rad 3, Minst (veckor): cellen innehåller en formel (=SUM(F2:F3)) utan sparat "
        "värde; skriv in värdet",
    ]


def rewrite(path: Path, member_re: str, change) -> None:
    """Rewrite the first package member whose name matches ``member_re``."""
    with zipfile.ZipFile(path) as zf:
        items = [(i, zf.read(i.filename)) for i in zf.infolist()]
    done = False
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in items:
            if not done and re.fullmatch(member_re, info.filename):
                data = change(data.decode("utf-8")).encode("utf-8")
                done = True
            zf.writestr(info, data)
    assert done


def sheet_member(path: Path, title: str) -> str:
    wb = openpyxl.load_workbook(path)
    return f"xl/worksheets/sheet{wb.sheetnames.index(title) + 1}.xml"


def test_formula_with_saved_value_is_read_as_that_value_never_evaluated(wb_path):
    # Excel saves the formula and its last value; the reader takes the value, whatever the
    # formula would compute now (here it would give 99).
    edit(wb_path, "Enheter", {"F2": "=99"})
    member = sheet_member(wb_path, "Enheter")
    rewrite(wb_path, re.escape(member),
            lambda xml: re.sub(r"<f>99</f>(<v\s*/>|<v></v>)?", "<f>99</f><v>5</v>", xml))
    inst = read_workbook(wb_path)
    assert inst.unit("MED").capacity == 5


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>\n')


@pytest.mark.parametrize("member", ["xl/workbook.xml", "xl/worksheets/sheet6.xml"])
def test_billion_laughs_is_refused_cleanly(wb_path, member):
    def attack(xml: str) -> str:
        body = re.sub(r"^<\?xml[^>]*\?>\s*", "", xml)
        return BILLION_LAUGHS + body.replace("<sheetData>", "<sheetData><!-- &lol9; -->", 1) \
            .replace("</workbook>", "<!-- x --></workbook>")
    rewrite(wb_path, re.escape(member), attack)
    assert problems(wb_path) == ["arbetsboken innehåller otillåten XML (EntitiesForbidden) "
                                 "och läses inte"]


def test_openpyxl_parses_with_defusedxml():
    from openpyxl.xml import DEFUSEDXML, functions

    assert DEFUSEDXML
    assert functions.iterparse.__module__.startswith("defusedxml")


def test_zip_bomb_is_refused_before_parsing(wb_path, monkeypatch):
    from scheduler.workbook import sheets

    monkeypatch.setattr(sheets, "MAX_UNPACKED_MB", 0)
    out = problems(wb_path)
    assert len(out) == 1 and re.fullmatch(
        r"arbetsboken packas upp till \d+ MB, mer än gränsen 0 MB", out[0])


def test_cli_reports_every_problem_with_exit_2_and_no_traceback(wb_path, tmp_path):
    edit(wb_path, "Enheter", {"F3": "tre"})
    edit(wb_path, "Ledighet", {"C2": "igår"})
    for cmd in (["solve", wb_path, "--out", tmp_path / "out"],
                ["check", wb_path, tmp_path / "plan.csv"],
                ["convert", wb_path, tmp_path / "x.yaml"]):
        result = runner.invoke(cli.app, [str(a) for a in cmd])
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert f"{wb_path}: Enheter, rad 3, Kapacitet: 'tre' är inte ett heltal" in result.output
        assert f"{wb_path}: Ledighet, rad 2, Från: 'igår' är inte ett datum (ÅÅÅÅ-MM-DD)" \
            in result.output
    assert not (tmp_path / "out").exists() and not (tmp_path / "x.yaml").exists()


def test_a_stray_value_far_away_is_ignored_and_huge_sheets_are_refused(wb_path, monkeypatch):
    from scheduler.workbook import sheets

    edit(wb_path, "Enheter", {"XFD1": "anteckning", "ZZ900": "x"})  # far right, far down
    assert read_workbook(wb_path) == example_instance()
    monkeypatch.setattr(sheets, "MAX_ROWS", 500)
    assert problems(wb_path) == ["Enheter: bladet har 900 rader; högst 500 läses"]


def test_empty_sheets_and_a_programme_without_requirements(wb_path):
    wb = openpyxl.load_workbook(wb_path)
    for title in ("Enheter", "Kapacitetsändringar", "Placeringslängder", "Låsta placeringar"):
        wb[title].delete_rows(2, 50)
    wb.save(wb_path)
    assert problems(wb_path) == ["Enheter: inga rader"]
    wb_path.write_bytes(instance_to_workbook(example_instance(), "sv"))
    edit(wb_path, "Program", {"B3": None, "F3": None})  # BT12 defined here, but no rows
    assert problems(wb_path) == ["Program, rad 3: inga krav på bladet Programkrav"]


@pytest.mark.parametrize("suffix", [".xlsm", ".xls"])
def test_macro_workbooks_and_old_binary_files_are_refused(wb_path, suffix):
    other = wb_path.with_suffix(suffix)
    other.write_bytes(wb_path.read_bytes())
    from scheduler import api

    with pytest.raises(InputError) as info:
        api.load(other)
    assert info.value.problems == [
        ("", f"{suffix}-filer läses inte; spara arbetsboken som .xlsx (utan makron)")]
