"""The MSS problem on the core CP-SAT formulation (:mod:`scheduler.solver.model`).

Mapping: a ward ``(hospital, discipline)`` is a unit, a period is a week, a student is a
trainee. As in :class:`~scheduler.solver.model.PlacementModel` every possible stint is an
:class:`~scheduler.solver.model.Option` ``(student, ward)`` with a presence literal, posted as
one optional interval of fixed size ``Duration``, and each ward's ``MaxPosHosp`` is the core's
capacity cumulative with "blocker" intervals for periods of lower capacity
(``PlacementModel._capacity``). A student's options for one discipline share one start
variable (a discipline is attended at most once, so only the hospital differs), whose domain
holds the periods where the whole stint is available.

MSS specifics: periods are not tiled (students may idle), group requirements are equalities on
the number of disciplines, ``MaxDiscPerHosp``, precedences, ``MinPosHosp`` (per ward-period
coverage literals), and the objective as named terms. The stint order of each student is a
circuit over its disciplines (``add_circuit``): an arc ``d -> d'`` says ``d'`` is the next
stint after ``d``; it yields the hospital changes (arcs between different hospitals) and the
last period attended (the end of the stint whose arc returns to the depot), from which the
waiting periods are ``last - Duration * stints`` (the number of stints is fixed by the group
requirements). Every term is exact in every solution, not only at the optimum, so the solver's
objective equals :func:`scheduler.mss.evaluate.evaluate` of its schedule.

Stints are whole (``Duration`` periods at one ward). ``mss.mzn`` admits a shorter run in the
last ``Duration - 2`` periods before an idle last period, but such a run can never satisfy the
group equalities (they count periods in multiples of ``Duration``), so nothing is lost.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from scheduler.mss.dzn import Cell, MssInstance
from scheduler.solver.model import Option, PlacementModel

TERMS = ("sat_disc", "sat_hosp", "sat_wait", "sat_man", "sat_chn", "worst")


# Above this many start literals (student x ward x start period) the model keeps intervals only.
TIME_INDEXED_LIMIT = 250_000


def count_start_literals(inst: MssInstance) -> int:
    D = inst.duration
    n = 0
    for s in range(inst.students):
        av = inst.availability[s]
        starts = sum(1 for t in range(inst.horizon - D + 1) if all(av[t:t + D]))
        wards = sum(1 for h in range(inst.hospitals) for d in range(inst.disciplines)
                    if inst.ability[s][h][d] and inst.allowed_disc[s][d])
        n += starts * wards
    return n


def ward_id(h: int, d: int) -> str:
    return f"h{h + 1}d{d + 1}"


@dataclass
class StudentVars:
    starts: dict[int, Any]  # discipline -> start variable
    attend: dict[int, Any]  # discipline -> presence (sum of its hospital options)
    options: dict[tuple[int, int], Option]  # (hospital, discipline) -> option
    last: Any = 0  # last period attended (0-based exclusive end of the last stint)
    total: Any = 0  # SatTot
    arcs: dict[tuple[int, int], Any] | None = None  # (from, to) node -> literal; depot = -1
    changes: dict[tuple[int, int], Any] | None = None  # (d, d') -> hospital-change literal


class MssModel(PlacementModel):
    """CP-SAT model of one MSS instance; maximises ``sum(SatTot) + min(SatTot)``.

    Reuses the core's interval and capacity machinery (``_interval``, ``_capacity``) with
    wards as units; the core's constructor (domain instances, tiling, requirements in weeks) is
    not used.
    """

    def __init__(self, inst: MssInstance, time_indexed: bool = False, soft_min: int = 0,
                 others_worst: int | None = None):
        # No super().__init__(): see the class docstring. soft_min > 0: MinPosHosp is not a
        # constraint; each period a student covers towards a minimum earns soft_min instead
        # (the greedy first plan, one student at a time). others_worst: the instance is a
        # subset of students (the re-planning neighbourhoods) and the smallest SatTot of the
        # students outside it joins the minimum.
        self.mss = inst
        self.others_worst = others_worst
        self.soft_min = soft_min
        self.min_cover: list[Any] = []
        self.cover_lits: list[tuple[Any, int, int, int, int]] = []  # (lit, s, h, d, period)
        self.time_indexed = time_indexed
        # (student, hospital, discipline) -> {period: literal "the stint starts then"}
        self.z: dict[tuple[int, int, int], dict[int, Any]] = {}
        self.model = cp_model.CpModel()
        self.H = inst.horizon
        self.term_exprs: dict[str, cp_model.LinearExprT] = {}
        self.intervals: dict[int, cp_model.IntervalVar] = {}
        self.by_unit: dict[str, list[Option]] = defaultdict(list)
        self.free_profile: dict[str, list[int] | None] = {
            ward_id(h, d): inst.max_pos[h][d]
            for h in range(inst.hospitals) for d in range(inst.disciplines)}
        self.students: list[StudentVars] = []
        self.soft_capacity = False  # the core's option; MaxPosHosp is a hard limit
        self._add_stints()
        self._capacity()  # the core's cumulative per ward with blockers
        if self.time_indexed and not soft_min:
            self._time_indexed()
        else:
            self._minimum_coverage()
        self._order_and_objective()

    # ------------------------------------------------------------------ stints

    def _start_periods(self, s: int) -> list[int]:
        """0-based starts whose ``Duration`` periods are all available."""
        inst, D = self.mss, self.mss.duration
        av = inst.availability[s]
        return [t for t in range(inst.horizon - D + 1) if all(av[t:t + D])]

    def _earliest_last(self, s: int, n: int) -> int:
        """Redundant bound: the earliest end of ``n`` stints packed into available runs."""
        D, av = self.mss.duration, self.mss.availability[s]
        t, left = 0, n
        while left and t + D <= self.H:
            if all(av[t:t + D]):
                left -= 1
                t += D
            else:
                t += 1
        return t if not left else self.H

    def _add_stints(self) -> None:
        inst, m, D = self.mss, self.model, self.mss.duration
        for s in range(inst.students):
            sv = StudentVars({}, {}, {})
            self.students.append(sv)
            starts = self._start_periods(s)
            ivs = []
            for d in range(inst.disciplines):
                hosps = [h for h in range(inst.hospitals) if inst.ability[s][h][d]]
                if not inst.allowed_disc[s][d] or not hosps or not starts:
                    continue
                st = m.new_int_var_from_domain(cp_model.Domain.from_values(starts),
                                               f"start[s{s + 1}d{d + 1}]")
                lits = []
                for h in hosps:
                    p = m.new_bool_var(f"p[s{s + 1}h{h + 1}d{d + 1}]")
                    o = Option(s, ward_id(h, d), str(d), "main", D, D, starts[0],
                               starts[-1] + D, presence=p, start=st, size=D)
                    self.intervals[id(o)] = self._interval(o)
                    self.by_unit[o.unit].append(o)
                    sv.options[(h, d)] = o
                    lits.append(p)
                x = m.new_bool_var(f"x[s{s + 1}d{d + 1}]")
                m.add(sum(lits) == x)
                sv.starts[d], sv.attend[d] = st, x
                ivs.append(m.new_optional_fixed_size_interval_var(st, D, x, ""))
            m.add_no_overlap(ivs)
            # Group requirements: exactly StudDiscGroup[s, g] disciplines of group g.
            for g in range(inst.groups):
                m.add(sum(x for d, x in sv.attend.items() if inst.disc_group[d] == g)
                      == inst.stud_disc_group[s][g])
            for h in range(inst.hospitals):
                here = [o.presence for (hh, _), o in sv.options.items() if hh == h]
                if len(here) > inst.max_disc_per_hosp:
                    m.add(sum(here) <= inst.max_disc_per_hosp)
            # Precedences: d needs d1 attended earlier.
            for d, x in sv.attend.items():
                for d1 in range(inst.disciplines):
                    if d1 == d or not inst.precededby[d][d1]:
                        continue
                    if d1 not in sv.attend:
                        m.add(x == 0)
                        continue
                    m.add_implication(x, sv.attend[d1])
                    m.add(sv.starts[d] >= sv.starts[d1] + D).only_enforce_if(x)

    def _capacity(self) -> None:
        """The core's cumulative per ward, except for wards with a single option (one student:
        the greedy's subproblems), where the capacity is a start domain instead."""
        m, D = self.model, self.mss.duration
        shared = {}
        for uid, prof in self.free_profile.items():
            opts = self.by_unit.get(uid, [])
            if len(opts) != 1 or prof is None:
                shared[uid] = prof
                continue
            o = opts[0]
            ok = [t for t in range(self.H - D + 1) if min(prof[t:t + D]) >= 1]
            if len(ok) < self.H - D + 1:
                m.add_linear_expression_in_domain(
                    o.start, cp_model.Domain.from_values(ok)).only_enforce_if(o.presence)
        full = self.free_profile
        self.free_profile = shared
        try:
            super()._capacity()
        finally:
            self.free_profile = full

    def _minimum_coverage(self) -> None:
        """MinPosHosp: per ward-period, literals of students covering it, summed."""
        inst, m, D = self.mss, self.model, self.mss.duration
        for h in range(inst.hospitals):
            for d in range(inst.disciplines):
                opts = self.by_unit.get(ward_id(h, d), [])
                for t in range(inst.horizon):
                    need = inst.min_pos[h][d][t]
                    if need <= 0:
                        continue
                    cover = []
                    for o in opts:
                        lo = max(t - D + 1, 0)
                        if o.earliest > t or o.latest_end <= lo:
                            continue
                        c = m.new_bool_var("")
                        m.add_implication(c, o.presence)
                        m.add(o.start >= lo).only_enforce_if(c)
                        m.add(o.start <= t).only_enforce_if(c)
                        cover.append(c)
                        self.cover_lits.append((c, o.t, h, d, t))
                    if self.soft_min:
                        self.min_cover.extend(cover)
                    else:
                        m.add(sum(cover) >= need)

    # ------------------------------------------------------------------ time-indexed layer

    def _time_indexed(self) -> None:
        """Start literals per option and period, channelled to the intervals.

        They make capacity (both MaxPosHosp and MinPosHosp), the per-period load of a student,
        the last period attended and the hospital changes linear, which the LP relaxation
        needs for a useful bound; the intervals keep their propagation.
        """
        inst, m, D = self.mss, self.model, self.mss.duration
        cover: dict[tuple[int, int, int], list] = defaultdict(list)  # (h, d, t) -> literals
        self.busy: list[dict[int, dict[int, list]]] = []  # [s][t][h] -> literals covering t
        for s, sv in enumerate(self.students):
            busy: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
            self.busy.append(busy)
            starts = self._start_periods(s)
            for (h, d), o in sv.options.items():
                zs = {}
                for t in starts:
                    z = m.new_bool_var("")
                    m.add(sv.starts[d] == t).only_enforce_if(z)
                    zs[t] = z
                    for k in range(t, t + D):
                        cover[(h, d, k)].append(z)
                        busy[k][h].append(z)
                m.add(sum(zs.values()) == o.presence)
                self.z[(s, h, d)] = zs
            for per_h in busy.values():
                lits = [z for zs in per_h.values() for z in zs]
                if len(lits) > 1:
                    m.add(sum(lits) <= 1)
        for h in range(inst.hospitals):
            for d in range(inst.disciplines):
                for t in range(inst.horizon):
                    lits = cover.get((h, d, t), [])
                    lo, hi = inst.min_pos[h][d][t], inst.max_pos[h][d][t]
                    if lo > 0:
                        m.add(sum(lits) >= lo)
                    if len(lits) > hi:
                        m.add(sum(lits) <= hi)

    def _periods(self, s: int, sv: StudentVars, n: int) -> tuple[Any, Any]:
        """Last period attended and hospital changes from the per-period literals (exact).

        ``cur[t][h]``: ``aux_chhosp`` of mss.mzn is hospital ``h`` (the hospital attended in
        ``t``, else the last one attended before); a change is counted in ``t`` when ``cur[t]``
        is a hospital and ``t + 1`` is attended elsewhere.
        """
        inst, m, D, T = self.mss, self.model, self.mss.duration, self.mss.horizon
        if n == 0 or not sv.attend:
            for x in sv.attend.values():
                m.add(x == 0)
            return 0, 0
        ends = []
        for d in sv.attend:
            ends.append(sum((t + D) * z for h in range(inst.hospitals)
                            for t, z in self.z.get((s, h, d), {}).items()))
        last = m.new_int_var(self._earliest_last(s, n), T, f"last[s{s + 1}]")
        m.add_max_equality(last, ends)
        for e in ends:
            m.add(last >= e)  # linear copy for the LP
        if inst.hospitals == 1:
            return last, 0
        busy = self.busy[s]
        a = [[sum(busy[t][h]) if t in busy else 0 for h in range(inst.hospitals)]
             for t in range(T)]
        att = [sum(row) for row in a]
        cur = [[m.new_bool_var("") for _ in range(inst.hospitals)] for _ in range(T)]
        changes = []
        for t in range(T):
            for h in range(inst.hospitals):
                c = cur[t][h]
                if t == 0:
                    m.add(c == a[0][h])
                    continue
                prev = cur[t - 1][h]
                # attended in t: c = a[t][h]; idle: c = prev.
                m.add(c >= a[t][h])
                m.add(c <= a[t][h] + prev)
                m.add(c <= a[t][h] + 1 - att[t])
                m.add(c >= prev - att[t])
            if t + 1 < T:
                for h in range(inst.hospitals):
                    # q = cur[t][h] AND (t + 1 attended at another hospital)
                    other = att[t + 1] - a[t + 1][h]
                    q = m.new_bool_var("")
                    m.add(q <= cur[t][h])
                    m.add(q <= other)
                    m.add(q >= cur[t][h] + other - 1)
                    changes.append(q)
        return last, sum(changes)

    # ------------------------------------------------------------------ order and objective

    def _order_and_objective(self) -> None:
        inst, m, D = self.mss, self.model, self.mss.duration
        terms: dict[str, list] = {t: [] for t in TERMS if t != "worst"}
        totals = []
        lo_tot, hi_tot = 0, 0
        for s, sv in enumerate(self.students):
            w_disc, w_hosp, w_change, w_wait = inst.weight_pref[s]
            n = inst.n_stints(s)
            sat_disc = sum(w_disc * inst.pref_disc[s][d] * x for d, x in sv.attend.items())
            sat_man = sum(inst.man_pref[d] * x for d, x in sv.attend.items())
            sat_hosp = sum(w_hosp * inst.pref_hosp[s][h] * o.presence
                           for (h, _), o in sv.options.items())
            if self.time_indexed:
                last, changes = self._periods(s, sv, n)
            else:
                last, changes = self._circuit(s, sv, n)
            sat_wait = w_wait * (last - D * n)
            sat_chn = w_change * changes
            # Bounds of SatTot for its variable's domain.
            disc_vals = sorted((w_disc * inst.pref_disc[s][d] + inst.man_pref[d]
                                + max(w_hosp * inst.pref_hosp[s][h] for h in range(
                                    inst.hospitals)) for d in sv.attend), reverse=True)
            hi = sum(disc_vals[:n]) + max(0, w_wait * (inst.horizon - D * n))
            hi += max(0, w_change * max(0, n - 1))
            low = -(abs(w_wait) * inst.horizon + abs(w_change) * n + sum(
                abs(w_disc * inst.pref_disc[s][d]) + abs(inst.man_pref[d]) + max(
                    abs(w_hosp * inst.pref_hosp[s][h]) for h in range(inst.hospitals))
                for d in sv.attend))
            tot = m.new_int_var(low, max(low, hi), f"sat_tot[s{s + 1}]")
            m.add(tot == sat_disc + sat_man + sat_hosp + sat_wait + sat_chn)
            sv.total = tot
            totals.append(tot)
            lo_tot, hi_tot = min(lo_tot, low), max(hi_tot, hi)
            for k, v in (("sat_disc", sat_disc), ("sat_hosp", sat_hosp), ("sat_wait", sat_wait),
                         ("sat_man", sat_man), ("sat_chn", sat_chn)):
                terms[k].append(v)
        for k, vs in terms.items():
            self.term_exprs[k] = sum(vs)
        if self.others_worst is None:
            worst = m.new_int_var(lo_tot, hi_tot, "worst")
            m.add_min_equality(worst, totals)
        else:
            worst = m.new_int_var(min(lo_tot, self.others_worst), self.others_worst, "worst")
            m.add_min_equality(worst, [*totals, self.others_worst])
        self.term_exprs["worst"] = worst
        self.worst = worst
        self.totals = totals
        self.objective = sum(totals) + worst
        m.maximize(self.objective + self.soft_min * sum(self.min_cover))

    def _circuit(self, s: int, sv: StudentVars, n: int) -> tuple[Any, Any]:
        """Stint order as a circuit through the attended disciplines and a depot.

        Returns (last period attended, number of hospital changes), both exact.
        """
        m, D = self.model, self.mss.duration
        nodes = sorted(sv.attend)
        if n == 0 or not nodes:
            for x in sv.attend.values():
                m.add(x == 0)
            return 0, 0
        idx = {d: i + 1 for i, d in enumerate(nodes)}  # node 0 is the depot
        arcs: list[tuple[int, int, Any]] = []
        sv.arcs, sv.changes = {}, {}
        last = m.new_int_var(self._earliest_last(s, n), self.H, f"last[s{s + 1}]")
        sv.last = last
        hosp = {d: sum((h + 1) * o.presence for (h, dd), o in sv.options.items() if dd == d)
                for d in nodes}
        changes = []
        for d in nodes:
            x = sv.attend[d]
            arcs.append((idx[d], idx[d], ~x))
            first = m.new_bool_var("")
            arcs.append((0, idx[d], first))
            sv.arcs[(-1, d)] = first
            end = m.new_bool_var("")
            arcs.append((idx[d], 0, end))
            sv.arcs[(d, -1)] = end
            m.add(last == sv.starts[d] + D).only_enforce_if(end)
            for d2 in nodes:
                if d2 == d or self.mss.precededby[d][d2]:  # d needs d2 earlier: no d -> d2
                    continue
                a = m.new_bool_var("")
                arcs.append((idx[d], idx[d2], a))
                sv.arcs[(d, d2)] = a
                m.add(sv.starts[d2] >= sv.starts[d] + D).only_enforce_if(a)
                if self.mss.hospitals > 1:
                    c = m.new_bool_var("")
                    m.add_implication(c, a)
                    m.add(hosp[d] == hosp[d2]).only_enforce_if(a, ~c)
                    m.add(hosp[d] != hosp[d2]).only_enforce_if(c)
                    sv.changes[(d, d2)] = c
                    changes.append(c)
        m.add_circuit(arcs)
        return last, sum(changes)

    # ------------------------------------------------------------------ hints and results

    def hint_cells(self, cells: set[Cell]) -> None:
        """Warm start from a schedule (complete: presences, starts, order)."""
        m, D = self.model, self.mss.duration
        stints = stints_of(cells, D)
        for s, sv in enumerate(self.students):
            mine = {d: (h, t) for (ss, h, d, t) in stints if ss == s}
            for (h, d), o in sv.options.items():
                m.add_hint(o.presence, int(mine.get(d, (None,))[0] == h))
            for d, st in sv.starts.items():
                m.add_hint(sv.attend[d], int(d in mine))
                m.add_hint(st, mine[d][1] if d in mine else self._start_periods(s)[0])
            for (ss, h, d), zs in self.z.items():
                if ss == s:
                    for t, z in zs.items():
                        m.add_hint(z, int(mine.get(d) == (h, t)))
            if sv.arcs is None:
                continue
            order = sorted(mine, key=lambda d: mine[d][1])
            succ = dict(zip([-1, *order], [*order, -1], strict=True))
            for (a, b), lit in sv.arcs.items():
                m.add_hint(lit, int(succ.get(a) == b and (a in mine or a == -1)))
            for (a, b), lit in (sv.changes or {}).items():
                m.add_hint(lit, int(succ.get(a) == b and a in mine and mine[a][0] != mine[b][0]))
            if not isinstance(sv.last, int):
                m.add_hint(sv.last, max((t + D for _, t in mine.values()), default=0))
        # The objective's helpers too: a complete hint is taken as the first solution at once.
        at = {(s, h, d): t for s, h, d, t in stints}
        for lit, s, h, d, t in self.cover_lits:
            t0 = at.get((s, h, d))
            m.add_hint(lit, int(t0 is not None and t0 <= t < t0 + D))
        totals = [self._total_of(s, {d: ht for (ss, h0, d, t0) in stints if ss == s
                                     for ht in [(h0, t0)]}) for s in range(len(self.students))]
        for var, v in zip(self.totals, totals, strict=True):
            m.add_hint(var, v)
        m.add_hint(self.worst, min(totals + ([] if self.others_worst is None
                                             else [self.others_worst])))

    def _total_of(self, s: int, mine: dict[int, tuple[int, int]]) -> int:
        """SatTot of student ``s`` with stints ``discipline -> (hospital, start)`` as this
        model computes it (for hints)."""
        inst, D = self.mss, self.mss.duration
        w_disc, w_hosp, w_change, w_wait = inst.weight_pref[s]
        val = sum(w_disc * inst.pref_disc[s][d] + inst.man_pref[d]
                  + w_hosp * inst.pref_hosp[s][h] for d, (h, _) in mine.items())
        if mine:
            order = sorted(mine.values(), key=lambda ht: ht[1])
            val += w_wait * (order[-1][1] + D - D * len(mine))
            val += w_change * sum(1 for a, b in itertools.pairwise(order)
                                  if a[0] != b[0])
        return val

    def cells(self, solver: cp_model.CpSolver | cp_model.CpSolverSolutionCallback
              ) -> set[Cell]:
        D = self.mss.duration
        cells: set[Cell] = set()
        for s, sv in enumerate(self.students):
            for (h, d), o in sv.options.items():
                if solver.value(o.presence):
                    t0 = solver.value(o.start)
                    cells.update((s, t, h, d) for t in range(t0, t0 + D))
        return cells


def stints_of(cells: set[Cell], duration: int) -> list[tuple[int, int, int, int]]:
    """(student, hospital, discipline, first period) of each run of ``duration`` cells."""
    first: dict[tuple[int, int, int], int] = {}
    for s, t, h, d in cells:
        k = (s, h, d)
        first[k] = min(t, first.get(k, t))
    return sorted((s, h, d, t) for (s, h, d), t in first.items())
