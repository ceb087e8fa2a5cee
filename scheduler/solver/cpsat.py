"""The one place that builds and runs a CP-SAT solver (every solve of the solver package).

``make_solver`` sets the limits (wall-clock, and optionally CP-SAT's deterministic time, a
count of work that does not depend on the machine's load), workers and seed, and any other
parameter by name; ``run`` solves with the workaround for an OR-Tools presolve crash.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from ortools.sat.python import cp_model

if TYPE_CHECKING:
    from scheduler.solver.model import PlacementModel


def make_solver(time_limit: float | None, workers: int = 1, seed: int | None = None, *,
                deterministic_time: float | None = None, **params: Any) -> cp_model.CpSolver:
    """A solver with at most ``time_limit`` wall-clock seconds (``None``: no such limit) and
    at most ``deterministic_time`` units of CP-SAT's deterministic time (``None``: none).

    ``seed=None`` keeps CP-SAT's default seed. ``params``: further fields of
    ``SatParameters`` by name (e.g. ``symmetry_level=0``). The limits are taken as given:
    callers that may pass a budget near zero clamp it themselves.
    """
    solver = cp_model.CpSolver()
    # Ctrl-C belongs to the command (scheduler.halt): CP-SAT's own handler would swallow it.
    solver.parameters.catch_sigint_signal = False
    if time_limit is not None:
        solver.parameters.max_time_in_seconds = time_limit
    if deterministic_time is not None:
        solver.parameters.max_deterministic_time = deterministic_time
    solver.parameters.num_workers = workers
    if seed is not None:
        solver.parameters.random_seed = seed
    for name, value in params.items():
        setattr(solver.parameters, name, value)
    return solver


def run(solver: cp_model.CpSolver, model: cp_model.CpModel,
        callback: cp_model.CpSolverSolutionCallback | None = None) -> cp_model.CpSolverStatus:
    """``solver.solve`` with a workaround for an OR-Tools 9.15 presolve crash.

    Symmetry detection can raise "IndexError: raw_hash_map::at" on some infeasible models
    without an objective (tests/test_properties.py found one); such a solve is repeated
    without symmetry detection.
    """
    try:
        return solver.solve(model, callback)
    except IndexError:
        solver.parameters.symmetry_level = 0
        return solver.solve(model, callback)


class EarlyStop(cp_model.CpSolverSolutionCallback):
    """Stops a part's solve once its plan is within 2 % or ``patience`` s after its first
    plan; with ``reset`` (re-plans from a hint), ``patience`` s after its last improvement."""

    def __init__(self, patience: float, has_objective: bool = True, reset: bool = False):
        super().__init__()
        self.patience = patience
        self.has_objective = has_objective
        self.reset = reset
        self.first: float | None = None
        self._timer: threading.Timer | None = None

    def on_solution_callback(self) -> None:
        if not self.has_objective:  # any plan will do
            self.stop_search()
            return
        obj, bound = self.objective_value, self.best_objective_bound
        if obj - bound <= 0.02 * max(abs(obj), 1):
            self.stop_search()
            return
        if self._timer is None or self.reset:
            self.cancel()
            self._timer = threading.Timer(self.patience, self.stop_search)
            self._timer.daemon = True
            self._timer.start()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


def complete_hint(pm: PlacementModel, budget: float, seed: int) -> None:
    """Turn a hint on the stints into a hint on every variable.

    CP-SAT often fails to complete a partial hint on a model this size, and then spends the
    whole run without a plan. With the stints fixed, the helper variables of the objective
    (spans, overlaps, counted weeks) are optimised in a fraction of a second, and the full
    model then starts from a complete, feasible hint.
    """
    solver = make_solver(max(0.1, budget), 1, seed, fix_variables_to_their_hinted_value=True)
    status = run(solver, pm.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return
    m = pm.model
    values = [solver.value(m.get_int_var_from_proto_index(i))
              for i in range(len(m.proto.variables))]
    m.clear_hints()
    for i, v in enumerate(values):
        m.add_hint(m.get_int_var_from_proto_index(i), v)
