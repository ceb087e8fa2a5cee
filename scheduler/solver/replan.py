"""Re-planning from ``today`` with the least change (docs/MODEL.md, "Re-planning").

The old plan's weeks before ``today`` are history: each trainee's past stints (and the past
part of a stint running across ``today``) become fixed locked options. A stint running across
``today`` may continue from ``today`` at the same unit for any length up to the unit's maximum
(a *continuation* option; length rules do not apply to it, since the stint was agreed before).
Trainees whose block ended before ``today`` are fixed capacity consumers.

Objective, lexicographic in two solves:

1. ``change_cost``: the weighted number of the old plan's future stints that are not kept
   exactly (same unit, discipline, start and end; a continuation counts as the old stint when
   it ends where it did). Weight per stint: 10, plus 100 if it starts within 6 weeks of
   ``today`` (or runs across it), plus 50 at a vårdcentral (general practice, fixed about six
   months ahead). The solver's bound on this term proves how few changes are possible.
2. Among the plans of least change cost, solve's own terms of a trainee with solve's weights:
   ``unit_changes``, and where the instance has their data ``wishes``, ``travel``,
   ``spacing`` and the fairness mode's ``worst`` (docs/MODEL.md, "Wishes, travel and
   fairness"). Fragmentation and the unit terms stay out, as before wishes existed.

Speed: the trainees a change concerns are re-planned first with everybody else fixed (a small
model); that plan is the warm start of the model in which every active trainee may move.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from ortools.sat.python import cp_model

from scheduler.domain import Instance, LockedStint, Trainee, block_end
from scheduler.inputs.changes import change_cost, stint_weight
from scheduler.plan import Stint
from scheduler.solver.cpsat import complete_hint, make_solver, run
from scheduler.solver.model import Option, PlacementModel, capacity_profiles
from scheduler.wishes import per_trainee

# The second stage's terms (above), in the order PlacementModel builds them; ``fragmentation``
# is built only for the worst trainee's own cost, which counts it, and is not minimised.
SECOND = ("unit_changes", "fragmentation", "wishes", "travel", "worst", "spacing")


@dataclass
class ReplanOutcome:
    status: str  # "optimal", "feasible", "infeasible", "no_plan"
    stints: list[Stint] = field(default_factory=list)
    change_cost: int | None = None
    bound: int | None = None  # lower bound on change_cost proven by the solver
    unit_changes: int | None = None
    model_instance: Instance | None = None  # the instance with history as locked stints
    forced: int = 0  # change cost of finished trainees' lost future stints
    crossing: dict[str, Stint] = field(default_factory=dict)  # stint across today per trainee
    phases: list[dict] = field(default_factory=list)
    wall_time: float = 0.0


def history_instance(inst: Instance, old: list[Stint], today: date
                     ) -> tuple[Instance, list[Trainee], list[Stint], dict[str, Stint]]:
    """(model instance with history locked, active trainees, fixed stints of finished
    trainees, crossing stint per trainee id)."""
    by_t: dict[str, list[Stint]] = {}
    for s in old:
        by_t.setdefault(s.trainee, []).append(s)
    trainees: list[Trainee] = []
    fixed: list[Stint] = []
    crossing: dict[str, Stint] = {}
    data = inst.model_dump()
    new_trainees = []
    for t in inst.all_trainees():
        mine = sorted(by_t.get(t.id, []))
        prog = inst.programme(t.programme)
        end = block_end(t, prog)
        if mine and end <= today:
            # Finished (or leaving today): history only, cut at the block end.
            fixed.extend(replace(s, end=min(s.end, end)) for s in mine if s.start < end)
            continue
        locked = [lk for lk in t.locked if lk.start >= today]
        for s in mine:
            if s.start >= today:
                continue
            locked.append(LockedStint(start=s.start, end=min(s.end, today), unit=s.unit,
                                      discipline=s.discipline))
            if s.end > today:
                crossing[t.id] = s
        nt = t.model_copy(update={"locked": locked})
        new_trainees.append(nt.model_dump())
        trainees.append(nt)
    data["trainees"], data["cohorts"] = new_trainees, []
    # A finished trainee's wishes are history: outside the model (and unknown to it).
    active_ids = {t["id"] for t in new_trainees}
    data["wishes"] = [w for w in data.get("wishes", []) if w["trainee"] in active_ids]
    model_inst = Instance.model_validate(data)
    return model_inst, [t for t in model_inst.trainees if t.id in active_ids], fixed, crossing


class ReplanModel(PlacementModel):
    """PlacementModel with history, continuation options and the change-cost term.

    ``second``: build the second stage's terms (``second_expr``); ``done_worst``: the largest
    own cost among finished trainees (outside the model instance), a floor on ``worst``.
    """

    def __init__(self, inst: Instance, trainees: list[Trainee], external: list[Stint],
                 old: list[Stint], today: date, crossing: dict[str, Stint],
                 user_locked: set[tuple[str, str, date, date]],
                 profiles: dict | None = None, ignore_capacity: bool = False,
                 second: bool = True, done_worst: int = 0):
        self.today = today
        self.T = inst.week_index(today)
        self.crossing = crossing
        self.user_locked = user_locked
        self.cont: dict[str, Option] = {}
        self.done_worst = done_worst
        weights = inst.objective_weights()
        terms = tuple(t for t in SECOND if t in weights and (t != "fragmentation"
                                                             or "worst" in weights))
        super().__init__(inst, trainees, external=external,
                         terms=terms if second else ("unit_changes",),
                         profiles=profiles, ignore_capacity=ignore_capacity)
        self.second_expr = (sum(w * self.term_exprs[t] for t, w in self.weights.items()
                                if t != "fragmentation") if self.weights else None)
        self._change_cost(old)

    def _add_objective(self) -> None:
        # The worst term's floor reads the externals' own costs from the model instance,
        # which has no finished trainees: they leave the externals while it is built (their
        # floor is ``done_worst``). Spacing is built after, with every external start.
        known = {t.id for t in self.inst.trainees}
        spacing = self.weights.pop("spacing", None)
        ext, self.external = self.external, [s for s in self.external if s.trainee in known]
        try:
            super()._add_objective()
        finally:
            self.external = ext
        if spacing is not None:
            self.weights["spacing"] = spacing
            self.term_exprs["spacing"] = self._spacing()
        if "worst" in self.term_exprs and self.done_worst:
            self.model.add(self.term_exprs["worst"] >= self.done_worst)

    def _add_variables(self) -> None:
        super()._add_variables()
        self.cont = add_history(self, self.T, self.crossing, self.user_locked)
        super()._resume_after_leave()  # after the continuations: they may be resumed

    def _resume_after_leave(self) -> None:
        pass  # deferred to the end of _add_variables (above)

    def _uncounted(self, o: Option) -> bool:
        # A continuation is merged into its past part: history, not counted by repeat.
        return bool(o.fixed) or any(o is c for c in self.cont.values())

    def _change_cost(self, old: list[Stint]) -> None:
        m = self.model
        by_t: dict[str, list[Stint]] = {}
        for s in old:
            by_t.setdefault(s.trainee, []).append(s)
        terms = []
        self.kept: list[tuple[Stint, Any, int]] = []
        for td in self.data:
            t = td.trainee
            for s in by_t.get(t.id, []):
                if s.end <= self.today:
                    continue
                a, e = self.inst.week_index(s.start), self.inst.week_index(s.end)
                w = stint_weight(s, self.today)
                if a < self.T:  # running across today: kept by its continuation
                    cands = [self.cont[t.id]] if t.id in self.cont else []
                    a = self.T
                else:
                    cands = [o for o in td.options if not o.fixed and o.unit == s.unit
                             and o.discipline == s.discipline]
                fixed_match = any(o.fixed and o.unit == s.unit and o.discipline == s.discipline
                                  and o.start == a and o.start + o.size == e
                                  for o in td.options)
                if fixed_match:
                    continue  # a locked future stint: always kept, costs nothing
                kept = m.new_bool_var("")
                ways = []
                for o in cands:
                    b = m.new_bool_var("")
                    m.add_implication(b, o.presence)
                    m.add(o.start == a).only_enforce_if(b)
                    m.add(o.end == e).only_enforce_if(b)
                    ways.append(b)
                m.add(kept <= sum(ways)) if ways else m.add(kept == 0)
                terms.append(w * (1 - kept))
                self.kept.append((s, kept, w))
        self.change_expr = sum(terms)
        m.clear_objective()
        m.minimize(self.change_expr)

    def hint_plan(self, stints: list[Stint]) -> None:
        """Warm start from a plan of the future (old plan or a neighbourhood's re-plan)."""
        m = self.model
        m.clear_hints()
        by_key: dict[tuple[str, str, str], list[Stint]] = {}
        for s in stints:
            if s.end > self.today:
                by_key.setdefault((s.trainee, s.unit, s.discipline), []).append(s)
        for td in self.data:
            t = td.trainee
            used: set[Stint] = set()
            # Opening options first: a stint of the opening's start and length is theirs.
            for o in sorted(td.options, key=lambda x: (x.kind != "intro",
                                                       not isinstance(x.start, int))):
                if o.fixed:
                    continue
                if id(o) in getattr(self, "interrupted", ()):
                    m.add_hint(o.presence, 0)
                    continue
                ss = by_key.get((t.id, o.unit, o.discipline), [])
                if o is self.cont.get(t.id):
                    s0 = next((s for s in ss if s.start < self.today), None)
                    m.add_hint(o.presence, int(s0 is not None))
                    m.add_hint(o.size, self.inst.week_index(s0.end) - self.T if s0 else 0)
                    continue
                future = [s for s in ss if s.start >= self.today and s not in used]
                if o.kind == "intro":
                    hit = next((s for s in future if s.weeks == o.lo
                                and self.inst.week_index(s.start) == o.earliest), None)
                    if hit is not None:
                        used.add(hit)
                    m.add_hint(o.presence, int(hit is not None))
                    continue
                if isinstance(o.start, int):  # a resume option: fixed start after leave
                    hit = next((s for s in future
                                if self.inst.week_index(s.start) == o.start), None)
                    if hit is not None:
                        used.add(hit)
                    m.add_hint(o.presence, int(hit is not None))
                    m.add_hint(o.size, hit.weeks if hit is not None else 0)
                    continue
                s1 = future[0] if future else None
                if s1 is not None:
                    used.add(s1)
                if s1 is None:
                    m.add_hint(o.presence, 0)
                    m.add_hint(o.size, 0)
                    m.add_hint(o.start, td.start)
                else:
                    m.add_hint(o.presence, 1)
                    m.add_hint(o.start, self.inst.week_index(s1.start))
                    m.add_hint(o.size, s1.weeks)

    def merged(self, stints: list[Stint]) -> list[Stint]:
        """Join each crossing stint's past part with its continuation into one stint."""
        out = []
        by_t: dict[str, list[Stint]] = {}
        for s in stints:
            by_t.setdefault(s.trainee, []).append(s)
        for tid, ss in by_t.items():
            c = self.crossing.get(tid)
            if c is None:
                out.extend(ss)
                continue
            past = next((s for s in ss if s.start == c.start and s.end == self.today
                         and s.unit == c.unit and s.discipline == c.discipline), None)
            cont = next((s for s in ss if s.start == self.today and s.unit == c.unit
                         and s.discipline == c.discipline), None)
            if past is None or cont is None:
                out.extend(ss)
                continue
            out.extend(s for s in ss if s is not past and s is not cont)
            out.append(Stint(trainee=tid, start=past.start, end=cont.end, unit=c.unit,
                             discipline=c.discipline, programme=c.programme, site=c.site))
        return sorted(out)


def _affected(inst_old: Instance, inst_new: Instance, old: list[Stint],
              today: date) -> set[str]:
    """Trainees a change concerns: changed or new trainees, and those with future stints at
    a unit whose capacity changed."""
    before = {t.id: t for t in inst_old.all_trainees()}
    out = {t.id for t in inst_new.all_trainees()
           if t.id not in before or t.model_dump(exclude={"locked"})
           != before[t.id].model_dump(exclude={"locked"})}
    for u in inst_new.units:
        ou = inst_old.unit(u.id)
        if u.capacity_changes == ou.capacity_changes and u.capacity == ou.capacity:
            continue
        changed = [c for c in u.capacity_changes if c not in ou.capacity_changes]
        out |= {s.trainee for s in old if s.unit == u.id and s.end > today
                and any(c.start < s.end and s.start < c.end for c in changed)}
    return out


def add_history(pm: PlacementModel, T: int, crossing: dict[str, Stint],
                user_locked: set[tuple[str, str, date, date]]) -> dict[str, Option]:
    """History in a model whose past stints are locked: an opening stint in the past is the
    block's opening, and a stint running across ``today`` (week ``T``) may continue from it
    (a continuation option: no minimum length). Returns the continuation per trainee id."""
    m = pm.model
    cont: dict[str, Option] = {}
    for idx, td in enumerate(pm.data):
        t = td.trainee
        prog = pm.inst.programme(t.programme)
        first = next((w for w in range(td.start, td.end) if w not in td.leave_weeks),
                     td.start)
        if prog.starts_with is not None and first < T:
            # The opening stint is history: it is the fixed past stint starting then.
            td.options = [o for o in td.options if o.kind != "intro"]
            for o in td.options:
                if o.fixed and o.start == first:
                    o.kind = "intro"
        s = crossing.get(t.id)
        if s is None:
            continue
        past = T - pm.inst.week_index(s.start)
        u = pm.inst.unit(s.unit)
        _, hi = u.stint_range(t.programme, t.part_time)
        room = td.end - T
        hi = room if hi is None else max(0, min(room, hi - past))
        locked = (s.unit, s.discipline, s.start, s.end) in user_locked
        if locked:
            hi = min(room, pm.inst.week_index(s.end) - T)
        if hi <= 0:
            continue
        p = m.new_bool_var(f"cont[{t.id}]")
        z = m.new_int_var(0, hi, f"zc[{t.id}]")
        m.add(z >= p)
        m.add(z <= hi * p)
        if locked:
            m.add(z == hi)  # a locked stint stays whole
        sw = prog.starts_with
        if sw is not None and pm.inst.week_index(s.start) == first:
            # The opening stint is under way: it keeps the rule's length (order rule).
            m.add(z == sw.weeks - past) if 0 < sw.weeks - past <= hi else m.add(p == 0)
        o = Option(idx, s.unit, s.discipline, "main", 1, hi, T, T + hi, presence=p, start=T,
                   size=z, end_var=T + z)
        td.options.append(o)
        cont[t.id] = o
    return cont


def _lexicographic(pm: ReplanModel, solver: cp_model.CpSolver, cost: int, budget: float,
                   workers: int, seed: int) -> list[Stint]:
    """Among plans of change cost ``cost``, the least second stage (unit changes, wishes,
    travel, spacing, worst; else the first plan)."""
    plan = pm.extract(solver)
    if budget <= 0.2 or pm.second_expr is None:
        return plan
    m = pm.model
    m.add(pm.change_expr <= cost)
    pm.hint_plan(pm.merged(plan))
    m.clear_objective()
    m.minimize(pm.second_expr)
    solver2 = make_solver(max(0.1, budget), workers, seed, symmetry_level=0)
    if run(solver2, m) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return pm.extract(solver2)
    return plan


def replan(inst_old: Instance, inst_new: Instance, old: list[Stint], today: date,
           time_limit: float = 60.0, workers: int = 2, seed: int = 0) -> ReplanOutcome:
    """:func:`_replan`, plus the cost of the future stints that trainees whose block ends by
    ``today`` (they leave) lose: a constant that no plan avoids."""
    out = _replan(inst_old, inst_new, old, today, time_limit, workers, seed)
    if out.forced:
        out.change_cost = None if out.change_cost is None else out.change_cost + out.forced
        out.bound = None if out.bound is None else out.bound + out.forced
    return out


def _replan(inst_old: Instance, inst_new: Instance, old: list[Stint], today: date,
            time_limit: float, workers: int, seed: int) -> ReplanOutcome:
    """Re-plan ``inst_new`` (the instance after the changes) from ``today`` (a Monday).

    1. Nothing concerns an active trainee: the old plan stands (0 changes, trivially least).
    2. The neighbourhood: only the trainees a change concerns move, everybody else is fixed;
       least change, then fewest unit changes. A small model, solved in well under a second.
    3. A lower bound: the trainees a change concerns, each alone with unlimited capacity.
       If it reaches the neighbourhood's cost, that plan is proven least.
    4. Otherwise every active trainee may move: the solver either improves on the
       neighbourhood's plan or proves a bound; it stops as soon as the bound reaches the
       neighbourhood's cost.
    """
    t0 = time.monotonic()
    model_inst, active, fixed, crossing = history_instance(inst_new, old, today)
    user_locked = {(lk.unit, lk.discipline, lk.start, lk.end)
                   for t in inst_new.all_trainees() for lk in t.locked}
    profiles = capacity_profiles(model_inst)
    out = ReplanOutcome(status="no_plan", model_instance=model_inst, crossing=crossing)
    old_future = [s for s in old if s.end > today]
    done = {f.trainee for f in fixed}
    out.forced = change_cost([s for s in old if s.trainee in done], fixed, today)
    # Finished trainees' own costs are constants; the worst trainee is at least theirs.
    done_worst = (max((p["cost"] for p in per_trainee(inst_new, fixed).values()), default=0)
                  if "worst" in inst_new.objective_weights() else 0)

    def left() -> float:
        return time_limit - (time.monotonic() - t0)

    def phase(name: str, **kw: object) -> None:
        out.phases.append({"phase": name, **kw, "time": round(time.monotonic() - t0, 2)})

    touched = _affected(inst_old, inst_new, old, today) & {t.id for t in active}
    if not touched:
        kept = [s for s in old if s.trainee not in done]
        out.status, out.stints, out.change_cost, out.bound = "optimal", sorted(kept + fixed), 0, 0
        phase("unchanged")
        out.wall_time = time.monotonic() - t0
        return out

    warm: list[Stint] | None = None
    warm_cost: int | None = None
    if len(touched) < len(active):
        mine = [t for t in active if t.id in touched]
        others = [s for s in old if s.trainee not in touched and s.trainee not in done]
        nb = ReplanModel(model_inst, mine, fixed + others, old, today, crossing, user_locked,
                         profiles, done_worst=done_worst)
        nb.hint_plan(old_future)
        solver = make_solver(max(0.1, min(left() / 3, 20.0)), 1, seed, symmetry_level=0)
        status = run(solver, nb.model)
        phase("neighbourhood", trainees=len(mine), status=solver.status_name(status))
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            warm_cost = int(round(solver.objective_value))
            part = _lexicographic(nb, solver, warm_cost, min(5.0, left() / 4), 1, seed)
            warm = nb.merged(part) + others
            phase("neighbourhood_unit_changes")

    # A lower bound without the big model: each trainee a change concerns, alone and with
    # unlimited capacity, changes at least this much (everybody else at least nothing).
    floor = 0
    for t in (t for t in active if t.id in touched):
        if left() <= 1.0:
            floor = 0
            break
        alone = ReplanModel(model_inst, [t], [], old, today, crossing, user_locked, profiles,
                            ignore_capacity=True, second=False)
        solver = make_solver(max(0.1, min(2.0, left() / 4)), 1, seed, symmetry_level=0)
        status = run(solver, alone.model)
        if status == cp_model.INFEASIBLE:
            floor = -1  # no plan even with unlimited capacity: the big model proves it
            break
        floor += int(math.ceil(solver.best_objective_bound - 1e-6))
    phase("capacity_free_bound", bound=floor)
    if warm is not None and warm_cost is not None and floor >= warm_cost:
        out.status, out.change_cost, out.bound = "optimal", warm_cost, floor
        out.stints = sorted(warm + fixed)
        out.wall_time = time.monotonic() - t0
        return out

    pm = ReplanModel(model_inst, active, fixed, old, today, crossing, user_locked, profiles,
                     done_worst=done_worst)
    pm.hint_plan(warm if warm is not None else old_future)
    if warm is not None:  # a partial hint is often not completed on a model this size
        complete_hint(pm, min(10.0, 0.2 * left()), seed)
    solver = make_solver(max(0.5, left() - 1.0), workers, seed, symmetry_level=0)
    if warm_cost is not None:
        target = warm_cost

        def enough(bound: float) -> None:
            if bound >= target - 1e-6:
                solver.stop_search()  # the neighbourhood's plan is proven least

        solver.best_bound_callback = enough
    status = run(solver, pm.model)
    bound = solver.best_objective_bound
    out.bound = int(math.ceil(bound - 1e-6)) if math.isfinite(bound) else None
    if out.bound is not None and floor > out.bound:
        out.bound = floor
    phase("least_change", trainees=len(active), status=solver.status_name(status),
          bound=out.bound)
    if status == cp_model.INFEASIBLE:
        out.status = "infeasible"
    elif status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and (
            warm_cost is None or solver.objective_value < warm_cost - 0.5):
        cost = int(round(solver.objective_value))
        out.change_cost = cost
        out.status = "optimal" if status == cp_model.OPTIMAL else "feasible"
        plan = _lexicographic(pm, solver, cost, left() - 0.5, workers, seed)
        out.stints = sorted(pm.merged(plan) + fixed)
        phase("unit_changes")
    elif warm is not None:
        assert warm_cost is not None
        out.change_cost = warm_cost
        proven = out.bound is not None and out.bound >= warm_cost
        out.status = "optimal" if proven else "feasible"
        out.stints = sorted(warm + fixed)
    out.wall_time = time.monotonic() - t0
    return out


def _week_runs(weeks: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for w in sorted(weeks):
        if runs and runs[-1][1] == w:
            runs[-1] = (runs[-1][0], w + 1)
        else:
            runs.append((w, w + 1))
    return runs
