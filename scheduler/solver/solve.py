"""Solving: a first plan trainee by trainee, local re-plans, and the full model for the bound.

Why a decomposition: with 2 workers CP-SAT needs long to find a first tiling of ~160 blocks
that respects every unit's capacity at once. Planning trainee by trainee in start order, each
against the capacity the earlier ones left, takes ~0.1 s per trainee. The phases:

1. ``decompose``: the first plan (unit changes and staffing targets per trainee).
2. ``polish``: re-plans one trainee, a few identical peers, or a trainee with the trainees
   holding the units it needs, each against everybody else, while their own cost falls.
3. ``reassign``: with every stint's weeks and discipline kept, the best unit for each (single
   moves first, then exact per group of interchangeable units: staffing targets and peak
   utilisation).
4. ``touch_up``: one-trainee re-plans in one block per discipline with fewer stints (a hard
   cap), else with less fragmentation, each kept if the plan's whole cost falls. Phases 3
   and 4 take turns (``alternate``) while a round still pays.
5. ``improve``: re-plans small groups on the whole objective (staffing gaps, busiest units).
6. The full model (``PlacementModel`` over every trainee). With 2 or more workers it runs from
   the start on the cores the single-worker phases leave idle (``_Bounder``), for the bound and
   for any better plan; with one worker it runs last, warm-started with the plan so far.
   On large instances (``PORTFOLIO_MIN``) the second core instead computes the direct bound
   and runs phases 1-5 again with another seed and order, in a spawned process (``_Beside``);
   the full model runs only if neither finds a plan.

Phases 1-5 are ``_pipeline``.

The best plan of any phase is returned, judged by ``plan_cost`` (the solver's own arithmetic;
the checker recomputes every reported term independently).
"""

from __future__ import annotations

import math
import multiprocessing
import random
import signal
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import replace
from importlib.metadata import PackageNotFoundError, version
from itertools import groupby
from typing import Any

from ortools.sat.python import cp_model

from scheduler.domain import EXTENDING_LEAVE, Instance, Trainee
from scheduler.plan import Stint
from scheduler.result import Result, Status
from scheduler.solver.bounds import FloorCut, direct_bound, floor_cut
from scheduler.solver.cpsat import EarlyStop, complete_hint, make_solver, run
from scheduler.solver.model import (
    OVERRUN_WEIGHT,
    TERMS,
    PlacementModel,
    capacity_profiles,
    kind_key,
    min_stints,
    staffing_window,
    utilisation,
)

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

    def on_solution_callback(self) -> None:
        now = time.monotonic() - self.t0
        if self.first is None:
            self.first = now
        if self.progress:
            self.progress({"phase": "solve", "time": now, "objective": self.objective_value,
                           "bound": self.best_objective_bound})


def _full_params(time_limit: float, workers: int, seed: int) -> cp_model.CpSolver:
    """Parameters of the full model (beside the heuristics, or last)."""
    # Measured on Örebro (2 workers): symmetry detection and probing took ~13 s of
    # presolve and did not pay back in the bound within 120 s; without them the first
    # improving solution comes ~10 s earlier.
    return make_solver(max(0.1, time_limit), workers, seed, symmetry_level=0,
                       cp_model_probing_level=0)


def _cut_and_direct(instance: Instance, trainees: list[Trainee], least: dict[str, int],
                    profiles: dict, stop: Callable[[], bool] | None = None,
                    ) -> tuple[FloorCut | None, int | None]:
    """The bound's cut and the direct bound (hard capacity only; ``None`` if stopped)."""
    cut = floor_cut(instance, trainees, least, profiles, stop=stop)
    if cut is None:
        return None, None
    return cut, direct_bound(instance, trainees, least, cut, profiles)


def _solve_part(instance: Instance, trainees: list, fixed: list[Stint], budget: float,
                seed: int, profiles: dict, contiguous: bool, least: dict[str, int],
                terms: tuple[str, ...] = ("unit_changes",),
                soft_capacity: bool = False,
                hint: list[Stint] | None = None,
                patience: float | None = None,
                outcome: list[int] | None = None,
                presolve: bool = True,
                max_stints: int | None = None) -> list[Stint] | None:
    # Contiguous blocks make fragmentation zero by construction; the free fallback minimises
    # unit changes, then fragmentation from there, and the last resort (``terms=()``) only
    # looks for a feasible plan.
    # The stint minima let the solver prove a one-trainee plan optimal as soon as it has one.
    pm = PlacementModel(instance, trainees, external=fixed, profiles=profiles, terms=terms,
                        contiguous=contiguous, min_stints=least, soft_capacity=soft_capacity)
    if max_stints is not None:
        pm.model.add(sum(o.presence for td in pm.data for o in td.options) <= max_stints)
    if hint:
        pm.hint(hint)
        # CP-SAT often drops a hint without values for the helper variables (measured: a
        # 7-trainee re-plan started at 4 265 from a hint worth 965), so complete it first.
        complete_hint(pm, min(1.0, budget / 2), seed)
    solver = make_solver(max(0.1, budget), 1, seed, cp_model_presolve=presolve)
    stopper = EarlyStop(patience=patience or min(0.15, budget / 4),
                         has_objective=bool(pm.weights), reset=patience is not None)
    status = run(solver, pm.model, stopper)
    stopper.cancel()
    if outcome is not None:  # the caller tells "proven impossible" from "not found in time"
        outcome.append(int(status))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return pm.extract(solver)


def _keep_part(instance: Instance, t: Trainee, stints: list[Stint], fixed: list[Stint],
               profiles: dict) -> list[Stint] | None:
    """The trainee's stints of an earlier plan if they still fit (warm start of a variant).

    A feasibility check with every stint variable fixed to the old plan: a closed unit, a
    changed programme or the capacity the earlier trainees left make it fail (``None``).
    """
    pm = PlacementModel(instance, [t], external=fixed, profiles=profiles, terms=())
    pm.hint(stints)
    solver = make_solver(1.0, 1, 0, fix_variables_to_their_hinted_value=True)
    status = run(solver, pm.model)
    return pm.extract(solver) if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None



def decompose(instance: Instance, time_limit: float, seed: int,
              progress: Progress | None = None, least: dict[str, int] | None = None,
              attempt: int = 0, profiles: dict | None = None,
              keep: dict[str, list[Stint]] | None = None,
              soft_capacity: bool = False,
              stop: Callable[[], bool] | None = None) -> list[Stint] | None:
    """A first plan, trainee by trainee in start order; ``None`` if none is found in time.

    ``keep``: stints per trainee id of an earlier plan (e.g. the base plan of a what-if
    variant), kept for every trainee they still fit instead of solving it again.

    Each trainee is planned against the capacity the earlier ones left, minimising their own
    unit changes with each discipline kept in one block (a one-trainee solve takes ~0.1 s),
    else freely, else with any feasible plan. When a trainee finds no room, its whole intake
    (then with one or two earlier intakes) is re-planned jointly before giving up. Solving
    two trainees speculatively in parallel threads was measured slower on 2 cores.
    """
    trainees = sorted(instance.all_trainees(), key=lambda t: (t.start, t.programme, t.site))
    groups = [list(g) for _, g in groupby(trainees, key=lambda t: t.start)]
    if attempt:  # a retry plans each intake's trainees in another order
        rng = random.Random(seed + attempt)
        for grp in groups:
            rng.shuffle(grp)
    plans: list[list[Stint]] = []  # one entry per planned intake, so back-steps can drop some
    t0 = time.monotonic()
    profiles = profiles or capacity_profiles(instance)
    if least is None:
        least = min_stints(instance, trainees, profiles=profiles)

    def flat(parts: list[list[Stint]]) -> list[Stint]:
        return [s for part in parts for s in part]

    def left() -> float:  # ``stop``: the full model beside proved the instance infeasible
        return 0.0 if stop and stop() else time_limit - (time.monotonic() - t0)

    # Identical trainees (same programme, site and start) for whom contiguous blocks are
    # proven impossible, or were not found in time twice, make the next ones skip straight to
    # a fragmented plan: proving "no contiguous plan" can take seconds, finding a fragmented
    # plan a fraction of one. (Skipping after the first time-out, as before, left whole
    # intakes fragmented by one slow solve: first plans of Örebro ranged from 82 to 715
    # weeks of fragmentation between orders.)
    no_blocks: set[tuple] = set()
    misses: dict[tuple, int] = {}
    w_changes, w_frag = instance.weights.unit_changes, instance.weights.fragmentation
    # Staffing targets in each trainee's solve, but only in the first 6 % of the time limit.
    # Measured (idle 2-core VM, 120 s): with them throughout, Örebro's first plan left 58
    # instead of ~184 empty vårdcentral weeks (gap 11.3 % against 14.8 %) and Uppsala's gap
    # was 6.3 % against 18.9 %, but Örebro's first plan took 32.8 s instead of 18.6 s, past
    # the 30 s target: a one-trainee model cannot prove its staffing optimum, so each solve
    # runs to its patience (0.18 s against 0.09 s). With 12 % the first plan took 28.6-34 s
    # (3 seeds, with the bound's cut computed beside it); with 6 % about 23 s, 101-129 weeks
    # short either way.
    staff_until = 0.06 * time_limit
    for g, group in enumerate(groups):
        mine: list[Stint] | None = []
        for t in group:
            assert mine is not None
            if left() <= 0:  # the time limit is a promise to batch runs
                return None
            fixed = flat(plans) + mine
            budget = max(0.5, min(2.0, left() / 4))
            part = None
            if keep and keep.get(t.id):
                part = _keep_part(instance, t, keep[t.id], fixed, profiles)
            if part is None and kind_key(t) not in no_blocks:
                # Hard capacity first even when soft: a plan within capacity has no overrun,
                # and the hard model is found about twice as fast (Örebro, measured).
                outcome: list[int] = []
                first_terms: tuple[str, ...] = ("unit_changes",)
                if time.monotonic() - t0 < staff_until:
                    first_terms += ("staffing_shortfall",)
                # Without staffing the one-trainee model is proven optimal at once; presolve
                # then is most of its time (measured on Örebro: 0.02-0.045 s a solve without,
                # 0.04-0.09 s with). With staffing it pays (proofs, not time-outs).
                part = _solve_part(instance, [t], fixed, min(0.5, budget), seed, profiles, True,
                                   least, terms=first_terms, outcome=outcome,
                                   presolve=len(first_terms) > 1)
                if part is None:
                    misses[kind_key(t)] = misses.get(kind_key(t), 0) + 1
                    if outcome == [cp_model.INFEASIBLE] or misses[kind_key(t)] >= 2:
                        no_blocks.add(kind_key(t))
            if part is None:  # no contiguous plan in time: let this trainee fragment
                part = _solve_part(instance, [t], fixed, budget, seed, profiles, False, least,
                                   soft_capacity=soft_capacity)
                if part is not None and w_frag and _own_cost(part, 0, 1) > 0:
                    # ... as little as it can, starting from that plan. Measured: minimising
                    # unit changes alone left ~2 300 weeks of fragmentation on Örebro for
                    # polishing to repair; fragmentation in the objective from scratch cut it
                    # to ~700 there but raised Uppsala's from 21 to ~440 (its early stop
                    # settles for worse first solutions); from the hint it can only improve.
                    better = _solve_part(instance, [t], fixed, budget, seed, profiles, False,
                                         least, terms=("unit_changes", "fragmentation"),
                                         soft_capacity=soft_capacity, hint=part)
                    if better is not None and (_own_cost(better, w_changes, w_frag)
                                               < _own_cost(part, w_changes, w_frag)):
                        part = better
            if part is None:  # any feasible plan for this trainee
                part = _solve_part(instance, [t], fixed, max(1.0, min(10.0, left() / 2)), seed,
                                   profiles, False, least, terms=(),
                                   soft_capacity=soft_capacity)
            if part is None:
                mine = None
                break
            mine.extend(part)
        back = 0
        while mine is None and back <= min(2, g):
            if left() <= 0:
                return None
            joint = [t for grp in groups[g - back:g + 1] for t in grp]
            kept = plans[:g - back]
            # Joint models of several intakes rarely pay after ~10 s; a retry in another
            # order (see solve) is then the better use of the time.
            part = _solve_part(instance, joint, flat(kept), min(10.0, left() / 2), seed,
                               profiles, False, least, terms=(),
                               soft_capacity=soft_capacity)
            if part is not None:
                plans = kept + [[] for _ in range(back)]
                mine = part
            back += 1
        if mine is None:
            return None
        plans.append(mine)
        if progress:
            progress({"phase": "decompose", "done": sum(map(len, groups[:g + 1])),
                      "of": len(trainees), "time": time.monotonic() - t0})
    return flat(plans)


def _own_cost(stints: list[Stint], w_changes: int, w_frag: int) -> int:
    """One trainee's unit changes and fragmentation, weighted (as in docs/MODEL.md)."""
    spans: dict[str, list[Stint]] = {}
    for st in stints:
        spans.setdefault(st.discipline, []).append(st)
    frag = sum((max(x.end for x in ss) - min(x.start for x in ss)).days // 7
               - sum(x.weeks for x in ss) for ss in spans.values())
    return w_changes * (len(stints) - 1) + w_frag * frag


def _excess(instance: Instance, stints: list[Stint], least: int) -> int:
    """A trainee's own cost (unit changes, fragmentation) above the least it could have."""
    w = instance.weights
    return (_own_cost(stints, w.unit_changes, w.fragmentation)
            - w.unit_changes * (least - 1))


def polish(instance: Instance, plan: list[Stint], time_limit: float, seed: int,
           least: dict[str, int], progress: Progress | None = None,
           profiles: dict | None = None,
           stop: Callable[[], bool] | None = None) -> list[Stint]:
    """Re-plan one trainee at a time against everybody else's stints while it pays.

    A cheap large-neighbourhood search over the trainees whose own cost (unit changes above
    their minimum, fragmentation) is highest; the full model then works on the global terms.
    """
    t0 = time.monotonic()
    w = instance.weights

    def remaining() -> float:  # ``stop``: the plan is proven optimal (or nothing is left to do)
        return 0.0 if stop and stop() else time_limit - (time.monotonic() - t0)

    profiles = profiles or capacity_profiles(instance)
    by_t: dict[str, list[Stint]] = {}
    for st in plan:
        by_t.setdefault(st.trainee, []).append(st)
    trainees = {t.id: t for t in instance.all_trainees()}

    def excess(tid: str) -> int:
        return _excess(instance, by_t[tid], least.get(tid, 1))

    order = sorted((tid for tid in by_t if excess(tid) > 0), key=excess, reverse=True)
    improved = 0
    staffing = _Staffing(instance, by_t)
    rng = random.Random(seed)
    peers: dict[tuple, list[str]] = {}
    for tid in by_t:
        peers.setdefault(kind_key(trainees[tid]), []).append(tid)

    def alone(tids: list[str], until: float = 0.2) -> int:
        """Re-plan each costly trainee by itself against everybody else; keep what is cheaper."""
        n = 0
        for tid in tids:
            left = remaining()
            if left <= until:
                break
            if excess(tid) <= 0:
                continue
            others = [st for k, ss in by_t.items() if k != tid for st in ss]
            t = trainees[tid]
            new = _solve_part(instance, [t], others, min(1.0, left), seed, profiles, True, least)
            if new is None and w.fragmentation:
                # From its current rotation (always feasible: nobody else moved), until 0.5 s
                # without improvement; from scratch with the default early stop it kept
                # fragmented plans worse than the one it had.
                new = _solve_part(instance, [t], others, min(2.0, remaining()), seed, profiles,
                                  False, least, terms=("unit_changes", "fragmentation"),
                                  hint=by_t[tid], patience=0.5)
            if new is not None and (_own_cost(new, w.unit_changes, w.fragmentation)
                                    - _own_cost(by_t[tid], w.unit_changes, w.fragmentation)
                                    + staffing.delta(by_t[tid], new) < 0):
                staffing.apply(by_t[tid], new)
                by_t[tid] = new
                n += 1
        return n

    improved += alone(order)

    def replan_group(group: list[str], budget: float, group_seed: int) -> int:
        """Re-plan ``group`` jointly against everybody else; keep it if their cost falls."""
        others = [st for k, ss in by_t.items() if k not in group for st in ss]
        new = _solve_part(instance, [trainees[k] for k in group], others, budget, group_seed,
                          profiles, False, least, terms=("unit_changes", "fragmentation"),
                          hint=[st for k in group for st in by_t[k]], patience=0.5)
        if new is None:
            return 0
        new_by = {k: [st for st in new if st.trainee == k] for k in group}
        before = sum(_own_cost(by_t[k], w.unit_changes, w.fragmentation) for k in group)
        after = sum(_own_cost(new_by[k], w.unit_changes, w.fragmentation) for k in group)
        old = [st for k in group for st in by_t[k]]
        if after - before + staffing.delta(old, new) >= 0:
            return 0
        staffing.apply(old, new)
        by_t.update(new_by)
        return 1

    # Second pass: a trainee that cannot improve alone is re-planned together with a few
    # identical peers from the same intake, who can give up the weeks it needs.
    for tid in order:
        left = remaining()
        if left <= 0.5 or excess(tid) <= 0:
            continue
        group = [tid] + rng.sample([p for p in peers[kind_key(trainees[tid])] if p != tid],
                                   k=min(3, len(peers[kind_key(trainees[tid])]) - 1))
        improved += replan_group(group, min(3.0, left), seed)
    # Third pass, while time is left: a costly trainee together with a few competitors, the
    # trainees of other intakes holding the units it needs while its block runs. On Örebro the
    # fragmentation left after the first passes sat in the last intakes (7 trainees carried
    # all of it in one 120 s run), squeezed by earlier intakes that took the capacity first;
    # only moving those can free it.
    # The group re-plans move trainees around the costly ones (and may leave one of a group
    # costlier for the group's sake), which often makes room for them alone later: each
    # round starts with, and polishing ends with, a sweep of one-trainee re-plans (~0.2 s
    # each), with a few seconds kept for the last one. Measured on a polished Örebro plan
    # (loaded machine): 5 trainees with 65-155 above their least own cost each had a plan in
    # one block per discipline at 10 above it, found alone.
    def costly() -> list[str]:
        return sorted((k for k in by_t if excess(k) > 0), key=excess, reverse=True)

    reserve = min(5.0, 0.1 * time_limit)
    rounds = 0
    while True:
        if rounds:
            improved += alone(costly(), until=reserve)
        if not costly():
            break
        for tid in costly():
            left = remaining() - reserve
            if left <= 1.0:
                break
            rivals = _competitors(instance, trainees[tid], by_t, tid)
            if not rivals:
                continue
            group = [tid] + rng.sample(rivals[:10], k=min(4, len(rivals[:10])))
            improved += replan_group(group, min(4.0, left), seed + rounds)
        rounds += 1
        if remaining() - reserve <= 1.0 or rounds >= 5:
            break
    improved += alone(costly())
    if progress:
        progress({"phase": "polish", "improved": improved, "of": len(order),
                  "time": time.monotonic() - t0})
    return [st for ss in by_t.values() for st in ss]


def _competitors(instance: Instance, t: Trainee, by_t: dict[str, list[Stint]],
                 tid: str) -> list[str]:
    """Other trainees with stints in units ``t`` may use, in the weeks of ``t``'s block.

    Ranked by the weeks they hold there, most first.
    """
    mine = by_t[tid]
    a, b = min(s.start for s in mine), max(s.end for s in mine)
    needs = {s.discipline for s in mine}
    usable = {u.id for u in instance.units
              if u.takes(t.programme) and (u.region_wide or u.site == t.site)
              and needs & set(u.disciplines) and u.capacity is not None}
    held: dict[str, int] = {}
    for k, ss in by_t.items():
        if k == tid:
            continue
        for s in ss:
            if s.unit in usable:
                ov = (min(s.end, b) - max(s.start, a)).days // 7
                if ov > 0:
                    held[k] = held.get(k, 0) + ov
    return sorted(held, key=lambda k: -held[k])


def plan_cost(instance: Instance, stints: list[Stint], profiles: dict,
              soft_capacity: bool = False) -> tuple[int, dict[str, int]]:
    """The weighted objective of a plan and its unweighted terms, from the stints alone.

    The solver's own arithmetic (docs/MODEL.md, "Objective"), used to compare plans between
    phases: a CP-SAT objective can sit above a plan's true cost (one-sided helper variables,
    a hint completed only in part). The checker recomputes the reported values independently.
    """
    n, w = instance.n_weeks, instance.weights
    by_t: dict[str, list[Stint]] = {}
    for st in stints:
        by_t.setdefault(st.trainee, []).append(st)
    load = _loads(instance, by_t)
    empty = [0] * n
    short = sum(missing for _, _, missing in _short_weeks(instance, load))
    peaks: dict[frozenset[str], int] = {}
    overrun = 0
    for u in instance.units:
        prof = profiles[u.id]
        if prof is None:
            continue
        row = load.get(u.id, empty)
        overrun += sum(max(0, x - c) for x, c in zip(row, prof, strict=True))
        if sum(prof) > 0:
            cls = frozenset(u.disciplines)
            peaks[cls] = max(peaks.get(cls, 0), utilisation(sum(row), prof))
    terms = {"unit_changes": sum(len(ss) - 1 for ss in by_t.values()),
             "fragmentation": sum(_own_cost(ss, 0, 1) for ss in by_t.values()),
             "staffing_shortfall": short, "peak_utilisation": sum(peaks.values())}
    total = sum(getattr(w, t) * v for t, v in terms.items())
    if soft_capacity:
        terms["capacity_overrun"] = overrun
        total += OVERRUN_WEIGHT * overrun
    return total, terms


def reassign(instance: Instance, plan: list[Stint], profiles: dict, time_limit: float,
             seed: int, stop: Callable[[], bool] | None = None) -> list[Stint]:
    """The best unit for every stint with its weeks and discipline kept (exact per part).

    Unit changes and fragmentation depend only on each trainee's stints' weeks and
    disciplines, so moving a stint to another unit that may take it changes only the shared
    terms: staffing targets and peak utilisation. For fixed weeks capacity is linear. Why: on
    polished Örebro plans the vårdcentraler held 27-32 trainees in weeks with 6 of them empty
    (two-seat centres doubled up while single-seat ones stood empty), which re-plans of a few
    trainees at a time seldom undo. The stints fall into parts that share no unit (the
    vårdcentraler, psychiatry, each site's hospital units); each part is one model, solved
    with the rest fixed (one model of all of Örebro's stints improved far more slowly).
    Trainees with locked stints, extending leave or an opening rule keep their units, so the
    exceptions of the repeat and order rules are never touched.
    """
    w = instance.weights
    if not (w.staffing_shortfall or w.peak_utilisation):
        return plan
    t0 = time.monotonic()
    trainees = {t.id: t for t in instance.all_trainees()}
    cands: list[list[str]] = []
    for st in plan:
        t = trainees[st.trainee]
        prog = instance.programme(t.programme)
        units = [st.unit]
        if not (t.locked or prog.starts_with
                or any(lv.kind in EXTENDING_LEAVE for lv in t.leave)):
            for u in instance.units:
                lo, hi = u.stint_range(prog.id)
                if (u.id != st.unit and u.takes(prog.id) and st.discipline in u.disciplines
                        and (u.region_wide or u.site == t.site)
                        and lo <= st.weeks and (hi is None or st.weeks <= hi)):
                    units.append(u.id)
        cands.append(units)
    # Parts: units linked by a stint that may be at either (union-find).
    root: dict[str, str] = {}

    def find(x: str) -> str:
        while root.setdefault(x, x) != x:
            root[x] = root[root[x]]
            x = root[x]
        return x

    for units in cands:
        for uid in units[1:]:
            root[find(uid)] = find(units[0])
    parts: dict[str, list[int]] = {}
    for i, units in enumerate(cands):
        if len(units) > 1:
            parts.setdefault(find(units[0]), []).append(i)
    out = _relocate(instance, list(plan), cands, profiles, 0.2 * time_limit, stop)
    # Most parts are solved to optimality in a fraction of a second; a part that is not gets
    # a share of the time left in a second pass.
    todo = sorted(parts.values(), key=len)
    for second in (False, True):
        unfinished = []
        for j, idx in enumerate(todo):
            left = time_limit - (time.monotonic() - t0)
            if left <= 0.2 or (stop and stop()):
                return out
            budget = left / (len(todo) - j) if second else min(1.0, left / (len(todo) - j))
            if second and w.staffing_shortfall and w.peak_utilisation:
                # The staffing rows alone first (peaks capped), then both terms from there.
                # The peak terms (a max over a class) give the LP little to work with:
                # measured on the vårdcentral part of one polished Örebro plan (158 stints,
                # 12 s, four stint orders), one worker kept all 180 empty weeks with both
                # terms; the staffing rows alone were solved to 5 (optimal) in 7-10 s.
                out, _ = _reassign_part(instance, out, cands, set(idx), profiles,
                                        0.7 * budget, seed, peak=False)
                budget = max(0.1, time_limit - (time.monotonic() - t0)) / (len(todo) - j)
            out, optimal = _reassign_part(instance, out, cands, set(idx), profiles, budget,
                                          seed)
            if not optimal:
                unfinished.append(idx)
        todo = unfinished
    return out


def _relocate(instance: Instance, plan: list[Stint], cands: list[list[str]], profiles: dict,
              time_limit: float, stop: Callable[[], bool] | None = None) -> list[Stint]:
    """Moves of single stints to another unit each may take (weeks kept) while staffing
    shortfall plus peak utilisation falls: a local search before ``reassign``'s exact parts.

    Why: the exact vårdcentral part's peak terms (a max over the class) give its LP little to
    work with, and one worker seldom lowers them. Measured on one polished Örebro plan
    (158 vårdcentral stints): 2.7 s of moves took peak utilisation from 399 to 377, and the
    staffing rows then solved from there kept it (empty weeks 180 -> 5).
    """
    w = instance.weights
    t0 = time.monotonic()
    n = instance.n_weeks
    wins = {u.id: staffing_window(instance, u) for u in instance.units}
    staffed = {uid for uid, win in wins.items() if win is not None}
    movable = [i for i, units in enumerate(cands) if len(units) > 1 and staffed & set(units)]
    if not movable or not w.staffing_shortfall:
        return plan
    cls_of = {u.id: frozenset(u.disciplines) for u in instance.units
              if profiles[u.id] is not None and sum(profiles[u.id]) > 0}
    members: dict[frozenset[str], list[str]] = {}
    for uid, c in cls_of.items():
        members.setdefault(c, []).append(uid)
    load: dict[str, list[int]] = {}
    total: dict[str, int] = {}
    used: dict[tuple[str, str, str], int] = {}
    span = []
    for st in plan:
        a, b = max(0, instance.week_index(st.start)), min(n, instance.week_index(st.end))
        span.append((a, b))
        row = load.setdefault(st.unit, [0] * n)
        for k in range(a, b):
            row[k] += 1
        total[st.unit] = total.get(st.unit, 0) + st.weeks
        key = (st.trainee, st.unit, st.discipline)
        used[key] = used.get(key, 0) + 1

    def peak(c: frozenset[str]) -> int:
        return max(utilisation(total.get(u, 0), profiles[u]) for u in members[c])

    def local(cells: set[tuple[str, int]], classes: set[frozenset[str]]) -> int | None:
        """Shortfall and peaks over the cells and classes a move touches; None if a cell is
        over capacity."""
        cost = 0
        for uid, k in cells:
            x = load.get(uid, [0] * n)[k]
            prof = profiles[uid]
            if prof is not None and x > prof[k]:
                return None
            win = wins[uid]
            if win is not None and win[0] <= k < win[1]:
                cost += w.staffing_shortfall * max(0, win[2] - x)
        return cost + w.peak_utilisation * sum(peak(c) for c in classes)

    def shift(i: int, uid: str, sign: int) -> None:
        st = plan[i]
        row = load.setdefault(uid, [0] * n)
        for k in range(*span[i]):
            row[k] += sign
        total[uid] = total.get(uid, 0) + sign * st.weeks
        key = (st.trainee, uid, st.discipline)
        used[key] = used.get(key, 0) + sign

    def move(i: int, uid: str) -> bool:
        """Put stint ``i`` at ``uid``; keep it if the touched cost falls."""
        st, was = plan[i], plan[i].unit
        if used.get((st.trainee, uid, st.discipline), 0):  # one stint per unit and discipline
            return False
        cells = {(u, k) for u in (was, uid) for k in range(*span[i])}
        classes = {cls_of[u] for u in (was, uid) if u in cls_of}
        before = local(cells, classes)
        shift(i, was, -1)
        shift(i, uid, 1)
        after = local(cells, classes)
        if after is not None and before is not None and after < before:
            plan[i] = replace(st, unit=uid, site=instance.unit(uid).site)
            return True
        shift(i, uid, -1)
        shift(i, was, 1)
        return False

    improved = True
    while improved and time.monotonic() - t0 < time_limit and not (stop and stop()):
        improved = False
        for i in movable:
            for uid in cands[i]:
                if uid != plan[i].unit and move(i, uid):
                    improved = True
                    break
    return plan


def _reassign_part(instance: Instance, plan: list[Stint], cands: list[list[str]],
                   movable: set[int], profiles: dict, budget: float,
                   seed: int, peak: bool = True) -> tuple[list[Stint], bool]:
    """``reassign`` for the stints ``movable``, everybody else's units fixed; the plan and
    whether its part is proven optimal. ``peak=False``: the staffing rows only (the plan is
    still kept only if its whole cost falls)."""
    w = instance.weights
    n = instance.n_weeks
    m = cp_model.CpModel()
    touched = {uid for i in movable for uid in cands[i]}
    lits: dict[int, list[tuple[str, Any]]] = {}
    by_uw: dict[tuple[str, int], list[Any]] = {}
    weeks_at: dict[str, list[tuple[int, Any]]] = {}
    repeat: dict[tuple[str, str, str], list[Any]] = {}
    for i, st in enumerate(plan):
        units = cands[i] if i in movable else [st.unit]
        if not touched.intersection(units):
            continue
        a, b = instance.week_index(st.start), instance.week_index(st.end)
        opts: list[tuple[str, Any]] = [(uid, m.new_bool_var("") if len(units) > 1 else 1)
                                       for uid in units]
        for uid, x in opts:
            for k in range(max(0, a), min(n, b)):
                by_uw.setdefault((uid, k), []).append(x)
            weeks_at.setdefault(uid, []).append((st.weeks, x))
            repeat.setdefault((st.trainee, uid, st.discipline), []).append(x)
        if len(opts) > 1:
            m.add_exactly_one([x for _, x in opts])
            for uid, x in opts:  # the plan's unit (``_relocate`` may have moved it)
                m.add_hint(x, int(uid == st.unit))
            lits[i] = opts
    # Rows of constants only (stints that stay) hold already: a stint resumed after leave
    # may stand twice at one unit, and must not make the part infeasible.
    for xs in repeat.values():
        if len(xs) > 1 and not all(isinstance(x, int) for x in xs):
            m.add(sum(xs) <= 1)
    for (uid, k), xs in by_uw.items():
        prof = profiles[uid]
        if prof is not None and not all(isinstance(x, int) for x in xs):
            m.add(sum(xs) <= prof[k])
    # The current plan's values of the helper variables, for a complete hint.
    by_t: dict[str, list[Stint]] = {}
    for st in plan:
        by_t.setdefault(st.trainee, []).append(st)
    now = _loads(instance, by_t)
    short = []
    for u in instance.units:
        win = staffing_window(instance, u)
        if win is None or not w.staffing_shortfall or u.id not in touched:
            continue
        a, b, want = win
        for k in range(a, b):
            cov = m.new_int_var(0, want, "")
            m.add(cov <= sum(by_uw.get((u.id, k), [])))
            m.add_hint(cov, min(want, now[u.id][k] if u.id in now else 0))
            short.append(want - cov)
    peaks: list[Any] = []
    if w.peak_utilisation and not peak:
        # Every unit's utilisation capped at its class's current peak: linear rows instead
        # of the max, so the peak term cannot rise while the staffing rows are solved.
        now_peak: dict[frozenset[str], int] = {}
        for u in instance.units:
            prof = profiles[u.id]
            if prof is not None and sum(prof) > 0:
                c = frozenset(u.disciplines)
                now_peak[c] = max(now_peak.get(c, 0), utilisation(sum(now.get(u.id, ())), prof))
        for u in instance.units:
            prof = profiles[u.id]
            if u.id in touched and prof is not None and sum(prof) > 0:
                load = sum(wk * x for wk, x in weeks_at.get(u.id, []))
                m.add(100 * load <= now_peak[frozenset(u.disciplines)] * sum(prof))
    if w.peak_utilisation and peak:
        classes: dict[frozenset[str], list[Any]] = {}
        for u in instance.units:
            prof = profiles[u.id]
            if prof is None or sum(prof) == 0:
                continue
            cls = classes.setdefault(frozenset(u.disciplines), [])
            util_now = utilisation(sum(now.get(u.id, ())), prof)
            if u.id not in touched:
                cls.append((util_now, util_now))  # a constant here
                continue
            load = sum(wk * x for wk, x in weeks_at.get(u.id, []))
            util = m.new_int_var(0, 100 * n * len(plan) // sum(prof) + 1, "")
            m.add(util * sum(prof) >= 100 * load)
            m.add_hint(util, util_now)
            cls.append((util, util_now))
        for members in classes.values():
            if all(isinstance(v, int) for v, _ in members):
                continue
            peak_v = m.new_int_var(0, 100 * n * len(plan), "")
            for v, _ in members:
                m.add(peak_v >= v)
            m.add_hint(peak_v, max(x for _, x in members))
            peaks.append(peak_v)
    m.minimize(w.staffing_shortfall * sum(short) + w.peak_utilisation * sum(peaks))
    # Measured on the vårdcentral part of a polished Örebro plan (158 stints, 10 s): 402 with
    # the default linearisation, 80 with level 2 (the coverage rows in the LP).
    solver = make_solver(max(0.1, budget), 1, seed, linearization_level=2)
    if not peak:  # measured on that part: optimal in 6 s without symmetry detection, 9 s with
        solver.parameters.symmetry_level = 0
    status = run(solver, m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return plan, False
    out = list(plan)
    for i, opts in lits.items():
        uid = next(u for u, x in opts if solver.value(x))
        if uid != plan[i].unit:
            out[i] = replace(plan[i], unit=uid, site=instance.unit(uid).site)
    better = plan_cost(instance, out, profiles)[0] < plan_cost(instance, plan, profiles)[0]
    return (out if better else plan), status == cp_model.OPTIMAL


def improve(instance: Instance, plan: list[Stint], time_limit: float, seed: int,
            least: dict[str, int], profiles: dict, progress: Progress | None = None,
            soft_capacity: bool = False,
            on_better: Callable[[int], None] | None = None,
            stop: Callable[[], bool] | None = None) -> list[Stint]:
    """Large-neighbourhood search on the whole objective (every term, every trainee).

    ``polish`` only lowers each trainee's own cost; staffing targets and peak utilisation
    depend on how trainees share units, and the full model improves a plan of Örebro's size
    slowly (it also needs seconds of presolve per start). Each step re-plans a few trainees
    jointly with the full objective against everybody else's stints (one worker, about a
    second) and keeps the result if the plan's cost falls. Neighbourhoods aim at where the
    cost is: a week a vårdcentral stands empty (trainees who could be there then), the
    busiest unit of a class (its trainees and those of the quietest units), a trainee
    above its own minimum cost with its competitors.
    """
    t0 = time.monotonic()
    trainees = {t.id: t for t in instance.all_trainees()}
    by_t: dict[str, list[Stint]] = {}
    for st in plan:
        by_t.setdefault(st.trainee, []).append(st)
    cost, _ = plan_cost(instance, plan, profiles, soft_capacity)
    start_cost = cost
    rng = random.Random(seed)
    steps = kept = 0
    hoods = (_hood_staffing, _hood_peak, _hood_costly)
    while True:
        left = 0.0 if stop and stop() else time_limit - (time.monotonic() - t0)
        if left <= 0.3:
            break
        hood = hoods[steps % len(hoods)]
        steps += 1
        group, relieve = hood(instance, trainees, by_t, profiles, least, rng)
        if not group:
            continue
        others = [st for k, ss in by_t.items() if k not in group for st in ss]
        # Without the peak term: its max over a class of ceil-divided utilisations gives
        # the sub-model a weak relaxation, and measured on Örebro no 5-trainee re-plan with
        # it improved in 5 s, while without it one cut the sub-objective by a third in 3.5 s.
        # The peak is lowered instead by asking the busiest unit's trainees to give up
        # weeks there (``relieve``); every step is judged by the plan's whole cost.
        pm = PlacementModel(instance, [trainees[k] for k in group], external=others,
                            profiles=profiles, min_stints=least, soft_capacity=soft_capacity,
                            terms=tuple(t for t in TERMS if t != "peak_utilisation"))
        if relieve is not None:
            held = sum(st.weeks for k in group for st in by_t[k] if st.unit == relieve)
            pm.model.add(sum(o.size for o in pm.by_unit.get(relieve, []) if not o.fixed)
                         <= held - 1)
        pm.hint([st for k in group for st in by_t[k]])
        complete_hint(pm, min(0.5, left / 2), seed)
        solver = make_solver(max(0.1, min(2.0, left)), 1, seed + steps, symmetry_level=0)
        stopper = EarlyStop(patience=0.5, reset=True)
        status = run(solver, pm.model, stopper)
        stopper.cancel()
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue
        new = pm.extract(solver)
        new_cost, _ = plan_cost(instance, others + new, profiles, soft_capacity)
        if new_cost < cost:
            cost = new_cost
            kept += 1
            if on_better:
                on_better(cost)
            for k in group:
                by_t[k] = [st for st in new if st.trainee == k]
    if progress:
        progress({"phase": "improve", "steps": steps, "kept": kept, "from": start_cost,
                  "to": cost, "time": time.monotonic() - t0})
    return [st for ss in by_t.values() for st in ss]


def touch_up(instance: Instance, plan: list[Stint], time_limit: float, seed: int,
             least: dict[str, int], profiles: dict,
             on_better: Callable[[int], None] | None = None,
             stop: Callable[[], bool] | None = None) -> list[Stint]:
    """One-trainee re-plans after ``reassign``, each kept if the plan's whole cost falls.

    ``reassign`` moves stints between interchangeable units, which frees weeks that polishing
    could not use. Each trainee above its own minimum cost is asked for a rotation in one
    block per discipline with fewer stints than it has (as many, if it is fragmented): a
    hard cap, not an objective. A fragmented trainee for whom there is none is then
    re-planned freely for less fragmentation, from the rotation it has (measured on two
    finished Örebro plans where the capped re-plans found nothing more: 12 249 -> 11 823
    and 11 718 -> 11 684). Why: measured on a finished Örebro plan (11 981), one-trainee
    solves minimising unit changes kept 10-stint rotations for trainees where the capped
    model found 9 stints in 0.1-0.5 s or proved none in one block exists in 0.2-0.6 s; a
    sweep of the capped model cut the plan's cost by ~190.
    """
    t0 = time.monotonic()
    trainees = {t.id: t for t in instance.all_trainees()}
    by_t: dict[str, list[Stint]] = {}
    for st in plan:
        by_t.setdefault(st.trainee, []).append(st)
    cost, _ = plan_cost(instance, plan, profiles)

    def excess(tid: str) -> int:
        return _excess(instance, by_t[tid], least.get(tid, 1))

    tried: set[tuple] = set()
    units_for: dict[str, set[str]] = {}
    while True:
        todo = sorted((k for k in by_t if excess(k) > 0), key=excess, reverse=True)
        kept = 0
        for tid in todo:
            left = 0.0 if stop and stop() else time_limit - (time.monotonic() - t0)
            if left <= 0.2:
                return [st for ss in by_t.values() for st in ss]
            t = trainees[tid]
            others = [st for k, ss in by_t.items() if k != tid for st in ss]
            mine = by_t[tid]
            cap = len(mine) - (0 if _own_cost(mine, 0, 1) else 1)
            # The answer depends only on the seats (and staffing) left in the units the
            # trainee may use while its block runs: the same context, the same answer.
            a, b = min(s.start for s in mine), max(s.end for s in mine)
            usable = units_for.setdefault(tid, {u.id for u in instance.units
                                                if _can_take(instance, t, u.id)})
            key = (tid, cap, tuple(sorted((s.unit, s.start, s.end) for s in others
                                          if s.unit in usable and s.start < b and s.end > a)))
            free = bool(_own_cost(mine, 0, 1)) and (key, "free") not in tried
            if key in tried and not free:
                continue
            new = None
            if key not in tried:
                outcome: list[int] = []
                new = _solve_part(instance, [t], others, min(1.0, left), seed, profiles, True,
                                  least, terms=("unit_changes", "staffing_shortfall"),
                                  max_stints=cap, outcome=outcome)
                if outcome and outcome[0] in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
                    tried.add(key)  # a time-out may come out otherwise next time
            left = time_limit - (time.monotonic() - t0)
            if new is None and free and left > 0.5:
                # No rotation in one block per discipline: less fragmentation, from the one
                # it has (as polishing's one-trainee re-plans, with the seats reassignment
                # freed since). Its hint is completed in up to half its budget.
                tried.add((key, "free"))
                new = _solve_part(instance, [t], others, min(2.0, left / 2), seed, profiles,
                                  False,
                                  least, terms=("unit_changes", "fragmentation",
                                                "staffing_shortfall"),
                                  hint=mine, patience=0.5)
            if new is None:
                continue
            new_cost, _ = plan_cost(instance, others + new, profiles)
            if new_cost < cost:
                cost = new_cost
                by_t[tid] = new
                kept += 1
                if on_better:
                    on_better(cost)
        if not kept:
            return [st for ss in by_t.values() for st in ss]


def _loads(instance: Instance, by_t: dict[str, list[Stint]]) -> dict[str, list[int]]:
    n = instance.n_weeks
    load: dict[str, list[int]] = {}
    for ss in by_t.values():
        for st in ss:
            row = load.setdefault(st.unit, [0] * n)
            for k in range(max(0, instance.week_index(st.start)),
                           min(n, instance.week_index(st.end))):
                row[k] += 1
    return load


class _Staffing:
    """The staffing term, kept up to date while polishing moves stints (weighted).

    Polishing re-plans for the trainees' own cost; a re-plan that is neutral there may move a
    vårdcentral stint to weeks another trainee already covers, and ``reassign`` cannot undo
    that (it keeps every stint's weeks). So re-plans are weighed with the change they make
    here too. Measured on Örebro (idle 2-core VM, 120 s, seeds 0-2): empty vårdcentral weeks
    at the end 135 / 3 / 132 without this, 6 / 6 / 15 with it; objective 12 389 / 12 658 /
    12 785 against 11 935 / 12 183 / 11 874 (with a 10 s reassignment before polishing, which
    itself changed nearly nothing and was dropped).
    """

    def __init__(self, instance: Instance, by_t: dict[str, list[Stint]]):
        self.inst = instance
        self.weight = instance.weights.staffing_shortfall
        self.window: dict[str, tuple[int, int, int]] = {}
        for u in instance.units:
            win = staffing_window(instance, u)
            if win is not None and self.weight:
                self.window[u.id] = win
        self.load = {uid: [0] * instance.n_weeks for uid in self.window}
        for ss in by_t.values():
            self._add(ss, 1)

    def _cells(self, ss: list[Stint]) -> list[tuple[str, int]]:
        out = []
        for st in ss:
            if st.unit in self.window:
                a, b, _ = self.window[st.unit]
                out += [(st.unit, k) for k in range(max(a, self.inst.week_index(st.start)),
                                                    min(b, self.inst.week_index(st.end)))]
        return out

    def _add(self, ss: list[Stint], sign: int) -> None:
        for uid, k in self._cells(ss):
            self.load[uid][k] += sign

    def delta(self, old: list[Stint], new: list[Stint]) -> int:
        """Weighted change of the term if the stints ``old`` are replaced by ``new``."""
        cells = set(self._cells(old)) | set(self._cells(new))
        if not cells:
            return 0

        def short() -> int:
            return sum(max(0, self.window[u][2] - self.load[u][k]) for u, k in cells)

        before = short()
        self.apply(old, new)
        after = short()
        self.apply(new, old)
        return self.weight * (after - before)

    def apply(self, old: list[Stint], new: list[Stint]) -> None:
        self._add(old, -1)
        self._add(new, 1)


def _short_weeks(instance: Instance,
                 load: dict[str, list[int]]) -> list[tuple[str, int, int]]:
    """(unit, week, trainees missing) for every week a unit is below its staffing target."""
    n = instance.n_weeks
    out = []
    for u in instance.units:
        win = staffing_window(instance, u)
        if win is None:
            continue
        a, b, want = win
        row = load.get(u.id, [0] * n)
        out += [(u.id, k, want - row[k]) for k in range(a, b) if row[k] < want]
    return out


def _can_take(instance: Instance, t: Trainee, unit_id: str) -> bool:
    u = instance.unit(unit_id)
    prog = instance.programme(t.programme)
    return (u.takes(t.programme) and (u.region_wide or u.site == t.site)
            and any(prog.requirement(d) is not None for d in u.disciplines))


def _at(instance: Instance, ss: list[Stint], week: int) -> Stint | None:
    return next((s for s in ss if instance.week_index(s.start) <= week
                 < instance.week_index(s.end)), None)


def _hood_staffing(instance: Instance, trainees: dict[str, Trainee],
                   by_t: dict[str, list[Stint]], profiles: dict, least: dict[str, int],
                   rng: random.Random) -> tuple[list[str], str | None]:
    """A week in which a unit is below its staffing target, and trainees who could fill it:
    those in a unit of the same kind then (they can swap), and a few others in their block."""
    gaps = _short_weeks(instance, _loads(instance, by_t))
    if not gaps:
        return [], None
    uid, week, _ = rng.choice(gaps)
    kind = set(instance.unit(uid).disciplines)
    close: list[str] = []
    other: list[str] = []
    for k, ss in by_t.items():
        if not _can_take(instance, trainees[k], uid):
            continue
        here = _at(instance, ss, week)
        if here is None:
            continue
        (close if here.discipline in kind else other).append(k)
    rng.shuffle(close)
    rng.shuffle(other)
    return close[:3] + other[:2], None


def _hood_peak(instance: Instance, trainees: dict[str, Trainee],
               by_t: dict[str, list[Stint]], profiles: dict, least: dict[str, int],
               rng: random.Random) -> tuple[list[str], str | None]:
    """The busiest unit of a class (by utilisation over the horizon): some of its trainees and
    some of the class's quietest units, who can trade places."""
    load = _loads(instance, by_t)
    classes: dict[frozenset[str], list[tuple[float, str]]] = {}
    for u in instance.units:
        prof = profiles[u.id]
        if prof is None or sum(prof) == 0:
            continue
        util = sum(load.get(u.id, ())) / sum(prof)
        classes.setdefault(frozenset(u.disciplines), []).append((util, u.id))
    spread = [(max(us)[0] - min(us)[0], us) for us in classes.values() if len(us) > 1]
    spread = [x for x in spread if x[0] > 0]
    if not spread:
        return [], None
    _, units = rng.choices(spread, weights=[s for s, _ in spread])[0]
    units = sorted(units)
    top, quiet = units[-1][1], {uid for _, uid in units[:max(1, len(units) // 3)]}
    busy = [k for k, ss in by_t.items() if any(s.unit == top for s in ss)]
    calm = [k for k, ss in by_t.items() if any(s.unit in quiet for s in ss)
            and _can_take(instance, trainees[k], top)]
    rng.shuffle(busy)
    rng.shuffle(calm)
    return list(dict.fromkeys(busy[:3] + calm[:2])), top


def _hood_costly(instance: Instance, trainees: dict[str, Trainee],
                 by_t: dict[str, list[Stint]], profiles: dict, least: dict[str, int],
                 rng: random.Random) -> tuple[list[str], str | None]:
    """A trainee above its least own cost with a few trainees holding the units it needs."""
    w = instance.weights
    costly = [k for k, ss in by_t.items()
              if _own_cost(ss, w.unit_changes, w.fragmentation)
              > w.unit_changes * (least.get(k, 1) - 1)]
    if not costly:
        return [], None
    tid = rng.choice(costly)
    rivals = _competitors(instance, trainees[tid], by_t, tid)[:10]
    return [tid] + rng.sample(rivals, k=min(4, len(rivals))), None


class _Bounder(threading.Thread):
    """The full model without a hint, on the cores the heuristics leave idle.

    The decomposition, polish and improve phases use one worker each, so with 2 workers one
    core used to idle for most of the run. Here it proves the bound instead (measured on
    Örebro: one worker, no hint, 110 s gave a bound of 10 991, as high as 2 workers after the
    warm-started phase), and any plan it finds competes with the heuristics' plan.
    """

    def __init__(self, instance: Instance, trainees: list[Trainee], least: dict[str, int],
                 profiles: dict, soft_capacity: bool, workers: int, seed: int,
                 time_limit: float, on_bound: Callable[[float], None] | None = None):
        super().__init__(daemon=True)
        self.args = (instance, trainees, least, profiles, soft_capacity)
        self.workers, self.seed, self.time_limit = workers, seed, time_limit
        self.on_bound = on_bound
        self.solver: cp_model.CpSolver | None = None
        self.pm: PlacementModel | None = None
        self.status: cp_model.CpSolverStatus | None = None
        self.bound: float | None = None
        self.plan: list[Stint] | None = None
        self.error: BaseException | None = None
        self.cut: FloorCut | None = None
        self.direct: int | None = None  # bounds.direct_bound, known before CP-SAT starts
        self._halt = threading.Event()
        self._t0 = time.monotonic()

    def run(self) -> None:
        try:
            self._run()
        except BaseException as exc:  # re-raised by the caller's thread in stop()
            self.error = exc

    def _run(self) -> None:
        inst, trainees, least, profiles, soft = self.args
        if not soft:  # with soft capacity the seats are no limit and the cut is not valid
            self.cut, self.direct = _cut_and_direct(inst, trainees, least, profiles,
                                                    stop=self._halt.is_set)
            if self.direct is not None and self.on_bound is not None:
                self.on_bound(self.direct)
        self.pm = PlacementModel(inst, trainees, min_stints=least, profiles=profiles,
                                 soft_capacity=soft)
        if self.cut is not None:
            self.cut.post(self.pm)
        left = self.time_limit - (time.monotonic() - self._t0)
        if self._halt.is_set() or left <= 0.1:
            return
        solver = _full_params(left, self.workers, self.seed)
        if self.on_bound is not None:
            solver.best_bound_callback = self.on_bound
        self.solver = solver
        self.status = run(solver, self.pm.model)
        if self.status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self.plan = self.pm.extract(solver)
        bound = solver.best_objective_bound
        if math.isfinite(bound):
            self.bound = max(bound, self.direct or -math.inf)

    def stop(self) -> None:
        """Ends the search (a stop asked before CP-SAT starts is lost, so ask until it ends)."""
        self._halt.set()
        while self.is_alive():
            if self.solver is not None:
                self.solver.stop_search()
            self.join(0.05)
        if self.error is not None:
            raise self.error


class _Beside:
    """The direct bound, then a second pipeline (another seed and order), in a child process.

    A process, not a thread: the one-trainee phases spend much of their time in Python
    (model building, costing each re-plan), so two pipelines in threads share one
    interpreter lock. Measured on Örebro (2-core VM, 120 s, one run): touch-up in each of
    two threads cut fragmentation 102 -> 58 and 143 -> 57 in 16-23 s, against 201 -> 8 in 23 s
    alone. Spawned, not forked (as the what-if runner's: OR-Tools' threads do not survive a
    fork); the import takes about a second of the child's time. Messages come back on a
    pipe: ``("bound", direct, cut)``, ``("cost", c)`` on each better plan, ``("done", plan,
    first)``, ``("error", text)``.
    """

    def __init__(self, instance: Instance, trainees: list[Trainee], least: dict[str, int],
                 profiles: dict, keep: dict[str, list[Stint]] | None, seed: int, t0: float,
                 time_limit: float, report: Callable[..., None],
                 settled: Callable[[], bool]):
        ctx = multiprocessing.get_context("spawn")
        recv, send = ctx.Pipe(duplex=False)
        self.halt = ctx.Event()
        self.direct: int | None = None
        self.cut: FloorCut | None = None
        self.plan: list[Stint] | None = None
        self.first: float | None = None
        self.found = False  # the child has sent the cost of a plan
        self.error: str | None = None
        self._report, self._settled = report, settled
        self._stopping = False
        args = (instance, trainees, least, profiles, keep, seed, t0, time_limit)
        self.proc = ctx.Process(target=_beside_main, args=(send, self.halt, args), daemon=True)
        self.proc.start()
        send.close()  # the child's end: EOF here when the child is gone
        self._listener = threading.Thread(target=self._listen, args=(recv,), daemon=True)
        self._listener.start()

    def _listen(self, conn: Any) -> None:
        try:
            while True:
                # Polled, so that a plan proven optimal in the parent ends the child at once
                # (the child sends nothing while it builds its first plan and polishes).
                if self._settled():
                    self.halt.set()
                if not conn.poll(0.2):
                    continue
                msg = conn.recv()
                if msg[0] == "bound":
                    self.direct, self.cut = msg[1], msg[2]
                    if self.direct is not None:
                        self._report(bound=self.direct)
                elif msg[0] == "cost":
                    self.found = True
                    self._report(cost=msg[1])
                elif msg[0] == "done":
                    self.plan, self.first = msg[1], msg[2]
                    return
                elif msg[0] == "error":
                    self.error = msg[1]
                    return
        except (EOFError, OSError):  # the child is gone without an answer: see stop()
            return
        except Exception:  # noqa: BLE001 - a failing callback here is the run's error
            self.error = traceback.format_exc()
            self.halt.set()
        finally:
            conn.close()

    def join(self, timeout: float) -> None:
        self._listener.join(max(0.0, timeout))

    def stop(self) -> None:
        """Asks the child to end (its phases check ``halt`` between solves), then ends it."""
        self.halt.set()
        self._listener.join(2.0)
        self.proc.join(1.0)
        if self.proc.is_alive():
            self._stopping = True
            self.proc.terminate()
            self.proc.join(1.0)
            if self.proc.is_alive():
                self.proc.kill()
                self.proc.join(1.0)
        code = self.proc.exitcode
        if (self.error is None and self.plan is None and not self._stopping
                and code not in (0, None)):
            # Killed from outside (e.g. out of memory) or crashed before it could answer.
            self.error = f"the second pipeline's process ended with exit code {code}"


def _beside_main(conn: Any, halt: Any, args: tuple) -> None:
    """The child of :class:`_Beside`."""
    # Ctrl-C is the parent's to handle: it stops this child (as the what-if runner's).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    instance, trainees, least, profiles, keep, seed, t0, time_limit = args
    try:
        # Hard capacity only (solve): with soft capacity the cut is not valid.
        cut, direct = _cut_and_direct(instance, trainees, least, profiles, stop=halt.is_set)
        conn.send(("bound", direct, cut))

        def report(cost: float | None = None, bound: float | None = None) -> None:
            if cost is not None:
                conn.send(("cost", cost))

        # Another seed, and orders of its own: decompose shuffles with seed + attempt, so
        # seed + 1 would repeat the parent's second attempt.
        plan, first = _pipeline(instance, time_limit, t0, seed + 1000, 1, True, least,
                                profiles, keep, False, None, report, halt.is_set)
        conn.send(("done", plan, first))
    except BaseException:  # noqa: BLE001 - sent to the parent, which raises it
        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


# Ends of the phases after polishing, as shares of the time limit: with the other core
# busy beside (the full model or a second pipeline: ``True``), or with the full model run
# last, warm-started, in the last 40 % (``False``).
SPLIT = {True: {"polish": 0.5, "reassign": 0.65, "touch_up": 0.85, "until": 0.975,
               "short": 0.05, "end": 0.98},
         False: {"polish": 0.4, "reassign": 0.45, "touch_up": 0.55, "until": 0.58,
                 "short": 0.03, "end": 0.6}}
# From this many trainees on, the second core runs a second pipeline rather than the full
# model (``solve``).
PORTFOLIO_MIN = 40


def alternate(instance: Instance, plan: list[Stint], time_limit: float, t0: float,
              beside: bool, seed: int, least: dict[str, int], profiles: dict,
              report: Callable[..., None], stop: Callable[[], bool]) -> list[Stint]:
    """Reassignment and touch-up in turn, from the end of polishing to ``SPLIT["until"]``.

    Touch-up's one-trainee re-plans need seats that reassignment frees (measured on a
    polished Örebro plan: touch-up alone 12 374 -> 12 296 in 20 s; after reassignment
    12 057 -> 11 654 in 17 s), and its re-plans raise peaks that reassignment lowers again;
    each round frees seats for the next (one more round from 11 648: 11 570 in 10 s).
    """
    split = SPLIT[beside]
    at = lambda f: f * time_limit - (time.monotonic() - t0)  # noqa: E731
    plan = reassign(instance, plan, profiles, at(split["reassign"]), seed, stop=stop)
    cost = plan_cost(instance, plan, profiles)[0]
    report(cost=cost)
    rounds = 0
    while at(split["until"]) > 1.0 and not stop():
        before = cost
        # Later rounds leave the short reassignment its time.
        end = split["touch_up"] if rounds == 0 else split["until"] - split["short"]
        plan = touch_up(instance, plan, at(end), seed + rounds, least, profiles,
                        on_better=lambda c: report(cost=c), stop=stop)
        # Touch-up's re-plans pick units for their own trainee: a short reassignment lowers
        # the peaks they raised (Örebro, one run: 6 s, 377 -> 356).
        plan = reassign(instance, plan, profiles,
                        min(at(split["until"]), split["short"] * time_limit), seed, stop=stop)
        cost = plan_cost(instance, plan, profiles)[0]
        report(cost=cost)
        rounds += 1
        if cost >= before:
            break
    return plan


def _pipeline(instance: Instance, time_limit: float, t0: float, seed: int, first_attempt: int,
              beside: bool, least: dict[str, int], profiles: dict,
              keep: dict[str, list[Stint]] | None, soft_capacity: bool,
              progress: Progress | None, report: Callable[..., None],
              stop: Callable[[], bool]) -> tuple[list[Stint] | None, float | None]:
    """The heuristic phases on one core: first plan, polish, reassignment and touch-up in
    turn, neighbourhood search. Returns the plan (``None`` if none was found) and the time of
    the first plan. ``beside``: another thread or process has the other core (``SPLIT``)."""
    warm: list[Stint] | None = None
    # Without a first plan there is nothing to write, so the decomposition may use most of
    # the time. The heuristic works against wall-clock budgets, so a failed attempt is
    # retried with the trainees of each intake in another order while time is left.
    attempt = first_attempt
    while warm is None and time.monotonic() - t0 < 0.6 * time_limit and not stop():
        # Soft capacity: first a plan within capacity (no overrun at all; greedy soft plans
        # overrun where a plan within capacity exists), then one with overruns.
        soft = soft_capacity and attempt > first_attempt
        share = 0.4 if soft_capacity and not soft else 0.9
        warm = decompose(instance, share * time_limit - (time.monotonic() - t0), seed,
                         progress, least=least, attempt=attempt, profiles=profiles,
                         keep=keep, soft_capacity=soft, stop=stop)
        attempt += 1
    if warm is None:
        return None, None
    warm_time = time.monotonic() - t0
    if progress:
        progress({"phase": "first_plan", "time": warm_time})
    report(cost=plan_cost(instance, warm, profiles, soft_capacity)[0])
    split = SPLIT[beside]
    # Polishing re-plans within capacity only, so it never adds an overrun.
    warm = polish(instance, warm, split["polish"] * time_limit - (time.monotonic() - t0), seed,
                  least, progress, profiles, stop=stop)
    report(cost=plan_cost(instance, warm, profiles, soft_capacity)[0])
    if not soft_capacity:  # its capacity rows are hard
        warm = alternate(instance, warm, time_limit, t0, beside, seed, least, profiles, report,
                         stop)
    warm = improve(instance, warm, split["end"] * time_limit - (time.monotonic() - t0), seed,
                   least, profiles, progress=None, soft_capacity=soft_capacity,
                   on_better=lambda c: report(cost=c), stop=stop)
    return warm, warm_time


def _full_model(instance: Instance, trainees: list[Trainee], least: dict[str, int],
                profiles: dict, soft_capacity: bool, warm: list[Stint] | None,
                time_limit: float, workers: int, seed: int, t0: float,
                progress: Progress | None, cut: FloorCut | None = None,
                direct: float | None = None,
                ) -> tuple[PlacementModel, cp_model.CpSolver, Any, float | None, float | None]:
    """The full model in the time left, warm-started with ``warm``: the model, solver,
    status, bound (with the direct bound) and the time of its first plan. ``cut`` and
    ``direct``: as computed beside, else computed here."""
    pm = PlacementModel(instance, trainees, min_stints=least, profiles=profiles,
                        soft_capacity=soft_capacity)
    if not soft_capacity:
        if cut is None:
            cut, direct = _cut_and_direct(instance, trainees, least, profiles)
        if cut is not None:
            cut.post(pm)
    if warm is not None:
        pm.hint(warm)
        complete_hint(pm, min(5.0, 0.1 * time_limit), seed)
    solver = _full_params(time_limit - (time.monotonic() - t0), workers, seed)
    watcher = _Watcher(pm, t0, progress)
    status = run(solver, pm.model, watcher)
    raw = solver.best_objective_bound
    bound: float | None = raw if math.isfinite(raw) else None
    if direct is not None:
        bound = direct if bound is None else max(bound, direct)
    return pm, solver, status, bound, watcher.first


def solve(instance: Instance, time_limit: float = 60.0, workers: int = 2, seed: int = 0,
          progress: Progress | None = None, use_decomposition: bool = True,
          warm_start: list[Stint] | None = None, soft_capacity: bool = False) -> Result:
    """``warm_start``: a plan of a similar instance (e.g. the base of a what-if variant); its
    stints are kept in the first plan for every trainee they still fit. ``soft_capacity``:
    capacity may be exceeded at a cost per trainee-week (term ``capacity_overrun``).

    Phases (module docstring; README, "How the model works"): a first plan trainee by
    trainee, polishing each trainee's own cost, reassignment and touch-up in turn, and a
    large-neighbourhood search on the whole objective (``_pipeline``). With 2 or more
    workers the full model runs beside them in a thread, for the bound and its proof; on
    large instances (``PORTFOLIO_MIN`` trainees, hard capacity) a child process computes the
    direct bound and then runs a second pipeline with another seed and order instead
    (``_Beside``), and the full model gets only the workers beyond 2 (or the time left if
    neither pipeline finds a plan). With one worker the full model runs last, warm-started.
    The best plan found by any phase is returned.
    """
    t0 = time.monotonic()
    trainees = instance.all_trainees()
    profiles = capacity_profiles(instance)  # computed once for every phase
    least = min_stints(instance, trainees, profiles=profiles)
    warm: list[Stint] | None = None
    warm_time: float | None = None
    keep: dict[str, list[Stint]] | None = None
    if warm_start:
        keep = {}
        for st in warm_start:
            keep.setdefault(st.trainee, []).append(st)
    decomposing = use_decomposition and (len({t.start for t in trainees}) > 1 or keep)
    # Two pipelines (README, "How the model works", 7): with hard capacity only (the direct
    # bound assumes it), and not in a daemonic process (a what-if runner's variant), which
    # may not start one of its own.
    portfolio = (decomposing and workers >= 2 and not soft_capacity
                 and len(trainees) >= PORTFOLIO_MIN
                 and not multiprocessing.current_process().daemon)
    state = {"cost": math.inf, "bound": -math.inf}
    lock = threading.Lock()  # the listener of the second pipeline reports too

    def report(cost: float | None = None, bound: float | None = None) -> None:
        with lock:
            if cost is not None:
                state["cost"] = min(state["cost"], cost)
            if bound is not None:
                state["bound"] = max(state["bound"], bound)
            if progress and math.isfinite(state["cost"]):
                progress({"phase": "solve", "time": time.monotonic() - t0,
                          "objective": state["cost"], "bound": max(state["bound"], 0)})

    bounder: _Bounder | None = None
    beside: _Beside | None = None

    def settled() -> bool:
        """Nothing left to gain: the plan so far is proven optimal (its cost reaches the
        bound), or the full model beside has ended (proven optimal or infeasible; its time
        is the run's)."""
        if bounder is not None and not bounder.is_alive():
            return True
        if bounder is None and beside is None:
            return False
        return math.isfinite(state["bound"]) and state["cost"] <= math.ceil(state["bound"] - 1e-6)

    def larger(x: float | None, y: float | None) -> float | None:
        return x if y is None else y if x is None else max(x, y)

    status: Any = None
    model_plan: list[Stint] | None = None  # the full model's
    other: list[Stint] | None = None  # the second pipeline's
    bound: float | None = None
    full_ran = False
    try:
        spare = workers - (2 if portfolio else 1)
        if decomposing and spare >= 1:
            bounder = _Bounder(instance, trainees, least, profiles, soft_capacity, spare,
                               seed, time_limit - (time.monotonic() - t0),
                               on_bound=lambda b: report(bound=b))
            bounder.start()
        if portfolio:
            # Another seed and order beside: the phases work against wall-clock budgets, so
            # two pipelines end apart (Örebro, 120 s, one pipeline: gaps of 2.8-9.4 % over 8
            # runs of one seed) and the better plan is kept. The full model's bound adds
            # little there (Örebro: +0-28 over the direct bound, after ~110 s).
            beside = _Beside(instance, trainees, least, profiles, keep, seed, t0, time_limit,
                             report, settled)
        if decomposing:
            warm, warm_time = _pipeline(instance, time_limit, t0, seed, 0, workers >= 2,
                                        least, profiles, keep, soft_capacity, progress, report,
                                        settled)
        cut = None
        if beside is not None:
            if warm is None and not beside.found:
                # No plan by either: the time left is the full model's, the last hope for
                # a plan (or the proof that there is none).
                beside.halt.set()
            beside.join(time_limit - (time.monotonic() - t0))  # it ends by ``SPLIT["end"]``
            beside.stop()
            if beside.error is not None:
                raise RuntimeError("the second pipeline failed:\n" + beside.error)
            other, bound, cut = beside.plan, beside.direct, beside.cut
            if beside.first is not None:
                warm_time = min(warm_time or math.inf, beside.first)
        if bounder is not None:
            if warm is None and other is None:  # the full model is the last hope for a plan
                bounder.join(max(0.0, time_limit - (time.monotonic() - t0)))
            bounder.stop()
            model_plan, status = bounder.plan, bounder.status
            bound = larger(bound, bounder.bound if bounder.bound is not None
                           else bounder.direct)
        elif beside is None or (warm is None and other is None
                                and time_limit - (time.monotonic() - t0) > 1.0):
            # One worker (the full model last, warm-started), or neither pipeline found a
            # plan: the full model is the last hope for one (or the proof there is none).
            full_ran = True
            pm, solver, status, b, first = _full_model(
                instance, trainees, least, profiles, soft_capacity, warm, time_limit,
                workers, seed, t0, progress, cut=cut, direct=bound)
            bound = larger(bound, b)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                model_plan = pm.extract(solver)
                if warm_time is None:
                    warm_time = first
    except BaseException:
        # Ctrl-C or an error: a CP-SAT search still running at exit aborts the interpreter.
        if bounder is not None:
            bounder.stop()
        if beside is not None:
            beside.stop()
        raise
    wall = time.monotonic() - t0

    # The best plan of any phase, by its true cost (a CP-SAT objective can sit above it).
    scored = [(plan_cost(instance, p, profiles, soft_capacity), p)
              for p in (model_plan, other, warm) if p is not None]
    best_cost, best = min(scored, key=lambda x: x[0][0], default=(None, None))
    weights = {t: v for t, v in instance.weights.model_dump().items() if v > 0}
    if soft_capacity:
        weights["capacity_overrun"] = OVERRUN_WEIGHT
    result = Result(
        status=Status.NO_PLAN, seed=seed, workers=workers, time_limit=time_limit,
        weights=weights, versions=versions(), wall_time=wall,
        # Several workers race, and a wall-clock limit (here, or in the decomposition's
        # per-trainee solves) cuts the search at a moment that depends on the machine's load:
        # the same seed then need not give the same plan.
        reproducible=workers == 1 and status == cp_model.OPTIMAL and not decomposing,
        method=("first plan trainee by trainee + polish + neighbourhood search"
                + (" (two pipelines) + direct bound" if portfolio else "")
                + (" + interval model for the bound" if bounder else "")
                + (" + interval model (warm start)" if full_ran else "")
                if decomposing else "interval model"),
    )
    if best is not None and best_cost is not None:
        cost, terms = best_cost
        proven = status == cp_model.OPTIMAL and best is model_plan
        if bound is not None and math.ceil(bound - 1e-6) >= cost:
            proven = True
        result.status = Status.OPTIMAL if proven else Status.FEASIBLE
        result.stints = best
        result.objective = float(cost)
        result.bound = float(cost) if proven else (
            float(math.ceil(bound - 1e-6)) if bound is not None else None)
        result.terms = terms
        result.time_to_first = warm_time
    elif status == cp_model.INFEASIBLE:
        result.status = Status.INFEASIBLE
    result.terms = {t: result.terms.get(t, 0) for t in (*TERMS, "capacity_overrun")
                    if t in weights}
    return result
