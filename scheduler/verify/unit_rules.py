"""The checker's rules over one unit: capacity and seats, per week."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from scheduler.domain import Trainee
from scheduler.plan import Stint
from scheduler.verify.block import runs, unit_loads, wk
from scheduler.verify.violations import Context


def check_capacity(cx: Context, stints: list[Stint]) -> None:
    for uid, load in sorted(unit_loads(cx.h0, stints).items()):
        u = cx.units.get(uid)
        if u is None or u.capacity is None:
            continue
        over: dict[int, tuple[int, int]] = {}  # week -> (load, capacity) where load > capacity
        for w in sorted(load):
            cap = u.capacity_in_week(cx.monday(w))
            if cap is not None and load[w] > cap:
                over[w] = (load[w], cap)
        # One violation per run of over-full weeks; when the figures vary, name the worst week.
        for first, n, _ in runs((w, True) for w in over):
            rows = [(*over[w], w) for w in range(first, first + n)]
            worst = max(rows, key=lambda r: (r[0] - r[1], r[0]))
            common: dict[str, Any] = {"uid": uid, "week": first, "when": cx.when(first, n),
                                      "load": worst[0], "capacity": worst[1]}
            if len({r[:2] for r in rows}) == 1:
                cx.add("capacity", "chk_capacity", **common)
            else:
                cx.add("capacity", "chk_capacity_peak", peak=cx.iso(cx.monday(worst[2])),
                       **common)


def check_seats(cx: Context, trainees: dict[str, Trainee], stints: list[Stint]) -> None:
    """seats: per unit and week, trainees of a programme within ``capacity_by_programme``, and
    the trainees beyond their programme's reserved seats within the unreserved seats,
    sum_p max(0, n_p - r_p) <= max(0, c - R). Hard even with soft capacity."""
    present: dict[tuple[str, int], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for s in stints:
        u = cx.units.get(s.unit)
        if u is None or not (u.capacity_by_programme or u.reserved_seats):
            continue
        for w in range(wk(cx.h0, s.start), wk(cx.h0, s.end)):
            present[(s.unit, w)][trainees[s.trainee].programme].add(s.trainee)
    bad: dict[tuple[str, str], list[tuple[int, int, int]]] = defaultdict(list)
    for (uid, w), per_prog in sorted(present.items()):
        u = cx.units[uid]
        for pid, most in sorted(u.capacity_by_programme.items()):
            n = len(per_prog.get(pid, ()))
            if n > most:
                bad[(uid, pid)].append((w, n, most))
        cap = u.capacity_in_week(cx.monday(w))
        if cap is None or not u.reserved_seats:
            continue
        reserved = sum(u.reserved_seats.values())
        beyond = sum(max(0, len(ts) - u.reserved_seats.get(pid, 0))
                     for pid, ts in per_prog.items())
        if beyond > max(0, cap - reserved):
            bad[(uid, "")].append((w, beyond, max(0, cap - reserved)))
    for (uid, pid), rows in sorted(bad.items()):
        for first, n, _ in runs((w, True) for w, _, _ in rows):
            worst = max(r for r in rows if first <= r[0] < first + n)
            common: dict[str, Any] = {"uid": uid, "week": first, "when": cx.when(first, n),
                                      "load": worst[1], "capacity": worst[2]}
            if pid:
                cx.add("seats", "chk_seats_programme", programme=pid, **common)
            else:
                cx.add("seats", "chk_seats_reserved", reserved=", ".join(
                    f"{p} {k}" for p, k in sorted(cx.units[uid].reserved_seats.items())),
                    **common)
