"""``atbt explain``: hand-made infeasible instances whose cause is known.

Each test checks that the conflict names the true cause (a minimal set of rule groups), that the
wording is in domain terms, and that applying the suggested relaxation gives a plan the checker
accepts. Inputs that can never be feasible are rejected by validation (exit 2) with a message
naming the cause; those tests check that message instead. Names are invented.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st_
from pydantic import ValidationError
from typer.testing import CliRunner

from scheduler import api, cli
from scheduler import verify as checker
from scheduler.domain import Instance
from scheduler.i18n import set_language
from scheduler.report.explanation import render
from scheduler.result import Status
from scheduler.solver.explain import ExplainModel, _try, apply_relaxations, explain, find_conflict
from tests.helpers import P26, build, leave, programme, trainee, unit, with_cohort, wk

runner = CliRunner()


@pytest.fixture(autouse=True)
def _swedish_afterwards():
    yield
    set_language("sv")


def assert_relaxation_works(inst: Instance, ex) -> Instance:
    assert ex.relaxations and ex.relaxation_verified
    relaxed = apply_relaxations(inst, ex.relaxations)
    r = api.solve_and_verify(relaxed, time_limit=10, workers=1)
    assert r.status.has_plan
    assert checker.check(relaxed, r.stints) == []
    return relaxed


def kinds(ex) -> set[tuple[str, str, str]]:
    return {(g.kind, g.who, g.detail) for g in ex.conflict}


# ---- psychiatry too small for the intake

def psychiatry_too_small() -> Instance:
    inst = build([unit("MED", "medicin", capacity=None),
                  unit("PSY", "psykiatri", capacity=2, min_weeks=13, max_weeks=13)],
                 [], [P26], weeks=40)
    return with_cohort(inst, "AT-A", "P26", 4, 6)


def test_psychiatry_too_small_names_capacity_and_requirement():
    inst = psychiatry_too_small()
    ex = explain(inst, time_limit=20)
    assert not ex.feasible and ex.proven and ex.minimal
    # The true cause: the intake's psychiatry minimum against PSY's capacity, nothing else.
    assert kinds(ex) == {("requirement", "AT-A", "psykiatri"), ("capacity", "PSY", "")}
    text = "\n".join(render(inst, ex, "sv"))
    # The block runs weeks 4..29 of the horizon (ISO weeks 5-30 of 2027).
    assert "Psykiatri v. 5–30 2027: 6 AT behöver 13 veckor var inom sina block, men " \
           "kapaciteten är 2 per vecka (PSY)" in text
    en = "\n".join(render(inst, ex, "en"))
    assert "6 AT trainees need 13 weeks each" in en
    # 6 x 13 = 78 trainee-weeks of psychiatry in a 26-week window with 2 seats (52):
    # the smallest extra capacity is 78 - 52 = 26 trainee-weeks.
    assert ex.relaxation_cost == 26
    assert sum(r.amount * r.weeks for r in ex.relaxations) == 26
    assert {r.target for r in ex.relaxations} == {"PSY"}
    assert_relaxation_works(inst, ex)


def test_conflict_is_minimal():
    """Removing any group of the conflict leaves a feasible set (deletion filter)."""
    inst = psychiatry_too_small()
    status, conflict, minimal = find_conflict(inst, 20)
    assert status == "infeasible" and minimal
    em = ExplainModel(inst)
    assert _try(em, conflict, 10)[0] == "infeasible"
    for g in conflict:
        assert _try(em, [x for x in conflict if x != g], 10)[0] == "feasible"


# ---- no vårdcentral takes BT


BT = programme("BT", 8, ("allmanmedicin", 4, None), ("akut", 4, None))
BT["kind"] = "BT"


def test_no_vardcentral_takes_bt_is_invalid_input():
    # Validation already rejects it: no unit accepting BT credits allmanmedicin at all.
    with pytest.raises(ValidationError, match="allmanmedicin"):
        build([unit("VC", "allmanmedicin", programmes=["P6"]), unit("AKM", "akut")],
              [trainee(programme="BT")], [BT, programme("P6", 6, ("allmanmedicin", 2, None))])


def test_no_vardcentral_takes_bt_cli_exit_2(tmp_path: Path):
    data = {"name": "x", "horizon": {"start": "2027-01-04", "end": "2027-04-05"},
            "programmes": [BT], "sites": [{"id": "NORD", "name": "Norrby"}],
            "units": [unit("VC", "allmanmedicin", programmes=[]), unit("AKM", "akut")],
            "trainees": [{**trainee(programme="BT"), "start": "2027-01-04"}]}
    path = tmp_path / "i.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    res = runner.invoke(cli.app, ["explain", str(path), "--lang", "en"])
    assert res.exit_code == 2
    assert "allmanmedicin" in res.output and "BT" in res.output


def test_vardcentral_closed_for_bt_block():
    # The only vårdcentral is closed (capacity 0) for the whole BT block: validation cannot
    # see it; the explanation names BT's general-practice minimum and VC's capacity.
    inst = build([unit("VC", "allmanmedicin",
                       capacity_changes=[{"start": wk(0), "end": wk(12), "capacity": 0}]),
                  unit("AKM", "akut", capacity=None)],
                 [trainee(programme="BT")], [BT])
    ex = explain(inst, time_limit=20)
    assert kinds(ex) == {("requirement", "T1", "allmanmedicin"), ("capacity", "VC", "")}
    # 4 weeks of general practice, one trainee: 4 trainee-weeks of extra capacity.
    assert ex.relaxation_cost == 4
    assert_relaxation_works(inst, ex)


# ---- a locked stint overlapping leave


def test_locked_stint_overlapping_leave():
    # Issue 22: no plan can hold a locked stint in extending leave, so it is input (exit 2,
    # both entries named), no longer a conflict for the model to explain.
    with pytest.raises(ValidationError, match=r"locked\[0\] \(MED\).*leave\[0\]"):
        build([unit("MED", "medicin", capacity=None), unit("PSY", "psykiatri", capacity=None)],
              [trainee(leave=[leave(2, 4)],
                       locked=[{"start": wk(1), "end": wk(4), "unit": "MED",
                                "discipline": "medicin"}])])


# ---- a block too short for its minima


def test_block_too_short_for_minima_is_invalid_input():
    with pytest.raises(ValidationError, match=r"minst 8 veckor|at least 8 weeks"):
        programme_ = programme("P", 6, ("medicin", 4, None), ("psykiatri", 4, None))
        build([unit("MED", "medicin")], [trainee(programme="P")], [programme_])


def test_block_too_short_for_stint_lengths():
    # Minima 2 + 2 fit 6 weeks, but MED stints last at least 4 weeks and PSY stints at least
    # 3: 4 + 3 = 7 > 6. The smallest fix is a block one week longer.
    inst = build([unit("MED", "medicin", capacity=None, min_weeks=4),
                  unit("PSY", "psykiatri", capacity=None, min_weeks=3)], [trainee()])
    ex = explain(inst, time_limit=20)
    assert not ex.feasible and ex.minimal
    # Both minima within the block's window (the window itself is background, not a group).
    assert kinds(ex) == {("requirement", "T1", "medicin"), ("requirement", "T1", "psykiatri")}
    text = "\n".join(render(inst, ex, "sv"))
    assert "T1: 1 P6 behöver minst 2 veckor invärtesmedicin inom blocket v. 1–6 2027" in text
    assert [(r.kind, r.target, r.amount) for r in ex.relaxations] == [("longer_block", "P6", 1)]
    assert_relaxation_works(inst, ex)
    text = "\n".join(render(inst, ex, "en"))
    assert "lengthen the block of P6 by 1 weeks" in text


# ---- feasible input and the CLI


def test_feasible_instance_has_nothing_to_explain():
    inst = build([unit("MED", "medicin"), unit("PSY", "psykiatri")], [trainee()])
    assert explain(inst, time_limit=10).feasible
    r = api.solve_and_verify(inst, time_limit=10, workers=1)
    assert r.status is Status.OPTIMAL


def _write(tmp_path: Path, inst: Instance) -> Path:
    from scheduler.inputs.yaml_io import dump_instance
    path = tmp_path / "instance.yaml"
    path.write_text(dump_instance(inst), encoding="utf-8")
    return path


def test_cli_explain_exit_3(tmp_path: Path):
    path = _write(tmp_path, psychiatry_too_small())
    res = runner.invoke(cli.app, ["explain", str(path), "--lang", "en"])
    assert res.exit_code == 3
    assert "Psychiatry weeks 5–30 2027: 6 AT trainees" in res.output
    # 26 trainee-weeks short in a 26-week window: one more seat there (2 -> 3).
    assert "+1 supervisors at Enhet PSY (PSY) in weeks 5–30 2027 (capacity 2 → 3 a week)" \
        in res.output


def test_cli_solve_infeasible_prints_explanation(tmp_path: Path):
    path = _write(tmp_path, psychiatry_too_small())
    res = runner.invoke(cli.app, ["solve", str(path), "--out", str(tmp_path / "out"),
                                  "--time-limit", "10", "--workers", "1"])
    assert res.exit_code == 3
    assert "Ingen plan finns" in res.output
    assert "Psykiatri v. 5–30 2027: 6 AT behöver 13 veckor" in res.output


def test_cli_explain_feasible_exit_0(tmp_path: Path):
    inst = build([unit("MED", "medicin"), unit("PSY", "psykiatri")], [trainee()])
    res = runner.invoke(cli.app, ["explain", str(_write(tmp_path, inst))])
    assert res.exit_code == 0
    assert "har en plan" in res.output


@settings(max_examples=12, deadline=None)
@given(count=st_.integers(1, 5), cap=st_.integers(0, 2), psy_min=st_.sampled_from([1, 2, 3, 6]),
       start=st_.integers(0, 3))
def test_property_capacity_conflicts_are_explained_and_fixed(count: int, cap: int,
                                                             psy_min: int, start: int):
    """Random intakes against a small psychiatry: every infeasible case is explained by a
    minimal conflict naming PSY's capacity, and the suggested relaxation gives a plan."""
    prog = programme("P", 6, ("medicin", 0, None), ("psykiatri", psy_min, None))
    # Two medical units, so psychiatry can sit anywhere in a block (medicine before and
    # after it at different units: one stint per unit).
    inst = with_cohort(build([unit("MED", "medicin", capacity=None),
                              unit("MED2", "medicin", capacity=None),
                              unit("PSY", "psykiatri", capacity=cap)], [], [prog], weeks=12),
                       "K", "P", start, count)
    ex = explain(inst, time_limit=20)
    # count stints of psy_min weeks (a divisor of 6) in the 6-week block, cap seats: they
    # pack perfectly, so a plan exists iff count * psy_min <= 6 * cap, and the least extra
    # capacity is the difference in trainee-weeks.
    assert ex.feasible == (count * psy_min <= cap * 6)
    if ex.feasible:
        return
    assert ex.minimal and ("capacity", "PSY", "") in kinds(ex)
    assert ex.relaxation_cost == count * psy_min - cap * 6
    assert_relaxation_works(inst, ex)


def test_seats_needed_is_the_plan_s_exact_excess_per_week() -> None:
    """Psychiatry has 1 seat; the plan puts T1 there in weeks 0-4, T2 in 2-6 and T3 in 3-4.
    Load per week 0..5: 1, 1, 2, 3, 1, 1 -> excess 0, 0, 1, 2, 0, 0: +1 seat in week 2 and
    +2 in week 3 (3 seat-weeks), where seats_used (runs joined, raised to their peak) gives
    +2 in weeks 2-3 (4 seat-weeks). With exactly those seats the plan fits the checker's
    capacity rule."""
    from dataclasses import replace

    from scheduler.plan import Stint
    from scheduler.solver.explain import _cost, seats_needed, seats_used

    inst = build([unit("PSY", "psykiatri", capacity=1), unit("MED", "medicin", capacity=3)],
                 [trainee("T1"), trainee("T2"), trainee("T3")])

    def st(tid: str, a: int, b: int) -> Stint:
        return Stint(tid, wk(a), wk(b), "PSY", "psykiatri", "P6", "NORD")

    plan = [st("T1", 0, 4), st("T2", 2, 6), st("T3", 3, 4)]
    need = seats_needed(inst, plan, {"PSY", "MED"})
    assert [(r.target, r.amount, r.start, r.weeks) for r in need] == [
        ("PSY", 1, wk(2), 1), ("PSY", 2, wk(3), 1)]
    assert _cost(need) == 3 < _cost(seats_used(inst, plan, {"PSY"})) == 4
    # (The stints fill no block: only the capacity rule is asserted.)
    assert [v.week for v in checker.check(inst, plan) if v.rule == "capacity"]
    relaxed = apply_relaxations(inst, need)
    assert not [v for v in checker.check(relaxed, plan) if v.rule == "capacity"]
    less = apply_relaxations(inst, [need[0], replace(need[1], amount=1)])
    assert [v.week for v in checker.check(less, plan) if v.rule == "capacity"] == [wk(3)]
