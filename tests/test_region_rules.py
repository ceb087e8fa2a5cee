"""Issue 22: rules regions use that the format could not say, each in model and checker.

Catchments (``takes_from``) and seats per programme inside a unit (``capacity_by_programme``,
``reserved_seats``). Tiny hand-solvable instances; the arithmetic is in the comments. Every
solver test asserts the status, the optimum and that the independent checker accepts the plan;
every checker test injects one fault. Names are invented.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from scheduler import verify as checker
from scheduler.domain import Instance
from scheduler.plan import Stint
from scheduler.result import Status
from scheduler.solver.solve import solve

H0 = date(2027, 1, 4)
NO_WEIGHTS = {"unit_changes": 0, "fragmentation": 0, "staffing_shortfall": 0,
              "peak_utilisation": 0}
SITES = [{"id": "FAL", "name": "Falun"}, {"id": "LUD", "name": "Ludvika"},
         {"id": "MORA", "name": "Mora"}, {"id": "BOR", "name": "Borlänge"}]


def wk(n: int) -> date:
    return H0 + timedelta(weeks=n)


def programme(pid: str, length: int, *reqs: tuple[str, int]) -> dict:
    return {"id": pid, "name": f"Program {pid}", "kind": "other", "regulation": "test",
            "length_weeks": length,
            "requirements": [{"discipline": d, "min_weeks": lo} for d, lo in reqs]}


# 4 weeks: 2 of medicine and 2 of psychiatry (or of acute care, for the seat tests).
P4 = programme("P4", 4, ("medicin", 2), ("psykiatri", 2))
A4 = programme("A4", 4, ("medicin", 2), ("akut", 2))
B4 = programme("B4", 4, ("medicin", 2), ("akut", 2))


def unit(uid: str, site: str, *disciplines: str, capacity: int | None = 1, **extra) -> dict:
    return {"id": uid, "name": f"Enhet {uid}", "site": site, "disciplines": list(disciplines),
            "capacity": capacity, "min_weeks": 2, "max_weeks": 2, **extra}


def people(n: int, programme: str, site: str, prefix: str) -> list[dict]:
    return [{"id": f"{prefix}{i}", "programme": programme, "start": H0, "site": site}
            for i in range(1, n + 1)]


def build(units: list[dict], trainees: list[dict], programmes: list[dict]) -> Instance:
    return Instance.model_validate({
        "name": "Testregionen", "horizon": {"start": H0, "end": wk(8)},
        "programmes": programmes, "sites": SITES, "units": units, "trainees": trainees,
        "weights": {**NO_WEIGHTS, "unit_changes": 1}})


def run(inst: Instance):
    return solve(inst, time_limit=10, workers=1, seed=0)


def at(inst: Instance, stints: list[Stint], uid: str, prefix: str = "") -> Counter[int]:
    """Trainees (whose id starts with ``prefix``) at ``uid`` per week index."""
    return Counter(w for s in stints if s.unit == uid and s.trainee.startswith(prefix)
                   for w in range(inst.week_index(s.start), inst.week_index(s.end)))


def stint(tid: str, prog: str, uid: str, disc: str, a: int, b: int, site: str) -> Stint:
    return Stint(tid, wk(a), wk(b), uid, disc, prog, site)


# --------------------------------------------------------------------------------------------
# Catchments (takes_from)


def catchment_instance(n_mora: int, takes_from: list[str]) -> Instance:
    """Psychiatry in Borlänge (3 seats, catchment ``takes_from``) and in Mora (1 seat);
    medicine region-wide with room for all."""
    return build([unit("MED", "FAL", "medicin", capacity=10, region_wide=True),
                  unit("PSY-BOR", "BOR", "psykiatri", capacity=3, takes_from=takes_from),
                  unit("PSY-MORA", "MORA", "psykiatri", capacity=1)],
                 people(n_mora, "P4", "MORA", "M") + people(2, "P4", "FAL", "F"), [P4])


def test_catchment_plans_mora_only_where_allowed():
    # 2 Mora trainees, 4 weeks each (2 medicine + 2 psychiatry): Mora's one seat gives
    # 2 x 2 = 4 seat-weeks in weeks 0-4, exactly enough if they take turns. Falun's two go
    # to Borlänge. Each trainee 2 stints: 4 x 1 change = 4.
    inst = catchment_instance(2, ["FAL", "LUD"])
    r = run(inst)
    assert r.status is Status.OPTIMAL and r.objective == 4
    assert checker.check(inst, r.stints) == []
    assert at(inst, r.stints, "PSY-BOR", "M") == Counter()
    assert at(inst, r.stints, "PSY-MORA", "M") == Counter({0: 1, 1: 1, 2: 1, 3: 1})


def test_catchment_refuses_mora_so_three_cannot_fit():
    # 3 Mora trainees need 3 x 2 = 6 psychiatry seat-weeks in weeks 0-4; Mora has 4 and
    # Borlänge does not take Mora: no plan. With Mora in the catchment there is one.
    assert run(catchment_instance(3, ["FAL", "LUD"])).status is Status.INFEASIBLE
    inst = catchment_instance(3, ["FAL", "LUD", "MORA"])
    r = run(inst)
    assert r.status is Status.OPTIMAL and checker.check(inst, r.stints) == []
    assert sum(at(inst, r.stints, "PSY-BOR", "M").values()) >= 2


def test_catchment_unknown_site_and_region_wide_are_input_errors():
    with pytest.raises(ValidationError, match="'NOWHERE'"):
        catchment_instance(1, ["FAL", "NOWHERE"])
    with pytest.raises(ValidationError, match="motsäger"):
        build([unit("PSY", "BOR", "psykiatri", region_wide=True, takes_from=["FAL"])], [],
              [P4])


def test_catchment_with_no_unit_for_a_site_is_an_input_error():
    with pytest.raises(ValidationError, match="psykiatri"):
        build([unit("MED", "FAL", "medicin", region_wide=True),
               unit("PSY-BOR", "BOR", "psykiatri", takes_from=["FAL"])],
              people(1, "P4", "MORA", "M"), [P4])


def test_checker_refuses_a_site_outside_the_catchment():
    inst = catchment_instance(1, ["FAL", "LUD"])
    ok = [stint("F1", "P4", "MED", "medicin", 0, 2, "FAL"),
          stint("F1", "P4", "PSY-BOR", "psykiatri", 2, 4, "BOR"),
          stint("F2", "P4", "PSY-BOR", "psykiatri", 0, 2, "BOR"),
          stint("F2", "P4", "MED", "medicin", 2, 4, "FAL"),
          stint("M1", "P4", "MED", "medicin", 0, 2, "FAL"),
          stint("M1", "P4", "PSY-MORA", "psykiatri", 2, 4, "MORA")]
    assert checker.check(inst, ok) == []
    bad = ok[:-1] + [stint("M1", "P4", "PSY-BOR", "psykiatri", 2, 4, "BOR")]
    found = checker.check(inst, bad)
    assert [(v.rule, v.trainee, v.unit) for v in found] == [("eligibility", "M1", "PSY-BOR")]
    assert "MORA" in found[0].message and "takes_from" in found[0].message


# --------------------------------------------------------------------------------------------
# Seats per programme (capacity_by_programme, reserved_seats)


def seats_instance(n_a: int, n_b: int, **seats: Any) -> Instance:
    """An acute unit of 3 seats with ``seats`` rules; medicine with room for all. Every
    trainee needs 2 weeks of each within a 4-week block starting in week 0."""
    return build([unit("MED", "FAL", "medicin", capacity=10),
                  unit("AKM", "FAL", "akut", capacity=3, **seats)],
                 people(n_a, "A4", "FAL", "A") + people(n_b, "B4", "FAL", "B"), [A4, B4])


def test_programme_seat_cap_binds_and_the_other_programme_uses_the_rest():
    # AKM: 3 seats, at most 1 for A4. 2 A need 2 x 2 = 4 A-seat-weeks in weeks 0-4 (one
    # seat x 4 weeks: they take turns); 4 B need 8 = the other 2 seats x 4 weeks. Every
    # week AKM holds exactly 1 A and 2 B. 6 trainees x 1 change = 6.
    inst = seats_instance(2, 4, capacity_by_programme={"A4": 1})
    r = run(inst)
    assert r.status is Status.OPTIMAL and r.objective == 6
    assert checker.check(inst, r.stints) == []
    assert at(inst, r.stints, "AKM", "A") == Counter({0: 1, 1: 1, 2: 1, 3: 1})
    assert at(inst, r.stints, "AKM", "B") == Counter({0: 2, 1: 2, 2: 2, 3: 2})


def test_programme_seat_cap_makes_a_third_trainee_impossible():
    # 3 A need 6 A-seat-weeks; the cap gives 1 x 4 = 4 (the unit's 12 would do).
    assert run(seats_instance(3, 0, capacity_by_programme={"A4": 1})).status \
        is Status.INFEASIBLE
    assert run(seats_instance(3, 0)).status is Status.OPTIMAL


def test_reserved_seat_is_kept_from_the_other_programme():
    # AKM: 3 seats, 1 reserved for B4. 5 A need 10 seat-weeks; they may use 2 seats x 4
    # weeks = 8: no plan. 4 A need 8: a plan, with at most 2 A in any week.
    assert run(seats_instance(5, 0, reserved_seats={"B4": 1})).status is Status.INFEASIBLE
    inst = seats_instance(4, 1, reserved_seats={"B4": 1})
    r = run(inst)
    assert r.status is Status.OPTIMAL and checker.check(inst, r.stints) == []
    assert max(at(inst, r.stints, "AKM", "A").values()) == 2


def test_checker_counts_seats_per_programme():
    inst = seats_instance(2, 1, capacity_by_programme={"A4": 1})
    turns = [stint("A1", "A4", "AKM", "akut", 0, 2, "FAL"),
             stint("A1", "A4", "MED", "medicin", 2, 4, "FAL"),
             stint("A2", "A4", "MED", "medicin", 0, 2, "FAL"),
             stint("A2", "A4", "AKM", "akut", 2, 4, "FAL"),
             stint("B1", "B4", "AKM", "akut", 0, 2, "FAL"),
             stint("B1", "B4", "MED", "medicin", 2, 4, "FAL")]
    assert checker.check(inst, turns) == []
    # A2 at AKM in weeks 0-2 beside A1: 2 A4 trainees, 1 seat; 3 trainees fit the unit.
    together = turns[:2] + [stint("A2", "A4", "AKM", "akut", 0, 2, "FAL"),
                            stint("A2", "A4", "MED", "medicin", 2, 4, "FAL")] + turns[4:]
    found = checker.check(inst, together)
    assert [(v.rule, v.unit, v.week) for v in found] == [("seats", "AKM", wk(0))]
    assert "A4" in found[0].message and "2" in found[0].message


def test_checker_keeps_reserved_seats():
    # 3 seats, 1 reserved for B4: three A in one week leave B4's seat taken (3 beyond their
    # reservation of 0 > 3 - 1 = 2 unreserved seats); two A and one B fit.
    inst = seats_instance(3, 1, reserved_seats={"B4": 1})
    rows = [("A1", 0), ("A2", 0), ("A3", 2), ("B1", 2)]
    ok = [x for tid, a in rows for x in (
        stint(tid, tid[0] + "4", "AKM", "akut", a, a + 2, "FAL"),
        stint(tid, tid[0] + "4", "MED", "medicin", 2 - a, 4 - a, "FAL"))]
    assert checker.check(inst, ok) == []
    rows = [("A1", 0), ("A2", 0), ("A3", 0), ("B1", 2)]
    bad = [x for tid, a in rows for x in (
        stint(tid, tid[0] + "4", "AKM", "akut", a, a + 2, "FAL"),
        stint(tid, tid[0] + "4", "MED", "medicin", 2 - a, 4 - a, "FAL"))]
    found = checker.check(inst, bad)
    assert [(v.rule, v.unit, v.week) for v in found] == [("seats", "AKM", wk(0))]
    # The seat rules hold even with soft capacity (capacity is the only soft rule).
    assert [v.rule for v in checker.check(inst, bad, soft_capacity=True)] == ["seats"]


def test_reserved_seats_over_capacity_is_an_input_error():
    with pytest.raises(ValidationError, match="reserverade platser"):
        seats_instance(1, 1, reserved_seats={"A4": 2, "B4": 2})


# --------------------------------------------------------------------------------------------
# Stint lengths in full-time weeks, stretched by part time (calendar_stints keeps them)


def part_time_instance(part_time: int, *psy_units: dict) -> Instance:
    """One trainee of P4 (2 weeks medicine + 2 psychiatry, full-time weeks) at ``part_time``;
    every unit's stint is exactly 2 full-time weeks."""
    units = [unit("MED", "FAL", "medicin"), *(psy_units or [unit("PSY", "FAL", "psykiatri")])]
    return build(units, [{"id": "T1", "programme": "P4", "start": H0, "site": "FAL",
                          "part_time": part_time}], [P4])


def test_part_time_stretches_the_stint_range():
    # 50 %: the block is 4 * 100 / 50 = 8 calendar weeks, medicine and psychiatry 4 each; a
    # 2-week stint lasts ceil(2 * 100 / 50) = 4 calendar weeks: MED 4 + PSY 4, one change.
    inst = part_time_instance(50)
    r = run(inst)
    assert r.status is Status.OPTIMAL and r.objective == 1
    assert checker.check(inst, r.stints) == []
    assert sorted(s.weeks for s in r.stints) == [4, 4]
    # 75 %: block ceil(400 / 75) = 6, each need ceil(200 / 75) = 3; a stint lasts
    # floor(200 / 75) = 2 to ceil(200 / 75) = 3 weeks, so 3 + 3.
    inst = part_time_instance(75)
    r = run(inst)
    assert r.status is Status.OPTIMAL and sorted(s.weeks for s in r.stints) == [3, 3]
    assert checker.check(inst, r.stints) == []


def test_calendar_stints_keep_the_calendar_range():
    # PSY insists on 2 calendar weeks: the 50 % trainee needs 4 weeks of psychiatry, one stint
    # per unit and discipline, so one such unit cannot give it (no plan) and two can
    # (MED 4 + PSY 2 + PSY2 2: 2 changes).
    one = part_time_instance(50, unit("PSY", "FAL", "psykiatri", calendar_stints=True))
    assert run(one).status is Status.INFEASIBLE
    two = part_time_instance(50, unit("PSY", "FAL", "psykiatri", calendar_stints=True),
                             unit("PSY2", "FAL", "psykiatri", calendar_stints=True))
    r = run(two)
    assert r.status is Status.OPTIMAL and r.objective == 2
    assert checker.check(two, r.stints) == []
    assert sorted(s.weeks for s in r.stints if s.discipline == "psykiatri") == [2, 2]


def test_checker_stretches_stint_lengths_by_part_time():
    inst = part_time_instance(50)
    ok = [stint("T1", "P4", "MED", "medicin", 0, 4, "FAL"),
          stint("T1", "P4", "PSY", "psykiatri", 4, 8, "FAL")]
    assert checker.check(inst, ok) == []
    # 3 + 5 weeks: MED's stint is shorter than 4 = 2 * 100 / 50, PSY's longer (and
    # 3 weeks of medicine are short of the 4 the requirement needs at 50 %).
    bad = [stint("T1", "P4", "MED", "medicin", 0, 3, "FAL"),
           stint("T1", "P4", "PSY", "psykiatri", 3, 8, "FAL")]
    found = checker.check(inst, bad)
    assert [(v.rule, v.unit) for v in found] == [("stint_length", "MED"),
                                                 ("stint_length", "PSY"), ("requirement", None)]
    assert "4 veckor" in found[0].message
    # A unit with calendar_stints is held to its 2 calendar weeks.
    cal = part_time_instance(50, unit("PSY", "FAL", "psykiatri", calendar_stints=True))
    assert [v.rule for v in checker.check(cal, ok)] == ["stint_length"]


# --------------------------------------------------------------------------------------------
# The workbook says them too: columns on Enheter, the sheet Platser per program


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_workbook_round_trip_of_catchments_seats_and_calendar_stints(tmp_path, lang):
    from scheduler.workbook.reader import read_workbook
    from scheduler.workbook.template import write_template

    inst = build([unit("MED", "FAL", "medicin", capacity=10, calendar_stints=True,
                       region_wide=True),
                  unit("AKM", "BOR", "akut", capacity=3, takes_from=["FAL", "LUD"],
                       capacity_by_programme={"A4": 1}, reserved_seats={"B4": 1})],
                 people(1, "A4", "FAL", "A") + people(1, "B4", "LUD", "B"), [A4, B4])
    path = tmp_path / "region.xlsx"
    write_template(path, inst, lang)
    assert read_workbook(path) == inst


def test_workbook_seat_row_errors_are_located(tmp_path):
    import openpyxl

    from scheduler.inputs.yaml_io import InputError
    from scheduler.workbook.reader import read_workbook
    from scheduler.workbook.template import write_template

    inst = seats_instance(1, 1, capacity_by_programme={"A4": 1})
    path = tmp_path / "region.xlsx"
    write_template(path, inst, "sv")
    wb = openpyxl.load_workbook(path)
    ws = wb["Platser per program"]
    assert [c.value for c in ws[1]][:4] == ["Enhet", "Program", "Högst samtidigt",
                                            "Reserverade platser"]
    ws["C2"] = -1  # at most -1 trainees of A4
    ws.append(["AKM", "X9", 1, None])  # an unknown programme
    wb.save(path)
    with pytest.raises(InputError) as err:
        read_workbook(path)
    text = str(err.value)
    assert "Platser per program, rad 2, Högst samtidigt" in text
    assert "Platser per program, rad 3, Program" in text and "X9" in text


def test_whatif_seats_change_sets_and_removes_seat_rules():
    from scheduler.whatif.scenario import Scenario, derive

    base = seats_instance(2, 1)
    cap = derive(base, Scenario.model_validate({"name": "at-most-1", "changes": [
        {"seats": {"units": ["AKM"], "programme": "A4", "most": 1}},
        {"seats": {"units": ["AKM"], "programme": "B4", "reserved": 1}}]}))
    akm = cap.unit("AKM")
    assert akm.capacity_by_programme == {"A4": 1} and akm.reserved_seats == {"B4": 1}
    back = derive(cap, Scenario.model_validate({"name": "undo", "changes": [
        {"seats": {"units": ["AKM"], "programme": "A4", "most": None}},
        {"seats": {"units": ["AKM"], "programme": "B4", "reserved": 0}}]}))
    assert back.unit("AKM").capacity_by_programme == {}
    assert back.unit("AKM").reserved_seats == {}
    with pytest.raises(ValidationError, match="most or reserved"):
        Scenario.model_validate({"name": "x", "changes": [
            {"seats": {"units": ["AKM"], "programme": "A4"}}]})


# --------------------------------------------------------------------------------------------
# Introduction / course weeks: service at no unit that counts toward the block


def intro_instance(intro: int, length: int = 6, **trainee: Any) -> Instance:
    prog = {**programme("I6", length, ("medicin", 2), ("psykiatri", 2)),
            "introduction_weeks": intro}
    return build([unit("MED", "FAL", "medicin", capacity=1, min_weeks=2, max_weeks=3),
                  unit("PSY", "FAL", "psykiatri")],
                 [{"id": "T1", "programme": "I6", "start": H0, "site": "FAL", **trainee}],
                 [prog])


def test_introduction_weeks_count_toward_the_block():
    # 6 weeks: 2 introduction (weeks 0-1, no unit) + 2 medicine + 2 psychiatry; the block
    # still ends after week 5 (6 weeks, not 8). One change.
    inst = intro_instance(2)
    r = run(inst)
    assert r.status is Status.OPTIMAL and r.objective == 1
    assert checker.check(inst, r.stints) == []
    weeks = sorted(w for s in r.stints
                   for w in range(inst.week_index(s.start), inst.week_index(s.end)))
    assert weeks == [2, 3, 4, 5]
    # 3 introduction weeks leave 3 for 4 weeks of minima: the programme is refused.
    with pytest.raises(ValidationError, match="kräver minst 7 veckor"):
        intro_instance(3)


def test_introduction_weeks_follow_leave_at_the_start():
    # Parental leave in weeks 0-1 pushes the block to week 8; the introduction is weeks 2-3.
    inst = intro_instance(2, leave=[{"kind": "foraldraledighet", "start": H0, "end": wk(2)}])
    r = run(inst)
    assert r.status is Status.OPTIMAL and checker.check(inst, r.stints) == []
    assert min(inst.week_index(s.start) for s in r.stints) == 4


def test_checker_refuses_a_stint_in_the_introduction_weeks():
    inst = intro_instance(2)
    ok = [stint("T1", "I6", "MED", "medicin", 2, 4, "FAL"),
          stint("T1", "I6", "PSY", "psykiatri", 4, 6, "FAL")]
    assert checker.check(inst, ok) == []
    early = [stint("T1", "I6", "MED", "medicin", 1, 4, "FAL"), ok[1]]
    found = checker.check(inst, early)
    assert [(v.rule, v.week) for v in found] == [("coverage", wk(1))]
    assert "introduktionsveckor" in found[0].message


def test_workbook_round_trip_of_introduction_weeks(tmp_path):
    from scheduler.workbook.reader import read_workbook
    from scheduler.workbook.template import write_template

    inst = intro_instance(2)
    path = tmp_path / "region.xlsx"
    write_template(path, inst, "sv")
    back = read_workbook(path)
    assert back == inst and back.programme("I6").introduction_weeks == 2


def test_stretched_least_rounds_down_and_most_up():
    # 80 %: least 1 stays floor(100 / 80) = 1 (a one-week stint a full-timer may have),
    # least 4 -> floor(400 / 80) = 5, most 4 -> ceil(400 / 80) = 5, most 3 -> ceil(3.75) = 4.
    u = Instance.model_validate({
        "name": "x", "horizon": {"start": H0, "end": wk(8)}, "programmes": [P4],
        "sites": SITES, "units": [unit("MED", "FAL", "medicin", min_weeks=1, max_weeks=3),
                                  unit("PSY", "FAL", "psykiatri", min_weeks=4, max_weeks=4)]})
    assert u.unit("MED").stint_range("P4", 80) == (1, 4)
    assert u.unit("PSY").stint_range("P4", 80) == (5, 5)
    assert u.unit("PSY").stint_range("P4", 100) == (4, 4)


def test_seat_limits_stay_hard_with_soft_capacity():
    # As the binding test, with capacity soft: a second A4 trainee at AKM would cost no
    # capacity overrun (3 seats) but breaks the seat limit, so the plan keeps them apart.
    inst = seats_instance(2, 4, capacity_by_programme={"A4": 1})
    r = solve(inst, time_limit=10, workers=1, seed=0, soft_capacity=True)
    assert r.status is Status.OPTIMAL and r.objective == 6
    assert checker.check(inst, r.stints, soft_capacity=True) == []
    assert max(at(inst, r.stints, "AKM", "A").values()) == 1


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_introduction_weeks_are_shown_in_the_workbook_and_personal_plan(lang, tmp_path):
    import io

    import openpyxl

    from scheduler.report.excel import INTRO_COLOUR, build_workbook
    from scheduler.report.picture import overview
    from scheduler.result import Result
    from scheduler.workbook.rosters import personal_plan

    # Parental leave in weeks 0-1, introduction in weeks 2-3 (the first weeks not on leave),
    # stints in weeks 4-7: the grid reads Ledig, -, Intro, -, MED ...
    inst = intro_instance(2, leave=[{"kind": "foraldraledighet", "start": H0, "end": wk(2)}])
    stints = [stint("T1", "I6", "MED", "medicin", 4, 6, "FAL"),
              stint("T1", "I6", "PSY", "psykiatri", 6, 8, "FAL")]
    assert checker.check(inst, stints) == []
    wb = openpyxl.load_workbook(io.BytesIO(build_workbook(
        inst, Result(status=Status.FEASIBLE, stints=stints), lang=lang)))
    ws = wb["Plan"]
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == "T1")
    grid = [ws.cell(row=row, column=7 + w) for w in range(8)]  # week w is column 7 + w
    assert [c.value for c in grid[:5]] == ["Ledig" if lang == "sv" else "Leave", None,
                                           "Intro", None, "MED"]
    assert all(c.fill.fgColor.rgb.endswith(INTRO_COLOUR) for c in grid[2:4])
    legend = [str(r[1].value) for r in ws.iter_rows(min_row=row + 1) if r[0].value == "Intro"]
    assert len(legend) == 1 and ("introduktionsveckor" if lang == "sv"
                                 else "introduction weeks") in legend[0]

    buf = io.BytesIO()
    personal_plan(inst, inst.all_trainees()[0], stints, {}, lang).save(buf)
    plan = openpyxl.load_workbook(buf)["Plan"]
    rows = [[c.value for c in r] for r in plan.iter_rows(min_row=2)]
    # leave (weeks 0-1), introduction (weeks 2-3: v. 3 2027 until Friday 2027-01-29), 2 stints
    assert len(rows) == 4
    start, until, weeks, unit_id, text = rows[1][:5]
    assert (start.date(), until.date(), weeks, unit_id) == (wk(2), date(2027, 1, 29), 2, None)
    assert text.startswith("Introduktion v. 3 2027 – t.o.m. 2027-01-29" if lang == "sv"
                           else "Introduction week 3 2027 – until 2027-01-29")

    # The overview picture: one neutral bar over the introduction weeks.
    fig = overview(inst, stints, lang)
    bars = [c for ax in fig.axes for c in ax.collections if c.get_gid() == "introduction"]
    assert len(bars) == 1 and len(bars[0].get_paths()) == 1
    xs = bars[0].get_paths()[0].vertices[:, 0]
    from matplotlib import dates as mdates
    assert (xs.min(), xs.max()) == (mdates.date2num(wk(2)), mdates.date2num(wk(4)))
