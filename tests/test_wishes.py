"""Wishes, travel and fairness (issue 19): tiny hand-solvable instances, the checker's own
recomputation, and wishes that can never be met as located input errors. Names are invented.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from scheduler import verify as checker
from scheduler import wishes
from scheduler.domain import LEXICOGRAPHIC_WEIGHT, Instance, Wish
from scheduler.result import Status
from scheduler.solver.model import capacity_profiles
from scheduler.solver.plan_state import plan_cost
from scheduler.solver.solve import solve
from tests.helpers import H0, wk
from tests.helpers import NO_WEIGHTS as ZERO
from tests.helpers import WISH_M6 as M6
from tests.helpers import wish_stint as st
from tests.helpers import wish_trainee as trainee
from tests.helpers import wish_unit as unit

A6 = {"id": "A6", "name": "Sex veckor allmänmedicin", "kind": "other", "regulation": "test",
      "length_weeks": 6, "requirements": [{"discipline": "allmanmedicin", "min_weeks": 6}]}


def build(units: list[dict], trainees: list[dict], wish_list: list[dict] = (),  # type: ignore
          programmes: list[dict] | None = None, sites: list[dict] | None = None,
          fairness: str = "off", **weights: int) -> Instance:
    return Instance.model_validate({
        "name": "Önskeregionen", "horizon": {"start": H0, "end": wk(6)},
        "programmes": programmes or [M6],
        "sites": sites or [{"id": "NORD", "name": "Norrby"}, {"id": "SYD", "name": "Söderby"}],
        "units": units, "trainees": trainees, "wishes": list(wish_list), "fairness": fairness,
        "weights": {**ZERO, **weights}})


def solved(inst: Instance, cost: int) -> Any:
    """OPTIMAL at ``cost``; the checker accepts the plan and recomputes the same objective."""
    r = solve(inst, time_limit=10, workers=1, seed=0)
    assert r.status is Status.OPTIMAL
    assert checker.check(inst, r.stints) == []
    terms = checker.evaluate(inst, r.stints)
    assert checker.objective(inst, terms) == cost
    assert r.objective == pytest.approx(cost)
    assert r.terms == {t: terms[t] for t in r.terms}
    return r


def unit_of(r: Any, tid: str) -> set[str]:
    return {s.unit for s in r.stints if s.trainee == tid}


# ---- wishes


def test_wish_granted_when_capacity_allows() -> None:
    # One trainee, two interchangeable units; it wishes MB (priority 1). Granted: MB for all
    # 6 weeks, no unit change, nothing missed: objective 0. MA would cost 10 * 3 = 30.
    inst = build([unit("MA"), unit("MB")], [trainee("T1")],
                 [{"trainee": "T1", "kind": "prefer", "unit": "MB", "priority": 1}],
                 unit_changes=1, wishes=10)
    r = solved(inst, 0)
    assert unit_of(r, "T1") == {"MB"}
    assert checker.wish_outcomes(inst, r.stints) == [(0, True)]


def test_wish_refused_with_the_reason_when_the_unit_is_full() -> None:
    # Both want MB (capacity 1, stints of 6 weeks): T1 at priority 1 (missing it costs 3),
    # T2 at priority 3 (costs 1). T1 gets it; the optimum misses T2's: 10 * 1 = 10.
    inst = build([unit("MA", min_weeks=6), unit("MB", min_weeks=6)],
                 [trainee("T1"), trainee("T2")],
                 [{"trainee": "T1", "kind": "prefer", "unit": "MB", "priority": 1},
                  {"trainee": "T2", "kind": "prefer", "unit": "MB", "priority": 3}],
                 unit_changes=1, wishes=10)
    r = solved(inst, 10)
    assert unit_of(r, "T1") == {"MB"}
    assert checker.wish_outcomes(inst, r.stints) == [(0, True), (1, False)]
    why = wishes.reason(inst, inst.wishes[1], r.stints, lang="sv")
    assert why == "MB full v. 1–6 2027: 1 placerade, kapacitet 1"


def test_avoid_before_and_first_wishes() -> None:
    # P: 3 weeks medicine, 3 psychiatry. Wishes: avoid MA (2), psychiatry before week 3 (1),
    # psychiatry first (3). All can be met: PS weeks 0-3, MB 3-6, 1 unit change.
    prog = {"id": "P", "name": "P", "kind": "other", "regulation": "test", "length_weeks": 6,
            "requirements": [{"discipline": "medicin", "min_weeks": 3, "max_weeks": 3},
                             {"discipline": "psykiatri", "min_weeks": 3, "max_weeks": 3}]}
    inst = build([unit("MA"), unit("MB"), unit("PS", "psykiatri")], [trainee("T1", "P")],
                 [{"trainee": "T1", "kind": "avoid", "unit": "MA", "priority": 2},
                  {"trainee": "T1", "kind": "before", "discipline": "psykiatri",
                   "date": wk(3), "priority": 1},
                  {"trainee": "T1", "kind": "first", "discipline": "psykiatri", "priority": 3}],
                 programmes=[prog], unit_changes=1, wishes=10)
    r = solved(inst, 1)
    assert [ok for _, ok in checker.wish_outcomes(inst, r.stints)] == [True, True, True]
    # A plan that breaks all three: MA 0-3, PS 3-6: 3 + 2 + 1 = 6 missed.
    bad = [st("T1", "MA", "medicin", wk(0), wk(3), "P", "NORD"),
           st("T1", "PS", "psykiatri", wk(3), wk(6), "P", "NORD")]
    assert checker.evaluate(inst, bad)["wishes"] == 6
    assert plan_cost(inst, bad, capacity_profiles(inst))[1]["wishes"] == 6


def test_no_wishes_leave_the_objective_as_before() -> None:
    inst = build([unit("MA"), unit("MB")], [trainee("T1")], unit_changes=1)
    assert "wishes" not in inst.objective_weights()
    r = solved(inst, 0)
    assert set(r.terms) == {"unit_changes"}


@pytest.mark.parametrize("wish, where, text", [
    ({"trainee": "T9", "kind": "prefer", "unit": "MB"}, "wishes[0] (T9).trainee", "T9"),
    ({"trainee": "T1", "kind": "prefer", "unit": "XX"}, "wishes[0] (T1).unit", "XX"),
    ({"trainee": "T1", "kind": "prefer", "unit": "MS"}, "wishes[0] (T1).unit",
     "kan aldrig uppfyllas"),
    ({"trainee": "T1", "kind": "before", "discipline": "medicin", "date": wk(9)},
     "wishes[0] (T1).date", "utanför"),
    ({"trainee": "T1", "kind": "first", "discipline": "psykiatri"},
     "wishes[0] (T1).discipline", "psykiatri"),
])
def test_a_wish_that_can_never_be_met_is_an_input_error(wish: dict, where: str,
                                                         text: str) -> None:
    with pytest.raises(ValidationError, match=r"(?s)" + re.escape(where)
                       + ".*" + text):
        build([unit("MA"), unit("MB"), unit("MS", site="SYD")], [trainee("T1")], [wish],
              unit_changes=1, wishes=10)


# ---- travel


def test_travel_keeps_trainees_near_home() -> None:
    # Two vårdcentraler open to the whole region, one per town, 30 minutes apart; one trainee
    # from each town. Each at home: travel 0. Swapped: 2 * 6 weeks * 3 (tens of minutes) = 36.
    sites = [{"id": "NORD", "name": "Norrby", "travel_minutes": {"SYD": 30}},
             {"id": "SYD", "name": "Söderby"}]
    units = [unit("VN", "allmanmedicin", region_wide=True, min_weeks=6),
             unit("VS", "allmanmedicin", "SYD", region_wide=True, min_weeks=6)]
    inst = build(units, [trainee("TS", "A6", "SYD"), trainee("TN", "A6", "NORD")],
                 programmes=[A6], sites=sites, unit_changes=1, travel=1)
    r = solved(inst, 0)
    assert unit_of(r, "TN") == {"VN"} and unit_of(r, "TS") == {"VS"}
    swapped = [st("TN", "VS", "allmanmedicin", wk(0), wk(6), "A6", "SYD"),
               st("TS", "VN", "allmanmedicin", wk(0), wk(6), "A6", "NORD")]
    assert checker.evaluate(inst, swapped)["travel"] == 36
    # Short travel (small children) counts three times: 6 * 3 * 3 = 54 for TN alone.
    short = inst.model_copy(update={"trainees": [
        inst.trainees[0], inst.trainees[1].model_copy(update={"short_travel": True})]})
    assert checker.trainee_costs(short, swapped)["TN"]["travel"] == 54
    assert wishes.per_trainee(short, swapped)["TN"]["travel"] == 54


def test_travel_no_plan_avoids_is_not_charged_to_the_trainee() -> None:
    # P: medicine 4 + psychiatry 2 weeks. TN lives in NORD (25 minutes from SYD: 3 tens a
    # week); the only psychiatry is PS at SYD, so 2 * 3 = 6 of travel is forced (least_travel).
    # Medicine at home (MN) adds nothing to TN's own cost; at MS (SYD) 4 * 3 = 12. TS lives
    # in SYD: PS at home, least 0; medicine at MN costs it 12.
    sites = [{"id": "NORD", "name": "Norrby", "travel_minutes": {"SYD": 25}},
             {"id": "SYD", "name": "Söderby"}]
    prog = {"id": "P", "name": "P", "kind": "other", "regulation": "test", "length_weeks": 6,
            "requirements": [{"discipline": "medicin", "min_weeks": 4},
                             {"discipline": "psykiatri", "min_weeks": 2}]}
    units = [unit("MN", region_wide=True), unit("MS", site="SYD", region_wide=True),
             unit("PS", "psykiatri", "SYD", region_wide=True)]
    inst = build(units, [trainee("TN", "P"), trainee("TS", "P", "SYD")], programmes=[prog],
                 sites=sites, unit_changes=1, travel=1)
    near = [st("TN", "MN", "medicin", wk(0), wk(4), "P"),
            st("TN", "PS", "psykiatri", wk(4), wk(6), "P", "SYD"),
            st("TS", "PS", "psykiatri", wk(0), wk(2), "P", "SYD"),
            st("TS", "MS", "medicin", wk(2), wk(6), "P", "SYD")]
    far = [st("TN", "MS", "medicin", wk(0), wk(4), "P", "SYD"), near[1],
           near[2], st("TS", "MN", "medicin", wk(2), wk(6), "P")]
    # Two stints each, the least possible: the own cost is the travel above the least.
    for plan, costs in ((near, {"TN": 0, "TS": 0}), (far, {"TN": 12, "TS": 12})):
        per = checker.trainee_costs(inst, plan)
        assert per["TN"]["least_travel"] == 6 and per["TS"]["least_travel"] == 0
        assert {k: v["cost"] for k, v in per.items()} == costs
        assert {k: v["cost"] for k, v in wishes.per_trainee(inst, plan).items()} == costs


def test_lexicographic_fairness_does_not_count_forced_travel() -> None:
    # As above, both want to start with psychiatry (one seat at PS): TN with priority 2 (a
    # miss costs 2 * 2 = 4), TS with priority 1 (3 * 2 = 6). Medicine at home for both; TN's
    # 6 of travel is forced. TS first: own costs TN 4, TS 0, worst 4. TN first: TN 0, TS 6,
    # worst 6. Counting the forced travel, TN would look like 10 and 6: the wrong way round.
    # Sum: 2 unit changes + travel 6 + 2 * 2 wishes missed = 12.
    sites = [{"id": "NORD", "name": "Norrby", "travel_minutes": {"SYD": 25}},
             {"id": "SYD", "name": "Söderby"}]
    prog = {"id": "P", "name": "P", "kind": "other", "regulation": "test", "length_weeks": 6,
            "requirements": [{"discipline": "medicin", "min_weeks": 4},
                             {"discipline": "psykiatri", "min_weeks": 2}]}
    units = [unit("MN"), unit("MS", site="SYD"), unit("PS", "psykiatri", "SYD", region_wide=True)]
    inst = build(units, [trainee("TN", "P"), trainee("TS", "P", "SYD")],
                 [{"trainee": "TN", "kind": "first", "discipline": "psykiatri", "priority": 2},
                  {"trainee": "TS", "kind": "first", "discipline": "psykiatri", "priority": 1}],
                 programmes=[prog], sites=sites, fairness="lexicographic", unit_changes=1,
                 travel=1, wishes=2)
    r = solved(inst, 4 * LEXICOGRAPHIC_WEIGHT + 12)
    f = checker.fairness(inst, r.stints)
    assert (f["worst"], f["trainees"]["TN"]["cost"], f["trainees"]["TS"]["cost"]) == (4, 4, 0)


# ---- fairness


def _fair_case(fairness: str) -> Instance:
    # Both want MB (priority 1: missing it costs 3 * 10 = 30); MB and MA take 1 at a time,
    # stints of 3-6 weeks; a unit change costs 20.
    # Sum-optimal: one trainee has MB all 6 weeks: costs (0, 30), sum 30, worst 30.
    # Fair: they share MB, 3 weeks each, each with one change: costs (20, 20), sum 40.
    return build([unit("MA", min_weeks=3), unit("MB", min_weeks=3)],
                 [trainee("T1"), trainee("T2")],
                 [{"trainee": "T1", "kind": "prefer", "unit": "MB", "priority": 1},
                  {"trainee": "T2", "kind": "prefer", "unit": "MB", "priority": 1}],
                 fairness=fairness, unit_changes=20, wishes=10)


def test_lexicographic_fairness_lowers_the_worst_trainee() -> None:
    off = solved(_fair_case("off"), 30)
    assert checker.fairness(_fair_case("off"), off.stints)["worst"] == 30
    inst = _fair_case("lexicographic")
    fair = solved(inst, 20 * LEXICOGRAPHIC_WEIGHT + 40)  # worst 20 first, then the sum 40
    f = checker.fairness(inst, fair.stints)
    assert (f["worst"], f["best"], f["sum"], f["gini"]) == (20, 20, 40, 0.0)
    assert f["wishes_granted"]["1"] == {"granted": 2, "of": 2}


def test_weighted_fairness() -> None:
    # worst weight 2: sum-optimal 30 + 2 * 30 = 90; shared 40 + 2 * 20 = 80.
    inst = _fair_case("weighted").model_copy(update={"weights": _fair_case("off").weights
                                                     .model_copy(update={"worst": 2})})
    solved(inst, 80)


def test_checker_recomputes_per_trainee_costs_by_hand() -> None:
    # T1: MA 0-3, MB 3-6 (2 stints, least 1: one change = 20; wish granted);
    # T2: MB 0-3, MA 3-6 (one change = 20, wish granted).
    inst = _fair_case("off")
    plan = [st("T1", "MA", "medicin", wk(0), wk(3), "M6", "NORD"),
            st("T1", "MB", "medicin", wk(3), wk(6), "M6", "NORD"),
            st("T2", "MB", "medicin", wk(0), wk(3), "M6", "NORD"),
            st("T2", "MA", "medicin", wk(3), wk(6), "M6", "NORD")]
    per = checker.trainee_costs(inst, plan)
    assert per["T1"] == {"stints": 2, "least_stints": 1, "fragmentation": 0,
                         "least_fragmentation": 0, "wishes": 0,
                         "travel": 0, "least_travel": 0, "cost": 20}
    # T1 alone at MA all 6 weeks, T2 at MB: T1 misses (3 * 10), T2 0; Gini of (0, 30) = 0.5.
    unfair = [st("T1", "MA", "medicin", wk(0), wk(6), "M6", "NORD"),
              st("T2", "MB", "medicin", wk(0), wk(6), "M6", "NORD")]
    f = checker.fairness(inst, unfair)
    assert (f["worst"], f["median"], f["best"], f["gini"]) == (30, 15, 0, 0.5)
    # The model side's arithmetic agrees (plan_state uses it to accept moves).
    assert {k: v["cost"] for k, v in wishes.per_trainee(inst, unfair).items()} == \
        {k: v["cost"] for k, v in checker.trainee_costs(inst, unfair).items()}


# ---- as a coordinator: the Önskemål sheet in a workbook, solve, read the reports back

ROOT = Path(__file__).resolve().parents[1]


def _tutorial_with_wishes() -> Instance:
    from scheduler.inputs.yaml_io import load_instance

    inst = load_instance(ROOT / "instances" / "tutorial.yaml")
    return inst.model_copy(update={"wishes": [
        Wish(**w) for w in ({"trainee": "AT-2027-01-01", "kind": "prefer", "unit": "VC-VAST",
                   "priority": 1},
                  {"trainee": "AT-2027-01-02", "kind": "prefer", "unit": "VC-VAST",
                   "priority": 2},
                  {"trainee": "AT-2027-07-01", "kind": "first", "discipline": "psykiatri",
                   "priority": 3})]})


def test_workbook_wishes_solve_and_read_the_reports_back(tmp_path) -> None:
    import json

    import openpyxl
    from typer.testing import CliRunner

    from scheduler import cli
    from scheduler.workbook.template import instance_to_workbook

    book = tmp_path / "region.xlsx"
    book.write_bytes(instance_to_workbook(_tutorial_with_wishes()))
    out = tmp_path / "out"
    r = CliRunner().invoke(cli.app, ["solve", str(book), "--out", str(out), "--time-limit", "8",
                                     "--workers", "1", "--fairness", "lexicographic"])
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(out / "plan.xlsx")
    assert {"Önskemål", "Rättvisa"} <= set(wb.sheetnames)
    rows = list(wb["Önskemål"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in rows] == ["AT-2027-01-01", "AT-2027-01-02", "AT-2027-07-01"]
    assert all(row[3] in ("ja", "nej") for row in rows)
    assert all(row[4] for row in rows if row[3] == "nej")  # every refusal has its reason
    run = json.loads((out / "run.json").read_text())
    fair = run["fairness"]
    assert fair["mode"] == "lexicographic" and "worst" in run["terms"]
    # What the sheet says is what the checker recomputes from plan.csv.
    from scheduler.plan_readers import read_plan
    from scheduler.workbook.reader import read_workbook

    inst = read_workbook(book).model_copy(update={"fairness": "lexicographic"})
    again = checker.fairness(inst, read_plan(out / "plan.csv"))
    assert (again["worst"], again["median"], again["gini"]) == \
        (fair["worst"], fair["median"], fair["gini"])
    fsheet = {row[0]: row[1] for row in wb["Rättvisa"].iter_rows(values_only=True) if row[0]}
    assert fsheet["Sämst"] == fair["worst"]
    # check takes the fairness mode from run.json and recomputes the same objective.
    checked = CliRunner().invoke(cli.app, ["check", str(book), str(out / "plan.csv")])
    assert checked.exit_code == 0
    assert f"objective={int(run['objective'])}" in checked.output
    assert f"worst={fair['worst']}  median={fair['median']:g}" in checked.output


def test_an_unknown_fairness_mode_is_refused(tmp_path) -> None:
    from typer.testing import CliRunner

    from scheduler import cli

    r = CliRunner().invoke(cli.app, ["solve", str(ROOT / "instances" / "tutorial.yaml"),
                                     "--out", str(tmp_path / "o"), "--fairness", "rättvist"])
    assert r.exit_code == 2 and "lexicographic" in r.output
    assert not (tmp_path / "o").exists()


def test_a_wish_on_the_sheet_that_can_never_be_met_names_its_row(tmp_path) -> None:
    import openpyxl
    from typer.testing import CliRunner

    from scheduler import cli
    from scheduler.workbook.template import instance_to_workbook

    book = tmp_path / "region.xlsx"
    book.write_bytes(instance_to_workbook(_tutorial_with_wishes()))
    wb = openpyxl.load_workbook(book)
    wb["Önskemål"].cell(row=3, column=3, value="OKÄND")  # the second wish's unit
    wb.save(book)
    r = CliRunner().invoke(cli.app, ["solve", str(book), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert "Önskemål, rad 3, Enhet" in r.output and "OKÄND" in r.output
    assert "Traceback" not in r.output


# ---- the two implementations agree (property)

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as hs  # noqa: E402


def _random_instance() -> Instance:
    # Two towns 25 minutes apart; every kind of wish; T2 needs short travel.
    sites = [{"id": "NORD", "name": "Norrby"},
             {"id": "SYD", "name": "Söderby", "travel_minutes": {"NORD": 25}}]
    prog = {"id": "P", "name": "P", "kind": "other", "regulation": "test", "length_weeks": 6,
            "requirements": [{"discipline": "medicin", "min_weeks": 2},
                             {"discipline": "allmanmedicin", "min_weeks": 2}]}
    units = [unit("MA"), unit("MB", max_weeks=3), unit("VN", "allmanmedicin", region_wide=True),
             unit("VS", "allmanmedicin", "SYD", region_wide=True)]
    # T2 opens with a week at the vårdcentral where it ends (as in Gävle).
    p2 = {**prog, "id": "P2", "starts_with": {"discipline": "allmanmedicin", "weeks": 1,
                                              "same_unit_as_end": True}}
    return build(units, [trainee("T1", "P"), trainee("T2", "P2", short_travel=True)], [
        {"trainee": "T1", "kind": "prefer", "unit": "VS", "priority": 1},
        {"trainee": "T1", "kind": "avoid", "unit": "MA", "discipline": "medicin", "priority": 2},
        {"trainee": "T2", "kind": "before", "discipline": "medicin", "date": wk(3)},
        {"trainee": "T2", "kind": "first", "discipline": "allmanmedicin", "priority": 3}],
        programmes=[prog, p2], sites=sites, fairness="weighted", unit_changes=10, fragmentation=5,
        wishes=7, travel=2, worst=3)


_INST = _random_instance()
_UNITS = {"MA": ("medicin", "NORD"), "MB": ("medicin", "NORD"),
          "VN": ("allmanmedicin", "NORD"), "VS": ("allmanmedicin", "SYD")}


@settings(max_examples=60, deadline=None)
@given(hs.lists(hs.tuples(hs.sampled_from(["T1", "T2"]), hs.sampled_from(sorted(_UNITS)),
                          hs.integers(0, 5), hs.integers(1, 3)), min_size=1, max_size=6))
def test_checker_and_model_arithmetic_agree_on_any_plan(rows: list) -> None:
    # Any stints that do not overlap (the checker counts an overlapped week once in
    # fragmentation; no plan the heuristics compare has overlaps), valid or not: the
    # checker's recomputation and the model side's (plan_state) give the same terms.
    taken: set[tuple[str, int]] = set()
    plan = []
    for tid, uid, a, n in rows:
        weeks = {(tid, k) for k in range(a, min(6, a + n))}
        if a + n > 6 or weeks & taken:
            continue
        taken |= weeks
        plan.append(st(tid, uid, _UNITS[uid][0], wk(a), wk(a + n), "P" if tid == "T1" else "P2",
                       _UNITS[uid][1]))
    if not plan:
        return
    terms = checker.evaluate(_INST, plan)
    mine = plan_cost(_INST, plan, capacity_profiles(_INST))[1]
    assert {k: terms[k] for k in ("wishes", "travel", "worst")} == \
        {k: mine[k] for k in ("wishes", "travel", "worst")}
    assert {k: v["cost"] for k, v in checker.trainee_costs(_INST, plan).items()} == \
        {k: v["cost"] for k, v in wishes.per_trainee(_INST, plan).items()}


def test_least_stints_and_fragmentation_of_an_opening_at_the_last_unit() -> None:
    # P2: 6 weeks, medicin >= 2, allmanmedicin >= 2, opening 1 week at the vårdcentral where
    # the block ends. Stints: the opening + >= 1 medicin + >= 1 more allmanmedicin = 3.
    # Fragmentation of allmanmedicin: its span is the whole block (6 weeks), and it can have
    # at most 6 - 2 (medicin's minimum) = 4 weeks: at least 2.
    plan = [st("T2", "VN", "allmanmedicin", wk(0), wk(1), "P2"),
            st("T2", "MA", "medicin", wk(1), wk(3), "P2"),
            st("T2", "VN", "allmanmedicin", wk(3), wk(6), "P2")]
    p = checker.trainee_costs(_INST, plan)["T2"]
    assert (p["least_stints"], p["fragmentation"], p["least_fragmentation"]) == (3, 2, 2)
    # So this plan is as good as T2's can be, but for its wishes (before: medicin ends by
    # week 3, granted; first: allmanmedicin, granted): own cost 0.
    assert p["cost"] == 0
    assert wishes.least_stints(_INST, _INST.trainees[1]) == 3
