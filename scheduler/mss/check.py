"""Independent checker of every MSS constraint of ``mss.mzn``, on the 0/1 ``schedule`` array.

Each rule is a direct transcription of one ``constraint`` of the reference model, indexed by
period as MiniZinc does; it shares no code with the CP-SAT model (which works with intervals).
Messages are 1-based, as in the ``.dzn`` files.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from scheduler.mss.dzn import Cell, MssInstance

CODES = ("index", "one_ward", "contiguity", "once", "group", "allowed", "precedence",
         "max_disc_per_hosp", "max_pos", "min_pos", "ability", "availability")


@dataclass(frozen=True)
class Violation:
    code: str
    message: str


def check(inst: MssInstance, cells: Iterable[Cell]) -> list[Violation]:
    S, T, H, ND, D = (inst.students, inst.horizon, inst.hospitals, inst.disciplines,
                      inst.duration)
    out: list[Violation] = []

    def bad(code: str, msg: str) -> None:
        out.append(Violation(code, msg))

    sched: set[Cell] = set()
    for c in cells:
        s, t, h, d = c
        if not (0 <= s < S and 0 <= t < T and 0 <= h < H and 0 <= d < ND):
            bad("index", f"cell (student {s + 1}, period {t + 1}, hospital {h + 1}, "
                         f"discipline {d + 1}) is outside the instance")
            continue
        sched.add(c)
    by_st: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for s, t, h, d in sched:
        by_st[(s, t)].append((h, d))
    # Max one discipline and one hospital per student and period (sched_disc, sched_hosp and
    # attending are 0..1 variables in mss.mzn).
    clash: set[int] = set()
    for (s, t), wards in sorted(by_st.items()):
        if len(wards) > 1:
            clash.add(s)
            bad("one_ward", f"student {s + 1} is in {len(wards)} wards in period {t + 1}")

    slots_sd: dict[tuple[int, int], int] = defaultdict(int)
    slots_sh: dict[tuple[int, int], int] = defaultdict(int)
    load: dict[tuple[int, int, int], int] = defaultdict(int)
    for s, t, h, d in sched:
        slots_sd[(s, d)] += 1
        slots_sh[(s, h)] += 1
        load[(h, d, t)] += 1
        if not inst.ability[s][h][d]:
            bad("ability", f"student {s + 1} lacks the ability for hospital {h + 1}, "
                           f"discipline {d + 1} (period {t + 1})")
        if not inst.availability[s][t]:
            bad("availability", f"student {s + 1} attends in period {t + 1} but is unavailable")

    for s in range(S):
        # disc_schedule / hosp_attending, 1-based values, 0 = idle; index 1..T as in the model.
        ds = [0] * (T + 1)
        ha = [0] * (T + 1)
        for t in range(T):
            here = by_st.get((s, t))
            if here:
                ha[t + 1], ds[t + 1] = here[0][0] + 1, here[0][1] + 1
        if s not in clash:
            _contiguity(s, ds, ha, T, D, bad)
        _student_rules(inst, s, ds, slots_sd, slots_sh, bad)
    _ward_limits(inst, load, bad)
    return out


def _student_rules(inst: MssInstance, s: int, ds: list[int],
                   slots_sd: dict[tuple[int, int], int], slots_sh: dict[tuple[int, int], int],
                   bad: Callable[[str, str], None]) -> None:
    """Disciplines once and allowed, group counts, precedences and ``MaxDiscPerHosp`` of
    student ``s`` (``ds``: its discipline per period, 1-based, 0 = idle)."""
    T, H, ND, D = inst.horizon, inst.hospitals, inst.disciplines, inst.duration
    for d in range(ND):
        n = slots_sd[(s, d)]
        if n > D:
            bad("once", f"student {s + 1} attends discipline {d + 1} in {n} periods "
                        f"(at most {D})")
        if n // D > 0 and not inst.allowed_disc[s][d]:
            bad("allowed", f"student {s + 1} is not allowed discipline {d + 1}")
    for g in range(inst.groups):
        n = sum(slots_sd[(s, d)] for d in range(ND) if inst.disc_group[d] == g)
        need = inst.stud_disc_group[s][g] * D
        if n != need:
            bad("group", f"student {s + 1} attends {n} periods in group {g + 1} "
                         f"(exactly {need} required)")
    # Precedences: every period of d needs d1 attended in that period or earlier.
    seen: set[int] = set()
    for t in range(1, T + 1):
        d = ds[t]
        if d:
            seen.add(d)
            for d1 in range(ND):
                if inst.precededby[d - 1][d1] and (d1 + 1) not in seen:
                    bad("precedence", f"student {s + 1} attends discipline {d} in period "
                                      f"{t} before discipline {d1 + 1}")
    for h in range(H):
        n = slots_sh[(s, h)] // D
        if n > inst.max_disc_per_hosp:
            bad("max_disc_per_hosp", f"student {s + 1} attends {n} disciplines at hospital "
                                     f"{h + 1} (at most {inst.max_disc_per_hosp})")


def _ward_limits(inst: MssInstance, load: dict[tuple[int, int, int], int],
                 bad: Callable[[str, str], None]) -> None:
    """``MaxPosHosp`` and ``MinPosHosp`` of every ward and period."""
    for h in range(inst.hospitals):
        for d in range(inst.disciplines):
            for t in range(inst.horizon):
                n = load[(h, d, t)]
                if n > inst.max_pos[h][d][t]:
                    bad("max_pos", f"hospital {h + 1}, discipline {d + 1}, period {t + 1}: "
                                   f"{n} students (at most {inst.max_pos[h][d][t]})")
                if n < inst.min_pos[h][d][t]:
                    bad("min_pos", f"hospital {h + 1}, discipline {d + 1}, period {t + 1}: "
                                   f"{n} students (at least {inst.min_pos[h][d][t]})")


def _contiguity(s: int, ds: list[int], ha: list[int], T: int, D: int, bad) -> None:
    """The four "consecutive periods" constraints of mss.mzn, verbatim (1-based periods)."""

    def need(t: int, dur: int, what: str) -> None:
        bad("contiguity", f"student {s + 1}: the stint in period {t} must continue "
                          f"{what} through period {t + dur}")

    for t in range(2, T - D + 2):
        if ds[t] > 0 and ds[t - 1] != ds[t]:
            for dur in range(1, D):
                if ds[t + dur] != ds[t]:
                    need(t, dur, "in the same discipline")
                    break
        if ha[t] > 0 and ds[t - 1] != ds[t]:
            for dur in range(1, D):
                if ha[t + dur] != ha[t]:
                    need(t, dur, "at the same hospital")
                    break
    if ds[1] > 0:
        for dur in range(1, D):
            if 1 + dur > T or ds[1 + dur] != ds[1] or ha[1 + dur] != ha[1]:
                need(1, dur, "in the same ward")
                break
    if ds[T] > 0:
        for dur in range(1, D):
            if T - dur < 1 or ds[T - dur] != ds[T] or ha[T - dur] != ha[T]:
                bad("contiguity", f"student {s + 1}: the stint in period {T} must cover "
                                  f"periods {T - D + 1}..{T} in the same ward")
                break
