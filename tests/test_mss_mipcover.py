"""The time-indexed MIP cover (HiGHS) on tiny hand instances: minima met, windows keep the
stints outside them and their precedences, partial progress when not all can be met."""

from __future__ import annotations

import time

from scheduler.mss.check import check
from scheduler.mss.cover import unmet_cells
from scheduler.mss.mipcover import _short, mip_cover, mip_repair
from tests.mss_util import tiny


def _codes(inst, cells) -> set[str]:
    return {v.code for v in check(inst, cells)}


def test_mip_cover_meets_a_minimum_the_plan_misses():
    # Two students, 2 periods, 2 disciplines each (D=1), ward (1, d1) needs one student in
    # period 1. The plan gives both d2 first: the minimum is unmet; re-placing both meets
    # it (one takes d1 first) and keeps every other rule.
    inst = tiny(students=2, horizon=2, disciplines=2, min_pos=[[[1, 0], [0, 0]]])
    plan = {(0, 0, 0, 1), (0, 1, 0, 0), (1, 0, 0, 1), (1, 1, 0, 0)}
    assert unmet_cells(inst, plan) == [(0, 0, 0)]
    got = mip_cover(inst, plan, [0, 1], time.monotonic() + 10, objective=False)
    assert got is not None and not check(inst, got)
    got = mip_repair(inst, plan, time.monotonic() + 10)
    assert not check(inst, got)


def test_mip_cover_none_when_no_member_can_cover():
    # Same, but only student 0 may move and it cannot take d1 in period 1 (unavailable
    # then); student 1 is fixed: the hard minimum has no schedule.
    inst = tiny(students=2, horizon=2, disciplines=2, min_pos=[[[1, 0], [0, 0]]],
                availability=[[0, 1], [1, 1]], stud_disc_group=[[1], [2]])
    plan = {(0, 1, 0, 1), (1, 0, 0, 1), (1, 1, 0, 0)}
    assert not _codes(inst, plan) - {"min_pos"}
    assert mip_cover(inst, plan, [0], time.monotonic() + 10, objective=False) is None


def test_window_keeps_stints_outside_and_their_predecessors():
    # One student, T=4, D=1, d0 d1 d2, d2 needs d1 first. Plan d0@0, d1@1, d2@3 (idle
    # at 2); ward (1, d0) needs one student in period 2 (0-based). Window = periods 0..2:
    # d2@3 is outside and stays, so d1 must be placed inside the window (before it); d0
    # moves to 2, d1 to 0 or 1. Valid, minimum met, d2 still at 3.
    inst = tiny(horizon=4, disciplines=3,
                precededby=[[0, 0, 0], [0, 0, 0], [0, 1, 0]],
                min_pos=[[[0, 0, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0]]])
    plan = {(0, 0, 0, 0), (0, 1, 0, 1), (0, 3, 0, 2)}
    assert _codes(inst, plan) == {"min_pos"}
    got = mip_cover(inst, plan, [0], time.monotonic() + 10, objective=False,
                    window=(0, 3))
    assert got is not None and not check(inst, got)
    assert (0, 3, 0, 2) in got and (0, 2, 0, 0) in got


def test_window_forbids_a_discipline_before_its_kept_predecessor():
    # One student, T=4, D=1, d1 needs d0 first. Plan d0@0, d1@1; ward (1, d1) needs one
    # student in period 0. The window 0..1 frees both, but d1 at 0 leaves no period for
    # d0 before it: no schedule with the minimum hard. The same window without that
    # minimum has one.
    inst = tiny(horizon=4, disciplines=2, precededby=[[0, 0], [1, 0]],
                min_pos=[[[0, 0, 0, 0], [1, 0, 0, 0]]])
    plan = {(0, 0, 0, 0), (0, 1, 0, 1)}
    assert _codes(inst, plan) == {"min_pos"}
    assert mip_cover(inst, plan, [0], time.monotonic() + 10, objective=False,
                     window=(0, 2)) is None
    free = tiny(horizon=4, disciplines=2, precededby=[[0, 0], [1, 0]])
    got = mip_cover(free, plan, [0], time.monotonic() + 10, objective=False, window=(0, 2))
    assert got is not None and not check(free, got)


def test_progress_when_not_every_minimum_can_be_met():
    # One student, T=3, D=1, attends d0 and d1 once each. Both wards (1, d0) and (1, d1)
    # need one student in period 0: only one can be met. Plan d0@1, d1@2 misses both
    # (2 short); with at most 1 short allowed the MIP meets one, and the repair stops
    # there, every other rule kept.
    inst = tiny(horizon=3, disciplines=2, min_pos=[[[1, 0, 0], [1, 0, 0]]])
    plan = {(0, 1, 0, 0), (0, 2, 0, 1)}
    assert _short(inst, plan) == 2
    got = mip_cover(inst, plan, [0], time.monotonic() + 10, objective=False, max_short=1)
    assert got is not None and _short(inst, got) == 1 and _codes(inst, got) == {"min_pos"}
    got = mip_repair(inst, plan, time.monotonic() + 3)
    assert _short(inst, got) == 1 and _codes(inst, got) == {"min_pos"}
