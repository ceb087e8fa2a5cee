"""Solving: a cohort decomposition for a quick first plan, then the full model warm-started.

Why a decomposition: with 2 workers CP-SAT needs long to find a first tiling of ~160 blocks
that respects every unit's capacity at once. Solving intake by intake (trainees sharing a start
date), each against the capacity the earlier intakes left, takes a second or two per intake.
The concatenated plan is complete and feasible, so it is handed to the full model as a hint and
the full model spends the rest of the time improving it and proving a bound.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from itertools import groupby

from ortools.sat.python import cp_model

from scheduler.domain import Instance
from scheduler.plan import Stint
from scheduler.result import Result, Status
from scheduler.solver.model import TERMS, PlacementModel

Progress = Callable[[dict], None]


def versions() -> dict[str, str]:
    out = {}
    for pkg in ("atbt-scheduler", "ortools", "pydantic", "openpyxl"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "?"
    return out


class _Watcher(cp_model.CpSolverSolutionCallback):
    def __init__(self, pm: PlacementModel, t0: float, progress: Progress | None):
        super().__init__()
        self.pm, self.t0, self.progress = pm, t0, progress
        self.first: float | None = None
        self.stints: list[Stint] | None = None
        self.objective: float | None = None

    def on_solution_callback(self) -> None:
        now = time.monotonic() - self.t0
        if self.first is None:
            self.first = now
        self.objective = self.objective_value
        self.stints = self.pm.extract(self)
        if self.progress:
            self.progress({"phase": "solve", "time": now, "objective": self.objective,
                           "bound": self.best_objective_bound})


def _params(time_limit: float, workers: int, seed: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, time_limit)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    return solver


class _EarlyStop(cp_model.CpSolverSolutionCallback):
    """Stops an intake's solve once its plan is within 2 % or has not improved for a while."""

    def __init__(self, patience: float):
        super().__init__()
        self.patience = patience
        self.first: float | None = None
        self._timer: threading.Timer | None = None

    def on_solution_callback(self) -> None:
        obj, bound = self.objective_value, self.best_objective_bound
        if obj - bound <= 0.02 * max(abs(obj), 1):
            self.stop_search()
            return
        if self._timer is None:
            self._timer = threading.Timer(self.patience, self.stop_search)
            self._timer.daemon = True
            self._timer.start()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


def decompose(instance: Instance, time_limit: float, seed: int,
              progress: Progress | None = None) -> list[Stint] | None:
    """Plan intake by intake in start order; ``None`` if some intake finds no plan.

    Each intake is planned against the capacity the earlier ones left, with the objective
    terms that concern its own trainees (unit changes, fragmentation).
    """
    trainees = sorted(instance.all_trainees(), key=lambda t: t.start)
    groups = [list(g) for _, g in groupby(trainees, key=lambda t: t.start)]
    fixed: list[Stint] = []
    t0 = time.monotonic()
    for k, group in enumerate(groups):
        left = time_limit - (time.monotonic() - t0)
        budget = max(1.0, 2 * left / (len(groups) - k))
        pm = PlacementModel(instance, group, external=fixed,
                            terms=("unit_changes", "fragmentation"))
        solver = _params(budget, 1, seed)
        stopper = _EarlyStop(patience=max(0.5, budget / 4))
        status = solver.solve(pm.model, stopper)
        stopper.cancel()
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        fixed.extend(pm.extract(solver))
        if progress:
            progress({"phase": "decompose", "done": k + 1, "of": len(groups),
                      "time": time.monotonic() - t0})
    return fixed


def solve(instance: Instance, time_limit: float = 60.0, workers: int = 2, seed: int = 0,
          progress: Progress | None = None, use_decomposition: bool = True) -> Result:
    t0 = time.monotonic()
    n_groups = len({t.start for t in instance.all_trainees()})
    warm: list[Stint] | None = None
    warm_time: float | None = None
    if use_decomposition and n_groups > 1:
        warm = decompose(instance, 0.5 * time_limit, seed, progress)
        warm_time = time.monotonic() - t0 if warm is not None else None
        if progress and warm is not None:
            progress({"phase": "first_plan", "time": warm_time})

    pm = PlacementModel(instance)
    if warm is not None:
        pm.hint(warm)
    solver = _params(time_limit - (time.monotonic() - t0), workers, seed)
    watcher = _Watcher(pm, t0, progress)
    status = solver.solve(pm.model, watcher)
    wall = time.monotonic() - t0

    result = Result(
        status=Status.NO_PLAN, seed=seed, workers=workers, time_limit=time_limit,
        weights=dict(pm.weights), versions=versions(), wall_time=wall,
        # Several workers race, and a wall-clock limit cuts the search at a moment that
        # depends on the machine's load: the same seed then need not give the same plan.
        reproducible=workers == 1 and status == cp_model.OPTIMAL,
        method="cohort-decomposition + interval model" if warm is not None else "interval model",
    )
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        result.status = Status.OPTIMAL if status == cp_model.OPTIMAL else Status.FEASIBLE
        result.stints = pm.extract(solver)
        result.objective = solver.objective_value
        result.bound = solver.best_objective_bound
        result.terms = {t: int(solver.value(e)) for t, e in pm.term_exprs.items()}
        result.time_to_first = min(x for x in (warm_time, watcher.first) if x is not None)
    elif status == cp_model.INFEASIBLE:
        result.status = Status.INFEASIBLE
    elif warm is not None:
        # The full model found nothing better in time: the decomposition's plan stands.
        result.status = Status.FEASIBLE
        result.stints = warm
        result.bound = solver.best_objective_bound
        result.time_to_first = warm_time
    result.terms = {t: result.terms.get(t, 0) for t in TERMS if t in pm.weights}
    return result
