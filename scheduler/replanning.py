"""Public API of issue 5: solve with soft capacity, and re-plan from today with the least change.

Like :mod:`scheduler.api`: the solver proposes, the independent checker verifies, and only a
verified plan is returned or written.
"""

from __future__ import annotations

import json
from pathlib import Path

from scheduler import api, checker
from scheduler.domain import Instance
from scheduler.i18n import Lang
from scheduler.io import write_atomic
from scheduler.plan import plan_to_csv
from scheduler.result import Result
from scheduler.solver.solve import Progress, solve


def solve_soft_and_verify(instance: Instance, time_limit: float = 60.0, workers: int = 2,
                          seed: int = 0, progress: Progress | None = None
                          ) -> tuple[Result, list[checker.Overrun]]:
    """The plan with the fewest trainee-weeks over capacity, checked with capacity soft.

    Returns the result (objective and terms recomputed by the checker, ``capacity_overrun``
    included) and every overrun (unit, weeks, how many over).
    """
    result = solve(instance, time_limit=time_limit, workers=workers, seed=seed,
                   progress=progress, soft_capacity=True)
    overruns: list[checker.Overrun] = []
    if result.status.has_plan:
        violations = checker.check(instance, result.stints, soft_capacity=True)
        if violations:
            raise api.VerificationError(violations)
        terms = checker.evaluate(instance, result.stints, soft_capacity=True)
        result.solver_objective = result.objective
        result.terms = {t: terms[t] for t in result.terms}
        result.objective = float(checker.objective(instance, terms))
        overruns = checker.capacity_overruns(instance, result.stints)
    return result, overruns


def write_soft_outputs(instance: Instance, result: Result, overruns: list[checker.Overrun],
                       out_dir: Path, lang: Lang | None = None,
                       inputs: tuple[Path, ...] = ()) -> list[Path]:
    """plan.csv, plan.xlsx (with an overrun sheet) and run.json (with the overruns)."""
    from scheduler.report.excel import write_workbook

    out_dir.mkdir(parents=True, exist_ok=True)
    targets = [out_dir / "plan.csv", out_dir / "plan.xlsx", out_dir / "run.json"]
    resolved_inputs = {p.resolve() for p in inputs}
    for t in targets:
        if t.resolve() in resolved_inputs:
            raise FileExistsError(f"{t} is an input file; choose another --out folder")
    write_atomic(targets[0], plan_to_csv(result.stints).encode("utf-8"))
    write_workbook(instance, result, targets[1], lang=lang, violations=[], overruns=overruns)
    summary = result.summary()
    summary["overruns"] = [{"unit": o.unit, "start": o.start.isoformat(), "weeks": o.weeks,
                            "over": o.over} for o in overruns]
    write_atomic(targets[2], json.dumps(summary, indent=2, default=str).encode("utf-8"))
    return targets
