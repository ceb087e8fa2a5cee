"""A fast first plan in plain Python: the MinPosHosp minima first, then every student around them.

Why: the greedy of :mod:`scheduler.mss.solve` solves each student with CP-SAT (0.1-1.5 s each
on I40_24_2) and covers the minima only by a reward, student after student. On the
24-discipline instances it ran out of time (I40_24_2: 50 s, 7 students unplaced, 49 minima
unmet), so nothing valid reached the later phases. Here:

1. **Minima first.** Ward-periods with a minimum, scarcest first (eligible students per
   student needed), are covered one student at a time by the stint that covers the most
   still-unmet periods of that ward, from the student it adds the least waiting to, then
   the one with the most free room left (:func:`_wait_cost`); a stint
   is taken only if the student can still complete its requirements (enough free stint slots,
   enough disciplines left in every group) and its precedences hold (missing predecessors are
   placed before it at once).
2. **Fill.** Each student (least slack first) completes its stints in time order: at each free
   period the stint of best satisfaction (discipline, man and hospital preferences, a hospital
   change, an unmet minimum covered) that keeps the rest completable.

Milliseconds per student. A student it cannot complete is left to the caller (CP-SAT on that
student alone); minima it could not cover are repaired by :func:`scheduler.mss.solve.repair`.
"""

from __future__ import annotations

from scheduler.mss.dzn import Cell, MssInstance

# Per unmet minimum period covered by a stint in the fill phase: above any satisfaction gain.
COVER_BONUS = 10_000
# Predecessor slots tried per stint placed with its predecessors.
PRED_TRIES = 200
# Candidates per unmet minimum tried with a two-step move in swap_repair.
CHAIN_CANDIDATES = 1000


class Plan:
    """Partial schedule with the bookkeeping the construction needs (0-based)."""

    def __init__(self, inst: MssInstance):
        self.inst = inst
        S, T, H, ND, G = (inst.students, inst.horizon, inst.hospitals, inst.disciplines,
                          inst.groups)
        self.load = [[[0] * T for _ in range(ND)] for _ in range(H)]
        self.stints: list[dict[int, tuple[int, int]]] = [{} for _ in range(S)]  # d -> (h, st)
        self.busy = [[False] * T for _ in range(S)]
        self.group_cnt = [[0] * G for _ in range(S)]
        self.hosp_cnt = [[0] * H for _ in range(S)]
        self.preds = [[d1 for d1 in range(ND) if d1 != d and inst.precededby[d][d1]]
                      for d in range(ND)]
        self.succs = [[d2 for d2 in range(ND) if d2 != d and inst.precededby[d2][d]]
                      for d in range(ND)]
        self.depth = [len(_ancestors_of(self.preds, d)) for d in range(ND)]
        self.loose_groups = False  # can_add ignores group counts (a move fixes them after)

    # ------------------------------------------------------------------ rules

    def value(self, s: int, h: int, d: int) -> int:
        """Satisfaction of one stint, without waiting and changes."""
        i = self.inst
        w_disc, w_hosp, _, _ = i.weight_pref[s]
        return w_disc * i.pref_disc[s][d] + i.man_pref[d] + w_hosp * i.pref_hosp[s][h]

    def can_add(self, s: int, h: int, d: int, st: int) -> bool:
        i, D = self.inst, self.inst.duration
        if (d in self.stints[s] or not i.allowed_disc[s][d] or not i.ability[s][h][d]
                or st < 0 or st + D > i.horizon):
            return False
        g = i.disc_group[d]
        if self.group_cnt[s][g] >= i.stud_disc_group[s][g] and not self.loose_groups:
            return False
        if self.hosp_cnt[s][h] >= i.max_disc_per_hosp:
            return False
        av, busy, cap, load = i.availability[s], self.busy[s], i.max_pos[h][d], self.load[h][d]
        for t in range(st, st + D):
            if not av[t] or busy[t] or load[t] >= cap[t]:
                return False
        for d1 in self.preds[d]:
            got = self.stints[s].get(d1)
            if got is None or got[1] + D > st:
                return False
        for d2 in self.succs[d]:
            got = self.stints[s].get(d2)
            if got is not None and st + D > got[1]:
                return False
        return True

    def add(self, s: int, h: int, d: int, st: int) -> None:
        i = self.inst
        self.stints[s][d] = (h, st)
        self.group_cnt[s][i.disc_group[d]] += 1
        self.hosp_cnt[s][h] += 1
        for t in range(st, st + i.duration):
            self.busy[s][t] = True
            self.load[h][d][t] += 1

    def remove(self, s: int, d: int) -> None:
        i = self.inst
        h, st = self.stints[s].pop(d)
        self.group_cnt[s][i.disc_group[d]] -= 1
        self.hosp_cnt[s][h] -= 1
        for t in range(st, st + i.duration):
            self.busy[s][t] = False
            self.load[h][d][t] -= 1

    def free_slots(self, s: int, after: int = 0) -> int:
        """Disjoint free stint slots from period ``after`` (greedy left to right: maximal)."""
        i, D = self.inst, self.inst.duration
        av, busy = i.availability[s], self.busy[s]
        n, run = 0, 0
        for t in range(after, i.horizon):
            if av[t] and not busy[t]:
                run += 1
                if run == D:
                    n, run = n + 1, 0
            else:
                run = 0
        return n

    def completable(self, s: int) -> bool:
        """Necessary conditions for completing ``s``: free slots and disciplines per group."""
        i = self.inst
        left = i.n_stints(s) - len(self.stints[s])
        if left > self.free_slots(s):
            return False
        for g in range(i.groups):
            want = i.stud_disc_group[s][g] - self.group_cnt[s][g]
            if want <= 0:
                continue
            have = sum(1 for d in range(i.disciplines)
                       if i.disc_group[d] == g and d not in self.stints[s]
                       and i.allowed_disc[s][d]
                       and all(self._pred_possible(s, d1) for d1 in self.preds[d])
                       and any(i.ability[s][h][d] and self.hosp_cnt[s][h] < i.max_disc_per_hosp
                               for h in range(i.hospitals)))
            if have < want:
                return False
        return True

    def _pred_possible(self, s: int, d1: int) -> bool:
        """Predecessor ``d1`` is attended or can still be (its group has room)."""
        i = self.inst
        g = i.disc_group[d1]
        return d1 in self.stints[s] or (
            bool(i.allowed_disc[s][d1]) and self.group_cnt[s][g] < i.stud_disc_group[s][g])

    def try_add(self, s: int, h: int, d: int, st: int) -> bool:
        """Add the stint (with missing predecessors placed before it) if ``s`` stays
        completable; otherwise change nothing."""
        added: list[int] = []
        if self.add_with_preds(s, h, d, st, added, 0) and self.completable(s):
            return True
        for dd in reversed(added):
            self.remove(s, dd)
        return False

    def add_with_preds(self, s: int, h: int, d: int, st: int, added: list[int],
                        depth: int, budget: list[int] | None = None) -> bool:
        """Add the stint after placing its missing predecessors (recursively) before it;
        on failure everything this call added is removed again. ``budget`` caps the slots
        tried (chains of predecessors otherwise multiply: I160_12_4 took minutes)."""
        i, D = self.inst, self.inst.duration
        budget = [PRED_TRIES] if budget is None else budget
        if depth > i.disciplines or not self._fits(s, h, d, st):
            return False
        mark = len(added)
        # Latest-needed first: a predecessor that itself needs another one is placed just
        # before st and pulls its own predecessors in before it (2 -> 3 -> 4 on I240_12_1).
        for d1 in sorted(self.preds[d], key=lambda x: (-self.depth[x], x)):
            if d1 in self.stints[s]:
                continue
            # The latest slot that ends before st, at the hospital of most free capacity.
            done = False
            for st1 in range(st - D, -1, -1):
                hs = sorted((hh for hh in range(i.hospitals) if self._fits(s, hh, d1, st1)),
                            key=lambda hh: -(i.max_pos[hh][d1][st1] - self.load[hh][d1][st1]))
                for h1 in hs:
                    budget[0] -= 1
                    if budget[0] < 0:
                        break
                    if self.add_with_preds(s, h1, d1, st1, added, depth + 1, budget):
                        done = True
                        break
                if done or budget[0] < 0:
                    break
            if not done:
                break
        else:
            if self.can_add(s, h, d, st):
                self.add(s, h, d, st)
                added.append(d)
                return True
        while len(added) > mark:
            self.remove(s, added.pop())
        return False

    def _fits(self, s: int, h: int, d: int, st: int) -> bool:
        """The stint's own conditions, predecessors aside: ability, availability, free
        periods, capacity."""
        i, D = self.inst, self.inst.duration
        if (d in self.stints[s] or not i.allowed_disc[s][d] or not i.ability[s][h][d]
                or st < 0 or st + D > i.horizon):
            return False
        av, busy, cap, load = i.availability[s], self.busy[s], i.max_pos[h][d], self.load[h][d]
        return all(av[t] and not busy[t] and load[t] < cap[t] for t in range(st, st + D))

    def cells(self, students: list[int] | None = None) -> set[Cell]:
        D = self.inst.duration
        who = range(self.inst.students) if students is None else students
        return {(s, t, h, d) for s in who for d, (h, st) in self.stints[s].items()
                for t in range(st, st + D)}

    def complete(self, s: int) -> bool:
        return len(self.stints[s]) == self.inst.n_stints(s)

    def unmet(self, h: int, d: int, t: int) -> int:
        return max(0, self.inst.min_pos[h][d][t] - self.load[h][d][t])


def cover_minima(p: Plan) -> None:
    """Phase 1: cover every MinPosHosp minimum it can, scarcest ward-period first."""
    i, D = p.inst, p.inst.duration
    S, T = i.students, i.horizon
    cells = [(h, d, t) for h in range(i.hospitals) for d in range(i.disciplines)
             for t in range(T) if i.min_pos[h][d][t] > 0]
    eligible = {c: [s for s in range(S) if i.ability[s][c[0]][c[1]]
                    and i.allowed_disc[s][c[1]] and i.availability[s][c[2]]] for c in cells}
    # Disciplines with the longest precedence chains first (their predecessors are then
    # placed while periods are still free), then scarcest: fewest eligible students per
    # student needed (ties: earlier period). Shortfall after the moves of swap_repair,
    # I240_12_1 / I40_24_2: 0 / 1 this way, 5 / 0 without the chain key (before the moves,
    # scarcest first left 58 / 28; by period 80 / 55, latest first 96 / 45, largest first
    # 49 / 41).
    cells.sort(key=lambda c: (-p.depth[c[1]], len(eligible[c]) / i.min_pos[c[0]][c[1]][c[2]],
                              c[2], c))
    for h, d, t in cells:
        while p.unmet(h, d, t) > 0:
            best = None
            for s in eligible[(h, d, t)]:
                if d in p.stints[s] or p.complete(s):
                    continue
                slots = p.free_slots(s)
                room = slots - (i.n_stints(s) - len(p.stints[s]))
                for st in range(max(0, t - D + 1), min(t, T - D) + 1):
                    if not p.can_add(s, h, d, st) and p.preds[d] == []:
                        continue
                    covered = sum(1 for k in range(st, st + D) if p.unmet(h, d, k) > 0)
                    # Free stint slots the stint costs the student (1 if it sits flush with
                    # busy or unavailable periods, more if it splits a free run badly).
                    loss = slots - _slots_without(p, s, st) if D > 1 else 1
                    key = (covered, -_wait_cost(p, s, st), -loss, room, p.value(s, h, d),
                           -st, -s)
                    if best is None or key > best[0]:
                        best = (key, s, st)
            placed = False
            if best is not None:
                _, s, st = best
                placed = p.try_add(s, h, d, st)
            if not placed:
                # The best-ranked candidate failed the completion check: try the others in
                # order, then give up on this period (the repair phase takes it).
                placed = _any_cover(p, eligible[(h, d, t)], h, d, t)
            if not placed:
                break


def _wait_cost(p: Plan, s: int, st: int) -> int:
    """Waiting the stint at ``st`` adds to ``s``'s least possible: ``mss.mzn`` counts every
    idle period before the last one attended, so a student of ``k`` stints that ends after
    period ``k * Duration`` waits at least the difference. Before this key (2026-12-07) the
    student with the most free room covered a minimum, i.e. one with few stints, late in
    the horizon: on I40_24_4 students of 7-9 stints ended at period 90-95, not 31-47 as in
    the published schedule, and waiting cost 3 044 at 60 s where the published one has
    1 328."""
    i, D = p.inst, p.inst.duration
    pack = D * i.n_stints(s)
    end = max((st1 + D for _h, st1 in p.stints[s].values()), default=0)
    return -i.weight_pref[s][3] * (max(0, max(end, st + D) - pack) - max(0, end - pack))


def _slots_without(p: Plan, s: int, st: int) -> int:
    """Free stint slots of ``s`` if periods ``st .. st + Duration - 1`` were taken."""
    busy = p.busy[s]
    saved = busy[st:st + p.inst.duration]
    busy[st:st + p.inst.duration] = [True] * len(saved)
    n = p.free_slots(s)
    busy[st:st + p.inst.duration] = saved
    return n


def _any_cover(p: Plan, students: list[int], h: int, d: int, t: int) -> bool:
    i, D = p.inst, p.inst.duration
    ranked = sorted(students, key=lambda s: -(p.free_slots(s) - i.n_stints(s)
                                              + len(p.stints[s])))
    for s in ranked:
        if d in p.stints[s] or p.complete(s):
            continue
        for st in range(max(0, t - D + 1), min(t, i.horizon - D) + 1):
            if p.try_add(s, h, d, st):
                return True
    return False


def fill(p: Plan, s: int) -> bool:
    """Phase 2: complete student ``s`` in time order around its fixed stints; True if done.
    On failure the stints added here are removed again."""
    i, D, T = p.inst, p.inst.duration, p.inst.horizon
    w_change = i.weight_pref[s][2]
    added: list[int] = []
    t = 0
    prev_h: int | None = None
    while not p.complete(s) and t + D <= T:
        if p.busy[s][t]:
            # A fixed stint: it sets the hospital a following stint changes from.
            for _d, (hh, st) in p.stints[s].items():
                if st <= t < st + D:
                    prev_h = hh
            t += 1
            continue
        # Best stint first; if it breaks completability, the next ones in order.
        cands = sorted(((p.value(s, h, d)
                         + (w_change if prev_h is not None and h != prev_h else 0)
                         + COVER_BONUS * sum(1 for k in range(t, t + D) if p.unmet(h, d, k) > 0),
                         h, d)
                        for d in range(i.disciplines) for h in range(i.hospitals)
                        if p.can_add(s, h, d, t)), reverse=True)
        placed = False
        for _, h, d in cands:
            p.add(s, h, d, t)
            if p.completable(s):
                added.append(d)
                prev_h = h
                placed = True
                break
            p.remove(s, d)
        t = t + D if placed else t + 1
    if p.complete(s):
        return True
    for d in added:
        p.remove(s, d)
    return False


def construct(inst: MssInstance) -> tuple[Plan, list[int]]:
    """Minima first, then every student filled; returns the plan and the students it could
    not complete (they keep only their minima stints of phase 1)."""
    p = Plan(inst)
    cover_minima(p)
    D = inst.duration

    def slack(s: int) -> float:
        return sum(inst.availability[s]) / max(1, D * inst.n_stints(s))

    failed = []
    for s in sorted(range(inst.students), key=lambda s: (slack(s), s)):
        if not fill(p, s):
            failed.append(s)
    return p, failed


def _keeps_minima(p: Plan, s: int, d: int) -> bool:
    """Removing ``s``'s stint of ``d`` uncovers no MinPosHosp period."""
    i = p.inst
    h, st = p.stints[s][d]
    return all(p.load[h][d][k] > i.min_pos[h][d][k] for k in range(st, st + i.duration))


def student_ok(p: Plan, s: int) -> bool:
    """``s``'s group counts met and every predecessor attended before its stint."""
    i, D = p.inst, p.inst.duration
    mine = p.stints[s]
    if p.group_cnt[s] != i.stud_disc_group[s]:
        return False
    return all(d1 in mine and mine[d1][1] + D <= st
               for d, (_, st) in mine.items() for d1 in p.preds[d])


def _place_anywhere(p: Plan, s: int, d: int, prefer: int) -> bool:
    i = p.inst
    hs = sorted(range(i.hospitals), key=lambda h: h != prefer)
    for st in range(i.horizon - i.duration + 1):
        for h in hs:
            if p.can_add(s, h, d, st):
                p.add(s, h, d, st)
                return True
    return False


def _ancestors(p: Plan, d: int) -> set[int]:
    return _ancestors_of(p.preds, d)


def _ancestors_of(preds: list[list[int]], d: int) -> set[int]:
    out: set[int] = set()
    todo = list(preds[d])
    while todo:
        d1 = todo.pop()
        if d1 not in out:
            out.add(d1)
            todo.extend(preds[d1])
    return out


def _move(p: Plan, s: int, h: int, d: int, st: int) -> bool:
    """Give ``s`` the stint ``(h, d)`` at ``st``. Its stints in the way, its own stint of ``d``
    elsewhere and predecessors not finished by ``st`` are taken out and placed again
    (predecessors before ``st``); group counts are then restored by dropping or adding
    disciplines. Nothing that now covers a minimum period is taken out. If that fails and
    ``d`` has predecessors, again with every earlier stint taken out too (they may hold the
    periods the predecessors need). All or nothing."""
    return (_move_once(p, s, h, d, st, clear_before=False)
            or (bool(p.preds[d]) and _move_once(p, s, h, d, st, clear_before=True)))


def _move_once(p: Plan, s: int, h: int, d: int, st: int, clear_before: bool) -> bool:
    i, D = p.inst, p.inst.duration
    snapshot = dict(p.stints[s])
    before = _ancestors(p, d)
    moved: list[tuple[int, int]] = []  # (discipline, hospital) to place again
    ok = True
    for d2, (h2, st2) in list(p.stints[s].items()):
        if (d2 == d or (st2 < st + D and st < st2 + D)
                or (d2 in before and st2 + D > st) or (clear_before and st2 < st)):
            if not _keeps_minima(p, s, d2):
                ok = False
                break
            p.remove(s, d2)
            if d2 != d and d2 not in before:
                moved.append((d2, h2))
    if ok:
        p.loose_groups = True
        try:
            ok = p.add_with_preds(s, h, d, st, [], 0)
        finally:
            p.loose_groups = False
    if ok:
        for d2, h2 in moved:
            if p.group_cnt[s][i.disc_group[d2]] < i.stud_disc_group[s][i.disc_group[d2]]:
                _place_anywhere(p, s, d2, h2)
        ok = _fix_groups(p, s, keep={d} | before)
        if ok and student_ok(p, s):
            return True
    for d2 in list(p.stints[s]):
        p.remove(s, d2)
    for d2, (h2, st2) in snapshot.items():
        p.add(s, h2, d2, st2)
    return False


def _fix_groups(p: Plan, s: int, keep: set[int]) -> bool:
    """Bring ``s``'s group counts to the requirement: drop stints of a group over it (not in
    ``keep``, covering no minimum alone, nothing attended depending on them), add
    disciplines to a group under it."""
    i = p.inst
    for g in range(i.groups):
        while p.group_cnt[s][g] > i.stud_disc_group[s][g]:
            victim = next((d2 for d2 in p.stints[s] if i.disc_group[d2] == g
                           and d2 not in keep and _keeps_minima(p, s, d2)
                           and not any(d3 in p.stints[s] for d3 in p.succs[d2])), None)
            if victim is None:
                return False
            p.remove(s, victim)
        for d3 in range(i.disciplines):
            if p.group_cnt[s][g] >= i.stud_disc_group[s][g]:
                break
            if (i.disc_group[d3] == g and d3 not in p.stints[s] and i.allowed_disc[s][d3]):
                _place_anywhere(p, s, d3, 0)
        if p.group_cnt[s][g] != i.stud_disc_group[s][g]:
            return False
    return True


def _chain(p: Plan, s: int, h: int, d: int, t: int) -> bool:
    i, D, T = p.inst, p.inst.duration, p.inst.horizon
    held = [(h2, d2, k) for d2, (h2, st2) in p.stints[s].items()
            if d2 == d or st2 <= t < st2 + D
            for k in range(st2, st2 + D) if p.load[h2][d2][k] <= i.min_pos[h2][d2][k]]
    for h2, d2, k in held:
        others = [s2 for s2 in range(i.students) if s2 != s and i.ability[s2][h2][d2]
                  and i.allowed_disc[s2][d2] and i.availability[s2][k] and p.complete(s2)]
        if not any(_move(p, s2, h2, d2, st) for s2 in others
                   for st in range(max(0, k - D + 1), min(k, T - D) + 1)):
            return False
    return any(_move(p, s, h, d, st) for st in range(max(0, t - D + 1), min(t, T - D) + 1))


def swap_repair(p: Plan, deadline: float) -> int:
    """Cover unmet minima by moving one student's stints at a time (plain Python, so it tries
    every eligible student and start quickly); returns the student-periods still unmet."""
    import time

    i, D, T = p.inst, p.inst.duration, p.inst.horizon
    while time.monotonic() < deadline:
        unmet = [(h, d, t) for h in range(i.hospitals) for d in range(i.disciplines)
                 for t in range(T) if p.unmet(h, d, t) > 0]
        progress = False
        for h, d, t in unmet:
            if time.monotonic() >= deadline:
                break
            if p.unmet(h, d, t) <= 0:
                continue
            cands = [s for s in range(i.students) if i.ability[s][h][d]
                     and i.allowed_disc[s][d] and i.availability[s][t]
                     and p.complete(s)]
            cands.sort(key=lambda s: (p.busy[s][t], s))
            window = range(max(0, t - D + 1), min(t, T - D) + 1)
            for s in cands:
                if any(_move(p, s, h, d, st) for st in window):
                    progress = True
                    break
            else:
                # Two steps: another student first covers the minimum periods a candidate's
                # stint in the way holds, then the candidate moves (I240_12_1: most
                # candidates are held by minima of their own).
                for s in cands[:CHAIN_CANDIDATES]:
                    if time.monotonic() >= deadline:
                        break
                    if _chain(p, s, h, d, t):
                        progress = True
                        break
        if not progress:
            break
    return sum(p.unmet(h, d, t) for h in range(i.hospitals) for d in range(i.disciplines)
               for t in range(T))
