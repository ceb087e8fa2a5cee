"""The witness plan: one randomized block per trainee that meets every rule but capacity.

Per kind of trainee (programme, home site, part time) a *profile* knows, as bitsets of week
totals, which calendar weeks each discipline can be given with distinct eligible units whose
stint lengths fit (units with the same length range are one *type*). A trainee's block is
then drawn top-down: weeks per discipline that add up to the service weeks and meet every
minimum, maximum and group; per discipline the stints (how many of each type, their lengths);
the order (random, with ``starts_with``/``ends_with``/``same_unit_as_end`` honoured); the
calendar (extending leave pushes the rest out, splitting a stint it falls into, which the
rules allow); and last the units, each the least loaded of its type over the stint's weeks,
so that the plan spreads over the region as a coordinator's would. Capacity is set from this
plan afterwards, so it holds by construction.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from scheduler.domain import Programme, calendar_weeks, service_weeks_needed
from scheduler.generator.region import GeneratorError, UnitSpec
from scheduler.plan import Stint

# --------------------------------------------------------------------------------------------
# Bitsets of week totals: bit n set = a total of n weeks is possible.


def span_bits(lo: int, hi: int) -> int:
    return ((1 << (hi - lo + 1)) - 1) << lo if 0 <= lo <= hi else 0


def sumset(a: int, b: int, cap: int) -> int:
    """Every x + y with x in a, y in b, up to cap."""
    out = 0
    while b:
        low = b & -b
        out |= a << (low.bit_length() - 1)
        b ^= low
    return out & ((1 << (cap + 1)) - 1)


def members(a: int) -> list[int]:
    out = []
    while a:
        low = a & -a
        out.append(low.bit_length() - 1)
        a ^= low
    return out


def suffixes(items: list[int], cap: int) -> list[int]:
    """suf[i] = every total of items[i:] (suf[len] = {0})."""
    suf = [1]
    for b in reversed(items):
        suf.append(sumset(suf[-1], b, cap))
    return suf[::-1]


def split(items: list[int], suf: list[int], total: int, rng: random.Random) -> list[int]:
    """One value per item, adding up to ``total``, each uniform among those that still can."""
    out = []
    for i, b in enumerate(items):
        ok = [v for v in members(b) if v <= total and (suf[i + 1] >> (total - v)) & 1]
        if not ok:
            raise GeneratorError(f"internal: no split of {total}")
        v = rng.choice(ok)
        out.append(v)
        total -= v
    return out


# --------------------------------------------------------------------------------------------
# Profiles


@dataclass
class Kind:
    """Units of one discipline with the same stint length range, for one profile."""

    lo: int
    hi: int
    units: list[int]            # indices into the region's unit list
    bits: int = 0


@dataclass
class Profile:
    programme: Programme
    part_time: int
    service: int                                  # S, calendar weeks of service
    # Per discipline a few orders of its kinds with their suffix sums: a trainee's stints are
    # drawn kind by kind, and the first kinds drawn get more, so the order varies.
    kind_orders: dict[str, list[tuple[list[Kind], list[int]]]]
    items: list[tuple[str, ...]]                  # a group's disciplines, or one discipline
    item_bits: list[int]
    item_suf: list[int]
    disc_bits: dict[str, int]
    member_suf: dict[tuple[str, ...], list[int]] = field(default_factory=dict)
    eligible: dict[str, list[int]] = field(default_factory=dict)


def make_profile(prog: Programme, site: str, p: int, units: list[UnitSpec]) -> Profile | None:
    """The profile of (programme, site, part time), or None if no block fits these units."""
    S = service_weeks_needed(prog, p)
    sw = prog.starts_with
    kind_orders: dict[str, list[tuple[list[Kind], list[int]]]] = {}
    disc_bits: dict[str, int] = {}
    eligible: dict[str, list[int]] = {}
    for r in prog.requirements:
        d = r.discipline
        eligible[d] = [i for i, u in enumerate(units)
                       if d in u.disciplines and u.takes(prog.id) and u.open_to(site)]
        by_range: dict[tuple[int, int], list[int]] = {}
        for i in eligible[d]:
            by_range.setdefault(units[i].stint_range(prog.id), []).append(i)
        ks = []
        for (lo, hi), idx in sorted(by_range.items()):
            hi = min(hi, S)
            if lo > S:
                continue
            bits = 0
            for k in range(len(idx) + 1):
                if k * lo > S:
                    break
                bits |= span_bits(k * lo, min(k * hi, S))
            ks.append(Kind(lo, hi, idx, bits))
        local = random.Random(f"{prog.id}/{site}/{p}/{d}")   # str seeds are stable
        orders = [ks] + [local.sample(ks, len(ks)) for _ in range(3)]
        kind_orders[d] = [(o, suffixes([k.bits for k in o], S)) for o in orders]
        rest = kind_orders[d][0][1][0]
        lo_d = calendar_weeks(r.min_weeks, p)
        hi_d = calendar_weeks(r.max_weeks, p) if r.max_weeks is not None else S
        opens = sw if sw is not None and d == sw.discipline else None
        if d == prog.ends_with or (opens is not None and opens.same_unit_as_end):
            rest &= ~1   # the block's last stint is of d (at the opening's unit): one at least
        if opens is not None:
            if not eligible[d]:
                return None
            rest = (rest << opens.weeks) & ((1 << (S + 1)) - 1)
        disc_bits[d] = rest & span_bits(lo_d, min(hi_d, S))
    grouped: set[str] = set()
    items: list[tuple[str, ...]] = []
    item_bits: list[int] = []
    member_suf: dict[tuple[str, ...], list[int]] = {}
    for g in prog.group_requirements:
        if grouped & set(g.disciplines):
            raise GeneratorError(f"{prog.id}: overlapping group requirements")
        grouped |= set(g.disciplines)
        key = tuple(g.disciplines)
        suf = suffixes([disc_bits[d] for d in key], S)
        member_suf[key] = suf
        hi = calendar_weeks(g.max_weeks, p) if g.max_weeks is not None else S
        items.append(key)
        item_bits.append(suf[0] & span_bits(calendar_weeks(g.min_weeks, p), min(hi, S)))
    for r in prog.requirements:
        if r.discipline not in grouped:
            items.append((r.discipline,))
            item_bits.append(disc_bits[r.discipline])
    item_suf = suffixes(item_bits, S)
    if not (item_suf[0] >> S) & 1:
        return None
    return Profile(prog, p, S, kind_orders, items, item_bits, item_suf, disc_bits,
                   member_suf, eligible)


# --------------------------------------------------------------------------------------------
# One trainee's block


@dataclass
class Piece:
    """A planned stint before its unit is known."""

    discipline: str
    weeks: int
    kind: Kind | None            # None: the starts_with opening stint
    last_at_opening: bool = False
    unit: int = -1
    parts: list[tuple[int, int]] = field(default_factory=list)  # calendar week ranges


def _lengths(k: Kind, total: int, rng: random.Random) -> list[int]:
    """``total`` weeks as stints of this kind: mostly as few as possible."""
    counts = [n for n in range(1, len(k.units) + 1) if n * k.lo <= total <= n * k.hi]
    n = counts[0] if rng.random() < 0.7 else rng.choice(counts)
    out = [k.lo] * n
    extra = total - n * k.lo
    order = list(range(n))
    rng.shuffle(order)
    for j, i in enumerate(order):
        room_after = (k.hi - k.lo) * (n - j - 1)
        add = rng.randint(max(0, extra - room_after), min(k.hi - k.lo, extra))
        out[i] += add
        extra -= add
    return out


def draw_pieces(pf: Profile, rng: random.Random) -> list[Piece]:
    """Disciplines, stints and their order for one trainee (service weeks, no calendar)."""
    prog = pf.programme
    sw = prog.starts_with
    weeks: dict[str, int] = {}
    for key, v in zip(pf.items, split(pf.item_bits, pf.item_suf, pf.service, rng),
                      strict=True):
        if len(key) == 1:
            weeks[key[0]] = v
        else:
            bits = [pf.disc_bits[d] for d in key]
            for d, x in zip(key, split(bits, pf.member_suf[key], v, rng), strict=True):
                weeks[d] = x
    blocks: dict[str, list[Piece]] = {}
    for d, x in weeks.items():
        rest = x - (sw.weeks if sw is not None and d == sw.discipline else 0)
        ks, suf = rng.choice(pf.kind_orders[d])
        per_kind = split([k.bits for k in ks], suf, rest, rng) if rest else []
        pieces = [Piece(d, w, k) for k, t in zip(ks, per_kind, strict=False) if t
                  for w in _lengths(k, t, rng)]  # per_kind is [] when rest is 0
        rng.shuffle(pieces)
        if pieces:
            blocks[d] = pieces
    order = sorted(blocks)
    rng.shuffle(order)
    last = prog.ends_with
    if sw is not None and sw.same_unit_as_end:
        if last is not None and last != sw.discipline:
            raise GeneratorError(f"{prog.id}: ends_with and same_unit_as_end disagree")
        last = sw.discipline
        blocks[last][-1].last_at_opening = True
    if last is not None:
        order.remove(last)
        order.append(last)
    seq = [Piece(sw.discipline, sw.weeks, None)] if sw is not None else []
    for d in order:
        seq.extend(blocks[d])
    return seq


def place(seq: list[Piece], leave: list[tuple[int, int]], start_week: int) -> None:
    """Calendar weeks of each piece: ``leave`` is (service position, weeks) of extending
    leave; leave inside a piece splits it into two parts at the same unit."""
    pos = 0
    for pc in seq:
        a, b = pos, pos + pc.weeks
        cuts = sorted({k for k, _ in leave if a < k < b})
        bounds = [a, *cuts, b]
        for x, y in itertools.pairwise(bounds):
            shift = sum(w for k, w in leave if k <= x)
            pc.parts.append((start_week + x + shift, start_week + y + shift))
        pos = b


class Loads:
    """Trainees per unit and week of the horizon, for choosing the least loaded unit.

    Units whose planned care closes in summer count their summer weeks double when choosing,
    so the witness (and the capacities drawn from it) dip in summer as real clinics do."""

    def __init__(self, n_units: int, n_weeks: int, summer_units: Sequence[int] = (),
                 summers: Sequence[tuple[int, int]] = ()):
        self.a = np.zeros((n_units, n_weeks), dtype=np.int32)
        self.w = np.ones((n_units, n_weeks), dtype=np.int32)
        for u in summer_units:
            for x, y in summers:
                self.w[u, x:y] = 2
        self.eff = np.zeros((n_units, n_weeks), dtype=np.int32)
        self.top = np.zeros(n_units, dtype=np.int32)   # each unit's peak so far (of eff)

    def peak(self, u: int, parts: list[tuple[int, int]]) -> tuple[int, int]:
        row = self.eff[u]
        return (max(int(row[x:y].max()) for x, y in parts),
                sum(int(row[x:y].sum()) for x, y in parts))

    def add(self, u: int, parts: list[tuple[int, int]]) -> None:
        for x, y in parts:
            self.a[u, x:y] += 1
            self.eff[u, x:y] += self.w[u, x:y]
            self.top[u] = max(int(self.top[u]), int(self.eff[u, x:y].max()))

    def remove(self, u: int, parts: list[tuple[int, int]]) -> None:
        """Undo :meth:`add` (the peaks so far are the caller's to restore)."""
        for x, y in parts:
            self.a[u, x:y] -= 1
            self.eff[u, x:y] -= self.w[u, x:y]


def assign_units(seq: list[Piece], pf: Profile, loads: Loads, rng: random.Random,
                 pack: bool = False) -> None:
    """Each piece's unit: the least loaded of its kind over the piece's weeks. With ``pack``
    first the units where the piece stays under the unit's peak so far, so that a unit's
    capacity (its peak) is needed most of the time and a class's summed capacities come
    near its trainees at once, as when a coordinator fills the seats there are."""
    used: dict[str, set[int]] = {}
    opening = seq[0] if seq and seq[0].kind is None else None
    tail = next((pc for pc in seq if pc.last_at_opening), None)

    def choose(cands: list[int], parts: list[tuple[int, int]]) -> int:
        if pack:
            def key(u: int) -> tuple[int, int, int, float]:
                peak, total = loads.peak(u, parts)
                return (max(0, peak + 1 - int(loads.top[u])), peak, total, rng.random())
            return min(cands, key=key)
        return min(cands, key=lambda u: (*loads.peak(u, parts), rng.random()))

    for pc in seq:
        if pc.unit >= 0:
            continue
        if pc.kind is None:   # the opening stint
            if tail is not None and tail.kind is not None:
                taken = used.setdefault(tail.discipline, set())
                cands = [u for u in tail.kind.units if u not in taken]
                u = choose(cands, pc.parts + tail.parts)
                tail.unit = u
                taken.add(u)
                loads.add(u, tail.parts)
            else:
                u = choose(pf.eligible[pc.discipline], pc.parts)
            pc.unit = u
            loads.add(u, pc.parts)
            continue
        taken = used.setdefault(pc.discipline, set())
        cands = [u for u in pc.kind.units if u not in taken]
        if not cands:
            raise GeneratorError("internal: no unit left of a kind")
        u = choose(cands, pc.parts)
        pc.unit = u
        taken.add(u)
        loads.add(u, pc.parts)
    assert opening is None or opening.unit >= 0


def stints_of(seq: list[Piece], tid: str, pid: str, units: list[UnitSpec],
              h0: date) -> list[Stint]:
    out = []
    for pc in seq:
        u = units[pc.unit]
        for x, y in pc.parts:
            out.append(Stint(trainee=tid, start=h0 + timedelta(weeks=x),
                             end=h0 + timedelta(weeks=y), unit=u.id, discipline=pc.discipline,
                             programme=pid, site=u.site))
    return out


# --------------------------------------------------------------------------------------------
# A coordinator's order (--stagger)

# Orders of a trainee's rotation tried by stagger (the drawn one, its rotations, the rest
# random).
STAGGER_ORDERS = 24


def _fresh(pc: Piece) -> Piece:
    return Piece(pc.discipline, pc.weeks, pc.kind, pc.last_at_opening)


def leave_fits(seq: list[Piece], leave: list[tuple[int, int]]) -> bool:
    """No two runs of leave inside one stint (as :func:`build._leave_at` draws them)."""
    pos = 0
    for pc in seq:
        if sum(1 for k, _ in leave if pos < k < pos + pc.weeks) > 1:
            return False
        pos += pc.weeks
    return True


def orders(seq: list[Piece], prog: Programme, rng: random.Random,
           n: int | None = None) -> list[list[Piece]]:
    """Up to ``n`` orders of a drawn rotation (fresh pieces, no calendar): the drawn one,
    each rotation of its disciplines, then random orders of the disciplines and of the
    stints within each. The opening stint stays first and the discipline the block must end
    with (``ends_with``, the opening's unit) last, so every order meets the same rules."""
    head = [seq[0]] if seq and seq[0].kind is None else []
    runs: list[list[Piece]] = []
    for pc in seq[len(head):]:
        if runs and runs[-1][0].discipline == pc.discipline:
            runs[-1].append(pc)
        else:
            runs.append([pc])
    sw = prog.starts_with
    fixed_end = prog.ends_with is not None or (sw is not None and sw.same_unit_as_end)
    tail = [runs.pop()] if fixed_end and runs else []
    n = STAGGER_ORDERS if n is None else n
    out: list[list[list[Piece]]] = [runs[i:] + runs[:i] for i in range(max(1, len(runs)))]
    while len(out) < n and len(runs) > 1:
        shuffled = [rng.sample(r, len(r)) if not any(p.last_at_opening for p in r) else r
                    for r in runs]
        out.append(rng.sample(shuffled, len(shuffled)))
    return [[_fresh(pc) for pc in head + [pc for r in o + tail for pc in r]]
            for o in out[:n]]


def stagger(seq: list[Piece], pf: Profile, loads: Loads, leave: list[tuple[int, int]],
            start_week: int, rng: random.Random, pack: bool = False) -> list[Piece]:
    """Place and assign a trainee's rotation in the order (of :func:`orders`) that raises
    the region's capacity least, as a coordinator staggers kind-mates so that each unit
    has a steady flow of trainees: least the seats over the units' peaks so far (summer
    weeks counted double, as :class:`Loads` does), then the most trainees already at its
    units during its stints, then the fewest trainee-weeks there. The loads of the chosen
    order are added; the others are tried and taken back."""
    best: tuple[tuple[int, int, int, float], list[Piece]] | None = None
    for cand in orders(seq, pf.programme, rng):
        if leave and not leave_fits(cand, leave):
            continue
        top = loads.top.copy()
        place(cand, leave, start_week)
        assign_units(cand, pf, loads, rng, pack=pack)
        raised = int((loads.top - top).sum())
        for pc in cand:
            loads.remove(pc.unit, pc.parts)
        loads.top[:] = top
        crowd = total = 0
        for pc in cand:   # the load each stint meets, read with the trial taken back
            peak, weeks = loads.peak(pc.unit, pc.parts)
            crowd = max(crowd, peak)
            total += weeks
        key = (raised, crowd, total, rng.random())
        if best is None or key < best[0]:
            best = (key, cand)
    assert best is not None   # the drawn order always fits its leave
    for pc in best[1]:
        loads.add(pc.unit, pc.parts)
    return best[1]

