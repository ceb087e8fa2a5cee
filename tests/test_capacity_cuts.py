"""The redundant cuts of the intake-capacity model (scheduler/whatif/cuts.py).

Hand-computed packings and bounds on tiny invented instances, and a property test that the
cuts never change the optimum (they are valid), only the bound.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler.solver.model import PlacementModel, capacity_profiles
from scheduler.whatif.capacity import intake_capacity, upper_bound
from scheduler.whatif.cuts import add_capacity_cuts, packing
from tests.helpers import capacity_build as build
from tests.helpers import capacity_programme as programme
from tests.helpers import capacity_unit as unit
from tests.helpers import cohort, psychiatry_instance, wk


def test_packing_by_hand():
    # One seat for 20 weeks, 13-week stints: one stint, 13 weeks (not 20 seat-weeks).
    assert packing([1] * 20, 0, 20, 13, 13, count=True) == 1
    assert packing([1] * 20, 0, 20, 13, 13, count=False) == 13
    # Stints of 13-17 weeks: a single 17-week stint uses the most weeks.
    assert packing([1] * 20, 0, 20, 13, 17, count=False) == 17
    # Two seats for 26 weeks: 2 x 26 / 13 = 4 stints, 52 weeks.
    assert packing([2] * 26, 0, 26, 13, 13, count=True) == 4
    assert packing([2] * 26, 0, 26, 13, 13, count=False) == 52
    # Free weeks in runs of 10 and 10 (closed in week 10): no 13-week stint fits anywhere.
    assert packing([1] * 10 + [0] + [1] * 10, 0, 21, 13, 13, count=True) == 0
    # Profile 1,2,2,1 with 2-week stints: [0,2) [2,4) [1,3) cover it exactly: 3 stints.
    assert packing([1, 2, 2, 1], 0, 4, 2, 2, count=True) == 3
    # Only inside the window: weeks 5..11 of one seat hold one 6-week stint.
    assert packing([1] * 20, 5, 11, 6, 6, count=False) == 6
    # A 20-week block whose other stints are 7 weeks long: a 13-week stint can only start in
    # week 0 or 7 (3 + 4 weeks around it could not be filled); two seats hold both.
    assert packing([2] * 20, 0, 20, 13, 13, count=True, gaps={0, 7, 14}) == 2
    # One seat: [0,13) and [7,20) overlap, so only one of them.
    assert packing([1] * 20, 0, 20, 13, 13, count=True, gaps={0, 7, 14}) == 1
    # Nothing else fits in the block: no 13-week stint can be part of a tiling of 20 weeks.
    assert packing([2] * 20, 0, 20, 13, 13, count=True, gaps={0}) == 0


def fragmented_instance() -> tuple:
    # A 26-week block: 13 weeks psychiatry, 13 medicine (ample). Psychiatry has 2 seats but is
    # closed in weeks 10-11, so its free runs are 10 and 14 weeks long: a 13-week stint fits
    # only in the second run, twice (2 seats): at most 2 trainees. Seat-weeks: 2 x 24 = 48,
    # 48 / 13 = 3 (the old bound).
    p = programme("P26", 26, [("psykiatri", 13), ("medicin", 13)])
    closed = [{"start": wk(10), "end": wk(12), "capacity": 0}]
    inst = build([p], [unit("PSY", "psykiatri", capacity=2, min_weeks=13, max_weeks=13,
                            capacity_changes=closed),
                       unit("MED", "medicin", capacity=None)], [cohort("P26", 1)], 26)
    return inst, inst.all_trainees()[0]


def test_stint_packing_bound_is_the_hand_answer():
    inst, sample = fragmented_instance()
    free = capacity_profiles(inst)
    assert upper_bound(inst, sample, free, 99) == 3  # seat-weeks: 48 / 13
    assert upper_bound(inst, sample, free, 99, packed=True) == 2  # whole stints
    (s,) = intake_capacity(inst, time_limit=10, marginal_units=0).starts
    assert s.status == "optimal" and s.admitted == s.bound == 2


def test_issue_case_is_proven_by_the_cuts_alone():
    # Psychiatry capacity 2, a 26-week block, 13 weeks each: 2 x 26 / 13 = 4. The cuts alone
    # bound the intake at 4 (N = 4 stints at PSY, each trainee needs one), and the solve ends
    # OPTIMAL at 4, not with a range.
    inst = psychiatry_instance()
    cands = [inst.all_trainees()[0].model_copy(update={"id": f"C{i}"}) for i in range(8)]
    pm = PlacementModel(inst, cands, terms=(), optional={c.id for c in cands})
    info = add_capacity_cuts(pm)
    assert info["N"]["PSY"] == 4 and info["M"]["PSY"] == 52
    assert info["bound"] == 4
    assert [slot[0] for slot in info["slots"]] == ["PSY"] * 4
    (s,) = intake_capacity(inst, time_limit=10, marginal_units=0).starts
    assert (s.status, s.admitted, s.bound) == ("optimal", 4, 4)


def test_head_count_per_week_binds_with_a_group_requirement():
    # 10-week block: medicine+surgery together at least 10 weeks (the whole block). Medicine
    # 1 seat and surgery 1 seat, stints 2-10 weeks: in every week at most 2 trainees are
    # placed, so at most 2 trainees (head count per week), although each discipline alone
    # has no minimum.
    p = programme("P10", 10, [("medicin", 0), ("kirurgi", 0)],
                  groups=[(("medicin", "kirurgi"), 10)])
    inst = build([p], [unit("MED", "medicin", capacity=1, min_weeks=2, max_weeks=10),
                       unit("KIR", "kirurgi", capacity=1, min_weeks=2, max_weeks=10)],
                 [cohort("P10", 1)], 10)
    (s,) = intake_capacity(inst, time_limit=10, marginal_units=0).starts
    assert (s.status, s.admitted, s.bound) == ("optimal", 2, 2)


@settings(max_examples=12, deadline=None)
@given(length=st.integers(8, 16), seats=st.integers(1, 3), stint=st.integers(3, 6),
       closed_from=st.integers(0, 14), closed_weeks=st.integers(0, 4),
       med_min=st.integers(1, 4))
def test_cuts_never_change_the_optimum(length, seats, stint, closed_from, closed_weeks,
                                       med_min):
    # Validity: with and without the cuts the proven maximum is the same (medicine stints of
    # at least ``med_min`` weeks make some psychiatry positions untileable: the gap rule).
    p = programme("PX", length, [("psykiatri", stint), ("medicin", 1)])
    changes = ([{"start": wk(closed_from), "end": wk(closed_from + closed_weeks),
                 "capacity": 0}] if closed_weeks and closed_from < length else [])
    inst = build([p], [unit("PSY", "psykiatri", capacity=seats, min_weeks=stint,
                            max_weeks=stint, capacity_changes=changes),
                       unit("MED", "medicin", capacity=2, min_weeks=med_min)],
                 [cohort("PX", 1)], length + 4)
    with_cuts = intake_capacity(inst, time_limit=5, marginal_units=0).starts[0]
    without = intake_capacity(inst, time_limit=5, marginal_units=0, cuts=False).starts[0]
    if with_cuts.status == without.status == "optimal":
        assert with_cuts.admitted == without.admitted
    if without.status == "optimal":
        assert with_cuts.bound >= without.admitted  # never below a plan that exists


@settings(max_examples=150, deadline=None)
@given(free=st.lists(st.integers(0, 4), min_size=1, max_size=40), lo=st.integers(1, 8),
       extra=st.integers(0, 6), count=st.booleans(), cut=st.integers(0, 5),
       gaps=st.none() | st.sets(st.integers(1, 30), max_size=5))
def test_flow_packing_equals_the_lp(free, lo, extra, count, cut, gaps):
    # The min-cost flow solves the same interval-matrix LP: same optimum, and its stints
    # fit the free seats and add up to the value.
    from scheduler.whatif.cuts import _packing_lp, _solve_packing

    a, b = min(cut, len(free)), len(free)
    gaps = None if gaps is None else gaps | {0}
    val, stints = _solve_packing(free, a, b, lo, lo + extra, count, gaps)
    assert val == _packing_lp(free, a, b, lo, lo + extra, count, gaps)[0]
    cover = [0] * len(free)
    for s0, ln in stints:
        assert a <= s0 and s0 + ln <= b and ln >= lo
        for w in range(s0, s0 + ln):
            cover[w] += 1
    assert all(c <= f for c, f in zip(cover, free, strict=True))
    assert val == sum(1 if count else ln for _, ln in stints)
