"""The MSS objective of ``mss.mzn``, recomputed from a schedule in plain Python.

Follows the reference model line by line (its auxiliary arrays ``attending``,
``disc_attending``, ``hosp_attending``, ``aux_pause`` and ``aux_chhosp``, and its integer
divisions), so the score of any schedule that satisfies the model's channeling (at most one
ward per student and period) is exactly what MiniZinc would report. Shares no code with the
CP-SAT model.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from scheduler.mss.dzn import Cell, MssInstance

TERMS = ("sat_disc", "sat_hosp", "sat_wait", "sat_man", "sat_chn")


def _div(a: int, b: int) -> int:
    """MiniZinc ``div``: truncation toward zero (Python's ``//`` floors)."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


@dataclass
class Score:
    per_student: list[dict[str, int]]  # the five terms and "total" per student
    terms: dict[str, int]  # each term summed over students, plus "worst"
    total: int  # sum of SatTot ("the real score")
    worst: int  # min SatTot ("the worst score")
    score: int  # total + worst, the value maximised


def evaluate(inst: MssInstance, cells: Iterable[Cell]) -> Score:
    """Score a schedule given as 0-based ``(student, period, hospital, discipline)`` cells.

    Raises ``ValueError`` if a student is in two wards in one period: ``mss.mzn`` gives such
    a schedule no value (its channeling fails), and :func:`scheduler.mss.check.check`
    reports it.
    """
    S, T, D = inst.students, inst.horizon, inst.duration
    hosp_at = [[0] * T for _ in range(S)]  # hosp_attending, 1-based hospital, 0 = idle
    slots_d = [[0] * inst.disciplines for _ in range(S)]  # sum_t sched_disc[s,t,d]
    hosp_pref_slots = [0] * S  # sum_{t,h,d} WeightPref[s,2] * PrefStudHosp[s,h] * schedule
    for s, t, h, d in cells:
        if hosp_at[s][t]:
            raise ValueError(f"student {s + 1} attends two wards in period {t + 1}")
        hosp_at[s][t] = h + 1
        slots_d[s][d] += 1
        hosp_pref_slots[s] += inst.weight_pref[s][1] * inst.pref_hosp[s][h]
    per_student = []
    for s in range(S):
        w_disc, _w_hosp, w_change, w_wait = inst.weight_pref[s]
        disc_att = [_div(n, D) for n in slots_d[s]]
        sat_disc = sum(w_disc * inst.pref_disc[s][d] * disc_att[d]
                       for d in range(inst.disciplines))
        sat_hosp = _div(hosp_pref_slots[s], D)
        attending = [1 if h else 0 for h in hosp_at[s]]
        # aux_pause[t] = max(attending[t..T-1]): 1 up to the last attended period.
        pause = [0] * T
        pause[T - 1] = attending[T - 1]
        for t in range(T - 2, -1, -1):
            pause[t] = max(attending[t], pause[t + 1])
        sat_wait = sum(w_wait * (1 - attending[t]) * pause[t] for t in range(T - 1))
        # aux_chhosp: the hospital attended, else the last one attended before (0 at first).
        ch = [0] * T
        ch[0] = hosp_at[s][0]
        for t in range(1, T):
            ch[t] = hosp_at[s][t] if hosp_at[s][t] > 0 else ch[t - 1]
        sat_chn = sum(1 for t in range(T - 1) if ch[t] != 0 and ch[t] != ch[t + 1]) * w_change
        sat_man = sum(inst.man_pref[d] * disc_att[d] for d in range(inst.disciplines))
        row = {"sat_disc": sat_disc, "sat_hosp": sat_hosp, "sat_wait": sat_wait,
               "sat_man": sat_man, "sat_chn": sat_chn}
        row["total"] = sum(row.values())
        per_student.append(row)
    total = sum(r["total"] for r in per_student)
    worst = min(r["total"] for r in per_student)
    terms = {k: sum(r[k] for r in per_student) for k in TERMS}
    terms["worst"] = worst
    return Score(per_student, terms, total, worst, total + worst)
