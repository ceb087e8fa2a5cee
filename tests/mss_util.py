"""Helpers for the MSS tests: the benchmark folder and tiny hand-made instances."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import strategies as st

from scheduler.mss.dzn import MssInstance, benchmark_dir

MSS = benchmark_dir()
needs_data = pytest.mark.skipif(
    not MSS.is_dir(), reason=f"MSS benchmark data not found at {MSS} (set ATBT_MSS_DIR)")


def tiny(students: int = 1, horizon: int = 3, hospitals: int = 1, duration: int = 1,
         disciplines: int = 1, **kw) -> MssInstance:
    """All allowed and available, ample capacity, no minima, one group needing every
    discipline, preferences 1, weights (1, 1, -1, -1); override any field by keyword."""
    S, T, H, D, ND = students, horizon, hospitals, duration, disciplines
    base = dict(
        name="tiny", students=S, horizon=T, hospitals=H, duration=D, disciplines=ND,
        groups=1, max_disc_per_hosp=ND, disc_group=[0] * ND,
        stud_disc_group=[[ND] for _ in range(S)],
        allowed_disc=[[1] * ND for _ in range(S)], precededby=[[0] * ND for _ in range(ND)],
        availability=[[1] * T for _ in range(S)],
        ability=[[[1] * ND for _ in range(H)] for _ in range(S)],
        max_pos=[[[S] * T for _ in range(ND)] for _ in range(H)],
        min_pos=[[[0] * T for _ in range(ND)] for _ in range(H)],
        weight_pref=[[1, 1, -1, -1] for _ in range(S)],
        pref_disc=[[1] * ND for _ in range(S)], pref_hosp=[[1] * H for _ in range(S)],
        man_pref=[0] * ND)
    base.update(kw)
    return MssInstance(**base)  # type: ignore[arg-type]


def _m2(rows: list[list[int]]) -> str:
    return "[|\n" + " |\n".join(", ".join(map(str, r)) for r in rows) + " |]"


def _flat3(a: list[list[list[int]]]) -> str:
    return ", ".join(str(x) for p in a for q in p for x in q)


def to_dzn(i: MssInstance) -> str:
    """The instance in the benchmark's ``.dzn`` layout."""
    return "\n".join([
        "%Scalars",
        f"Students={i.students};", f"Disciplines={i.disciplines};",
        f"Hospitals={i.hospitals};", f"Duration={i.duration};", f"Horizon={i.horizon};",
        f"Groups={i.groups};", f"MaxDiscPerHosp={i.max_disc_per_hosp};",
        f"DiscGroup = [{','.join(str(g + 1) for g in i.disc_group)}];",
        f"StudDiscGroup ={_m2(i.stud_disc_group)};",
        f"AllowedDisc ={_m2(i.allowed_disc)};",
        f"Precededby ={_m2(i.precededby)};",
        f"Availability ={_m2(i.availability)};",
        "Ability =\n array3d(1..Students,1..Hospitals,1..Disciplines,["
        + _flat3(i.ability) + "]);",
        "MaxPosHosp =\n array3d(1..Hospitals, 1..Disciplines, 1..Horizon,["
        + _flat3(i.max_pos) + "]);",
        "MinPosHosp =\n array3d(1..Hospitals, 1..Disciplines, 1..Horizon,["
        + _flat3(i.min_pos) + "]);",
        "%W_disc W_hosp W_change W_wait",
        f"WeightPref={_m2(i.weight_pref)};",
        f"PrefStudDisc ={_m2(i.pref_disc)};",
        f"PrefStudHosp ={_m2(i.pref_hosp)};",
        f"ManPref=[{','.join(map(str, i.man_pref))}];",
    ]) + "\n"


def write_dzn(path: Path, inst: MssInstance) -> Path:
    path.write_text(to_dzn(inst), encoding="utf-8")
    return path


@st.composite
def instances(draw):
    """Random tiny instances, one group: up to 3 students, 5 periods, 3 disciplines, with
    closed wards, sparse minima, a precedence and unavailable periods."""
    S = draw(st.integers(1, 3))
    T = draw(st.integers(2, 5))
    H = draw(st.integers(1, 2))
    D = draw(st.integers(1, 2))
    ND = draw(st.integers(1, 3))
    avail = [[draw(st.sampled_from([1, 1, 1, 1, 0])) for _ in range(T)] for _ in range(S)]
    need = [[draw(st.integers(0, min(ND, max(1, T // D - 1))))] for _ in range(S)]
    prec = [[0] * ND for _ in range(ND)]
    if ND >= 2 and draw(st.booleans()):
        prec[1][0] = 1
    return tiny(
        students=S, horizon=T, hospitals=H, duration=D, disciplines=ND,
        stud_disc_group=need, availability=avail, precededby=prec,
        max_disc_per_hosp=draw(st.integers(1, ND)),
        max_pos=[[[draw(st.sampled_from([0, 1, 2, 2])) for _ in range(T)] for _ in range(ND)]
                 for _ in range(H)],
        min_pos=[[[draw(st.sampled_from([0] * 9 + [1])) for _ in range(T)] for _ in range(ND)]
                 for _ in range(H)],
        weight_pref=[[draw(st.integers(1, 3)), draw(st.integers(1, 3)),
                      draw(st.integers(-3, -1)), draw(st.integers(-3, -1))] for _ in range(S)],
        pref_disc=[[draw(st.integers(1, 5)) for _ in range(ND)] for _ in range(S)],
        pref_hosp=[[draw(st.integers(1, 5)) for _ in range(H)] for _ in range(S)],
        man_pref=[draw(st.integers(0, 5)) for _ in range(ND)],
        ability=[[[draw(st.sampled_from([1, 1, 1, 0])) for _ in range(ND)] for _ in range(H)]
                 for _ in range(S)],
        allowed_disc=[[draw(st.sampled_from([1, 1, 1, 0])) for _ in range(ND)]
                      for _ in range(S)],
    )
