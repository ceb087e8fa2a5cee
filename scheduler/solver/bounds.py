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

from scheduler.domain import EXTENDING_LEAVE, Instance, Trainee, leaves_early
from scheduler.solver.cpsat import make_solver, run
from scheduler.solver.model import (
    PlacementModel,
    TraineeData,
    kind_key,
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


def _least_weeks(pm: PlacementModel, uid: str, work: float) -> int:
    """A lower bound on the weeks at ``uid`` (0 if the solve says nothing)."""
    pm.model.minimize(_weeks_at(pm, uid))
    s = make_solver(None, 1, deterministic_time=work, symmetry_level=0)
    status = run(s, pm.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return 0
    return max(0, int(math.ceil(s.best_objective_bound - 1e-6)))


def kind_needs(instance: Instance, t: Trainee, least: int, profiles: dict,
               work: float = 0.02) -> tuple[dict[str, tuple[int, int]] | None, TraineeData]:
    """``unit -> (m0, m)`` for units with ``m > 0`` (module docstring, step 1), ``None`` when
    no rotation has ``least`` stints (proven); and the trainee's block and options. ``work``:
    each solve's CP-SAT deterministic time (about 0.2 CPU s on the 2-core VM; it was 1 s of
    wall clock, which a loaded machine cut short). On leave-80-tight with solved least
    stints: the cut 27 CPU s with 1 s wall per solve, 9 with 0.02 (6 trainees above their
    least against 8)."""
    pm = PlacementModel(instance, [t], terms=(), ignore_capacity=True, profiles=profiles)
    td = pm.data[0]
    opts = td.options
    stints = sum(o.presence for o in opts)
    pm.model.add(stints <= least)
    pm.model.minimize(stints)
    s = make_solver(None, 1, deterministic_time=work, symmetry_level=0)
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
        m = _least_weeks(pm, uid, work)
        if m <= 0:
            continue
        if free is None:
            free = PlacementModel(instance, [t], terms=(), ignore_capacity=True,
                                  profiles=profiles)
        out[uid] = (min(m, _least_weeks(free, uid, work)), m)
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


def peak_floor(instance: Instance, trainees: list[Trainee], profiles: dict,
               stop: Callable[[], bool] | None = None) -> int:
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


def leave_fragmentation(instance: Instance, t: Trainee, profiles: dict) -> int:
    """A lower bound on the trainee's fragmentation in every plan, from where its leave
    falls (exact for the relaxation below, which a tiny CP-SAT model solves in milliseconds).

    Extending leave cuts the block into *segments* of service weeks, each covered exactly.
    Per discipline ``d`` and segment ``i``: weeks ``y[d,i]``, adding up to the segment's
    length, meeting the programme's minima and maxima (and group rows). A discipline with
    weeks in segments ``i < j`` has in its span every leave run between them and every week
    of a segment strictly between them that is not its own: that much fragmentation at
    least. With ``starts_with`` the opening stint lies in the first segment; when the block
    also ends in that discipline (``same_unit_as_end`` or ``ends_with``) its span is the
    whole block, so its fragmentation is the block's service span minus its weeks. A
    discipline that crosses neither leave run beside a segment has there only stints that
    are not parts of an interrupted stint, each at least the shortest stint a unit allows
    (unless locked or opening). Every plan's weeks per discipline and segment satisfy all of
    this, so its fragmentation is at least the optimum. Why: fragmentation forced by leave
    (a short stretch between two leaves, a block start too short for any discipline's
    minimum) is most of the gap on leave-heavy regions, and the one-trainee CP-SAT floor
    with leave is seldom proven in its 0.2 s (its LP bound is 0).
    """
    prog = instance.programme(t.programme)
    # Only the trainee's data is read (block, leave, eligible stints): no variables (at 850
    # trainees the one-trainee models' variables took 85 % of this floor's 4.3 CPU s).
    pm = PlacementModel(instance, [t], terms=(), ignore_capacity=True, profiles=profiles,
                        build=False)
    td = pm.data[0]
    leave = set(td.leave_weeks)
    segs: list[list[int]] = []  # [first, end) of each run of service weeks
    gaps: list[int] = []  # leave weeks between segment r and r + 1
    for w in range(td.start, td.end):
        if w in leave:
            continue
        if segs and segs[-1][1] == w:
            segs[-1][1] = w + 1
        else:
            if segs:
                gaps.append(w - segs[-1][1])
            segs.append([w, w + 1])
    sw, ew = prog.starts_with, prog.ends_with
    early = leaves_early(t, prog)
    if not segs or (len(segs) < 2 and (sw is None or early)):
        return 0
    eligible = pm.eligible_stints(td)
    fixed = {ls.discipline for ls in t.locked}
    least_len: dict[str, int] = {}
    for _uid, d, lo, _hi in eligible:
        least_len[d] = min(least_len.get(d, lo), lo)
    for d in fixed | ({sw.discipline} if sw is not None else set()):
        least_len[d] = 1
    k = len(segs)
    lens = [b - a for a, b in segs]
    m = cp_model.CpModel()
    y: dict[str, list[Any]] = {}
    u: dict[str, list[Any]] = {}
    cost: list[Any] = []
    whole = (sw is not None and not early
             and (sw.same_unit_as_end or (ew is not None and ew == sw.discipline)))
    for d in sorted(least_len):
        y[d] = [m.new_int_var(0, n, "") for n in lens]
        u[d] = [m.new_bool_var("") for _ in lens]
        for yi, ui, n in zip(y[d], u[d], lens, strict=True):
            m.add(yi <= n * ui)
        if whole and sw is not None and d == sw.discipline:
            cost.append(segs[-1][1] - segs[0][0] - sum(y[d]))
            continue
        # cross[r]: weeks on both sides of leave run r; inside[i]: on both sides of segment i.
        cross = [m.new_bool_var("") for _ in gaps]
        for r, c in enumerate(cross):
            for i in range(r + 1):
                for j in range(r + 1, k):
                    m.add(c >= u[d][i] + u[d][j] - 1)
            cost.append(gaps[r] * c)
        for i in range(1, k - 1):
            inside = m.new_bool_var("")
            for a in range(i):
                for b in range(i + 1, k):
                    m.add(inside >= u[d][a] + u[d][b] - 1)
            own = m.new_int_var(0, lens[i], "")  # min(y, lens * inside): its own weeks there
            m.add(own <= y[d][i])
            m.add(own <= lens[i] * inside)
            cost.append(lens[i] * inside - own)
        for i in range(k):
            beside = [cross[r] for r in (i - 1, i) if 0 <= r < len(gaps)]
            m.add(y[d][i] >= least_len[d] * (u[d][i] - sum(beside)))
    for i in range(k):
        m.add(sum(y[d][i] for d in y) == lens[i])
    by_d = defaultdict(list, {d: [sum(y[d])] for d in y})
    for weeks, lo, hi in requirement_rows(prog, t, by_d):
        m.add(weeks >= lo)
        if hi is not None:
            m.add(weeks <= hi)
    if sw is not None and not early:
        if sw.discipline not in y:
            return 0
        m.add(y[sw.discipline][0] >= min(sw.weeks, lens[0]))
        last = sw.discipline if sw.same_unit_as_end else ew
        if last is not None and last in y:
            m.add(y[last][-1] >= 1)
    elif ew is not None and not early and ew in y:
        m.add(y[ew][-1] >= 1)
    m.minimize(sum(cost))
    solver = make_solver(None, 1, 0, deterministic_time=2.0)
    status = run(solver, m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return 0  # infeasible: the full model proves that; nothing is claimed here
    return max(0, int(math.ceil(solver.best_objective_bound - 1e-6)))


def fragmentation_floors(instance: Instance, trainees: list[Trainee], profiles: dict,
                         time_limit: float | None = None,
                         stop: Callable[[], bool] | None = None) -> dict[str, int]:
    """Per trainee, the fragmentation no plan avoids: the larger of the least without
    capacity (one solve per kind; CP-SAT's bound when not proven) and
    :func:`leave_fragmentation` (trainees with extending leave or an opening rule). The
    Gävle pattern puts allmänmedicin at both ends of every block (about 52 weeks each), and
    leave inside a stint splits it: neither is a fault of the plan, and a bound that ignores
    it reports gaps of 80 %."""
    # 0.02 of deterministic time per kind: on leave-80-tight as strong as 0.05 (the floors
    # from leave are most of it) in half the CPU.
    out = least_per_kind(instance, trainees, lambda pm: pm.fragmentation_expr(), time_limit,
                         profiles, stop=stop, work=None if time_limit is not None else 0.02)
    for tid, floor in leave_floors(instance, trainees, profiles, stop=stop).items():
        out[tid] = max(out.get(tid, 0), floor)
    return out


def leave_floors(instance: Instance, trainees: list[Trainee], profiles: dict,
                 stop: Callable[[], bool] | None = None) -> dict[str, int]:
    """:func:`leave_fragmentation` of every trainee with extending leave or an opening rule
    (one tiny solve per kind; deterministic, milliseconds each).

    ``stop``: polled before each kind; once it says so, the trainees left are not in the
    answer (a floor of 0, always valid)."""
    out: dict[str, int] = {}
    cache: dict[tuple, int] = {}
    for t in trainees:
        prog = instance.programme(t.programme)
        if prog.starts_with is None and not any(lv.kind in EXTENDING_LEAVE for lv in t.leave):
            continue
        key = kind_key(t)
        if key not in cache:
            if stop is not None and stop():
                return out
            cache[key] = leave_fragmentation(instance, t, profiles)
        out[t.id] = cache[key]
    return out


def fragmentation_floor(instance: Instance, trainees: list[Trainee], profiles: dict,
                        time_limit: float | None = None) -> int:
    """The fragmentation no plan avoids (:func:`fragmentation_floors`, summed)."""
    return sum(fragmentation_floors(instance, trainees, profiles, time_limit).values())


def quick_bound(instance: Instance, trainees: list[Trainee], least: dict[str, int],
                profiles: dict, floors: dict[str, int] | None = None) -> int:
    """The terms of :func:`direct_bound` that need no search over the region: unit changes
    from ``least`` alone (no cut) and fragmentation from :func:`leave_floors` (``floors`` if
    known); peak utilisation and staffing shortfall 0. Each holds on its own, so the weighted
    sum is a bound; deterministic (no clock), and about a CPU second at 850 trainees, where
    the direct bound's cut and per-kind solves take minutes. Why: the 850- and 1 000-trainee
    regions had no bound at all at 60 s."""
    w = instance.weights
    changes = sum(max(0, least.get(t.id, 1) - 1) for t in trainees)
    frag = 0
    if w.fragmentation:
        frag = sum((floors if floors is not None
                    else leave_floors(instance, trainees, profiles)).values())
    return w.unit_changes * changes + w.fragmentation * frag


def direct_bound(instance: Instance, trainees: list[Trainee], least: dict[str, int],
                 cut: FloorCut | None, profiles: dict,
                 stop: Callable[[], bool] | None = None) -> int | None:
    """A lower bound on the objective with hard capacity, from the terms one by one.

    Unit changes: each trainee has at least its least number of stints, and the cut's
    trainees ``extra`` more together; changes are stints minus one per trainee. Peak
    utilisation: :func:`peak_floor`. Fragmentation: :func:`fragmentation_floor`. Staffing
    shortfall: 0. Each term's floor holds on its own, so their weighted sum is a bound.
    CP-SAT's LP over the full model reaches about the same on Örebro, but only after ~110 s
    on one core (and in one run of three not at all within 120 s); this is known after the
    cut, ~12 s. ``stop``: polled between the per-kind solves; ``None`` once it says so.
    """
    w = instance.weights
    changes = sum(max(0, least.get(t.id, 1) - 1) for t in trainees)
    if cut is not None:
        changes += cut.extra
    peak = peak_floor(instance, trainees, profiles, stop) if w.peak_utilisation else 0
    frag = 0
    if w.fragmentation:
        floors = fragmentation_floors(instance, trainees, profiles, stop=stop)
        frag = sum(floors.values())
    if stop is not None and stop():
        return None
    return w.unit_changes * changes + w.peak_utilisation * peak + w.fragmentation * frag
