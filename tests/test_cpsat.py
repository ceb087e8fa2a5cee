"""The one place that builds and runs CP-SAT solvers (scheduler/solver/cpsat.py)."""

from __future__ import annotations

from ortools.sat.python import cp_model

from scheduler.solver.cpsat import make_solver, run


def _tiny() -> tuple[cp_model.CpModel, cp_model.IntVar]:
    # x + y = 3 with x, y in 0..3: the least x is 0 (y = 3).
    m = cp_model.CpModel()
    x, y = m.new_int_var(0, 3, "x"), m.new_int_var(0, 3, "y")
    m.add(x + y == 3)
    m.minimize(x)
    return m, x


def test_make_solver_sets_both_limits_workers_seed_and_named_parameters():
    s = make_solver(2.5, 1, 7, deterministic_time=0.5, symmetry_level=0)
    p = s.parameters
    assert (p.max_time_in_seconds, p.max_deterministic_time) == (2.5, 0.5)
    assert (p.num_workers, p.random_seed, p.symmetry_level) == (1, 7, 0)
    m, x = _tiny()
    assert run(s, m) == cp_model.OPTIMAL and s.value(x) == 0


def test_make_solver_leaves_unset_limits_and_seed_at_cp_sat_defaults():
    # Callers that never set a seed (bounds, explain, min_stints) keep CP-SAT's default.
    p = make_solver(None, 1).parameters
    default = cp_model.CpSolver().parameters
    for name in ("max_time_in_seconds", "max_deterministic_time", "random_seed"):
        assert getattr(p, name) == getattr(default, name), name
