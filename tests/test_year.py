"""The coordinator's year (issue 17): replan leaves a state that checks clean, --today on check
and rosters, run.json names the instance, check reads what coordinators edit, cohort members
with facts of their own, solve --keep for the next intake.

The tutorial is solved once for the module (workers 1, a few seconds); every plan is checked by
the independent checker, and tests assert exit codes and checker results, never one plan.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
import yaml
from typer.testing import CliRunner

from scheduler import api, cli
from scheduler import verify as checker
from scheduler.i18n import set_language
from scheduler.inputs.yaml_io import load_instance
from scheduler.plan import PLAN_COLUMNS, Stint, plan_to_csv, read_plan_csv
from scheduler.plan_readers import read_plan

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "instances" / "tutorial.yaml"
FAST = ["--time-limit", "10", "--workers", "1"]
runner = CliRunner()


def invoke(*args: object, code: int = 0):
    res = runner.invoke(cli.app, [str(a) for a in args])
    assert res.exit_code == code, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    return res


@pytest.fixture(autouse=True)
def _swedish_afterwards():
    yield
    set_language("sv")


def tutorial_data() -> dict:
    data = yaml.safe_load(TUTORIAL.read_text(encoding="utf-8"))
    data["programmes"] = [str((TUTORIAL.parent / p).resolve()) for p in data["programmes"]]
    return data


@pytest.fixture(scope="module")
def year(tmp_path_factory) -> dict[str, Path]:
    """solve -> replan with parental leave of a cohort member, a part-time change of another
    and a joining trainee."""
    tmp = tmp_path_factory.mktemp("year")
    invoke("solve", TUTORIAL, "--out", tmp / "solve", *FAST)
    changes = tmp / "changes.yaml"
    changes.write_text(
        "leave: [{trainee: AT-2027-07-02, start: 2027-11-01, end: 2027-12-27, "
        "kind: foraldraledighet}]\n"
        "part_time: [{trainee: BT-2027-03-02, percent: 80}]\n"
        "joining: [{id: AT-EXTRA-01, programme: AT18, start: 2027-10-04, site: SJH}]\n",
        encoding="utf-8")
    invoke("replan", TUTORIAL, tmp / "solve" / "plan.csv", "--today", "2027-09-01",
           "--change", changes, "--out", tmp / "replan", *FAST)
    set_language("sv")
    return {"tmp": tmp, "solve": tmp / "solve", "replan": tmp / "replan"}


# ---- 1. replan writes the whole new state; 2. --today; 5. run.json names the instance


def test_replan_state_holds_the_changes_today_and_keeps_the_cohorts(year):
    state = load_instance(year["replan"] / "instance.yaml")
    assert state.today == date(2027, 9, 6)  # 2027-09-01 is a Wednesday: its week is history
    by_id = {t.id: t for t in state.all_trainees()}
    assert [lv.kind for lv in by_id["AT-2027-07-02"].leave] == ["foraldraledighet"]
    assert by_id["BT-2027-03-02"].part_time == 80
    assert "AT-EXTRA-01" in by_id
    # the members' facts are overrides: the cohorts are not split into individuals
    assert [c.id for c in state.cohorts] == ["AT-2027-01", "AT-2027-07", "BT-2027-03"]
    assert [t.id for t in state.trainees] == ["AT-EXTRA-01"]


def test_check_and_rosters_of_the_replan_need_no_hand_edit(year):
    out = year["replan"]
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["instance"]["path"] == "instance.yaml" and run["today"] == "2027-09-06"
    invoke("check", out / "instance.yaml", out / "plan.csv")  # today from run.json
    invoke("check", out / "instance.yaml", out / "plan.csv", "--today", "2027-09-06")
    invoke("rosters", out, "--out", year["tmp"] / "rosters")  # no --instance
    assert (year["tmp"] / "rosters" / "enheter" / "PSY.xlsx").is_file()
    invoke("rosters", out, "--out", year["tmp"] / "rosters2", "--today", "2027-09-06")


def test_run_json_of_solve_names_the_instance_and_its_sha256(year):
    import hashlib

    rec = json.loads((year["solve"] / "run.json").read_text(encoding="utf-8"))["instance"]
    assert Path(rec["path"]) == TUTORIAL.resolve()
    assert rec["sha256"] == hashlib.sha256(TUTORIAL.read_bytes()).hexdigest()


def test_rosters_refuse_an_instance_changed_since_the_plan(year, tmp_path):
    out = tmp_path / "replan"
    out.mkdir()
    for name in ("plan.csv", "run.json", "instance.yaml"):
        (out / name).write_bytes((year["replan"] / name).read_bytes())
    with (out / "instance.yaml").open("a", encoding="utf-8") as fh:
        fh.write("# edited\n")
    res = invoke("rosters", out, "--out", tmp_path / "r", code=2)
    assert "har ändrats sedan planen gjordes" in res.output
    assert not (tmp_path / "r").exists()


def test_check_today_exempts_history_from_length_and_repeat(year):
    """A stint split in two before today: as history, both parts are as they happened; from
    an earlier today, the 1-week part is too short and the unit is repeated."""
    inst = load_instance(TUTORIAL)
    stints = read_plan_csv(year["solve"] / "plan.csv")
    s = next(x for x in sorted(stints) if x.weeks >= 9 and x.unit in ("MED", "KIR"))
    cut = s.start + timedelta(weeks=1)
    split = [x for x in stints if x != s] + [
        Stint(**{**s.__dict__, "end": cut}), Stint(**{**s.__dict__, "start": cut})]
    plan = year["tmp"] / "split.csv"
    plan.write_text(plan_to_csv(split), encoding="utf-8")
    res = invoke("check", TUTORIAL, plan, code=1)
    assert {v.rule for v in checker.check(inst, split)} == {"stint_length", "repeat"}
    assert "veckor" in res.stdout
    invoke("check", TUTORIAL, plan, "--today", (s.end).isoformat())


def test_bad_today_exits_2(year):
    res = invoke("check", TUTORIAL, year["solve"] / "plan.csv", "--today", "i morgon", code=2)
    assert "--today: 'i morgon' är inget datum" in res.output


# ---- 4. check reads what coordinators edit


def _swedish_csv(stints: list[Stint]) -> bytes:
    """What Swedish Excel saves: ';', Windows-1252, dates as Excel shows them (4 jan 2027)."""
    months = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(["AT/BT-läkare", "Program", "Enhet", "Disciplin", "Ort", "Start",
                "Slut (exkl.)", "Veckor", "Enhetens namn"])
    for s in sorted(stints):
        w.writerow([s.trainee, s.programme, s.unit, s.discipline, s.site,
                    f"{s.start.day} {months[s.start.month - 1]} {s.start.year}",
                    s.end.strftime("%d/%m/%Y"), s.weeks, "Vårdcentralen Norr"])
    return buf.getvalue().encode("cp1252")


def test_check_reads_plan_xlsx_and_a_semicolon_csv_alike(year, tmp_path):
    plan = read_plan_csv(year["solve"] / "plan.csv")
    sc = tmp_path / "plan-sv.csv"
    sc.write_bytes(_swedish_csv(plan))
    bom = tmp_path / "plan-bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + (year["solve"] / "plan.csv").read_bytes())
    xlsx = year["solve"] / "plan.xlsx"
    assert sorted(read_plan(sc)) == sorted(read_plan(xlsx)) == sorted(read_plan(bom)) == \
        sorted(plan)
    outs = [invoke("check", TUTORIAL, p).stdout for p in (year["solve"] / "plan.csv", sc, xlsx)]
    assert outs[0] == outs[1] == outs[2]


def test_a_bad_row_is_named(year, tmp_path):
    rows = [r.split(",") for r in
            (year["solve"] / "plan.csv").read_text(encoding="utf-8").splitlines()]
    rows[2][5] = "31 feb 2027"  # row 3 as Excel shows it
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(";".join(r) for r in rows) + "\n", encoding="utf-8")
    res = invoke("check", TUTORIAL, bad, code=2)
    assert f"{bad}: rad 3: start: '31 feb 2027' är inget datum" in res.output
    wb = openpyxl.load_workbook(year["solve"] / "plan.xlsx")
    wb["Placeringar"]["H4"] = "fyra"
    wb.save(tmp_path / "bad.xlsx")
    res = invoke("check", TUTORIAL, tmp_path / "bad.xlsx", code=2)
    assert "bad.xlsx: Placeringar, rad 4: Veckor: 'fyra' är inget heltal" in res.output


# ---- 3. individual facts for cohort members


def _member_data() -> dict:
    """The tutorial with AT-2027-01-02 (a member of cohort AT-2027-01) on 8 weeks of parental
    leave and locked to 13 weeks of psychiatry after it."""
    data = tutorial_data()
    data["cohorts"][0]["overrides"] = [{
        "id": "AT-2027-01-02",
        "leave": [{"kind": "foraldraledighet", "start": "2027-05-03", "end": "2027-06-28"}],
        "locked": [{"unit": "PSY", "discipline": "psykiatri", "start": "2027-07-05",
                    "end": "2027-10-04"}]}]
    return data


def test_cohort_member_with_leave_and_lock_is_planned_and_checked(tmp_path):
    path = tmp_path / "region.yaml"
    path.write_text(yaml.safe_dump(_member_data(), allow_unicode=True), encoding="utf-8")
    inst = load_instance(path)
    assert [c.id for c in inst.cohorts] == ["AT-2027-01", "AT-2027-07", "BT-2027-03"]
    r = api.solve_and_verify(inst, time_limit=10, workers=1)
    assert r.status.has_plan
    assert checker.check(inst, r.stints) == []
    mine = [s for s in r.stints if s.trainee == "AT-2027-01-02"]
    assert ("PSY", date(2027, 7, 5), date(2027, 10, 4)) in {(s.unit, s.start, s.end)
                                                           for s in mine}
    assert not any(s.start < date(2027, 6, 28) and s.end > date(2027, 5, 3) for s in mine)
    # 78 service weeks + 8 weeks of leave: the block ends 86 weeks after 2027-01-04
    assert max(s.end for s in mine) == date(2027, 1, 4) + timedelta(weeks=86)
    peer = [s for s in r.stints if s.trainee == "AT-2027-01-01"]
    assert max(s.end for s in peer) == date(2027, 1, 4) + timedelta(weeks=78)
    # the checker sees the member's facts: a plan without the leave gap breaks the rules
    moved = [s for s in r.stints if s.trainee != "AT-2027-01-02"] + [
        Stint(**{**s.__dict__, "trainee": "AT-2027-01-02"}) for s in peer]
    rules = {v.rule for v in checker.check(inst, moved)}
    assert "coverage" in rules
    # The peer's plan may hold the very PSY stint that is locked for the member.
    peer_psy = ("PSY", date(2027, 7, 5), date(2027, 10, 4)) in {(s.unit, s.start, s.end)
                                                                for s in peer}
    assert peer_psy or "locked" in rules


def test_cohort_overrides_round_trip_through_the_workbook(tmp_path):
    path = tmp_path / "region.yaml"
    path.write_text(yaml.safe_dump(_member_data(), allow_unicode=True), encoding="utf-8")
    invoke("convert", path, tmp_path / "region.xlsx")
    invoke("convert", tmp_path / "region.xlsx", tmp_path / "back.yaml")
    assert load_instance(tmp_path / "back.yaml") == load_instance(path)
    wb = openpyxl.load_workbook(tmp_path / "region.xlsx")
    assert wb["Kohortmedlemmar"]["A2"].value == "AT-2027-01-02"
    assert wb["Ledighet"]["A2"].value == "AT-2027-01-02"


def test_an_override_must_name_a_member(tmp_path):
    data = _member_data()
    data["cohorts"][0]["overrides"][0]["id"] = "AT-2027-01-09"
    path = tmp_path / "region.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    res = invoke("check", path, tmp_path / "plan.csv", code=2)
    assert ("cohorts[0] (AT-2027-01): 'AT-2027-01-09' är ingen medlem av kohorten "
            "'AT-2027-01' (AT-2027-01-01 … AT-2027-01-03)") in res.output


def test_schema_describes_overrides_and_today():
    res = invoke("schema")
    schema = json.loads(res.stdout)
    assert "overrides" in schema["$defs"]["Cohort"]["properties"]
    assert "today" in schema["properties"]
    assert PLAN_COLUMNS[0] == "trainee"


# ---- 1. (workbook) replan of a workbook writes instance.xlsx


def test_replan_of_a_workbook_writes_the_state_as_a_workbook(year, tmp_path):
    wb = tmp_path / "region.xlsx"
    invoke("convert", TUTORIAL, wb)
    out = tmp_path / "replan"
    invoke("replan", wb, year["solve"] / "plan.csv", "--today", "2027-09-06", "--change",
           year["tmp"] / "changes.yaml", "--out", out, *FAST)
    assert (out / "instance.xlsx").is_file() and not (out / "instance.yaml").exists()
    state, _ = api.load(out / "instance.xlsx")
    assert state == load_instance(year["replan"] / "instance.yaml")  # the same state
    invoke("check", out / "instance.xlsx", out / "plan.csv")
    invoke("rosters", out, "--out", tmp_path / "rosters")


# ---- 6. solve --keep


def _next_intake(year, tmp_path) -> Path:
    """The replan's state with a new intake of 2 BT (52 weeks from 2028-01-03: in the
    horizon, which ends 2029-01-01)."""
    data = yaml.safe_load((year["replan"] / "instance.yaml").read_text(encoding="utf-8"))
    data["cohorts"].append({"id": "BT-2028-01", "programme": "BT12", "start": "2028-01-03",
                            "count": 2, "site": "SJH"})
    # The region opens a vårdcentral for the intake: where the kept plan left the other three
    # vårdcentraler free in 2028 depends on which plan the solver found (with one seat each,
    # some plans leave no 13-week gap, and the instance is then rightly infeasible).
    data["units"].append({"id": "VC-NY", "name": "Vårdcentralen Ny", "site": "SJH",
                          "region_wide": True, "disciplines": ["allmanmedicin"], "capacity": 1,
                          "min_weeks": 13, "max_weeks": 26})
    path = tmp_path / "next.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path


def test_solve_keep_plans_only_the_new_intake(year, tmp_path):
    nxt = _next_intake(year, tmp_path)
    res = invoke("solve", nxt, "--keep", year["replan"] / "plan.csv", "--out", tmp_path / "n",
                 *FAST)
    assert "Behåller alla placeringar för 9 AT/BT-läkare" in res.output
    kept = set(read_plan_csv(year["replan"] / "plan.csv"))
    new = set(read_plan_csv(tmp_path / "n" / "plan.csv"))
    assert kept <= new and {s.trainee for s in new - kept} == {"BT-2028-01-01",
                                                               "BT-2028-01-02"}
    run = json.loads((tmp_path / "n" / "run.json").read_text(encoding="utf-8"))
    assert run["today"] == "2027-09-06"  # from the kept plan's run.json
    invoke("check", nxt, tmp_path / "n" / "plan.csv")
    invoke("rosters", tmp_path / "n", "--out", tmp_path / "r")


def test_keep_survives_a_cohort_turned_into_named_trainees(year, tmp_path):
    """Once hired, the placeholders of AT-2027-07 become named individuals with the same
    ids: their stints are kept as they were."""
    data = yaml.safe_load(_next_intake(year, tmp_path).read_text(encoding="utf-8"))
    cohort = next(c for c in data["cohorts"] if c["id"] == "AT-2027-07")
    data["cohorts"].remove(cohort)
    facts = {o["id"]: o for o in cohort.get("overrides", [])}
    for i, name in enumerate(["Anna Exempel", "Bo Exempel", "Cia Exempel"], start=1):
        tid = f"AT-2027-07-0{i}"
        extra = {k: v for k, v in facts.get(tid, {}).items() if k != "id"}
        data["trainees"].append({"id": tid, "name": name, "programme": "AT18",
                                 "start": cohort["start"], "site": "SJH", **extra})
    path = tmp_path / "hired.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    invoke("solve", path, "--keep", year["replan"] / "plan.csv", "--out", tmp_path / "n",
           *FAST)
    kept = {s for s in read_plan_csv(year["replan"] / "plan.csv")
            if s.trainee.startswith("AT-2027-07")}
    assert kept <= set(read_plan_csv(tmp_path / "n" / "plan.csv"))


def test_keep_refuses_a_plan_of_unknown_trainees(year, tmp_path):
    stints = read_plan_csv(year["solve"] / "plan.csv")
    odd = [Stint(**{**s.__dict__, "trainee": "AT-OKAND-01"}) for s in stints
           if s.trainee == "AT-2027-01-01"]
    plan = tmp_path / "plan.csv"
    plan.write_text(plan_to_csv(stints + odd), encoding="utf-8")
    res = invoke("solve", TUTORIAL, "--keep", plan, "--out", tmp_path / "n", *FAST, code=2)
    assert f"{plan}: AT/BT-läkaren 'AT-OKAND-01' ({len(odd)} placeringar i planen) finns " \
           "inte i instansen" in res.output
    assert not (tmp_path / "n").exists()


def test_a_second_replan_starts_from_the_first_ones_state(year, tmp_path):
    """The state's history (cut stints before its today) is as it happened: the second
    re-plan accepts it as the old plan, and its own output checks clean."""
    first = year["replan"]
    change = tmp_path / "sick.yaml"
    change.write_text("leave: [{trainee: AT-2027-01-01, start: 2028-02-07, end: 2028-03-06, "
                      "kind: sjukskrivning}]\n", encoding="utf-8")
    out = tmp_path / "second"
    invoke("replan", first / "instance.yaml", first / "plan.csv", "--today", "2028-01-03",
           "--change", change, "--out", out, *FAST)
    assert load_instance(out / "instance.yaml").today == date(2028, 1, 3)
    invoke("check", out / "instance.yaml", out / "plan.csv")
    invoke("rosters", out, "--out", tmp_path / "r")


def test_a_hired_members_name_reaches_their_personal_plan(year, tmp_path):
    data = yaml.safe_load((year["replan"] / "instance.yaml").read_text(encoding="utf-8"))
    cohort = next(c for c in data["cohorts"] if c["id"] == "AT-2027-01")
    cohort.setdefault("overrides", []).append({"id": "AT-2027-01-01", "name": "Anna Exempel"})
    path = tmp_path / "named.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    res = invoke("rosters", year["replan"], "--instance", path, "--out", tmp_path / "r")
    assert "Varning" in res.output  # not the instance the plan was made for: a warning only
    wb = openpyxl.load_workbook(tmp_path / "r" / "personliga-planer" / "AT-2027-01-01.xlsx")
    cells = {c.value for ws in wb for row in ws.iter_rows() for c in row}
    assert any(isinstance(v, str) and "Anna Exempel" in v for v in cells)
