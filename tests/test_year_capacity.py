"""``atbt capacity`` answers a planner can act on (issue 17): the joint maximum over all starts
beside the per-start maxima, ``--unit U --add k`` in whole trainees per start, ``--keep`` for
the next recruitment round, and units never re-solved left blank.

One tiny instance, solvable by hand: a 4-week programme that is 4 weeks of psychiatry at one
unit PSY (capacity 3, stints of exactly 4 weeks), intakes A (week 0) and B (week 2) of one each.
Weeks 2-3 are shared by both blocks.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
import yaml
from typer.testing import CliRunner

from scheduler import cli
from scheduler.i18n import set_language

runner = CliRunner()
FAST = ["--time-limit", "5", "--base-time-limit", "5", "--workers", "1"]


@pytest.fixture(autouse=True)
def _swedish_afterwards():
    yield
    set_language("sv")


def tiny(cohorts: list[dict] | None = None, capacity: int = 3) -> dict:
    return {
        "name": "Liten", "horizon": {"start": "2027-01-04", "end": "2027-02-15"},
        "programmes": [{"id": "X", "name": "X", "kind": "AT", "regulation": "test",
                        "length_weeks": 4,
                        "requirements": [{"discipline": "psykiatri", "min_weeks": 4}]}],
        "sites": [{"id": "S", "name": "Sjukhuset"}],
        "units": [{"id": "PSY", "name": "Psykiatrin", "site": "S",
                   "disciplines": ["psykiatri"], "capacity": capacity, "min_weeks": 4,
                   "max_weeks": 4}],
        "cohorts": cohorts if cohorts is not None else [
            {"id": "A", "programme": "X", "start": "2027-01-04", "count": 1, "site": "S"},
            {"id": "B", "programme": "X", "start": "2027-01-18", "count": 1, "site": "S"}],
    }


def write(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def invoke(*args: object, code: int = 0):
    res = runner.invoke(cli.app, [str(a) for a in args])
    assert res.exit_code == code, res.output
    return res


def test_joint_maximum_and_unit_answer_match_hand_arithmetic(tmp_path):
    """Per start, the other start's trainee holds one seat in weeks 2-3: A fits 3 - 1 = 2, B
    too. Jointly, weeks 2-3 hold every trainee of A and B: 3 in all, not 2 + 2.
    With one supervisor more (capacity 4): 3 per start (+1 each), 4 jointly (+1)."""
    path = write(tmp_path / "liten.yaml", tiny())
    res = invoke("capacity", path, *FAST, "--unit", "PSY", "--add", "1", "--marginal", "0",
                 "--json", "--out", tmp_path / "cap")
    rep = json.loads(res.stdout)
    assert [(s["admitted"], s["status"]) for s in rep["starts"]] == [(2, "optimal")] * 2
    assert (rep["joint"]["admitted"], rep["joint"]["status"]) == (3, "optimal")
    per = {a["start"]: (a["before"], a["after"], a["delta"]) for a in rep["unit"]}
    assert per == {"2027-01-04": (2, 3, 1), "2027-01-18": (2, 3, 1), None: (3, 4, 1)}
    assert "+1 handledare på PSY: +1 AT per start" in res.output
    assert "maxima per start kan inte adderas" in res.output
    wb = openpyxl.load_workbook(tmp_path / "cap" / "capacity.xlsx")
    assert {"Intag", "Alla starter", "Fler handledare"} <= set(wb.sheetnames)
    assert [c.value for c in wb["Fler handledare"][1]][:3] == ["Enhet", "Handledare till",
                                                               "Start"]


def test_keep_asks_about_the_next_intake_only(tmp_path):
    """A is planned and kept (weeks 0-3); B is the next round: 3 - 1 = 2 in weeks 2-3."""
    a_only = write(tmp_path / "a.yaml", tiny(tiny()["cohorts"][:1]))
    invoke("solve", a_only, "--out", tmp_path / "a", "--time-limit", "5", "--workers", "1")
    path = write(tmp_path / "liten.yaml", tiny())
    res = invoke("capacity", path, *FAST, "--keep", tmp_path / "a" / "plan.csv", "--json")
    rep = json.loads(res.stdout)
    assert [(s["start"], s["admitted"]) for s in rep["starts"]] == [("2027-01-18", 2)]
    assert rep["joint"]["admitted"] == 2
    assert "Behåller alla placeringar för 1 AT/BT-läkare" in res.output


def test_keep_without_a_new_intake_exits_2(tmp_path):
    path = write(tmp_path / "liten.yaml", tiny())
    invoke("solve", path, "--out", tmp_path / "p", "--time-limit", "5", "--workers", "1")
    res = invoke("capacity", path, *FAST, "--keep", tmp_path / "p" / "plan.csv", code=2)
    assert "alla intag har redan placeringar" in res.output


def test_unknown_unit_exits_2(tmp_path):
    path = write(tmp_path / "liten.yaml", tiny())
    res = invoke("capacity", path, *FAST, "--unit", "XYZ", code=2)
    assert "--unit XYZ: ingen sådan enhet" in res.output


def test_untested_units_are_blank_not_zero():
    from datetime import date

    from scheduler.domain import Instance
    from scheduler.whatif.capacity import (
        Binding,
        CapacityReport,
        GroupMax,
        StartCapacity,
        marginal_summary,
    )

    inst = Instance.model_validate(tiny())
    start = StartCapacity(date(2027, 1, 4), "optimal", 2, 2,
                          [GroupMax("X", "AT", "S", 1, 3, 2, date(2027, 1, 4))],
                          [Binding("PSY", "Psykiatrin", 4, date(2027, 1, 4), date(2027, 1, 25))])
    assert marginal_summary(inst, CapacityReport("Liten", [start], "given"))[0][4] is None
    start.binding[0].marginal = 1  # tested: a value, even where it is small
    assert marginal_summary(inst, CapacityReport("Liten", [start], "given"))[0][4] is not None


def test_whatif_shows_at_per_start_beside_the_objective(tmp_path):
    """Capacity 4, intakes of 1 and 1: 1.0 AT per start; +1 at each start: 2.0 (+1.0), and
    2 + 2 fit in the shared weeks 2-3. The objective terms have Swedish headers."""
    path = write(tmp_path / "liten.yaml", tiny(capacity=4))
    sc = tmp_path / "sc.yaml"
    sc.write_text("scenarios:\n  - name: fler\n    changes:\n"
                  "      - intake: {kind: AT, delta: 1}\n", encoding="utf-8")
    invoke("whatif", path, sc, "--out", tmp_path / "w", "--time-limit", "5", "--jobs", "1",
           "--no-charts")
    ws = openpyxl.load_workbook(tmp_path / "w" / "whatif.xlsx")["Jämförelse"]
    head = [c.value for c in ws[1]]
    col = head.index("AT per start")
    assert head[col - 1] == "Målfunktion" and "Enhetsbyten" in head
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    assert (rows["base"][col].value, rows["fler"][col].value) == (1.0, 2.0)
    assert rows["fler"][head.index("Δ AT per start mot bas")].value == 1.0
