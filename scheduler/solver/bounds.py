"""A cut for the bound: how many trainees capacity forces above their least number of stints.

The full model's bound on unit changes is the per-trainee minimum (``min_stints``, the optimum
of each trainee alone with unlimited capacity): its LP never sees that the rotations reaching
that minimum compete for the same few seats. On Örebro every USÖ AT rotation with the least
number of stints (9) holds at least 8 weeks at the infection clinic, which has 3 seats; 80 USÖ
AT cannot all have that, and the others need a tenth stint (one more unit change).

The cut (docs/MODEL.md, "Bound"), valid for every plan:

1. Per kind of trainee (trainees that differ only in id) and unit ``u``, with the trainee
   alone and capacity unlimited: ``m(u)``, the fewest weeks at ``u`` of any rotation with the
   least number of stints, and ``m0(u)``, the fewest weeks at ``u`` of any rotation. Only units
   of one such least rotation can have ``m(u) > 0`` (a rotation without ``u`` would give 0), so
   only those are solved. Every real plan's rotation is a rotation of the trainee alone, so its
   weeks at ``u`` are at least ``m0(u)``, and at least ``m(u)`` if it has the least number of
   stints.
2. An LP (GLOP): ``f_t`` in [0, 1] ("trainee t has its least number of stints"), ``x_{t,u,w}``
   in [0, 1] ("t is at u in week w") over the weeks of t's block that are not leave and in
   which ``u`` has a seat; ``sum_w x_{t,u,w} >= m0(u) + (m(u) - m0(u)) f_t``;
   ``sum_u x_{t,u,w} <= 1`` (one unit a week); ``sum_t x_{t,u,w} <= seats(u, w)``. Every plan
   gives a feasible point (its 0/1 values), so ``sum_t f_t <= LP optimum`` = ``F``.
3. Hence at least ``ceil(N - F)`` of these ``N`` trainees have one stint more than their
   least, in every plan: ``sum of their stints >= sum of their least + ceil(N - F)``, posted on
   the full model, whose LP then adds this to the other terms' bounds.

Kinds whose least number cannot be reached at all (``min_stints`` stopped at a bound below the
optimum) need one more stint each; they count directly. The cut assumes hard capacity: with
soft capacity (overruns at a cost) it is not valid and is not used.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from scheduler.domain import Instance, Trainee
from scheduler.solver.cpsat import make_solver, run
from scheduler.solver.model import (
    PlacementModel,
    TraineeData,
    kinds,
    least_per_kind,
    requirement_rows,
)


@dataclass
class FloorCut:
    """``sum of the stints of trainees >= least_total + extra`` holds in every plan."""

    trainees: list[str] = field(default_factory=list)
    least_total: int = 0
    extra: int = 0
    lp_floor: float = 0.0  # the LP's most trainees at their least number of stints
    # Per kind (first member's id): unit -> (m0, m), weeks needed at any / at the least stints.
    needs: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    seconds: float = 0.0

    def post(self, pm: PlacementModel) -> None:
        """Add the cut to a model of (at least) these trainees."""
        pm.add_stint_total(self.trainees, self.least_total + self.extra)


def _weeks_at(pm: PlacementModel, uid: str) -> cp_model.LinearExprT:
    return sum(o.size for o in pm.data[0].options if o.unit == uid)


def _least_weeks(pm: PlacementModel, uid: str, limit: float) -> int:
    """A lower bound on the weeks at ``uid`` (0 if the solve says nothing)."""
    pm.model.minimize(_weeks_at(pm, uid))
    s = make_solver(limit, 1, symmetry_level=0)
    status = run(s, pm.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return 0
    return max(0, int(math.ceil(s.best_objective_bound - 1e-6)))


def kind_needs(instance: Instance, t: Trainee, least: int, profiles: dict,
               limit: float = 1.0) -> tuple[dict[str, tuple[int, int]] | None, TraineeData]:
    """``unit -> (m0, m)`` for units with ``m > 0`` (module docstring, step 1), ``None`` when
    no rotation has ``least`` stints (proven); and the trainee's block and options."""
    pm = PlacementModel(instance, [t], terms=(), ignore_capacity=True, profiles=profiles)
    td = pm.data[0]
    opts = td.options
    stints = sum(o.presence for o in opts)
    pm.model.add(stints <= least)
    pm.model.minimize(stints)
    s = make_solver(limit, 1, symmetry_level=0)
    status = run(s, pm.model)
    if status == cp_model.INFEASIBLE:
        return None, td
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {}, td
    used = sorted({o.unit for o in opts if o.fixed or s.value(o.presence)})
    out: dict[str, tuple[int, int]] = {}
    free: PlacementModel | None = None
    for uid in used:
        if profiles.get(uid) is None:  # no seat limit: nothing to compete for
            continue
        m = _least_weeks(pm, uid, limit)
        if m <= 0:
            continue
        if free is None:
            free = PlacementModel(instance, [t], terms=(), ignore_capacity=True,
                                  profiles=profiles)
        out[uid] = (min(m, _least_weeks(free, uid, limit)), m)
    return out, td


def floor_cut(instance: Instance, trainees: list[Trainee], least: dict[str, int],
              profiles: dict, stop: Callable[[], bool] | None = None) -> FloorCut | None:
    """The cut of the module docstring, or ``None`` if ``stop`` asked to end early."""
    t0 = time.monotonic()
    cut = FloorCut()
    H = instance.n_weeks

    lp = pywraplp.Solver.CreateSolver("GLOP")
    seats: dict[tuple[str, int], list] = defaultdict(list)
    fs = []
    for members in kinds(trainees):
        if stop is not None and stop():
            return None
        t = members[0]
        n = least.get(t.id, 0)
        if n <= 0:
            continue
        needs, td = kind_needs(instance, t, n, profiles)
        if needs is None:  # every member needs at least one stint more
            cut.trainees += [x.id for x in members]
            cut.least_total += n * len(members)
            cut.extra += len(members)
            continue
        if not needs:
            continue
        cut.needs[t.id] = needs
        leave = set(td.leave_weeks)
        weeks = {}
        for uid in needs:
            ws: set[int] = set()
            for o in td.options:
                if o.unit == uid:
                    ws.update(range(max(0, o.earliest), min(H, o.latest_end)))
            weeks[uid] = sorted(w for w in ws if w not in leave and profiles[uid][w] > 0)
        for x in members:
            f = lp.NumVar(0, 1, "")
            fs.append(f)
            cut.trainees.append(x.id)
            cut.least_total += n
            here: dict[int, list] = defaultdict(list)
            for uid, (m0, m) in needs.items():
                xs = []
                for w in weeks[uid]:
                    v = lp.NumVar(0, 1, "")
                    xs.append(v)
                    here[w].append(v)
                    seats[(uid, w)].append(v)
                lp.Add(sum(xs) >= m0 + (m - m0) * f)
            for xs in here.values():
                if len(xs) > 1:
                    lp.Add(sum(xs) <= 1)
    if fs:
        for (uid, w), xs in seats.items():
            lp.Add(sum(xs) <= profiles[uid][w])
        lp.Maximize(sum(fs))
        status = lp.Solve()
        if status == pywraplp.Solver.OPTIMAL:
            cut.lp_floor = lp.Objective().Value()
            cut.extra += max(0, math.ceil(len(fs) - cut.lp_floor - 1e-6))
        elif status == pywraplp.Solver.INFEASIBLE:
            # Even the unconditional weeks m0 do not fit: the model is infeasible and CP-SAT
            # will prove it; the cut says nothing more.
            pass
    cut.seconds = time.monotonic() - t0
    return cut


def peak_floor(instance: Instance, trainees: list[Trainee], profiles: dict) -> int:
    """A lower bound on the peak utilisation term (unweighted), from an LP without time.

    Per trainee, weeks ``y_o`` in ``[0, size bound]`` for each of its options (unit and
    discipline), adding up to its service weeks and meeting its programme's minima and
    maxima; per unit, the weeks of all trainees within its capacity-weeks over the horizon;
    per class of units (the disciplines they credit), ``P_c >= 100 * weeks(u) / capacity
    weeks(u)`` for each member; minimise ``sum_c P_c``. Every plan gives a feasible point (its
    own weeks, and ``P_c`` its class's peak, which is at least each member's utilisation), so
    its term, an integer, is at least the LP optimum rounded up.
    """
    lp = pywraplp.Solver.CreateSolver("GLOP")
    at_unit: dict[str, list] = defaultdict(list)
    for members in kinds(trainees):
        t = members[0]
        prog = instance.programme(t.programme)
        pm = PlacementModel(instance, [t], terms=(), ignore_capacity=True, profiles=profiles)
        td = pm.data[0]
        for _ in members:
            ys: list = []
            by_d: dict[str, list] = defaultdict(list)
            for o in td.options:
                y = o.size if o.fixed else lp.NumVar(0, o.hi, "")
                ys.append(y)
                by_d[o.discipline].append(y)
                at_unit[o.unit].append(y)
            lp.Add(sum(ys) == td.service)
            for wk, lo, hi in requirement_rows(prog, t, by_d):
                lp.Add(wk >= lo)
                if hi is not None:
                    lp.Add(wk <= hi)
    peaks: dict[frozenset[str], Any] = {}
    for u in instance.units:
        prof = profiles[u.id]
        if prof is None or sum(prof) == 0:
            continue
        c = frozenset(u.disciplines)
        if c not in peaks:
            peaks[c] = lp.NumVar(0, lp.infinity(), "")
        load = sum(at_unit[u.id])
        lp.Add(load <= sum(prof))
        lp.Add(peaks[c] * sum(prof) >= 100 * load)
    if not peaks:
        return 0
    lp.Minimize(sum(peaks.values()))
    if lp.Solve() != pywraplp.Solver.OPTIMAL:
        return 0  # infeasible: the full model proves that; nothing is claimed here
    return max(0, math.ceil(lp.Objective().Value() - 1e-6))


def fragmentation_floor(instance: Instance, trainees: list[Trainee], profiles: dict,
                        time_limit: float = 0.2) -> int:
    """The fragmentation no plan avoids: per trainee, the least without capacity (one solve
    per kind; CP-SAT's bound when not proven). The Gävle pattern puts allmänmedicin at both
    ends of every block (about 52 weeks each), and leave inside a stint splits it: neither
    is a fault of the plan, and a bound that ignores it reports gaps of 80 %."""
    return sum(least_per_kind(instance, trainees, lambda pm: pm.fragmentation_expr(),
                              time_limit, profiles).values())


def direct_bound(instance: Instance, trainees: list[Trainee], least: dict[str, int],
                 cut: FloorCut | None, profiles: dict) -> int:
    """A lower bound on the objective with hard capacity, from the terms one by one.

    Unit changes: each trainee has at least its least number of stints, and the cut's
    trainees ``extra`` more together; changes are stints minus one per trainee. Peak
    utilisation: :func:`peak_floor`. Fragmentation: :func:`fragmentation_floor`. Staffing
    shortfall: 0. Each term's floor holds on its own, so their weighted sum is a bound.
    CP-SAT's LP over the full model reaches about the same on Örebro, but only after ~110 s
    on one core (and in one run of three not at all within 120 s); this is known after the
    cut, ~12 s.
    """
    w = instance.weights
    changes = sum(max(0, least.get(t.id, 1) - 1) for t in trainees)
    if cut is not None:
        changes += cut.extra
    peak = peak_floor(instance, trainees, profiles) if w.peak_utilisation else 0
    frag = fragmentation_floor(instance, trainees, profiles) if w.fragmentation else 0
    return w.unit_changes * changes + w.peak_utilisation * peak + w.fragmentation * frag
