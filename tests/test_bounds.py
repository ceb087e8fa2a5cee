"""The bound's cut on stints and the direct bound (scheduler/solver/bounds.py): hand-solved,
and valid on random instances (they never exclude a plan)."""

from __future__ import annotations

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from scheduler import verify as checker
from scheduler.solver import cpsat
from scheduler.solver.bounds import (
    direct_bound,
    floor_cut,
    leave_floors,
    leave_fragmentation,
    peak_floor,
    quick_bound,
)
from scheduler.solver.model import (
    PlacementModel,
    capacity_profiles,
    kind_key,
    min_stints,
    stint_floor,
)
from tests.helpers import (
    GAVLE,
    build,
    instance_dicts,
    leave,
    make,
    programme,
    solve_optimal,
    trainee,
    unit,
    wk,
)

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
    profiles, ts, _least, cut = _cut(inst)
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
    status = cpsat.run(solver, pm.model)  # with the OR-Tools presolve-crash workaround
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
    assert bound is not None
    quick = quick_bound(inst, ts, least, profiles)
    assert quick <= bound  # the same floors, without the cut and the peak LP
    event(f"bound > 0: {bound > 0}")
    pm = PlacementModel(inst, ts, min_stints=least, profiles=profiles)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 5
    solver.parameters.num_workers = 1
    if cpsat.run(solver, pm.model) == cp_model.OPTIMAL:  # presolve-crash workaround
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


# ---- fragmentation forced by leave (bounds.leave_fragmentation)

P6 = programme("P6", 6, ("medicin", 2, None), ("psykiatri", 2, None))


def test_leave_after_one_week_forces_its_length_of_fragmentation():
    # P6 (6 weeks: medicine >= 2, psychiatry >= 2), leave in weeks 1-2, block 0-8. The week
    # before the leave is too short for either discipline alone (minimum 2 weeks, and each
    # unit's shortest stint is 2): it must go on after the leave, which lies in its span:
    # 2 weeks of fragmentation, as in MED 0-1, leave, MED 3-5, PSY 5-8.
    units = [unit("MED", "medicin", min_weeks=2), unit("PSY", "psykiatri", min_weeks=2)]
    inst = build(units, [trainee(programme="P6", leave=[leave(1, 3)])], [P6],
                 fragmentation=1)
    (t,) = inst.all_trainees()
    assert leave_fragmentation(inst, t, capacity_profiles(inst)) == 2
    solve_optimal(inst, 2)
    # Stopped before its one kind, the floors leave the trainee out (a floor of 0).
    assert leave_floors(inst, [t], capacity_profiles(inst)) == {t.id: 2}
    assert leave_floors(inst, [t], capacity_profiles(inst), stop=lambda: True) == {}


def test_quick_bound_adds_the_floors_known_without_a_search():
    # The region above with unit changes at 10. Alone the trainee needs 3 stints (the one
    # interrupted by the leave resumes as a stint of its own): 2 changes; the leave forces 2
    # weeks of fragmentation: 10 x 2 + 1 x 2 = 22, the optimum (PSY 0-1, leave, PSY 3-4,
    # MED 4-8). With only the floor known without a solve (one stint per discipline, 2):
    # 10 x 1 + 2 = 12.
    units = [unit("MED", "medicin", min_weeks=2), unit("PSY", "psykiatri", min_weeks=2)]
    inst = build(units, [trainee(programme="P6", leave=[leave(1, 3)])], [P6],
                 unit_changes=10, fragmentation=1)
    profiles, ts = capacity_profiles(inst), inst.all_trainees()
    assert quick_bound(inst, ts, min_stints(inst, ts, profiles=profiles), profiles) == 22
    assert quick_bound(inst, ts, {t.id: stint_floor(inst, t) for t in ts}, profiles) == 12
    solve_optimal(inst, 22)


def test_a_stretch_between_two_leaves_long_enough_for_a_stint_costs_nothing():
    # P6 with leave in weeks 2 and 5: stretches 0-2, 3-5 and 6-8, each as long as a stint.
    # Two disciplines for three stretches: one of them has two, with a leave week (or more)
    # between them, so at least 1; PSY 0-2, MED 3-5, MED resumed 6-8 has exactly 1 (the
    # relaxation's other choices cost more: PSY in the first and last stretch spans both
    # leaves and the middle stretch, 4).
    units = [unit("MED", "medicin", min_weeks=2), unit("PSY", "psykiatri", min_weeks=2)]
    inst = build(units, [trainee(programme="P6", leave=[leave(2, 3), leave(5, 6)])], [P6],
                 fragmentation=1)
    (t,) = inst.all_trainees()
    assert leave_fragmentation(inst, t, capacity_profiles(inst)) == 1
    solve_optimal(inst, 1)


def test_an_opening_and_closing_discipline_spans_the_whole_block():
    # G (8 weeks: general practice >= 4 opening 2 weeks and closing at the same unit,
    # medicine >= 2), no leave: general practice spans weeks 0-8 and has at most 8 - 2 = 6
    # of them, so at least 2 weeks of other work lie in its span (VC1 0-2, MED 2-4, VC1 4-8).
    units = [unit("VC1", "allmanmedicin", region_wide=True), unit("MED", "medicin")]
    inst = build(units, [trainee(programme="G")], [GAVLE], fragmentation=1)
    (t,) = inst.all_trainees()
    assert leave_fragmentation(inst, t, capacity_profiles(inst)) == 2
    solve_optimal(inst, 2)


@st.composite
def leave_trainees(draw):
    """One trainee of a small programme with one to three runs of leave, units of random
    shortest stints, sometimes an opening and closing rule."""
    lo_m, lo_p = draw(st.integers(1, 3)), draw(st.integers(0, 3))
    n = draw(st.integers(lo_m + lo_p + 1, 8))
    extra = {}
    if draw(st.booleans()):
        extra = {"starts_with": {"discipline": "medicin", "weeks": 1,
                                 "same_unit_as_end": draw(st.booleans())}}
    prog = programme("P", n, ("medicin", lo_m, None), ("psykiatri", lo_p, None),
                     ("kirurgi", 0, draw(st.sampled_from([None, 2]))), **extra)
    units = [unit("MED", "medicin", min_weeks=draw(st.integers(1, 3))),
             unit("MED2", "medicin", min_weeks=draw(st.integers(1, 3))),
             unit("PSY", "psykiatri", min_weeks=draw(st.integers(1, 3))),
             unit("KIR", "kirurgi", min_weeks=draw(st.integers(1, 2)))]
    w, runs = 0, []
    for _ in range(draw(st.integers(1, 3))):
        a = w + draw(st.integers(0, 3))
        b = a + draw(st.integers(1, 3))
        runs.append(leave(a, b))
        w = b
    return build(units, [trainee(programme="P", leave=runs)], [prog], weeks=n + w + 2,
                 fragmentation=1)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(leave_trainees())
def test_leave_fragmentation_never_exceeds_a_plans(inst):
    """The trainee's least fragmentation (solved alone, capacity ignored) is at least the
    floor, and so is the fragmentation the checker counts in that plan."""
    (t,) = inst.all_trainees()
    floor = leave_fragmentation(inst, t, capacity_profiles(inst))
    event(f"floor > 0: {floor > 0}")
    pm = PlacementModel(inst, [t], terms=(), ignore_capacity=True)
    pm.model.minimize(pm.fragmentation_expr())
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 5
    solver.parameters.num_workers = 1
    if cpsat.run(solver, pm.model) == cp_model.OPTIMAL:  # presolve-crash workaround
        plan = pm.extract(solver)
        assert checker.check(inst, plan) == []
        assert checker.evaluate(inst, plan)["fragmentation"] >= floor
        assert solver.objective_value >= floor


def test_stint_floor_counts_the_longest_stint_per_discipline():
    # P26: 13 weeks of medicine and 13 of psychiatry. Medicine stints last at most 6 weeks
    # (MED), psychiatry exactly 13 (PSY): ceil(13 / 6) + ceil(13 / 13) = 3 + 1 = 4 (one per
    # discipline gave 2). At 50 %: 26 calendar weeks of each, stints up to 12 and 26 weeks:
    # ceil(26 / 12) + 1 = 4. A trainee who leaves unfinished: 0.
    p26 = programme("P26", 26, ("medicin", 13, None), ("psykiatri", 13, None))
    units = [unit("MED", "medicin", capacity=None, min_weeks=1, max_weeks=6),
             unit("PSY", "psykiatri", capacity=None, min_weeks=13, max_weeks=13)]
    inst = build(units, [trainee("T0", 0, "P26"), trainee("T1", 0, "P26", part_time=50),
                         trainee("T2", 0, "P26", leaves_on=wk(10))], [p26], weeks=60)
    assert [stint_floor(inst, t) for t in inst.all_trainees()] == [4, 4, 0]
    assert min_stints(inst, inst.all_trainees()[:1]) == {"T0": 4}


def test_stint_floor_puts_a_groups_weeks_where_stints_are_longest():
    # Medicine + surgery >= 10 weeks, each >= 2; MED stints up to 4 weeks, KIR up to 2.
    # Medicine 8 (2 stints) + surgery 2 (1) = 3 stints; medicine 6 + surgery 4 would be 4.
    p = programme("G10", 12, ("medicin", 2, None), ("kirurgi", 2, None),
                  group_requirements=[{"name": "mk", "disciplines": ["medicin", "kirurgi"],
                                       "min_weeks": 10}])
    units = [unit("MED", "medicin", capacity=None, min_weeks=1, max_weeks=4),
             unit("KIR", "kirurgi", capacity=None, min_weeks=1, max_weeks=2)]
    inst = build(units, [trainee("T0", 0, "G10")], [p], weeks=14)
    assert stint_floor(inst, inst.all_trainees()[0]) == 3


@st.composite
def short_stints(draw):
    """A trainee whose units all have short stints (1-6 weeks), so the floor binds: 1-3
    disciplines of 1-12 weeks, maybe a group over two with more, part time, leave."""
    discs = draw(st.lists(st.sampled_from(["medicin", "kirurgi", "psykiatri"]), min_size=1,
                          max_size=3, unique=True))
    mins = {d: draw(st.integers(1, 12)) for d in discs}
    extra: dict = {}
    need = sum(mins.values())
    if len(discs) >= 2 and draw(st.booleans()):
        need = max(need, mins[discs[0]] + mins[discs[1]] + draw(st.integers(0, 8)))
        extra["group_requirements"] = [{"name": "g", "disciplines": discs[:2],
                                        "min_weeks": need - sum(mins[d] for d in discs[2:])}]
    length = need + draw(st.integers(0, 4))
    p = programme("S", length, *[(d, m, None) for d, m in mins.items()], **extra)
    units = [unit(f"{d[:3].upper()}{i}", d, capacity=None, min_weeks=1,
                  max_weeks=draw(st.integers(1, 6)))
             for d in discs for i in range(draw(st.integers(2, 4)))]
    t: dict = {"part_time": draw(st.sampled_from([50, 75, 100]))}
    if draw(st.booleans()):
        a = draw(st.integers(1, 6))
        t["leave"] = [leave(a, a + draw(st.integers(1, 3)))]
    return build(units, [trainee("T0", 0, "S", **t)], [p], weeks=4 * length + 20)


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.one_of(instance_dicts().map(make), short_stints()))
def test_stint_floor_never_exceeds_a_trainees_least_stints(inst):
    """Each trainee alone, capacity ignored, solved to optimality: at least the floor (opening
    and locked stints, leave, part time, groups and per-programme stint ranges included)."""
    for t in inst.all_trainees():
        pm = PlacementModel(inst, [t], terms=(), ignore_capacity=True)
        pm.model.minimize(sum(o.presence for o in pm.data[0].options))
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = 5
        solver.parameters.num_workers = 1
        status = cpsat.run(solver, pm.model)
        event(solver.status_name(status))
        if status == cp_model.OPTIMAL:
            assert solver.objective_value >= stint_floor(inst, t)
