"""Counting arguments (issue 23): infeasibility proven by arithmetic, before any search.

One tiny instance per argument, the arithmetic in a comment; each checks the shortfall, that
the explanation names it in domain words, and (where it is the point) that the fix stays at
the cause's units and is verified. Names are invented.
"""

from __future__ import annotations

import time
from pathlib import Path

from typer.testing import CliRunner

from scheduler import api, cli
from scheduler import verify as checker
from scheduler.domain import Instance
from scheduler.report.explanation import render
from scheduler.result import Status
from scheduler.solver.counting import shortfalls, unreachable_requirements
from scheduler.solver.explain import apply_relaxations, explain
from tests.helpers import P26, build, programme, trainee, unit, with_cohort, wk

runner = CliRunner()


def cohorts(inst: Instance, *rows: tuple[str, str, int, int]) -> Instance:
    for cid, prog, start, count in rows:
        inst = with_cohort(inst, cid, prog, start, count)
    return inst


def assert_fix_only_at(inst: Instance, ex, units: set[str]) -> None:
    assert ex.relaxations and ex.relaxation_verified
    assert {r.target for r in ex.relaxations} <= units
    assert all(r.kind == "capacity" for r in ex.relaxations)
    relaxed = apply_relaxations(inst, ex.relaxations)
    r = api.solve_and_verify(relaxed, time_limit=10, workers=1)
    assert r.status.has_plan and checker.check(relaxed, r.stints) == []


# ---- per discipline and window


def test_discipline_against_seats_in_window():
    # 6 AT need 13 weeks of psychiatry each in the 26-week block (weeks 4..29): 78 weeks; PSY
    # has 2 seats x 26 weeks = 52: 26 short, found without any search.
    inst = cohorts(build([unit("MED", "medicin", capacity=None),
                          unit("PSY", "psykiatri", capacity=2)], [], [P26], weeks=40),
                   ("AT-A", "P26", 4, 6))
    t0 = time.monotonic()
    [sf] = shortfalls(inst)
    assert time.monotonic() - t0 < 1.0
    assert (sf.label, sf.units, sf.first, sf.end) == ("psykiatri", ("PSY",), 4, 30)
    assert (sf.demand, sf.supply, sf.deficit) == (78, 52, 26)
    text = "\n".join(render(inst, explain(inst, time_limit=10), "sv"))
    assert "Psykiatri v. 5–30 2027: 6 AT behöver 13 veckor var inom sina block, men " \
           "kapaciteten är 2 per vecka (PSY)" in text
    assert "78 veckor behövs där, men enheterna har 52 platsveckor; 26 veckor saknas" in text


def test_capacity_changes_count_week_by_week():
    # PSY has 2 seats but is closed (0) in weeks 10..19; 3 trainees need 13 weeks each in the
    # block 0..25: 39 weeks against 2 x (26 - 10) = 32 seat-weeks: 7 short.
    inst = cohorts(build([unit("MED", "medicin", capacity=None),
                          unit("PSY", "psykiatri", capacity=2, capacity_changes=[
                              {"start": wk(10), "end": wk(20), "capacity": 0}])],
                         [], [P26], weeks=30),
                   ("K", "P26", 0, 3))
    [sf] = shortfalls(inst)
    assert (sf.first, sf.end, sf.demand, sf.supply) == (0, 26, 39, 32)
    assert (sf.cap_low, sf.cap_high) == (0, 2)


# ---- per unit group


def test_unit_group_short_stints_elsewhere():
    # Psychiatry at PSY (1 seat) or BUP (5 seats, stints of at most 4 weeks, one per unit):
    # each of 3 trainees needs 13 weeks, at most 4 at BUP, so at least 9 at PSY: 27 weeks
    # against 1 x 26 seat-weeks at PSY: 1 short. All psychiatry together has room
    # (39 <= 6 x 26): only the group {PSY} shows it.
    inst = cohorts(build([unit("MED", "medicin", capacity=None),
                          unit("MED2", "medicin", capacity=None),
                          unit("PSY", "psykiatri", capacity=1),
                          unit("BUP", "psykiatri", capacity=5, max_weeks=4)],
                         [], [P26], weeks=30),
                   ("K", "P26", 0, 3))
    [sf] = shortfalls(inst)
    assert (sf.units, sf.demand, sf.supply) == (("PSY",), 27, 26)
    assert {d.forced for d in sf.demands} == {9}


def test_site_group_only_counts_units_open_to_the_intake():
    # NORD's intake may use PSY-N (1 seat) and the region-wide PSY-R (1 seat); SYD's only
    # PSY-R. 2 SYD trainees need 13 weeks each in a 13-week block... at one seat: 26 > 13.
    p13 = programme("P13", 13, ("psykiatri", 13, None))
    inst = build([unit("PSY-N", "psykiatri", capacity=1),
                  unit("PSY-R", "psykiatri", capacity=1, region_wide=True, site="NORD")],
                 [trainee("S1", programme="P13", site="SYD"),
                  trainee("S2", programme="P13", site="SYD")], [p13], weeks=20)
    [sf] = shortfalls(inst)
    assert (sf.units, sf.demand, sf.supply) == (("PSY-R",), 26, 13)


# ---- per start


def test_one_start_against_its_window():
    # Intake A (3 trainees, weeks 0..25) and B (1 trainee, weeks 26..51), PSY 1 seat.
    # Over the whole horizon: 4 x 13 = 52 weeks against 52 seat-weeks, no shortage; in A's
    # window 0..25: 3 x 13 = 39 against 26: 13 short.
    inst = cohorts(build([unit("MED", "medicin", capacity=None),
                          unit("PSY", "psykiatri", capacity=1)], [], [P26], weeks=52),
                   ("A", "P26", 0, 3), ("B", "P26", 26, 1))
    [sf] = shortfalls(inst)
    assert (sf.first, sf.end, sf.demand, sf.supply) == (0, 26, 39, 26)
    assert [d.who for d in sf.demands] == ["A"]


def test_feasible_intakes_have_no_shortfall():
    # 2 trainees x 13 weeks = 26 <= 1 seat x 26 weeks: counting proves nothing (and a plan
    # exists).
    inst = cohorts(build([unit("MED", "medicin", capacity=None),
                          unit("PSY", "psykiatri", capacity=1)], [], [P26], weeks=30),
                   ("K", "P26", 0, 2))
    assert shortfalls(inst) == []
    assert explain(inst, time_limit=10).feasible


# ---- locked stints over capacity


def test_locked_stints_over_capacity():
    # Two trainees locked at VC (1 seat) in weeks 2..3: 2 locked stints, 1 seat.
    lock = {"start": wk(2), "end": wk(4), "unit": "VC", "discipline": "allmanmedicin"}
    pa = programme("PA", 6, ("medicin", 2, None), ("allmanmedicin", 2, None))
    inst = build([unit("MED", "medicin", capacity=None), unit("VC", "allmanmedicin")],
                 [trainee("A", programme="PA", locked=[lock]),
                  trainee("B", programme="PA", locked=[lock])], [pa])
    sfs = [s for s in shortfalls(inst) if s.kind == "locked"]
    assert [(s.units, s.demand, s.supply) for s in sfs] == [(("VC",), 2, 1)]
    ex = explain(inst, time_limit=10)
    assert [r.kind for r in ex.relaxations] == ["unlock"] and ex.relaxation_verified
    assert "2 låsta placeringar, men kapaciteten är 1" in "\n".join(render(inst, ex, "sv"))


def test_cohort_members_locked_over_capacity_unlock_the_one_not_planned():
    # Intake K of 2 (members K-01, K-02), both locked (overrides) at VC (1 seat) in weeks
    # 2..3: 2 locked stints, 1 seat. The current plan has K-01 at VC then, so K-02's lock is
    # the one in the way: unlocking it gives an instance the current plan satisfies.
    lock = {"start": wk(2), "end": wk(4), "unit": "VC", "discipline": "allmanmedicin"}
    pa = programme("PA", 6, ("medicin", 2, None), ("allmanmedicin", 2, None))
    inst = build([unit("MED", "medicin", capacity=None), unit("MED2", "medicin", capacity=None),
                  unit("VC", "allmanmedicin")], [], [pa])
    data = inst.model_dump()
    data["cohorts"] = [{"id": "K", "programme": "PA", "start": wk(0), "count": 2,
                        "site": "NORD", "overrides": [{"id": "K-01", "locked": [lock]},
                                                      {"id": "K-02", "locked": [lock]}]}]
    inst = Instance.model_validate(data)
    sfs = [s for s in shortfalls(inst) if s.kind == "locked"]
    assert [(s.units, s.demand, s.supply) for s in sfs] == [(("VC",), 2, 1)]
    from scheduler.plan import Stint

    def st(tid: str, u: str, d: str, a: int, b: int) -> Stint:
        return Stint(trainee=tid, start=wk(a), end=wk(b), unit=u, discipline=d,
                     programme="PA", site="NORD")
    current = [st("K-01", "MED", "medicin", 0, 2), st("K-01", "VC", "allmanmedicin", 2, 4),
               st("K-01", "MED2", "medicin", 4, 6), st("K-02", "VC", "allmanmedicin", 0, 2),
               st("K-02", "MED", "medicin", 2, 6)]
    ex = explain(inst, time_limit=10, previous=current)
    assert [(r.kind, r.target) for r in ex.relaxations] == [("unlock", "K-02")]
    assert ex.relaxation_verified
    relaxed = apply_relaxations(inst, ex.relaxations)
    assert checker.check(relaxed, current) == []


# ---- the fix stays where the cause is


def test_cause_in_psychiatry_fix_in_psychiatry_only_small():
    # MED is tight too (1 seat per 6 trainee-weeks of medicine needed... exactly enough), so a
    # wide search could spend seats there; the cause is PSY: 6 x 13 = 78 > 2 x 26 = 52.
    inst = cohorts(build([unit("MED", "medicin", capacity=3),
                          unit("PSY", "psykiatri", capacity=2)], [], [P26], weeks=40),
                   ("AT-A", "P26", 4, 6))
    ex = explain(inst, time_limit=20)
    assert not ex.widened
    assert_fix_only_at(inst, ex, {"PSY"})


def test_cause_in_psychiatry_fix_in_psychiatry_only_large():
    # 44 trainees (above SMALL: whole seats verified by a first plan trainee by trainee).
    # P8: 4 weeks medicine + 4 psychiatry in 8 weeks. 4 intakes of 11, starts 0, 8, 16, 24;
    # PSY 4 seats: per intake 11 x 4 = 44 weeks against 4 x 8 = 32: 12 short per window,
    # 48 over the 32 weeks of all four (176 > 128).
    p8 = programme("P8", 8, ("medicin", 4, None), ("psykiatri", 4, None), kind="AT")
    inst = cohorts(build([unit("MED", "medicin", capacity=None),
                          unit("MED2", "medicin", capacity=None),
                          unit("PSY", "psykiatri", capacity=4),
                          unit("VC", "allmanmedicin", capacity=1)], [], [p8], weeks=40),
                   ("I1", "P8", 0, 11), ("I2", "P8", 8, 11), ("I3", "P8", 16, 11),
                   ("I4", "P8", 24, 11))
    [sf] = shortfalls(inst)
    assert (sf.units, sf.deficit) == (("PSY",), 48)
    t0 = time.monotonic()
    ex = explain(inst, time_limit=20)
    assert time.monotonic() - t0 < 21
    assert ex.counted and not ex.widened
    assert ex.relaxations and ex.relaxation_verified
    assert {r.target for r in ex.relaxations} == {"PSY"}
    # Whole seats: at least the 48 seat-weeks short, each run a whole number of seats.
    assert sum(r.amount * r.weeks for r in ex.relaxations) >= 48
    text = "\n".join(render(inst, ex, "sv"))
    assert "handledare på Enhet PSY (PSY)" in text and "kontrollerat" in text


# ---- the input check (exit 2) and the command layer


def closed_psychiatry() -> Instance:
    # The only psychiatry unit has capacity 0 over the whole block of the intake.
    return cohorts(build([unit("MED", "medicin", capacity=None),
                          unit("PSY", "psykiatri", capacity=2, capacity_changes=[
                              {"start": wk(0), "end": wk(40), "capacity": 0}])],
                         [], [P26], weeks=40), ("AT-A", "P26", 4, 2))


def test_input_check_names_discipline_and_programme(tmp_path: Path):
    inst = closed_psychiatry()
    assert unreachable_requirements(inst) == [("cohorts[0] (AT-A)", "P26", "psykiatri", "13")]
    path = _write(tmp_path, inst)
    for cmd in (["explain", str(path)],
                ["solve", str(path), "--out", str(tmp_path / "o"), "--time-limit", "5"]):
        res = runner.invoke(cli.app, [*cmd, "--lang", "en"])
        assert res.exit_code == 2, res.output
        assert "cohorts[0] (AT-A): P26 requires at least 13 weeks of psychiatry (psykiatri)" \
            in res.output
        assert "capacity 0 throughout" in res.output and "Traceback" not in res.output


def test_input_check_open_in_part_of_block_passes():
    # Open for one week of the block: not rejected (counting then says how short it is).
    inst = closed_psychiatry()
    data = inst.model_dump()
    data["units"][1]["capacity_changes"] = [{"start": wk(0), "end": wk(10), "capacity": 0}]
    assert unreachable_requirements(Instance.model_validate(data)) == []


def _write(tmp_path: Path, inst: Instance) -> Path:
    from scheduler.inputs.yaml_io import dump_instance
    path = tmp_path / "instance.yaml"
    path.write_text(dump_instance(inst), encoding="utf-8")
    return path


def test_solve_proves_by_counting_without_search(tmp_path: Path):
    inst = cohorts(build([unit("MED", "medicin", capacity=None),
                          unit("PSY", "psykiatri", capacity=2)], [], [P26], weeks=40),
                   ("AT-A", "P26", 4, 6))
    res = runner.invoke(cli.app, ["solve", str(_write(tmp_path, inst)), "--out",
                                  str(tmp_path / "o"), "--time-limit", "10", "--json"])
    assert res.exit_code == 3
    assert '"method": "counting"' in res.output and '"status": "infeasible"' in res.output
    assert "bevisat genom räkning" in res.output
    assert "26 veckor saknas" in res.output
    assert not (tmp_path / "o" / "plan.csv").exists()


def test_explain_respects_time_limit_and_says_what_ran_out(tmp_path: Path):
    # No counting argument here (stint lengths: MED >= 4, PSY >= 3 weeks in a 6-week block);
    # with 1 s the explanation must still end in about 1 s and name the part that ran out,
    # or finish everything.
    inst = build([unit("MED", "medicin", capacity=None, min_weeks=4),
                  unit("PSY", "psykiatri", capacity=None, min_weeks=3)], [trainee()])
    t0 = time.monotonic()
    res = runner.invoke(cli.app, ["explain", str(_write(tmp_path, inst)), "--time-limit", "1",
                                  "--lang", "en"])
    assert time.monotonic() - t0 < 2.5
    assert res.exit_code in (3, 4)
    assert "ran out" in res.output or "(verified" in res.output
    assert api.solve_and_verify(inst, time_limit=5, workers=1).status is Status.INFEASIBLE


def test_explain_plan_option_starts_from_current_plan(tmp_path: Path):
    # The current plan (PSY with 8 seats) is given; PSY then loses 4 seats: 4 intakes of 11
    # need 176 psychiatry weeks in 32 weeks against 4 x 32 = 128 (48 short). The fix is
    # verified by a plan that keeps the current stints where they still fit.
    from scheduler.plan import plan_to_csv

    p8 = programme("P8", 8, ("medicin", 4, None), ("psykiatri", 4, None), kind="AT")

    def region(cap: int) -> Instance:
        return cohorts(build([unit("MED", "medicin", capacity=None),
                              unit("MED2", "medicin", capacity=None),
                              unit("PSY", "psykiatri", capacity=cap)], [], [p8], weeks=40),
                       ("I1", "P8", 0, 11), ("I2", "P8", 8, 11), ("I3", "P8", 16, 11),
                       ("I4", "P8", 24, 11))
    before = api.solve_and_verify(region(8), time_limit=10, workers=1)
    assert before.status.has_plan
    plan = tmp_path / "plan.csv"
    plan.write_text(plan_to_csv(before.stints), encoding="utf-8")
    path = _write(tmp_path, region(4))
    res = runner.invoke(cli.app, ["explain", str(path), "--plan", str(plan), "--time-limit",
                                  "20", "--lang", "en"])
    assert res.exit_code == 3, res.output
    assert "48 weeks short" in res.output and "(verified" in res.output
    bad = tmp_path / "bad.csv"
    bad.write_text("not,a,plan\n", encoding="utf-8")
    res = runner.invoke(cli.app, ["explain", str(path), "--plan", str(bad)])
    assert res.exit_code == 2 and "Traceback" not in res.output


def test_solve_gives_the_explanation_only_what_is_left(tmp_path: Path):
    # Not countable (stint lengths: MED >= 4 and PSY >= 3 weeks in a 6-week block): the solver
    # proves it, and the explanation gets the rest of --time-limit 3, not 60 s more.
    inst = build([unit("MED", "medicin", capacity=None, min_weeks=4),
                  unit("PSY", "psykiatri", capacity=None, min_weeks=3)], [trainee()])
    t0 = time.monotonic()
    res = runner.invoke(cli.app, ["solve", str(_write(tmp_path, inst)), "--out",
                                  str(tmp_path / "o"), "--time-limit", "3", "--workers", "1"])
    assert time.monotonic() - t0 < 4.5
    assert res.exit_code == 3
    assert "förklaringen får resten av --time-limit 3 s" in res.output
