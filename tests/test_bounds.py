"""The bound's cut on stints and the direct bound (scheduler/solver/bounds.py): hand-solved,
and valid on random instances (they never exclude a plan)."""

from __future__ import annotations

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from scheduler.solver.bounds import direct_bound, floor_cut, peak_floor
from scheduler.solver.model import PlacementModel, capacity_profiles, kind_key, min_stints
from tests.test_properties import instance_dicts, make
from tests.test_solver import build, programme, solve_optimal, trainee, unit, wk

# 4 weeks of medicine.
M4 = programme("M4", 4, ("medicin", 4, None))


def _two_for_one_seat():
    # A takes a 4-week stint (1 seat); B and C take 2 weeks each (1 seat each). Alone, each
    # trainee needs 1 stint (4 weeks at A); two trainees in the same 4 weeks cannot both be
    # at A, so one of them has B + C: 2 stints, 1 unit change.
    units = [unit("A", "medicin", min_weeks=4, max_weeks=4),
             unit("B", "medicin", min_weeks=2, max_weeks=2),
             unit("C", "medicin", min_weeks=2, max_weeks=2)]
    return build(units, [trainee("T1", 0, "M4"), trainee("T2", 0, "M4")], [M4], weeks=4)


def _cut(inst):
    """The instance's capacity profiles, trainees, least stints and floor cut."""
    profiles = capacity_profiles(inst)
    ts = inst.all_trainees()
    least = min_stints(inst, ts, profiles=profiles)
    return profiles, ts, least, floor_cut(inst, ts, least, profiles)


def test_cut_counts_the_trainee_the_seat_cannot_take():
    inst = _two_for_one_seat()
    profiles = capacity_profiles(inst)
    ts = inst.all_trainees()
    least = min_stints(inst, ts, profiles=profiles)
    assert least == {"T1": 1, "T2": 1}
    cut = floor_cut(inst, ts, least, profiles)
    assert cut is not None
    # With 1 stint a trainee has 4 weeks at A (m = 4), without that limit 0 (B + C).
    assert cut.needs == {"T1": {"A": (0, 4)}}
    # LP: 4 seat-weeks at A hold 4 f_T1 + 4 f_T2, so f_T1 + f_T2 <= 1; ceil(2 - 1) = 1.
    assert abs(cut.lp_floor - 1.0) < 1e-6
    assert (sorted(cut.trainees), cut.least_total, cut.extra) == (["T1", "T2"], 2, 1)
    # The optimum: one trainee at A (0 changes), one at B then C (1 change) = 1.
    solve_optimal(inst, 1)


def test_cut_lifts_the_lp_bound_to_the_optimum():
    # The same instance, the LP only (no search): with the cut the bound is the optimum 1.
    inst = _two_for_one_seat()
    profiles, ts, least, cut = _cut(inst)
    assert cut is not None
    bounds = []
    for with_cut in (False, True):
        pm = PlacementModel(inst, ts, min_stints=least, profiles=profiles)
        if with_cut:
            pm.add_stint_total(cut.trainees, cut.least_total + cut.extra)
        solver = cp_model.CpSolver()
        solver.parameters.stop_after_root_propagation = True
        solver.parameters.cp_model_presolve = False
        solver.parameters.num_workers = 1
        solver.solve(pm.model)
        bounds.append(solver.best_objective_bound)
    assert bounds[0] < 1 <= bounds[1] + 1e-6


@st.composite
def crowded(draw):
    """Several trainees of one medicine programme and a few small units: seats are scarce,
    so the cut often claims extra stints."""
    n = draw(st.integers(4, 6))
    units = []
    for i in range(draw(st.integers(2, 4))):
        lo = draw(st.integers(1, n))
        units.append(unit(f"U{i}", "medicin", capacity=draw(st.integers(1, 2)), min_weeks=lo,
                          max_weeks=draw(st.integers(lo, n))))
    trainees = [trainee(f"T{k}", draw(st.integers(0, 2)), "P") for k in range(draw(
        st.integers(2, 4)))]
    return build(units, trainees, [programme("P", n, ("medicin", n, None))], weeks=n + 2)


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.one_of(instance_dicts().map(make), crowded(), crowded()))
def test_cut_never_excludes_a_plan(inst):
    """The fewest stints the cut's trainees can have together, solved without the cut, is at
    least what the cut claims."""
    profiles, ts, least, cut = _cut(inst)
    assert cut is not None
    event(f"extra {min(cut.extra, 2)}")
    if not cut.trainees:
        return
    pm = PlacementModel(inst, ts, terms=(), profiles=profiles)
    ids = set(cut.trainees)
    pm.model.minimize(sum(o.presence for td in pm.data if td.trainee.id in ids
                          for o in td.options))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 5
    solver.parameters.num_workers = 1
    status = solver.solve(pm.model)
    if status == cp_model.OPTIMAL:
        assert solver.objective_value >= cut.least_total + cut.extra


def _two_seats_for_one():
    # M4 (4 weeks of medicine) at U1 and U2, one seat each over 4 weeks (4 capacity-weeks).
    units = [unit(u, "medicin", min_weeks=1, max_weeks=4) for u in ("U1", "U2")]
    return build(units, [trainee("T1", 0, "M4")], [M4], weeks=4, unit_changes=10,
                 peak_utilisation=1)


def test_peak_floor_splits_the_weeks_evenly():
    # LP: y1 + y2 = 4, P >= 100 y1 / 4, P >= 100 y2 / 4: least P = 50 at y1 = y2 = 2.
    inst = _two_seats_for_one()
    profiles = capacity_profiles(inst)
    assert peak_floor(inst, inst.all_trainees(), profiles) == 50


def test_direct_bound_adds_the_terms_floors():
    # Unit changes: least 1 stint, 0 changes; peak 50: bound 10 x 0 + 50 = 50. The optimum
    # is 4 weeks at one unit, 0 + 100 = 100, or 2 + 2 weeks, 10 + 50 = 60: 60 >= 50.
    inst = _two_seats_for_one()
    profiles, ts, least, cut = _cut(inst)
    assert direct_bound(inst, ts, least, cut, profiles) == 50
    solve_optimal(inst, 60)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.one_of(instance_dicts().map(make), crowded()))
def test_direct_bound_never_exceeds_the_optimum(inst):
    """The full model's optimum (hard capacity, every term) is at least the direct bound."""
    profiles, ts, least, cut = _cut(inst)
    bound = direct_bound(inst, ts, least, cut, profiles)
    event(f"bound > 0: {bound > 0}")
    pm = PlacementModel(inst, ts, min_stints=least, profiles=profiles)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 5
    solver.parameters.num_workers = 1
    if solver.solve(pm.model) == cp_model.OPTIMAL:
        assert solver.objective_value >= bound - 1e-6


def test_a_trainee_who_leaves_early_is_its_own_kind():
    # T2 leaves after 2 of M4's 4 weeks: 2 weeks of service, minima lapsed. Sharing T1's
    # one-trainee results (4 weeks of medicine) would overstate its load in the LP of the
    # peak floor and its least number of stints.
    units = [unit(u, "medicin", min_weeks=1, max_weeks=4) for u in ("U1", "U2")]
    inst = build(units, [trainee("T1", 0, "M4"), trainee("T2", 0, "M4", leaves_on=wk(2))],
                 [M4], weeks=4, unit_changes=10, peak_utilisation=1)
    t1, t2 = inst.all_trainees()
    assert kind_key(t1) != kind_key(t2)
    # LP: T1 4 weeks, T2 2 weeks over U1 and U2 (4 capacity-weeks each): P >= 100 * 6 / 8.
    assert peak_floor(inst, inst.all_trainees(), capacity_profiles(inst)) == 75
