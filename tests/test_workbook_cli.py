"""``atbt template``, ``convert``, ``solve`` on a workbook, ``rosters`` and ``--pseudonymize``.

Solves use the tutorial and the example template (each about 2 s, once per module) with one
worker and a fixed seed; Örebro is solved from its workbook only in the slow test.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner, Result

from scheduler import api, cli
from scheduler import verify as checker
from scheduler.i18n import last_day, set_language
from scheduler.inputs.yaml_io import load_instance
from scheduler.plan import read_plan_csv
from scheduler.workbook.pseudonym import codes
from scheduler.workbook.reader import read_workbook
from scheduler.workbook.template import example_instance

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "instances" / "tutorial.yaml"
FAST = ["--time-limit", "20", "--workers", "1", "--seed", "7"]
KEY = "test-key-not-secret"
NAME = "Åsa Exempelsson"  # invented

runner = CliRunner()


def invoke(*args: str | Path) -> Result:
    return runner.invoke(cli.app, [str(a) for a in args])


def ok(result: Result, code: int = 0) -> Result:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result


@pytest.fixture(autouse=True)
def _env(monkeypatch):
    monkeypatch.setenv("ATBT_PSEUDONYM_KEY", KEY)
    yield
    set_language("sv")


def all_cells(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    return [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
            for v in row if v is not None]


# ---- template and convert


def test_template_writes_the_example_in_swedish_or_english(tmp_path):
    ok(invoke("template", tmp_path / "mall.xlsx"))
    assert read_workbook(tmp_path / "mall.xlsx") == example_instance()
    ok(invoke("template", tmp_path / "en.xlsx", "--lang", "en"))
    wb = openpyxl.load_workbook(tmp_path / "en.xlsx")
    assert wb.sheetnames[:3] == ["Instructions", "Settings", "Programmes"]
    assert read_workbook(tmp_path / "en.xlsx") == example_instance()


def test_template_from_orebro_edit_in_openpyxl_and_read_back(tmp_path):
    # What a new user does: template --from the region, edit a cell in Excel, read it back.
    path = tmp_path / "orebro.xlsx"
    ok(invoke("template", path, "--from", ROOT / "instances" / "orebro"))
    orebro = load_instance(ROOT / "instances" / "orebro.yaml")
    assert read_workbook(path) == orebro
    wb = openpyxl.load_workbook(path)
    ws = wb["Enheter"]
    header = [c.value for c in ws[1]]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == "USO-ORT")
    ws.cell(row, header.index("Kapacitet") + 1, value=6)
    ws.cell(row, header.index("Namn") + 1, value="Ortopedkliniken, Universitetssjukhuset Örebro")
    wb.save(path)
    ok(invoke("convert", path, tmp_path / "orebro.yaml"))
    back = load_instance(tmp_path / "orebro.yaml")
    assert back.unit("USO-ORT").capacity == 6
    assert back.unit("USO-ORT").name == "Ortopedkliniken, Universitetssjukhuset Örebro"
    units = [u if u.id != "USO-ORT" else back.unit("USO-ORT") for u in orebro.units]
    assert back == orebro.model_copy(update={"units": units})


def test_convert_yaml_to_workbook_and_back_without_loss(tmp_path):
    for name in ("tutorial", "orebro", "vastmanland", "uppsala"):
        src = ROOT / "instances" / f"{name}.yaml"
        ok(invoke("convert", src, tmp_path / f"{name}.xlsx"))
        ok(invoke("convert", tmp_path / f"{name}.xlsx", tmp_path / f"{name}.yaml"))
        assert load_instance(tmp_path / f"{name}.yaml") == load_instance(src), name


def test_template_and_convert_refuse_bad_targets(tmp_path):
    ok(invoke("template", tmp_path / "mall.yaml"), 2)
    ok(invoke("convert", TUTORIAL, tmp_path / "t.csv"), 2)
    (tmp_path / "dir.xlsx").mkdir()
    ok(invoke("template", tmp_path / "dir.xlsx"), 2)
    ok(invoke("convert", tmp_path / "none.yaml", tmp_path / "t.xlsx"), 2)  # missing input
    ok(invoke("template", tmp_path / "t.xlsx", "--from", TUTORIAL))
    before = (tmp_path / "t.xlsx").read_bytes()
    r = ok(invoke("convert", tmp_path / "t.xlsx", tmp_path / "t.xlsx"), 2)
    assert "skulle skriva över indatafilen" in r.output
    assert (tmp_path / "t.xlsx").read_bytes() == before


# ---- solving from a workbook


@pytest.fixture(scope="module")
def tutorial_runs(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("tutorial")
    ok(invoke("convert", TUTORIAL, tmp / "tutorial.xlsx"))
    ok(invoke("solve", TUTORIAL, "--out", tmp / "yaml", *FAST))
    ok(invoke("solve", tmp / "tutorial.xlsx", "--out", tmp / "xlsx", *FAST))
    return {"yaml": tmp / "yaml", "xlsx": tmp / "xlsx", "workbook": tmp / "tutorial.xlsx"}


def test_plan_from_workbook_equals_plan_from_text_instance(tutorial_runs):
    yaml_plan = (tutorial_runs["yaml"] / "plan.csv").read_text(encoding="utf-8")
    xlsx_plan = (tutorial_runs["xlsx"] / "plan.csv").read_text(encoding="utf-8")
    assert xlsx_plan == yaml_plan
    inst = read_workbook(tutorial_runs["workbook"])
    assert checker.check(inst, read_plan_csv(tutorial_runs["xlsx"] / "plan.csv")) == []
    # check accepts the workbook too
    ok(invoke("check", tutorial_runs["workbook"], tutorial_runs["xlsx"] / "plan.csv"))


@pytest.fixture(scope="module")
def example_run(tmp_path_factory) -> dict[str, Path]:
    """The example template with a name on one trainee, solved once."""
    tmp = tmp_path_factory.mktemp("example")
    wb_path = tmp / "region.xlsx"
    ok(invoke("template", wb_path))
    wb = openpyxl.load_workbook(wb_path)
    wb["AT-BT-läkare"]["B2"] = NAME
    wb.save(wb_path)
    ok(invoke("solve", wb_path, "--out", tmp / "plan", *FAST))
    return {"workbook": wb_path, "plan": tmp / "plan", "tmp": tmp}


def plan_weeks(stints) -> Counter:
    """(unit, trainee, Monday) -> 1 per planned week."""
    c: Counter = Counter()
    for s in stints:
        d = s.start
        while d < s.end:
            c[(s.unit, s.trainee, d)] += 1
            d += timedelta(weeks=1)
    return c


def test_rosters_agree_with_plan_week_by_week(example_run):
    out = example_run["tmp"] / "rosters"
    ok(invoke("rosters", example_run["plan"], "--out", out, "--instance",
              example_run["workbook"]))
    inst = read_workbook(example_run["workbook"])
    stints = read_plan_csv(example_run["plan"] / "plan.csv")
    expected = plan_weeks(stints)
    got: Counter = Counter()
    load: Counter = Counter()
    for u in inst.units:
        wb = openpyxl.load_workbook(out / "enheter" / f"{u.id}.xlsx")
        grid = list(wb["Veckor"].iter_rows(values_only=True))
        mondays = [v.date() if isinstance(v, datetime) else None for v in grid[1]]
        for row in grid[2:]:
            if row[0] in ("Antal placerade", "Kapacitet", "Full"):
                if row[0] == "Antal placerade":
                    for j, v in enumerate(row):
                        if mondays[j] is not None:
                            load[(u.id, mondays[j])] = v
                continue
            for j, v in enumerate(row):
                if mondays[j] is not None and v is not None:
                    got[(u.id, row[0], mondays[j])] += 1
                    assert v in u.disciplines
        # the list of who is placed: one row per stint, with dates
        placed = list(wb["Placerade"].iter_rows(min_row=2, values_only=True))
        mine = sorted((s.trainee, s.start, last_day(s.end)) for s in stints if s.unit == u.id)
        assert sorted((r[0], r[-3].date(), r[-2].date()) for r in placed) == mine  # t.o.m.
        # full capacity: exactly the weeks where placed >= capacity
        full = {r[0].date() + timedelta(weeks=k) for r in wb["Full kapacitet"].iter_rows(
            min_row=2, values_only=True) for k in range(r[2])}
        want = {d for (uid, d), n in load.items() if uid == u.id and n
                and u.capacity_in_week(d) is not None and n >= u.capacity_in_week(d)}
        assert full == want
    assert got == expected
    per_week = Counter()
    for (uid, _, d), n in expected.items():
        per_week[(uid, d)] += n
    assert {k: v for k, v in load.items() if v} == dict(per_week)
    # the clinic sees the trainee's name (not pseudonymised)
    assert any(NAME in c for c in all_cells(out / "enheter" / "ÅBY-MED.xlsx"))


def test_personal_plans_list_each_stint_with_its_requirement(example_run):
    out = example_run["tmp"] / "rosters-en"
    ok(invoke("rosters", example_run["plan"], "--out", out, "--instance",
              example_run["workbook"], "--lang", "en"))
    inst = read_workbook(example_run["workbook"])
    stints = read_plan_csv(example_run["plan"] / "plan.csv")
    files = sorted(p.stem for p in (out / "personal-plans").glob("*.xlsx"))
    assert files == sorted(t.id for t in inst.all_trainees())
    wb = openpyxl.load_workbook(out / "personal-plans" / "AT-ÅBY-01.xlsx")
    rows = list(wb["Plan"].iter_rows(min_row=2, values_only=True))
    mine = sorted((s.start, last_day(s.end), s.unit) for s in stints
                  if s.trainee == "AT-ÅBY-01")  # end dates inclusive (t.o.m.)
    assert sorted((r[0].date(), r[1].date(), r[3]) for r in rows if r[3]) == mine
    leave = [r for r in rows if r[3] is None]  # parental leave (extends the block) is listed
    assert [(r[0].date(), r[1].date()) for r in leave] == [(date(2027, 10, 4), date(2027, 12, 3))]
    assert "parental leave" in leave[0][4]
    for r in rows:
        if r[3]:
            assert r[7] and ("at least" in r[7] or r[6] in r[7])
    assert NAME in all_cells(out / "personal-plans" / "AT-ÅBY-01.xlsx")
    reqs = list(wb["Requirements"].iter_rows(min_row=2, values_only=True))
    assert reqs and all(r[4] == "yes" for r in reqs)  # a checked plan meets every requirement


def test_pseudonymized_solve_and_rosters_hold_no_ids_or_names(example_run):
    tmp = example_run["tmp"]
    inst = read_workbook(example_run["workbook"])
    ids = [t.id for t in inst.all_trainees()]
    ok(invoke("solve", example_run["workbook"], "--out", tmp / "p1", "--pseudonymize", *FAST))
    plan1 = (tmp / "p1" / "plan.csv").read_text(encoding="utf-8")
    trainees = {row["trainee"] for row in csv.DictReader(plan1.splitlines())}
    assert len(trainees) == len(ids) and all(t.startswith("P-") for t in trainees)
    text = plan1 + (tmp / "p1" / "run.json").read_text(encoding="utf-8") + "\n".join(
        all_cells(tmp / "p1" / "plan.xlsx"))
    for secret in ids + [NAME]:
        assert secret not in text
    # rosters of the pseudonymised plan, and rosters --pseudonymize of the plain plan: the
    # same codes (stable across runs and commands)
    ok(invoke("rosters", tmp / "p1", "--out", tmp / "r1", "--instance", example_run["workbook"]))
    ok(invoke("rosters", example_run["plan"], "--out", tmp / "r2", "--instance",
              example_run["workbook"], "--pseudonymize"))
    for r in ("r1", "r2"):
        files = list((tmp / r).rglob("*.xlsx"))
        assert {p.stem for p in (tmp / r / "personliga-planer").glob("*")} == trainees
        for f in files:
            cells = "\n".join(all_cells(f))
            for secret in ids + [NAME]:
                assert secret not in cells, (f, secret)
    # the codes are the keyed codes of the trainees, and the plan, named back, is valid (two
    # solves need not give the same plan: the phases work against wall-clock budgets)
    back = {c: t for t, c in codes(ids, KEY.encode()).items()}
    named = [replace(s, trainee=back[s.trainee]) for s in read_plan_csv(tmp / "p1" / "plan.csv")]
    assert checker.check(inst, named) == []


def test_codes_are_keyed_stable_and_distinct():
    ids = [f"AT-2027-01-{i:02d}" for i in range(1, 400)]
    a, b = codes(ids, b"k1"), codes(ids, b"k2")
    assert a == codes(list(reversed(ids)), b"k1")
    assert len(set(a.values())) == len(ids)
    assert not set(a.values()) & set(b.values())
    assert all(len(c) == 10 and c.startswith("P-") for c in a.values())


def test_rosters_refuse_bad_input(example_run, tmp_path):
    plan = example_run["plan"]
    r = ok(invoke("rosters", tmp_path, "--out", tmp_path / "o", "--instance",
                  example_run["workbook"]), 2)
    assert "plan.csv" in r.output
    bare = tmp_path / "bare"  # a plan without run.json: which instance?
    bare.mkdir()
    (bare / "plan.csv").write_bytes((plan / "plan.csv").read_bytes())
    ok(invoke("rosters", bare, "--out", tmp_path / "o"), 2)
    ok(invoke("rosters", plan, "--out", plan, "--instance", example_run["workbook"]), 2)
    # a plan that breaks a rule: no rosters
    bad = tmp_path / "bad"
    bad.mkdir()
    rows = (plan / "plan.csv").read_text(encoding="utf-8").splitlines()
    (bad / "plan.csv").write_text("\n".join(rows[:1] + rows[2:]) + "\n", encoding="utf-8")
    r = ok(invoke("rosters", bad, "--out", tmp_path / "o", "--instance",
                  example_run["workbook"]), 1)
    assert not (tmp_path / "o").exists()
    # an instance that changed since the plan was made: a warning, rosters still written
    changed = tmp_path / "changed.xlsx"
    wb = openpyxl.load_workbook(example_run["workbook"])
    wb["Inställningar"]["B3"] = "ändrad beskrivning"
    wb.save(changed)
    r = ok(invoke("rosters", plan, "--out", tmp_path / "o2", "--instance", changed))
    assert "Varning" in r.output and (tmp_path / "o2" / "enheter" / "MED.xlsx").is_file()


@pytest.mark.slow
def test_orebro_solved_from_its_workbook_is_checker_clean(tmp_path):
    path = tmp_path / "orebro.xlsx"
    ok(invoke("template", path, "--from", ROOT / "instances" / "orebro.yaml"))
    ok(invoke("solve", path, "--out", tmp_path / "plan", "--time-limit", "100"))
    inst, _ = api.load(path)
    stints = read_plan_csv(tmp_path / "plan" / "plan.csv")
    assert checker.check(inst, stints) == []
    ok(invoke("rosters", tmp_path / "plan", "--out", tmp_path / "rosters", "--instance", path))
    assert len(list((tmp_path / "rosters" / "enheter").glob("*.xlsx"))) == len(inst.units)


def test_key_file_is_created_once_private_and_reused(tmp_path, monkeypatch):
    from scheduler.workbook.pseudonym import key_file, pseudonym_key

    monkeypatch.delenv("ATBT_PSEUDONYM_KEY")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    key = pseudonym_key()
    assert key_file() == tmp_path / "atbt" / "pseudonym.key"
    assert key_file().stat().st_mode & 0o777 == 0o600
    assert len(key) == 64 and pseudonym_key() == key
