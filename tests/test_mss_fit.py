"""The fit model (stints on minima, free stints elsewhere) on tiny hand instances."""

from __future__ import annotations

import random
import time

from scheduler.mss.check import check
from scheduler.mss.fit import (
    disc_neighbourhood,
    fit_minima,
    fit_repair,
    on_minima,
    shortfall,
    useful_starts,
)
from tests.mss_util import tiny


def test_useful_starts_reach_a_minimum_period():
    # Minima in periods 2 and 6 of 7, stints of 2 periods: starts 1 (periods 1-2),
    # 2 (2-3) and 5 (5-6) reach one; 0, 3 and 4 do not.
    assert useful_starts([0, 0, 1, 0, 0, 0, 1], 2) == [1, 2, 5]
    assert useful_starts([0, 0, 0, 0], 2) == []


def test_free_stint_takes_another_discipline_to_meet_a_minimum():
    # One student, T=4, D=2, disciplines d0 d1 d2 in one group, 2 of them required. Ward
    # (h0, d1) needs a student in period 3. Plan d1@0 (periods 0-1), d2@2 (2-3): 1 short.
    # d1 can reach period 3 only from start 2 (its only useful start), so d1@2 and a free
    # stint at 0, which cannot be d1 again: d0 or d2 there. Shortfall 1 -> 0, valid.
    inst = tiny(horizon=4, duration=2, disciplines=3, stud_disc_group=[[2]],
                min_pos=[[[0, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0]]])
    plan = {(0, 0, 0, 1), (0, 1, 0, 1), (0, 2, 0, 2), (0, 3, 0, 2)}
    assert {v.code for v in check(inst, plan)} == {"min_pos"}
    assert shortfall(inst, plan) == 1
    got = fit_minima(inst, plan, [0], time.monotonic() + 10)
    assert got is not None and not check(inst, got)
    assert {(0, 2, 0, 1), (0, 3, 0, 1)} <= got
    assert not check(inst, fit_repair(inst, plan, time.monotonic() + 10))


def test_fixed_students_stay_and_no_progress_gives_none():
    # Two students, T=2, D=1, one discipline each (d0 or d1, group of 1). Ward (h0, d0)
    # needs 2 students in period 0. Student 1 (fixed) does d1@0; student 0 does d0@1.
    # Moving student 0 to d0@0 gives 1 of 2: shortfall 2 -> 1, student 1 untouched.
    # With student 1 fixed, 1 short remains: fitting student 0 again gains nothing.
    inst = tiny(students=2, horizon=2, disciplines=2, stud_disc_group=[[1], [1]],
                min_pos=[[[2, 0], [0, 0]]])
    plan = {(0, 1, 0, 0), (1, 0, 0, 1)}
    assert shortfall(inst, plan) == 2
    got = fit_minima(inst, plan, [0], time.monotonic() + 10)
    assert got == {(0, 0, 0, 0), (1, 0, 0, 1)}
    assert shortfall(inst, got) == 1
    assert fit_minima(inst, got, [0], time.monotonic() + 10) is None


def test_free_stint_gets_the_predecessor_of_a_stint_on_a_minimum():
    # One student, T=3, D=1, disciplines d0 d1 d2 in one group, 2 of them required; d1
    # needs d0 before it. Ward (h0, d1) needs a student in period 1. Plan d2@0, d0@2:
    # valid but 1 short. d1 can reach period 1 only from start 1, so d0 must come at 0,
    # the only free stint before it, and d2 goes. The free stint at 0 was d2 in the plan;
    # re-using it there (or filling without the predecessor) gives d1 without d0.
    inst = tiny(horizon=3, duration=1, disciplines=3, stud_disc_group=[[2]],
                precededby=[[0, 0, 0], [1, 0, 0], [0, 0, 0]],
                min_pos=[[[0, 0, 0], [0, 1, 0], [0, 0, 0]]])
    plan = {(0, 0, 0, 2), (0, 2, 0, 0)}
    assert {v.code for v in check(inst, plan)} == {"min_pos"}
    assert shortfall(inst, plan) == 1
    got = fit_minima(inst, plan, [0], time.monotonic() + 10)
    assert got is not None and not check(inst, got) and shortfall(inst, got) == 0
    assert not check(inst, fit_repair(inst, plan, time.monotonic() + 10))


def test_two_predecessors_of_one_group_need_two_stints():
    # One student, T=4, D=1, disciplines d0..d3 in one group, 3 of them required; d2
    # needs d0 before it, d3 needs d1. Ward (h0, d2) needs a student in period 2, (h0,
    # d3) in period 3. Plan d0@0, d1@1, d2@3: valid, 2 short. Both minima need d2@2 and
    # d3@3 plus d0 and d1 before them: 4 stints, 1 too many. So 1 short is the best
    # (d0@0, d1@1, d2@2, for one). One free stint of the group must not stand for both
    # d0 and d1: the model then claims 0 short and no schedule can be assembled.
    prec = [[0] * 4 for _ in range(4)]
    prec[2][0] = prec[3][1] = 1
    mins = [[0] * 4 for _ in range(4)]
    mins[2][2] = mins[3][3] = 1
    inst = tiny(horizon=4, duration=1, disciplines=4, stud_disc_group=[[3]],
                precededby=prec, min_pos=[mins])
    plan = {(0, 0, 0, 0), (0, 1, 0, 1), (0, 3, 0, 2)}
    assert {v.code for v in check(inst, plan)} == {"min_pos"}
    assert shortfall(inst, plan) == 2
    got = fit_minima(inst, plan, [0], time.monotonic() + 10)
    assert got is not None and shortfall(inst, got) == 1
    assert {v.code for v in check(inst, got)} == {"min_pos"}


def test_free_stint_of_the_group_is_not_a_successor():
    # One student, T=3, D=1, d0 d1 d2 in one group, all 3 required; d2 needs d0 before
    # it. Ward (h0, d0) needs a student in period 2, (h0, d1) in period 0. Plan d0@0,
    # d2@1, d1@2: valid, 2 short. d0@2 would leave d2 no place after d0, so 1 short is
    # the best: d1@0, d0@1, d2@2. Before, a free stint of the group at 1 could stand for
    # d2 (d1@0, free@1, d0@2: "0 short"), which no schedule has: the assembly failed.
    prec = [[0, 0, 0], [0, 0, 0], [1, 0, 0]]
    mins = [[0, 0, 1], [1, 0, 0], [0, 0, 0]]
    inst = tiny(horizon=3, duration=1, disciplines=3, precededby=prec, min_pos=[mins])
    plan = {(0, 0, 0, 0), (0, 1, 0, 2), (0, 2, 0, 1)}
    assert {v.code for v in check(inst, plan)} == {"min_pos"}
    assert shortfall(inst, plan) == 2
    got = fit_minima(inst, plan, [0], time.monotonic() + 10)
    assert got is not None and shortfall(inst, got) == 1
    assert {v.code for v in check(inst, got)} == {"min_pos"}


def test_lean_frees_a_stint_from_a_minimum_met_twice():
    # Two students, T=1, D=1, d0 d1 in one group, 1 each. Ward (h0, d0) needs 1 student
    # in period 0; both attend it: 0 short, 2 stints on minima. Plain fit: no fewer
    # unmet, None. Lean: still 0 short with 1 stint on the minimum, the other student
    # takes d1 (a free stint).
    inst = tiny(students=2, horizon=1, disciplines=2, stud_disc_group=[[1], [1]],
                min_pos=[[[1], [0]]])
    plan = {(0, 0, 0, 0), (1, 0, 0, 0)}
    assert not check(inst, plan) and on_minima(inst, plan) == 2
    assert fit_minima(inst, plan, [0, 1], time.monotonic() + 10) is None
    got = fit_minima(inst, plan, [0, 1], time.monotonic() + 10, lean=True)
    assert got is not None and not check(inst, got) and on_minima(inst, got) == 1


def test_window_moves_only_the_stints_inside_it():
    # One student, T=4, D=1, d0..d3 in one group, 2 required. Ward (h0, d2) needs a
    # student in period 3. Plan d0@0, d1@3: valid, 1 short. Window periods 2-3: d0@0
    # stays, d1@3 moves, d2@3 meets the minimum (d0@0, d2@3). Window 0-1: d1@3 stays in
    # period 3, so nothing reaches the minimum: None.
    mins = [[0] * 4 for _ in range(4)]
    mins[2][3] = 1
    inst = tiny(horizon=4, duration=1, disciplines=4, stud_disc_group=[[2]],
                min_pos=[mins])
    plan = {(0, 0, 0, 0), (0, 3, 0, 1)}
    assert shortfall(inst, plan) == 1
    got = fit_minima(inst, plan, [0], time.monotonic() + 10, window=(2, 4))
    assert got == {(0, 0, 0, 0), (0, 3, 0, 2)}
    assert fit_minima(inst, plan, [0], time.monotonic() + 10, window=(0, 2)) is None


def test_discs_move_only_the_stints_of_those_disciplines():
    # One student, T=2, D=1, d0 d1 d2 in one group, 2 required. Ward (h0, d2) needs a
    # student in period 1. Plan d0@0, d1@1: 1 short. Disciplines {1, 2}: d0@0 stays,
    # d1@1 gives way to d2@1. Disciplines {0, 2}: d1@1 stays, so d2 can only take
    # period 0, away from the minimum: None.
    mins = [[0, 0], [0, 0], [0, 1]]
    inst = tiny(horizon=2, duration=1, disciplines=3, stud_disc_group=[[2]], min_pos=[mins])
    plan = {(0, 0, 0, 0), (0, 1, 0, 1)}
    assert shortfall(inst, plan) == 1
    got = fit_minima(inst, plan, [0], time.monotonic() + 10, discs={1, 2})
    assert got == {(0, 0, 0, 0), (0, 1, 0, 2)}
    assert fit_minima(inst, plan, [0], time.monotonic() + 10, discs={0, 2}) is None


def test_disc_neighbourhood_takes_target_then_unmet_then_its_group():
    # d0 d1 in group 0, d2 d3 in group 1, 1 literal each. Target (h0, d0, t0), d2 also
    # unmet. Budget 3: d0, then d2 (unmet), then d1 (d0's group); d3 is in neither list.
    # Budget 1: still two (at least two disciplines move).
    inst = tiny(disciplines=4, groups=2, disc_group=[0, 0, 1, 1],
                stud_disc_group=[[1, 1]])
    unmet = [(0, 0, 0), (0, 2, 1)]
    rng = random.Random(0)
    assert disc_neighbourhood(inst, unmet, (0, 0, 0), [1] * 4, 3, rng) == {0, 1, 2}
    assert disc_neighbourhood(inst, unmet, (0, 0, 0), [1] * 4, 1, rng) == {0, 2}
