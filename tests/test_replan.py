"""``atbt replan`` and block extension by leave.

Re-planning keeps the weeks before ``--today`` (history), applies the changes, and changes as
few future stints as possible; the checker verifies every rule plus the unchanged history, and
recomputes the change cost from the two plans. Tiny instances with hand-made arithmetic in the
comments; names are invented.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st_
from typer.testing import CliRunner

from scheduler import api, cli
from scheduler import verify as checker
from scheduler.domain import Instance, block_end
from scheduler.i18n import set_language
from scheduler.inputs.changes import (
    Changes,
    apply_changes,
    diff_plans,
    replan_monday,
    stint_weight,
)
from scheduler.inputs.yaml_io import InputError, dump_instance
from scheduler.plan import Stint, plan_to_csv, read_plan_csv
from scheduler.replanning import replan_and_verify
from scheduler.result import Status
from scheduler.verify import change_cost
from tests.helpers import build, leave, programme, trainee, unit, wk

runner = CliRunner()
P8 = programme("P8", 8, ("medicin", 4, None), ("psykiatri", 4, None))


@pytest.fixture(autouse=True)
def _swedish_afterwards():
    yield
    set_language("sv")


def st(tid: str, uid: str, d: str, a: int, b: int, prog: str = "P8") -> Stint:
    return Stint(trainee=tid, start=wk(a), end=wk(b), unit=uid, discipline=d, programme=prog,
                 site="NORD")


def region(**caps: int) -> Instance:
    """Three P8 trainees; MED and PSY with spare seats unless ``caps`` say otherwise."""
    return build([unit("MED", "medicin", capacity=caps.get("MED", 3)),
                  unit("PSY", "psykiatri", capacity=caps.get("PSY", 3))],
                 [trainee("A", 0, "P8"), trainee("B", 0, "P8"), trainee("C", 2, "P8")], [P8],
                 weeks=20)


# A valid plan of region(): A and C medicine first, B psychiatry first.
OLD = [st("A", "MED", "medicin", 0, 4), st("A", "PSY", "psykiatri", 4, 8),
       st("B", "PSY", "psykiatri", 0, 4), st("B", "MED", "medicin", 4, 8),
       st("C", "MED", "medicin", 2, 6), st("C", "PSY", "psykiatri", 6, 10)]


def changes(**kw: object) -> Changes:
    return Changes.model_validate(kw)


def test_old_plan_is_valid():
    assert checker.check(region(), OLD) == []


def test_no_changes_returns_old_plan():
    rp = replan_and_verify(region(), OLD, wk(3), Changes(), time_limit=10, workers=1)
    assert rp.result.status is Status.OPTIMAL
    assert sorted(rp.result.stints) == sorted(OLD)
    assert rp.diff.removed == rp.diff.added == []
    assert rp.result.objective == 0 and rp.minimal


def test_parental_leave_changes_only_that_trainee():
    # A goes on 4 weeks' parental leave in weeks 5-8, in the middle of psychiatry (4-8).
    # Capacity is ample, so only A's stints change: psychiatry is cut at week 5 and resumes
    # after the leave (weeks 9-12); the block ends 4 weeks later (week 12 instead of 8).
    inst = region()
    rp = replan_and_verify(inst, OLD, wk(3), changes(leave=[
        {"trainee": "A", "start": wk(5), "end": wk(9), "kind": "foraldraledighet"}]),
        time_limit=10, workers=1)
    r = rp.result
    assert r.status is Status.OPTIMAL and rp.minimal
    assert rp.diff.trainees == ["A"]
    # Cost: only A's psychiatry stint (starts week 4, within 6 weeks of week 3: 10 + 100).
    assert r.objective == 110 == r.bound
    assert rp.diff.removed == [st("A", "PSY", "psykiatri", 4, 8)]
    new_inst = rp.instance
    assert block_end(new_inst.trainees[0], P8_model(new_inst)) == wk(12)
    assert checker.check(new_inst, r.stints, history=checker.History(OLD, wk(3))) == []
    assert change_cost(OLD, r.stints, wk(3)) == r.objective == r.solver_objective


def P8_model(inst: Instance):
    return inst.programme("P8")


def test_leave_with_tight_capacity_moves_only_the_trainee_on_leave():
    # PSY and PSY2 have one seat each. Old plan: A psychiatry at PSY 0-4, medicine 4-8; C the
    # other way round (PSY 4-8). Today week 2; A takes sick leave in weeks 3-4. Both of A's
    # future stints overlap the leave, so both change (110 + 110 = 220, each starting within
    # 6 weeks of today): that is the least possible. A cannot resume at PSY (C sits there
    # from week 4), but PSY2 has room, so C keeps its plan.
    inst = build([unit("MED", "medicin", capacity=2), unit("PSY", "psykiatri", capacity=1),
                  unit("PSY2", "psykiatri", capacity=1)],
                 [trainee("A", 0, "P8"), trainee("C", 0, "P8")], [P8], weeks=16)
    old = [st("A", "PSY", "psykiatri", 0, 4), st("A", "MED", "medicin", 4, 8),
           st("C", "MED", "medicin", 0, 4), st("C", "PSY", "psykiatri", 4, 8)]
    assert checker.check(inst, old) == []
    rp = replan_and_verify(inst, old, wk(2), changes(leave=[
        {"trainee": "A", "start": wk(3), "end": wk(5), "kind": "sjukskrivning"}]),
        time_limit=10, workers=1)
    assert rp.result.status is Status.OPTIMAL and rp.minimal
    assert rp.result.objective == 220 == rp.result.bound
    assert rp.diff.trainees == ["A"]
    assert checker.check(rp.instance, rp.result.stints,
                         history=checker.History(old, wk(2))) == []
    a = sorted(s for s in rp.result.stints if s.trainee == "A")
    # The past part stays (weeks 0-1 at PSY); the stint is cut at today or at the leave.
    assert (a[0].unit, a[0].start) == ("PSY", wk(0)) and wk(2) <= a[0].end <= wk(3)


def test_stint_across_today_keeps_its_past():
    # Today is week 2, in the middle of A's and B's first stints (weeks 0-4). B leaves the
    # programme at week 6: the weeks before today stay, B's block ends at week 6 unfinished.
    rp = replan_and_verify(region(), OLD, wk(2), changes(leaving=[{"trainee": "B", "on": wk(6)}]),
                           time_limit=10, workers=1)
    assert rp.result.status.has_plan
    b = sorted(s for s in rp.result.stints if s.trainee == "B")
    assert b[0] == st("B", "PSY", "psykiatri", 0, 4)  # the stint across today is kept
    assert max(s.end for s in b) == wk(6)
    assert rp.diff.trainees == ["B"]
    # B's medicine stint (weeks 4-8) is cut to 4-6: one changed stint, starting within 6
    # weeks of today: 10 + 100.
    assert rp.result.objective == 110


def test_joining_trainee_gets_a_block():
    new = {"id": "D", "programme": "P8", "start": wk(4), "site": "NORD"}
    rp = replan_and_verify(region(), OLD, wk(3), changes(joining=[new]), time_limit=10,
                           workers=1)
    assert rp.result.status is Status.OPTIMAL
    assert rp.diff.removed == []  # nobody else moves
    assert {s.trainee for s in rp.diff.added} == {"D"}
    assert sum(s.weeks for s in rp.result.stints if s.trainee == "D") == 8


def test_capacity_change_moves_only_whom_it_must():
    # MED closes in weeks 4-8: B's medicine (4-8) and the rest of C's (2-6) must move. No
    # other unit credits medicine and B's block cannot grow: no plan keeps the history, and
    # the re-plan is proven infeasible.
    inst = region()
    ch = changes(capacity=[{"unit": "MED", "start": wk(4), "end": wk(8), "capacity": 0}])
    rp = replan_and_verify(inst, OLD, wk(3), ch, time_limit=10, workers=1)
    assert rp.result.status is Status.INFEASIBLE
    # With a second medical unit (one seat), only B and C move; A keeps its plan.
    inst2 = build([unit("MED", "medicin", capacity=3), unit("MED2", "medicin", capacity=1),
                   unit("PSY", "psykiatri", capacity=3)],
                  [trainee("A", 0, "P8"), trainee("B", 0, "P8"), trainee("C", 2, "P8")], [P8],
                  weeks=20)
    rp2 = replan_and_verify(inst2, OLD, wk(3), ch, time_limit=10, workers=1)
    assert rp2.result.status is Status.OPTIMAL and rp2.minimal
    assert rp2.diff.trainees == ["B", "C"]
    assert "MED2" in {s.unit for s in rp2.diff.added}


def test_changes_before_today_are_rejected():
    with pytest.raises(InputError, match=r"före --today|before --today"):
        replan_and_verify(region(), OLD, wk(3), changes(leave=[
            {"trainee": "A", "start": wk(1), "end": wk(2), "kind": "sjukskrivning"}]))
    with pytest.raises(InputError, match=r"finns inte|not in the instance"):
        replan_and_verify(region(), OLD, wk(3), changes(leaving=[{"trainee": "X", "on": wk(5)}]))


def test_history_rule_catches_a_changed_past():
    moved = [s for s in OLD if s.trainee != "A"] + [st("A", "PSY", "psykiatri", 0, 4),
                                                   st("A", "MED", "medicin", 4, 8)]
    assert checker.check(region(), moved) == []  # a valid plan on its own ...
    found = checker.check(region(), moved, history=checker.History(OLD, wk(3)))
    assert [v.rule for v in found] == ["frozen"]  # ... but it rewrites weeks 0-2 of A


def test_stint_weights():
    today = wk(10)
    assert stint_weight(st("A", "MED", "medicin", 12, 16), today) == 110  # within 6 weeks
    assert stint_weight(st("A", "MED", "medicin", 16, 20), today) == 10  # week 16: not within
    assert stint_weight(st("A", "VC", "allmanmedicin", 20, 26), today) == 60  # vårdcentral
    assert stint_weight(st("A", "VC", "allmanmedicin", 8, 14), today) == 160  # both
    assert replan_monday(date(2027, 1, 6)) == date(2027, 1, 11)
    assert replan_monday(date(2027, 1, 11)) == date(2027, 1, 11)


def test_near_changes_cost_more_than_far_ones():
    # One seat at PSY2; A's new leave in weeks 9-10 pushes A's block to week 10. Either A
    # changes far stints only, or others change near ones: the solver keeps near stints.
    inst = region()
    rp = replan_and_verify(inst, OLD, wk(3), changes(leave=[
        {"trainee": "C", "start": wk(8), "end": wk(10), "kind": "sjukskrivning"}]),
        time_limit=10, workers=1)
    # C's psychiatry (weeks 6-10, starting within 6 weeks of week 3) is split around the
    # leave: 110. Nothing else changes.
    assert rp.result.objective == 110 and rp.diff.trainees == ["C"]


# ---- CLI and the change workbook


def _files(tmp_path: Path, inst: Instance, old: list[Stint], ch: dict | None) -> list[str]:
    ipath, ppath = tmp_path / "instance.yaml", tmp_path / "old.csv"
    ipath.write_text(dump_instance(inst), encoding="utf-8")
    ppath.write_text(plan_to_csv(old), encoding="utf-8")
    args = [str(ipath), str(ppath)]
    if ch is not None:
        cpath = tmp_path / "change.yaml"
        cpath.write_text(yaml.safe_dump(ch, allow_unicode=True), encoding="utf-8")
        args += ["--change", str(cpath)]
    return args


def _rows(path: Path) -> set[tuple[str, ...]]:
    with path.open(encoding="utf-8") as fh:
        return {tuple(r) for r in list(csv.reader(fh))[1:]}


def test_cli_change_workbook_matches_plan_diff(tmp_path: Path):
    ch = {"leave": [{"trainee": "A", "start": "2027-02-08", "end": "2027-03-08",
                     "kind": "foraldraledighet"}]}
    out = tmp_path / "out"
    res = runner.invoke(cli.app, ["replan", *_files(tmp_path, region(), OLD, ch), "--today",
                                  "2027-01-25", "--out", str(out), "--workers", "1",
                                  "--time-limit", "10", "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "least possible change proven" in res.output
    old_rows, new_rows = _rows(tmp_path / "old.csv"), _rows(out / "plan.csv")
    wb = openpyxl.load_workbook(out / "changes.xlsx")
    ws = wb["Changed stints"]
    listed = {"removed": set(), "new": set()}
    for row in ws.iter_rows(min_row=2, values_only=True):
        kind, tid, prog, uid, _name, _disc, site, start, end, weeks, _cost = row
        code = next(s.discipline for s in read_plan_csv(out / "plan.csv")
                    + read_plan_csv(tmp_path / "old.csv")
                    if s.trainee == tid and s.unit == uid and s.start == start.date())
        # The sheet's end is inclusive (t.o.m. the Friday); plan.csv's the Monday after.
        listed[kind].add((tid, prog, uid, code, site, start.date().isoformat(),
                          (end.date() + timedelta(days=3)).isoformat(), str(weeks)))
    assert listed["removed"] == old_rows - new_rows
    assert listed["new"] == new_rows - old_rows
    assert listed["removed"]  # the leave did change something
    units = {r[0] for r in wb["Affected units"].iter_rows(min_row=2, values_only=True)}
    assert units == {r[2] for r in (old_rows ^ new_rows)}


def test_cli_no_changes_exit_0_and_same_plan(tmp_path: Path):
    out = tmp_path / "out"
    res = runner.invoke(cli.app, ["replan", *_files(tmp_path, region(), OLD, None), "--today",
                                  "2027-01-25", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert (out / "plan.csv").read_text(encoding="utf-8") == plan_to_csv(OLD)
    assert "0 ändrade rader" in res.output


def test_cli_bad_change_exit_2(tmp_path: Path):
    ch = {"leave": [{"trainee": "NOBODY", "start": "2027-02-08", "end": "2027-03-08",
                     "kind": "foraldraledighet"}]}
    res = runner.invoke(cli.app, ["replan", *_files(tmp_path, region(), OLD, ch), "--today",
                                  "2027-01-25", "--out", str(tmp_path / "out")])
    assert res.exit_code == 2
    assert "NOBODY" in res.output
    res = runner.invoke(cli.app, ["replan", *_files(tmp_path, region(), OLD, None), "--today",
                                  "tomorrow", "--out", str(tmp_path / "out")])
    assert res.exit_code == 2


def test_cli_infeasible_replan_exit_3_explains(tmp_path: Path):
    ch = {"capacity": [{"unit": "MED", "start": "2027-02-01", "end": "2027-03-01",
                        "capacity": 0}]}
    res = runner.invoke(cli.app, ["replan", *_files(tmp_path, region(), OLD, ch), "--today",
                                  "2027-01-25", "--out", str(tmp_path / "out"), "--lang", "en"])
    assert res.exit_code == 3
    assert "Why there is no plan" in res.output
    assert not (tmp_path / "out" / "plan.csv").exists()


# ---- block extension by leave (issue 5, item 4)


def test_leave_extends_block_by_its_length():
    # 6 service weeks (P6) from week 0; parental leave weeks 2-4 (2 weeks) -> ends week 8.
    # Vacation is service and does not extend.
    t = trainee(leave=[leave(2, 4)])
    inst = build([unit("MED", "medicin", capacity=None), unit("PSY", "psykiatri",
                                                              capacity=None)], [t])
    prog = inst.programme("P6")
    assert block_end(inst.trainees[0], prog) == wk(8) == checker.block_end(inst.trainees[0], prog)
    vac = build([unit("MED", "medicin"), unit("PSY", "psykiatri")],
                [trainee(leave=[leave(2, 4, "semester")])])
    assert block_end(vac.trainees[0], prog) == wk(6)


@pytest.mark.parametrize("part_time,leave_weeks,expected", [
    (100, 0, 6), (100, 3, 9), (75, 0, 8), (75, 2, 10), (50, 4, 16)])
def test_leave_extension_pro_rata_for_part_time(part_time: int, leave_weeks: int,
                                                expected: int):
    # Part time p: S = ceil(6 * 100 / p) calendar weeks (75 %: 8, 50 %: 12); a calendar week
    # of leave is a calendar week at p % (p % of a week's service), so the block grows by the
    # leave's calendar length: the extension is pro rata in service terms.
    extra = {"leave": [leave(1, 1 + leave_weeks)]} if leave_weeks else {}
    inst = build([unit("MED", "medicin", capacity=None),
                  unit("PSY", "psykiatri", capacity=None)],
                 [trainee(part_time=part_time, **extra)], weeks=20)
    t, prog = inst.trainees[0], inst.programme("P6")
    assert block_end(t, prog) == wk(expected) == checker.block_end(t, prog)
    r = api.solve_and_verify(inst, time_limit=10, workers=1)
    assert r.status is Status.OPTIMAL
    assert max(s.end for s in r.stints) == wk(expected)
    # A plan ending at the unextended end leaves the extension weeks uncovered.
    short = [s for s in r.stints if s.end <= wk(expected - leave_weeks)]
    if leave_weeks:
        assert "coverage" in {v.rule for v in checker.check(inst, short)}


def test_replan_leave_extends_the_block():
    ch = changes(leave=[{"trainee": "C", "start": wk(12), "end": wk(15),
                         "kind": "tjanstledighet"}])
    new = apply_changes(region(), ch)
    c = next(t for t in new.trainees if t.id == "C")
    # C: weeks 2-10 of service; leave after the block end (week 10) changes nothing.
    assert block_end(c, new.programme("P8")) == wk(10)
    ch2 = changes(leave=[{"trainee": "C", "start": wk(8), "end": wk(11),
                          "kind": "tjanstledighet"}])
    c2 = next(t for t in apply_changes(region(), ch2).trainees if t.id == "C")
    assert block_end(c2, new.programme("P8")) == wk(13)  # 3 weeks later
    _ = diff_plans, timedelta  # imported for the workbook test helpers


def test_part_time_change_lengthens_the_block():
    # C (weeks 2-10 at 100 %) goes to 75 % from today (week 3): the block is recomputed at
    # 75 % (MODEL.md: a part-time change applies to the whole block): ceil(8 * 100 / 75) = 11
    # weeks, but the minima become ceil(4 * 100 / 75) = 6 weeks each, 12 > 11, so S = 12
    # and the block ends at week 14.
    rp = replan_and_verify(region(), OLD, wk(3), changes(part_time=[
        {"trainee": "C", "percent": 75}]), time_limit=10, workers=1)
    assert rp.result.status is Status.OPTIMAL and rp.minimal
    c = sorted(s for s in rp.result.stints if s.trainee == "C")
    assert c[-1].end == wk(14)
    assert sum(s.weeks for s in c if s.discipline == "psykiatri") >= 6
    assert rp.diff.trainees == ["C"]


@settings(max_examples=20, deadline=None)
@given(who=st_.sampled_from(["A", "B", "C"]), first=st_.integers(3, 9),
       length=st_.integers(1, 4), today=st_.integers(1, 3))
def test_property_any_leave_gives_a_checked_least_change_plan(who: str, first: int,
                                                              length: int, today: int):
    """Random new leave: the re-plan passes every rule and the history rule, its change cost
    recomputed from the two plans equals the solver's, and only the trainee on leave changes
    (capacity is ample in region())."""
    if first < today:
        first = today
    rp = replan_and_verify(region(), OLD, wk(today), changes(leave=[
        {"trainee": who, "start": wk(first), "end": wk(first + length),
         "kind": "foraldraledighet"}]), time_limit=10, workers=1)
    r = rp.result
    assert r.status is Status.OPTIMAL and rp.minimal
    assert checker.check(rp.instance, r.stints,
                         history=checker.History(OLD, wk(today))) == []
    assert change_cost(OLD, r.stints, wk(today)) == r.objective == r.solver_objective
    assert set(rp.diff.trainees) <= {who}


def test_old_plan_with_violations_is_invalid_input():
    broken = [s for s in OLD if s.trainee != "C"]  # C has no stints: coverage
    with pytest.raises(InputError, match="C"):
        replan_and_verify(region(), broken, wk(3), Changes(), time_limit=5, workers=1)


@settings(max_examples=20, deadline=None)
@given(who=st_.sampled_from(["A", "B", "C"]), kind=st_.sampled_from(["leaving", "part_time"]),
       when=st_.integers(3, 9), percent=st_.sampled_from([50, 75, 80]),
       today=st_.integers(1, 4))
def test_property_leaving_or_part_time(who: str, kind: str, when: int, percent: int,
                                       today: int):
    """A trainee leaving or going part time: a checked plan, only that trainee changes."""
    when = max(when, today)
    ch = (changes(leaving=[{"trainee": who, "on": wk(when)}]) if kind == "leaving"
          else changes(part_time=[{"trainee": who, "percent": percent}]))
    try:
        rp = replan_and_verify(region(), OLD, wk(today), ch, time_limit=10, workers=1)
    except InputError:
        return  # e.g. leaving on or before the block start is rejected as input
    r = rp.result
    assert r.status is Status.OPTIMAL and rp.minimal
    assert checker.check(rp.instance, r.stints,
                         history=checker.History(OLD, wk(today))) == []
    assert change_cost(OLD, r.stints, wk(today)) == r.objective == r.solver_objective
    assert set(rp.diff.trainees) <= {who}


def test_stint_resumed_after_leave_completes_the_interrupted_one():
    # M8: 8 weeks of medicine at MED (stints 6-8 weeks). Leave in weeks 6-7 interrupts it:
    # MED 0-6, leave, MED 8-10. The resumed part (2 weeks) is below the minimum of 6, but it
    # completes the interrupted stint (MODEL.md, stint_length): valid, one change of unit.
    m8 = programme("M8", 8, ("medicin", 8, None))
    inst = build([unit("MED", "medicin", capacity=None, min_weeks=6, max_weeks=8)],
                 [trainee(programme="M8", leave=[leave(6, 8)])], [m8], weeks=12)
    plan = [Stint("T1", wk(0), wk(6), "MED", "medicin", "M8", "NORD"),
            Stint("T1", wk(8), wk(10), "MED", "medicin", "M8", "NORD")]
    assert checker.check(inst, plan) == []
    # Not after leave (a gap of service weeks instead): the short stint is too short.
    inst2 = build([unit("MED", "medicin", capacity=None, min_weeks=6, max_weeks=8)],
                  [trainee(programme="M8")], [m8], weeks=12)
    moved = [Stint("T1", wk(0), wk(6), "MED", "medicin", "M8", "NORD"),
             Stint("T1", wk(6), wk(8), "MED", "medicin", "M8", "NORD")]
    assert "stint_length" in {v.rule for v in checker.check(inst2, moved)}
    r = api.solve_and_verify(inst, time_limit=10, workers=1)
    assert r.status is Status.OPTIMAL and r.objective == 1  # two stints at MED: 1 change


@pytest.mark.parametrize("today", [1, 3])
def test_replan_with_opening_stint_under_way_or_done(today: int):
    # Gävle-like: the block opens with 2 weeks of medicine at the unit where it also ends.
    # Re-planning in the opening (week 1) or after it (week 3), with new leave in weeks 5-6,
    # keeps the opening as history and the order rules hold (checked).
    g = programme("G", 8, ("medicin", 4, None), ("psykiatri", 2, None),
                  starts_with={"discipline": "medicin", "weeks": 2, "same_unit_as_end": True})
    inst = build([unit("MED", "medicin", capacity=None), unit("MED2", "medicin", capacity=None),
                  unit("PSY", "psykiatri", capacity=None)],
                 [trainee("A", 0, "G"), trainee("B", 0, "G")], [g], weeks=16)
    old = api.solve_and_verify(inst, time_limit=10, workers=1).stints
    rp = replan_and_verify(inst, old, wk(today), changes(leave=[
        {"trainee": "A", "start": wk(5), "end": wk(7), "kind": "foraldraledighet"}]),
        time_limit=10, workers=1)
    assert rp.result.status is Status.OPTIMAL and rp.minimal
    assert checker.check(rp.instance, rp.result.stints,
                         history=checker.History(old, wk(today))) == []
    assert rp.diff.trainees == ["A"]


def test_leave_past_the_horizon_extends_the_horizon():
    # region() has 20 weeks; C's block (weeks 2-10) plus 12 weeks of leave ends at week 22:
    # the planning window grows to hold it instead of rejecting the change.
    rp = replan_and_verify(region(), OLD, wk(3), changes(leave=[
        {"trainee": "C", "start": wk(8), "end": wk(20), "kind": "foraldraledighet"}]),
        time_limit=10, workers=1)
    assert rp.instance.horizon.end == wk(22)
    assert rp.result.status is Status.OPTIMAL
    assert max(s.end for s in rp.result.stints if s.trainee == "C") == wk(22)


def test_infeasible_replan_is_explained_without_blaming_history(tmp_path: Path):
    # PSY has one seat, stints at most 4 weeks. A's psychiatry (4-8) is hit by leave in
    # weeks 5-6 and A's block now ends at week 10; B holds PSY until week 4 (history running
    # across today, week 3) and C from week 8: A's 4 weeks no longer fit. The explanation
    # names PSY's capacity against the psychiatry minima and A's leave, never a past stint
    # (history is background), and its extra capacity works under the same history.
    inst = build([unit("MED", "medicin", capacity=3),
                  unit("PSY", "psykiatri", capacity=1, min_weeks=4, max_weeks=4)],
                 [trainee("A", 0, "P8"), trainee("B", 0, "P8"), trainee("C", 4, "P8")], [P8],
                 weeks=20)
    old = [st("A", "MED", "medicin", 0, 4), st("A", "PSY", "psykiatri", 4, 8),
           st("B", "PSY", "psykiatri", 0, 4), st("B", "MED", "medicin", 4, 8),
           st("C", "MED", "medicin", 4, 8), st("C", "PSY", "psykiatri", 8, 12)]
    assert checker.check(inst, old) == []
    ch = {"leave": [{"trainee": "A", "start": "2027-02-08", "end": "2027-02-22",
                     "kind": "foraldraledighet"}]}
    res = runner.invoke(cli.app, ["replan", *_files(tmp_path, inst, old, ch), "--today",
                                  "2027-01-25", "--out", str(tmp_path / "out"), "--lang", "en",
                                  "--workers", "1"])
    assert res.exit_code == 3, res.output
    assert "A: parental leave weeks 6–7 2027" in res.output
    assert "Psychiatry weeks 1–12 2027: 2 P8 trainees need 4 weeks each" in res.output
    assert "locked stint" not in res.output
    assert "+1 supervisors at Enhet PSY (PSY)" in res.output
    assert "(verified: with the change a plan exists)" in res.output


def test_short_part_before_leave_is_an_interrupted_stint():
    # M8 at MED (stints 6-8 weeks), leave in weeks 2-3: MED 0-2, leave, MED 4-10. The part
    # before the leave (2 weeks) is below the minimum too, but it is the first part of an
    # interrupted stint (MODEL.md, stint_length). Without the exemption no plan exists.
    m8 = programme("M8", 8, ("medicin", 8, None))
    inst = build([unit("MED", "medicin", capacity=None, min_weeks=6, max_weeks=8)],
                 [trainee(programme="M8", leave=[leave(2, 4)])], [m8], weeks=12)
    r = api.solve_and_verify(inst, time_limit=10, workers=1)
    assert r.status is Status.OPTIMAL and r.objective == 1  # two parts: one change
    assert sorted((inst.week_index(s.start), inst.week_index(s.end)) for s in r.stints) == \
        [(0, 2), (4, 10)]
