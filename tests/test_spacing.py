"""Vårdcentral spacing (issue 19): the soft term ``spacing`` on tiny hand-solvable cases, and
the model, ``plan_cost`` and the checker agreeing on it. Names are invented."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as hs
from ortools.sat.python import cp_model
from pydantic import ValidationError

from scheduler import verify as checker
from scheduler.domain import Instance
from scheduler.inputs.yaml_io import InputError
from scheduler.plan import Stint
from scheduler.result import Status
from scheduler.solver.cpsat import make_solver, run
from scheduler.solver.model import PlacementModel, capacity_profiles
from scheduler.solver.plan_state import plan_cost
from scheduler.solver.solve import solve
from scheduler.workbook.reader import read_workbook
from scheduler.workbook.template import instance_to_workbook

H0 = date(2027, 1, 4)
ZERO = {"unit_changes": 0, "fragmentation": 0, "staffing_shortfall": 0, "peak_utilisation": 0}
# Four weeks of general practice and four of medicine, eight weeks in all.
P8 = {"id": "P8", "name": "Åtta veckor", "kind": "other", "regulation": "test",
      "length_weeks": 8, "requirements": [{"discipline": "allmanmedicin", "min_weeks": 4,
                                           "max_weeks": 4},
                                          {"discipline": "medicin", "min_weeks": 4,
                                           "max_weeks": 4}]}


def wk(n: int) -> date:
    return H0 + timedelta(weeks=n)


def vc(uid: str, gap: int | None = 10, **extra: Any) -> dict:
    return {"id": uid, "name": f"Vårdcentral {uid}", "site": "NORD",
            "disciplines": ["allmanmedicin"], "capacity": 1, "min_start_gap_weeks": gap, **extra}


MED = {"id": "MED", "name": "Medicinkliniken", "site": "NORD", "disciplines": ["medicin"],
       "capacity": 2}


def build(units: list[dict], n_trainees: int = 2, weeks: int = 8, **weights: int) -> Instance:
    return Instance.model_validate({
        "name": "Glesregionen", "horizon": {"start": H0, "end": wk(weeks)},
        "programmes": [P8], "sites": [{"id": "NORD", "name": "Norrby"}],
        "units": units,
        "trainees": [{"id": f"T{k}", "programme": "P8", "start": H0, "site": "NORD"}
                     for k in range(n_trainees)],
        "weights": {**ZERO, **weights}})


def solved(inst: Instance, cost: int) -> Any:
    """OPTIMAL at ``cost``; the checker accepts the plan and recomputes the same objective."""
    r = solve(inst, time_limit=10, workers=1, seed=0)
    assert r.status is Status.OPTIMAL
    assert checker.check(inst, r.stints) == []
    terms = checker.evaluate(inst, r.stints)
    assert checker.objective(inst, terms) == cost
    assert r.objective == pytest.approx(cost)
    assert r.terms == {t: terms[t] for t in r.terms}
    return r


def test_spacing_avoided_by_the_symmetric_alternative() -> None:
    # VC1 wants one trainee in all 8 weeks (staffing target, 1 per week short). Both trainees
    # at VC1 (weeks 0-4 and 4-8) leave no week short, but their starts are 4 weeks apart:
    # spacing 10 - 4 = 6. One trainee at VC1 and one at VC2: VC1 is 4 weeks short, spacing 0.
    # Objective min(1*0 + 1*6, 1*4 + 1*0) = 4, with spacing 0.
    target = {"trainees": 1}
    inst = build([vc("VC1", staffing_target=target), vc("VC2"), MED],
                 staffing_shortfall=1, spacing=1)
    r = solved(inst, 4)
    assert r.terms["spacing"] == 0
    assert r.terms["staffing_shortfall"] == 4
    # Without the term the staffing target puts both at VC1 (objective 0).
    inst0 = build([vc("VC1", staffing_target=target), vc("VC2"), MED],
                  staffing_shortfall=1, spacing=0)
    r0 = solved(inst0, 0)
    assert "spacing" not in r0.terms
    assert checker.start_crowding(inst0, r0.stints) == 6


def test_spacing_that_cannot_be_avoided_costs_its_shortfall() -> None:
    # One vårdcentral, capacity 1, two trainees needing 4 of its weeks within the same 8: it
    # is full in weeks 0-8, one trainee starts there in week 0 and the other by week 4, so
    # the starts are at most 4 apart: spacing 10 - 4 = 6, weight 3, objective 18.
    inst = build([vc("VC1"), MED], spacing=3)
    r = solved(inst, 18)
    assert r.terms["spacing"] == 6


def test_no_gap_no_term() -> None:
    # Without min_start_gap_weeks the term is out of the objective whatever its weight.
    inst = build([vc("VC1", gap=None), MED], spacing=3)
    assert "spacing" not in inst.objective_weights()
    r = solved(inst, 0)
    assert "spacing" not in r.terms


def test_gap_must_be_positive() -> None:
    with pytest.raises(ValidationError):
        build([vc("VC1", gap=0), MED])


def _model_spacing(inst: Instance, stints: list[Stint]) -> int | None:
    """The model's term for a fixed plan: every stint external, only ``spacing`` posted.
    (The model leaves out units where it has no options, their spacing being a constant:
    T5, not admitted, gives it some. None where T5 has no option at a unit with stints,
    e.g. a stint range that does not fit: the model has no term to compare there.)"""
    t5 = next(t for t in inst.all_trainees() if t.id == "T5")
    pm = PlacementModel(inst, trainees=[t5], external=stints, terms=("spacing",),
                        ignore_capacity=True, optional={"T5"})
    if any(not pm.by_unit.get(s.unit) for s in stints):
        return None
    if "spacing" not in pm.term_exprs:
        return 0
    pm.model.add(pm.admitted["T5"] == 0)
    solver = make_solver(10, 1, 0)
    status = run(solver, pm.model)
    assert status == cp_model.OPTIMAL
    return round(solver.objective_value)


starts = hs.lists(hs.tuples(hs.integers(0, 4), hs.sampled_from(["VC1", "VC2"]),
                            hs.integers(0, 30), hs.integers(1, 6)), max_size=9)


@settings(max_examples=40, deadline=None)
@given(starts, hs.integers(1, 12))
def test_checker_plan_state_and_model_agree(rows: list, gap: int) -> None:
    # Stints anywhere (a trainee may hold several at a unit: its first week counts); the
    # checker counts windows, plan_cost sorted pairs, the model minimises shadow intervals.
    inst = build([vc("VC1", gap), vc("VC2", gap + 3, capacity=2), MED], n_trainees=6,
                 weeks=40, spacing=1)
    stints = [Stint(trainee=f"T{t}", programme="P8", unit=u, discipline="allmanmedicin",
                    site="NORD", start=wk(a), end=wk(a + n)) for t, u, a, n in rows]
    want = checker.start_crowding(inst, stints)
    _, terms = plan_cost(inst, stints, capacity_profiles(inst))
    assert terms["spacing"] == want
    assert checker.evaluate(inst, stints)["spacing"] == want
    got = _model_spacing(inst, stints)
    assume(got is not None)
    assert got == want


def test_workbook_round_trip_and_old_workbooks(tmp_path: Path) -> None:
    # The Enheter column (at the end) and the weight round-trip; a workbook without the
    # column (made before it existed) still reads, every unit without a gap.
    inst = build([vc("VC1", 78), vc("VC2", None), MED], spacing=2)
    path = tmp_path / "wb.xlsx"
    path.write_bytes(instance_to_workbook(inst, "sv"))
    assert read_workbook(path) == inst
    wb = openpyxl.load_workbook(path)
    ws = wb["Enheter"]
    last = ws.max_column
    assert ws.cell(row=1, column=last).value == "Minsta veckor mellan starter"
    ws.delete_cols(last)
    wb.save(path)
    old = read_workbook(path)
    assert all(u.min_start_gap_weeks is None for u in old.units)
    assert "spacing" not in old.objective_weights()


def test_a_trainees_start_is_its_first_week_at_the_unit() -> None:
    # Gävle-like: two weeks at the vårdcentral first, two at the same one last, medicine
    # between. T0 starts in week 0, T1 in week 4; one vårdcentral (room for both), gap 10.
    # Stints there start in weeks 0, 6 (T0) and 4, 10 (T1), but each trainee's start is its
    # first week there: 0 and 4, spacing 10 - 4 = 6 (each stint counted: 6 + 8 + 6 = 20).
    g8 = {**P8, "id": "G8", "starts_with": {"discipline": "allmanmedicin", "weeks": 2,
                                           "same_unit_as_end": True},
          "ends_with": "allmanmedicin"}
    inst = Instance.model_validate({
        "name": "Glesregionen", "horizon": {"start": H0, "end": wk(12)},
        "programmes": [g8], "sites": [{"id": "NORD", "name": "Norrby"}],
        "units": [vc("VC1", capacity=2), MED],
        "trainees": [{"id": f"T{k}", "programme": "G8", "start": wk(4 * k), "site": "NORD"}
                     for k in range(2)],
        "weights": {**ZERO, "spacing": 1}})
    pm = PlacementModel(inst, terms=("spacing",))
    solver = make_solver(10, 1, 0)
    assert run(solver, pm.model) == cp_model.OPTIMAL
    assert round(solver.objective_value) == 6
    stints = pm.extract(solver)
    assert checker.check(inst, stints) == []
    assert checker.start_crowding(inst, stints) == 6
    assert len([s for s in stints if s.unit == "VC1"]) == 4


def test_a_gap_of_zero_in_the_workbook_is_a_located_error(tmp_path: Path) -> None:
    inst = build([vc("VC1", 78), MED], spacing=2)
    path = tmp_path / "wb.xlsx"
    path.write_bytes(instance_to_workbook(inst, "sv"))
    wb = openpyxl.load_workbook(path)
    ws = wb["Enheter"]
    ws.cell(row=2, column=ws.max_column).value = 0
    wb.save(path)
    with pytest.raises(InputError) as e:
        read_workbook(path)
    assert "Enheter, rad 2, Minsta veckor mellan starter" in str(e.value)
