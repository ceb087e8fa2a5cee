"""Why is there no plan, and what is the smallest change that gives one?

The hard rules are grouped into named *rule groups* (docs/MODEL.md, "Explaining
infeasibility"): the capacity of a unit, a minimum requirement of a trainee or an intake
(cohort), the filling of a trainee's block, a locked stint, a period of leave. Each group gets
an assumption literal that enforces it. Everything else (eligibility, stint lengths, maxima,
order rules) stays hard background.

1. Conflict: CP-SAT proves the model with every group assumed infeasible and names a
   sufficient set of assumptions (single worker and no objective: CP-SAT only extracts cores
   that way); deletion then shrinks it to a minimal conflicting set (removing any one group
   makes the rest feasible), as long as the time budget lasts.
2. Relaxation: one optimisation with slack on every group: extra capacity per unit and week
   (trainee-weeks over capacity, weight 1), an unlocked stint (weight 50), a requirement or
   block given up (weight 10 000; turned into "a longer block" by a short search). A later
   start is searched for the intakes in the conflict. The relaxed instance is solved again to
   verify that the suggestion works.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ortools.sat.python import cp_model

from scheduler.domain import (
    CapacityChange,
    Instance,
    Trainee,
    block_end,
    calendar_weeks,
    service_weeks_needed,
)
from scheduler.plan import Stint
from scheduler.solver.cpsat import make_solver, run
from scheduler.solver.model import PlacementModel
from scheduler.solver.replan import add_history

# Relaxation weights: extra capacity is the cheap, common answer; giving up a requirement is
# the last resort (it only marks where a longer block is needed).
W_CAPACITY = 1
W_UNLOCK = 50
W_DROP = 10_000
TIE = 1000  # the relaxation's cost dominates its tie-break (peak extra seats in a week)


@dataclass(frozen=True)
class Group:
    """A named rule group: ``kind`` is capacity, requirement, block, locked or leave."""

    kind: str
    who: str  # unit id (capacity), cohort or trainee id (others)
    detail: str = ""  # discipline or group name; index of the locked stint or leave
    trainees: tuple[str, ...] = ()


@dataclass(frozen=True)
class Relaxation:
    """One change to the input: ``kind`` is capacity, unlock, longer_block or later_start."""

    kind: str
    target: str  # unit, trainee, programme, or cohort/trainee id
    amount: int  # extra seats, weeks
    start: date | None = None  # capacity: first Monday; unlock: the locked stint's start
    weeks: int = 0  # capacity: weeks of the extra seats

    def apply(self, inst: Instance) -> Instance:
        return apply_relaxations(inst, [self])


@dataclass
class Explanation:
    feasible: bool  # the instance has a plan after all: nothing to explain
    proven: bool = True  # False: the time ran out before a conflict was proven
    conflict: list[Group] = field(default_factory=list)
    minimal: bool = False  # the conflict was shrunk until every group is needed
    relaxations: list[Relaxation] = field(default_factory=list)
    relaxation_cost: int | None = None
    relaxation_verified: bool | None = None
    later_start: list[Relaxation] = field(default_factory=list)  # alternatives, each alone


# --------------------------------------------------------------------------------------------
# The model with one literal per rule group


class ExplainModel(PlacementModel):
    """PlacementModel with soft capacity and an enforcement literal per rule group."""

    def __init__(self, instance: Instance, trainees: list[Trainee] | None = None,
                 history_before: date | None = None,
                 crossing: dict[str, Stint] | None = None):
        self.lits: dict[Group, Any] = {}
        self._who = _who(instance)
        # Re-planning: locked stints ending by this Monday are history, not a choice, and a
        # stint across it may continue (as in scheduler.solver.replan).
        self._history = instance.week_index(history_before) if history_before else None
        self._crossing = crossing or {}
        self.cont: dict[str, Any] = {}
        super().__init__(instance, trainees, terms=(), soft_capacity=True)
        m = self.model
        by_unit: dict[str, list] = defaultdict(list)
        for (uid, _w), v in self.overrun.items():
            by_unit[uid].append(v)
        for uid, vs in sorted(by_unit.items()):
            lit = self._lit(Group("capacity", uid))
            m.add(sum(vs) == 0).only_enforce_if(lit)
        m.clear_objective()

    def _lit(self, g: Group) -> Any:
        if g not in self.lits:
            self.lits[g] = self.model.new_bool_var(f"{g.kind}[{g.who}|{g.detail}]")
        return self.lits[g]

    def _group(self, kind: str, t: Trainee, detail: str = "") -> Group:
        who = self._who.get(t.id, t.id)
        members = tuple(x.id for x in self.trainees if self._who.get(x.id, x.id) == who)
        return Group(kind, who, detail, members)

    def _resume_after_leave(self) -> None:
        if self._history is None:  # else deferred until the continuations exist
            super()._resume_after_leave()

    def _uncounted(self, o: Any) -> bool:
        return bool(o.fixed) or any(o is c for c in self.cont.values())

    def _add_variables(self) -> None:
        super()._add_variables()
        if self._history is not None:
            self.cont = add_history(self, self._history, self._crossing, set())
            PlacementModel._resume_after_leave(self)
        # A locked stint becomes optional: present exactly when its group is enforced.
        for td in self.data:
            locked = [o for o in td.options if o.kind == "locked"]
            for j, o in enumerate(locked):
                if self._history is not None and int(o.start + o.size) <= self._history:
                    continue  # history stays fixed background
                lit = self._lit(Group("locked", td.trainee.id, str(j), (td.trainee.id,)))
                n = o.lo
                o.fixed, o.presence, o.size = False, lit, n * lit
                o.end_var = o.start + n * lit

    def _tiling(self) -> None:
        m = self.model
        self.intervals = {}
        for td in self.data:
            ivs = []
            for o in td.options:
                iv = self._interval(o)
                self.intervals[id(o)] = iv
                ivs.append(iv)
            t = td.trainee
            for j, lv in enumerate(t.leave):
                if lv.kind not in _EXTENDING:
                    continue
                a = max(td.start, self.inst.week_index(lv.start))
                b = min(td.end, self.inst.week_index(lv.end))
                if b <= a:
                    continue
                lit = self._lit(Group("leave", t.id, str(j), (t.id,)))
                ivs.append(m.new_optional_fixed_size_interval_var(a, b - a, lit, ""))
            m.add_no_overlap(ivs)
            lit = self._lit(self._group("block", t))
            m.add(sum(o.size for o in td.options) == td.service).only_enforce_if(lit)

    def _requirements(self) -> None:
        m = self.model
        for td in self.data:
            t = td.trainee
            prog = self.inst.programme(t.programme)
            by_d: dict[str, list] = defaultdict(list)
            for o in td.options:
                by_d[o.discipline].append(o.size)
            for r in prog.requirements:
                weeks = sum(by_d[r.discipline])
                if r.min_weeks:
                    lit = self._lit(self._group("requirement", t, r.discipline))
                    m.add(weeks >= calendar_weeks(r.min_weeks, t.part_time)).only_enforce_if(lit)
                if r.max_weeks is not None:
                    m.add(weeks <= calendar_weeks(r.max_weeks, t.part_time))
            for g in prog.group_requirements:
                weeks = sum(sum(by_d[d]) for d in g.disciplines)
                if g.min_weeks:
                    lit = self._lit(self._group("requirement", t, g.name))
                    m.add(weeks >= calendar_weeks(g.min_weeks, t.part_time)).only_enforce_if(lit)
                if g.max_weeks is not None:
                    m.add(weeks <= calendar_weeks(g.max_weeks, t.part_time))

    def _stint_cuts(self) -> None:
        pass  # the cuts assume complete blocks; groups may be switched off here


_EXTENDING = frozenset({"foraldraledighet", "sjukskrivning", "tjanstledighet"})


def _who(inst: Instance) -> dict[str, str]:
    """Trainee id -> cohort id for the members of an intake (they form one group)."""
    return {t.id: c.id for c in inst.cohorts for t in c.trainees()}


def _try(em: ExplainModel, groups: list[Group], time_limit: float
         ) -> tuple[str, list[Group]]:
    """'feasible', 'infeasible' (with a sufficient subset of ``groups``) or 'unknown'."""
    m = em.model
    m.clear_assumptions()
    m.add_assumptions([em.lits[g] for g in groups])
    # Cores are only extracted by a single worker on a model without objective.
    solver = make_solver(max(0.1, time_limit), 1, symmetry_level=0)  # see cpsat.run
    status = run(solver, m)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return "feasible", []
    if status != cp_model.INFEASIBLE:
        return "unknown", []
    index = {em.lits[g].index: g for g in groups}
    core = [index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in index]
    return "infeasible", core or list(groups)


# Deletion tries cheap-to-keep groups first, so that the conflict keeps the groups a
# coordinator can act on (capacity, requirements) rather than facts (leave).
_ORDER = {"leave": 0, "block": 1, "locked": 2, "requirement": 3, "capacity": 4}


def find_conflict(inst: Instance, time_limit: float = 20.0, history_before: date | None = None,
                  crossing: dict[str, Stint] | None = None
                  ) -> tuple[str, list[Group], bool]:
    """('feasible' | 'infeasible' | 'unknown', conflicting groups, minimal?)."""
    t0 = time.monotonic()
    em = ExplainModel(inst, history_before=history_before, crossing=crossing)
    groups = list(em.lits)
    status, core = _try(em, groups, time_limit)
    if status != "infeasible":
        return status, [], False
    core = sorted(core, key=lambda g: (_ORDER[g.kind], g.who, g.detail))
    minimal = True
    i = 0
    while i < len(core):
        left = time_limit - (time.monotonic() - t0)
        if left <= 0:
            minimal = False
            break
        trial = core[:i] + core[i + 1:]
        st, sub = _try(em, trial, left)
        if st == "infeasible":
            # Groups before i were needed in a superset, so every infeasible subset keeps them.
            keep = set(sub)
            core = [g for g in trial if g in keep]
        elif st == "feasible":
            i += 1
        else:
            minimal = False
            i += 1
    return "infeasible", core, minimal


# --------------------------------------------------------------------------------------------
# Relaxation by optimisation with slack


def smallest_relaxation(inst: Instance, time_limit: float = 20.0,
                        history_before: date | None = None,
                        crossing: dict[str, Stint] | None = None
                        ) -> tuple[list[Relaxation], int | None, list[Group]]:
    """Extra capacity and unlocked stints of least cost; groups that had to be given up."""
    em = ExplainModel(inst, history_before=history_before, crossing=crossing)
    m = em.model
    cost = []
    for g, lit in em.lits.items():
        if g.kind == "leave":
            m.add(lit == 1)  # leave is a fact, not a planning choice
        elif g.kind == "locked":
            cost.append(W_UNLOCK * (1 - lit))
        elif g.kind in ("requirement", "block"):
            cost.append(W_DROP * (1 - lit))
    cost.append(W_CAPACITY * sum(em.overrun.values()))
    # Tie-break among least relaxations: the fewest extra seats in any one week (one extra
    # supervisor for longer rather than three at once).
    peak = m.new_int_var(0, len(em.trainees), "peak")
    for v in em.overrun.values():
        m.add(peak >= v)
    m.minimize(TIE * sum(cost) + peak)
    solver = make_solver(time_limit, 1, symmetry_level=0)
    status = run(solver, m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return [], None, []
    out: list[Relaxation] = []
    per_unit: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for (uid, w), v in sorted(em.overrun.items()):
        k = solver.value(v)
        if k > 0:
            per_unit[uid].append((w, k))
    for uid, wk in per_unit.items():
        for first, n, k in _value_runs(wk):
            out.append(Relaxation("capacity", uid, k, inst.week_date(first), n))
    dropped = []
    for g, lit in em.lits.items():
        if solver.value(lit):
            continue
        if g.kind == "locked":
            t = next(x for x in inst.all_trainees() if x.id == g.who)
            lk = t.locked[int(g.detail)]
            out.append(Relaxation("unlock", g.who, lk.weeks, lk.start))
        elif g.kind in ("requirement", "block"):
            dropped.append(g)
    total = sum(W_CAPACITY * solver.value(v) for v in em.overrun.values()) + sum(
        (W_UNLOCK if g.kind == "locked" else W_DROP) for g, lit in em.lits.items()
        if g.kind in ("locked", "requirement", "block") and not solver.value(lit))
    return out, int(total), dropped


def _value_runs(items: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """(first week, weeks, value) runs of consecutive weeks with one value."""
    out: list[list[int]] = []
    for w, k in items:
        if out and out[-1][0] + out[-1][1] == w and out[-1][2] == k:
            out[-1][1] += 1
        else:
            out.append([w, 1, k])
    return [(a, b, c) for a, b, c in out]


def apply_relaxations(inst: Instance, relaxations: list[Relaxation]) -> Instance:
    """The instance with the relaxations applied (a new, validated instance)."""
    data = inst.model_dump()
    units = {u["id"]: u for u in data["units"]}
    for r in relaxations:
        if r.kind == "capacity":
            u = inst.unit(r.target)
            assert r.start is not None
            changes = units[r.target].setdefault("capacity_changes", [])
            for k in range(r.weeks):
                monday = r.start + timedelta(weeks=k)
                cap = u.capacity_in_week(monday) or 0
                changes.append(CapacityChange(start=monday, end=monday + timedelta(weeks=1),
                                              capacity=cap + r.amount).model_dump())
            if u.capacity is None:
                units[r.target]["capacity"] = 0
        elif r.kind == "unlock":
            for t in data["trainees"]:
                if t["id"] == r.target:
                    t["locked"] = [lk for lk in t["locked"] if lk["start"] != r.start]
        elif r.kind == "longer_block":
            for p in data["programmes"]:
                if p["id"] == r.target:
                    p["length_weeks"] += r.amount
        elif r.kind == "later_start":
            for who in data["trainees"] + data["cohorts"]:
                if who["id"] == r.target:
                    who["start"] = who["start"] + timedelta(weeks=r.amount)
    return Instance.model_validate(data)


def is_feasible(inst: Instance, time_limit: float = 10.0, history_before: date | None = None,
                crossing: dict[str, Stint] | None = None) -> bool | None:
    """True/False when proven, None when the time ran out (with history: as re-planned)."""
    if history_before is not None:
        em = ExplainModel(inst, history_before=history_before, crossing=crossing)
        for lit in em.lits.values():
            em.model.add(lit == 1)
        pm: PlacementModel = em
    else:
        pm = PlacementModel(inst, terms=())
    solver = make_solver(max(0.1, time_limit), 1, symmetry_level=0)
    status = run(solver, pm.model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return True
    return False if status == cp_model.INFEASIBLE else None


def _longer_block(inst: Instance, base: list[Relaxation], dropped: list[Group],
                  deadline: float, history: dict[str, Any]) -> list[Relaxation]:
    """The fewest extra weeks per programme of the trainees whose block could not be filled."""
    progs = sorted({t.programme for t in inst.all_trainees()
                    if any(t.id in g.trainees for g in dropped)})
    for k in range(1, 27):
        if time.monotonic() > deadline:
            break
        trial = base + [Relaxation("longer_block", p, k) for p in progs]
        try:
            relaxed = apply_relaxations(inst, trial)
        except ValueError:
            break  # the block no longer fits in the horizon
        if is_feasible(relaxed, max(0.5, deadline - time.monotonic()), **history):
            return trial[len(base):]
    return []


def _later_starts(inst: Instance, conflict: list[Group], deadline: float) -> list[Relaxation]:
    """For each intake in the conflict alone, the smallest delay of its start that suffices."""
    out: list[Relaxation] = []
    whos = sorted({g.who for g in conflict if g.kind in ("requirement", "block")})
    for who in whos:
        for k in (1, 2, 4, 8, 13, 26):
            if time.monotonic() > deadline:
                return out
            r = Relaxation("later_start", who, k)
            try:
                relaxed = apply_relaxations(inst, [r])
            except ValueError:
                break
            if is_feasible(relaxed, max(0.5, deadline - time.monotonic())):
                out.append(r)
                break
    return out


def explain(inst: Instance, time_limit: float = 30.0, history_before: date | None = None,
            crossing: dict[str, Stint] | None = None) -> Explanation:
    """A minimal conflicting set of rule groups and the smallest relaxation that removes it.

    ``history_before`` (re-planning): locked stints that end by then are what happened, so
    they are background, never named or relaxed; no later start is suggested.
    """
    t0 = time.monotonic()
    status, conflict, minimal = find_conflict(inst, 0.5 * time_limit, history_before,
                                              crossing)
    if status == "feasible":
        return Explanation(feasible=True)
    ex = Explanation(feasible=False, proven=status == "infeasible", conflict=conflict,
                     minimal=minimal)
    left = time_limit - (time.monotonic() - t0)
    relax, cost, dropped = smallest_relaxation(inst, max(1.0, 0.5 * left), history_before,
                                               crossing)
    deadline = t0 + time_limit
    history: dict[str, Any] = {"history_before": history_before, "crossing": crossing}
    if dropped:
        relax += _longer_block(inst, relax, dropped, deadline, history)
    ex.relaxations, ex.relaxation_cost = relax, cost
    if relax:
        try:
            ex.relaxation_verified = is_feasible(
                apply_relaxations(inst, relax), max(1.0, deadline - time.monotonic()),
                **history)
        except ValueError:
            ex.relaxation_verified = False
    if history_before is None:
        ex.later_start = _later_starts(inst, conflict, deadline)
    return ex


# --------------------------------------------------------------------------------------------
# Facts for the wording (used by the report in scheduler/commands/replan.py)


def group_facts(inst: Instance, g: Group) -> dict[str, Any]:
    """Numbers that describe a group in domain words."""
    trainees = {t.id: t for t in inst.all_trainees()}
    if g.kind == "capacity":
        u = inst.unit(g.who)
        return {"unit": u, "capacity": u.capacity}
    members = [trainees[x] for x in g.trainees if x in trainees]
    t = members[0] if members else trainees[g.who]
    prog = inst.programme(t.programme)
    start = min(x.start for x in members or [t])
    end = max(block_end(x, prog) for x in members or [t])
    facts: dict[str, Any] = {"trainee": t, "programme": prog, "count": len(members) or 1,
                             "start": start, "end": end}
    if g.kind == "requirement":
        r = prog.requirement(g.detail)
        grp = next((x for x in prog.group_requirements if x.name == g.detail), None)
        least = r.min_weeks if r is not None else (grp.min_weeks if grp else 0)
        facts["weeks"] = calendar_weeks(least, t.part_time)
        facts["disciplines"] = [g.detail] if r is not None else (grp.disciplines if grp else [])
    elif g.kind == "locked":
        facts["locked"] = t.locked[int(g.detail)]
    elif g.kind == "leave":
        facts["leave"] = t.leave[int(g.detail)]
    elif g.kind == "block":
        facts["service"] = service_weeks_needed(prog, t.part_time)
    return facts

