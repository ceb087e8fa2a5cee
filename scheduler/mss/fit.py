"""MinPosHosp minima met by a model of only the stints that touch a minimum.

Why: on I80_24_4 the minima are 30 % of all attended periods, and the fewest stints
covering each ward's profile are 90 % of the stints of the first discipline group (418 of
466) and 76 % of the second: nearly every stint must sit on a minimum, and which
disciplines a student still has left late in the horizon is decided early. The
construction, the repairs and the time-indexed MIP neighbourhoods (every start of every
ward; 330 k binaries for everybody) left 9-11 minimum periods unmet at 60-120 s; a MIP
window fixes the disciplines each student attends outside it.

Here a stint that touches no minimum period of its ward is only a *free stint*: one
literal per student, group and start, its discipline and hospital chosen afterwards
(its earlier stint at that start if it still fits, else :func:`scheduler.mss.construct.fill`,
else CP-SAT on the student alone), so which disciplines fill the gaps stays open. A
ward's stint is a literal only at the starts that reach one of its minimum periods
(:func:`useful_starts`): 126 k literals for all of I80_24_4 instead of 330 k. Students
are re-placed over the whole horizon in neighbourhoods (:func:`fit_repair`), the
shortfall minimised from the current schedule as a complete hint.
"""

from __future__ import annotations

import bisect
import random
import time
from collections import defaultdict

from ortools.sat.python import cp_model

from scheduler.mss.check import check
from scheduler.mss.construct import Plan, fill, student_ok
from scheduler.mss.cover import able_first, unmet_cells
from scheduler.mss.dzn import Cell, MssInstance
from scheduler.mss.greedy import MIN_REWARD, need_of, single, solve_single
from scheduler.mss.model import stints_of


def useful_starts(profile: list[int], duration: int) -> list[int]:
    """Starts of a stint of ``duration`` periods that reach a period with a minimum."""
    T = len(profile)
    return [t for t in range(T - duration + 1) if any(profile[t:t + duration])]


def fit_minima(inst: MssInstance, cells: set[Cell], members: list[int], deadline: float,
               workers: int = 1, seed: int = 0, verbose: bool = False,
               limit: float | None = None, work: float | None = None,
               lean: bool = False, window: tuple[int, int] | None = None,
               discs: set[int] | None = None) -> set[Cell] | None:
    """Re-place ``members`` (the others fixed as in ``cells``, a complete schedule valid
    but for minima) so that fewer minimum periods stay unmet; None if no such complete
    schedule is found by ``deadline`` (the search: ``limit`` seconds and ``work`` units of
    CP-SAT's deterministic time at most). ``lean``: also as many unmet and fewer stints
    on minima (:func:`on_minima`): each stint freed from the minima is room for the next
    neighbourhood. ``window = (lo, hi)``: only the members' stints within periods
    ``lo..hi-1`` move; ``discs``: only their stints of these disciplines move; their
    other stints stay (:func:`split_window`)."""
    began = time.monotonic()
    m = cp_model.CpModel()
    lits = _Lits()
    mem = set(members)
    kept, moving = split_window(inst, cells, mem, window, discs)
    fixed = _loads({c for c in cells if c[0] not in mem} | {
        (s, k, h, d) for s, ks in kept.items() for h, d, t in ks
        for k in range(t, t + inst.duration)})
    for s in members:
        _student(m, inst, s, lits, kept[s], window)
    shorts = []
    for h in range(inst.hospitals):
        for d in range(inst.disciplines):
            for t in range(inst.horizon):
                on = lits.cover.get((h, d, t), [])
                need = inst.min_pos[h][d][t] - fixed.get((h, d, t), 0)
                if need > 0:
                    sh = m.new_int_var(0, need, "")
                    shorts.append((sh, need, h, d, t))
                    m.add(sum(on) + sh >= need)
                cap = inst.max_pos[h][d][t] - fixed.get((h, d, t), 0)
                if len(on) > cap:
                    m.add(sum(on) <= cap)
    if lean:
        m.minimize(LEAN_WEIGHT * sum(sh for sh, *_ in shorts) + sum(lits.x.values()))
    else:
        m.minimize(sum(sh for sh, *_ in shorts))
    _hint(m, inst, moving, lits, shorts)
    built = time.monotonic()
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, min(deadline - built,
                                                         limit or deadline - built))
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    if work is not None:
        # Work ends a step unless ``limit`` (wall seconds) comes first on a loaded machine.
        solver.parameters.max_deterministic_time = work
    # As in cover.py: presolve took the whole limit on I80_24_4 neighbourhoods, and the
    # hint (complete and feasible) is the start anyway.
    solver.parameters.cp_model_presolve = False
    solver.parameters.cp_model_probing_level = 0
    solver.parameters.symmetry_level = 0
    status = solver.solve(m)
    if verbose:
        print(f"fit: {len(lits.x)} + {len(lits.free) + len(lits.pred)} literals, "
              f"built {built - began:.1f} s, "
              f"{solver.status_name(status)} {solver.objective_value} after "
              f"{solver.wall_time:.1f} s ({solver.deterministic_time:.1f} work units)")
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    got = sum(solver.value(sh) for sh, *_ in shorts)
    if lean:
        stay = sum(1 for ks in kept.values() for h, d, t in ks
                   if any(inst.min_pos[h][d][t:t + inst.duration]))
        if (got, stay + sum(solver.value(v) for v in lits.x.values())) >= (
                shortfall(inst, cells), on_minima(inst, cells, mem)):
            return None
    elif got >= shortfall(inst, cells):
        return None
    return _assemble(inst, cells, members, lits, solver, deadline, kept)


def split_window(inst: MssInstance, cells: set[Cell], members: set[int],
                 window: tuple[int, int] | None, discs: set[int] | None = None
                 ) -> tuple[dict[int, list[tuple[int, int, int]]], set[Cell]]:
    """The members' stints that stay, ``s -> [(hospital, discipline, start)]`` (those not
    inside the window's periods ``lo..hi-1`` or not of ``discs``; none without either),
    and the cells of those that move."""
    D = inst.duration
    kept: dict[int, list[tuple[int, int, int]]] = {s: [] for s in members}
    moving: set[Cell] = set()
    for s, h, d, t in stints_of({c for c in cells if c[0] in members}, D):
        if (window is not None and not window[0] <= t <= window[1] - D) or \
                (discs is not None and d not in discs):
            kept[s].append((h, d, t))
        else:
            moving.update((s, k, h, d) for k in range(t, t + D))
    return kept, moving


# Per unmet minimum period in the lean objective: above any count of stints on minima.
LEAN_WEIGHT = 1_000


def on_minima(inst: MssInstance, cells: set[Cell], students: set[int] | None = None) -> int:
    """Stints (of ``students``, default all) that reach a minimum period of their ward."""
    D = inst.duration
    return sum(1 for s, h, d, t in stints_of(cells, D)
               if (students is None or s in students)
               and any(inst.min_pos[h][d][t:t + D]))


class _Lits:
    """The fit model's literals: stints on a minimum (student, hospital, discipline,
    start), free stints (student, group, start), free stints of a predecessor (student,
    discipline, start), per ward-period, running sums."""

    def __init__(self) -> None:
        self.x: dict[tuple[int, int, int, int], cp_model.IntVar] = {}
        self.free: dict[tuple[int, int, int], cp_model.IntVar] = {}
        self.pred: dict[tuple[int, int, int], cp_model.IntVar] = {}
        self.cover: dict[tuple[int, int, int], list] = defaultdict(list)
        self.sums: list[tuple[cp_model.IntVar, cp_model.IntVar | None, list]] = []
        self.ones: list[cp_model.IntVar] = []  # constants 1: stints kept outside a window


def _student(m: cp_model.CpModel, inst: MssInstance, s: int, lits: _Lits,
             kept: list[tuple[int, int, int]] | None = None,
             window: tuple[int, int] | None = None) -> None:
    """Student ``s``'s literals and rows: one stint at a time, disciplines once, group
    counts (stints on minima plus free ones), ``MaxDiscPerHosp`` (on minima), precedences.
    ``kept`` stints ``(hospital, discipline, start)`` stay as they are (outside the
    ``window``, where the literals are): their disciplines, periods, group and hospital
    counts are taken, and they meet or need precedences at their start.

    A discipline some other one needs before it gets free stints of its own (student,
    discipline, start), and only those or its stints on minima meet a precedence: a free
    stint of the group stood for every predecessor in that group at once (I80_24_4: one
    free stint at period 0 for disciplines 0 and 10, so the schedule could not be
    assembled)."""
    T, D, ND = inst.horizon, inst.duration, inst.disciplines
    av = inst.availability[s]
    kept = kept or []
    taken = {k for _, _, t in kept for k in range(t, t + D)}
    lo, hi = window or (0, T)
    ok = [all(av[t:t + D]) and lo <= t <= hi - D and not taken & set(range(t, t + D))
          for t in range(T - D + 1)]
    used = {d for _, d, _ in kept}
    busy: dict[int, list] = defaultdict(list)
    per_d: dict[int, list] = defaultdict(list)
    per_h: dict[int, list] = defaultdict(list)
    per_g: dict[int, list] = defaultdict(list)
    starts: dict[int, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    frees: dict[int, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    for _h, d, t in kept:
        one = m.new_constant(1)
        lits.ones.append(one)
        starts[d].append((t, one))
    for d in range(ND):
        g = inst.disc_group[d]
        if not inst.allowed_disc[s][d] or not inst.stud_disc_group[s][g] or d in used:
            continue
        for h in range(inst.hospitals):
            if not inst.ability[s][h][d]:
                continue
            for t in useful_starts(inst.min_pos[h][d], D):
                if ok[t]:
                    v = lits.x[(s, h, d, t)] = m.new_bool_var("")
                    for k in range(t, t + D):
                        busy[k].append(v)
                        lits.cover[(h, d, k)].append(v)
                    per_d[d].append(v)
                    per_h[h].append(v)
                    per_g[g].append(v)
                    starts[d].append((t, v))
    linked = _pred_discs(inst)
    for d in linked:
        g = inst.disc_group[d]
        if not inst.allowed_disc[s][d] or not inst.stud_disc_group[s][g] or d in used or \
                not any(inst.ability[s][h][d] for h in range(inst.hospitals)):
            continue
        for t in range(T - D + 1):
            if ok[t]:
                v = lits.pred[(s, d, t)] = m.new_bool_var("")
                for k in range(t, t + D):
                    busy[k].append(v)
                per_d[d].append(v)
                per_g[g].append(v)
                starts[d].append((t, v))
    for g in range(inst.groups):
        # A free stint of the group takes a discipline outside every precedence: as many
        # of those as the student can still attend (a student of all 12 disciplines of a
        # group has none to spare; before, its free stint became discipline 11 after the
        # stints on minima had taken 0, and the assembly failed).
        plain = [d for d in range(ND) if inst.disc_group[d] == g and d not in linked
                 and inst.allowed_disc[s][d] and d not in used
                 and any(inst.ability[s][h][d] for h in range(inst.hospitals))]
        if inst.stud_disc_group[s][g]:
            for t in range(T - D + 1):
                if ok[t]:
                    v = lits.free[(s, g, t)] = m.new_bool_var("")
                    frees[g].append((t, v))
                    for k in range(t, t + D):
                        busy[k].append(v)
        m.add(sum(per_g[g]) + sum(v for _, v in frees[g]) == inst.stud_disc_group[s][g]
              - sum(1 for _, d, _ in kept if inst.disc_group[d] == g))
        if frees[g]:
            m.add(sum(v for _, v in frees[g]) + sum(v for d in plain for v in per_d[d])
                  <= len(plain))
    for row in list(busy.values()) + list(per_d.values()):
        if len(row) > 1:
            m.add_at_most_one(row)
    for h, row in per_h.items():
        cap = inst.max_disc_per_hosp - sum(1 for hh, _, _ in kept if hh == h)
        if len(row) > cap:
            m.add(sum(row) <= cap)
    preds = {d: [d1 for d1 in range(ND) if d1 != d and inst.precededby[d][d1]]
             for d in range(ND)}
    _precedences(m, inst, starts, preds, lits.sums)


def _pred_discs(inst: MssInstance) -> list[int]:
    """Disciplines in a precedence, either side (they get free stints of their own)."""
    ND = inst.disciplines
    return [d1 for d1 in range(ND) if any(d != d1 and (inst.precededby[d][d1]
                                                       or inst.precededby[d1][d])
                                          for d in range(ND))]


def _assemble(inst: MssInstance, cells: set[Cell], members: list[int], lits: _Lits,
              solver: cp_model.CpSolver, deadline: float,
              kept: dict[int, list[tuple[int, int, int]]]) -> set[Cell] | None:
    """The schedule: the others' stints, the members' stints on minima, then a ward for
    each of their free stints at the start the model chose (:func:`_place_free`), else
    :func:`fill`, else CP-SAT on the student alone. A student is only taken with every
    predecessor of its stints attended before them: ``fill`` and the completion check
    look at the stints they add, not at the predecessors of the stints on minima (the
    fit's schedules on I80_24_4 all came back with precedence violations that way)."""
    D = inst.duration
    mem = set(members)
    p = Plan(inst)
    old = {(s, t): (h, d) for s, h, d, t in stints_of(cells, D)}
    for s, h, d, t in stints_of(cells, D):
        if s not in mem:
            p.add(s, h, d, t)
    on_min: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    for s, ks in kept.items():
        for h, d, t in ks:
            p.add(s, h, d, t)
            on_min[s][d] = (h, t)
    for (s, h, d, t), v in lits.x.items():
        if solver.value(v):
            p.add(s, h, d, t)
            on_min[s][d] = (h, t)
    frees: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for (s, g, t), v in lits.free.items():
        if solver.value(v):
            frees[s].append((t, g, -1))
    for (s, d, t), v in lits.pred.items():
        if solver.value(v):
            frees[s].append((t, inst.disc_group[d], d))
    linked = set(_pred_discs(inst))
    for s in members:
        if _place_free(p, s, sorted(frees[s]), old, [FREE_NODES], linked):
            continue
        for d in [d for d in p.stints[s] if d not in on_min[s]]:
            p.remove(s, d)
        if fill(p, s) and student_ok(p, s):
            continue
        if not _alone(p, s, on_min[s], deadline):
            return None
    return p.cells()


# Search nodes per student for the wards of its free stints (a few free stints, a dozen
# disciplines and a few hospitals each: the first leaf is usually a valid one).
FREE_NODES = 2_000


def _place_free(p: Plan, s: int, frees: list[tuple[int, int, int]],
                old: dict[tuple[int, int], tuple[int, int]], budget: list[int],
                linked: set[int]) -> bool:
    """A ward for each free stint ``(start, group, discipline or -1)`` of ``s`` in time
    order, by depth-first search: wards without a minimum in those periods first (the
    model left the stint off the minima; the schedule before often had it on one, and
    taking it back undid the lean objective), then its stint of the schedule before at that
    start, predecessors still owed by a placed stint, and by satisfaction. True with ``s``
    complete and every precedence met; else nothing added. ``linked``:
    :func:`_pred_discs`, computed once by the caller (this runs per search node)."""
    if not frees:
        return student_ok(p, s)
    if budget[0] <= 0:
        return False
    owed = _owed(p, s)
    if not _owed_reachable(p, owed, frees):
        return False
    inst = p.inst
    t, g, fixed = frees[0]
    prev = max(((st, h) for h, st in p.stints[s].values() if st < t), default=None)
    w_change = inst.weight_pref[s][2]
    D = inst.duration
    cands = sorted((any(inst.min_pos[h][d][t:t + D]), old.get((s, t)) != (h, d), d not in owed,
                    -(p.value(s, h, d) + (w_change if prev and prev[1] != h else 0)), h, d)
                    for d in range(inst.disciplines) if inst.disc_group[d] == g
                    and (fixed == d or (fixed == -1 and d not in linked))
                    for h in range(inst.hospitals) if p.can_add(s, h, d, t))
    for *_, h, d in cands:
        budget[0] -= 1
        p.add(s, h, d, t)
        if _place_free(p, s, frees[1:], old, budget, linked):
            return True
        p.remove(s, d)
        if budget[0] <= 0:
            break
    return False


def _owed(p: Plan, s: int) -> dict[int, int]:
    """Predecessors ``s`` has not attended of its placed stints -> the latest start they
    may have."""
    D = p.inst.duration
    out: dict[int, int] = {}
    for d, (_, st) in p.stints[s].items():
        for d1 in p.preds[d]:
            if d1 not in p.stints[s]:
                out[d1] = min(out.get(d1, st - D), st - D)
    return out


def _owed_reachable(p: Plan, owed: dict[int, int], frees: list[tuple[int, int, int]]) -> bool:
    """Every owed predecessor (:func:`_owed`) still has a free stint of its group early
    enough."""
    g_of = p.inst.disc_group
    return all(any(g == g_of[d1] and fixed in (-1, d1) and t <= last for t, g, fixed in frees)
               for d1, last in owed.items())


def _alone(p: Plan, s: int, keep: dict[int, tuple[int, int]], deadline: float) -> bool:
    """Student ``s`` solved alone by CP-SAT around its stints on minima ``keep``
    (discipline -> (hospital, start)), when :func:`fill` could not complete it."""
    left = deadline - time.monotonic()
    if left < 0.2:
        return False
    for d in list(p.stints[s]):
        p.remove(s, d)
    got, _ = solve_single(single(p.inst, s, p.load, need_of(p.inst, p.load)),
                          min(left, 2.0), 0, soft_min=MIN_REWARD, fixed=keep)
    if got is None:
        return False
    for _, h, d, st in stints_of(got, p.inst.duration):
        p.add(s, h, d, st)
    return True


def fit_repair(inst: MssInstance, cells: set[Cell], deadline: float, seed: int = 0,
               workers: int = 1, budget: int = 40_000, step: float = 10.0,
               work: float | None = None, verbose: bool = False,
               lean: bool = False, disc_budget: int = 20_000) -> set[Cell]:
    """:func:`fit_minima` over neighbourhoods until every minimum is met or time is up.

    Two of three are *discipline neighbourhoods* (:func:`disc_neighbourhood`): every
    student, only the stints of a few disciplines (that of a random unmet minimum period,
    those of the other unmet ones, then others of its group) move, about
    ``disc_budget`` literals. The third: the students able to cover a random unmet minimum
    period, those able to cover the most unmet ones first, for half of about ``budget``
    literals, then those able to take over the minima they hold near it
    (:func:`_relays`). Each search at most ``step`` seconds and ``work`` deterministic
    units. ``lean``: a result with as many unmet and fewer stints on minima is kept too
    (:func:`fit_minima`)."""
    rng = random.Random(seed)
    S = inst.students
    size = [_size(inst, s) for s in range(S)]
    dsize = _disc_sizes(inst)
    cur = set(cells)
    rounds = 0
    while time.monotonic() < deadline - 1 and shortfall(inst, cur):
        unmet = unmet_cells(inst, cur)
        target = rng.choice(unmet)
        rounds += 1
        if rounds % 3:
            got = fit_minima(inst, cur, list(range(S)), deadline, workers=workers,
                             seed=rng.randrange(1 << 30), verbose=verbose, limit=step,
                             work=work, lean=lean,
                             discs=disc_neighbourhood(inst, unmet, target, dsize,
                                                      disc_budget, rng))
            cur = _better(inst, cur, got, lean)
            continue
        able, _, _ = able_first(inst, unmet, target, rng)
        members: list[int] = []
        n = 0
        for s in able:
            if n + size[s] <= budget * RELAY_SHARE or not members:
                members.append(s)
                n += size[s]
        for s in _relays(inst, cur, members, target, [s for s in range(S) if s not in members],
                         rng):
            if n + size[s] <= budget:
                members.append(s)
                n += size[s]
        got = fit_minima(inst, cur, sorted(members), deadline, workers=workers,
                         seed=rng.randrange(1 << 30), verbose=verbose, limit=step,
                         work=work, lean=lean)
        cur = _better(inst, cur, got, lean)
    return cur


def _better(inst: MssInstance, cur: set[Cell], got: set[Cell] | None, lean: bool
            ) -> set[Cell]:
    """``got`` if valid but for minima and better than ``cur`` (fewer unmet; with
    ``lean``, or as many and fewer stints on minima), else ``cur``."""
    if got is None or {v.code for v in check(inst, got)} - {"min_pos"}:
        return cur
    if (shortfall(inst, got), on_minima(inst, got) if lean else 0) < (
            shortfall(inst, cur), on_minima(inst, cur) if lean else 0):
        return got
    return cur


def disc_neighbourhood(inst: MssInstance, unmet: list[tuple[int, int, int]],
                       target: tuple[int, int, int], dsize: list[int], budget: int,
                       rng: random.Random) -> set[int]:
    """Disciplines whose stints move (every student): the target's, the other unmet
    ones' (random order), then the rest of the target's group (random order), while their
    literals (``dsize``) stay within ``budget``; at least two. On I80_24_4 (all 80
    students, 4 disciplines, 16-17 k literals) two such steps took a schedule from 11
    unmet minimum periods to none in 16 s, where student neighbourhoods left 5-7 in 45 s:
    swapping disciplines between the students' stints is what the minima need, and a
    student neighbourhood holds too few students able to take each other's."""
    d0 = inst.disc_group
    first = sorted({d for _, d, _ in unmet} - {target[1]})
    rng.shuffle(first)
    rest = [d for d in range(inst.disciplines)
            if d0[d] == d0[target[1]] and d != target[1] and d not in first]
    rng.shuffle(rest)
    out = {target[1]}
    n = dsize[target[1]]
    for d in first + rest:
        if len(out) >= 2 and n + dsize[d] > budget:
            break
        out.add(d)
        n += dsize[d]
    return out


def _disc_sizes(inst: MssInstance) -> list[int]:
    """Literals of each discipline's stints on minima over all students."""
    D, T = inst.duration, inst.horizon
    useful = [[useful_starts(inst.min_pos[h][d], D) for d in range(inst.disciplines)]
              for h in range(inst.hospitals)]
    out = [0] * inst.disciplines
    for s in range(inst.students):
        av = inst.availability[s]
        ok = [all(av[t:t + D]) for t in range(T - D + 1)]
        for d in range(inst.disciplines):
            if inst.allowed_disc[s][d]:
                out[d] += sum(1 for h in range(inst.hospitals) if inst.ability[s][h][d]
                              for t in useful[h][d] if ok[t])
    return out


# Share of a neighbourhood's literals for the students able to cover its target minimum;
# the rest goes to students able to take over the minima those students hold near it.
RELAY_SHARE = 0.5


def _relays(inst: MssInstance, cells: set[Cell], members: list[int],
            target: tuple[int, int, int], others: list[int], rng: random.Random) -> list[int]:
    """``others`` by how many minimum periods they could take over from ``members``
    within two stints of the target period (ties at random): an able student is
    usually busy on another minimum then, which somebody else must cover instead."""
    D, t0 = inst.duration, target[2]
    mem = set(members)
    held = {(h, d, t) for s, t, h, d in cells if s in mem and abs(t - t0) < 2 * D
            and inst.min_pos[h][d][t]}
    score = {s: sum(1 for h, d, t in held if inst.ability[s][h][d]
                    and inst.allowed_disc[s][d] and inst.availability[s][t]) for s in others}
    return sorted(others, key=lambda s: (-score[s], rng.random()))


def _size(inst: MssInstance, s: int) -> int:
    """Literals of student ``s`` in the fit model (without availability)."""
    D, T = inst.duration, inst.horizon
    on_min = sum(len(useful_starts(inst.min_pos[h][d], D))
                 for h in range(inst.hospitals) for d in range(inst.disciplines)
                 if inst.allowed_disc[s][d] and inst.ability[s][h][d])
    free = sum(1 for g in range(inst.groups) if inst.stud_disc_group[s][g]) + sum(
        1 for d in _pred_discs(inst) if inst.allowed_disc[s][d])
    return on_min + free * (T - D + 1)


def _loads(cells: set[Cell]) -> dict[tuple[int, int, int], int]:
    load: dict[tuple[int, int, int], int] = defaultdict(int)
    for _, t, h, d in cells:
        load[(h, d, t)] += 1
    return load


def shortfall(inst: MssInstance, cells: set[Cell]) -> int:
    """Student-periods missing from the minima."""
    load = _loads(cells)
    return sum(max(0, n - load.get((h, d, t), 0))
               for h, per_h in enumerate(inst.min_pos) for d, per_d in enumerate(per_h)
               for t, n in enumerate(per_d) if n)


def _hint(m: cp_model.CpModel, inst: MssInstance, cells: set[Cell], lits: _Lits,
          shorts: list) -> None:
    """The members' ``cells`` as a complete hint: stints on a minimum as such, the
    others free."""
    on: set[int] = {v.index for v in lits.ones}
    for s, h, d, t in stints_of(cells, inst.duration):
        v = lits.x.get((s, h, d, t))
        if v is None:
            v = lits.pred.get((s, d, t))
        if v is None:
            v = lits.free.get((s, inst.disc_group[d], t))
        if v is not None:
            on.add(v.index)
    for v in list(lits.x.values()) + list(lits.free.values()) + list(lits.pred.values()):
        m.add_hint(v, v.index in on)
    load = _loads(cells)
    for sh, need, h, d, t in shorts:
        # Members' load only: ``need`` already counts the others.
        m.add_hint(sh, max(0, need - load.get((h, d, t), 0)))
    val: dict[int, int] = {}
    for y, prev, terms in lits.sums:
        val[y.index] = (val[prev.index] if prev is not None else 0) + sum(
            1 for v in terms if v.index in on)
        m.add_hint(y, val[y.index])


def _precedences(m: cp_model.CpModel, inst: MssInstance,
                 starts: dict[int, list[tuple[int, cp_model.IntVar]]],
                 preds: dict[int, list[int]], sums: list) -> None:
    """One student's precedences, ``d`` after ``d1``: a stint of ``d`` (on a minimum, or a
    free stint of ``d`` when ``d`` is a predecessor itself) started at ``t`` needs a stint
    of ``d1`` (on a minimum or a free one of ``d1``) ended by ``t``, and none after it. A
    free stint of the group gets its place after ``d1`` when it is assembled. Running
    sums over the starts, as in :mod:`scheduler.mss.mipcover`."""
    D = inst.duration
    for d, ps in preds.items():
        if not starts.get(d):
            continue
        for d1 in ps:
            t_j, y_j = _running(m, starts.get(d1, []), sums)
            for t in sorted({t for t, _ in starts[d]}):
                here = [v for t2, v in starts[d] if t2 == t]
                k = bisect.bisect_right(t_j, t - D) - 1
                m.add(sum(here) <= (y_j[k] if k >= 0 else 0))
                if y_j:
                    m.add(sum(here) + y_j[-1] - (y_j[k] if k >= 0 else 0) <= 1)


def _running(m: cp_model.CpModel, items: list[tuple[int, cp_model.IntVar]], sums: list
             ) -> tuple[list[int], list[cp_model.IntVar]]:
    """Running sums of literals over their times: (times, y), y[k] the number of items
    at times <= times[k]; each step is recorded in ``sums`` for the hint."""
    by_t: dict[int, list] = defaultdict(list)
    for t, v in items:
        by_t[t].append(v)
    times = sorted(by_t)
    ys: list[cp_model.IntVar] = []
    for t in times:
        y = m.new_int_var(0, len(items), "")
        m.add(y == (ys[-1] if ys else 0) + sum(by_t[t]))
        sums.append((y, ys[-1] if ys else None, by_t[t]))
        ys.append(y)
    return times, ys
