"""Tests of the independent plan checker (scheduler/verify/) against docs/MODEL.md.

Every rule gets a valid plan that passes and the same plan with exactly one injected fault that
yields exactly that rule. Instances are tiny and built here; names are invented.
"""

from __future__ import annotations

import ast
import itertools
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler import domain
from scheduler import verify as checker
from scheduler.domain import Instance
from scheduler.inputs.yaml_io import load_instance, load_programme
from scheduler.plan import Stint
from scheduler.verify import check, evaluate, objective

ROOT = Path(__file__).resolve().parent.parent
H0 = date(2027, 1, 4)  # horizon start; 156 weeks to 2029-12-31
PROGRAMMES = [load_programme(ROOT / "constraints" / f).model_dump(mode="json")
              for f in ("at-18-nationell.yaml", "at-18-gavle.yaml", "bt-12.yaml")]
# 14 weeks: >= 4 medicine, 4-8 general practice, optional psychiatry.
MINI = {"id": "MINI", "name": "Miniprogram", "kind": "other", "regulation": "test",
        "length_weeks": 14,
        "requirements": [{"discipline": "medicin", "min_weeks": 4},
                         {"discipline": "allmanmedicin", "min_weeks": 4, "max_weeks": 8},
                         {"discipline": "psykiatri", "min_weeks": 0}]}
UNITS: list[dict[str, Any]] = [
    {"id": "MED", "name": "Medicinkliniken", "site": "NORD", "disciplines": ["medicin", "akut"],
     "capacity": 2, "min_weeks": 4, "max_weeks": 30},
    {"id": "KIR", "name": "Kirurgkliniken", "site": "NORD", "disciplines": ["kirurgi", "akut"],
     "capacity": 2, "min_weeks": 4},
    {"id": "MED-SYD", "name": "Medicin Syd", "site": "SYD", "disciplines": ["medicin"],
     "capacity": 2, "min_weeks": 4},
    {"id": "ONLY-BT", "name": "BT-mottagningen", "site": "NORD", "disciplines": ["medicin"],
     "capacity": None, "programmes": ["BT12"]},
    {"id": "PSY", "name": "Psykiatrin", "site": "NORD", "region_wide": True,
     "disciplines": ["psykiatri"], "capacity": 2, "min_weeks": 4},
    {"id": "VC1", "name": "Vårdcentralen Ekbacken", "site": "NORD", "region_wide": True,
     "disciplines": ["allmanmedicin"], "capacity": 1, "min_weeks": 4},
    {"id": "VC2", "name": "Vårdcentralen Granlund", "site": "NORD", "region_wide": True,
     "disciplines": ["allmanmedicin"], "capacity": 1, "min_weeks": 4},
]
SITE = {u["id"]: u["site"] for u in UNITS}


def wk(n: int) -> date:
    return H0 + timedelta(weeks=n)


def make(trainees: list[dict] | None = None, units: dict[str, dict] | None = None,
         **extra) -> Instance:
    """The test region; ``units`` patches unit fields by id."""
    us = [{**u, **(units or {}).get(u["id"], {})} for u in UNITS]
    trainees = trainees if trainees is not None else [trainee()]
    return Instance.model_validate({
        "name": "Testregionen", "horizon": {"start": H0, "end": wk(156)},
        "programmes": [MINI, *PROGRAMMES],
        "sites": [{"id": "NORD", "name": "Norrby"}, {"id": "SYD", "name": "Söderby"}],
        "units": us, "trainees": trainees, **extra})


def trainee(tid: str = "T1", programme: str = "MINI", start: int = 0, **kw) -> dict:
    return {"id": tid, "programme": programme, "start": wk(start), "site": "NORD", **kw}


def plan(tid: str, programme: str, start: int, *parts: tuple[str | None, str | None, int]):
    """Consecutive stints from week ``start``; a part with unit None skips its weeks (leave)."""
    out, w = [], start
    for unit, disc, n in parts:
        if unit is not None:
            out.append(Stint(trainee=tid, start=wk(w), end=wk(w + n), unit=unit,
                             discipline=disc or "",
                             programme=programme, site=SITE.get(unit, "NORD")))
        w += n
    return out


def base(tid: str = "T1", start: int = 0) -> list[Stint]:
    return plan(tid, "MINI", start, ("MED", "medicin", 7), ("VC1", "allmanmedicin", 7))


def rules(instance: Instance, stints: list[Stint]) -> set[str]:
    return {v.rule for v in check(instance, stints)}


def test_valid_base_plan_passes():
    assert check(make(), base()) == []


# ---- independence and the block


def test_checker_shares_no_code_with_solver_or_domain_rules():
    # Independence is the point: no solver code, and only data classes from the domain.
    trees = [ast.parse(f.read_text(encoding="utf-8"))
             for f in sorted(Path(checker.__file__).parent.glob("*.py"))]
    for node in (n for tree in trees for n in ast.walk(tree)):
        if isinstance(node, ast.Import):
            assert not any(a.name.startswith("scheduler.solver") for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert not (node.module or "").startswith("scheduler.solver")
            if node.module == "scheduler.domain":
                assert {a.name for a in node.names} <= {"Instance", "Programme", "Trainee", "Unit"}
        elif isinstance(node, ast.Attribute):
            assert node.attr not in {"block_end", "service_weeks_needed", "calendar_weeks"} \
                or not isinstance(node.value, ast.Name) or node.value.id != "domain"


@pytest.mark.parametrize("prog", ["MINI", "AT18", "AT18-GAVLE", "BT12"])
@pytest.mark.parametrize("part_time", [50, 60, 75, 80, 100])
@pytest.mark.parametrize("leave", [[], [(2, 5, "foraldraledighet")],
                                   [(0, 1, "sjukskrivning"), (3, 4, "semester")],
                                   [(10, 12, "tjanstledighet"), (11, 14, "foraldraledighet")],
                                   [(200, 210, "foraldraledighet")]])
def test_block_end_agrees_with_domain(prog, part_time, leave):
    t = domain.Trainee.model_validate({
        "id": "X", "programme": prog, "start": wk(0), "site": "NORD", "part_time": part_time,
        "leave": [{"start": wk(a), "end": wk(b), "kind": k} for a, b, k in leave]})
    p = make().programme(prog)
    assert checker.block_end(t, p) == domain.block_end(t, p)


def test_part_time_at18_block_is_105_weeks():
    # 75 %: length ceil(78*100/75)=104, but minima 18 psy + 35 GP + max(52, 18+18) = 105 win.
    inst = make([trainee(programme="AT18", part_time=75)])
    t = inst.trainees[0]
    assert checker.service_weeks(inst.programme("AT18"), 75) == 105
    assert checker.block_end(t, inst.programme("AT18")) == wk(105)
    ok = plan("T1", "AT18", 0, ("MED", "medicin", 26), ("KIR", "kirurgi", 26),
              ("PSY", "psykiatri", 18), ("VC1", "allmanmedicin", 35))
    assert check(inst, ok) == []
    # The same plan for a full-time trainee runs 27 weeks past the 78-week block.
    full = make([trainee(programme="AT18")])
    assert rules(full, ok) == {"coverage"}


def test_extending_leave_extends_block():
    # 2 weeks of parental leave in weeks 4-5: the 14-week block ends after week 15.
    inst = make([trainee(leave=[{"start": wk(4), "end": wk(6), "kind": "foraldraledighet"}])])
    assert checker.block_end(inst.trainees[0], inst.programme("MINI")) == wk(16)
    ok = plan("T1", "MINI", 0, ("MED", "medicin", 4), (None, None, 2), ("MED", "medicin", 4),
              ("VC1", "allmanmedicin", 6))
    assert check(inst, ok) == []
    # Working straight through the leave: placed during leave, block weeks 14-15 left empty.
    bad = check(inst, base())
    assert {v.rule for v in bad} == {"coverage"}
    assert [v.week for v in bad] == [wk(4), wk(14)]


def test_vacation_is_service_and_must_be_covered():
    inst = make([trainee(leave=[{"start": wk(4), "end": wk(6), "kind": "semester"}])])
    assert check(inst, base()) == []


# ---- one test per hard rule


@pytest.mark.parametrize("fault", ["unknown_unit", "wrong_site", "wrong_programme",
                                   "unknown_trainee"])
def test_reference(fault):
    stints = base()
    vc = stints[1]
    if fault == "unknown_unit":
        stints[1] = replace(vc, unit="VC-OKAND")
    elif fault == "wrong_site":
        stints[1] = replace(vc, site="SYD")
    elif fault == "wrong_programme":
        stints[1] = replace(vc, programme="BT12")
    else:
        stints.append(replace(vc, trainee="OKAND"))
    assert rules(make(), stints) == {"reference"}


@pytest.mark.parametrize("parts,week", [
    # starts a week late: week 0 uncovered
    ([(None, None, 1), ("MED", "medicin", 6), ("VC1", "allmanmedicin", 7)], 0),
    # runs a week past the block end
    ([("MED", "medicin", 7), ("VC1", "allmanmedicin", 8)], 14),
])
def test_coverage(parts, week):
    found = check(make(), plan("T1", "MINI", 0, *parts))
    assert [(v.rule, v.week) for v in found] == [("coverage", wk(week))]


def test_coverage_overlap():
    stints = plan("T1", "MINI", 0, ("MED", "medicin", 7), ("VC1", "allmanmedicin", 7))
    stints[1] = replace(stints[1], start=wk(6))  # VC1 from week 6 overlaps MED by a week
    found = check(make(), stints)
    assert [(v.rule, v.week) for v in found] == [("coverage", wk(6))]


def test_coverage_stint_not_on_mondays():
    stints = base()
    stints[0] = replace(stints[0], start=wk(0) + timedelta(days=1))
    assert "coverage" in rules(make(), stints)


def test_gap_over_several_weeks_is_one_violation():
    # Trainee with no plan at all: one gap of 14 weeks, plus unmet minima.
    found = [v for v in check(make(), []) if v.rule == "coverage"]
    assert len(found) == 1 and found[0].week == wk(0) and "14" in found[0].message


MED7, VC7 = ("MED", "medicin", 7), ("VC1", "allmanmedicin", 7)
WITH_PSY = [("MED", "medicin", 5), ("PSY", "psykiatri", 4), ("VC1", "allmanmedicin", 5)]


@pytest.mark.parametrize("ok,bad", [
    # MED-SYD is at another site and not region-wide
    ([MED7, VC7], [("MED-SYD", "medicin", 7), VC7]),
    # ONLY-BT takes only BT12
    ([MED7, VC7], [("ONLY-BT", "medicin", 7), VC7]),
    # PSY cannot be credited as medicine
    (WITH_PSY, [("MED", "medicin", 5), ("PSY", "medicin", 4), ("VC1", "allmanmedicin", 5)]),
    # surgery is not a discipline of MINI (KIR does credit it)
    (WITH_PSY, [("MED", "medicin", 5), ("KIR", "kirurgi", 4), ("VC1", "allmanmedicin", 5)]),
])
def test_eligibility(ok, bad):
    assert check(make(), plan("T1", "MINI", 0, *ok)) == []
    assert rules(make(), plan("T1", "MINI", 0, *bad)) == {"eligibility"}


def test_stint_length_too_short():
    # MED needs at least 4 weeks; 2 + 5 splits the medicine stint (and visits MED twice).
    stints = plan("T1", "MINI", 0, ("MED", "medicin", 2), ("MED", "medicin", 5),
                  ("VC1", "allmanmedicin", 7))
    found = check(make(), stints)
    assert [(v.rule, v.week) for v in found] == [("stint_length", wk(0)), ("repeat", wk(2))]


def test_stint_length_programme_override():
    # stint_weeks[MINI] caps MED at 6 weeks for this programme only.
    inst = make(units={"MED": {"stint_weeks": {"MINI": {"min_weeks": 4, "max_weeks": 6}}}})
    assert rules(inst, base()) == {"stint_length"}
    ok = plan("T1", "MINI", 0, ("MED", "medicin", 6), ("VC1", "allmanmedicin", 8))
    assert check(inst, ok) == []


def test_locked_stint_is_exempt_from_stint_length():
    lock = {"start": wk(0), "end": wk(2), "unit": "MED", "discipline": "medicin"}
    stints = plan("T1", "MINI", 0, ("MED", "medicin", 2), ("MED", "medicin", 5),
                  ("VC1", "allmanmedicin", 7))
    assert check(make([trainee(locked=[lock])]), stints) == []


def test_requirement_max():
    # 9 weeks of general practice > 8
    stints = plan("T1", "MINI", 0, ("MED", "medicin", 5), ("VC1", "allmanmedicin", 9))
    assert rules(make(), stints) == {"requirement"}


def test_requirement_part_time_rounding():
    # 75 %: block max(ceil(1400/75)=19, 6+6) = 19 weeks; GP 6..ceil(800/75)=11 weeks.
    inst = make([trainee(part_time=75)])
    ok = plan("T1", "MINI", 0, ("MED", "medicin", 8), ("VC1", "allmanmedicin", 11))
    assert check(inst, ok) == []
    bad = plan("T1", "MINI", 0, ("MED", "medicin", 7), ("VC1", "allmanmedicin", 12))
    assert rules(inst, bad) == {"requirement"}


def test_requirement_group_minimum():
    # AT18: medicine 13 + surgery 13 = 26 < 39 for the medicin+kirurgi group (others in range).
    inst = make([trainee(programme="AT18")])
    bad = plan("T1", "AT18", 0, ("MED", "medicin", 13), ("KIR", "kirurgi", 13),
               ("PSY", "psykiatri", 26), ("VC1", "allmanmedicin", 26))
    found = check(inst, bad)
    assert [v.rule for v in found] == ["requirement"]
    assert "medicin+kirurgi" in found[0].message
    ok = plan("T1", "AT18", 0, ("MED", "medicin", 26), ("KIR", "kirurgi", 13),
              ("PSY", "psykiatri", 13), ("VC1", "allmanmedicin", 26))
    assert check(inst, ok) == []


def test_capacity_run_is_one_violation():
    # T1 and T2 both at VC1 (capacity 1) in weeks 7-13: one violation for the 7-week run.
    inst = make([trainee("T1"), trainee("T2")])
    ok = base("T1") + plan("T2", "MINI", 0, ("VC2", "allmanmedicin", 7), ("MED", "medicin", 7))
    assert check(inst, ok) == []
    found = check(inst, base("T1") + base("T2"))
    assert [(v.rule, v.unit, v.week) for v in found] == [("capacity", "VC1", wk(7))]


def test_capacity_changes_summer():
    # MED drops from 2 to 1 in weeks 25-30 (2027-06-28 .. 2027-08-09); two trainees start there
    # in week 25, so the overrun is the 6 summer weeks; week 31 is back to capacity 2.
    summer = {"capacity_changes": [{"start": date(2027, 6, 28), "end": date(2027, 8, 9),
                                    "capacity": 1}]}
    inst = make([trainee("T1", start=25), trainee("T2", start=25)], units={"MED": summer})
    stints = base("T1", 25) + plan("T2", "MINI", 25, ("MED", "medicin", 7),
                                   ("VC2", "allmanmedicin", 7))
    found = check(inst, stints)
    assert [(v.rule, v.unit, v.week) for v in found] == [("capacity", "MED", wk(25))]
    assert "6" in found[0].message
    # The same plan in winter is fine.
    winter = make([trainee("T1"), trainee("T2")], units={"MED": summer})
    assert check(winter, base("T1") + plan("T2", "MINI", 0, ("MED", "medicin", 7),
                                            ("VC2", "allmanmedicin", 7))) == []
    # A later change covering the same weeks wins.
    both = {"capacity_changes": summer["capacity_changes"] + [
        {"start": date(2027, 6, 28), "end": date(2027, 8, 9), "capacity": 2}]}
    inst2 = make([trainee("T1", start=25), trainee("T2", start=25)], units={"MED": both})
    assert check(inst2, stints) == []


def test_locked():
    lock = {"start": wk(0), "end": wk(7), "unit": "MED", "discipline": "medicin"}
    inst = make([trainee(locked=[lock])])
    assert check(inst, base()) == []
    moved = plan("T1", "MINI", 0, ("MED", "medicin", 6), ("VC1", "allmanmedicin", 8))
    found = check(inst, moved)
    assert [(v.rule, v.unit, v.week) for v in found] == [("locked", "MED", wk(0))]


def gavle(first=("VC1", "allmanmedicin", 4), last=("VC1", "allmanmedicin", 22), middle=None):
    middle = middle or [("MED", "medicin", 20), ("KIR", "kirurgi", 19), ("PSY", "psykiatri", 13)]
    return plan("T1", "AT18-GAVLE", 0, first, *middle, last)


GAVLE = [trainee(programme="AT18-GAVLE")]


def test_order_valid_gavle_plan():
    # 4 GP + 20 med + 19 kir + 13 psy + 22 GP = 78 weeks, opening and closing at VC1.
    assert check(make(GAVLE), gavle()) == []


@pytest.mark.parametrize("stints", [
    gavle(first=("VC2", "allmanmedicin", 4)),  # opens at another vårdcentral
    gavle(first=("VC1", "allmanmedicin", 5), last=("VC1", "allmanmedicin", 21)),  # 5 weeks
    # ends with psychiatry (and so also not at the opening unit)
    plan("T1", "AT18-GAVLE", 0, ("VC1", "allmanmedicin", 4), ("MED", "medicin", 20),
         ("KIR", "kirurgi", 19), ("VC1", "allmanmedicin", 22), ("PSY", "psykiatri", 13)),
    # opens with medicine
    plan("T1", "AT18-GAVLE", 0, ("MED", "medicin", 4), ("MED", "medicin", 16),
         ("KIR", "kirurgi", 19), ("PSY", "psykiatri", 13), ("VC1", "allmanmedicin", 26)),
])
def test_order_violations(stints):
    assert rules(make(GAVLE), stints) == {"order"}


def test_order_starts_with_after_opening_leave():
    # Parental leave in weeks 0-1: the opening month starts in the first week of service.
    inst = make([trainee(programme="AT18-GAVLE",
                         leave=[{"start": wk(0), "end": wk(2), "kind": "foraldraledighet"}])])
    shifted = plan("T1", "AT18-GAVLE", 2, ("VC1", "allmanmedicin", 4), ("MED", "medicin", 20),
                   ("KIR", "kirurgi", 19), ("PSY", "psykiatri", 13), ("VC1", "allmanmedicin", 22))
    assert check(inst, shifted) == []


# ---- messages


def test_message_swedish_names_unit_and_week():
    found = check(make([trainee("T1"), trainee("T2")]), base("T1") + base("T2"))
    (v,) = found
    assert "Vårdcentralen Ekbacken VC1" in v.message
    assert "v. 8 2027" in v.message  # week 7 = 2027-02-22, ISO week 8
    assert "7 veckor" in v.message and "kapaciteten är 1" in v.message


def test_message_english_names_unit_and_week():
    found = check(make([trainee("T1"), trainee("T2")]), base("T1") + base("T2"), lang="en")
    (v,) = found
    assert "VC1" in v.message and "week 8 2027" in v.message
    assert "2 trainees placed but the capacity is 1" in v.message


def test_tutorial_empty_plan_reports_one_gap_per_trainee():
    inst = load_instance(ROOT / "instances" / "tutorial.yaml")
    gaps = [v for v in check(inst, []) if v.rule == "coverage"]
    assert sorted(str(v.trainee) for v in gaps) == sorted(t.id for t in inst.all_trainees())


# ---- objective terms


def test_unit_changes():
    stints = plan("T1", "MINI", 0, ("MED", "medicin", 4), ("VC1", "allmanmedicin", 6),
                  ("MED", "medicin", 4))
    assert rules(make(), stints) == {"repeat"}  # MED twice; the terms are still defined
    # 3 stints - 1 = 2 changes
    assert evaluate(make(), stints)["unit_changes"] == 2
    # two trainees: (2 - 1) + (3 - 1) = 3
    both = base("T2") + stints
    assert evaluate(make([trainee("T1"), trainee("T2")]), both)["unit_changes"] == 3


def test_fragmentation():
    stints = plan("T1", "MINI", 0, ("MED", "medicin", 4), ("VC1", "allmanmedicin", 6),
                  ("MED", "medicin", 4))
    # medicine spans weeks 0-13 (14) but holds 8 weeks: 6; GP 6 - 6 = 0
    assert evaluate(make(), stints)["fragmentation"] == 6
    # leave inside the span counts too: 4 + 2 leave + 4 medicine spans 10, holds 8: 2
    leave = plan("T1", "MINI", 0, ("MED", "medicin", 4), (None, None, 2), ("MED", "medicin", 4),
                 ("VC1", "allmanmedicin", 6))
    assert evaluate(make(), leave)["fragmentation"] == 2


def test_staffing_shortfall():
    window = {"staffing_target": {"trainees": 2, "start": wk(0), "end": wk(12)}}
    # weeks 0-6: 2 missing each = 14; weeks 7-11: T1 at VC1, 1 missing each = 5; total 19
    assert evaluate(make(units={"VC1": window}), base())["staffing_shortfall"] == 19
    # window from before the horizon, no end: clipped to 156 weeks, 156 - 7 covered = 149
    open_ = {"staffing_target": {"trainees": 1, "start": date(2026, 12, 7)}}
    assert evaluate(make(units={"VC1": open_}), base())["staffing_shortfall"] == 149


def test_peak_utilisation():
    # MED: ceil(100 * 7 / (2 * 156)) = ceil(2.24) = 3 (alone in class {medicin, akut})
    # VC1: ceil(100 * 7 / (1 * 156)) = ceil(4.49) = 5, the peak of class {allmanmedicin}
    # every other class is unused (ONLY-BT has no capacity): 3 + 5 = 8
    assert evaluate(make(), base())["peak_utilisation"] == 8
    # VC1 closed for 52 weeks: capacity-weeks 104, ceil(700 / 104) = 7; 3 + 7 = 10
    closed = {"capacity_changes": [{"start": wk(52), "end": wk(104), "capacity": 0}]}
    assert evaluate(make(units={"VC1": closed}), base())["peak_utilisation"] == 10


def test_evaluate_empty_plan_has_all_terms():
    terms = evaluate(make(), [])
    assert terms == {"unit_changes": 0, "fragmentation": 0, "staffing_shortfall": 0,
                     "peak_utilisation": 0}


def test_objective_weights():
    terms = {"unit_changes": 2, "fragmentation": 6, "staffing_shortfall": 19,
             "peak_utilisation": 8}
    # default weights 10, 5, 2, 1: 20 + 30 + 38 + 8 = 96
    assert objective(make(), terms) == 96
    # weight 0 drops a term: 0 + 30 + 38 + 8 = 76
    inst = make(weights={"unit_changes": 0})
    assert objective(inst, terms) == 76


# ---- property test: random valid BT12 blocks


def bt_instance(start: int) -> Instance:
    # four interchangeable units per discipline: a plan visits each at most once (repeat rule)
    ample = [{"id": f"U-{d}-{k}", "name": f"Enhet {d} {k}", "site": "NORD", "disciplines": [d],
              "capacity": 5} for d in ("akut", "allmanmedicin", "psykiatri", "valfri")
             for k in range(4)]
    return Instance.model_validate({
        "name": "BT", "horizon": {"start": H0, "end": wk(156)}, "programmes": PROGRAMMES,
        "sites": [{"id": "NORD", "name": "Norrby"}], "units": ample,
        "trainees": [trainee("B1", "BT12", start)]})


@st.composite
def bt_plans(draw):
    start = draw(st.integers(0, 100))
    # BT12: GP 13-17, psychiatry 0-13, elective 0-8, acute the rest of 52 (>= 14 >= 13)
    totals = {"allmanmedicin": draw(st.integers(13, 17)), "psykiatri": draw(st.integers(0, 13)),
              "valfri": draw(st.integers(0, 8))}
    totals["akut"] = 52 - sum(totals.values())
    parts = []
    for disc, total in totals.items():
        cuts = sorted(draw(st.sets(st.integers(1, total - 1), max_size=3))) if total > 1 else []
        bounds = [0, *cuts, total] if total else [0]
        parts += [(f"U-{disc}-{k}", disc, b - a)
                  for k, (a, b) in enumerate(itertools.pairwise(bounds))]
    parts = draw(st.permutations(parts))
    return start, plan("B1", "BT12", start, *parts)


@settings(max_examples=150, deadline=None)
@given(bt_plans(), st.data())
def test_property_random_valid_plans(generated, data):
    start, stints = generated
    inst = bt_instance(start)
    assert check(inst, stints) == []
    assert evaluate(inst, stints)["unit_changes"] == len(stints) - 1
    i = data.draw(st.integers(0, len(stints) - 1))
    if data.draw(st.booleans()):
        broken = stints[:i] + stints[i + 1:]
    else:
        shift = timedelta(weeks=data.draw(st.sampled_from([-1, 1])))
        broken = [*stints]
        broken[i] = replace(stints[i], start=stints[i].start + shift,
                            end=stints[i].end + shift)
    assert check(inst, broken) != []


# ---- efficiency


def test_realistic_size_is_fast():
    # 200 trainees x 10 stints of 15 weeks over 70 units, horizon 180 weeks.
    prog = {"id": "LANG", "name": "Lång", "kind": "other", "regulation": "test",
            "length_weeks": 150, "requirements": [{"discipline": "medicin", "min_weeks": 100}]}
    units = [{"id": f"U{i:02d}", "name": f"Enhet {i}", "site": "NORD",
              "disciplines": ["medicin"], "capacity": 4, "min_weeks": 4, "max_weeks": 20,
              "capacity_changes": [{"start": wk(26), "end": wk(32), "capacity": 5}]}
             for i in range(70)]
    trainees = [trainee(f"P{i:03d}", "LANG", i % 30) for i in range(200)]
    inst = Instance.model_validate({
        "name": "Stor", "horizon": {"start": H0, "end": wk(180)}, "programmes": [prog],
        "sites": [{"id": "NORD", "name": "Norrby"}], "units": units, "trainees": trainees})
    stints = [s for i in range(200) for s in plan(
        f"P{i:03d}", "LANG", i % 30, *[(f"U{(i + 7 * k) % 70:02d}", "medicin", 15)
                                       for k in range(10)])]
    t0 = time.perf_counter()
    found = check(inst, stints)
    terms = evaluate(inst, stints)
    elapsed = time.perf_counter() - t0
    assert found == [] and terms["unit_changes"] == 200 * 9
    assert elapsed < 2.0, elapsed


def test_repeat_second_visit_is_flagged_but_resuming_after_leave_is_not():
    # MED 4 + VC1 6 + MED 4: the second MED stint is a repeat (one visit per unit and discipline).
    twice = plan("T1", "MINI", 0, ("MED", "medicin", 4), ("VC1", "allmanmedicin", 6),
                 ("MED", "medicin", 4))
    assert [(v.rule, v.week) for v in check(make(), twice)] == [("repeat", wk(10))]
    # MED 4, 2 weeks parental leave, MED 4 again: one stint interrupted by leave, no repeat.
    inst = make([trainee(leave=[{"start": wk(4), "end": wk(6), "kind": "foraldraledighet"}])])
    resumed = plan("T1", "MINI", 0, ("MED", "medicin", 4), (None, None, 2), ("MED", "medicin", 4),
                   ("VC1", "allmanmedicin", 6))
    assert check(inst, resumed) == []
