"""The MSS first plan: minima first, the move-based and CP-SAT repairs, ``bench --jobs``.

Cells are 0-based (student, period, hospital, discipline); comments use 1-based names.
"""

from __future__ import annotations

import csv
import time
from dataclasses import replace

from typer.testing import CliRunner

from scheduler import cli
from scheduler.cli import mss as mss_cmd
from scheduler.mss import solve as mss_solve
from scheduler.mss.check import check
from scheduler.mss.construct import Plan, construct, cover_minima, fill, swap_repair
from scheduler.mss.evaluate import evaluate
from tests.mss_util import tiny, write_dzn

runner = CliRunner()


def popular_d1():
    """Two students, one period, disciplines d1 and d2, each student attends one of them.
    Both prefer d1 (PrefStudDisc 3 vs 1); ward d2 needs one student (MinPosHosp 1).

    SatTot = W_disc * pref + W_hosp * PrefStudHosp (1 * 1) with no waiting or changes:
    d1 gives 3 + 1 = 4, d2 gives 1 + 1 = 2. Each student alone takes d1, so a student-by-
    student plan without the minimum in view has both in d1 (4 + 4 + worst 4 = 12) and
    leaves d2 empty. The only valid schedules have one student in each: 4 + 2 + worst 2 = 8.
    """
    return tiny(students=2, horizon=1, disciplines=2, stud_disc_group=[[1], [1]],
                pref_disc=[[3, 1], [3, 1]], min_pos=[[[0], [1]]])


def greedy_order_plan(inst) -> Plan:
    """Each student filled alone in turn, best satisfaction first, blind to the minima."""
    blind = Plan(replace(inst, min_pos=[[[0] * inst.horizon for _ in range(inst.disciplines)]
                                        for _ in range(inst.hospitals)]))
    p = Plan(inst)
    for s in range(inst.students):
        assert fill(blind, s)
        for d, (h, st) in blind.stints[s].items():
            p.add(s, h, d, st)
    return p


def test_greedy_order_misses_the_minimum():
    inst = popular_d1()
    p = greedy_order_plan(inst)
    assert p.unmet(0, 1, 0) == 1
    assert [v.code for v in check(inst, p.cells())] == ["min_pos"]
    assert evaluate(inst, p.cells()).score == 12  # the invalid plan scores more than any valid


def test_minima_first_covers_it_by_construction():
    inst = popular_d1()
    p = Plan(inst)
    cover_minima(p)
    assert p.unmet(0, 1, 0) == 0
    p, failed = construct(inst)
    assert failed == []
    assert check(inst, p.cells()) == []
    assert evaluate(inst, p.cells()).score == 8


def test_move_repair_covers_what_the_greedy_order_missed():
    inst = popular_d1()
    p = greedy_order_plan(inst)
    # One student's d1 stint is in the way of d2 in period 1: it gives way (d1 covers no
    # minimum, and d2 keeps the group count at 1).
    assert swap_repair(p, time.monotonic() + 5) == 0
    assert check(inst, p.cells()) == []
    assert evaluate(inst, p.cells()).score == 8


def test_cp_sat_repair_covers_what_the_greedy_order_missed():
    inst = popular_d1()
    cells = greedy_order_plan(inst).cells()
    fixed = mss_solve.repair(inst, cells, time.monotonic() + 5)
    assert check(inst, fixed) == []
    assert evaluate(inst, fixed).score == 8


def test_move_pulls_a_predecessor_earlier():
    # One student, 3 periods, d1..d3 all attended; d3 needs d2 earlier (Precededby[3, 2]).
    # Preferences 3, 2, 1: the greedy order gives d1, d2, d3 in periods 1, 2, 3. Ward d3
    # needs the student in period 2, so d2 must move to period 1 and d1 to period 3.
    inst = tiny(horizon=3, disciplines=3, pref_disc=[[3, 2, 1]],
                precededby=[[0, 0, 0], [0, 0, 0], [0, 1, 0]],
                min_pos=[[[0, 0, 0], [0, 0, 0], [0, 1, 0]]])
    p = greedy_order_plan(inst)
    assert p.stints[0] == {0: (0, 0), 1: (0, 1), 2: (0, 2)}
    assert p.unmet(0, 2, 1) == 1
    assert swap_repair(p, time.monotonic() + 5) == 0
    assert p.stints[0] == {1: (0, 0), 2: (0, 1), 0: (0, 2)}
    assert check(inst, p.cells()) == []


def test_solve_reports_the_first_valid_schedule():
    inst = popular_d1()
    res = mss_solve.solve(inst, time_limit=10, workers=1)
    assert res.status == "optimal" and res.objective == 8
    assert check(inst, res.cells) == []
    assert res.first_valid is not None and res.first_valid <= res.wall_time


# ---------------------------------------------------------------------------- bench --jobs


def _folder(tmp_path):
    data = tmp_path / "set"
    data.mkdir()
    write_dzn(data / "a.dzn", popular_d1())
    write_dzn(data / "b.dzn", tiny(horizon=2, disciplines=2))
    return data


def test_bench_jobs_runs_instances_in_parallel(tmp_path, monkeypatch):
    monkeypatch.setattr(mss_cmd, "available_cores", lambda: 2)
    out = tmp_path / "res" / "mss.csv"
    res = runner.invoke(cli.app, ["mss", "bench", str(_folder(tmp_path)), "--time-limit", "5",
                                  "--workers", "1", "--jobs", "2", "--out", str(out),
                                  "--lang", "en"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(out.open()))
    assert [r["instance"] for r in rows] == ["a", "b"]  # instance order, whichever ends first
    # a: 8 (popular_d1); b: one student, d1 and d2 in periods 1-2: 2 * (1 + 1) + worst 4 = 8.
    assert [r["score"] for r in rows] == ["8", "8"]
    assert all(r["violations"] == "0" and r["first_valid_s"] != "" for r in rows)
    assert "2 instances in parallel" in out.with_suffix(".md").read_text()


def test_bench_jobs_times_workers_above_cores_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(mss_cmd, "available_cores", lambda: 2)
    out = tmp_path / "res" / "mss.csv"
    res = runner.invoke(cli.app, ["mss", "bench", str(_folder(tmp_path)), "--workers", "2",
                                  "--jobs", "2", "--out", str(out), "--lang", "en"])
    assert res.exit_code == 2
    assert "--jobs 2 x --workers 2 = 4 threads" in res.output and "2 cores" in res.output
    assert not out.exists()


def _term_handler_is_default() -> bool:
    import signal

    return signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_bench_workers_end_on_sigterm():
    # The CLI routes SIGTERM to a flag (scheduler.halt) and forked bench workers inherit
    # it; the MSS solve never reads the flag, so a worker must get the default back.
    import signal
    from concurrent.futures import ProcessPoolExecutor

    from scheduler import halt

    before = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    halt.install()
    try:
        with ProcessPoolExecutor(max_workers=1) as pool:
            assert pool.submit(_term_handler_is_default).result() is False
        with ProcessPoolExecutor(max_workers=1, initializer=mss_cmd.child_signals) as pool:
            assert pool.submit(_term_handler_is_default).result() is True
    finally:
        signal.signal(signal.SIGTERM, before[0])
        signal.signal(signal.SIGINT, before[1])


def test_minima_go_to_the_student_they_cost_no_waiting():
    # Two periods, one ward each for d1 and d2; student 1 attends one discipline, student 2
    # both. Ward d1 needs a student in period 2. Whoever covers it: student 2 fills period 1
    # with d2 and waits for nothing (2 stints in 2 periods); student 1 would wait through
    # period 1 (W_wait -1). Each stint is worth W_disc * 1 + W_hosp * 1 = 2.
    # Student 1 covers it: 1 = (2 - 1) and 4, worst 1: 6. Student 2 covers it: student 1
    # takes period 1 (2), student 2 both (4), worst 2: 8, the optimum (every student ideal).
    # Student 1 has more free room (2 slots for 1 stint), which alone chose it before.
    inst = tiny(students=2, horizon=2, disciplines=2, stud_disc_group=[[1], [2]],
                min_pos=[[[0, 1], [0, 0]]])
    p = Plan(inst)
    cover_minima(p)
    assert p.stints[1] == {0: (0, 1)} and p.stints[0] == {}
    p, failed = construct(inst)
    assert failed == []
    assert check(inst, p.cells()) == []
    assert evaluate(inst, p.cells()).score == 8
