"""One student's best schedule under ward prices: a dynamic programme over periods.

Why: students are independent once every ward-period has a price (the duals of the capacity
and minimum rows of :mod:`scheduler.mss.colgen`), so the best schedule of each student alone,
priced, is the pricing problem of a column generation and, summed, a Lagrangian upper bound.
A CP-SAT model per student was too slow for that (the core engine's attempt); this is numpy.

The programme walks the periods with state (period, hospital of the last stint, stints taken
per group). At period ``t`` a student idles (``W_wait`` while stints remain: ``mss.mzn``
counts idle periods before the last attended one) or starts a stint of ``Duration`` periods
at ``(h, d)`` (its satisfaction ``W_disc*PrefStudDisc + ManPref + W_hosp*PrefStudHosp``,
scaled, minus the prices of its periods, plus ``W_change`` when ``h`` differs from the last
hospital). The schedule ends when every group count is met. Waiting, changes, group counts,
availability, ability and ward closures (``MaxPosHosp`` 0) are exact.

Relaxed, so the value is an upper bound on the true best (never below it):
- each discipline at most once: priced by a Lagrange multiplier ``mu[d] >= 0`` (the value is
  ``max(path - mu . uses) + sum(mu)``, an upper bound for any ``mu >= 0``), tightened by
  subgradient steps;
- precedences and ``MaxDiscPerHosp`` are dropped (few precedences on every instance).
When the best path uses no discipline twice and keeps both, it is the true optimum (the bound
equals its value) and a column.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from scheduler.mss.dzn import MssInstance

NEG = -1e18
# Largest critical set (the state grows by 2 ** size).
MAX_THETA = 6

Stint = tuple[int, int, int]  # (hospital, discipline, first period)


@dataclass
class Priced:
    bound: float  # upper bound on the student's best priced value
    stints: list[Stint]  # the best relaxed path
    value: float  # its priced value (without mu); equals bound if exact
    feasible: bool  # the path is a real schedule (disciplines once, precedences, per hospital)
    uses: np.ndarray | None = None  # times the relaxed path takes each discipline
    raw: list[Stint] | None = None  # the relaxed path itself


@dataclass
class _Lattice:
    """The pricing programme's states (see :meth:`StudentPricer._lattice`)."""
    dims: list[int]
    n: int  # number of states
    stride: list[int]
    cnt: np.ndarray  # per state: the stint counts, mixed radix
    mask: np.ndarray  # per state: the critical disciplines taken, a bit each
    can: list[np.ndarray]  # per group: states that may still take a stint of it
    crit: list[tuple[int, int, int, np.ndarray]]  # (discipline, group, step, sources)
    crit_ok: list[np.ndarray]
    srcs: list[np.ndarray]  # per group: the states of can[g]
    isfull: np.ndarray  # per state: every group count complete


class StudentPricer:
    """Static data of one student (start masks, stint satisfactions), reused for every price."""

    def __init__(self, inst: MssInstance, s: int):
        self.inst, self.s = inst, s
        T, H, ND, D = inst.horizon, inst.hospitals, inst.disciplines, inst.duration
        self.T, self.H, self.ND, self.D = T, H, ND, D
        w_disc, w_hosp, self.w_chg, self.w_wait = inst.weight_pref[s]
        av = np.array(inst.availability[s], dtype=bool)
        # A stint may start at t if the student is available and the ward open t..t+D-1.
        ok = np.zeros((H, ND, T), dtype=bool)
        nstart = T - D + 1
        if nstart > 0:
            avw = np.ones(nstart, dtype=bool)
            for k in range(D):
                avw &= av[k:k + nstart]
            mp = np.array(inst.max_pos, dtype=np.int64) > 0  # [h][d][t]
            openw = np.ones((H, ND, nstart), dtype=bool)
            for k in range(D):
                openw &= mp[:, :, k:k + nstart]
            able = (np.array(inst.ability[s], dtype=bool)
                    & np.array(inst.allowed_disc[s], dtype=bool)[None, :])
            ok[:, :, :nstart] = openw & avw[None, None, :] & able[:, :, None]
        # A discipline whose predecessor the student can never attend is impossible.
        can_do = np.asarray(ok.any(axis=(0, 2)))
        for d in range(ND):
            if any(not can_do[d1] for d1 in range(ND) if d1 != d and inst.precededby[d][d1]):
                ok[:, d, :] = False
        self.ok = ok
        pd = np.array(inst.pref_disc[s], dtype=float)
        man = np.array(inst.man_pref, dtype=float)
        ph = np.array(inst.pref_hosp[s], dtype=float)
        self.base = w_disc * pd[None, :] + man[None, :] + w_hosp * ph[:, None]  # [h][d]
        self.req = list(inst.stud_disc_group[s])
        self.G = inst.groups
        self.group_of = np.array(inst.disc_group)
        # Start the multipliers at each discipline's margin over the best discipline its
        # group can do without (with all-equal values the relaxed path has no reason to
        # repeat one): the exact multipliers when periods do not matter.
        self.mu = np.zeros(ND)
        v = np.where(ok.any(axis=2), self.base, NEG).max(axis=0)
        for g in range(inst.groups):
            ds = [d for d in range(ND) if inst.disc_group[d] == g and v[d] > NEG / 2]
            k = self.req[g] if g < len(self.req) else 0
            if not ds or k <= 0:
                continue
            vals = sorted((v[d] for d in ds), reverse=True)
            theta = vals[k] if k < len(vals) else min(vals)
            for d in ds:
                self.mu[d] = max(0.0, v[d] - theta)
        self.mu0 = self.mu.copy()
        self.theta: list[int] = []  # critical disciplines, tracked exactly
        self.found: list[list[Stint]] = []  # real schedules met by tighten (for the caller)
        self.preds = [[d1 for d1 in range(ND) if d1 != d and inst.precededby[d][d1]]
                      for d in range(ND)]

    # ---------------------------------------------------------------- evaluation

    def satisfaction(self, stints: list[Stint]) -> int:
        """SatTot of a schedule of whole stints (as ``mss.mzn`` scores it)."""
        i, s, D = self.inst, self.s, self.D
        w_disc, w_hosp, w_chg, w_wait = i.weight_pref[s]
        v = 0
        last_h = None
        for h, d, _t in sorted(stints, key=lambda x: x[2]):
            v += w_disc * i.pref_disc[s][d] + i.man_pref[d] + w_hosp * i.pref_hosp[s][h]
            if last_h is not None and last_h != h:
                v += w_chg
            last_h = h
        if stints:
            end = max(t for _, _, t in stints) + D
            v += w_wait * (end - D * len(stints))
        return v

    def feasible(self, stints: list[Stint]) -> bool:
        """The rules of one student: disciplines once, group counts, precedences, per
        hospital, no overlap, starts allowed (capacity left to the master)."""
        i, D = self.inst, self.D
        ds = [d for _, d, _ in stints]
        if len(set(ds)) != len(ds):
            return False
        cnt = [0] * self.G
        for d in ds:
            cnt[i.disc_group[d]] += 1
        if cnt != self.req:
            return False
        start = {d: t for _, d, t in stints}
        for _h, d, t in stints:
            for d1 in self.preds[d]:
                if d1 not in start or start[d1] + D > t:
                    return False
        per_h = [0] * self.H
        for h, _, _ in stints:
            per_h[h] += 1
        if max(per_h, default=0) > i.max_disc_per_hosp:
            return False
        ts = sorted(t for _, _, t in stints)
        if any(b < a + D for a, b in itertools.pairwise(ts)):
            return False
        return all(self.ok[h, d, t] for h, d, t in stints)

    # ---------------------------------------------------------------- the programme

    def solve(self, price: np.ndarray | None = None, scale: float = 1.0,
              mu: np.ndarray | None = None) -> Priced:
        """Best relaxed path with ward-period prices ``price[h][d][t]`` (None: free),
        satisfaction multiplied by ``scale`` and discipline multipliers ``mu``.

        Disciplines of the critical set ``self.theta`` are tracked exactly in the state (a
        bit each: taken at most once, and their predecessors in the set taken before);
        the others are priced by ``mu`` (decremental state-space relaxation)."""
        ND = self.ND
        mu = (self.mu if mu is None else mu).copy()
        theta = list(self.theta)
        mu[theta] = 0.0
        val, best, arg = self._values(price, scale, mu, theta)
        lat = self._lattice(theta)
        V = self._forward(val, best, lat, scale)
        ends = V[:, :, lat.isfull]
        tt, lh, kk = np.unravel_index(int(np.argmax(ends)), ends.shape)
        top_val = float(ends[tt, lh, kk])
        if top_val <= NEG / 2:
            return Priced(NEG, [], NEG, False, np.zeros(ND))
        stints = self._backtrack(V, val, best, arg, lat, theta, scale,
                                 (int(tt), int(lh), int(np.flatnonzero(lat.isfull)[kk])))
        uses = np.bincount([d for _, d, _ in stints], minlength=ND)
        bound = top_val + float(mu.sum())
        value = top_val + float((mu * uses).sum())
        raw = list(stints)
        if (uses > 1).any():
            stints, value = self._repair_path(stints, val, mu, value)
        feas = self.feasible(stints)
        return Priced(bound, stints, value, feas, uses, raw)

    def _values(self, price: np.ndarray | None, scale: float, mu: np.ndarray,
                theta: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Value of each (hospital, discipline, start) under the prices, and per (group,
        hospital, start) the best discipline outside the critical set and its value."""
        T, H, ND, D, G = self.T, self.H, self.ND, self.D, self.G
        val = scale * self.base[:, :, None] - mu[None, :, None] + np.zeros((H, ND, T))
        if price is not None:
            cs = np.concatenate([np.zeros((H, ND, 1)), np.cumsum(price, axis=2)], axis=2)
            win = np.full((H, ND, T), 0.0)
            n = T - D + 1
            if n > 0:
                win[:, :, :n] = cs[:, :, D:D + n] - cs[:, :, :n]
            val = val - win
        val = np.where(self.ok, val, NEG)
        best = np.full((G, H, T), NEG)
        arg = np.zeros((G, H, T), dtype=np.int64)
        in_theta = np.zeros(ND, dtype=bool)
        in_theta[theta] = True
        for g in range(G):
            ds = np.flatnonzero((self.group_of == g) & ~in_theta)
            if len(ds) == 0:
                continue
            sub = val[:, ds, :]
            k = np.argmax(sub, axis=1)
            arg[g] = ds[k]
            best[g] = np.take_along_axis(sub, k[:, None, :], axis=1)[:, 0, :]
        return val, best, arg

    def _lattice(self, theta: list[int]) -> _Lattice:
        """The states: stints taken per group (mixed radix) times the critical set's bits."""
        G, req = self.G, self.req
        dims = [r + 1 for r in req]
        K = int(np.prod(dims))
        M = 1 << len(theta)
        stride = [int(np.prod(dims[g + 1:])) for g in range(G)]
        full = sum(req[g] * stride[g] for g in range(G))
        idx = np.arange(K * M)
        cnt, mask = idx % K, idx // K
        can = [((cnt // stride[g]) % dims[g]) < req[g] for g in range(G)]
        # Critical discipline j: (group, bit, states it may be taken from).
        crit, crit_ok = [], []
        for j, d in enumerate(theta):
            g = int(self.group_of[d])
            src = can[g] & ((mask >> j) & 1 == 0)
            for d1 in self.preds[d]:
                if d1 in theta:
                    src = src & ((mask >> theta.index(d1)) & 1 == 1)
            crit.append((d, g, stride[g] + K * (1 << j), np.flatnonzero(src)))
            crit_ok.append(src)
        return _Lattice(dims, K * M, stride, cnt, mask, can, crit, crit_ok,
                        [np.flatnonzero(can[g]) for g in range(G)], cnt == full)

    def _forward(self, val: np.ndarray, best: np.ndarray, lat: _Lattice,
                 scale: float) -> np.ndarray:
        """V[t, last hospital (H: none yet), state]: best value of a path to period t."""
        T, H, D, G = self.T, self.H, self.D, self.G
        wchg, wwait = scale * self.w_chg, scale * self.w_wait
        V = np.full((T + 1, H + 1, lat.n), NEG)
        V[0, H, 0] = 0.0
        for t in range(T):
            cur = V[t]
            nxt = cur + wwait  # idle, counted as waiting: more stints follow
            nxt[:, lat.isfull] = NEG
            np.maximum(V[t + 1], nxt, out=V[t + 1])
            if t + D > T:
                continue
            # Best and second-best last hospital: "any other hospital" in two arrays.
            if H > 1:
                order = np.argsort(cur[:H], axis=0)
                first = np.take_along_axis(cur[:H], order[-1:], axis=0)[0]
                second = np.take_along_axis(cur[:H], order[-2:-1], axis=0)[0]
                top_h = order[-1]
            for h in range(H):
                if not self.ok[h, :, t].any():
                    continue
                others = (np.where(top_h == h, second, first) if H > 1
                          else np.full(lat.n, NEG))
                arrive = np.maximum(np.maximum(cur[h], others + wchg), cur[H])
                out = V[t + D, h]
                for g in range(G):
                    b = best[g, h, t]
                    if b <= NEG / 2:
                        continue
                    src = lat.srcs[g]
                    dst = src + lat.stride[g]
                    out[dst] = np.maximum(out[dst], arrive[src] + b)
                for d, _g, step, src in lat.crit:
                    b = val[h, d, t]
                    if b <= NEG / 2:
                        continue
                    dst = src + step
                    out[dst] = np.maximum(out[dst], arrive[src] + b)
        return V

    def _backtrack(self, V: np.ndarray, val: np.ndarray, best: np.ndarray, arg: np.ndarray,
                   lat: _Lattice, theta: list[int], scale: float,
                   end: tuple[int, int, int]) -> list[Stint]:
        """The stints of the best path ending at ``end`` = (period, hospital, state)."""
        H, D, G = self.H, self.D, self.G
        wchg, wwait = scale * self.w_chg, scale * self.w_wait
        stints: list[Stint] = []
        t, h, k = end
        while not (t == 0 and h == H and k == 0):
            v = V[t, h, k]
            if t > 0 and not lat.isfull[k] and abs(V[t - 1, h, k] + wwait - v) < 1e-6:
                t -= 1
                continue
            found = None
            if h < H and t - D >= 0:
                t0 = t - D
                moves: list = [(int(arg[g, h, t0]), lat.stride[g], best[g, h, t0], lat.can[g])
                               for g in range(G)]
                moves += [(d, step, val[h, d, t0], None) for d, _g, step, _ in lat.crit]
                for d, step, b, _ in moves:
                    k0 = k - step
                    if b <= NEG / 2 or k0 < 0:
                        continue
                    if d in theta:
                        j = theta.index(d)
                        if not (lat.mask[k] >> j) & 1:
                            continue
                        g = int(self.group_of[d])
                        if not lat.crit_ok[j][k0]:
                            continue
                    else:
                        g = int(self.group_of[d])
                        if not (lat.cnt[k] // lat.stride[g]) % lat.dims[g] \
                                or lat.mask[k] != lat.mask[k0]:
                            continue
                    for lh0 in range(H + 1):
                        add = wchg if (lh0 < H and lh0 != h) else 0.0
                        if abs(V[t0, lh0, k0] + add + b - v) < 1e-6:
                            found = (d, t0, lh0, k0)
                            break
                    if found:
                        break
            if not found:
                raise AssertionError("pricing back-track lost its path")
            d, t0, lh0, k0 = found
            stints.append((h, d, t0))
            t, h, k = t0, lh0, k0
        stints.reverse()
        return stints

    def _repair_path(self, stints: list[Stint], val: np.ndarray, mu: np.ndarray,
                     value: float) -> tuple[list[Stint], float]:
        """Same hospitals and periods (so the same waiting and changes), the disciplines
        re-assigned once each: a real schedule if the assignment is complete."""
        D = self.D
        fixed = self._reassign(stints, val + mu[None, :, None])
        if fixed is not None and not self.feasible(fixed):
            # Disciplines whose predecessors are missing or late: assign without them.
            start = {d: t for _, d, t in fixed}
            ban = {d for _, d, t in fixed
                   if any(d1 not in start or start[d1] + D > t for d1 in self.preds[d])}
            if ban:
                fixed = self._reassign(stints, val + mu[None, :, None], ban)
        if fixed is None:
            return stints, value
        gain = sum(float(val[h, d, t] + mu[d]) for h, d, t in fixed) - sum(
            float(val[h, d, t] + mu[d]) for h, d, t in stints)
        return fixed, value + gain

    def _reassign(self, stints: list[Stint], val: np.ndarray,
                  ban: set[int] = frozenset()) -> list[Stint] | None:  # type: ignore[assignment]
        """Best distinct disciplines for the slots (hospital, group, start) of ``stints``
        (a min-cost flow: slot -> discipline of its group)."""
        n = len(stints)
        mcf = min_cost_flow.SimpleMinCostFlow()
        src, sink = n + self.ND, n + self.ND + 1
        for j, (h, d0, t) in enumerate(stints):
            mcf.add_arc_with_capacity_and_unit_cost(src, j, 1, 0)
            g = self.group_of[d0]
            for d in np.flatnonzero((self.group_of == g) & self.ok[h, :, t]):
                if int(d) in ban:
                    continue
                mcf.add_arc_with_capacity_and_unit_cost(
                    j, n + int(d), 1, -int(round(1000 * float(val[h, d, t]))))
        for dd in range(self.ND):
            mcf.add_arc_with_capacity_and_unit_cost(n + dd, sink, 1, 0)
        mcf.set_node_supply(src, n)
        mcf.set_node_supply(sink, -n)
        if mcf.solve() != mcf.OPTIMAL:
            return None
        out = []
        for a in range(mcf.num_arcs()):
            tail, head = mcf.tail(a), mcf.head(a)
            if tail < n and head >= n and head < n + self.ND and mcf.flow(a):
                h, _, t = stints[tail]
                out.append((h, head - n, t))
        return sorted(out, key=lambda x: x[2]) if len(out) == n else None

    def tighten(self, price: np.ndarray | None, scale: float, iters: int,
                target: float | None = None) -> Priced:
        """Up to ``iters`` programmes: disciplines the relaxed path repeats or takes before a
        predecessor join the critical set (up to ``MAX_THETA``), else a subgradient step on
        ``mu`` (Polyak, towards the best real schedule's value). Both persist between calls.
        Returns the lowest bound and, if any path was a real schedule, the best one."""
        best_bound: Priced | None = None
        best_feas: Priced | None = None
        step = 0.5 * float(np.abs(scale * self.base).max() or 1.0)
        for _ in range(max(1, iters)):
            p = self.solve(price, scale)
            if best_bound is None or p.bound < best_bound.bound:
                best_bound = p
            if p.feasible:
                self.found.append(list(p.stints))  # every real schedule is a column
                if best_feas is None or p.value > best_feas.value:
                    best_feas = p
            uses = p.uses if p.uses is not None else np.zeros(self.ND)
            raw = p.raw or []
            start: dict[int, int] = {}
            for _h, d, t in raw:
                start.setdefault(d, t)
            bad = [int(d) for d in np.argsort(-uses) if uses[d] > 1]
            for _h, d, t in raw:
                for d1 in self.preds[d]:
                    if d1 not in start or start[d1] + self.D > t:
                        bad += [d, d1]
            if not bad:
                break  # elementary, precedences kept: the bound is the path's value
            new = [d for d in dict.fromkeys(bad) if d not in self.theta]
            if new and len(self.theta) < MAX_THETA:
                self.theta += new[:MAX_THETA - len(self.theta)]
                continue
            sub = uses - 1.0  # the bound's subgradient in mu is 1 - uses
            sub[self.theta] = 0.0
            sub = np.where((self.mu <= 0) & (sub < 0), 0.0, sub)
            norm = float((sub * sub).sum())
            if norm == 0:
                break
            lo = best_feas.value if best_feas is not None else target
            gap = best_bound.bound - lo if lo is not None else None
            alpha = gap / norm if gap is not None and gap > 1e-9 else step / np.sqrt(norm)
            self.mu = np.maximum(0.0, self.mu + alpha * sub)
            step *= 0.7
            if lo is not None and best_bound.bound - lo < 1e-6:
                break
        assert best_bound is not None
        out = Priced(best_bound.bound, best_bound.stints, best_bound.value, False)
        if best_feas is not None:
            out.stints, out.value, out.feasible = best_feas.stints, best_feas.value, True
        return out
