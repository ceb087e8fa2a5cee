"""MSS rules on tiny hand-made instances: the evaluator's arithmetic, one checker test per
constraint of mss.mzn, and the CP-SAT model reaching hand-computed optima.

Cells are 0-based (student, period, hospital, discipline); comments use 1-based periods.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from ortools.sat.python import cp_model

from scheduler.mss.check import check
from scheduler.mss.evaluate import evaluate
from scheduler.mss.model import MssModel
from scheduler.mss.solve import replan, solve
from scheduler.solver import cpsat
from tests.mss_util import instances, tiny


def codes(inst, cells):
    return sorted({v.code for v in check(inst, cells)})


# ---------------------------------------------------------------------------- evaluator


def test_every_term_by_hand():
    # Weights (W_disc 2, W_hosp 3, W_change -1, W_wait -2); periods 1..5: idle, (h1, d1),
    # idle, (h2, d3), idle.
    inst = tiny(horizon=5, hospitals=2, disciplines=3, stud_disc_group=[[2]],
                weight_pref=[[2, 3, -1, -2]], pref_disc=[[1, 2, 3]], pref_hosp=[[4, 5]],
                man_pref=[1, 0, 2])
    sc = evaluate(inst, {(0, 1, 0, 0), (0, 3, 1, 2)})
    t = sc.per_student[0]
    assert t["sat_disc"] == 2 * (1 + 3)  # 8
    assert t["sat_hosp"] == 3 * 4 + 3 * 5  # 27 (div Duration 1)
    assert t["sat_wait"] == -2 * 2  # idle periods 1 and 3 lie before the last attended (4)
    assert t["sat_chn"] == -1  # hospital 1 -> 2 once; the idle period between does not count
    assert t["sat_man"] == 1 + 2  # 3
    assert t["total"] == 8 + 27 - 4 - 1 + 3  # 33
    assert sc.score == 33 + 33  # one student: the worst is itself


def test_worst_student_is_added_once():
    # Student 1 attends d1 (pref 5): 5 + 1 = 6; student 2 attends d1 (pref 1): 1 + 1 = 2.
    inst = tiny(students=2, horizon=1, pref_disc=[[5], [1]])
    sc = evaluate(inst, {(0, 0, 0, 0), (1, 0, 0, 0)})
    assert (sc.total, sc.worst, sc.score) == (8, 2, 10)


def test_integer_divisions_truncate_toward_zero():
    # Duration 2 and a lone cell (not a valid stint): disc_attending = 1 div 2 = 0, and
    # SatHosp = (W_hosp * pref * 1) div 2 = -3 div 2 = -1 in MiniZinc (Python's // gives -2).
    inst = tiny(horizon=2, duration=2, weight_pref=[[1, -3, -1, -1]], pref_disc=[[4]])
    t = evaluate(inst, {(0, 0, 0, 0)}).per_student[0]
    assert t["sat_disc"] == 0
    assert t["sat_hosp"] == -1


def test_no_waiting_after_the_last_stint_and_changes_only_between_stints():
    # Periods 1..4: (h2), (h2), idle, idle -> no waiting, no change.
    inst = tiny(horizon=4, hospitals=2, disciplines=2)
    t = evaluate(inst, {(0, 0, 1, 0), (0, 1, 1, 1)}).per_student[0]
    assert (t["sat_wait"], t["sat_chn"]) == (0, 0)


def test_evaluator_rejects_two_wards_in_one_period():
    inst = tiny(disciplines=2)
    with pytest.raises(ValueError, match="two wards"):
        evaluate(inst, {(0, 0, 0, 0), (0, 0, 0, 1)})


# ---------------------------------------------------------------------------- checker


def test_valid_schedule_has_no_violation():
    inst = tiny(horizon=4, duration=2, disciplines=2)
    assert check(inst, {(0, 0, 0, 0), (0, 1, 0, 0), (0, 2, 0, 1), (0, 3, 0, 1)}) == []


def test_index():
    assert codes(tiny(), {(0, 3, 0, 0)}) == ["group", "index"]


def test_one_ward_per_period():
    inst = tiny(disciplines=2, hospitals=2)
    assert "one_ward" in codes(inst, {(0, 0, 0, 0), (0, 0, 1, 1)})


def test_contiguity_of_a_stint():
    # Duration 2: d1 in periods 1 and 3 is not a stint (period 2 differs after d1 started).
    inst = tiny(horizon=4, duration=2, disciplines=2, stud_disc_group=[[1]])
    assert codes(inst, {(0, 0, 0, 0), (0, 2, 0, 0)}) == ["contiguity"]


def test_contiguity_hospital_stays_the_same():
    inst = tiny(horizon=2, duration=2, hospitals=2)
    assert codes(inst, {(0, 0, 0, 0), (0, 1, 1, 0)}) == ["contiguity"]


def test_discipline_at_most_once():
    inst = tiny(horizon=2, stud_disc_group=[[2]], max_disc_per_hosp=2)  # 2 needed, 1 exists
    assert codes(inst, {(0, 0, 0, 0), (0, 1, 0, 0)}) == ["once"]


def test_group_requirement_is_exact():
    inst = tiny(horizon=3, disciplines=2)
    assert codes(inst, {(0, 0, 0, 0)}) == ["group"]  # 1 of 2 disciplines


def test_allowed_discipline():
    inst = tiny(allowed_disc=[[0]])
    assert codes(inst, {(0, 0, 0, 0)}) == ["allowed"]


def test_precedence():
    # Precededby[2, 1] = 1: d2 needs d1 attended earlier (or in the same period).
    inst = tiny(horizon=2, disciplines=2, precededby=[[0, 0], [1, 0]])
    assert codes(inst, {(0, 0, 0, 1), (0, 1, 0, 0)}) == ["precedence"]
    assert codes(inst, {(0, 0, 0, 0), (0, 1, 0, 1)}) == []


def test_max_disciplines_per_hospital():
    inst = tiny(horizon=2, disciplines=2, max_disc_per_hosp=1)
    assert codes(inst, {(0, 0, 0, 0), (0, 1, 0, 1)}) == ["max_disc_per_hosp"]


def test_ward_maximum():
    inst = tiny(students=2, horizon=1, max_pos=[[[1]]])
    assert codes(inst, {(0, 0, 0, 0), (1, 0, 0, 0)}) == ["max_pos"]


def test_ward_minimum():
    inst = tiny(horizon=2, min_pos=[[[0, 1]]])
    assert codes(inst, {(0, 0, 0, 0)}) == ["min_pos"]


def test_ability():
    inst = tiny(hospitals=2, ability=[[[1], [0]]])
    assert codes(inst, {(0, 0, 1, 0)}) == ["ability"]


def test_availability():
    inst = tiny(availability=[[0, 1, 1]])
    assert codes(inst, {(0, 0, 0, 0)}) == ["availability"]


# ---------------------------------------------------------------------------- model


def solved(inst, **kw):
    res = solve(inst, time_limit=10, workers=1, **kw)
    assert res.status == "optimal", res.status
    assert check(inst, res.cells) == []
    assert evaluate(inst, res.cells).score == res.objective
    return res


@pytest.mark.parametrize("first_plan", [True, False])
def test_model_capacity_makes_one_student_wait(first_plan):
    # One seat per period, two students, one stint each, 2 periods: one of them starts in
    # period 2 and waits 1 period (W_wait -1). Each: SatDisc 1 + SatHosp 1 = 2;
    # totals 2 and 1 -> 3 + worst 1 = 4.
    inst = tiny(students=2, horizon=2, max_pos=[[[1, 1]]])
    assert solved(inst, first_plan=first_plan).objective == 4


@pytest.mark.parametrize("first_plan", [True, False])
def test_model_minimum_forces_the_less_preferred_hospital(first_plan):
    # Hospital 2 (pref 1) needs a student in period 1; hospital 1 has pref 3 (W_hosp 1).
    # Without the minimum: 1 + 3 = 4, twice = 8. With it: 1 + 1 = 2 -> 4.
    inst = tiny(hospitals=2, horizon=1, pref_hosp=[[3, 1]], min_pos=[[[0]], [[1]]])
    assert solved(inst, first_plan=first_plan).objective == 4


@pytest.mark.parametrize("first_plan", [True, False])
def test_model_precedence_orders_stints(first_plan):
    # Precededby[1, 2] = 1: d1 needs d2 earlier, so d2 takes period 1 and d1 period 2.
    # SatDisc 2 + SatHosp 2 = 4, doubled = 8.
    inst = tiny(horizon=2, disciplines=2, precededby=[[0, 1], [0, 0]])
    res = solved(inst, first_plan=first_plan)
    assert res.objective == 8
    assert {(t, d) for _, t, _, d in res.cells} == {(0, 1), (1, 0)}


@pytest.mark.parametrize("first_plan", [True, False])
def test_model_avoids_a_hospital_change(first_plan):
    # Two disciplines; hospital 2 has pref 2, hospital 1 pref 1 except that d2 is only
    # possible at hospital 1 (ability). Options: both at h1: hosp 1+1, no change = 2;
    # d1 at h2, d2 at h1: hosp 2+1, one change (-3) = 0. Best 2 + SatDisc 2 = 4 -> 8.
    inst = tiny(horizon=2, hospitals=2, disciplines=2, pref_hosp=[[1, 2]],
                weight_pref=[[1, 1, -3, -1]], ability=[[[1, 1], [1, 0]]])
    res = solved(inst, first_plan=first_plan)
    assert res.objective == 8
    assert {h for _, _, h, _ in res.cells} == {0}


@pytest.mark.parametrize("first_plan", [True, False])
def test_model_availability_and_duration(first_plan):
    # Duration 2, available in periods 2..3 of 4: the stint covers 2..3 and waits 1 period.
    # SatDisc 1 + SatHosp (1 * 1 * 2) div 2 = 1, wait -1 -> 1, doubled = 2.
    inst = tiny(horizon=4, duration=2, availability=[[0, 1, 1, 0]])
    res = solved(inst, first_plan=first_plan)
    assert res.objective == 2
    assert {t for _, t, _, _ in res.cells} == {1, 2}


def test_model_infeasible_requirement():
    # Two disciplines of one period each but only one available period.
    inst = tiny(horizon=2, disciplines=2, availability=[[1, 0]])
    assert solve(inst, time_limit=5, workers=1, first_plan=False).status == "infeasible"


def test_model_terms_are_named():
    mm = MssModel(tiny(horizon=2, disciplines=2))
    assert set(mm.term_exprs) == {"sat_disc", "sat_hosp", "sat_wait", "sat_man", "sat_chn",
                                  "worst"}


# ---------------------------------------------------------------------------- properties


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_formulations_agree_and_schedules_check(inst):
    """Interval+circuit model, time-indexed model and greedy-started solve: same optimum,
    valid schedules, evaluator score = solver objective."""
    results = [solve(inst, time_limit=10, workers=1, first_plan=False),
               solve(inst, time_limit=10, workers=1, first_plan=False, time_indexed=True),
               solve(inst, time_limit=10, workers=1)]
    statuses = {r.status for r in results}
    assert statuses <= {"optimal", "infeasible"}
    assert len(statuses) == 1
    if statuses == {"optimal"}:
        assert len({r.objective for r in results}) == 1
        for r in results:
            assert check(inst, r.cells) == []
            assert evaluate(inst, r.cells).score == r.objective
        # The warm start is complete and consistent: every variable fixed to its hint is a
        # solution with the same objective.
        mm = MssModel(inst)
        mm.hint_cells(results[0].cells)
        solver = cp_model.CpSolver()
        solver.parameters.fix_variables_to_their_hinted_value = True
        solver.parameters.num_workers = 1
        # scheduler.mss has no runner of its own; cpsat.run repeats a solve that OR-Tools
        # 9.15 presolve aborts (IndexError raw_hash_map::at) without symmetry detection.
        assert cpsat.run(solver, mm.model) == cp_model.OPTIMAL
        assert round(solver.objective_value) == results[0].objective


def test_replan_reaches_the_optimum_from_a_poor_schedule():
    # Three students, one discipline, two hospitals with one seat per period; everyone
    # prefers hospital 1 (pref 3 vs 1). Start: all at hospital 2 in periods 1..3 staggered,
    # valid but poor. Re-planning (neighbourhoods of 2-3 students, the rest fixed) must reach
    # the optimum of the full model and keep the schedule valid.
    inst = tiny(students=3, horizon=3, hospitals=2, pref_hosp=[[3, 1]] * 3,
                max_pos=[[[1, 1, 1]], [[1, 1, 1]]])
    poor = {(0, 0, 1, 0), (1, 1, 1, 0), (2, 2, 1, 0)}
    assert check(inst, poor) == []
    best = solve(inst, time_limit=10, workers=1, first_plan=False)
    got = replan(inst, poor, time.monotonic() + 3, seed=1, size=2)
    assert check(inst, got) == []
    assert evaluate(inst, poor).score < evaluate(inst, got).score == best.objective


def test_replan_repairs_an_unmet_minimum():
    # Both students at their favourite hospital 1, but hospital 2 needs one student in
    # period 1 (MinPosHosp): the start violates only that minimum; re-planning moves one
    # student (score 2 * (1 + 3) -> (1 + 3) + (1 + 1) + worst 2 = 8).
    inst = tiny(students=2, horizon=1, hospitals=2, pref_hosp=[[3, 1]] * 2,
                min_pos=[[[0]], [[1]]])
    start = {(0, 0, 0, 0), (1, 0, 0, 0)}
    assert codes(inst, start) == ["min_pos"]
    got = replan(inst, start, time.monotonic() + 3, seed=0, size=2)
    assert check(inst, got) == []
    assert evaluate(inst, got).score == 8
