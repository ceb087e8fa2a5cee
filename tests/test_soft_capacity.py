"""``solve --soft-capacity``: the plan with the fewest trainee-weeks over capacity.

Tiny hand-solvable instances; the arithmetic is in the comments. The checker recomputes the
overruns and the ``capacity_overrun`` term from the plan alone.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from scheduler import api, cli
from scheduler import verify as checker
from scheduler.api import solve_soft_and_verify
from scheduler.i18n import set_language
from scheduler.inputs.yaml_io import dump_instance
from scheduler.plan import Stint
from scheduler.result import Status
from scheduler.verify import OVERRUN_WEIGHT, Overrun, capacity_overruns
from tests.helpers import build, programme, trainee, unit, wk

runner = CliRunner()
M6 = programme("M6", 6, ("medicin", 6, None))


@pytest.fixture(autouse=True)
def _swedish_afterwards():
    yield
    set_language("sv")


def st(tid: str, uid: str, a: int, b: int, d: str = "medicin", prog: str = "M6") -> Stint:
    return Stint(trainee=tid, start=wk(a), end=wk(b), unit=uid, discipline=d, programme=prog,
                 site="NORD")


def test_two_trainees_one_seat():
    # Two 6-week medicine blocks in the same weeks, one seat: one trainee is over capacity for
    # 6 weeks = 6 trainee-weeks; no other plan exists (MED is the only unit).
    inst = build([unit("MED", "medicin")], [trainee("A", programme="M6"),
                                           trainee("B", programme="M6")], [M6], weeks=6)
    assert api.solve_and_verify(inst, time_limit=10, workers=1).status is Status.INFEASIBLE
    r, overruns = solve_soft_and_verify(inst, time_limit=10, workers=1)
    assert r.status is Status.OPTIMAL
    assert r.terms["capacity_overrun"] == 6
    # unit_changes 0 (weight 1) + 1000 * 6
    assert r.objective == OVERRUN_WEIGHT * 6
    assert overruns == [Overrun("MED", wk(0), 6, 1)]
    assert checker.check(inst, r.stints, soft_capacity=True) == []
    assert [v.rule for v in checker.check(inst, r.stints)] == ["capacity"]


def test_overruns_go_where_they_are_smallest():
    # Two 6-week medicine blocks; MED has 1 seat, MED2 has 1 seat but 0 in weeks 0-1.
    # Best: A at MED (0 over), B at MED2: over by 1 in weeks 0-1 = 2 trainee-weeks
    # (B could also split, MED2 weeks 2-5 then... no: only one unit free in weeks 0-1).
    inst = build([unit("MED", "medicin"),
                  unit("MED2", "medicin",
                       capacity_changes=[{"start": wk(0), "end": wk(2), "capacity": 0}])],
                 [trainee("A", programme="M6"), trainee("B", programme="M6")], [M6],
                 weeks=6)
    r, overruns = solve_soft_and_verify(inst, time_limit=10, workers=1)
    assert r.status is Status.OPTIMAL
    assert r.terms["capacity_overrun"] == 2
    assert sum(o.trainee_weeks for o in overruns) == 2
    assert overruns[0].over == 1


def test_feasible_instance_has_no_overruns_and_same_objective():
    inst = build([unit("MED", "medicin"), unit("PSY", "psykiatri")], [trainee()])
    hard = api.solve_and_verify(inst, time_limit=10, workers=1)
    soft, overruns = solve_soft_and_verify(inst, time_limit=10, workers=1)
    assert overruns == [] and soft.terms["capacity_overrun"] == 0
    assert soft.objective == hard.objective == 1  # one change of unit


def test_checker_lists_overrun_runs():
    # MED seat 1: A weeks 0-6, B weeks 0-3, C weeks 2-4 -> load 2,2,3,2,1,1:
    # over 1 in weeks 0-1, 2 in week 2, 1 in week 3 = 1+1+2+1 = 5 trainee-weeks.
    inst = build([unit("MED", "medicin")], [trainee("A", programme="M6")], [M6], weeks=6)
    plan = [st("A", "MED", 0, 6), st("B", "MED", 0, 4), st("C", "MED", 2, 3)]
    assert capacity_overruns(inst, plan) == [
        Overrun("MED", wk(0), 2, 1), Overrun("MED", wk(2), 1, 2), Overrun("MED", wk(3), 1, 1)]
    terms = checker.evaluate(inst, plan, soft_capacity=True)
    assert terms["capacity_overrun"] == 5
    assert "capacity_overrun" not in checker.evaluate(inst, plan)


def test_cli_soft_capacity_lists_and_colours_overruns(tmp_path: Path):
    inst = build([unit("MED", "medicin")], [trainee("A", programme="M6"),
                                           trainee("B", programme="M6")], [M6], weeks=6)
    path = tmp_path / "i.yaml"
    path.write_text(dump_instance(inst), encoding="utf-8")
    out = tmp_path / "out"
    res = runner.invoke(cli.app, ["solve", str(path), "--out", str(out), "--soft-capacity",
                                  "--time-limit", "10", "--workers", "1", "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "1 overruns (6 trainee-weeks over capacity)" in res.output
    assert "Enhet MED (MED) weeks 1–6 2027: 1 over capacity" in res.output
    wb = openpyxl.load_workbook(out / "plan.xlsx")
    ws = wb["Overruns"]
    row = [c.value for c in ws[2]][:7]
    assert row[:2] == ["MED", "Enhet MED"] and row[4:] == [6, 1, 6]
    assert [d.date() for d in row[2:4]] == [wk(0), wk(6) - timedelta(days=3)]  # t.o.m. Friday
    assert ws.cell(row=2, column=1).fill.fgColor.rgb.endswith("FF7C80")


def test_soft_capacity_with_two_intakes_matches_least_extra_capacity():
    # Two intakes (so the first plan comes from the trainee-by-trainee decomposition), 3 + 2
    # trainees needing 4 weeks of psychiatry in 8-week blocks, PSY with 1 seat: the fewest
    # trainee-weeks over capacity equals explain's least extra capacity (same quantity,
    # found by two different searches).
    from scheduler.domain import Instance
    from scheduler.solver.explain import explain

    p8 = programme("P8", 8, ("medicin", 4, None), ("psykiatri", 4, None))
    base = build([unit("MED", "medicin", capacity=None), unit("MED2", "medicin", capacity=None),
                  unit("PSY", "psykiatri", capacity=1)], [], [p8], weeks=14)
    data = base.model_dump()
    data["cohorts"] = [{"id": "K1", "programme": "P8", "start": wk(0), "count": 3,
                        "site": "NORD"},
                       {"id": "K2", "programme": "P8", "start": wk(4), "count": 2,
                        "site": "NORD"}]
    inst = Instance.model_validate(data)
    ex = explain(inst, time_limit=20)
    assert not ex.feasible and ex.relaxation_cost is not None
    r, overruns = solve_soft_and_verify(inst, time_limit=20, workers=1)
    assert r.status is Status.OPTIMAL
    assert r.terms["capacity_overrun"] == ex.relaxation_cost == \
        sum(o.trainee_weeks for o in overruns)
    assert checker.check(inst, r.stints, soft_capacity=True) == []
