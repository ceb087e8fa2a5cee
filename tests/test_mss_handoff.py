"""The MSS hand-off moves (``scheduler.mss.handoff``): a late stint handed over, an earlier one
taken. Cells are 0-based (student, period, hospital, discipline); comments are 1-based.
Weights (1, 1, -1, -1) and preferences 1 unless said: every stint is worth 1 + 1 = 2."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from scheduler.mss.check import check
from scheduler.mss.construct import Plan, _keeps_minima, construct
from scheduler.mss.evaluate import evaluate
from scheduler.mss.handoff import handoff, sat_tot
from tests.mss_util import instances, tiny


def handed_off(inst, start: set, score: int) -> int:
    """Check the start is valid and scores ``score``; the hand-off's score, checked valid."""
    assert check(inst, start) == [] and evaluate(inst, start).score == score
    got = handoff(inst, start, time.monotonic() + 5)
    assert check(inst, got) == []
    return evaluate(inst, got).score


def test_a_last_stint_no_minimum_needs_moves_earlier():
    # One student, one stint, in period 3 of 3: it waits 2 periods, 2 - 2 = 0, and the
    # score is 0 + worst 0 = 0. In period 1 it waits none: 2 + 2 = 4.
    inst = tiny(horizon=3)
    assert handed_off(inst, {(0, 2, 0, 0)}, 0) == 4


def test_a_stint_on_a_minimum_goes_to_the_student_there_anyway():
    # Three periods; d1, d2, d3 in one group. Student 1 attends one discipline, student 2
    # two. Ward d1 needs a student in period 3. Start: student 1 covers it (2 - 2 waiting
    # = 0), student 2 has d2, d3 in periods 1, 2 (4): 4 + worst 0 = 4.
    # Hand-off: student 2 takes d1 in period 3 and gives up d2 or d3 (no minimum needs
    # them), waiting 1 period: 4 - 1 = 3; student 1 takes a stint in period 1: 2.
    # 5 + worst 2 = 7, the optimum (whoever covers period 3 with fewer than 3 stints waits).
    inst = tiny(students=2, disciplines=3, stud_disc_group=[[1], [2]],
                min_pos=[[[0, 0, 1], [0, 0, 0], [0, 0, 0]]])
    start = {(0, 2, 0, 0), (1, 0, 0, 1), (1, 1, 0, 2)}
    assert handed_off(inst, start, 4) == 7


def test_no_hand_off_when_the_other_stints_hold_minima_too():
    # As above, but wards d2 and d3 need student 2 in periods 1 and 2: it can give up
    # neither, so nothing moves (score 4).
    inst = tiny(students=2, disciplines=3, stud_disc_group=[[1], [2]],
                min_pos=[[[0, 0, 1], [1, 0, 0], [0, 1, 0]]])
    start = {(0, 2, 0, 0), (1, 0, 0, 1), (1, 1, 0, 2)}
    assert check(inst, start) == []
    got = handoff(inst, start, time.monotonic() + 5)
    assert got == start


def test_the_taker_may_give_up_the_stint_in_those_very_periods():
    # As in the first hand-off, but student 2 has d2 in period 1 and d3 in period 3
    # (waiting 1: 4 - 1 = 3), so it is busy when the minimum is: 3 + 0 + worst 0 = 3.
    # It gives up d3 (no minimum needs it) for d1 in period 3 (still 3) and student 1
    # takes period 1 (2): 5 + worst 2 = 7, the optimum.
    inst = tiny(students=2, disciplines=3, stud_disc_group=[[1], [2]],
                min_pos=[[[0, 0, 1], [0, 0, 0], [0, 0, 0]]])
    start = {(0, 2, 0, 0), (1, 0, 0, 1), (1, 2, 0, 2)}
    assert handed_off(inst, start, 3) == 7


def pushed_late(p: Plan) -> None:
    """Each stint no minimum needs moved to its latest free start, latest stints first: a
    valid schedule with waiting to remove."""
    i = p.inst
    for s in range(i.students):
        for d, (h, t0) in sorted(p.stints[s].items(), key=lambda x: -x[1][1]):
            if not _keeps_minima(p, s, d):
                continue
            p.remove(s, d)
            late = max((t for t in range(t0, i.horizon) if p.can_add(s, h, d, t)), default=t0)
            p.add(s, h, d, late)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.filter_too_much])
@given(instances())
def test_hand_off_keeps_every_rule_and_never_lowers_the_score(inst):
    p, failed = construct(inst)
    pushed_late(p)
    cells = p.cells()
    assume(not failed and check(inst, cells) == [])
    # Its own SatTot is the evaluator's, student by student.
    assert [sat_tot(p, s) for s in range(inst.students)] == [
        r["total"] for r in evaluate(inst, cells).per_student]
    got = handoff(inst, cells, time.monotonic() + 5)
    assert check(inst, got) == []
    assert evaluate(inst, got).score >= evaluate(inst, cells).score



@st.composite
def late_cover(draw):
    """Student 1 attends one discipline and covers a minimum of d1 in the last period; the
    others attend 1..T-1 of d2..dT from period 1 on, so most can take d1 over. Preferences,
    weights and capacity vary."""
    S, T = draw(st.integers(2, 4)), draw(st.integers(3, 6))
    ks = [1] + [draw(st.integers(1, T - 1)) for _ in range(S - 1)]
    min_pos = [[[0] * T for _ in range(T)]]
    min_pos[0][0][T - 1] = 1
    inst = tiny(students=S, horizon=T, disciplines=T, stud_disc_group=[[k] for k in ks],
                min_pos=min_pos,
                max_pos=[[[draw(st.sampled_from([1, 2, S])) for _ in range(T)]
                          for _ in range(T)]],
                pref_disc=[[draw(st.integers(1, 5)) for _ in range(T)] for _ in range(S)],
                weight_pref=[[draw(st.integers(1, 3)), 1, -1, draw(st.integers(-3, -1))]
                             for _ in range(S)])
    cells = {(0, T - 1, 0, 0)} | {(s, t, 0, t + 1) for s in range(1, S) for t in range(ks[s])}
    return inst, cells


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.filter_too_much])
@given(late_cover())
def test_hand_offs_of_a_late_minimum_keep_every_rule(case):
    inst, cells = case
    assume(check(inst, cells) == [])
    got = handoff(inst, cells, time.monotonic() + 5)
    assert check(inst, got) == []
    assert evaluate(inst, got).score >= evaluate(inst, cells).score
