"""The first plan: every trainee placed, capacity repaired, never a dead end.

Why this design: planning trainee by trainee against hard capacity dead-ends when an early
trainee takes the seat a later one needs (tight regions ended with neither a plan nor a
proof), and one CP-SAT solve per trainee is too slow for a Stockholm-size region. Here:

1. **Place** every trainee in start order against the seats the others left. A trainee of a
   kind already seen (same programme, site, start and part time, no leave or locks) first
   tries the rotations its kind-mates got, with its units chosen again against today's loads
   (pure Python, no solver), then their runs (each discipline's weeks) with the stints
   inside each run chosen again (``fit_runs``). Only when none fits does a one-trainee
   CP-SAT solve run, on the few units per discipline with the most free seats; its rotation
   joins the kind's templates. When no rotation within capacity exists, the trainee is
   placed with the least overrun (soft capacity): placement never fails for a trainee that
   has any valid rotation.
2. **Repair** the overrun by large-neighbourhood search: the trainees at an over-full unit
   and week, with trainees holding interchangeable seats near it, are re-planned together
   with capacity soft (overrun costs 1000 per trainee-week), against everybody else. A re-plan
   is kept when the overrun does not grow and the own cost falls, or the overrun falls.

Every budget is work, not seconds: CP-SAT runs single-threaded with a deterministic-time
limit and the repair counts its steps, so the same input and seed give the same plan on an
idle and on a loaded machine. A wall-clock ``deadline`` is only a safety net for the caller.
"""

from __future__ import annotations

import bisect
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from scheduler import verify
from scheduler.domain import EXTENDING_LEAVE, Instance, Trainee, Unit, block_end
from scheduler.halt import HALT
from scheduler.plan import Stint
from scheduler.solver.model import PlacementModel, kind_key, staffing_window

# Free seats of a unit without a supervisor limit.
UNLIMITED = 1 << 20
# Region-wide units of one class offered to a one-trainee solve (those with the most free
# seat-weeks in the trainee's block): a Stockholm-size region has over a hundred vårdcentraler
# open to every trainee, and each is an interval in the model.
TOP_UNITS = 3


@dataclass
class Work:
    """Deterministic-time budgets of the construction's CP-SAT solves (CP-SAT's unit)."""

    # One trainee, one block per discipline. Most of these solves end within 0.02; the few
    # that reach the limit take ~5 times as many CPU seconds as its units (850 trainees:
    # 0.15 gave 0.7-1.2 CPU s each, 80 % of the solves' time, for a cost 3 % lower than 0.08).
    part_blocks: float = 0.08
    part_free: float = 0.6  # one trainee, free order
    # A one-trainee solve within capacity that has a rotation by this much work returns it.
    # Measured on leave-heavy regions (mixed-features-110, at18-bt12-200): the solves that ran
    # to their 0.08 had their last better rotation by 0.002 and spent the rest (0.3-0.5 CPU s
    # each, half the placement's solving) on a proof that did not come.
    part_settle: float = 0.02
    first_solution_from: int = 300  # trainees: placement solves stop at their first plan
    part_soft: float = 1.5  # one trainee, capacity soft (never fails if the trainee can)
    # A soft solve has a rotation whenever the trainee has one; it returns its best after
    # this much work. Measured on Örebro (seed 1): its last better rotation came by 0.001,
    # and the rest of the 1.5 (2.3-3.4 CPU s a solve) went to a proof of least overrun that
    # did not come.
    soft_settle: float = 0.05
    repair_step: float = 2.0  # one repair neighbourhood
    repair_steps: int = 400  # at most this many neighbourhoods
    repair_patience: int = 60  # steps without progress before giving up


@dataclass
class Loads:
    """Trainees per unit and week, and the free seats that leaves (numpy, one row a unit)."""

    instance: Instance
    profiles: dict[str, list[int] | None]
    ids: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        units = self.instance.units
        self.ids = {u.id: i for i, u in enumerate(units)}
        H = self.instance.n_weeks
        self.cap = np.full((len(units), H), UNLIMITED, dtype=np.int64)
        for u in units:
            prof = self.profiles[u.id]
            if prof is not None:
                self.cap[self.ids[u.id]] = prof
        self.load = np.zeros_like(self.cap)
        # Units with seats per programme: their load per programme too (docs/MODEL.md, seats).
        self.seat_units = {u.id: u for u in units if u.capacity_by_programme or u.reserved_seats}
        self.by_prog: dict[str, dict[str, np.ndarray]] = {uid: {} for uid in self.seat_units}
        self.free = self.cap.copy()  # cap - load, kept up to date by ``add``

    def week(self, d) -> int:
        return self.instance.week_index(d)

    def add(self, stints: list[Stint], sign: int = 1) -> None:
        for s in stints:
            i, a, b = self.ids[s.unit], self.week(s.start), self.week(s.end)
            self.load[i, a:b] += sign
            self.free[i, a:b] -= sign
            if s.unit in self.by_prog:
                row = self.by_prog[s.unit].setdefault(
                    s.programme, np.zeros(self.instance.n_weeks, dtype=np.int64))
                row[a:b] += sign

    def seat_loads(self) -> dict[str, dict[str, list[int]]]:
        """The per-programme loads, in ``PlacementModel``'s ``seat_loads`` form."""
        return {uid: {p: row.tolist() for p, row in rows.items()}
                for uid, rows in self.by_prog.items()}

    def _seat_room(self, uid: str, pid: str | None) -> tuple[np.ndarray, np.ndarray]:
        """(seats one more trainee of ``pid`` may take, seats over the limits) per week."""
        u, H = self.seat_units[uid], self.instance.n_weeks
        rows = self.by_prog[uid]
        zero = np.zeros(H, dtype=np.int64)
        room = np.full(H, UNLIMITED, dtype=np.int64)
        over = np.zeros(H, dtype=np.int64)
        for p, k in u.capacity_by_programme.items():
            n = rows.get(p, zero)
            over += np.maximum(n - k, 0)
            if p == pid:
                room = np.minimum(room, k - n)
        if u.reserved_seats and self.profiles[uid] is not None:
            total = sum(u.reserved_seats.values())
            unreserved = np.maximum(self.cap[self.ids[uid]] - total, 0)
            beyond = sum((np.maximum(n - u.reserved_seats.get(p, 0), 0) for p, n in rows.items()),
                         zero)
            over += np.maximum(beyond - unreserved, 0)
            own = np.maximum(u.reserved_seats.get(pid, 0) - rows.get(pid, zero), 0) \
                if pid is not None else zero
            room = np.minimum(room, own + np.maximum(unreserved - beyond, 0))
        return room, over

    def free_for(self, pid: str) -> np.ndarray:
        """Free seats per unit and week for one more trainee of programme ``pid``."""
        if not self.seat_units:
            return self.free
        free = self.free.copy()
        for uid in self.seat_units:
            i = self.ids[uid]
            free[i] = np.minimum(free[i], self._seat_room(uid, pid)[0])
        return free

    def seat_over(self) -> np.ndarray:
        """Per unit and week, trainees over the seats per programme."""
        over = np.zeros_like(self.load)
        for uid in self.seat_units:
            over[self.ids[uid]] = self._seat_room(uid, None)[1]
        return over

    def overrun(self) -> int:
        over = int(np.maximum(self.load - self.cap, 0).sum())
        return over + int(self.seat_over().sum()) if self.seat_units else over

    def residual(self) -> dict[str, list[int] | None]:
        """Free seats per unit and week, in ``PlacementModel``'s ``profiles`` form."""
        free = np.maximum(self.cap - self.load, 0)
        return {u.id: (None if self.profiles[u.id] is None else free[self.ids[u.id]].tolist())
                for u in self.instance.units}


def _open_wide(u: Unit) -> bool:
    """Open beyond its own site (region-wide or a catchment): such units form classes."""
    return u.region_wide or bool(u.takes_from)


def _clean(t: Trainee) -> bool:
    """Kind-mates can share rotations: nothing individual shapes the block."""
    return not t.leave and not t.locked and t.leaves_on is None


def _around_leave(t: Trainee) -> bool:
    """Only leave shapes the block: a kind-mate's rotation fits with the leave cut out."""
    return bool(t.leave) and not t.locked and t.leaves_on is None


# Rotations around leave the one-trainee model is asked to confirm before a solve.
CONFIRMS = 3
# A rotation without its units: (discipline, first week, end week), weeks counted from the
# block's start, so that clean trainees of one programme and part time share them.
Template = tuple[tuple[str, int, int], ...]


def runs_of(tpl: Template) -> Template:
    """The template's runs: each stretch of consecutive stints of one discipline as one."""
    out: list[tuple[str, int, int]] = []
    for d, a, b in tpl:
        if out and out[-1][0] == d and out[-1][2] == a:
            out[-1] = (d, out[-1][1], b)
        else:
            out.append((d, a, b))
    return tuple(out)


# Templates tried per trainee before a solve (the cheapest first).
TRY_TEMPLATES = 600
# Kind-mates' runs tried per trainee with their stints chosen again, before a solve.
FLEX_TRIES = 60
# Search steps (a stint placed) per kind-mate's runs tried. One budget shared by a
# trainee's tries (2 000 or 18 000) fitted fewer rotations: a run that cannot tile took
# all of it.
FLEX_NODES = 300
# Reorderings of a solved rotation added to its pool (its runs of one discipline, and the
# stints inside each run, shuffled).
VARIANTS = 100


def placement_terms(inst: Instance, t: Trainee, *, contiguous: bool,
                    soft: bool) -> tuple[str, ...]:
    """The objective of a one-trainee placement solve.

    Where the model leaves the order free (a free solve; locked stints), fragmentation
    counts too: unit changes alone let any order tie, and the solve interleaved
    sub-rotations (Örebro's first plan: 1 213 weeks in 13 trainees, 770 with it). Not with
    leave, which forces most of a trainee's fragmentation: there the term cost 4 times the
    CPU and gained nothing (leave-80-tight: 2.4 -> 9.5 s, cost 12 046 -> 12 088). Not with
    capacity soft either: a high fragmentation weight must not buy overrun.
    """
    weigh = (not (contiguous and not t.locked) and not t.leave and not soft
             and bool(inst.weights.fragmentation))
    return ("unit_changes", "fragmentation") if weigh else ("unit_changes",)


class Construction:
    """State of one construction run (see the module docstring)."""

    def __init__(self, instance: Instance, profiles: dict[str, list[int] | None],
                 least: dict[str, int], seed: int, work: Work | None = None,
                 deadline: float | None = None, stop: Callable[[], bool] | None = None,
                 progress: Callable[[dict], None] | None = None,
                 keep: dict[str, list[Stint]] | None = None):
        self.inst = instance
        self.profiles = profiles
        self.least = least
        self.seed = seed
        self.rng = random.Random(seed)
        self.work = work or Work()
        self.deadline = deadline
        self.stop = stop
        self.progress = progress
        self.loads = Loads(instance, profiles)
        self.plan: dict[str, list[Stint]] = {}
        # Per programme and part time: (own cost, serial, template), cheapest first.
        self.templates: dict[tuple, list[tuple[int, int, Template]]] = defaultdict(list)
        self._seen: dict[tuple, set[Template]] = defaultdict(set)
        # Seats only fill while trainees are placed, so what failed for one trainee is not
        # tried again for the next of its kind (``kind_key``: same programme, site, start,
        # part time, leave and locks): the templates that did not fit, and the
        # within-capacity solves (one block per discipline, free order on a few units, free
        # order on all) that found nothing. A heuristic: most such solves ran out of budget
        # rather than proving that nothing fits, and the few units of a narrow solve are
        # chosen again for each trainee; the kind-mate then goes on to the next stage (at
        # worst capacity soft, then repair). Measured: on Örebro (seed 0) 11 of 14 failed
        # one-block solves repeated a failed kind and no repeat succeeded (0.16 CPU s each);
        # with seed 1 one kind failed its free solves three times in a row (1.5-2.2 CPU s
        # each); templates that fail again were a sixth of the construction's CPU; over 10
        # seeds of Örebro, Uppsala and three exact-stagger regions the construction's worst
        # CPU fell (36.6 -> 12.0 s on Örebro) and no run lost its plan.
        self._misfits: dict[tuple, set[Template]] = defaultdict(set)
        self._failed: dict[tuple, set[str]] = defaultdict(set)
        self._flex_misfits: dict[tuple, set[Template]] = defaultdict(set)
        self._cand: dict[tuple, dict] = {}
        self.trainees = {t.id: t for t in instance.all_trainees()}
        w = instance.weights
        self.w_changes, self.w_frag = w.unit_changes, w.fragmentation
        self.stats: dict[str, float] = {"templates": 0, "repairs": 0, "kept": 0}
        self.keep = keep
        self.t0 = time.monotonic()
        # ``Instance.unit`` searches the list: a third of the placement's time at 850 trainees.
        self._units = {u.id: u for u in instance.units}
        self._unit = self._units.__getitem__
        self._windows = {u.id: staffing_window(instance, u) for u in instance.units}

    # ------------------------------------------------------------------ helpers

    def halted(self) -> bool:
        if HALT.is_set() or (self.stop is not None and self.stop()):
            return True
        return self.deadline is not None and time.monotonic() >= self.deadline

    def _solver(self, work: float, presolve: bool = True) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        solver.parameters.catch_sigint_signal = False  # Ctrl-C is scheduler.halt's
        solver.parameters.cp_model_presolve = presolve
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = self.seed
        solver.parameters.max_deterministic_time = work
        solver.parameters.symmetry_level = 0  # see solve._run: a presolve crash on some models
        if self.deadline is not None:
            solver.parameters.max_time_in_seconds = max(0.05, self.deadline - time.monotonic())
        return solver

    def _own_cost(self, stints: list[Stint]) -> int:
        by_d: dict[str, list[Stint]] = defaultdict(list)
        for s in stints:
            by_d[s.discipline].append(s)
        frag = sum((max(s.end for s in ss) - min(s.start for s in ss)).days // 7
                   - sum(s.weeks for s in ss) for ss in by_d.values())
        return self.w_changes * max(0, len(stints) - 1) + self.w_frag * frag

    # ------------------------------------------------------------------ placement

    def _eligible_units(self, t: Trainee) -> dict[str, list[str]]:
        """Per discipline the units that may credit it for ``t``, ignoring stint lengths."""
        prog = self.inst.programme(t.programme)
        out: dict[str, list[str]] = defaultdict(list)
        for u in self.inst.units:
            if not u.eligible(prog.id, t.site):
                continue
            for d in u.disciplines:
                if prog.requirement(d) is not None:
                    out[d].append(u.id)
        return out

    def _candidates(self, t: Trainee) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray,
                                                           list[str]]]:
        """Per discipline: row indices, least and most stint weeks, and ids of the units that
        may credit it for ``t`` (cached per programme and site)."""
        key = (t.programme, t.site, t.part_time)
        if key not in self._cand:
            prog = self.inst.programme(t.programme)
            out = {}
            for d, uids in self._eligible_units(t).items():
                rng = [self._unit(u).stint_range(prog.id, t.part_time) for u in uids]
                out[d] = (np.array([self.loads.ids[u] for u in uids]),
                          np.array([lo for lo, _hi in rng]),
                          np.array([UNLIMITED if hi is None else hi for _lo, hi in rng]),
                          uids)
            self._cand[key] = out
        return self._cand[key]

    def _fit_template(self, t: Trainee, tpl: Template) -> list[Stint] | None:
        """The template (weeks relative to the block start) at units with a free seat now,
        or None. Units are chosen again: staffing gaps first, then the most free seats."""
        prog = self.inst.programme(t.programme)
        sw = prog.starts_with
        cand = self._candidates(t)
        w0 = self.loads.week(t.start)
        n = len(tpl)
        link = sw is not None and sw.same_unit_as_end and n >= 2
        spans = self._spans(t, tpl)
        if spans is None:
            return None
        free_all = self.loads.free_for(t.programme)
        # Per stint, its candidate units, best first (staffing gaps, then free seats).
        options: list[list[str]] = []
        found: list[tuple] = []
        slots = [i for i in range(n) if not (link and i == n - 1)]
        horizon = self.inst.n_weeks
        for i in slots:
            d, a, b = tpl[i][0], w0 + tpl[i][1], w0 + tpl[i][2]
            if spans[i][-1][1] > horizon or d not in cand:
                return None
            rows, lo, hi, uids = cand[d]
            # Most templates tried fail here, so the common case (one part) is kept lean: this
            # check was a third of the placement's time on a 200-trainee region.
            pa, pb = spans[i][0]
            free = free_all[rows, pa:pb].min(axis=1)
            for pa, pb in spans[i][1:]:
                free = np.minimum(free, free_all[rows, pa:pb].min(axis=1))
            ok = free >= 1
            if not (i == 0 and sw is not None):  # the opening stint's length is the rule's
                ok &= (lo <= b - a) & (b - a <= hi)
            if link and i == 0:
                la, lb = w0 + tpl[-1][1], w0 + tpl[-1][2]
                if tpl[-1][0] != d:
                    return None
                ok &= (lo <= lb - la) & (lb - la <= hi)
                for pa, pb in spans[-1]:
                    free = np.minimum(free, free_all[rows, pa:pb].min(axis=1))
                ok &= free >= 1
            js = np.flatnonzero(ok)
            if not len(js):
                return None
            found.append((a, b, js, free, uids))
        # Ranked only once every stint has a unit (most templates tried fail on one).
        for a, b, js, free, uids in found:
            ranked = sorted(js, key=lambda j: (-self._staffing_gain(uids[j], a, b),
                                               -min(int(free[j]), 50), self.rng.random()))
            options.append([uids[j] for j in ranked])
        # The repeat rule ties the stints of one discipline: a small search, most constrained
        # stint first (a greedy pick took the only unit a later stint could use).
        order = sorted(range(len(slots)), key=lambda k: len(options[k]))
        pick: dict[int, str] = {}
        used: set[tuple[str, str]] = set()
        nodes = [0]

        def exempt(i: int) -> bool:
            return i == 0 and sw is not None

        def dfs(k: int) -> bool:
            if k == len(order):
                return True
            nodes[0] += 1
            if nodes[0] > 400:
                return False
            i = slots[order[k]]
            d = tpl[i][0]
            for uid in options[order[k]]:
                keys = [] if exempt(i) else [(uid, d)]
                if link and i == 0:
                    keys.append((uid, tpl[-1][0]))
                if any(x in used for x in keys) or len(set(keys)) < len(keys):
                    continue
                used.update(keys)
                pick[i] = uid
                if dfs(k + 1):
                    return True
                used.difference_update(keys)
            return False

        if not dfs(0):
            return None
        chosen = [pick.get(i, "") for i in range(n)]
        if link:
            chosen[-1] = pick[0]
        # A stint that leave interrupts is its parts at one unit (resumed after the leave).
        return [Stint(trainee=t.id, programme=t.programme, unit=u, discipline=d,
                      site=self._unit(u).site, start=self.inst.week_date(pa),
                      end=self.inst.week_date(pb))
                for u, (d, _a, _b), parts in zip(chosen, tpl, spans, strict=True)
                for pa, pb in parts]

    def fit_runs(self, t: Trainee, skeleton: Template, free_all: np.ndarray,
                  nodes: list[int]) -> list[Stint] | None:
        """A rotation with a kind-mate's runs (each discipline's weeks, in its order) whose
        stints inside each run are chosen again: units with a free seat now and stint
        lengths within their ranges, tiling the run (pure Python, no solver), or None.

        Why: with exact stint ranges (Örebro's 12 and 13 weeks at different units), a
        rotation's lengths tie it to the units it had, and most trainees a template did not
        fit then went to a one-trainee solve that found the same runs with other lengths
        (generated 190-trainee region: 68 of 103 such solves). ``free_all``: free seats for
        the trainee's programme (``Loads.free_for``); ``nodes``: search steps left (one
        list, counted down)."""
        cand = self._candidates(t)
        w0 = self.loads.week(t.start)
        if skeleton[-1][2] + w0 > self.inst.n_weeks:
            return None
        pieces: list[tuple[str, str, int, int]] = []  # (unit, discipline, first, end week)
        used: set[tuple[str, str]] = set()

        def tile(k: int, p: int) -> bool:
            if k == len(skeleton):
                return True
            d, _a, b = skeleton[k]
            end = w0 + b
            if p == end:
                return tile(k + 1, p)
            nodes[0] -= 1
            if nodes[0] < 0 or d not in cand:
                return False
            rows, lo, hi, uids = cand[d]
            ok = free_all[rows, p:end] >= 1
            reach = np.where(ok.all(axis=1), end - p, ok.argmin(axis=1))  # free weeks from p
            most = np.minimum(np.minimum(hi, reach), end - p)
            least = int(lo.min())
            options = []
            for j in np.flatnonzero(most >= lo):
                uid = uids[j]
                if (uid, d) in used:
                    continue
                # One stint that ends the run first, then the longest, then staffing gaps
                # and the most free seats (as ``_fit_template``; over 12 runs of four
                # generated regions, the least CPU of best-fit, most-seats and random), and
                # never one that leaves less of the run than any unit's least stint.
                # Only the longest such stint per unit: offering every length let the search
                # spend its steps on short stints (4 generated regions, 16 runs: 774 -> 681
                # rotations fitted, 261 -> 379 solves, CPU +19 %), though a shorter one
                # at the same unit sometimes tiles where the longest does not.
                for n in range(int(most[j]), int(lo[j]) - 1, -1):
                    if n == end - p or end - p - n >= least:
                        seats = int(free_all[rows[j], p:p + n].min())
                        options.append((n != end - p, -n, -self._staffing_gain(uid, p, p + n),
                                        -min(seats, 50), self.rng.random(), uid, n))
                        break
            for *_key, uid, n in sorted(options):
                used.add((uid, d))
                pieces.append((uid, d, p, p + n))
                if tile(k, p + n):
                    return True
                pieces.pop()
                used.discard((uid, d))
            return False

        if not tile(0, w0 + skeleton[0][1]):
            return None
        return [Stint(trainee=t.id, programme=t.programme, unit=u, discipline=d,
                      site=self._unit(u).site, start=self.inst.week_date(a),
                      end=self.inst.week_date(b)) for u, d, a, b in pieces]

    def _spans(self, t: Trainee, tpl: Template) -> list[list[tuple[int, int]]] | None:
        """Per stint of the template (weeks of service from the block start), its weeks in
        the calendar: the trainee's weeks of extending leave are skipped, so a stint they
        fall inside becomes two parts at one unit, the second resumed right after the leave
        (MODEL.md's repeat rule allows it; neither part has a least length). ``None`` when
        leave would split the opening stint (its length is the rule's)."""
        w0 = self.loads.week(t.start)
        leave = self._leave_weeks(t)
        if not leave:
            return [[(w0 + a, w0 + b)] for _d, a, b in tpl]
        # Calendar week of each week of service, counted from the block start.
        cal: list[int] = []
        w = w0
        total = tpl[-1][2] if tpl else 0
        while len(cal) < total:
            if w not in leave:
                cal.append(w)
            w += 1
        sw = self.inst.programme(t.programme).starts_with
        out: list[list[tuple[int, int]]] = []
        for i, (_d, a, b) in enumerate(tpl):
            parts: list[tuple[int, int]] = []
            for k in range(a, b):
                if parts and parts[-1][1] == cal[k]:
                    parts[-1] = (parts[-1][0], cal[k] + 1)
                else:
                    parts.append((cal[k], cal[k] + 1))
            if len(parts) > 1 and i == 0 and sw is not None:
                return None
            out.append(parts)
        return out

    def _leave_weeks(self, t: Trainee) -> set[int]:
        return {self.loads.week(lv.start) + k for lv in t.leave
                if lv.kind in EXTENDING_LEAVE for k in range(lv.weeks)}

    def _staffing_gain(self, uid: str, a: int, b: int) -> int:
        win = self._windows[uid]
        if win is None:
            return 0
        lo, hi, k = win
        a, b = max(a, lo), min(b, hi)
        if b <= a:
            return 0
        return int((self.loads.load[self.loads.ids[uid], a:b] < k).sum())

    def _template(self, t: Trainee, stints: list[Stint]) -> Template:
        w0 = self.loads.week(t.start)
        w = self.loads.week
        return tuple((s.discipline, w(s.start) - w0, w(s.end) - w0)
                     for s in sorted(stints, key=lambda s: s.start))

    def _solve_one(self, t: Trainee, *, contiguous: bool, soft: bool, work: float,
                   narrow: bool) -> list[Stint] | None:
        """One trainee against the seats the others left (its own locks excluded)."""
        residual = self.loads.residual()
        if narrow:
            prog = self.inst.programme(t.programme)
            a = self.loads.week(t.start)
            b = min(self.inst.n_weeks, self.loads.week(block_end(t, prog)))
            keep: set[str] = {ls.unit for ls in t.locked}
            for _d, uids in self._eligible_units(t).items():
                # Units of the home site stay: a hospital block needs its sub-rotations.
                wide = [u for u in uids if _open_wide(self._unit(u))]
                keep.update(u for u in uids if not _open_wide(self._unit(u)))
                # Region-wide units that can replace each other (same disciplines, same stint
                # range) form a class; the few with the most free seat-weeks of each stay, so
                # every kind of sub-rotation (psychiatry 8 + 3 + 2 weeks) remains possible.
                classes: dict[tuple, list[tuple[int, float, str]]] = defaultdict(list)
                for uid in wide:
                    unit = self._unit(uid)
                    prof = residual[uid]
                    if prof is None:
                        keep.add(uid)
                        continue
                    lo, hi = unit.stint_range(prog.id, t.part_time)
                    cls = (tuple(sorted(unit.disciplines)), lo, hi)
                    # Ranked by the weeks a stint of least length could start at a free seat.
                    free = np.array(prof[a:b]) > 0
                    n = max(1, lo)
                    starts = int((np.convolve(free, np.ones(n), "valid") >= n).sum()) \
                        if len(free) >= n else 0
                    classes[cls].append((-starts, self.rng.random(), uid))
                for members in classes.values():
                    keep.update(uid for *_k, uid in sorted(members)[:TOP_UNITS])
            for uid, prof in residual.items():
                if uid not in keep and prof is not None:
                    residual[uid] = [0] * len(prof)
        terms = placement_terms(self.inst, t, contiguous=contiguous, soft=soft)
        pm = PlacementModel(self.inst, [t], profiles=residual, terms=terms,
                            contiguous=contiguous, min_stints=self.least, soft_capacity=soft,
                            seat_loads=self.loads.seat_loads())
        # Presolve stays on: off, the construction was faster and cheaper on Örebro and
        # locked-60 but slower or 5-15 % dearer on generated regions (at21j-bt12-136,
        # at18-bt12-200-slack10; construction alone, seeds 0-2, 2026-12-07).
        # A search that has a rotation after ``settle`` work stops there (``Work``); one that
        # has none starts again with the whole budget (the same search as one run to it).
        settle = min(work, self.work.soft_settle if soft else self.work.part_settle)
        t0 = time.process_time()
        status = cp_model.UNKNOWN
        for budget in ((settle, work) if settle < work else (work,)):
            if status != cp_model.UNKNOWN or self.halted():
                break
            solver = self._solver(budget, presolve=True)
            # A large region: any rotation within the seats will do (polishing improves
            # it). The searches that reach their limit cost ~5 times the CPU of their
            # deterministic time (850 trainees, 8 such solves: 4.1 CPU s to the limit, 1.6
            # to the first plan).
            solver.parameters.stop_after_first_solution = (
                not soft and len(self.trainees) >= self.work.first_solution_from)
            status = solver.solve(pm.model)
        key = "soft" if soft else "blocks" if contiguous else "free" if narrow else "wide"
        self.stats[key + "_n"] = self.stats.get(key + "_n", 0) + 1
        self.stats[key + "_s"] = self.stats.get(key + "_s", 0) + time.process_time() - t0
        self.stats[key + "_ok"] = self.stats.get(key + "_ok", 0) + int(
            status in (cp_model.OPTIMAL, cp_model.FEASIBLE))
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        return pm.extract(solver)

    def place(self, t: Trainee) -> list[Stint] | None:
        """A rotation for ``t`` (within capacity if one is found, else the least overrun)."""
        own_locked = [Stint(trainee=t.id, programme=t.programme, unit=ls.unit,
                            discipline=ls.discipline, site=self._unit(ls.unit).site,
                            start=ls.start, end=ls.end) for ls in t.locked]
        self.loads.add(own_locked, -1)  # they are in the load already (see run)
        part = None
        if self.keep and self.keep.get(t.id):
            part = self._keep(t, self.keep[t.id])
        key = (t.programme, t.part_time, t.site)
        kind = kind_key(t)
        pool, confirm = self.templates.get(key), not _clean(t)
        if not pool:
            # The first of its site: the rotations of the other sites' kind-mates (weeks per
            # discipline; units chosen from this site's), confirmed by the checker.
            pool = sorted(x for (p, pt, _s), xs in self.templates.items()
                          if (p, pt) == key[:2] for x in xs)
            confirm = True
        if part is None and pool and (_clean(t) or _around_leave(t)):
            # With leave: a kind-mate's rotation with the leave cut out of it, confirmed by
            # the checker (leave has rules of its own: MODEL.md).
            tried = 0
            misfits = self._misfits[kind]
            for *_c, tpl in pool[:TRY_TEMPLATES]:
                if tpl in misfits:
                    continue
                cand = self._fit_template(t, tpl)
                if cand is None:
                    misfits.add(tpl)
                    continue
                if not confirm:
                    part = cand
                    break
                part = self._confirm(t, cand)
                tried += 1
                if part is None:
                    misfits.add(tpl)  # the trainee's own rules, against the units chosen
                if part is not None or tried >= CONFIRMS:
                    break
            if part is not None:
                name = "templates" if not confirm else (
                    "leave_templates" if t.leave else "site_templates")
                self.stats[name] = self.stats.get(name, 0) + 1
        if part is None and pool and _clean(t):
            part = self._flex(t, pool, kind)
        if part is None:
            failed = self._failed[kind]
            for stage, contiguous, work, narrow in (("blocks", True, self.work.part_blocks, True),
                                                    ("free", False, self.work.part_free, True),
                                                    ("wide", False, self.work.part_free, False)):
                if stage in failed:
                    continue
                part = self._solve_one(t, contiguous=contiguous, soft=False, work=work,
                                       narrow=narrow)
                if part is not None:
                    break
                failed.add(stage)
        for narrow in (True, False):  # the least overrun: never fails if the trainee can
            if part is None:
                part = self._solve_one(t, contiguous=False, soft=True,
                                       work=self.work.part_soft, narrow=narrow)
        if part is None:
            self.loads.add(own_locked)
            return None
        self._learn(t, part)
        self.loads.add(part)
        self.plan[t.id] = part
        return part

    def _learn(self, t: Trainee, part: list[Stint]) -> None:
        """A clean trainee's rotation (and its reorderings) as templates for its kind-mates."""
        if _clean(t):
            key = (t.programme, t.part_time, t.site)
            seen = self._seen[key]
            for x in self.variants(t, self._template(t, part)):
                if x not in seen:
                    seen.add(x)
                    bisect.insort(self.templates[key], (self._own_cost_tpl(x), len(seen), x))

    def _flex(self, t: Trainee, pool: list[tuple[int, int, Template]],
              kind: tuple) -> list[Stint] | None:
        """A kind-mate's runs with their stints chosen again (``fit_runs``), cheapest
        first, confirmed by the checker (lengths change, so the rotation is new)."""
        if self.inst.programme(t.programme).starts_with is not None:
            return None  # the opening stint's length is the rule's: templates keep it
        misfits = self._flex_misfits[kind]
        free_all = self.loads.free_for(t.programme)
        seen: set[Template] = set()
        for *_c, tpl in pool:
            skeleton = runs_of(tpl)
            if skeleton in misfits or skeleton in seen:
                continue
            if len(seen) >= FLEX_TRIES:
                break
            seen.add(skeleton)
            cand = self.fit_runs(t, skeleton, free_all, [FLEX_NODES])
            if cand is not None:
                cand = self._confirm(t, cand)
            if cand is None:
                # Seats only fill, so a run that did not tile fails the next kind-mate too.
                # A checker's rejection (never seen: 0 of 89 on a 190-trainee region) is
                # kept as a misfit as well, a heuristic as for the templates.
                misfits.add(skeleton)
                continue
            self.stats["flex"] = self.stats.get("flex", 0) + 1
            return cand
        return None

    def _confirm(self, t: Trainee, stints: list[Stint]) -> list[Stint] | None:
        """``stints`` if the checker finds no fault in them (the trainee's rules; its units'
        seats were chosen free), else None. The checker, not the one-trainee model: the
        model's hint cannot name two parts of one stint at one unit."""
        alone = self.inst.model_copy(update={"trainees": [t], "cohorts": []})
        self.stats["confirm_n"] = self.stats.get("confirm_n", 0) + 1
        return None if verify.check(alone, stints, soft_capacity=True) else stints

    def _keep(self, t: Trainee, stints: list[Stint]) -> list[Stint] | None:
        """The trainee's stints of an earlier plan (a what-if variant's base), if they are
        still valid and fit the seats left: the one-trainee model with every variable fixed
        to them."""
        pm = PlacementModel(self.inst, [t], profiles=self.loads.residual(), terms=(),
                            seat_loads=self.loads.seat_loads())
        pm.hint(stints)
        solver = self._solver(self.work.part_blocks)
        solver.parameters.fix_variables_to_their_hinted_value = True
        status = solver.solve(pm.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        self.stats["kept"] += 1
        return pm.extract(solver)

    def variants(self, t: Trainee, tpl: Template) -> list[Template]:
        """The rotation and its reorderings: its runs of stints of one discipline in every
        order the programme's order rules allow (a clean block has no leave, so any order
        tiles it with the same stint lengths and the same weeks per discipline)."""
        prog = self.inst.programme(t.programme)
        runs: list[list[tuple[str, int, int]]] = []
        for st in tpl:
            if runs and runs[-1][-1][0] == st[0]:
                runs[-1].append(st)
            else:
                runs.append([st])
        head: list[list[tuple[str, int, int]]] = []
        tail: list[list[tuple[str, int, int]]] = []
        sw = prog.starts_with
        if sw is not None and runs:
            head = [[runs[0][0]]]  # the opening stint stays first
            runs[0] = runs[0][1:]
            if not runs[0]:
                runs.pop(0)
        if (prog.ends_with or (sw is not None and sw.same_unit_as_end)) and runs:
            tail = [[runs[-1][-1]]]  # and the last stint last
            runs[-1] = runs[-1][:-1]
            if not runs[-1]:
                runs.pop()
        out: list[Template] = [tpl]
        for _ in range(VARIANTS):
            perm = list(runs)
            self.rng.shuffle(perm)
            # Inside a run, the sub-rotation's stints may come in any order too.
            perm = [self.rng.sample(run, len(run)) for run in perm]
            w = tpl[0][1] if tpl else 0  # after the introduction weeks, if any
            stints = []
            for run in [*head, *perm, *tail]:
                for d, a, b in run:
                    stints.append((d, w, w + b - a))
                    w += b - a
            out.append(tuple(stints))
        return list(dict.fromkeys(out))

    def _own_cost_tpl(self, tpl: Template) -> int:
        by_d: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for d, a, b in tpl:
            by_d[d].append((a, b))
        frag = sum(max(b for _a, b in r) - min(a for a, _b in r) - sum(b - a for a, b in r)
                   for r in by_d.values())
        return self.w_changes * (len(tpl) - 1) + self.w_frag * frag

    # ------------------------------------------------------------------ repair

    def _over_cells(self) -> list[tuple[int, int]]:
        full = self.loads.load > self.loads.cap
        over = np.argwhere(full | (self.loads.seat_over() > 0) if self.loads.seat_units else full)
        return [(int(i), int(w)) for i, w in over]

    def _neighbourhood(self, cell: tuple[int, int], size: int) -> list[str]:
        """The trainees at the over-full cell, then those at units of the same disciplines
        in weeks near it (they can trade seats), up to ``size``."""
        ui, w = cell
        uid = self.inst.units[ui].id
        unit = self._unit(uid)
        ds = set(unit.disciplines)
        at_cell, near = [], []
        for tid, stints in self.plan.items():
            for s in stints:
                a, b = self.loads.week(s.start), self.loads.week(s.end)
                if s.unit == uid and a <= w < b:
                    at_cell.append(tid)
                    break
                if s.discipline in ds and a - 26 <= w < b + 26:
                    near.append(tid)
                    break
        self.rng.shuffle(at_cell)
        self.rng.shuffle(near)
        # Locked trainees cannot move their locked weeks; movable ones first.
        at_cell.sort(key=lambda tid: bool(self.trainees[tid].locked))
        group = at_cell[:max(2, size // 2)] + near
        return list(dict.fromkeys(group))[:size]

    def _replan(self, tids: list[str], work: float) -> bool:
        """Re-plan ``tids`` together with capacity soft; keep the result if it is better.

        Their stints (locked ones too: the model posts those as fixed intervals) leave the
        loads first, so the model sees exactly the seats everybody else left."""
        old = [s for tid in tids for s in self.plan[tid]]
        before = self.loads.overrun()
        old_cost = sum(self._own_cost(self.plan[tid]) for tid in tids)
        self.loads.add(old, -1)
        pm = PlacementModel(self.inst, [self.trainees[x] for x in tids],
                            profiles=self.loads.residual(), terms=("unit_changes",),
                            min_stints=self.least, soft_capacity=True,
                            seat_loads=self.loads.seat_loads())
        pm.hint(old)
        solver = self._solver(work)
        status = solver.solve(pm.model)
        self.stats["repairs"] += 1
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self.loads.add(old)
            return False
        new = pm.extract(solver)
        self.loads.add(new)
        after = self.loads.overrun()
        by_t: dict[str, list[Stint]] = defaultdict(list)
        for s in new:
            by_t[s.trainee].append(s)
        new_cost = sum(self._own_cost(by_t[tid]) for tid in tids)
        if after < before or (after == before and new_cost < old_cost):
            for tid in tids:
                self.plan[tid] = sorted(by_t[tid])
            return True
        self.loads.add(new, -1)
        self.loads.add(old)
        return False

    def _singles(self, cell: tuple[int, int]) -> None:
        """Re-plan each trainee at the over-full cell alone, within capacity, every unit
        offered; the first that finds a rotation keeps it."""
        ui, w = cell
        uid = self.inst.units[ui].id
        at = sorted(tid for tid, ss in self.plan.items()
                    if any(s.unit == uid and self.loads.week(s.start) <= w
                           < self.loads.week(s.end) for s in ss))
        self.rng.shuffle(at)
        for tid in at:
            t = self.trainees[tid]
            if all(any(ls.unit == s.unit and ls.start == s.start for ls in t.locked)
                   for s in self.plan[tid]):
                continue  # every stint locked: nothing to move
            old = self.plan[tid]
            self.loads.add(old, -1)
            part = self._solve_one(t, contiguous=False, soft=False,
                                   work=self.work.repair_step, narrow=False)
            if part is not None:
                self.plan[tid] = part
                self.loads.add(part)
                return
            self.loads.add(old)

    def repair(self) -> bool:
        """Drive the overrun to zero; True when it is."""
        stale = 0
        size = 4
        for _step in range(self.work.repair_steps):
            cells = self._over_cells()
            if not cells:
                return True
            if self.halted():
                return False
            before = self.loads.overrun()
            cell = cells[self.rng.randrange(len(cells))]
            if stale % 5 == 0:
                # Cheapest first: a trainee at the cell that has a rotation within the seats
                # the others leave (a placement's narrow solve can miss it) takes it.
                self._singles(cell)
            if self.loads.overrun() == before:
                tids = self._neighbourhood(cell, size)
                self._replan(tids, self.work.repair_step)
            after = self.loads.overrun()
            if after < before:
                stale = 0
                size = 4
            else:
                stale += 1
                if stale % 10 == 0:
                    size = min(16, size * 2)
                if stale >= self.work.repair_patience:
                    return False
        return not self._over_cells()

    # ------------------------------------------------------------------ run

    def run(self, order: list[Trainee], allow_overrun: bool = False) -> list[Stint] | None:
        """Every trainee of ``order`` placed, then the overrun repaired; ``None`` when a
        trainee has no valid rotation at all, or the overrun remains (unless allowed: soft
        capacity)."""
        for t in order:  # locked stints are capacity that is taken whatever the order
            self.loads.add([Stint(trainee=t.id, programme=t.programme, unit=ls.unit,
                                  discipline=ls.discipline, site=self._unit(ls.unit).site,
                                  start=ls.start, end=ls.end) for ls in t.locked])
        for n, t in enumerate(order, start=1):
            if self.halted():
                return None
            if self.place(t) is None:
                return None  # this trainee has no valid rotation at all
            if self.progress and (n % 25 == 0 or n == len(order)):
                self.progress({"phase": "decompose", "done": n, "of": len(order),
                               "overrun": self.loads.overrun(),
                               "time": time.monotonic() - self.t0})
        if not self.repair() and (not allow_overrun or (
                self.loads.seat_units and self.loads.seat_over().any())):
            return None  # seats per programme stay hard with soft capacity
        return sorted(s for part in self.plan.values() for s in part)

    def run_around(self, fixed: dict[str, list[Stint]], order: list[Trainee]
                   ) -> list[Stint] | None:
        """``order`` placed around ``fixed`` (every other trainee's stints, taken as they are:
        in the loads before anyone is placed, and their rotations templates for their
        kind-mates), then the overrun repaired (which may move anyone); ``None`` as ``run``
        (ruin and recreate: ``perturb``). ``fixed`` must hold within capacity."""
        for tid, part in fixed.items():
            self.loads.add(part)
            self.plan[tid] = part
            self._learn(self.trainees[tid], part)
        return self.run(order)


def construct_around(instance: Instance, profiles: dict[str, list[int] | None],
                     least: dict[str, int], fixed: dict[str, list[Stint]],
                     seed: int = 0, attempt: int = 0, deadline: float | None = None,
                     stop: Callable[[], bool] | None = None) -> list[Stint] | None:
    """A plan with every trainee not in ``fixed`` placed around the stints of those that are
    (``Construction.run_around``), in start order, each intake shuffled by ``attempt``."""
    rng = random.Random(seed * 7919 + attempt)
    order = sorted((t for t in instance.all_trainees() if t.id not in fixed),
                   key=lambda t: (t.start, rng.random()))
    c = Construction(instance, profiles, least, seed + attempt, None, deadline, stop)
    return c.run_around(fixed, order)


def construct(instance: Instance, profiles: dict[str, list[int] | None],
              least: dict[str, int], seed: int = 0, attempt: int = 0,
              work: Work | None = None, deadline: float | None = None,
              stop: Callable[[], bool] | None = None,
              progress: Callable[[dict], None] | None = None,
              keep: dict[str, list[Stint]] | None = None,
              allow_overrun: bool = False) -> list[Stint] | None:
    """A first plan within capacity (with ``allow_overrun``, the least overrun the repair
    reached), or ``None``. ``attempt`` > 0 places each intake in another order."""
    trainees = sorted(instance.all_trainees(),
                      key=lambda t: (t.start, not t.locked, not t.leave, t.programme, t.site,
                                     t.id))
    if attempt:
        rng = random.Random(seed * 7919 + attempt)
        trainees.sort(key=lambda t: (t.start, rng.random()))
    c = Construction(instance, profiles, least, seed + attempt, work, deadline, stop, progress,
                     keep)
    return c.run(trainees, allow_overrun)


__all__ = ["Construction", "Loads", "Work", "construct", "construct_around", "placement_terms"]
