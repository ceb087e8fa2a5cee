"""Hand a student's last stint to a student who is there anyway; take an earlier one instead.

Why: ``mss.mzn`` charges every idle period before a student's last one attended
(``W_wait``), so a student of few stints whose last stint covers a late ``MinPosHosp``
minimum waits through most of the horizon. On I40_24_4 the quick plan's waiting cost
2 222 (with the waiting key of the minima cover; 60 s of the later phases without either had
ended at 3 044) against the published schedule's 1 328: students of 7-9 stints still ended
at period 90-95. A one-student re-plan cannot end such a student earlier (the minimum needs
its stint) and CP-SAT neighbourhoods of a few students rarely hold the one that could take
the stint over.

The move, in plain Python on :class:`~scheduler.mss.construct.Plan` (milliseconds):
``s``'s last stint ``(h, d, t)`` goes to a student ``s2`` free in those periods (or whose
stint there is the one it gives up) who has not attended ``d``; ``s2`` gives up a stint of
``d``'s group that no minimum needs (the group counts are equalities), and ``s`` takes a
stint of that group in an earlier free slot. A last stint no minimum needs is simply
re-placed earlier. A move is kept if the score (sum of SatTot plus the worst) rises; every
rule is checked by ``Plan`` as it goes, and the caller checks the result with the
independent checker.
"""

from __future__ import annotations

import itertools
import time

from scheduler.mss.construct import Plan, _keeps_minima
from scheduler.mss.dzn import Cell, MssInstance
from scheduler.mss.model import stints_of


def sat_tot(p: Plan, s: int) -> int:
    """SatTot of ``s`` in ``p`` (whole stints): stint values, hospital changes between
    consecutive stints, and every idle period before the end of the last stint."""
    i, D = p.inst, p.inst.duration
    _, _, w_chg, w_wait = i.weight_pref[s]
    stints = sorted((st, h, d) for d, (h, st) in p.stints[s].items())
    if not stints:
        return 0
    v = sum(p.value(s, h, d) for _, h, d in stints)
    v += w_chg * sum(1 for a, b in itertools.pairwise(stints) if a[1] != b[1])
    return v + w_wait * (stints[-1][0] + D - D * len(stints))


def _waiting(p: Plan, s: int) -> int:
    D = p.inst.duration
    if not p.stints[s]:
        return 0
    end = max(st for _, st in p.stints[s].values()) + D
    return -p.inst.weight_pref[s][3] * (end - D * len(p.stints[s]))


def _last(p: Plan, s: int) -> tuple[int, int, int]:
    d, (h, st) = max(p.stints[s].items(), key=lambda x: x[1][1])
    return h, d, st


def _refill(p: Plan, s: int, g: int, before: int) -> tuple[int, int, int] | None:
    """The stint ``(h, d, start)`` of group ``g`` starting before ``before`` that gives ``s``
    the highest SatTot (None: no stint fits). ``p`` is left as it was."""
    i = p.inst
    best = None
    for st in range(0, before):
        if p.busy[s][st] or not i.availability[s][st]:
            continue
        for d in range(i.disciplines):
            if i.disc_group[d] != g:
                continue
            for h in range(i.hospitals):
                if p.can_add(s, h, d, st):
                    p.add(s, h, d, st)
                    v = sat_tot(p, s)
                    p.remove(s, d)
                    if best is None or v > best[0]:
                        best = (v, h, d, st)
    return None if best is None else best[1:]


def _score(totals: list[int]) -> int:
    return sum(totals) + min(totals)


def _try_student(p: Plan, s: int, totals: list[int]) -> bool:
    """One improving move for ``s`` (see the module docstring); True if one was kept."""
    i, D = p.inst, p.inst.duration
    h, d, st = _last(p, s)
    g = i.disc_group[d]
    before = _score(totals)
    needed = not _keeps_minima(p, s, d)
    # The group count is an equality: ``s`` leaves ``g`` one short for the refill.
    p.remove(s, d)
    r = _refill(p, s, g, st)
    if r is None:
        p.add(s, h, d, st)
        return False
    rh, rd, rst = r
    p.add(s, rh, rd, rst)
    trial = list(totals)
    trial[s] = sat_tot(p, s)
    if not needed:
        if _score(trial) > before:
            totals[s] = trial[s]
            return True
        p.remove(s, rd)
        p.add(s, h, d, st)
        return False
    # The stint holds a minimum: the student taking it over gives up a stint of the same
    # group that no minimum needs and nothing it attends follows. Best such swap kept.
    p.remove(s, rd)
    best = None
    for s2 in range(i.students):
        if (s2 == s or d in p.stints[s2] or not i.allowed_disc[s2][d]
                or not i.ability[s2][h][d]):
            continue
        if not all(i.availability[s2][k] for k in range(st, st + D)):
            continue
        # A stint of s2 in those periods must be the one it gives up.
        inside = [d2 for d2, (_h2, t2) in p.stints[s2].items() if t2 < st + D and st < t2 + D]
        if len(inside) > 1 or (inside and i.disc_group[inside[0]] != g):
            continue
        for v in inside or [d2 for d2 in p.stints[s2] if i.disc_group[d2] == g]:
            hv, sv = p.stints[s2][v]
            if not _keeps_minima(p, s2, v) or any(d3 in p.stints[s2] for d3 in p.succs[v]):
                continue
            p.remove(s2, v)
            if p.can_add(s2, h, d, st):
                p.add(s2, h, d, st)
                if p.can_add(s, rh, rd, rst):
                    t2 = sat_tot(p, s2)
                    trial[s2] = t2
                    sc = _score(trial)
                    trial[s2] = totals[s2]
                    if sc > before and (best is None or sc > best[0]):
                        best = (sc, s2, v, t2)
                p.remove(s2, d)
            p.add(s2, hv, v, sv)
    if best is None:
        p.add(s, h, d, st)
        return False
    _, s2, v, t2 = best
    p.remove(s2, v)
    p.add(s2, h, d, st)
    p.add(s, rh, rd, rst)
    totals[s], totals[s2] = trial[s], t2
    return True


def handoff(inst: MssInstance, cells: set[Cell], deadline: float) -> set[Cell]:
    """Hand-off moves (module docstring), the most waiting student first, while any move
    improves the score and time remains. ``cells`` must satisfy every rule."""
    p = Plan(inst)
    for s, h, d, st in stints_of(cells, inst.duration):
        p.add(s, h, d, st)
    totals = [sat_tot(p, s) for s in range(inst.students)]
    improved = True
    while improved and time.monotonic() < deadline:
        improved = False
        for s in sorted(range(inst.students), key=lambda s: (-_waiting(p, s), s)):
            if time.monotonic() >= deadline or _waiting(p, s) <= 0:
                break
            while _waiting(p, s) > 0 and time.monotonic() < deadline \
                    and _try_student(p, s, totals):
                improved = True
    return p.cells()
