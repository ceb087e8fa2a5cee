"""The CP-SAT model: stints as optional intervals.

Formulation: a trainee's block is tiled by stints.
Each possible stint is an *option* ``(trainee, unit, discipline)`` with a presence literal, a
start and a size, posted as one optional interval. Per trainee the intervals (and fixed leave
intervals) are pairwise disjoint, lie inside the block and their sizes add up to the service
weeks, which together force an exact tiling without one boolean per week. Capacity is one
cumulative (or no-overlap, for single-seat units such as vårdcentraler) per unit, with fixed
"blocker" intervals lowering capacity in dated periods. Why intervals: a week-indexed model
needs one boolean per trainee, unit and week (~158 x 40 x 78 ≈ 490 000 on Örebro, where it
was reported to find no plan within 120 s; not re-measured here); this model has ~6 000 optional
intervals. Measured (2 workers) on a synthetic region of Örebro's size: even so, the full model
found no plan in 60 s, with or without a partial hint, so ``solve.py`` builds a first plan
trainee by trainee and warm-starts this model with a complete hint.

Two objective terms are posted one-sided (only upper bounds on the helper variables that the
minimisation pushes to their true value): fragmentation spans and, for units whose capacity
exceeds their staffing target, the "counted" weeks. Intermediate solutions can therefore carry
a solver objective above the plan's true cost; the reported objective is always the checker's
recomputation, and the bound stays valid.

Layers follow PyJobShop: variables, then one private method per constraint family called in a
fixed order, then the objective where a term is only built when its weight is positive.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ortools.sat.python import cp_model

from scheduler.domain import (
    EXTENDING_LEAVE,
    Instance,
    Programme,
    Trainee,
    Unit,
    block_end,
    calendar_weeks,
    introduction_mondays,
    leaves_early,
    service_weeks_needed,
)
from scheduler.plan import Stint
from scheduler.solver import wish_terms
from scheduler.solver.cpsat import make_solver, run
from scheduler.wishes import eligible_units

TERMS = ("unit_changes", "fragmentation", "staffing_shortfall", "peak_utilisation", "wishes",
         "travel", "worst", "spacing")
# A trainee's own terms besides unit changes and fragmentation (scheduler/solver/wish_terms.py):
# the one-trainee re-plans minimise them too, or they would undo granted wishes; ``spacing``
# against the other trainees' starts (the re-plan's external stints).
OWN = ("wishes", "travel", "spacing")
# Bound on week indices for helper variables (history before the horizon included).
MAX_SPAN = 10_000
# Soft capacity: cost of one trainee-week over a unit's capacity (docs/MODEL.md).
OVERRUN_WEIGHT = 1000


@dataclass
class Option:
    """One possible stint of one trainee; ``fixed`` options are constants (locks, other cohorts)."""

    t: int
    unit: str
    discipline: str
    kind: str  # "main", "intro", "locked", "external"
    lo: int
    hi: int
    earliest: int
    latest_end: int
    # CP-SAT variables or expressions, or plain ints for fixed options.
    presence: Any = 1
    start: Any = 0
    size: Any = 0
    fixed: bool = False
    end_var: Any = None

    @property
    def end(self) -> cp_model.LinearExprT:
        return self.end_var if self.end_var is not None else self.start + self.size


@dataclass
class TraineeData:
    trainee: Trainee
    start: int
    end: int
    service: int
    leave_weeks: list[int]
    options: list[Option] = field(default_factory=list)
    # 1, or a literal for an optional trainee (``PlacementModel(optional=...)``): every
    # "exactly one"/"== service"/">= minimum" of the trainee is scaled by it.
    admitted: Any = 1


class PlacementModel:
    """Builds the CP-SAT model for ``trainees`` (default: all) of ``instance``.

    ``external`` stints (of trainees outside the model, e.g. earlier cohorts in the cohort
    decomposition) are fixed capacity consumers. ``terms`` limits the objective to some terms.
    ``optional`` trainees (ids) get an ``admitted`` literal each (``self.admitted``): a trainee
    that is not admitted has no stints; e.g. the what-if capacity search maximises their sum.
    ``build=False``: only the trainees' data (``data``, ``eligible_stints``), no variables.
    """

    def __init__(
        self,
        instance: Instance,
        trainees: list[Trainee] | None = None,
        external: list[Stint] = (),  # type: ignore[assignment]
        terms: tuple[str, ...] = TERMS,
        profiles: dict[str, list[int] | None] | None = None,
        contiguous: bool = False,
        ignore_capacity: bool = False,
        min_stints: dict[str, int] | None = None,
        optional: Collection[str] = (),
        soft_capacity: bool = False,
        seat_loads: dict[str, dict[str, list[int]]] | None = None,
        build: bool = True,
    ):
        self.inst = instance
        # Seats per programme (``_seat_limits``): trainees per unit, programme and week held by
        # stints outside the model whose seats ``profiles`` already leaves out (a residual).
        self.seat_loads = seat_loads or {}
        # Soft capacity (docs/MODEL.md, "Soft capacity"): overrun variables per unit and week
        # (``self.overrun``) instead of a hard limit, minimised as the named term
        # ``capacity_overrun`` with weight OVERRUN_WEIGHT per trainee-week over capacity.
        self.soft_capacity = soft_capacity
        self.overrun: dict[tuple[str, int], cp_model.IntVar] = {}
        self.optional = set(optional)
        self.admitted: dict[str, cp_model.IntVar] = {}
        self._profiles = profiles
        self.contiguous = contiguous
        self.ignore_capacity = ignore_capacity
        self.min_stints = min_stints or {}
        self.model = cp_model.CpModel()
        self.H = instance.n_weeks
        self.trainees = trainees if trainees is not None else instance.all_trainees()
        self.external = list(external)
        # Terms whose data is absent (no wishes, no travel matrix, fairness off) stay out.
        self.weights = {t: w for t, w in instance.objective_weights().items() if t in terms}
        self.term_exprs: dict[str, cp_model.LinearExprT] = {}
        self.data: list[TraineeData] = []
        self._prepare()
        if not build:  # the trainees' data only (``data``, ``eligible_stints``): no model
            return
        self._add_variables()
        self._add_constraints()
        self._add_objective()

    # ------------------------------------------------------------------ preparation

    def _w(self, d: date) -> int:
        return self.inst.week_index(d)

    def _prepare(self) -> None:
        inst = self.inst
        self.cap_profile: dict[str, list[int] | None] = {}
        # Capacity left for the trainees in this model: external stints (other intakes in the
        # decomposition) are subtracted week by week instead of posted as intervals.
        self.free_profile: dict[str, list[int] | None] = {}
        ext_load: dict[str, list[int]] = defaultdict(lambda: [0] * self.H)
        for st in self.external:
            for w in range(self._w(st.start), self._w(st.end)):
                ext_load[st.unit][w] += 1
        base = self._profiles or capacity_profiles(inst)
        for u in inst.units:
            prof = base[u.id]
            self.cap_profile[u.id] = prof
            if prof is None:
                self.free_profile[u.id] = None
            else:
                ext = ext_load.get(u.id)
                self.free_profile[u.id] = (
                    prof if ext is None else [max(0, c - x) for c, x in zip(prof, ext, strict=True)]
                )
        for t in self.trainees:
            prog = inst.programme(t.programme)
            start, end = self._w(t.start), self._w(block_end(t, prog))
            leave = sorted({
                w for lv in t.leave if lv.kind in EXTENDING_LEAVE
                for w in range(self._w(lv.start), self._w(lv.end)) if start <= w < end
            })
            service = service_weeks_needed(prog, t.part_time)
            if prog.introduction_weeks:  # service at no unit: no stint covers them
                intro = [w for w in map(self._w, introduction_mondays(t, prog)) if w < end]
                leave = sorted(set(leave) | set(intro))
                service -= len(intro)
            if leaves_early(t, prog):  # leaves unfinished: every week to the end is service
                service = end - start - len(leave)
            self.data.append(TraineeData(t, start, end, service, leave))
            if t.id in self.optional:
                self.data[-1].admitted = self.admitted[t.id] = self.model.new_bool_var(
                    f"admitted[{t.id}]")

    def eligible_stints(self, td: TraineeData) -> list[tuple[str, str, int, int]]:
        """(unit, discipline, min length, max length) of every stint the trainee may have."""
        t = td.trainee
        prog = self.inst.programme(t.programme)
        out = []
        for u in self.inst.units:
            if not u.eligible(prog.id, t.site):
                continue
            prof = self.free_profile[u.id]
            if (prof is not None and max(prof[td.start:td.end], default=0) == 0
                    and not self.soft_capacity):  # soft: a closed unit may still be overrun
                continue
            lo, hi = u.stint_range(prog.id, t.part_time)
            hi = td.service if hi is None else min(hi, td.service)
            for d in u.disciplines:
                req = prog.requirement(d)
                if req is None:
                    continue
                d_hi = hi
                if req.max_weeks is not None:
                    d_hi = min(d_hi, calendar_weeks(req.max_weeks, t.part_time))
                if d_hi >= lo:
                    out.append((u.id, d, lo, d_hi))
        return out

    # ------------------------------------------------------------------ variables

    def _add_variables(self) -> None:
        m = self.model
        for i, td in enumerate(self.data):
            t = td.trainee
            for ls in t.locked:
                a, b = self._w(ls.start), self._w(ls.end)
                td.options.append(Option(i, ls.unit, ls.discipline, "locked", b - a, b - a, a, b,
                                         presence=1, start=a, size=b - a, fixed=True))
            for uid, d, lo, hi in self.eligible_stints(td):
                name = f"{t.id}|{uid}|{d}"
                p = m.new_bool_var(f"p[{name}]")
                s = m.new_int_var(td.start, max(td.start, td.end - lo), f"s[{name}]")
                z = m.new_int_var_from_domain(cp_model.Domain.from_intervals([[0, 0], [lo, hi]]),
                                          f"z[{name}]")
                # Linear (not only enforced) links give the LP relaxation z <= hi * p.
                m.add(z >= lo * p)
                m.add(z <= hi * p)
                e = m.new_int_var(td.start, td.end, f"e[{name}]")
                m.add(e == s + z)
                td.options.append(Option(i, uid, d, "main", lo, hi, td.start, td.end,
                                         presence=p, start=s, size=z, end_var=e))
            prog = self.inst.programme(t.programme)
            if prog.starts_with is not None:
                # The opening stint: fixed start and length, its unit is a choice.
                sw = prog.starts_with
                n = sw.weeks
                for uid, d, _lo, _hi in self.eligible_stints(td):
                    if d != sw.discipline:
                        continue
                    # The opening stint starts in the first week of service (a block may
                    # open with leave).
                    first = next(w for w in range(td.start, td.end) if w not in td.leave_weeks)
                    q = m.new_bool_var(f"intro[{t.id}|{uid}]")
                    td.options.append(Option(i, uid, d, "intro", n, n, first, first + n,
                                             presence=q, start=first, size=n * q))
        self._resume_after_leave()

    def _resume_after_leave(self) -> None:
        """A stint interrupted by extending leave may resume at the same unit right after it.

        MODEL.md's repeat rule allows it; with one interval per unit and discipline the model
        could not express it, and a trainee with leave in the middle of the block was often
        infeasible. Per run of leave inside the block and per (unit, discipline) a second
        option starts at the leave's end, present only if a stint there ends at its start.
        An *interrupted* option ends at the leave's start and needs the resumed one: neither
        part has a minimum length (MODEL.md, stint_length); it is the counted stint there.
        """
        m = self.model
        self.interrupted: set[int] = set()  # ids of the interrupted options (for hints)
        for i, td in enumerate(self.data):
            runs = [r for r in _runs(td.leave_weeks) if td.start < r[0] and r[1] < td.end]
            base = [o for o in td.options if o.kind in ("main", "locked")]
            # Parts added for earlier runs of leave: a resumed part may run into the next
            # leave and resume again (not counted); an interrupted part is the counted stint.
            added: dict[tuple[str, str], list[Option]] = defaultdict(list)
            resumed: set[int] = set()
            for a, b in runs:
                for key in sorted({(o.unit, o.discipline) for o in base if not o.fixed}):
                    before = [o for o in base if (o.unit, o.discipline) == key] + added[key]
                    proto = next(o for o in before if not o.fixed)
                    # It completes the interrupted stint: no minimum length (MODEL.md).
                    lo, hi = 1, min(proto.hi, td.end - b)
                    if hi < lo:
                        continue
                    counted: list[Any] = []  # ways through a stint the repeat rule counts
                    other: list[Any] = []  # through a locked stint (not counted)
                    chained: list[Any] = []  # through a part resumed after earlier leave
                    for x in before:
                        if x.fixed:
                            other += [1] if int(x.start + x.size) == a else []  # type: ignore
                            continue
                        w = m.new_bool_var("")
                        m.add_implication(w, x.presence)
                        m.add(x.end == a).only_enforce_if(w)
                        (chained if id(x) in resumed else other if self._uncounted(x)
                         else counted).append(w)
                    p = m.new_bool_var(f"resume[{td.trainee.id}|{key[0]}|{b}]")
                    z = m.new_int_var_from_domain(
                        cp_model.Domain.from_intervals([[0, 0], [lo, hi]]), "")
                    m.add(z >= lo * p)
                    m.add(z <= hi * p)
                    if a - td.start >= 1:
                        # The interrupted part: [s, a), then the leave, then the resumed part.
                        q = m.new_bool_var(f"interrupted[{td.trainee.id}|{key[0]}|{a}]")
                        qh = min(proto.hi, a - td.start)
                        qs = m.new_int_var(td.start, a - 1, "")
                        qz = m.new_int_var_from_domain(
                            cp_model.Domain.from_intervals([[0, 0], [1, qh]]), "")
                        m.add(qz >= q)
                        m.add(qz <= qh * q)
                        qe = m.new_int_var(td.start, a, "")
                        m.add(qe == qs + qz)  # absent: end == start, it overlaps nothing
                        m.add(qe == a).only_enforce_if(q)
                        m.add(q <= p)
                        m.add(q + sum(o.presence for o in before
                                      if not self._uncounted(o) and id(o) not in resumed)
                              <= 1)
                        qo = Option(i, key[0], key[1], "main", 1, qh, td.start, a, presence=q,
                                    start=qs, size=qz, end_var=qe)
                        td.options.append(qo)
                        self.interrupted.add(id(qo))
                        added[key].append(qo)
                        counted.append(q)
                    m.add(p <= sum(counted) + sum(other) + sum(chained))
                    if other:
                        # Resumed after an uncounted stint, it is the one counted stint there.
                        free = [o.presence for o in before
                                if not self._uncounted(o) and id(o) not in resumed]
                        m.add(p + sum(free) <= 1 + sum(counted))
                    ro = Option(i, key[0], key[1], "main", lo, hi, b, b + hi,
                                presence=p, start=b, size=z, end_var=b + z)
                    td.options.append(ro)
                    added[key].append(ro)
                    if not other:
                        # After a locked stint the resumed part is the counted stint (the
                        # checker counts it): a later interrupted part must count it too.
                        resumed.add(id(ro))

    def _uncounted(self, o: Option) -> bool:
        """Stints the repeat rule does not count (locked ones)."""
        return bool(o.fixed)

    # ------------------------------------------------------------------ constraints

    def _add_constraints(self) -> None:
        self._tiling()
        self._requirements()
        self._order_rules()
        self.by_unit = self._unit_options()
        if not self.ignore_capacity:
            self._capacity()
            self._seat_limits()
        self._stint_cuts()
        if self.contiguous:
            self._discipline_blocks()

    def _discipline_blocks(self) -> None:
        """Heuristic restriction (decomposition only): each discipline's stints form one block.

        Trainees with leave or locked stints are left free, since a fixed interruption can
        make contiguous blocks impossible. Fragmentation is then zero by construction, which
        makes a one-trainee solve several times faster than minimising it.
        """
        m = self.model
        for td in self.data:
            if td.leave_weeks or td.trainee.locked:
                continue
            by_d: dict[str, list[Option]] = defaultdict(list)
            for o in td.options:
                if o.kind == "main":
                    by_d[o.discipline].append(o)
            blocks = []
            for opts in by_d.values():
                bs = m.new_int_var(td.start, td.end, "")
                bz = m.new_int_var(0, td.end - td.start, "")
                be = m.new_int_var(td.start, td.end, "")
                m.add(bz == sum(o.size for o in opts))
                blocks.append(m.new_interval_var(bs, bz, be, ""))
                for o in opts:
                    m.add(o.start >= bs).only_enforce_if(o.presence)
                    m.add(o.end <= be).only_enforce_if(o.presence)
            intros = [self.intervals[id(o)] for o in td.options if o.kind == "intro"]
            m.add_no_overlap(blocks + intros)

    def _interval(self, o: Option) -> cp_model.IntervalVar:
        m = self.model
        if o.fixed:
            return m.new_fixed_size_interval_var(o.start, o.size, "")
        if o.kind == "intro":
            return m.new_optional_fixed_size_interval_var(o.start, o.lo, o.presence, "")
        return m.new_optional_interval_var(o.start, o.size, o.end, o.presence, "")

    def _tiling(self) -> None:
        """Disjoint stints inside the block whose weeks add up to the service weeks."""
        m = self.model
        self.intervals: dict[int, cp_model.IntervalVar] = {}
        for td in self.data:
            ivs = []
            for o in td.options:
                iv = self._interval(o)
                self.intervals[id(o)] = iv
                ivs.append(iv)
            for w in _runs(td.leave_weeks):
                ivs.append(m.new_fixed_size_interval_var(w[0], w[1] - w[0], ""))
            m.add_no_overlap(ivs)
            m.add(sum(o.size for o in td.options) == td.service * td.admitted)

    def _requirements(self) -> None:
        m = self.model
        for td in self.data:
            t = td.trainee
            prog = self.inst.programme(t.programme)
            by_d: dict[str, list] = defaultdict(list)
            for o in td.options:
                by_d[o.discipline].append(o.size)
            for weeks, lo, hi in requirement_rows(prog, t, by_d):
                m.add(weeks >= lo * td.admitted)
                if hi is not None:
                    m.add(weeks <= hi)

    def _order_rules(self) -> None:
        m = self.model
        for td in self.data:
            prog = self.inst.programme(td.trainee.programme)
            sw, ew = prog.starts_with, prog.ends_with
            if leaves_early(td.trainee, prog):
                continue  # order rules lapse with the unfinished block (its start is history)
            if sw is not None:
                intros = [o for o in td.options if o.kind == "intro"]
                _exactly_one(m, [o.presence for o in intros], td.admitted)
            if ew is None and not (sw and sw.same_unit_as_end):
                continue
            # last[o]: o is the stint that ends the block.
            mains = [o for o in td.options if o.kind in ("main", "locked")]
            last: dict[int, Any] = {}
            for o in mains:
                if o.fixed:
                    last[id(o)] = int(o.start + o.size == td.end)
                    continue
                b = m.new_bool_var("")
                m.add(o.end == td.end).only_enforce_if(b)
                m.add_implication(b, o.presence)
                last[id(o)] = b
            _exactly_one(m, list(last.values()), td.admitted)
            for o in mains:
                if ew is not None and o.discipline != ew:
                    m.add(last[id(o)] == 0)
            if sw is not None and sw.same_unit_as_end:
                for o in (o for o in td.options if o.kind == "intro"):
                    same = [last[id(x)] for x in mains
                            if x.unit == o.unit and x.discipline == o.discipline]
                    m.add(sum(same) == o.presence) if same else m.add(o.presence == 0)

    def _stint_cuts(self) -> None:
        """Redundant: at least as many stints as the trainee needs with unlimited capacity.

        The LP relaxation alone only sees ``size <= max length * presence`` and bounds the
        number of stints far too low; these per-trainee minima (see :func:`min_stints`) make
        the bound on unit changes nearly tight.
        """
        for td in self.data:
            n = self.min_stints.get(td.trainee.id)
            if n:
                self.model.add(sum(o.presence for o in td.options) >= n * td.admitted)

    def add_stint_total(self, trainee_ids: Collection[str], total: int) -> None:
        """Redundant: these trainees have at least ``total`` stints together (a valid cut
        such as :func:`scheduler.solver.bounds.floor_cut`'s)."""
        ids = set(trainee_ids)
        opts = [o.presence for td in self.data if td.trainee.id in ids for o in td.options]
        if opts and total > 0:
            self.model.add(sum(opts) >= total)

    def _unit_options(self) -> dict[str, list[Option]]:
        by_u: dict[str, list[Option]] = defaultdict(list)
        for td in self.data:
            for o in td.options:
                by_u[o.unit].append(o)
        return by_u

    def _capacity(self) -> None:
        m = self.model
        for uid, prof in self.free_profile.items():
            opts = self.by_unit.get(uid, [])
            if prof is None or not opts:
                continue
            top = max(prof)
            ivs = [self.intervals[id(o)] for o in opts]
            demands = [1] * len(ivs)
            # Blockers take away the capacity missing in dated periods (summer, closures).
            for (s, e), deficit in _deficit_runs(prof, top):
                ivs.append(m.new_fixed_size_interval_var(s, e - s, ""))
                demands.append(deficit)
            if self.soft_capacity and self._soft_capacity(uid, prof, opts, ivs, demands, top):
                continue
            if top == 1:
                m.add_no_overlap(ivs)
            else:
                m.add_cumulative(ivs, demands, top)

    def _seat_limits(self) -> None:
        """Seats per programme inside a unit (docs/MODEL.md, ``seats``), hard even with soft
        capacity: at most ``capacity_by_programme[p]`` trainees of ``p`` at once; and the
        trainees beyond their programme's reservation fit in the unreserved seats,
        ``sum_p max(0, n_p - r_p) <= max(0, c - R)``, posted as: for every non-empty set ``Q``
        of programmes with reservations, the trainees of the other programmes are at most
        ``max(0, c - R) + R - r(Q)``. One cumulative per limit; external stints (other
        intakes) lower it week by week as blockers."""
        for u in self.inst.units:
            if not (u.capacity_by_programme or u.reserved_seats):
                continue
            opts = self.by_unit.get(u.id, [])
            progs = [self.data[o.t].trainee.programme for o in opts]
            held_out: dict[str, list[int]] = defaultdict(lambda: [0] * self.H)
            for pid, row in self.seat_loads.get(u.id, {}).items():
                held_out[pid] = [a + b for a, b in zip(held_out[pid], row, strict=True)]
            for st in self.external:
                if st.unit == u.id:
                    for w in range(max(0, self._w(st.start)), min(self.H, self._w(st.end))):
                        held_out[st.programme][w] += 1
            # (the programmes a limit counts, its seats per week)
            limits: list[tuple[Callable[[str], bool], list[int]]] = [
                (frozenset([pid]).__contains__, [k] * self.H)
                for pid, k in u.capacity_by_programme.items()]
            prof = self.cap_profile[u.id]
            if prof is not None and self.seat_loads.get(u.id):  # residual: add back the held
                prof = [c + sum(row[w] for row in self.seat_loads[u.id].values())
                        for w, c in enumerate(prof)]
            if prof is not None and u.reserved_seats:
                held = sorted(u.reserved_seats)
                total = sum(u.reserved_seats.values())
                for n in range(1, len(held) + 1):
                    for q_set in itertools.combinations(held, n):
                        r = sum(u.reserved_seats[q] for q in q_set)
                        # every programme but Q's: of the options and of the seats held out
                        others = frozenset(set(progs) | set(held_out) | set(u.reserved_seats)
                                           ) - set(q_set)
                        limits.append((others.__contains__,
                                       [max(0, c - total) + total - r for c in prof]))
            for counts, limit in limits:
                free = list(limit)
                for pid, row in held_out.items():
                    if counts(pid):
                        free = [max(0, f - x) for f, x in zip(free, row, strict=True)]
                ivs = [self.intervals[id(o)] for o, p in zip(opts, progs, strict=True)
                       if counts(p)]
                if not ivs:
                    continue
                top = max(free)
                demands = [1] * len(ivs)
                for (ws, we), deficit in _deficit_runs(free, top):
                    ivs.append(self.model.new_fixed_size_interval_var(ws, we - ws, ""))
                    demands.append(deficit)
                self.model.add_cumulative(ivs, demands, top)

    def _soft_capacity(self, uid: str, prof: list[int], opts: list[Option], ivs: list,
                       demands: list, top: int) -> bool:
        """Capacity ``prof[w] + overrun[w]``: a one-week reserve interval per week in which an
        overrun is possible holds ``M - overrun[w]`` of ``M`` extra seats; False if none is."""
        m = self.model
        reach = [0] * self.H  # options that can cover each week: an upper bound on the load
        for o in opts:
            for w in range(max(0, o.earliest), min(self.H, o.latest_end)):
                reach[w] += 1
        room = {w: reach[w] - prof[w] for w in range(self.H) if reach[w] > prof[w]}
        if not room:
            return False
        big = max(room.values())
        for w, r in room.items():
            o_w = m.new_int_var(0, r, f"overrun[{uid}|{w}]")
            self.overrun[(uid, w)] = o_w
            ivs.append(m.new_fixed_size_interval_var(w, 1, ""))
            demands.append(big - o_w)
        m.add_cumulative(ivs, demands, top + big)
        return True

    # ------------------------------------------------------------------ objective

    def _add_objective(self) -> None:
        builders = {
            "unit_changes": self._unit_changes,
            "fragmentation": self._fragmentation,
            "staffing_shortfall": self._staffing_shortfall,
            "peak_utilisation": self._peak_utilisation,
            "wishes": lambda: wish_terms.wishes_term(self),
            "travel": lambda: wish_terms.travel_term(self),
            "worst": lambda: wish_terms.worst_term(self),
            "spacing": self._spacing,
        }
        for term in self.weights:
            self.term_exprs[term] = builders[term]()
        if self.soft_capacity:
            self.weights["capacity_overrun"] = OVERRUN_WEIGHT
            self.term_exprs["capacity_overrun"] = sum(self.overrun.values())
        if not self.weights:
            return  # a feasibility model
        self.model.minimize(sum(w * self.term_exprs[t] for t, w in self.weights.items()))

    def fragmentation_expr(self) -> cp_model.LinearExprT:
        """The fragmentation term unweighted (e.g. its least, for a bound)."""
        return self._fragmentation()

    def _unit_changes(self) -> cp_model.LinearExprT:
        return sum(sum(o.presence for o in td.options) - td.admitted for td in self.data)

    def _fragmentation(self) -> cp_model.LinearExprT:
        # Span of a discipline from its first start to its last end minus its weeks. Only upper
        # bounds on the span are posted (cheap, LP-friendly); the minimisation makes them tight,
        # and reported terms are always recomputed from the plan by the checker.
        m = self.model
        total = []
        self.frag_by_t: dict[int, list] = defaultdict(list)  # for the worst trainee's cost
        for i, td in enumerate(self.data):
            by_d: dict[str, list[Option]] = defaultdict(list)
            for o in td.options:
                by_d[o.discipline].append(o)
            for d, opts in by_d.items():
                if len(opts) < 2:
                    continue
                lo = m.new_int_var(td.start, td.end, "")
                hi = m.new_int_var(td.start, td.end, "")
                for o in opts:
                    if o.fixed:
                        m.add(lo <= o.start)
                        m.add(hi >= o.end)
                    else:
                        m.add(lo <= o.start).only_enforce_if(o.presence)
                        m.add(hi >= o.end).only_enforce_if(o.presence)
                frag = m.new_int_var(0, td.end - td.start, f"frag[{td.trainee.id}|{d}]")
                m.add(frag >= hi - lo - sum(o.size for o in opts))
                total.append(frag)
                self.frag_by_t[i].append(frag)
        return sum(total)

    def _window(self, uid: str) -> tuple[int, int, int] | None:
        return staffing_window(self.inst, self.inst.unit(uid))

    def _staffing_shortfall(self) -> cp_model.LinearExprT:
        m = self.model
        ext_weeks: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for s in self.external:
            ext_weeks[s.unit].append((self._w(s.start), self._w(s.end)))
        total: list = []
        for u in self.inst.units:
            win = self._window(u.id)
            if win is None:
                continue
            a, b, k = win
            opts = self.by_unit.get(u.id, [])
            prof = self.cap_profile[u.id]
            ext = [(max(s, a), min(e, b)) for s, e in ext_weeks[u.id] if min(e, b) > max(s, a)]
            if prof is not None and max(prof[a:b]) <= k:
                # Load never exceeds k here, so shortfall = k * weeks - covered trainee-weeks.
                covered = []
                for o in opts:
                    if o.fixed:
                        s0 = o.start
                        covered.append(max(0, min(s0 + o.size, b) - max(s0, a)))  # type: ignore
                    elif o.earliest >= a and o.latest_end <= b:
                        covered.append(o.size)
                    else:
                        # overlap = max(0, min(end, b) - max(start, a)); an absent stint has
                        # end == start and so overlaps nothing.
                        ec = m.new_int_var(min(o.earliest, b), b, "")
                        sc = m.new_int_var(a, max(a, o.latest_end), "")
                        m.add_min_equality(ec, [o.end, b])
                        m.add_max_equality(sc, [o.start, a])
                        diff = m.new_int_var(o.earliest - o.latest_end - b, b, "")
                        m.add(diff == ec - sc)
                        ov = m.new_int_var(0, min(o.hi, b - a), "")
                        m.add_max_equality(ov, [diff, 0])
                        covered.append(ov)
                sf = m.new_int_var(0, k * (b - a), f"shortfall[{u.id}]")
                m.add(sf == k * (b - a) - sum(covered) - sum(e - s for s, e in ext))
                total.append(sf)
            else:
                # Capacity above the target. Each stint may have one "counted" sub-interval;
                # counted intervals share a capacity of k, so the most weeks they can cover is
                # sum_w min(k, load_w) and the shortfall is k * weeks minus that. The
                # minimisation makes the counted intervals as long as the stints allow; a
                # week-indexed formulation needs a boolean per stint and week (~400 000 on
                # Örebro) and stalls presolve.
                counted, sizes = [], []
                for o in opts:
                    c = m.new_bool_var("")
                    if not o.fixed:
                        m.add_implication(c, o.presence)
                    lo_s, hi_e = max(o.earliest, a), min(o.latest_end, b)
                    if hi_e <= lo_s:
                        m.add(c == 0)
                        continue
                    cs = m.new_int_var(lo_s, hi_e, "")
                    cz = m.new_int_var(0, min(o.hi, hi_e - lo_s), "")
                    ce = m.new_int_var(lo_s, hi_e, "")
                    m.add(cs >= o.start).only_enforce_if(c)
                    m.add(ce <= o.end).only_enforce_if(c)
                    m.add(cz == 0).only_enforce_if(~c)
                    counted.append(m.new_optional_interval_var(cs, cz, ce, c, ""))
                    sizes.append(cz)
                # External stints (fixed trainees) cover min(k, their load) in each week; they
                # block that much of the counted capacity. Summing their weeks instead would
                # count a week twice where they exceed k, and make the model infeasible.
                ext_cov = [0] * (b - a)
                for ws, we in ext:
                    for w in range(ws, we):
                        ext_cov[w - a] += 1
                ext_cov = [min(k, x) for x in ext_cov]
                demands = [1] * len(counted)
                for (ws, we), d in _deficit_runs([k - x for x in ext_cov], k):
                    counted.append(m.new_fixed_size_interval_var(a + ws, we - ws, ""))
                    demands.append(d)
                if counted:
                    m.add_cumulative(counted, demands, k)
                # The LP relaxation does not see the cumulative; an explicit variable >= 0
                # keeps the bound from going negative.
                sf = m.new_int_var(0, k * (b - a), f"shortfall[{u.id}]")
                m.add(sf == k * (b - a) - sum(sizes) - sum(ext_cov))
                total.append(sf)
        return sum(total)

    def _spacing(self) -> cp_model.LinearExprT:
        """Weeks by which consecutive starts at a unit with ``min_start_gap_weeks`` g lie
        closer than g (docs/MODEL.md, "spacing"); a trainee's start there is its first week
        there. Each start casts a "shadow" interval [start, start + g - x) with x in [0, g],
        and a unit's shadows may not overlap: with the starts sorted, the least x of one is
        g minus the distance to the next start (0 when that is g or more), so the least sum
        of x is the term exactly. One interval per trainee and unit and one no-overlap per
        unit; a pairwise formulation needs a variable per pair of trainees whose starts can
        be closer than g (~150^2 / 2 per vårdcentral on a 150-trainee region), a per-week
        count of starts one boolean per trainee, unit and week.
        """
        m = self.model
        total: list = []
        ext_first: dict[tuple[str, str], int] = {}
        for st in self.external:
            key, w = (st.unit, st.trainee), self._w(st.start)
            ext_first[key] = min(w, ext_first.get(key, w))
        for u in self.inst.units:
            g = u.min_start_gap_weeks
            if not g or not self.by_unit.get(u.id):
                continue  # without options here the externals' spacing is a constant
            shadows = []
            for (uid, _), w in ext_first.items():
                if uid == u.id:
                    shadows.append((1, w))
            by_t: dict[int, list[Option]] = defaultdict(list)
            for o in self.by_unit.get(u.id, []):
                by_t[o.t].append(o)
            for i, opts in by_t.items():
                shadows.append(self._first_start(i, u.id, opts))
            if len(shadows) < 2:
                continue
            ivs = []
            for at, start in shadows:
                x = m.new_int_var(0, g, f"spacing[{u.id}]")
                if isinstance(start, int):
                    end: Any = start + g - x
                else:
                    end = m.new_int_var(-MAX_SPAN, MAX_SPAN, "")
                    m.add(end == start + g - x)
                if isinstance(at, int):
                    ivs.append(m.new_interval_var(start, g - x, end, ""))
                else:
                    ivs.append(m.new_optional_interval_var(start, g - x, end, at, ""))
                    m.add(x == 0).only_enforce_if(~at)
                total.append(x)
            m.add_no_overlap(ivs)
        return sum(total)

    def _first_start(self, i: int, uid: str, opts: list[Option]) -> tuple[Any, Any]:
        """(present, week) of trainee ``i``'s first week at unit ``uid``: the earliest start
        of its stints there (``opts``); ``present`` is 1 or a literal."""
        m = self.model
        fixed = [int(o.start) for o in opts if o.fixed]
        free = [o for o in opts if not o.fixed]
        if not free:
            return 1, min(fixed)
        if len(free) == 1 and not fixed:
            return free[0].presence, free[0].start
        td = self.data[i]
        lo = min([td.start, *fixed, *(o.earliest for o in free)])
        hi = max([td.end, *fixed])
        first = m.new_int_var(lo, hi, f"first[{td.trainee.id}|{uid}]")
        chosen = []
        for w in fixed:
            m.add(first <= w)
        for o in free:
            m.add(first <= o.start).only_enforce_if(o.presence)
            c = m.new_bool_var("")
            m.add_implication(c, o.presence)
            m.add(first == o.start).only_enforce_if(c)
            chosen.append(c)
        if fixed:  # present: the least fixed start or an earlier free one
            c = m.new_bool_var("")
            m.add(first == min(fixed)).only_enforce_if(c)
            m.add(sum(chosen) + c >= 1)
            return 1, first
        at = m.new_bool_var(f"at[{td.trainee.id}|{uid}]")
        for o in free:
            m.add_implication(o.presence, at)
        m.add(sum(chosen) == at)
        return at, first

    def _peak_utilisation(self) -> cp_model.LinearExprT:
        m = self.model
        ext_load: dict[str, int] = defaultdict(int)
        for s in self.external:
            ext_load[s.unit] += (s.end - s.start).days // 7
        classes: dict[frozenset[str], list[tuple[cp_model.IntVar, int]]] = defaultdict(list)
        for u in self.inst.units:
            prof = self.cap_profile[u.id]
            if prof is None or sum(prof) == 0:
                continue
            capw = sum(prof)
            load = sum(o.size for o in self.by_unit.get(u.id, [])) + ext_load[u.id]
            # util = ceil(100 * load / capw), posted exactly: util*capw >= 100*load > (util-1)*capw
            util_max = 100 * self.H * (len(self.trainees) + len(self.external)) // capw + 1
            util = m.new_int_var(0, util_max, f"util[{u.id}]")
            m.add(util * capw >= 100 * load)
            m.add(util * capw - capw <= 100 * load - 1)
            classes[frozenset(u.disciplines)].append((util, util_max))
        peaks = []
        for members in classes.values():
            utils = [v for v, _ in members]
            peak = m.new_int_var(0, max(ub for _, ub in members), "")
            m.add_max_equality(peak, utils)
            peaks.append(peak)
        return sum(peaks)

    # ------------------------------------------------------------------ hints and results

    def hint(self, stints: list[Stint]) -> None:
        """Warm start from a plan (e.g. the cohort decomposition's)."""
        by_key = {(s.trainee, s.unit, s.discipline): s for s in stints}
        m = self.model
        for td in self.data:
            first = min((s.start for s in stints if s.trainee == td.trainee.id), default=None)
            for o in td.options:
                if o.fixed:
                    continue
                s = by_key.get((td.trainee.id, o.unit, o.discipline))
                if o.kind == "intro":
                    on = s is not None and first is not None and any(
                        x.trainee == td.trainee.id and x.unit == o.unit and x.start == first
                        and x.discipline == o.discipline for x in stints)
                    m.add_hint(o.presence, int(on))
                    continue
                if s is not None and o.kind == "main" and s.start == first and \
                        self.inst.programme(td.trainee.programme).starts_with is not None:
                    # The opening stint belongs to the intro option; main is the later one.
                    later = [x for x in stints if x.trainee == td.trainee.id and x.unit == o.unit
                             and x.discipline == o.discipline and x.start != first]
                    s = later[0] if later else None
                if id(o) in getattr(self, "interrupted", ()):
                    m.add_hint(o.presence, 0)
                    m.add_hint(o.size, 0)
                    m.add_hint(o.start, td.start)
                    continue
                resumes = {x.start for x in td.options if x.kind == "main"
                           and isinstance(x.start, int) and x.unit == o.unit
                           and x.discipline == o.discipline}
                if resumes and s is not None and not isinstance(o.start, int):
                    # Resumed after leave: the main option holds the part before the leave.
                    firsts = sorted(x for x in stints if x.trainee == td.trainee.id
                                    and x.unit == o.unit and x.discipline == o.discipline
                                    and self._w(x.start) not in resumes)
                    s = firsts[0] if firsts else None
                if isinstance(o.start, int):  # resumed after leave: the later stint there
                    on = s is not None and any(
                        x.trainee == td.trainee.id and x.unit == o.unit and
                        x.discipline == o.discipline and self._w(x.start) == o.start
                        for x in stints)
                    m.add_hint(o.presence, int(on))
                    continue
                if s is None:
                    m.add_hint(o.presence, 0)
                    m.add_hint(o.size, 0)
                    m.add_hint(o.start, td.start)
                else:
                    m.add_hint(o.presence, 1)
                    m.add_hint(o.start, self._w(s.start))
                    m.add_hint(o.size, s.weeks)

    def extract(self, solver: cp_model.CpSolver | cp_model.CpSolverSolutionCallback) -> list[Stint]:
        out = []
        for td in self.data:
            t = td.trainee
            for o in td.options:
                if o.fixed:
                    start, size = int(o.start), int(o.size)  # type: ignore[arg-type]
                else:
                    if not solver.value(o.presence):
                        continue
                    start = solver.value(o.start)
                    size = solver.value(o.size) if o.kind != "intro" else o.lo
                if size <= 0:
                    continue
                out.append(Stint(
                    trainee=t.id, programme=t.programme, unit=o.unit, discipline=o.discipline,
                    site=self.inst.unit(o.unit).site, start=self.inst.week_date(start),
                    end=self.inst.week_date(start + size)))
        return sorted(out)


def requirement_rows(prog: Programme, t: Trainee,
                     by_d: dict[str, list]) -> list[tuple[Any, int, int | None]]:
    """``(weeks, least, most)`` per requirement and group requirement of the programme, in
    calendar weeks at the trainee's part time; ``by_d``: the weeks (terms) per discipline.
    The minima lapse for a trainee who leaves before the block ends."""
    floor = 0 if leaves_early(t, prog) else 1
    rows: list[tuple[Any, int, int | None]] = []
    for r in prog.requirements:
        rows.append((sum(by_d[r.discipline]), calendar_weeks(r.min_weeks, t.part_time) * floor,
                     None if r.max_weeks is None else calendar_weeks(r.max_weeks, t.part_time)))
    for g in prog.group_requirements:
        rows.append((sum(sum(by_d[d]) for d in g.disciplines),
                     calendar_weeks(g.min_weeks, t.part_time) * floor,
                     None if g.max_weeks is None else calendar_weeks(g.max_weeks, t.part_time)))
    return rows


def utilisation(weeks: int, capacity: list[int]) -> int:
    """A unit's utilisation over the horizon in whole percent, rounded up (``sum(capacity)``
    > 0), as the peak utilisation term counts it."""
    return -(-100 * weeks // sum(capacity))


def kinds(trainees: list[Trainee]) -> list[list[Trainee]]:
    """The trainees grouped by :func:`kind_key`, in first-seen order."""
    out: dict[tuple, list[Trainee]] = defaultdict(list)
    for t in trainees:
        out[kind_key(t)].append(t)
    return list(out.values())


def staffing_window(inst: Instance, u: Unit) -> tuple[int, int, int] | None:
    """``(first week, end week, trainees wanted)`` of the unit's staffing target in the
    horizon, or ``None`` without one (or when it lies outside the horizon)."""
    st = u.staffing_target
    if st is None:
        return None
    a = max(0, inst.week_index(st.start)) if st.start else 0
    b = min(inst.n_weeks, inst.week_index(st.end)) if st.end else inst.n_weeks
    return (a, b, st.trainees) if b > a else None


def kind_key(t: Trainee) -> tuple:
    """Trainees with equal keys differ only in id: one-trainee results can be shared."""
    return (t.programme, t.site, t.start, t.part_time, tuple(t.leave), tuple(t.locked),
            t.leaves_on)


# CP-SAT deterministic time of one kind's solve in ``least_per_kind`` (one unit took 5-9 CPU
# s on 850-trainee one-trainee models). Measured against the 0.2 s of wall clock it replaces
# (load 3.5-4): mixed-features-110-tight, least stints 651 in 2.3 CPU s either way, 643 with
# 0.02; six-hospitals-156-tight, 1 088 in 2.1 CPU s either way.
LEAST_WORK = 0.05


def least_per_kind(instance: Instance, trainees: list[Trainee],
                   objective: Callable[[PlacementModel], cp_model.LinearExprT],
                   time_limit: float | None = None,
                   profiles: dict[str, list[int] | None] | None = None,
                   stop: Callable[[], bool] | None = None,
                   work: float | None = None,
                   default: Callable[[Trainee], int] | None = None) -> dict[str, int]:
    """Per trainee, a lower bound on ``objective`` of its one-trainee model without capacity
    (CP-SAT's bound, valid when not proven; 0 when nothing is known). Trainees that differ
    only in id share the value, so each kind is solved once.

    ``stop``: polled before each kind; once it says so, the kinds left get ``default`` (a
    valid lower bound, 0 without one), so a Stockholm-size region (hundreds of kinds) keeps
    its deadline. ``work``: each solve's budget in CP-SAT deterministic time (reproducible
    values: the same on a loaded machine), ``LEAST_WORK`` unless ``time_limit`` seconds of
    wall clock are asked for instead."""
    if work is None and time_limit is None:
        work = LEAST_WORK
    out: dict[str, int] = {}
    cache: dict[tuple, int] = {}
    base = profiles or capacity_profiles(instance)
    stopped = False
    for t in trainees:
        key = kind_key(t)
        if key not in cache:
            stopped = stopped or (stop is not None and stop())
            if stopped:  # the kind's mates share its floor (once per kind, not per trainee)
                out[t.id] = cache[key] = default(t) if default is not None else 0
                continue
            pm = PlacementModel(instance, [t], terms=(), ignore_capacity=True,
                                profiles=representatives(instance, t, base))
            pm.model.minimize(objective(pm))
            solver = (make_solver(None, 1, deterministic_time=work, symmetry_level=0)
                      if work is not None else
                      make_solver(time_limit, 1, symmetry_level=0))  # see cpsat.run
            status = run(solver, pm.model)
            cache[key] = (max(0, int(math.ceil(solver.best_objective_bound - 1e-6)))
                          if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else 0)
            if default is not None:  # never below the floor known without a solve
                cache[key] = max(cache[key], default(t))
        out[t.id] = cache[key]
    return out


def stint_floor(instance: Instance, t: Trainee) -> int:
    """A lower bound on ``t``'s number of stints known without a solve; 0 for a trainee who
    leaves the programme unfinished (``leaves_on``: not every requirement applies).

    A stint credits one discipline and lasts at most the longest stint ``L(d)`` of the
    units that may credit ``d`` for ``t`` (calendar weeks at its part time; an opening or
    locked stint may be longer and counts with its length), so a discipline with ``w``
    weeks has at least ``ceil(w / L(d))`` stints. The floor is the least of
    ``sum ceil(w(d) / L(d))`` over the weeks that meet every requirement's and group
    requirement's minimum (a small dynamic programme per group). Why: the bound falls back
    on it for every kind whose solve the run's deadline cut short, and one stint per
    discipline was far below the solves (Örebro: 552 stints in all, the solves 1 226, this
    floor 964; a loaded 60 s run of a generated 210-trainee region: bound 9 171, with this
    floor 13 701)."""
    if t.leaves_on is not None:
        return 0
    prog = instance.programme(t.programme)
    pt = t.part_time
    longest: dict[str, float] = {}
    for u in eligible_units(instance, t):
        hi = u.stint_range(prog.id, pt)[1]
        for d in u.disciplines:
            longest[d] = max(longest.get(d, 0), math.inf if hi is None else hi)
    sw = prog.starts_with
    if sw is not None:
        longest[sw.discipline] = max(longest.get(sw.discipline, 0), sw.weeks,
                                     calendar_weeks(sw.weeks, pt))
    for ls in t.locked:
        longest[ls.discipline] = max(longest.get(ls.discipline, 0),
                                     -(-(ls.end - ls.start).days // 7))
    least = {r.discipline: calendar_weeks(r.min_weeks, pt) for r in prog.requirements}

    def stints(d: str, w: int) -> int:
        if w <= 0:
            return 0
        top = longest.get(d, 0)
        if top <= 0:
            return 1  # no unit credits it: the model has no plan; claim one stint only
        return 1 if math.isinf(top) else -(-w // int(top))

    total = 0
    grouped: set[str] = set()
    groups = [(set(g.disciplines), calendar_weeks(g.min_weeks, pt))
              for g in prog.group_requirements]
    # Groups that share no discipline each get the least over their members' weeks; an
    # overlapping group counts only its members' own minima (still a floor).
    for members, need in groups:
        if any(members & other for other, _n in groups if other is not members) \
                or members & grouped:
            continue
        grouped |= members
        # best[s]: fewest stints for members so far with s weeks in all (capped at need).
        best = {0: 0}
        for d in sorted(members):
            lo = least.get(d, 0)
            nxt: dict[int, int] = {}
            for s0, n0 in best.items():
                for w in range(lo, max(lo, need - s0) + 1):
                    s1 = min(need, s0 + w)
                    n1 = n0 + stints(d, w)
                    if n1 < nxt.get(s1, math.inf):
                        nxt[s1] = n1
            best = nxt
        total += best[need]  # the first member alone may take all the weeks
    total += sum(stints(d, w) for d, w in least.items() if d not in grouped)
    return max(1, total)


def stint_floors(instance: Instance, trainees: list[Trainee]) -> dict[str, int]:
    """:func:`stint_floor` of every trainee, computed once per kind (trainee by trainee it
    took 0.5 CPU s at 1 000 trainees, on the way to the first plan)."""
    out: dict[str, int] = {}
    for members in kinds(trainees):
        floor = stint_floor(instance, members[0])
        out.update((t.id, floor) for t in members)
    return out


def min_stints(instance: Instance, trainees: list[Trainee], time_limit: float | None = None,
               profiles: dict[str, list[int] | None] | None = None,
               stop: Callable[[], bool] | None = None,
               work: float | None = None) -> dict[str, int]:
    """Per trainee, a lower bound on the number of stints: the optimum without capacity
    (``stint_floor`` for the kinds left when ``stop`` ends it early)."""
    return least_per_kind(instance, trainees,
                          lambda pm: sum(o.presence for o in pm.data[0].options),
                          time_limit, profiles, stop=stop, work=work,
                          default=lambda t: stint_floor(instance, t))


def representatives(inst: Instance, t: Trainee,
                     profiles: dict[str, list[int] | None]) -> dict[str, list[int] | None]:
    """``profiles`` with all but a few units of each class closed, for models that ignore
    capacity. Units of one class (same disciplines, stint range for the programme, the same
    weeks open) are interchangeable there, and a rotation holds at most ``service / least
    stint`` stints of one class, so keeping that many changes no optimum; a region with 150
    vårdcentraler open to every trainee otherwise gives each one-trainee model 150 options."""
    prog = inst.programme(t.programme)
    # A stint resumed after leave has no least length: one more per run of leave.
    service = service_weeks_needed(prog, t.part_time)
    resumed = len({lv.start for lv in t.leave if lv.kind in EXTENDING_LEAVE})
    locked = {ls.unit for ls in t.locked}
    seen: dict[tuple, int] = defaultdict(int)
    out = dict(profiles)
    for u in inst.units:
        prof = profiles[u.id]
        if prof is None or u.id in locked:
            continue
        lo, hi = u.stint_range(prog.id, t.part_time)
        key = (tuple(sorted(u.disciplines)), lo, hi, u.region_wide, u.site, u.takes(prog.id),
               tuple(u.takes_from or ()), tuple(sorted(u.capacity_by_programme.items())),
               tuple(sorted(u.reserved_seats.items())),
               bytes(int(c > 0) for c in prof))
        seen[key] += 1
        if seen[key] > max(1, -(-service // max(1, lo))) + resumed:
            out[u.id] = [0] * len(prof)
    return out


def capacity_profiles(inst: Instance) -> dict[str, list[int] | None]:
    """Capacity per unit and week of the horizon (``None``: no supervisor limit)."""
    out: dict[str, list[int] | None] = {}
    for u in inst.units:
        if u.capacity is None:
            out[u.id] = None
            continue
        prof = [u.capacity] * inst.n_weeks
        for ch in u.capacity_changes:  # later changes win, as in Unit.capacity_in_week
            for w in range(max(0, inst.week_index(ch.start)),
                           min(inst.n_weeks, inst.week_index(ch.end))):
                prof[w] = ch.capacity
        out[u.id] = prof
    return out


def _exactly_one(m: cp_model.CpModel, lits: list, admitted: Any) -> None:
    """Exactly one of ``lits``, or none when an optional trainee is not admitted."""
    if isinstance(admitted, int):
        m.add_exactly_one(lits)
    else:
        m.add(sum(lits) == admitted)


def _runs(weeks: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs ``[a, b)`` of sorted week indices."""
    runs: list[tuple[int, int]] = []
    for w in weeks:
        if runs and runs[-1][1] == w:
            runs[-1] = (runs[-1][0], w + 1)
        else:
            runs.append((w, w + 1))
    return runs


def _deficit_runs(prof: list[int], top: int) -> list[tuple[tuple[int, int], int]]:
    out: list[tuple[tuple[int, int], int]] = []
    for w, c in enumerate(prof):
        d = top - c
        if d <= 0:
            continue
        if out and out[-1][0][1] == w and out[-1][1] == d:
            out[-1] = ((out[-1][0][0], w + 1), d)
        else:
            out.append(((w, w + 1), d))
    return out
