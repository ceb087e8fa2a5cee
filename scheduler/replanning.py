"""Public API: re-plan from today with the least change.

Like :mod:`scheduler.api`: the solver proposes, the independent checker verifies, and only a
verified plan is returned or written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from scheduler import api, verify
from scheduler.domain import Instance
from scheduler.i18n import Lang, language
from scheduler.inputs.changes import (
    Changes,
    PlanDiff,
    apply_changes,
    change_problems,
    diff_plans,
    replan_monday,
)
from scheduler.inputs.yaml_io import InputError, pydantic_problems
from scheduler.outputs import write_atomic
from scheduler.plan import Stint, plan_to_csv
from scheduler.result import Result, Status
from scheduler.solver.solve import versions


@dataclass
class Replanned:
    result: Result  # objective = change cost (recomputed from the two plans), bound = its bound
    instance: Instance  # the instance after the changes
    diff: PlanDiff
    today: date
    model_instance: Instance | None = None  # history locked: explain it when infeasible
    phases: list[dict] = field(default_factory=list)
    crossing: dict[str, Stint] = field(default_factory=dict)  # stints across today

    @property
    def minimal(self) -> bool:
        return (self.result.objective is not None and self.result.bound is not None
                and self.result.objective <= self.result.bound)


def replan_and_verify(instance: Instance, old: list[Stint], today: date,
                      changes: Changes | None = None, time_limit: float = 60.0,
                      workers: int = 2, seed: int = 0, lang: Lang = "sv") -> Replanned:
    """Apply ``changes``, re-plan from ``today`` (rounded to a Monday) with the least change,
    and verify the new plan (every rule, and the history before today unchanged).

    Raises :class:`scheduler.inputs.yaml_io.InputError` for changes that cannot apply (unknown
    ids, dates before today, a block pushed past the horizon) and :class:`api.VerificationError`
    if the checker rejects the plan.
    """
    from scheduler.solver.replan import replan

    changes = changes or Changes()
    monday = replan_monday(today)
    # The history is kept as it is, so an old plan that breaks a rule cannot be repaired here.
    # A state written by an earlier re-plan has its own today: its history is as it happened.
    past = verify.History(old, instance.today) if instance.today is not None else None
    broken = verify.check(instance, old, lang=lang, history=past)
    if broken:
        raise InputError("OLD_PLAN", [(v.rule, v.message) for v in broken[:20]])
    problems = change_problems(instance, changes, monday, lang)
    if problems:
        raise InputError("--change", problems)
    try:
        new_inst = apply_changes(instance, changes)
    except ValidationError as exc:
        raise InputError("--change", pydantic_problems(exc, {})) from None
    out = replan(instance, new_inst, old, monday, time_limit=time_limit, workers=workers,
                 seed=seed)
    status = {"optimal": Status.OPTIMAL, "feasible": Status.FEASIBLE,
              "infeasible": Status.INFEASIBLE}.get(out.status, Status.NO_PLAN)
    # The second stage's own terms (solver/replan.py), where the instance has their data.
    own = [k for k in ("wishes", "travel", "spacing", "worst") if k in new_inst.objective_weights()]
    result = Result(status=status, stints=out.stints, workers=workers, seed=seed,
                    time_limit=time_limit, wall_time=out.wall_time, versions=versions(),
                    method="re-plan: history fixed, least change (neighbourhood, then all), "
                    f"then {', '.join(['unit changes', *own])}",
                    reproducible=workers == 1 and out.status == "optimal")
    diff = diff_plans(old, out.stints)
    if status.has_plan:
        violations = verify.check(new_inst, out.stints, history=verify.History(old, monday))
        if violations:
            raise api.VerificationError(violations)
        cost = verify.change_cost(old, out.stints, monday)
        terms = verify.evaluate(new_inst, out.stints)
        result.terms = {"change_cost": cost, "unit_changes": terms["unit_changes"]}
        # The second stage's own terms (wishes, travel, spacing, worst), as the checker
        # recomputes them; the objective stays the change cost.
        result.terms.update({k: terms[k] for k in own if k in terms})
        result.weights = {"change_cost": 1}
        result.objective = float(cost)
        result.solver_objective = (float(out.change_cost) if out.change_cost is not None
                                   else None)
        result.bound = float(out.bound) if out.bound is not None else None
    return Replanned(result, new_inst, diff, monday, out.model_instance, out.phases,
                     out.crossing)


def write_replan_outputs(rp: Replanned, out_dir: Path, lang: Lang | None = None,
                         inputs: tuple[Path, ...] = (), state: Instance | None = None,
                         state_suffix: str = ".yaml") -> list[Path]:
    """plan.csv, plan.xlsx (with plan.png and plan.pdf), run.json and changes.xlsx; never over
    an input file.

    ``state``: the instance after the changes, with ``today`` (see :func:`scheduler.year.
    compact`), written as ``instance.yaml`` (or ``instance.xlsx``) beside the plan; run.json
    then names it, so ``check`` and ``rosters`` need no hand edit."""
    from scheduler.report.changes import write_change_workbook
    from scheduler.report.excel import write_workbook

    out_dir.mkdir(parents=True, exist_ok=True)
    names = ["plan.csv", "plan.xlsx", "run.json", "changes.xlsx"]
    if state is not None:
        names.append(f"instance{state_suffix}")
    targets = [out_dir / n for n in names]
    resolved_inputs = {p.resolve() for p in inputs}
    for t in targets:
        if t.resolve() in resolved_inputs:
            raise FileExistsError(f"{t} is an input file; choose another --out folder")
    r = rp.result
    write_atomic(targets[0], plan_to_csv(r.stints).encode("utf-8"))
    write_workbook(rp.instance, r, targets[1], lang=lang, violations=[])
    from scheduler.report.picture import build_pictures

    png, pdf = build_pictures(rp.instance, r.stints, lang=lang, today=rp.today)
    write_atomic(out_dir / "plan.png", png)
    write_atomic(out_dir / "plan.pdf", pdf)
    summary = r.summary()
    if state is not None:
        from scheduler.year import instance_record

        if state_suffix == ".xlsx":
            from scheduler.workbook.template import instance_to_workbook

            data = instance_to_workbook(state, lang or "sv")
        else:
            from scheduler.inputs.yaml_io import dump_instance

            data = dump_instance(state).encode("utf-8")
        write_atomic(targets[4], data)
        # Read back: the hash is the one a later load computes (a workbook's includes the
        # rule-set files it names), and a state that does not load is not left unnoticed.
        rec = instance_record(targets[4], out_dir, api.load(targets[4])[1])
        summary["instance"] = rec
        summary["input_hash"] = rec["input_hash"]
        summary["replanned_from"] = r.input_hash  # the instance the old plan was made for
    summary.update({"today": rp.today.isoformat(), "minimal_change_proven": rp.minimal,
                    "changed_stints": len(rp.diff.removed) + len(rp.diff.added),
                    "trainees_concerned": rp.diff.trainees, "units_concerned": rp.diff.units,
                    "phases": rp.phases})
    from scheduler.report import fairness

    if fairness.wanted(rp.instance) and r.stints:  # as solve's run.json
        summary["fairness"] = fairness.summary(rp.instance, r.stints, lang or language())
    write_atomic(targets[2], json.dumps(summary, indent=2, default=str).encode("utf-8"))
    write_change_workbook(targets[3], rp.instance, rp.diff, rp.today,
                          {"status": r.status.value, "change_cost": r.objective,
                           "bound": r.bound, "minimal": rp.minimal}, lang)
    return targets
