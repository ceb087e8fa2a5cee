"""Issue 16, "nothing wrong, nothing lost": one regression test per point of the attack report.

Each test reproduces what the attack found on the code before the fix (a wrong plan written as
clean, mixed output sets, formulas in workbooks, ...) and asserts the defended behaviour.
docs/SECURITY.md maps each defence to its test here. Names are invented.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

from scheduler import checker, cli
from scheduler.i18n import set_language
from scheduler.io import InputError, load_instance
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
