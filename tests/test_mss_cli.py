"""``atbt mss``: the .dzn reader's errors, solve and bench on small instances, every exit code.

Exit codes: 0 written, 2 invalid input or --out, 3 proven infeasible, 4 no schedule in time,
5 a schedule failed the independent check.
"""

from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

from scheduler import cli
from scheduler.mss import solve as mss_solve
from scheduler.mss.check import check
from scheduler.mss.dzn import DznError, parse_dzn, read_instance
from scheduler.mss.evaluate import evaluate
from tests.mss_util import MSS, needs_data, tiny, to_dzn, write_dzn

runner = CliRunner()
HEADER = "student,period,hospital,discipline"


def run(*args: str):
    return runner.invoke(cli.app, ["mss", *args, "--lang", "en"])


# ---------------------------------------------------------------------------- reader


def test_reader_round_trip(tmp_path):
    inst = tiny(students=2, horizon=4, hospitals=2, duration=2, disciplines=3,
                pref_disc=[[1, 2, 3], [3, 2, 1]], weight_pref=[[1, 2, -1, -3], [3, 1, -2, -1]],
                max_pos=[[[1, 2, 3, 4]] * 3, [[0, 1, 0, 1]] * 3])
    back = read_instance(write_dzn(tmp_path / "tiny.dzn", inst))
    back.name = inst.name
    assert back == inst


def test_parse_forms():
    got = parse_dzn("a = 3; % comment\nb=[1, -2,]; c=[|1,2|\n3,4|]; "
                    "d = array2d(1..2, 1..a, [1,2,3,4,5,6]);")
    assert {k: v for k, (v, _) in got.items()} == {
        "a": 3, "b": [1, -2], "c": [[1, 2], [3, 4]], "d": [[1, 2, 3], [4, 5, 6]]}


@pytest.mark.parametrize("text, line, msg", [
    ("a = 1;\nb = [1, 2;\n", 2, "expected ',' or ']'"),
    ("a = 1;\n\nb = ?;", 3, "unexpected character"),
    ("a = array2d(1..2, 1..2, [1, 2, 3]);", 1, "needs 4 values"),
    ("a = [|1, 2|\n3|];", 2, "different lengths"),
    ("a = 1;\na = 2;", 2, "assigned twice"),
    ("a = array1d(1..N, [1]);", 1, "expected an integer"),
])
def test_parse_errors_name_the_line(text, line, msg):
    with pytest.raises(DznError, match=msg) as exc:
        parse_dzn(text, "x.dzn")
    assert exc.value.line == line
    assert str(exc.value).startswith(f"x.dzn:{line}:")


def test_instance_shape_and_value_errors(tmp_path):
    text = to_dzn(tiny(horizon=3))
    bad = text.replace("Availability =[|\n1, 1, 1 |]", "Availability =[|\n1, 1 |]")
    p = tmp_path / "bad.dzn"
    p.write_text(bad, encoding="utf-8")
    with pytest.raises(DznError, match="Availability must have shape"):
        read_instance(p)
    p.write_text(text.replace("ManPref=[0]", "ManPref=[9]"), encoding="utf-8")
    with pytest.raises(DznError, match=r"ManPref has value 9 outside 0..5"):
        read_instance(p)
    p.write_text(text.replace("Groups=1;\n", ""), encoding="utf-8")
    with pytest.raises(DznError, match="missing scalar Groups"):
        read_instance(p)


# ---------------------------------------------------------------------------- solve command


def test_solve_writes_a_verified_schedule(tmp_path):
    inst = tiny(students=2, horizon=3, hospitals=2, disciplines=2, pref_hosp=[[1, 3], [2, 1]],
                max_pos=[[[1] * 3] * 2, [[1] * 3] * 2])
    src = write_dzn(tmp_path / "two.dzn", inst)
    res = run("solve", str(src), "--out", str(tmp_path / "out"), "--time-limit", "5",
              "--workers", "1")
    assert res.exit_code == 0, res.output
    rows = (tmp_path / "out" / "schedule.csv").read_text().splitlines()
    assert rows[0] == HEADER
    cells = {tuple(int(x) - 1 for x in r.split(",")) for r in rows[1:]}
    assert len(cells) == 4  # 2 students x 2 disciplines x 1 period
    assert check(inst, cells) == []  # type: ignore[arg-type]
    score = json.loads((tmp_path / "out" / "score.json").read_text())
    assert score["score"] == evaluate(inst, cells).score  # type: ignore[arg-type]
    assert score["status"] == "optimal" and score["bound"] == score["score"]


def test_solve_malformed_input_exit_2(tmp_path):
    src = tmp_path / "bad.dzn"
    src.write_text("Students=1;\nHorizon=[1,\n", encoding="utf-8")
    res = run("solve", str(src), "--out", str(tmp_path / "out"))
    assert res.exit_code == 2
    assert "bad.dzn:3:" in res.output
    assert not (tmp_path / "out").exists()


def test_solve_missing_file_and_out_is_a_file_exit_2(tmp_path):
    assert run("solve", str(tmp_path / "none.dzn")).exit_code == 2
    src = write_dzn(tmp_path / "t.dzn", tiny())
    (tmp_path / "f").write_text("x")
    res = run("solve", str(src), "--out", str(tmp_path / "f"))
    assert res.exit_code == 2 and "must be a folder" in res.output


def test_solve_infeasible_exit_3(tmp_path):
    src = write_dzn(tmp_path / "inf.dzn", tiny(horizon=2, disciplines=2,
                                                availability=[[1, 0]]))
    res = run("solve", str(src), "--out", str(tmp_path / "out"), "--time-limit", "5")
    assert res.exit_code == 3
    assert not (tmp_path / "out" / "schedule.csv").exists()


def test_solve_no_plan_in_time_exit_4(tmp_path, monkeypatch):
    src = write_dzn(tmp_path / "t.dzn", tiny())
    monkeypatch.setattr(mss_solve, "solve", lambda *a, **k: mss_solve.SolveResult(
        "no_plan_in_time", set(), None, None, 1.0, 0.0))
    res = run("solve", str(src), "--out", str(tmp_path / "out"), "--time-limit", "1")
    assert res.exit_code == 4
    assert "No schedule found" in res.output


def test_solve_unverified_schedule_exit_5_writes_nothing(tmp_path, monkeypatch):
    src = write_dzn(tmp_path / "t.dzn", tiny(horizon=2, disciplines=2))
    # A schedule missing one discipline: the checker must refuse it.
    monkeypatch.setattr(mss_solve, "solve", lambda *a, **k: mss_solve.SolveResult(
        "feasible", {(0, 0, 0, 0)}, 2, 4, 1.0, 0.0))
    res = run("solve", str(src), "--out", str(tmp_path / "out"))
    assert res.exit_code == 5
    assert "group" in res.output or "exactly" in res.output
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------- bench command


def test_bench_on_a_folder(tmp_path):
    data = tmp_path / "set"
    data.mkdir()
    write_dzn(data / "a.dzn", tiny(students=2, horizon=2, max_pos=[[[1, 1]]]))
    write_dzn(data / "b.dzn", tiny(horizon=2, disciplines=2))
    (data / "best-known.csv").write_text(
        "instance,best_known_score,source,published_upper_bound\na,5,x,6\n")
    out = tmp_path / "res" / "mss.csv"
    res = run("bench", str(data), "--time-limit", "5", "--workers", "1", "--out", str(out))
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(out.open()))
    assert [r["instance"] for r in rows] == ["a", "b"]
    a = rows[0]
    # Hand value (see test_model_capacity_makes_one_student_wait): 4; best known 5.
    assert (a["score"], a["bound"], a["best_known"], a["optimal"]) == ("4", "4", "5", "True")
    assert float(a["gap_to_best_pct"]) == 20.0
    md = out.with_suffix(".md").read_text()
    assert "| a | 4 | 4 | 5 | 6 | 20.0 | yes |" in md


def test_bench_bad_folder_exit_2(tmp_path):
    assert run("bench", str(tmp_path / "nope")).exit_code == 2
    assert run("bench", str(tmp_path)).exit_code == 2  # no .dzn files


# ---------------------------------------------------------------------------- real instances


@needs_data
@pytest.mark.parametrize("name", ["Instance_10", "Instance_L10"])
def test_small_published_instances_solve_to_verified_optimum(name):
    inst = read_instance(MSS / "akbarzadeh-maenhout" / f"{name}.dzn")
    res = mss_solve.solve(inst, time_limit=20, workers=2)
    assert res.status == "optimal"  # every student gets its ideal schedule (measured)
    assert check(inst, res.cells) == []
    assert evaluate(inst, res.cells).score == res.objective
    assert res.bound is not None and res.objective <= res.bound


@needs_data
@pytest.mark.slow
def test_full_model_on_a_published_instance_matches_the_evaluator():
    """Without the greedy shortcut: the CP-SAT model's objective is the evaluator's score."""
    inst = read_instance(MSS / "akbarzadeh-maenhout" / "Instance_70.dzn")
    res = mss_solve.solve(inst, time_limit=8, workers=2, first_plan=False)
    assert res.cells
    assert check(inst, res.cells) == []
    assert evaluate(inst, res.cells).score == res.objective
