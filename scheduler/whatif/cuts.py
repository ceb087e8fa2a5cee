"""Redundant aggregate cuts for the intake-capacity model (``atbt capacity``).

Maximising the number of admitted candidates has a weak LP bound: the LP admits fractions of
trainees and only sees each unit's capacity as "seat-weeks", so a vårdcentral whose free weeks
come in pieces shorter than one stint still looks useful, and nothing ties a trainee to being
somewhere in every week of the block. These cuts are valid for every plan of the model (proof
at each family), so they change the bound, never the optimum:

1. **Packing per unit.** ``M_u``: the most stint-weeks, ``N_u``: the most stints that fit under
   the unit's free capacity profile inside the window its options can use, with every stint's
   length in ``[lo_u, hi_u]`` (the shortest minimum and the longest maximum of the unit's
   options). Then ``sum size <= M_u`` and ``sum presence <= N_u`` over the unit's options.
   When all those options belong to blocks exactly ``[a, b)`` without leave or locked stints,
   a stint must also leave before and after it a number of weeks that the block's other stint
   lengths can fill (:func:`_gaps`).
2. **Stints per requirement.** A trainee needing ``min`` weeks of discipline ``d`` (or of a
   group) from options no longer than ``hi`` each has at least ``ceil(min / hi)`` of them:
   ``sum presence >= ceil(min / hi) * admitted``.
3. **Energy per discipline and unit group.** Per requirement (discipline or programme group)
   and per set ``E`` of units that can credit it for some trainee (its home site's units plus
   the region-wide ones, and the union over all): the trainees whose eligible units lie inside
   ``E`` need ``sum min * admitted <= sum_{u in E} M_u`` weeks and ``sum k * admitted <=
   sum_{u in E} N_u`` stints. Implied by 1 and 2 in the LP, but stated once they propagate
   directly on the ``admitted`` literals.
4. **Head count per week.** A block is exactly its service weeks plus extending leave
   (``block_end``), and the stints tile the service weeks, so an admitted trainee is at one of
   its eligible units in every non-leave week of the block: for each week and each such set
   ``E`` (all limited), ``sum admitted <= sum_{u in E} free_u(week)``.

``M_u`` and ``N_u`` are integer programs over one unit's weeks; their constraint matrix (weeks
x candidate intervals) has the consecutive-ones property, hence is totally unimodular, and the
LP optimum (GLOP) is integral. The cut uses ``floor(LP + 1e-6)``, an upper bound even if the
LP were not integral.
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from typing import Any

import numpy as np
from ortools.graph.python import min_cost_flow
from ortools.linear_solver import pywraplp

from scheduler.domain import calendar_weeks, leaves_early
from scheduler.solver.model import Option, PlacementModel


def packing(free: list[int], a: int, b: int, lo: int, hi: int, count: bool,
            gaps: set[int] | None = None) -> int:
    """Most stint-weeks (``count``: stints) with lengths in ``[lo, hi]`` inside ``[a, b)``
    such that at most ``free[w]`` stints cover any week ``w``.

    ``gaps``: when every stint here belongs to a block that is exactly ``[a, b)`` without
    leave, the weeks before and after a stint are tiled by the block's other stints, so their
    numbers must be sums of stint lengths (``gaps``, with 0); other stints are left out.
    """
    return _packing(free, a, b, lo, hi, count, gaps)[0]


def _packing(free: list[int], a: int, b: int, lo: int, hi: int, count: bool,
             gaps: set[int] | None = None) -> tuple[int, list[tuple[int, int]]]:
    """As :func:`packing`, with the stints ``(start, length)`` of one optimal packing."""
    # The same packing is asked for many times: per group of a start (programme x site x part
    # time) for each eligible unit, and again by the cuts. Measured on a generated six-hospital
    # region (11 groups, 20 s per start): 1 080 LPs took 80 of the run's 85 s without this.
    val, stints = _packing_window(tuple(free[a:b]), lo, hi, count,
                                  None if gaps is None else frozenset(gaps))
    return val, [(st + a, ln) for st, ln in stints]


@functools.lru_cache(maxsize=4096)
def _packing_window(window: tuple[int, ...], lo: int, hi: int, count: bool,
                    gaps: frozenset[int] | None) -> tuple[int, tuple[tuple[int, int], ...]]:
    """The packing of a window on its own (weeks from 0), remembered."""
    val, stints = _solve_packing(list(window), 0, len(window), lo, hi, count,
                                 None if gaps is None else set(gaps))
    return val, tuple(stints)


def _solve_packing(free: list[int], a: int, b: int, lo: int, hi: int, count: bool,
                   gaps: set[int] | None = None) -> tuple[int, list[tuple[int, int]]]:
    """The packing as a min-cost flow: exact, and about 50 times faster than the LP.

    The covering rows form an interval matrix; taking each week's row minus the one before
    turns it into a network: node ``w`` is the boundary before week ``w``, a stint
    ``[st, st + ln)`` an arc ``st -> st + ln``, the week's unused seats an arc ``w -> w + 1``,
    and node ``w`` supplies ``free[w] - free[w - 1]``. The all-unused flow is feasible.
    (:func:`_packing_lp` is the LP itself, kept to test this against.)
    """
    lo = max(1, lo)
    hi = max(lo, min(hi, b - a))
    if b - a < lo:
        return 0, []
    lengths = [lo] if count and gaps is None else list(range(lo, hi + 1))
    n = b - a
    fr = [max(0, free[w]) for w in range(a, b)]
    big = sum(fr) + 1
    tails, heads, caps, costs = [], [], [], []
    for w in range(n):
        tails.append(w)
        heads.append(w + 1)
        caps.append(big)
        costs.append(0)
    stints: list[tuple[int, int]] = []
    for ln in lengths:
        for st in range(a, b - ln + 1):
            if min(fr[st - a:st - a + ln]) <= 0:
                continue
            if gaps is not None and (st - a not in gaps or b - st - ln not in gaps):
                continue
            tails.append(st - a)
            heads.append(st - a + ln)
            caps.append(big)
            costs.append(-(1 if count else ln))
            stints.append((st, ln))
    if not stints:
        return 0, []
    mcf = min_cost_flow.SimpleMinCostFlow()
    mcf.add_arcs_with_capacity_and_unit_cost(np.array(tails), np.array(heads),
                                             np.array(caps), np.array(costs))
    supply = [fr[0]] + [fr[w] - fr[w - 1] for w in range(1, n)] + [-fr[n - 1]]
    mcf.set_nodes_supplies(np.arange(n + 1), np.array(supply))
    if mcf.solve() != mcf.OPTIMAL:  # cannot happen (the all-unused flow is feasible)
        return (sum(fr) // lo if count else sum(fr)), []
    flows = mcf.flows(np.arange(n, n + len(stints)))
    chosen = [st_ln for st_ln, f in zip(stints, flows, strict=True) for _ in range(int(f))]
    return -int(mcf.optimal_cost()), chosen


def _packing_lp(free: list[int], a: int, b: int, lo: int, hi: int, count: bool,
                   gaps: set[int] | None = None) -> tuple[int, list[tuple[int, int]]]:
    lo = max(1, lo)
    hi = max(lo, min(hi, b - a))
    if b - a < lo:
        return 0, []
    # Without ``gaps`` a shorter stint fits wherever a longer one does: for the count only
    # the shortest matters. With them, cutting a stint short may leave an untileable gap.
    lengths = [lo] if count and gaps is None else list(range(lo, hi + 1))
    s = pywraplp.Solver.CreateSolver("GLOP")
    cover: dict[int, list] = defaultdict(list)
    obj = []
    for ln in lengths:
        for st in range(a, b - ln + 1):
            if min(free[st:st + ln]) <= 0:
                continue
            if gaps is not None and (st - a not in gaps or b - st - ln not in gaps):
                continue
            x = s.NumVar(0, s.infinity(), "")
            obj.append((x, 1 if count else ln, st, ln))
            for w in range(st, st + ln):
                cover[w].append(x)
    if not obj:
        return 0, []
    for w, xs in cover.items():
        s.Add(sum(xs) <= free[w])
    s.Maximize(sum(c * x for x, c, _, _ in obj))
    if s.Solve() != pywraplp.Solver.OPTIMAL:  # cannot happen (bounded, feasible at 0)
        return (sum(free[a:b]) // lo if count else sum(free[a:b])), []
    stints = [(st, ln) for x, _, st, ln in obj for _ in range(int(round(x.solution_value())))]
    return int(math.floor(s.Objective().Value() + 1e-6)), stints


def add_capacity_cuts(pm: PlacementModel) -> dict[str, Any]:
    """Post the cuts of this module on ``pm``; returns what they were built from (for tests
    and reports): ``M``/``N`` per unit and ``bound``, the intake the energy cuts alone allow
    (``None`` if some requirement can use an unlimited unit)."""
    M, N, where = _unit_cuts(pm)
    need = _requirement_cuts(pm)
    bound, tight = _energy_cuts(pm, need, M, N)
    _head_count_cuts(pm)
    # The stints of the binding packing, for a first plan that uses them (capacity.py).
    slots = [] if tight is None else [
        (uid, next(d for d in pm.inst.unit(uid).disciplines if d in tight[0]), st, ln)
        for uid in sorted(tight[1]) for st, ln in where.get(uid, [])]
    return {"M": M, "N": N, "bound": None if math.isinf(bound) else int(bound),
            "slots": slots}


def _unit_cuts(pm: PlacementModel) -> tuple[dict[str, int], dict[str, int],
                                             dict[str, list[tuple[int, int]]]]:
    """Per unit of finite capacity: at most ``M`` weeks and ``N`` stints in all; with the
    stints of a largest count packing."""
    M: dict[str, int] = {}
    N: dict[str, int] = {}
    where: dict[str, list[tuple[int, int]]] = {}  # the stints of a largest count packing
    for uid, opts in pm.by_unit.items():
        free = pm.free_profile.get(uid)
        if free is None or not opts:
            continue
        a = min(o.earliest for o in opts)
        b = max(o.latest_end for o in opts)
        lo = min(o.lo for o in opts)
        hi = max(o.hi for o in opts)
        gaps = _gaps(pm, opts, a, b)
        M[uid] = packing(free, a, b, lo, hi, count=False, gaps=gaps)
        N[uid], where[uid] = _packing(free, a, b, lo, hi, count=True, gaps=gaps)
        _post(pm.model, sum(o.size for o in opts) <= M[uid])
        _post(pm.model, sum(o.presence for o in opts) <= N[uid])
    return M, N, where


Needs = dict[tuple, list[tuple[Any, int, int, frozenset[str]]]]  # see _requirement_cuts


def _requirement_cuts(pm: PlacementModel) -> Needs:
    """At least the stints each minimum needs; returns, per requirement, (trainee data,
    minimum weeks, stints needed, its eligible units)."""
    need: Needs = defaultdict(list)
    for td in pm.data:
        t = td.trainee
        prog = pm.inst.programme(t.programme)
        if leaves_early(t, prog):
            continue  # the minima lapse
        reqs: list[tuple[tuple[str, ...], int]] = [
            ((r.discipline,), r.min_weeks) for r in prog.requirements]
        reqs += [(tuple(sorted(g.disciplines)), g.min_weeks) for g in prog.group_requirements]
        for discs, mn in reqs:
            weeks = calendar_weeks(mn, t.part_time)
            ds: list[Option] = [o for o in td.options if o.discipline in discs]
            if weeks <= 0 or not ds:
                continue
            k = -(-weeks // max(o.hi for o in ds))
            _post(pm.model, sum(o.presence for o in ds) >= k * td.admitted)
            need[discs].append((td, weeks, k, frozenset(o.unit for o in ds)))
    return need


def _energy_cuts(pm: PlacementModel, need: Needs, M: dict[str, int],
                 N: dict[str, int]) -> tuple[float, tuple | None]:
    """Per requirement and set of eligible units: the weeks and stints needed within what
    the units hold. Returns the intake bound and (disciplines, units) of the tightest
    one-stint bound (None if that is not one stint)."""
    bound: float = math.inf
    tight: tuple | None = None  # (disciplines, units) of the tightest one-stint bound
    for discs, rows in need.items():
        sets = {units for *_, units in rows}
        union = frozenset().union(*sets)
        sets.add(union)
        for units_e in sets:
            inside = [(td, w, k) for td, w, k, units in rows if units <= units_e]
            if not inside or any(u not in M for u in units_e):
                continue  # an unlimited unit: no bound from this set
            cap_w, cap_n = sum(M[u] for u in units_e), sum(N[u] for u in units_e)
            _post(pm.model, sum(w * td.admitted for td, w, _ in inside) <= cap_w)
            _post(pm.model, sum(k * td.admitted for td, _, k in inside) <= cap_n)
            # With one kind of trainee in the set, this is the intake the set allows.
            if len({(w, k) for _, w, k in inside}) == 1 and units_e == union:
                w0, k0 = inside[0][1], inside[0][2]
                if min(cap_w // w0, cap_n // k0) < bound:
                    bound = min(cap_w // w0, cap_n // k0)
                    tight = (discs, units_e) if k0 == 1 else None
    return bound, tight


def _head_count_cuts(pm: PlacementModel) -> None:
    """Head count per week over each set of eligible units."""
    elig: dict[int, frozenset[str]] = {
        id(td): frozenset(o.unit for o in td.options) for td in pm.data}
    sets = set(elig.values())
    if sets:
        sets.add(frozenset().union(*sets))
    for units_e in sets:
        if any(pm.free_profile.get(u) is None for u in units_e):
            continue
        members = [td for td in pm.data if elig[id(td)] <= units_e]
        for w in range(pm.H):
            here = [td for td in members if td.start <= w < td.end and w not in td.leave_weeks]
            if not here:
                continue
            cap = sum(pm.free_profile[u][w] for u in units_e)  # type: ignore[index,misc]
            if cap < len(here):
                _post(pm.model, sum(td.admitted for td in here) <= cap)


def _gaps(pm: PlacementModel, opts: list[Option], a: int, b: int) -> set[int] | None:
    """Week counts the other stints of a block can fill, if the unit's options all belong to
    blocks that are exactly ``[a, b)`` with neither leave nor locked stints (else None).

    The stints of such a block tile it, so the weeks before a stint at the unit, and after it,
    are sums of the lengths of the trainee's other options (a superset: lengths of every option
    of these trainees, each usable any number of times). Hence a stint whose weeks before or
    after are no such sum belongs to no plan.
    """
    owners = {o.t for o in opts}
    tds = [pm.data[i] for i in owners]
    if any(td.start != a or td.end != b or td.leave_weeks or td.trainee.locked
           or any(o.earliest != a or o.latest_end != b for o in td.options) for td in tds):
        return None
    lengths: set[int] = set()
    for td in tds:
        for o in td.options:
            lengths.update(range(max(1, o.lo), o.hi + 1))
    reach = [False] * (b - a + 1)
    reach[0] = True
    for n in range(1, b - a + 1):
        reach[n] = any(ln <= n and reach[n - ln] for ln in lengths)
    return {n for n, ok in enumerate(reach) if ok}


def _post(m: Any, ct: Any) -> None:
    """Add a cut unless it has no variables (only fixed trainees and stints): then it is a
    plain truth value, and a false one means those alone do not fit, which the model's own
    constraints already say."""
    if not isinstance(ct, bool):
        m.add(ct)
