"""Public API: solve an instance (capacity hard or soft), verify the plan independently, write
the outputs.

The CLI is a thin layer over these functions. The checker runs on every plan the solver returns;
a plan with a violation is never written.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from scheduler import verify
from scheduler.domain import Instance
from scheduler.i18n import Lang, language
from scheduler.inputs.yaml_io import input_hash, load_instance
from scheduler.outputs import manifest_hashes, write_output_set
from scheduler.plan import Stint, plan_to_csv
from scheduler.result import Result
from scheduler.solver.solve import Progress, solve


class VerificationError(Exception):
    """The solver returned a plan the independent checker rejects (a bug: nothing is written)."""

    def __init__(self, violations: list[verify.Violation]):
        self.violations = violations
        super().__init__("\n".join(v.message for v in violations[:20]))


def solve_and_verify(instance: Instance, time_limit: float = 60.0, workers: int = 2,
                     seed: int = 0, progress: Progress | None = None,
                     warm_start: list[Stint] | None = None,
                     deterministic: bool = False) -> Result:
    """Solve, then check the plan and recompute every objective term from it.

    The reported objective and terms are the checker's recomputation (the true cost of the plan
    that is written); the solver's own value is kept in ``solver_objective``. ``warm_start``:
    a plan of a similar instance whose stints are reused where they still fit.
    """
    result = solve(instance, time_limit=time_limit, workers=workers, seed=seed, progress=progress,
                   warm_start=warm_start, deterministic=deterministic)
    if result.status.has_plan:
        violations = verify.check(instance, result.stints)
        if violations:
            raise VerificationError(violations)
        terms = verify.evaluate(instance, result.stints)
        result.solver_objective = result.objective
        result.terms = {t: terms[t] for t in result.terms}
        result.objective = float(verify.objective(instance, terms))
    return result


def solve_soft_and_verify(instance: Instance, time_limit: float = 60.0, workers: int = 2,
                          seed: int = 0, progress: Progress | None = None,
                          deterministic: bool = False
                          ) -> tuple[Result, list[verify.Overrun]]:
    """The plan with the fewest trainee-weeks over capacity, checked with capacity soft.

    Returns the result (objective and terms recomputed by the checker, ``capacity_overrun``
    included) and every overrun (unit, weeks, how many over).
    """
    result = solve(instance, time_limit=time_limit, workers=workers, seed=seed,
                   progress=progress, soft_capacity=True, deterministic=deterministic)
    overruns: list[verify.Overrun] = []
    if result.status.has_plan:
        violations = verify.check(instance, result.stints, soft_capacity=True)
        if violations:
            raise VerificationError(violations)
        terms = verify.evaluate(instance, result.stints, soft_capacity=True)
        result.solver_objective = result.objective
        result.terms = {t: terms[t] for t in result.terms}
        result.objective = float(verify.objective(instance, terms))
        overruns = verify.capacity_overruns(instance, result.stints)
    return result, overruns


def write_outputs(instance: Instance, result: Result, out_dir: Path,
                  lang: Lang | None = None, inputs: tuple[Path, ...] = (),
                  overruns: list[verify.Overrun] | None = None) -> list[Path]:
    """Write plan.csv, plan.xlsx, plan.png, plan.pdf and run.json as one set; refuse to
    overwrite an input.

    All are built in memory, then moved into ``out_dir`` together with run.json last, as
    the manifest holding the others' SHA-256 (:func:`scheduler.outputs.write_output_set`).
    ``overruns`` (soft capacity): listed in an overrun sheet and in run.json.
    """
    from scheduler.report.excel import build_workbook

    targets = [out_dir / n for n in ("plan.csv", "plan.xlsx", "plan.png", "plan.pdf", "run.json")]
    resolved_inputs = {p.resolve() for p in inputs}
    for t in targets:
        if t.resolve() in resolved_inputs:
            raise FileExistsError(f"{t} is an input file; choose another --out folder")
    from scheduler.report.picture import build_pictures

    files = {"plan.csv": plan_to_csv(result.stints).encode("utf-8"),
             "plan.xlsx": build_workbook(instance, result, lang=lang, violations=[],
                                         overruns=overruns)}
    today = date.fromisoformat(result.today) if result.today else None
    files["plan.png"], files["plan.pdf"] = build_pictures(instance, result.stints, lang=lang,
                                                          today=today)
    summary = result.summary()
    if overruns is not None:
        summary["overruns"] = [{"unit": o.unit, "start": o.start.isoformat(), "weeks": o.weeks,
                                "over": o.over} for o in overruns]
    from scheduler.report import fairness

    if fairness.wanted(instance) and result.stints:
        summary["fairness"] = fairness.summary(instance, result.stints, lang or language())
    summary["files"] = manifest_hashes(files)
    files["run.json"] = json.dumps(summary, indent=2, default=str).encode("utf-8")
    return write_output_set(out_dir, files)


def load(path: str | Path) -> tuple[Instance, str]:
    """The instance and the hash of its input files (YAML, or an ``.xlsx`` workbook)."""
    if Path(path).suffix.lower() in (".xlsx", ".xlsm", ".xls"):  # the reader refuses all but xlsx
        from scheduler.workbook.reader import load_workbook_instance

        return load_workbook_instance(path)
    return load_instance(path), input_hash(path)
