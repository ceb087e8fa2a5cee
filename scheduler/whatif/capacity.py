"""Intake capacity: the largest intake per start that still has a valid plan.

Found by optimisation, not by trial solves: for one start at a time, the start's cohorts are
replaced by *candidate* trainees, each optional with an ``admitted`` literal
(``PlacementModel(optional=...)``), and CP-SAT maximises the number admitted. The other starts
keep their stints from a base plan as fixed capacity consumers (the cohort decomposition of
``solve.py`` plans the same way, intake by intake), which keeps each model small enough for a
region like Örebro. The number of candidates per group is an upper bound computed from the free
capacity: per requirement, the free capacity-weeks of the eligible units inside the block divided
by the weeks the requirement needs. A solve proven optimal therefore gives the exact maximum;
otherwise the report gives the best intake found (a lower bound) and the solver's upper bound.
Redundant cuts (:mod:`scheduler.whatif.cuts`) tighten the upper bound, and the candidate counts
use the same stint packing. On Örebro (one start, 20 s, 1 worker, base plan for the other
starts) the answer is still a range, but a narrow one, e.g. AT 2028-02: base 15, at least 20, at
most 21 (43 without the cuts); candidates are added greedily one at a time first (one-trainee
solves, as in the cohort decomposition), also from the binding resource's packing, so that the
hint is already a good intake.

Binding units and weeks: those at full capacity in the maximal plan inside the block. The
marginal value of one more supervisor at a unit: the maximum again with that unit's capacity
raised by one (the previous plan stays feasible, so it is the hint), for the units that were
full; per year = per start x starts per year of that programme.
"""

from __future__ import annotations

import itertools
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from ortools.sat.python import cp_model

from scheduler.domain import Instance, LockedStint, Trainee, block_end, calendar_weeks
from scheduler.plan import Stint
from scheduler.solver.cpsat import make_solver, run
from scheduler.solver.model import PlacementModel, capacity_profiles
from scheduler.whatif.cuts import add_capacity_cuts, packing


@dataclass
class Binding:
    unit: str
    name: str
    weeks_full: int
    first: date
    last: date  # Monday of the last full week
    marginal: int | None = None  # more trainees admitted at this start with one more supervisor


@dataclass
class GroupMax:
    programme: str
    kind: str
    site: str
    base: int  # trainees of this start in the base instance
    candidates: int  # the upper bound that was offered
    admitted: int
    start: date | None = None


@dataclass
class StartCapacity:
    start: date
    status: str  # optimal (exact), feasible (a lower bound), no_plan_in_time, infeasible
    admitted: int
    bound: int  # upper bound proven by the solver
    groups: list[GroupMax] = field(default_factory=list)
    binding: list[Binding] = field(default_factory=list)
    wall_time: float = 0.0

    @property
    def base(self) -> int:
        return sum(g.base for g in self.groups)


def _group_key(t: Trainee) -> tuple[str, str, int, date]:
    return (t.programme, t.site, t.part_time, t.start)


def upper_bound(inst: Instance, sample: Trainee, free: dict[str, list[int] | None],
                cap: int, packed: bool = False) -> int:
    """Trainees like ``sample`` the free capacity can hold at most (``cap`` if unbounded).

    ``packed``: count only the weeks and stints that fit whole stints of each unit's lengths
    (:func:`scheduler.whatif.cuts.packing`) instead of every free seat-week.
    """
    prog = inst.programme(sample.programme)
    a, b = inst.week_index(sample.start), inst.week_index(block_end(sample, prog))
    eligible = [u for u in inst.units
                if u.eligible(prog.id, sample.site)]
    sw = prog.starts_with

    def weeks(discs: set[str], need: int) -> float:
        tot, stints, longest = 0, 0, 1
        for u in eligible:
            if not discs & set(u.disciplines):
                continue
            prof = free[u.id]
            if prof is None:
                return math.inf
            if not packed:
                tot += sum(prof[a:b])
                continue
            lo, hi = u.stint_range(prog.id, sample.part_time)
            hi = b - a if hi is None else hi
            if sw is not None and sw.discipline in u.disciplines:
                lo, hi = min(lo, sw.weeks), max(hi, sw.weeks)  # the opening stint's length
            tot += packing(prof, a, b, lo, hi, count=False)
            stints += packing(prof, a, b, lo, hi, count=True)
            longest = max(longest, hi)
        if not packed:
            return tot / need
        # Each trainee needs ``need`` weeks there, in stints no longer than ``longest``.
        return min(tot / need, stints / -(-need // longest))

    best = float(cap)
    for r in prog.requirements:
        need = calendar_weeks(r.min_weeks, sample.part_time)
        if need > 0:
            best = min(best, weeks({r.discipline}, need))
    for g in prog.group_requirements:
        need = calendar_weeks(g.min_weeks, sample.part_time)
        if need > 0:
            best = min(best, weeks(set(g.disciplines), need))
    return int(best)


@dataclass
class _Start:
    """One capacity question: the start(s), who is asked about, what the others leave free."""

    inst: Instance
    starts: tuple[date, ...]
    fixed_people: list[Trainee]  # named trainees of the start: they stay, not candidates
    groups: dict[tuple, list[Trainee]]  # cohort members by (programme, site, part time, start)
    cands: dict[tuple, list[Trainee]]  # per group, the candidates offered
    rename: dict[str, str]  # cohort member -> the candidate that takes its base stints
    external: list[Stint]  # the other starts' stints, held fixed
    free: dict[str, list[int] | None]  # per unit and week, the seats the others leave

    @property
    def cand_list(self) -> list[Trainee]:
        return [c for cs in self.cands.values() for c in cs]

    def window(self) -> tuple[int, int]:
        """The weeks from the first start to the end of the last block asked about."""
        inst = self.inst
        a = inst.week_index(min(self.starts))
        b = max(inst.week_index(block_end(t, inst.programme(t.programme)))
                for t in self.fixed_people + self.cand_list)
        return a, min(b, inst.n_weeks)


def _prepare(inst: Instance, starts: tuple[date, ...], base_plan: list[Stint], profiles: dict,
             max_candidates: int, cuts: bool) -> _Start:
    cohort_ids = {t.id for c in inst.cohorts for t in c.trainees()
                  if not any(o.id == t.id for o in c.overrides)}  # members with facts stay
    here = [t for t in inst.all_trainees() if t.start in starts]
    here_ids = {t.id for t in here}
    external = [s for s in base_plan if s.start is not None and s.trainee not in here_ids]
    H = inst.n_weeks
    ext_load: dict[str, list[int]] = defaultdict(lambda: [0] * H)
    for s in external:
        for w in range(max(0, inst.week_index(s.start)), min(H, inst.week_index(s.end))):
            ext_load[s.unit][w] += 1
    # Named trainees of this start are in the model (not external): ``free`` leaves their
    # capacity in, as the model's own profile does (the energy cuts count them).
    free: dict[str, list[int] | None] = {
        uid: None if prof is None else [max(0, c - x) for c, x in
                                        zip(prof, ext_load[uid], strict=True)]
        for uid, prof in profiles.items()}
    groups: dict[tuple, list[Trainee]] = defaultdict(list)
    for t in here:
        if t.id in cohort_ids:
            groups[_group_key(t)].append(t)
    cands: dict[tuple, list[Trainee]] = {}
    rename: dict[str, str] = {}
    for key, members in groups.items():
        n = max(len(members), upper_bound(inst, members[0], free, max_candidates, packed=cuts))
        n = min(n, max(max_candidates, len(members)))
        prefix = f"CAND-{key[0]}-{key[1]}-{key[2]}-{key[3]:%Y%m%d}"
        cands[key] = [Trainee(id=f"{prefix}-{i:03d}", programme=key[0], start=key[3],
                              site=key[1], part_time=key[2]) for i in range(n)]
        for m_, c in zip(sorted(members, key=lambda t: t.id), cands[key], strict=False):
            rename[m_.id] = c.id
    return _Start(inst, starts, [t for t in here if t.id not in cohort_ids], groups, cands,
                  rename, external, free)


def _build(q: _Start, profiles: dict, cuts: bool) -> tuple[PlacementModel, list]:
    """The maximisation: candidates optional, the admitted counted; and the packing slots."""
    cand_list = q.cand_list
    pm = PlacementModel(q.inst, q.fixed_people + cand_list, external=q.external, terms=(),
                        profiles=profiles, optional={c.id for c in cand_list})
    m = pm.model
    for cs in q.cands.values():  # identical candidates: admit them in order
        for x, y in itertools.pairwise(cs):
            m.add(pm.admitted[x.id] >= pm.admitted[y.id])
    # Redundant energy cuts: the weeks placed at a unit fit in its free capacity-weeks while
    # these blocks run. The cumulative implies them, but the LP relaxation only sees them
    # this way, and with the requirement minima they bound the intake of the whole start
    # (measured on Örebro's BT start 2028-03, 15 s: upper bound 85 without them, 39 with).
    slots: list = []
    if cuts:
        # Stint-aware packing, per-requirement and per-week cuts (scheduler/whatif/cuts.py).
        slots = add_capacity_cuts(pm)["slots"]
    else:
        a, b = q.window()
        for uid, opts in pm.by_unit.items():
            fp = q.free[uid]
            if fp is not None:
                m.add(sum(o.size for o in opts) <= sum(fp[a:b]))
    m.maximize(sum(pm.admitted.values()))
    return pm, slots


def _prior(q: _Start, base_plan: list[Stint], hint: list[Stint] | None, profiles: dict,
           slots: list, time_limit: float, seed: int, deadline: float,
           ) -> tuple[list[Stint], bool]:
    """The hint: the base plan's stints of the start (members renamed to candidates), then
    candidates added one at a time against everything already placed (round robin over the
    groups), each a small one-trainee solve, as the cohort decomposition does; on a region
    of Örebro's size the joint maximisation alone rarely improved on the base plan within
    20 s (measured: 15 -> 15; with this, 18). Also whether the checker has already
    accepted the hint (so that it is not checked twice)."""
    inst, fixed_ids = q.inst, {t.id for t in q.fixed_people}
    if hint is not None:  # a maximal plan of the same start (more capacity): extend it
        return hint + _greedy(inst, q.cands, hint, q.external, profiles, 0.4 * time_limit,
                              seed, deadline=deadline), False
    prior = [Stint(**{**s.__dict__, "trainee": q.rename[s.trainee]})
             for s in base_plan if s.trainee in q.rename] + [
        s for s in base_plan if s.trainee in fixed_ids]
    # Named trainees of the start that the prior does not hold are placed first: a hint
    # without them is no plan of this start.
    unplaced = [t for t in q.fixed_people if t.id not in {s.trainee for s in prior}]
    if unplaced:
        prior = prior + _greedy(inst, {("named",): unplaced}, prior, q.external, profiles,
                                0.1 * time_limit, seed, deadline=deadline)
    if not slots:
        return prior + _greedy(inst, q.cands, prior, q.external, profiles, 0.4 * time_limit,
                               seed, deadline=deadline), False
    # The binding resource's best packing as the candidates' first stints: the greedy from
    # the base plan wastes bottleneck weeks (measured on Örebro's BT start 2028-03, 20 s: 15
    # admitted that way, see docs/WHATIF.md for this one); keep the larger.
    budget = 0.2 * time_limit
    named = [s for s in prior if s.trainee in fixed_ids]
    a1 = prior + _greedy(inst, q.cands, prior, q.external, profiles, budget, seed,
                         deadline=deadline)
    a2 = named + _greedy(inst, q.cands, named, q.external, profiles, budget, seed, slots,
                         deadline=deadline)
    if (len({s.trainee for s in a2}) > len({s.trainee for s in a1})
            and _verified(inst, q.fixed_people + q.cand_list, q.external, a2, q.fixed_people)):
        return a2, True
    return a1, False


def _solve_start(inst: Instance, start: date | tuple[date, ...], base_plan: list[Stint],
                 profiles: dict, time_limit: float, workers: int, seed: int,
                 max_candidates: int, hint: list[Stint] | None = None, cuts: bool = True,
                 ) -> tuple[StartCapacity, list[Stint]]:
    """The largest intake at ``start``, the others held at ``base_plan``; or, for a tuple of
    starts, the largest total intake over all of them at once (one model)."""
    t0 = time.monotonic()
    starts = (start,) if isinstance(start, date) else tuple(start)
    q = _prepare(inst, starts, base_plan, profiles, max_candidates, cuts)
    cand_list = q.cand_list
    pm, slots = _build(q, profiles, cuts)
    # The search after the greedy gets the rest of the time.
    prior, checked = _prior(q, base_plan, hint, profiles, slots, time_limit, seed,
                            deadline=t0 + 0.6 * time_limit)
    prior_ids = {s.trainee for s in prior} & {c.id for c in cand_list}
    if prior:
        pm.hint(prior)
        used = {s.trainee for s in prior}
        for cid, lit in pm.admitted.items():
            pm.model.add_hint(lit, int(cid in used))
    # A second or two are kept to check the hint (base plan and greedy) as the answer: the
    # search may end with less than it, or nothing (on a generated region, at18-40-loose, 20 s:
    # no plan from it; on a kept Örebro state at load 4: the empty intake), and a hint that the
    # independent checker accepts is an intake that fits.
    keep = min(2.0, 0.1 * time_limit) if prior_ids else 0.0
    solver = make_solver(max(0.1, time_limit - keep - (time.monotonic() - t0)), workers, seed,
                         symmetry_level=0)  # see cpsat.run
    status = run(solver, pm.model)
    res = StartCapacity(min(starts), "no_plan_in_time", 0, len(cand_list))
    plan: list[Stint] = []
    admitted: set[str] = set()
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        res.status = "optimal" if status == cp_model.OPTIMAL else "feasible"
        bound = solver.best_objective_bound
        res.bound = int(math.floor(bound + 1e-6)) if math.isfinite(bound) else res.bound
        plan = pm.extract(solver)
        admitted = {cid for cid, lit in pm.admitted.items() if solver.value(lit)}
    if (status != cp_model.INFEASIBLE and len(prior_ids) > len(admitted)
            and (checked or _verified(inst, q.fixed_people + cand_list, q.external, prior,
                                      q.fixed_people))):
        # Without a search answer the bound stays the candidates offered: nothing was proved.
        res.status = "feasible"
        plan, admitted = list(prior), prior_ids
    if plan:
        res.admitted = len(admitted)
        if res.admitted >= res.bound:
            res.status = "optimal"
        for key, members in q.groups.items():
            prog = inst.programme(key[0])
            res.groups.append(GroupMax(key[0], prog.kind, key[1], len(members),
                                       len(q.cands[key]),
                                       sum(c.id in admitted for c in q.cands[key]), key[3]))
        res.binding = _binding(q, plan, profiles)
    elif status == cp_model.INFEASIBLE:
        res.status = "infeasible"  # even the named trainees of this start do not fit
        res.bound = 0
    res.wall_time = time.monotonic() - t0
    return res, plan


def _binding(q: _Start, plan: list[Stint], profiles: dict) -> list[Binding]:
    """Binding unit-weeks: full in the maximal plan (plus the other starts) inside the
    blocks, most weeks first."""
    inst = q.inst
    H = inst.n_weeks
    a, b = q.window()
    load: dict[str, list[int]] = defaultdict(lambda: [0] * H)
    for s in plan:
        for w in range(max(0, inst.week_index(s.start)), min(H, inst.week_index(s.end))):
            load[s.unit][w] += 1
    out = []
    for u in inst.units:
        fp = q.free[u.id]
        if fp is None:
            continue
        full = [w for w in range(a, b) if profiles[u.id][w] > 0 and load[u.id][w] >= fp[w]]
        if full:
            out.append(Binding(u.id, u.name, len(full), inst.week_date(full[0]),
                               inst.week_date(full[-1])))
    out.sort(key=lambda x: (-x.weeks_full, x.unit))
    return out


def _greedy(inst: Instance, cands: dict[tuple, list[Trainee]], placed: list[Stint],
            external: list[Stint], profiles: dict, budget: float, seed: int,
            slots: list[tuple[str, str, int, int]] = (),  # type: ignore[assignment]
            deadline: float = math.inf) -> list[Stint]:
    """Stints of further candidates that fit one by one next to ``placed``.

    ``slots`` (unit, discipline, start week, weeks): stints to give the candidates first, one
    each, in order (a slot that does not fit a candidate is skipped); then without.

    ``budget`` counts CP-SAT's deterministic time summed over the one-trainee solves, so the
    same input gives the same candidates on an idle and on a loaded machine (with wall-clock
    budgets a busy core made each solve time out and the greedy stop after the first few
    candidates; measured on a kept Örebro state at load 4: an intake of 0 where 15 fit).
    ``deadline`` (``time.monotonic()``) is only the guard that keeps the user's time limit.
    """
    used = {s.trainee for s in placed}
    queues = [[c for c in cs if c.id not in used] for cs in cands.values()]
    fixed = list(external) + list(placed)
    added: list[Stint] = []
    free_slots = list(slots)
    spent = 0.0
    plain = {c.id: c for cs in cands.values() for c in cs}

    def left() -> bool:
        return spent < budget and time.monotonic() < deadline

    def place(c: Trainee) -> bool:
        nonlocal spent
        pm = PlacementModel(inst, [c], external=fixed, terms=(), profiles=profiles)
        wall = max(0.1, deadline - time.monotonic()) if math.isfinite(deadline) else None
        solver = make_solver(wall, 1, seed, deterministic_time=min(1.0, budget - spent + 0.05),
                             symmetry_level=0)
        status = run(solver, pm.model)
        spent += solver.response_proto.deterministic_time
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return False
        part = pm.extract(solver)
        if c.locked and c.id in plain and not _verified(inst, [plain[c.id]], [], part, []):
            # A slot's lock becomes an ordinary stint of the plan, and the model exempts
            # locked stints from rules such as one stint per unit and discipline: the
            # checker, on the plain candidate, decides (measured on at18-20-tight: 3 of 15
            # candidates had a second stint at the slot's vårdcentral).
            return False
        fixed.extend(part)
        added.extend(part)
        return True

    while any(queues) and left():
        for q in queues:
            if not q or not left():
                continue
            c = q.pop(0)
            ok = False
            for _ in range(min(3, len(free_slots))):  # a slot may suit another site better
                if not left():
                    break
                slot = free_slots.pop(0)
                uid, d, st, ln = slot
                lock = LockedStint(unit=uid, discipline=d, start=inst.week_date(st),
                                   end=inst.week_date(st + ln))
                ok = place(c.model_copy(update={"locked": [lock]}))
                if ok:
                    break
                free_slots.append(slot)
            if not ok and left() and not place(c):
                q.clear()  # identical candidates behind it do not fit either
    return added


def _verified(inst: Instance, trainees: list[Trainee], external: list[Stint],
              plan: list[Stint], required: list[Trainee]) -> bool:
    """Whether ``external`` + ``plan`` pass the independent checker, on the instance reduced
    to the trainees that have stints (the candidates of ``plan`` among them) and the
    ``required`` ones (the start's named trainees, who must be placed too)."""
    from scheduler.verify import check  # the checker shares no code with the model

    with_stints = ({s.trainee for s in external} | {s.trainee for s in plan}
                   | {t.id for t in required})
    people = [t for t in inst.all_trainees() if t.id in with_stints]
    known = {t.id for t in people}
    people += [t for t in trainees if t.id in with_stints and t.id not in known]
    sub = inst.model_copy(update={"trainees": people, "cohorts": []})
    return not check(sub, list(external) + list(plan))


@dataclass
class UnitAnswer:
    """``--unit U --add k``: the largest intake with ``k`` more supervisors at ``U`` in every
    week, per start (the others held at the base plan) and jointly."""

    unit: str
    add: int
    start: date | None  # None: the joint answer over all asked starts
    kind: str  # AT, BT or AT+BT: whom the start takes
    before: int
    after: int | None  # None: no plan within the time limit
    exact: bool  # both solves proven optimal

    @property
    def delta(self) -> int | None:
        return None if self.after is None else self.after - self.before


@dataclass
class CapacityReport:
    instance: str
    starts: list[StartCapacity]
    base_status: str
    notes: list[str] = field(default_factory=list)
    # The largest total intake over all the asked starts at once (one model); per start, the
    # others are held at the base plan, so the per-start maxima do not add up.
    joint: StartCapacity | None = None
    unit_answers: list[UnitAnswer] = field(default_factory=list)

    def by_kind(self) -> dict[str, dict[date, int]]:
        out: dict[str, dict[date, int]] = defaultdict(dict)
        for s in self.starts:
            for g in s.groups:
                out[g.kind][s.start] = out[g.kind].get(s.start, 0) + g.admitted
        return dict(out)


def starts_per_year(inst: Instance, programme: str) -> float:
    starts = sorted({c.start for c in inst.cohorts if c.programme == programme})
    if len(starts) < 2:
        return 1.0
    span = (starts[-1] - starts[0]).days / 365.25
    # n starts spread over ``span`` years: (n - 1) intervals
    return (len(starts) - 1) / span if span > 0 else float(len(starts))


def intake_capacity(inst: Instance, base_plan: list[Stint] | None = None,
                    time_limit: float = 10.0, workers: int = 1, seed: int = 0,
                    max_candidates: int = 60, marginal_units: int = 5,
                    starts: list[date] | None = None, base_status: str = "given",
                    progress=None, cuts: bool = True, joint: bool = True,
                    unit_add: tuple[str, int] | None = None) -> CapacityReport:
    """Maximal intake per start; binding units; marginal value of one more supervisor.

    ``base_plan``: stints of every trainee (the other starts are held at them); needed when
    the instance has more than one start. ``time_limit`` is per solve (per start and per
    marginal-value re-solve). ``marginal_units``: how many of the most often full units per
    start get a re-solve with one more supervisor (0: none). ``cuts``: the redundant
    aggregate cuts of :mod:`scheduler.whatif.cuts` (off: only seat-weeks per unit, as before).
    ``joint``: also the largest total intake over all asked starts in one model.
    ``unit_add``: (unit, k): the intake per start and jointly with k more supervisors there.
    """
    profiles = capacity_profiles(inst)
    all_starts = sorted({c.start for c in inst.cohorts})
    report = CapacityReport(inst.name, [], base_status)
    if base_plan is None:
        base_plan = []
        if len({t.start for t in inst.all_trainees()}) > 1:
            report.notes.append("no base plan: the other starts use no capacity (optimistic)")
    for st in starts or all_starts:
        res, plan = _solve_start(inst, st, base_plan, profiles, time_limit, workers, seed,
                                 max_candidates, cuts=cuts)
        if plan and marginal_units:
            for bnd in res.binding[:marginal_units]:
                more = dict(profiles)
                prof = profiles[bnd.unit]
                assert prof is not None
                more[bnd.unit] = [c + 1 for c in prof]
                # The maximal plan stays feasible with more capacity: start from it.
                r2, _ = _solve_start(inst, st, base_plan, more, time_limit, workers, seed,
                                     max_candidates, hint=plan, cuts=cuts)
                if r2.status in ("optimal", "feasible"):
                    bnd.marginal = max(0, r2.admitted - res.admitted)
            # Units whose extra supervisor admits more first: those are the real bottlenecks.
            res.binding.sort(key=lambda x: (-(x.marginal or 0), -x.weeks_full, x.unit))
        report.starts.append(res)
        if unit_add is not None:
            report.unit_answers.append(_unit_answer(
                inst, st, res, plan, unit_add, base_plan, profiles, time_limit, workers, seed,
                max_candidates, cuts))
        if progress:
            progress(res)
    asked = tuple(starts or all_starts)
    if joint and len(asked) > 1:
        report.joint, jplan = _solve_start(inst, asked, base_plan, profiles,
                                           time_limit * len(asked), workers, seed,
                                           max_candidates, cuts=cuts)
        if unit_add is not None:
            report.unit_answers.append(_unit_answer(
                inst, asked, report.joint, jplan, unit_add, base_plan, profiles,
                time_limit * len(asked), workers, seed, max_candidates, cuts))
    elif joint and report.starts:
        report.joint = report.starts[0]  # one start: the same question
    return report


def _unit_answer(inst: Instance, st: date | tuple[date, ...], res: StartCapacity,
                 plan: list[Stint], unit_add: tuple[str, int], base_plan: list[Stint],
                 profiles: dict, time_limit: float, workers: int, seed: int,
                 max_candidates: int, cuts: bool) -> UnitAnswer:
    uid, k = unit_add
    more = dict(profiles)
    prof = profiles[uid]
    if prof is not None:
        more[uid] = [max(0, c + k) for c in prof]
    r2, _ = _solve_start(inst, st, base_plan, more, time_limit, workers, seed, max_candidates,
                         hint=plan or None, cuts=cuts)
    kinds = "+".join(sorted({g.kind for g in res.groups})) or "-"
    ok = r2.status in ("optimal", "feasible") and res.status in ("optimal", "feasible")
    return UnitAnswer(uid, k, st if isinstance(st, date) else None, kinds, res.admitted,
                      r2.admitted if ok else None,
                      res.status == "optimal" and r2.status == "optimal")


def marginal_summary(inst: Instance, report: CapacityReport
                     ) -> list[tuple[str, str, str, int, float | None]]:
    """Per unit and programme kind: (unit, name, kind, starts where it binds, trainees more
    per year with one more supervisor).

    Per year = the mean over that kind's starts of the extra trainees at the start (0 where
    the unit did not bind) x the kind's starts per year.
    """
    n_starts: dict[str, int] = defaultdict(int)
    rate: dict[str, float] = {}
    for s in report.starts:
        for kind in {g.kind for g in s.groups}:
            n_starts[kind] += 1
        for g in s.groups:
            rate[g.kind] = max(rate.get(g.kind, 0.0), starts_per_year(inst, g.programme))
    agg: dict[tuple[str, str], list] = {}
    for s in report.starts:
        for kind in {g.kind for g in s.groups}:
            for b in s.binding:
                row = agg.setdefault((b.unit, kind), [b.name, 0, None])
                row[1] += 1
                if b.marginal is not None:  # tested; an untested unit stays None, not 0
                    row[2] = (row[2] or 0.0) + b.marginal * rate[kind] / n_starts[kind]
    return sorted(((u, n, k, c, None if v is None else round(v, 2))
                   for (u, k), (n, c, v) in agg.items()),
                  key=lambda x: (-(x[4] if x[4] is not None else -1), -x[3], x[0], x[2]))
