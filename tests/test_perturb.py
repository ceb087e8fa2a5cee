"""Ruin and recreate (``scheduler.solver.perturb``): hand-solved cases."""

from __future__ import annotations

import random

import pytest

from scheduler import verify as checker
from scheduler.plan import Stint
from scheduler.solver import perturb
from scheduler.solver.construct import construct_around
from scheduler.solver.model import capacity_profiles, min_stints
from scheduler.solver.perturb import ruin_recreate, ruin_set
from scheduler.solver.plan_state import plan_cost
from tests.helpers import build, programme, trainee, unit, wk

# 4 weeks at a vårdcentral.
G4 = programme("G4", 4, ("allmanmedicin", 4, None))
# Each step's phases in a fraction of a second: the cases below are tiny.
QUICK = {"polish": 0.5, "reassign": 0.3, "touch_up": 0.5, "short": 0.2}


def _stint(tid: str, uid: str, a: int, b: int) -> Stint:
    return Stint(trainee=tid, programme="G4", unit=uid, discipline="allmanmedicin",
                 site="NORD", start=wk(a), end=wk(b))


def _crossed():
    """T1 at VC-A in weeks 0-2 and VC-B in weeks 2-4, T2 the other way round (capacity 1
    each): one change each, 2 x 10 = 20. Each alone has no seat for a single stint (the other
    holds one centre in each half); both planned again: T1 at VC-A and T2 at VC-B for all 4
    weeks, 0."""
    inst = build([unit("VC-A", "allmanmedicin", region_wide=True),
                  unit("VC-B", "allmanmedicin", region_wide=True)],
                 [trainee("T1", 0, "G4"), trainee("T2", 0, "G4")], [G4], weeks=4,
                 unit_changes=10)
    plan = [_stint("T1", "VC-A", 0, 2), _stint("T1", "VC-B", 2, 4),
            _stint("T2", "VC-B", 0, 2), _stint("T2", "VC-A", 2, 4)]
    profiles = capacity_profiles(inst)
    assert checker.check(inst, plan) == []
    assert plan_cost(inst, plan, profiles)[0] == 20
    return inst, plan, profiles, min_stints(inst, inst.all_trainees(), profiles=profiles)


def test_ruin_and_recreate_uncrosses_two_trainees(monkeypatch):
    # _crossed: 20 -> 0 once both are planned again (a share of 1: half of two would leave
    # one crossing the other).
    monkeypatch.setattr(perturb, "STEP", QUICK)
    monkeypatch.setattr(perturb, "RUIN_SHARE", 1.0)
    inst, plan, profiles, least = _crossed()
    seen: list[int] = []
    better = ruin_recreate(inst, plan, 5.0, 0, least, profiles, on_better=seen.append)
    assert checker.check(inst, better) == []
    assert plan_cost(inst, better, profiles)[0] == 0
    assert seen and seen[-1] == 0


def test_a_step_that_costs_more_is_not_kept(monkeypatch):
    # From the uncrossed plan (0), every step rebuilds _crossed's plan (20) and the phases
    # after it are left out: no step is kept, the plan given comes back, nothing reported.
    monkeypatch.setattr(perturb, "STEP", QUICK)
    inst, crossed, profiles, least = _crossed()
    calls: list[int] = []

    def construct(*args, **kwargs):
        calls.append(1)
        return crossed

    monkeypatch.setattr(perturb, "construct_around", construct)
    for phase in ("polish", "touch_up"):
        monkeypatch.setattr(perturb, phase, lambda inst, plan, *a, **k: plan)
    monkeypatch.setattr(perturb, "reassign", lambda inst, plan, *a, **k: plan)
    good = [_stint("T1", "VC-A", 0, 4), _stint("T2", "VC-B", 0, 4)]
    seen: list[int] = []
    same = ruin_recreate(inst, good, 4.0, 0, least, profiles, on_better=seen.append)
    assert calls  # steps ran (the first needs 2 x 1.5 = 3.0 s of the 4.0)
    assert same == good
    assert seen == []


def test_no_step_without_the_time_for_one(monkeypatch):
    # The first step needs twice the phases' seconds (2 x 1.5 = 3.0 s here): with 1 s left
    # the plan comes back as given, and the construction is never called.
    monkeypatch.setattr(perturb, "STEP", QUICK)

    def construct(*args, **kwargs):
        raise AssertionError("a step started without the time for it")

    monkeypatch.setattr(perturb, "construct_around", construct)
    inst, plan, profiles, least = _crossed()
    assert ruin_recreate(inst, plan, 1.0, 0, least, profiles) == plan


def _intakes():
    """Intakes at weeks 0, 4 and 8 with 4 trainees each (T<start>-<i>); T0-0 has a locked
    stint."""
    lock = {"locked": [{"unit": "VC-A", "discipline": "allmanmedicin", "start": wk(0),
                        "end": wk(4)}]}
    return build([unit("VC-A", "allmanmedicin", capacity=12, region_wide=True)],
                 [trainee(f"T{s}-{i}", s, "G4", **(lock if (s, i) == (0, 0) else {}))
                  for s in (0, 4, 8) for i in range(4)], [G4], weeks=12)


@pytest.mark.parametrize("seed", range(8))
def test_ruin_set_is_two_adjacent_intakes_without_the_locked_trainee(seed, monkeypatch):
    # _intakes, everybody of the window drawn: intakes 0 and 4 (7: T0-0 is locked), 4 and
    # 8 (8), or the last alone (4).
    monkeypatch.setattr(perturb, "RUIN_SHARE", 1.0)
    ruined = ruin_set(_intakes(), random.Random(seed))
    ids = {s: {f"T{s}-{i}" for i in range(4)} for s in (0, 4, 8)}
    assert ruined in ((ids[0] | ids[4]) - {"T0-0"}, ids[4] | ids[8], ids[8])


@pytest.mark.parametrize("seed", range(8))
def test_ruin_set_takes_half_of_the_window(seed):
    # _intakes: half of 7 is round(3.5) = 4, of 8 is 4, of the last intake alone 2.
    ruined = ruin_set(_intakes(), random.Random(seed))
    starts = {int(tid[1]) for tid in ruined}
    assert "T0-0" not in ruined
    assert len(ruined) in (2, 4)
    assert max(starts) - min(starts) <= 4  # adjacent intakes


def test_construct_around_places_the_ruined_around_the_fixed_stints():
    # T2 (intake at week 2) is fixed at VC-A in weeks 2-6; T1 (week 0) is planned again.
    # VC-A has one seat, so T1's 4 weeks go to VC-B (0-4) in one stint, cost 0; T2's stint
    # is in the loads before T1 is placed (a whole construction in start order would place
    # T1 first, blind to it) and stays as it was.
    inst = build([unit("VC-A", "allmanmedicin", region_wide=True),
                  unit("VC-B", "allmanmedicin", region_wide=True)],
                 [trainee("T1", 0, "G4"), trainee("T2", 2, "G4")], [G4], weeks=6,
                 unit_changes=10)
    profiles = capacity_profiles(inst)
    least = min_stints(inst, inst.all_trainees(), profiles=profiles)
    fixed = {"T2": [_stint("T2", "VC-A", 2, 6)]}
    for attempt in range(3):
        plan = construct_around(inst, profiles, least, fixed, 0, attempt=attempt)
        assert plan is not None
        assert checker.check(inst, plan) == []
        assert [s for s in plan if s.trainee == "T2"] == fixed["T2"]
        assert [(s.unit, s.start, s.end) for s in plan if s.trainee == "T1"] == [
            ("VC-B", wk(0), wk(4))]
