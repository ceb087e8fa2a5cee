"""Why is there no plan, and what is the smallest change that gives one?

The hard rules are grouped into named *rule groups* (docs/MODEL.md, "Explaining
infeasibility"): the capacity of a unit, a minimum requirement of a trainee or an intake
(cohort), the filling of a trainee's block, a locked stint, a period of leave. Each group gets
an assumption literal that enforces it. Everything else (eligibility, stint lengths, maxima,
order rules) stays hard background.

0. Counting (:mod:`scheduler.solver.counting`): a requirement's forced weeks against the seats
   of its units in a window, or locked stints over a unit's seats, proven by arithmetic in
   milliseconds at any size; else a trainee with no plan even alone (a handful of one-trainee
   solves), whose core is then found on that trainee alone.
1. Conflict (what counting cannot show): CP-SAT proves the model with every group assumed
   infeasible and names a sufficient set of assumptions (single worker and no objective:
   CP-SAT only extracts cores that way); deletion then shrinks it to a minimal conflicting
   set (removing any one group makes the rest feasible), as long as the time budget lasts.
2. Relaxation, restricted to the cause first: only the units, locked stints and trainees the
   conflict names may be relaxed; wider only when that is proven impossible. Large instances
   (more than ``SMALL`` trainees) with a counted cause first try whole extra seats over the
   window (verified by a first plan of the relaxed instance, trainee by trainee); otherwise
   one optimisation with slack on every group: extra capacity per unit and week
   (trainee-weeks over capacity, weight 1), an unlocked stint (weight 50), a requirement or
   block given up (weight 10 000; turned into "a longer block" by a short search). A later
   start is searched for the intakes in the conflict. The suggestion is verified by a plan of
   the relaxed instance: the slack model's own plan where it has one (checked by the
   checker), else a solve of the relaxed instance.

Every part works against one deadline (``time_limit``); the parts the time did not suffice for
are listed in ``Explanation.ran_out``.
"""

from __future__ import annotations

import time
from collections import defaultdict
from contextvars import ContextVar
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
from scheduler.solver import counting
from scheduler.solver.counting import Shortfall
from scheduler.solver.cpsat import make_solver, run
from scheduler.solver.model import PlacementModel, capacity_profiles, kind_key, min_stints
from scheduler.solver.replan import add_history

# Relaxation weights: extra capacity is the cheap, common answer; giving up a requirement is
# the last resort (it only marks where a longer block is needed).
W_CAPACITY = 1
W_UNLOCK = 50
W_DROP = 10_000
TIE = 1000  # the relaxation's cost dominates its tie-break (peak extra seats in a week)
# Up to this many trainees the slack model is solved to its optimum in seconds (exact least
# extra trainee-weeks; measured: on 40 generated trainees it gave up requirements after 15 s
# where seats sufficed); above, the full model may not find a plan in a minute (solve.py),
# so a counted cause is fixed by whole seats, verified by a trainee-by-trainee plan.
SMALL = 20
# The decomposition checks its clock only between trainees and gives a trainee at least
# 0.5-1 s (joint re-plans up to 10 s): measured overruns of up to 2.7 s with a 1 s margin.
MARGIN = 3.5
# A plan of a similar instance (the coordinator's current plan), per trainee id: the plans
# that verify a fix keep its stints wherever they still fit (as solve's warm start does).
_PREVIOUS: ContextVar[dict[str, list[Stint]] | None] = ContextVar("previous", default=None)


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
    counted: list[Shortfall] = field(default_factory=list)  # proofs by counting (no search)
    # Parts the time did not suffice for: "conflict" (no proof), "shrink" (not minimal),
    # "fix" (no relaxation found), "verify" (found, not verified).
    ran_out: list[str] = field(default_factory=list)
    widened: bool = False  # the fix had to reach beyond the units and rules named
    method: str = ""  # how the cause was found: "counting", "alone" (one trainee) or "core"
    seconds: float = 0.0


# --------------------------------------------------------------------------------------------
# The model with one literal per rule group


class ExplainModel(PlacementModel):
    """PlacementModel with soft capacity and an enforcement literal per rule group."""

    def __init__(self, instance: Instance, trainees: list[Trainee] | None = None,
                 history_before: date | None = None,
                 crossing: dict[str, Stint] | None = None, ignore_capacity: bool = False):
        self.lits: dict[Group, Any] = {}
        self._who = _who(instance)
        # Re-planning: locked stints ending by this Monday are history, not a choice, and a
        # stint across it may continue (as in scheduler.solver.replan).
        self._history = instance.week_index(history_before) if history_before else None
        self._crossing = crossing or {}
        self.cont: dict[str, Any] = {}
        super().__init__(instance, trainees, terms=(), soft_capacity=not ignore_capacity,
                         ignore_capacity=ignore_capacity)
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
            PlacementModel._resume_after_leave(self)  # noqa: SLF001 (the base class step)
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
    if em.ignore_capacity:
        # One trainee alone: the groups fixed rather than assumed, so that presolve can use
        # them (measured: 0.1 s to a proof, where the assumptions gave none in 20 s); no core
        # then, the deletion filter shrinks the few groups of one trainee.
        m = m.clone()
        for g in groups:
            m.add(m.get_bool_var_from_proto_index(em.lits[g].index) == 1)
    else:
        m.add_assumptions([em.lits[g] for g in groups])
    # Cores are only extracted by a single worker on a model without objective.
    solver = make_solver(max(0.1, time_limit), 1, symmetry_level=0)  # see cpsat.run
    status = run(solver, m)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return "feasible", []
    if status != cp_model.INFEASIBLE:
        return "unknown", []
    if em.ignore_capacity:
        return "infeasible", list(groups)
    index = {em.lits[g].index: g for g in groups}
    core = [index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in index]
    return "infeasible", core or list(groups)


# Deletion tries cheap-to-keep groups first, so that the conflict keeps the groups a
# coordinator can act on (capacity, requirements) rather than facts (leave).
_ORDER = {"leave": 0, "block": 1, "locked": 2, "requirement": 3, "capacity": 4}


def find_conflict(inst: Instance, time_limit: float = 20.0, history_before: date | None = None,
                  crossing: dict[str, Stint] | None = None,
                  trainees: list[Trainee] | None = None, per_try: float | None = None
                  ) -> tuple[str, list[Group], bool]:
    """('feasible' | 'infeasible' | 'unknown', conflicting groups, minimal?); ``trainees``:
    the model of those trainees only (a trainee with no plan even alone); ``per_try``: the
    most seconds for one deletion step (a step that runs out keeps its group)."""
    t0 = time.monotonic()
    # A trainee with no plan even alone with unlimited seats: capacity is no part of the
    # cause, and without it CP-SAT proves the rest in a fraction of a second (measured on a
    # 190-trainee region: 0.1 s; with soft capacity no proof in 20 s).
    em = ExplainModel(inst, trainees, history_before=history_before, crossing=crossing,
                      ignore_capacity=trainees is not None and len(trainees) == 1)
    groups = list(em.lits)
    status, core = _try(em, groups, time_limit)
    if status != "infeasible":
        return status, [], False
    core = sorted(core, key=lambda g: (_ORDER[g.kind], g.who, g.detail))
    return "infeasible", *_shrink(em, core, time_limit - (time.monotonic() - t0), per_try)


def _shrink(em: ExplainModel, core: list[Group], time_limit: float,
            per_try: float | None = None) -> tuple[list[Group], bool]:
    """Deletion filter: drop every group whose removal leaves the rest infeasible."""
    t0 = time.monotonic()
    minimal = True
    i = 0
    while i < len(core):
        left = time_limit - (time.monotonic() - t0)
        if left <= 0:
            minimal = False
            break
        trial = core[:i] + core[i + 1:]
        st, sub = _try(em, trial, min(left, per_try or left))
        if st == "infeasible":
            # Groups before i were needed in a superset, so every infeasible subset keeps them.
            keep = set(sub)
            core = [g for g in trial if g in keep]
        elif st == "feasible":
            i += 1
        else:
            minimal = False
            i += 1
    return core, minimal


# --------------------------------------------------------------------------------------------
# Relaxation by optimisation with slack


@dataclass
class Slack:
    """The slack model's answer: relaxations, their cost, groups given up, and its plan (a
    plan of the instance with the relaxations applied, when nothing was given up)."""

    status: str  # "found", "infeasible" (not with these restrictions) or "unknown"
    relaxations: list[Relaxation] = field(default_factory=list)
    cost: int | None = None
    dropped: list[Group] = field(default_factory=list)
    plan: list[Stint] = field(default_factory=list)


def smallest_relaxation(inst: Instance, time_limit: float = 20.0,
                        history_before: date | None = None,
                        crossing: dict[str, Stint] | None = None,
                        units: set[str] | None = None,
                        unlockable: set[Group] | None = None,
                        trainees: list[Trainee] | None = None) -> Slack:
    """Extra capacity and unlocked stints of least cost; groups that had to be given up.

    Restricted to the cause: extra capacity only at ``units`` and only the locked stints in
    ``unlockable`` may go (``None``: anywhere, any); ``trainees``: a model of those only.
    """
    em = ExplainModel(inst, trainees, history_before=history_before, crossing=crossing,
                      ignore_capacity=trainees is not None and len(trainees) == 1)
    m = em.model
    cost = []
    for g, lit in em.lits.items():
        if g.kind == "leave":
            m.add(lit == 1)  # leave is a fact, not a planning choice
        elif g.kind == "locked":
            if unlockable is not None and g not in unlockable:
                m.add(lit == 1)
            else:
                cost.append(W_UNLOCK * (1 - lit))
        elif g.kind in ("requirement", "block"):
            cost.append(W_DROP * (1 - lit))
    if units is not None:
        for (uid, _w), v in em.overrun.items():
            if uid not in units:
                m.add(v == 0)
    cost.append(W_CAPACITY * sum(em.overrun.values()))
    # Tie-break among least relaxations: the fewest extra seats in any one week (one extra
    # supervisor for longer rather than three at once).
    peak = m.new_int_var(0, len(em.trainees), "peak")
    for v in em.overrun.values():
        m.add(peak >= v)
    m.minimize(TIE * sum(cost) + peak)
    solver = make_solver(time_limit, 1, symmetry_level=0)
    status = run(solver, m)
    if status == cp_model.INFEASIBLE:
        return Slack("infeasible")
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Slack("unknown")
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
    return Slack("found", out, int(total), dropped, [] if dropped else em.extract(solver))


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
            # A trainee, or a cohort member whose locks are an override.
            for t in data["trainees"] + [o for c in data["cohorts"] for o in c["overrides"]]:
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
    longer = max((r.amount for r in relaxations if r.kind == "longer_block"), default=0)
    try:
        return Instance.model_validate(data)
    except ValueError:
        if not longer:
            raise
    # A longer block may end past the horizon: the planning window grows with it (the
    # weeks added have each unit's default capacity); part time (>= 50 %) at most doubles
    # the calendar weeks.
    data["horizon"]["end"] = data["horizon"]["end"] + timedelta(weeks=2 * longer)
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


def verify(relaxed: Instance, deadline: float, small: bool = True) -> bool | None:
    """True if the relaxed instance has a plan the checker accepts, found before ``deadline``
    (trainee by trainee, as solve's first plan; on small instances also the full model, which
    can prove that there is none: False). None: not shown within the time."""
    from scheduler import verify as checker

    left = deadline - time.monotonic()
    if left <= 0.2:
        return None
    plan = _plan_of(relaxed, deadline)
    if plan is not None and not checker.check(relaxed, plan):
        return True
    left = deadline - time.monotonic()
    if small and left > 0.2:
        return is_feasible(relaxed, left)
    return None


def _plan_of(relaxed: Instance, deadline: float, allow_overrun: bool = False
             ) -> list[Stint] | None:
    """Solve's first plan of ``relaxed`` before ``deadline``: from the current plan's stints
    (if given) in the first half of the time, else from scratch (the stints kept can hold the
    very seats a changed trainee needs; measured on generated regions: the repair then
    spends all the time on one over-full week). ``allow_overrun``: the plan of the least
    overrun the repair reached, placed within capacity where it could be."""
    left = deadline - time.monotonic()
    if left <= 0.2:
        return None
    keep = _PREVIOUS.get()
    ids = {t.id for t in relaxed.all_trainees()}
    if keep and ids <= keep.keys():
        # The current plan may already be a plan of the relaxed instance (a lock in its way
        # unlocked, seats it never needed given back): checked in milliseconds.
        from scheduler import verify as checker

        current = sorted(st for tid in ids for st in keep[tid])
        if not checker.check(relaxed, current):
            return current
    least = min_stints(relaxed, relaxed.all_trainees(), time_limit=min(0.5, left / 8))
    if keep:
        half = time.monotonic() + 0.4 * (deadline - time.monotonic()) + 0.6 * MARGIN
        plan = _first_plan(relaxed, half, least, None, keep)
        if plan is not None or deadline - time.monotonic() < MARGIN + 1.0:
            return plan
    return _first_plan(relaxed, deadline, least, None, None, allow_overrun)


def _verified_fix(inst: Instance, relax: list[Relaxation], deadline: float, small: bool,
                  cause: set[str]) -> tuple[list[Relaxation], bool | None, bool]:
    """``relax`` verified by a first plan of the relaxed instance; where the repair cannot
    bring it within capacity in the time, the seats that plan uses beyond capacity are added
    to the fix (verified by that plan and the checker).
    Returns the fix, whether it is verified, and whether it reaches beyond ``cause`` (units,
    trainees and programmes the cause names)."""
    from scheduler import verify as checker

    try:
        relaxed = apply_relaxations(inst, relax)
    except ValueError:
        return relax, False, False
    # The repair's least overrun is zero when it reaches a plan within capacity: one run
    # either verifies the fix as it is or says what it lacks.
    plan = _plan_of(relaxed, deadline, allow_overrun=True)
    if plan is None:
        left = deadline - time.monotonic()
        return relax, (is_feasible(relaxed, left) if small and left > 0.2 else None), False
    extra = seats_used(relaxed, plan, {u.id for u in relaxed.units})
    try:
        if checker.check(apply_relaxations(relaxed, extra), plan):
            return relax, None, False
    except ValueError:
        return relax, None, False
    return relax + extra, True, any(r.target not in cause for r in extra)


def _own_plan(inst: Instance, relax: list[Relaxation], plan: list[Stint]) -> bool:
    """The slack model's plan is a plan of the relaxed instance (checked independently)."""
    from scheduler import verify as checker

    try:
        relaxed = apply_relaxations(inst, relax)
    except ValueError:
        return False
    return bool(plan) and not checker.check(relaxed, plan)


def _longer_block(inst: Instance, base: list[Relaxation], dropped: list[Group],
                  deadline: float, history: dict[str, Any],
                  alone: Trainee | None = None) -> tuple[list[Relaxation], bool | None]:
    """The fewest extra weeks per programme of the trainees whose block could not be filled,
    and whether it was verified. ``alone``: the cause is this trainee alone; each length is
    tried on that trainee first (a one-trainee solve), then verified on the whole instance."""
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
        if alone is not None:
            mine = next(t for t in relaxed.all_trainees() if t.id == alone.id)
            if not _feasible_alone(relaxed, mine, deadline):
                continue
            # Another kind (leave, locks, part time) may need more weeks still.
            left = deadline - time.monotonic()
            if counting.lone_infeasible(relaxed, time.monotonic() + 0.2 * left) is not None:
                continue
            fix, ok, _wide = _verified_fix(inst, trial, deadline, _small(relaxed), set(progs))
            return fix[len(base):], ok
        ok = is_feasible(relaxed, max(0.5, deadline - time.monotonic()), **history)
        if ok:
            return trial[len(base):], True
    return [], None


def _feasible_alone(inst: Instance, t: Trainee, deadline: float) -> bool:
    pm = PlacementModel(inst, [t], terms=())
    solver = make_solver(max(0.1, min(5.0, deadline - time.monotonic())), 1, symmetry_level=0)
    status = run(solver, pm.model)
    return status in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def _small(inst: Instance) -> bool:
    return sum(1 for _ in inst.all_trainees()) <= SMALL


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


# --------------------------------------------------------------------------------------------
# The cause: counted, one trainee alone, or a CP-SAT core


def counted_groups(inst: Instance, sfs: list[Shortfall]) -> list[Group]:
    """The rule groups a counting proof rests on: the requirements of the intakes counted,
    the capacity of the units counted and the locked stints that held their seats."""
    out: dict[Group, None] = {}
    for s in sfs:
        for d in s.demands:
            out[Group("requirement", d.who, s.label, d.trainees)] = None
        for uid in s.units:
            out[Group("capacity", uid)] = None
        for tid, j in s.locked:
            out[Group("locked", tid, str(j), (tid,))] = None
    return sorted(out, key=lambda g: (_ORDER[g.kind], g.who, g.detail))


def _widen_to_kind(inst: Instance, t: Trainee, groups: list[Group]) -> list[Group]:
    """Groups found on one trainee alone hold for every identical member of its intake."""
    who = _who(inst)
    peers = tuple(x.id for x in inst.all_trainees()
                  if kind_key(x) == kind_key(t) and who.get(x.id, x.id) == who.get(t.id, t.id))
    return [Group(g.kind, g.who, g.detail, peers if g.kind in ("requirement", "block")
                  else g.trainees) for g in groups]


def _is_minimal(inst: Instance, conflict: list[Group], deadline: float) -> bool:
    """Every group of a counted conflict is needed: without it the rest has a plan."""
    em = ExplainModel(inst)
    for g in conflict:
        left = deadline - time.monotonic()
        if left <= 0 or g not in em.lits:
            return False
        if _try(em, [x for x in conflict if x != g], left)[0] != "feasible":
            return False
    return True


# --------------------------------------------------------------------------------------------
# The smallest fix, restricted to the cause first


def plan_with_extra(inst: Instance, extra: dict[str, int], deadline: float,
                    least: dict[tuple, dict[str, int]] | None = None,
                    allow_overrun: bool = False) -> list[Stint] | None:
    """A plan trainee by trainee (solve's first plan) with ``extra`` seats in every week at
    these units and every other capacity as it is; None if none is found in time.
    ``least``: a cache of the trainees' least stints per set of units with extra seats (the
    units open to a trainee depend only on which units have seats, not how many)."""
    profiles = capacity_profiles(inst)
    for uid, k in extra.items():
        prof = profiles[uid]
        if prof is not None:
            profiles[uid] = [c + k for c in prof]
    left = deadline - time.monotonic()
    if left <= 0.5:
        return None
    key = tuple(sorted(u for u, k in extra.items() if k > 0))
    cache = least if least is not None else {}
    if key not in cache:
        cache[key] = min_stints(inst, inst.all_trainees(), time_limit=min(0.5, left / 8),
                                profiles=profiles)
    keep = _PREVIOUS.get()
    if keep:  # from the current plan in the first half of the time, else from scratch
        half = time.monotonic() + 0.4 * (deadline - time.monotonic()) + 0.6 * MARGIN
        plan = _first_plan(inst, half, cache[key], profiles, keep)
        if plan is not None or deadline - time.monotonic() < MARGIN + 1.0:
            return plan
    return _first_plan(inst, deadline, cache[key], profiles, None, allow_overrun)


def _first_plan(inst: Instance, deadline: float, least: dict[str, int],
                profiles: dict | None, keep: dict | None, allow_overrun: bool = False
                ) -> list[Stint] | None:
    """Solve's first plan (placement and repair: no dead end on a tight region), before
    ``deadline`` less a margin; None if none is found in time."""
    from scheduler.solver.construct import construct

    return construct(inst, profiles or capacity_profiles(inst), least, seed=0,
                     deadline=deadline - MARGIN, keep=keep, allow_overrun=allow_overrun)


def _excess(inst: Instance, plan: list[Stint], units: set[str]
            ) -> dict[str, list[tuple[int, int]]]:
    """Per unit of ``units`` with a capacity (sorted by id): ``(week, trainees over
    capacity)`` for each week the plan fills it beyond capacity, in week order."""
    profiles = capacity_profiles(inst)
    load: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for st in plan:
        if st.unit in units:
            for w in range(inst.week_index(st.start), inst.week_index(st.end)):
                load[st.unit][w] += 1
    out: dict[str, list[tuple[int, int]]] = {}
    for uid in sorted(units):
        prof = profiles[uid]
        if prof is not None:
            out[uid] = sorted((w, n - prof[w]) for w, n in load[uid].items() if n > prof[w])
    return out


def seats_used(inst: Instance, plan: list[Stint], units: set[str], gap: int = 8
               ) -> list[Relaxation]:
    """The extra seats a plan uses at ``units``, as whole seats per period: the weeks over
    capacity, runs less than ``gap`` weeks apart joined, each run raised by its largest
    excess (a coordinator adds a supervisor for a period, not week by week)."""
    out = []
    for uid, over in _excess(inst, plan, units).items():
        runs: list[list[int]] = []  # first, end, most
        for w, k in over:
            if runs and w - runs[-1][1] < gap:
                runs[-1][1], runs[-1][2] = w + 1, max(runs[-1][2], k)
            else:
                runs.append([w, w + 1, k])
        out += [Relaxation("capacity", uid, k, inst.week_date(a), b - a) for a, b, k in runs]
    return out


def seats_needed(inst: Instance, plan: list[Stint], units: set[str]) -> list[Relaxation]:
    """Exactly the seats a plan uses beyond capacity at ``units``: per unit, each run of weeks
    with the same excess (load less capacity) one period of that many extra seats. Unlike
    ``seats_used`` no week gets a seat the plan does not fill."""
    return [Relaxation("capacity", uid, k, inst.week_date(a), n)
            for uid, over in _excess(inst, plan, units).items()
            for a, n, k in _value_runs(over)]


def _current_plan_fix(inst: Instance) -> tuple[list[Relaxation], list[Stint]] | None:
    """The seats the current plan (``explain(previous=...)``) uses beyond capacity, if with
    them it is a plan the checker accepts; None without a current plan or if it is not."""
    keep = _PREVIOUS.get()
    ids = {t.id for t in inst.all_trainees()}
    if not keep or not ids <= keep.keys():
        return None
    plan = sorted(st for tid in ids for st in keep[tid])
    relax = seats_needed(inst, plan, {u.id for u in inst.units})
    try:
        if not relax or checker_violations(apply_relaxations(inst, relax), plan):
            return None
    except ValueError:
        return None
    return relax, plan


def _cost(relax: list[Relaxation]) -> int:
    return sum(W_CAPACITY * r.amount * r.weeks if r.kind == "capacity" else
               W_UNLOCK if r.kind == "unlock" else W_DROP for r in relax)


def _seats_fix(inst: Instance, ex: Explanation, deadline: float) -> bool:
    """Extra seats at the cause's units only, verified by the plan that uses them.

    A first plan with room to spare at every unit counted (as many extra seats as trainees
    counted; if that fails, all of it at the one unit where a trainee can stay longest, then
    with the most seats) gives a verified fix: the seats that plan uses. It is then shrunk
    towards the counted least (``ceil(deficit / weeks)``) by halving while the time lasts.
    Without a counted shortfall, the capacity groups of the conflict get the room.
    """
    least: dict[str, int] = {}
    room: dict[str, int] = {}
    spread: dict[str, int] = {}  # the second roomy try: every unit counted
    for sf in ex.counted:
        if sf.kind == "locked":
            # Locks over a unit's seats in a week: the room must hold them as well (measured:
            # without it the relaxed instance of a cut with locks in it has no plan at all).
            for u in sf.units:
                least[u] = max(least.get(u, 0), sf.deficit)
                room[u] = max(room.get(u, 0), sf.deficit)
                spread[u] = max(spread.get(u, 0), sf.deficit)
            continue
        if sf.kind != "window":
            continue
        seats = {u: sum(inst.unit(u).capacity_in_week(inst.week_date(w)) or 0
                        for w in range(sf.first, sf.end)) for u in sf.units}
        longest = {u: max(inst.unit(u).stint_range(d.programme)[1] or 10 ** 6
                          for d in sf.demands) for u in sf.units}
        uid = max(sorted(sf.units), key=lambda u: (longest[u], seats[u]))
        least[uid] = max(least.get(uid, 0), -(-sf.deficit // (sf.end - sf.first)))
        n = sum(d.count for d in sf.demands)
        room[uid] = room.get(uid, 0) + n
        for u in sf.units:
            spread[u] = max(spread.get(u, 0), n)
            least.setdefault(u, 1)
    if not ex.counted:
        for g in ex.conflict:
            if g.kind == "capacity" and inst.unit(g.who).capacity is not None:
                least[g.who] = 1
                room[g.who] = len(inst.all_trainees())
    if not room:
        return False
    best: tuple[list[Relaxation], list[Stint]] | None = None
    # Room at every unit counted first (measured on generated regions: more often a plan in
    # the time, and fewer extra seat-weeks than all of it at one unit), then at the one.
    roomy = ([spread] if spread else []) + ([room] if set(spread) != set(room) else [])
    # Widened last: room at every unit giving a counted discipline (a group cut leaves the
    # units counting could not show short as well: measured on ped-at18-bt12-70-loose, room
    # at the one unit counted gave no plan in 56 s, room at all five psychiatry units one in
    # 0.5 s). The narrower tries then get half the time left each.
    disciplines = {d for sf in ex.counted if sf.kind == "window" for d in sf.disciplines}
    wide = dict(spread or room)
    most = max(wide.values(), default=1)
    for unit in inst.units:
        if set(unit.disciplines) & disciplines and unit.capacity is not None:
            wide.setdefault(unit.id, most)
    if all(set(wide) != set(r) for r in roomy):
        roomy.append(wide)
    else:
        wide = {}
    hi: dict[str, int] = {}
    lo: dict[str, int] = {}
    first = True
    tries = 0
    cache: dict[tuple, dict[str, int]] = {}
    # Each try is a whole first plan: none is started with less than MARGIN + 1 s left.
    while time.monotonic() < deadline - MARGIN - 1.0 and tries < 5:
        tries += 1
        if first:
            trial = hi = roomy.pop(0)
            room = trial
            lo = {u: max(1, least.get(u, 1)) - 1 for u in room}  # known too few (or none)
        else:
            trial = {u: (lo[u] + hi[u] + 1) // 2 for u in room}
            if all(trial[u] >= hi[u] for u in room):
                break
        # The first (roomy) try gets the time it needs; each shrinking try half of the rest.
        # The last roomy try takes the least overrun the repair reaches if it cannot reach
        # none: the seats the plan uses beyond capacity, wherever they are, are the fix.
        left = deadline - time.monotonic()
        share = 0.5 if not first or any(r is wide for r in roomy) else 1.0
        plan = plan_with_extra(inst, trial, time.monotonic() + share * left,
                               cache, allow_overrun=first and not roomy)
        first = False
        if plan is None:
            if best is None:
                if roomy:
                    first = True
                    continue
                break
            lo = {u: max(lo[u], trial[u]) for u in room}
            continue
        relax = seats_needed(inst, plan, {u.id for u in inst.units})
        try:
            ok = not checker_violations(apply_relaxations(inst, relax), plan)
        except ValueError:
            ok = False
        if not ok:
            break
        if best is None or _cost(relax) < _cost(best[0]):
            best = (relax, plan)
            ex.widened = any(r.target not in room for r in relax)
        used: dict[str, int] = defaultdict(int)
        for r in relax:
            used[r.target] = max(used[r.target], r.amount)
        hi = {u: min(trial[u], used[u]) for u in room}
    # The current plan (if given) is a plan of the instance with the seats it uses beyond
    # the new capacity: a verified fix in milliseconds when no plan above was found in time,
    # or when it needs fewer seat-weeks.
    current = _current_plan_fix(inst)
    if current is not None and (best is None or _cost(current[0]) < _cost(best[0])):
        best = current
        ex.widened = any(r.target not in room for r in current[0])
    if best is None:
        return False
    ex.relaxations, ex.relaxation_cost, ex.relaxation_verified = best[0], _cost(best[0]), True
    return True


def checker_violations(inst: Instance, plan: list[Stint]) -> list:
    from scheduler import verify as checker

    return checker.check(inst, plan)


def _unlock_fix(inst: Instance, ex: Explanation, deadline: float) -> bool:
    """Locked stints over a unit's seats: unlock the ones over (the last), verified."""
    relax: list[Relaxation] = []
    people = {t.id: t for t in inst.all_trainees()}
    previous = _PREVIOUS.get() or {}

    def planned(tid: str, j: int) -> bool:
        """The current plan already has the trainee there then: not the lock in the way."""
        lk = people[tid].locked[j]
        return any(st.unit == lk.unit and st.start <= lk.start and lk.end <= st.end
                   for st in previous.get(tid, []))

    for sf in ex.counted:
        if sf.kind == "locked":
            # Unlock the ones over the seats: those the current plan does not have first.
            order = sorted(sf.locked, key=lambda h: (planned(*h), -sf.locked.index(h)))
            for tid, j in order[:len(sf.locked) - sf.supply]:
                lk = people[tid].locked[j]
                r = Relaxation("unlock", tid, lk.weeks, lk.start)
                if r not in relax:
                    relax.append(r)
    if not relax:
        return False
    cause = {g.who for g in ex.conflict} | {t for g in ex.conflict for t in g.trainees}
    relax, ex.relaxation_verified, ex.widened = _verified_fix(inst, relax, deadline,
                                                              _small(inst), cause)
    ex.relaxations, ex.relaxation_cost = relax, _cost(relax)
    return True


def _slack_fix(inst: Instance, ex: Explanation, deadline: float, history: dict[str, Any],
               alone: Trainee | None, share: float = 1.0) -> bool:
    """The slack model, restricted to the cause's units and locked stints, then wide."""
    small = _small(inst)
    units = {g.who for g in ex.conflict if g.kind == "capacity"}
    locks = {g for g in ex.conflict if g.kind == "locked"}
    end = time.monotonic() + share * (deadline - time.monotonic())
    trainees = [alone] if alone is not None else None
    tries: list[tuple[set[str] | None, set[Group] | None]] = [(units, locks), (None, None)]
    for i, (us, ls) in enumerate(tries):
        left = end - time.monotonic()
        if left <= 0.2:
            break
        # The restricted try gets most of the time; the wide one what is left.
        sl = smallest_relaxation(inst, 0.6 * left if i == 0 else left,
                                 history["history_before"], history["crossing"],
                                 units=us, unlockable=ls, trainees=trainees)
        if sl.status == "infeasible":
            continue  # not with the cause's units and locks alone: widen
        if sl.status == "unknown":
            if i == 0:
                continue
            break
        ex.widened = i > 0
        relax, ex.relaxation_cost = sl.relaxations, sl.cost
        verified: bool | None = None
        if sl.dropped:
            more, verified = _longer_block(inst, relax, sl.dropped, deadline, history, alone)
            relax = relax + more
        elif relax and alone is None and history["history_before"] is None \
                and _own_plan(inst, relax, sl.plan):
            verified = True
        elif relax:
            try:
                relaxed = apply_relaxations(inst, relax)
                verified = (verify(relaxed, deadline, small) if history["history_before"]
                            is None else is_feasible(relaxed, max(0.5, deadline
                                                                  - time.monotonic()),
                                                     **history))
            except ValueError:
                verified = False
        ex.relaxations, ex.relaxation_verified = relax, verified
        return True
    return False


def _fix(inst: Instance, ex: Explanation, deadline: float, history: dict[str, Any],
         alone: Trainee | None) -> None:
    """Fill ex.relaxations: restricted to the cause first, wider only if that cannot work.

    Small instances: the slack model (the exact least extra trainee-weeks, its own plan the
    verification). Large ones: the full model may find no plan in the time, so a counted
    cause gets whole seats at its units (verified by a first plan trainee by trainee), a
    trainee alone its own slack model (verified by a first plan of the whole instance).
    """
    if history["history_before"] is not None:
        _slack_fix(inst, ex, deadline, history, alone)
        return
    # Locked stints over the seats alone: unlock. With a window short as well, unlocking
    # cannot suffice: the seats fix (its plan's load includes the locked stints) covers both.
    if all(sf.kind == "locked" for sf in ex.counted) and ex.counted \
            and _unlock_fix(inst, ex, deadline):
        return
    if _small(inst) or alone is not None:
        if _slack_fix(inst, ex, deadline, history, alone, share=0.6 if ex.counted else 1.0) \
                and (ex.relaxation_verified or not ex.counted):
            return
        if ex.counted:  # the slack model gave up requirements or ran out: whole seats
            kept = (ex.relaxations, ex.relaxation_cost, ex.relaxation_verified, ex.widened)
            if not _seats_fix(inst, ex, deadline):
                ex.relaxations, ex.relaxation_cost, ex.relaxation_verified, ex.widened = kept
        return
    if _seats_fix(inst, ex, deadline):
        return
    # Building the slack model of a large region takes seconds of its own: only with time.
    if deadline - time.monotonic() > 10.0:
        _slack_fix(inst, ex, deadline, history, alone)


def explain(inst: Instance, time_limit: float = 30.0, history_before: date | None = None,
            crossing: dict[str, Stint] | None = None,
            previous: list[Stint] | None = None) -> Explanation:
    """The cause of infeasibility and the smallest relaxation that removes it, within
    ``time_limit`` seconds in all (module docstring). ``previous``: a plan of a similar
    instance (e.g. the current plan, before a unit lost seats); the plans that verify a fix
    keep its stints where they still fit.

    ``history_before`` (re-planning): locked stints that end by then are what happened, so
    they are background, never named or relaxed; no later start is suggested.
    """
    keep: dict[str, list[Stint]] = defaultdict(list)
    for st in previous or []:
        keep[st.trainee].append(st)
    token = _PREVIOUS.set(dict(keep) or None)
    try:
        return _explain(inst, time_limit, history_before, crossing)
    finally:
        _PREVIOUS.reset(token)


def _explain(inst: Instance, time_limit: float, history_before: date | None,
             crossing: dict[str, Stint] | None) -> Explanation:
    t0 = time.monotonic()
    deadline = t0 + max(0.0, time_limit)
    history: dict[str, Any] = {"history_before": history_before, "crossing": crossing}
    replanning = history_before is not None
    # Counting takes milliseconds: it runs even when the time is all but spent.
    sfs = [] if replanning else counting.shortfalls(inst, t0 + max(1.0, time_limit))
    alone: Trainee | None = None
    if sfs:
        conflict = counted_groups(inst, sfs)
        ex = Explanation(feasible=False, proven=True, conflict=conflict, counted=sfs,
                         method="counting")
        if _small(inst):  # a deletion check is cheap here (a few small solves)
            ex.minimal = _is_minimal(inst, conflict, t0 + 0.25 * time_limit)
    else:
        if not replanning:
            alone = counting.lone_infeasible(inst, t0 + 0.2 * time_limit)
        left = deadline - time.monotonic()
        if left <= 0.2:
            return Explanation(feasible=False, proven=False, ran_out=["conflict"],
                               seconds=time.monotonic() - t0)
        status = "unknown"
        if alone is not None:
            # One trainee: each step is small, but a hard one must not eat the fix's time.
            status, conflict, minimal = find_conflict(inst, 0.3 * left, history_before,
                                                      crossing, trainees=[alone], per_try=1.0)
            if status == "infeasible":
                conflict = _widen_to_kind(inst, alone, conflict)
            else:
                alone = None
        if alone is None:
            status, conflict, minimal = find_conflict(
                inst, 0.5 * (deadline - time.monotonic()), history_before, crossing)
        if status == "feasible":
            return Explanation(feasible=True, seconds=time.monotonic() - t0)
        ex = Explanation(feasible=False, proven=status == "infeasible", conflict=conflict,
                         minimal=minimal, method="alone" if alone is not None else "core")
        if not ex.proven:
            # No proof either way in half the time: a first plan (placement and repair) in
            # the rest shows there is nothing to explain (a plan the checker accepts).
            if not replanning and deadline - time.monotonic() > MARGIN + 2.0:
                from scheduler import verify as checker

                plan = _plan_of(inst, deadline)
                if plan is not None and not checker.check(inst, plan):
                    return Explanation(feasible=True, seconds=time.monotonic() - t0)
            ex.ran_out.append("conflict")
            ex.seconds = time.monotonic() - t0
            return ex
        if not minimal:
            ex.ran_out.append("shrink")
    _fix(inst, ex, deadline, history, alone)
    # No fix: the time ran out for it (no plan is started with too little time left).
    if not ex.relaxations and deadline - time.monotonic() < MARGIN + 11.0:
        ex.ran_out.append("fix")
    elif ex.relaxations and not ex.relaxation_verified:
        ex.ran_out.append("verify")
    if not replanning and _small(inst):
        ex.later_start = _later_starts(inst, ex.conflict, deadline)
    ex.seconds = time.monotonic() - t0
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

