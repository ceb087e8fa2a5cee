"""Column generation with exact pricing (scheduler.mss.lagrange): hand-checked cases."""

from __future__ import annotations

import time

import numpy as np
import pytest

from scheduler.mss.check import check
from scheduler.mss.evaluate import evaluate
from scheduler.mss.lagrange import (
    ExactPricer,
    IntervalPricer,
    exact_column_generation,
    lagrange_value,
    no_minima,
    round_duals,
)
from tests.mss_util import tiny


def test_round_duals_floor_and_simplex():
    # K = 1000: alpha 0.0015 -> floor(1.5) = 1, 0.0029 -> 2, a negative dual -> 0.
    # pi 0.3337 -> 333, 0.6663 -> 666: 999, the 1 left goes to the weakest (student 0).
    A, p = round_duals(np.array([[[0.0015, 0.0029, -0.5]]]), np.array([0.3337, 0.6663]), 0)
    assert A.tolist() == [[[1, 2, 0]]]
    assert p == [334, 666]


def test_lagrange_value_floors_in_integers():
    # sum(ubs) = 1500 + 2100 = 3600; A . cap = 3 * 1 = 3; (3603) // 1000 = 3.
    inst = tiny(students=2, horizon=2, max_pos=[[[1, 1]]])
    assert lagrange_value(inst, [1500, 2100], np.array([[[3, 0]]])) == 3
    # Negative values floor towards minus infinity: -1499 // 1000 = -2.
    assert lagrange_value(inst, [-1000, -499], np.zeros((1, 1, 2), dtype=np.int64)) == -2


@pytest.mark.parametrize("kind", [ExactPricer, IntervalPricer])
def test_exact_pricer_hand_example(kind):
    # One student, 3 periods, D=1, both disciplines (prefs 5, 1; weights 1, 1, -1, -1;
    # hospital pref 0), available in periods 1 and 3: 5 + 1 - 1 (one wait) = 5.
    inst = tiny(horizon=3, disciplines=2, availability=[[1, 0, 1]],
                pref_disc=[[5, 1]], pref_hosp=[[0]])
    ep = kind(inst, 0)
    ub, col = ep.price(1, None, 5.0)
    assert ub == 5 and col is not None and col.value == 5
    # Discipline 1 in period 3 priced 10, weight 2: the other order (discipline 2 last) is
    # free and as good, 2 * 5 - 0 = 10.
    A = np.zeros((1, 2, 3), dtype=np.int64)
    A[0, 0, 2] = 10
    ub, col = ep.price(2, A, 5.0)
    assert ub == 10 and col is not None and col.stints == ((0, 0, 0), (0, 1, 2))


def test_exact_colgen_proves_what_the_ideals_cannot():
    # Two students, T=2, D=1, one discipline each (pref 0, hospital pref 0, weights
    # 1, 1, -1, -1), capacity 1 per period. Alone each takes period 1: SatTot 0, so the
    # ideals give 0 + 0 + 0 = 0. Together one waits a period (SatTot -1): the optimum is
    # 0 - 1 + min(0, -1) = -2. The master LP takes both students half in period 1 and half
    # in period 2: sum -1, w = -0.5, LP -1.5, so the bound is floor(-1.5) = -2 = optimum.
    inst = tiny(students=2, horizon=2, disciplines=1, pref_disc=[[0], [0]],
                pref_hosp=[[0], [0]], max_pos=[[[1, 1]]])
    assert no_minima(inst)
    start = {(0, 0, 0, 0), (1, 1, 0, 0)}
    assert not check(inst, start) and evaluate(inst, start).score == -2
    cg = exact_column_generation(inst, time.monotonic() + 20, [start], target=-2)
    assert cg.ideals == [0, 0]
    assert cg.bound == -2
    assert cg.lp is not None and -2 <= cg.lp <= -1.5 + 1e-6


def test_solve_proves_the_two_student_case_optimal():
    # The case above through solve(): the ideals' bound is 0 (each student alone takes
    # period 1), the best schedule -2; only the exact column generation's bound, -2, proves
    # it (the full model is not needed).
    from scheduler.mss.solve import solve

    inst = tiny(students=2, horizon=2, disciplines=1, pref_disc=[[0], [0]],
                pref_hosp=[[0], [0]], max_pos=[[[1, 1]]])
    res = solve(inst, time_limit=20, workers=1)
    assert res.status == "optimal" and res.objective == -2 and res.bound == -2
    assert not check(inst, res.cells) and evaluate(inst, res.cells).score == -2
