"""``atbt replan`` with wishes, travel and fairness (issue 19): among the plans of least change,
the instance's own terms decide as in ``solve``, and the outputs report them. Tiny
hand-solvable instances; names are invented.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from typer.testing import CliRunner

from scheduler import cli
from scheduler import verify as checker
from scheduler.domain import Instance
from scheduler.i18n import set_language
from scheduler.inputs.changes import Changes
from scheduler.inputs.yaml_io import dump_instance
from scheduler.plan import plan_to_csv
from scheduler.replanning import replan_and_verify
from scheduler.result import Status
from tests.helpers import NO_WEIGHTS as ZERO
from tests.helpers import WISH_M6 as M6
from tests.helpers import wish_stint as st
from tests.helpers import wish_trainee as trainee
from tests.helpers import wish_unit as unit
from tests.helpers import wk

runner = CliRunner()

# T2 (six weeks of medicine, at MB weeks 0-6) is sick in weeks 4-6; today is week 2. T2 keeps
# MB until the leave (2-4) and needs two more weeks after it (6-8, the block now ends at 8).
# The old stint MB 0-6 is lost either way: 10 + 100 (it runs across today) = 110. T1 (MA 0-6)
# keeps its plan. After the leave MA and MB are both free (T1 leaves at 6) and either is one
# more stint (a unit change costs 1 in the second stage): equal but for T2's wish.
LEAVE = Changes.model_validate({"leave": [{"trainee": "T2", "start": wk(4), "end": wk(6),
                                           "kind": "sjukskrivning"}]})
OLD = [st("T1", "MA", "medicin", wk(0), wk(6)), st("T2", "MB", "medicin", wk(0), wk(6))]


def _build(units: list[dict], trainees: list[dict], wish_list: list[dict] = (),  # type: ignore
           sites: list[dict] | None = None, fairness: str = "off", **weights: int) -> Instance:
    """As test_wishes.build, with a 16-week horizon (room for a block extended by leave)."""
    return Instance.model_validate({
        "name": "Omplaneringsregionen", "horizon": {"start": wk(0), "end": wk(16)},
        "programmes": [M6],
        "sites": sites or [{"id": "NORD", "name": "Norrby"}, {"id": "SYD", "name": "Söderby"}],
        "units": units, "trainees": trainees, "wishes": list(wish_list), "fairness": fairness,
        "weights": {**ZERO, **weights}})


def _case(wish: dict | None, **kw: Any) -> Instance:
    return _build([unit("MA"), unit("MB")], [trainee("T1"), trainee("T2")],
                  [{"trainee": "T2", **wish}] if wish else [], unit_changes=1, wishes=10, **kw)


def _replanned(inst: Instance) -> Any:
    rp = replan_and_verify(inst, OLD, wk(2), LEAVE, time_limit=10, workers=1)
    r = rp.result
    assert r.status is Status.OPTIMAL and rp.minimal
    assert r.objective == 110 == r.bound
    assert checker.check(rp.instance, r.stints, history=checker.History(OLD, wk(2))) == []
    return rp


def _after_leave(rp: Any) -> set[str]:
    return {s.unit for s in rp.result.stints if s.trainee == "T2" and s.start >= wk(6)}


def test_a_wish_decides_between_two_equal_replans() -> None:
    # Priority 1: a miss costs 3 * 10 = 30 in the second stage, a grant 0.
    rp = _replanned(_case({"kind": "prefer", "unit": "MA", "priority": 1}))
    assert _after_leave(rp) == {"MA"}
    assert rp.result.terms["wishes"] == 0
    rp = _replanned(_case({"kind": "avoid", "unit": "MA", "priority": 1}))
    assert _after_leave(rp) == {"MB"}
    assert rp.result.terms["wishes"] == 0


def test_a_wish_never_buys_a_change() -> None:
    # T1 wishes MB (priority 1), but its stint MA 0-6 runs across today and is kept: moving it
    # costs 110 more, while the wish weighs only in the second stage.
    inst = _build([unit("MA"), unit("MB")], [trainee("T1"), trainee("T2")],
                  [{"trainee": "T1", "kind": "prefer", "unit": "MB", "priority": 1}],
                  unit_changes=1, wishes=10)
    rp = _replanned(inst)
    assert {s.unit for s in rp.result.stints if s.trainee == "T1"} == {"MA"}
    assert rp.result.terms["wishes"] == 3


def test_travel_decides_between_two_equal_replans() -> None:
    # MB is at SYD, 25 minutes from T2's home NORD: 3 started ten minutes a week. After the
    # leave, MB for two weeks costs 2 * 3 = 6 in the second stage, MA (NORD) 0.
    sites = [{"id": "NORD", "name": "Norrby", "travel_minutes": {"SYD": 25}},
             {"id": "SYD", "name": "Söderby"}]
    inst = _build([unit("MA"), unit("MB", site="SYD", region_wide=True)],
                  [trainee("T1"), trainee("T2")], sites=sites, unit_changes=1, travel=1)
    old = [OLD[0], st("T2", "MB", "medicin", wk(0), wk(6), site="SYD")]
    assert checker.check(inst, old) == []
    rp = replan_and_verify(inst, old, wk(2), LEAVE, time_limit=10, workers=1)
    assert rp.result.status is Status.OPTIMAL and rp.result.objective == 110
    assert _after_leave(rp) == {"MA"}
    # T2's four weeks at MB before the leave (0-4) stay: 4 * 3 = 12.
    assert rp.result.terms["travel"] == 12


def test_lexicographic_fairness_with_a_finished_trainee() -> None:
    # T0 (MA 0-6) has finished by today (week 6), its wish for MB missed: own cost 3 * 10 =
    # 30, a constant floor on the worst. T1 (MA 6-12) keeps its plan. T2 (MB 6-12) is sick
    # in weeks 8-10: its stint is lost (110) and it needs 2 weeks before the leave and 4
    # after (10-14). T2 wishes MA (free from week 12): granted with three stints, own cost
    # 2 (two changes above its least); missed with two, 1 + 30 = 31, the worst.
    inst = _build([unit("MA"), unit("MB")],
                  [trainee("T0"), trainee("T1", start=wk(6)), trainee("T2", start=wk(6))],
                  [{"trainee": "T0", "kind": "prefer", "unit": "MB", "priority": 1},
                   {"trainee": "T2", "kind": "prefer", "unit": "MA", "priority": 1}],
                  fairness="lexicographic", unit_changes=1, wishes=10)
    old = [st("T0", "MA", "medicin", wk(0), wk(6)), st("T1", "MA", "medicin", wk(6), wk(12)),
           st("T2", "MB", "medicin", wk(6), wk(12))]
    assert checker.check(inst, old) == []
    leave = Changes.model_validate({"leave": [{"trainee": "T2", "start": wk(8), "end": wk(10),
                                               "kind": "sjukskrivning"}]})
    rp = replan_and_verify(inst, old, wk(6), leave, time_limit=10, workers=1)
    r = rp.result
    assert r.status is Status.OPTIMAL and r.objective == 110 == r.bound
    assert checker.check(rp.instance, r.stints, history=checker.History(old, wk(6))) == []
    assert "MA" in {s.unit for s in r.stints if s.trainee == "T2"}
    assert r.terms["worst"] == 30 == checker.fairness(rp.instance, r.stints)["worst"]


def test_cli_replan_reports_wishes(tmp_path: Path) -> None:
    set_language("sv")
    inst = _case({"kind": "avoid", "unit": "MA", "priority": 2})
    ipath, ppath, cpath = tmp_path / "i.yaml", tmp_path / "old.csv", tmp_path / "c.yaml"
    ipath.write_text(dump_instance(inst), encoding="utf-8")
    ppath.write_text(plan_to_csv(OLD), encoding="utf-8")
    cpath.write_text(yaml.safe_dump({"leave": [{"trainee": "T2", "start": wk(4).isoformat(),
                                                "end": wk(6).isoformat(),
                                                "kind": "sjukskrivning"}]}), encoding="utf-8")
    out = tmp_path / "out"
    res = runner.invoke(cli.app, ["replan", str(ipath), str(ppath), "--change", str(cpath),
                                  "--today", wk(2).isoformat(), "--out", str(out),
                                  "--workers", "1", "--time-limit", "10"])
    assert res.exit_code == 0, res.output
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["terms"]["wishes"] == 0
    assert [w["granted"] for w in run["fairness"]["wishes"]] == [True]
    wb = openpyxl.load_workbook(out / "plan.xlsx")
    rows = list(wb["Önskemål"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[3]) for r in rows] == [("T2", "ja")]
    assert "Rättvisa" in wb.sheetnames
    labels = [r[0] for r in wb["Körning"].iter_rows(values_only=True)]
    assert any(isinstance(x, str) and x.startswith("Missade önskemål") for x in labels)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_run_sheet_names_wishes_travel_and_fairness(lang: str) -> None:
    # Körning/Run: every term the plan was judged by has its label, and the fairness mode.
    from scheduler.report.excel import build_workbook
    from scheduler.solver.solve import solve

    sites = [{"id": "NORD", "name": "Norrby", "travel_minutes": {"SYD": 25}},
             {"id": "SYD", "name": "Söderby"}]
    inst = _build([unit("MA"), unit("MB", site="SYD", region_wide=True)], [trainee("T1")],
                  [{"trainee": "T1", "kind": "prefer", "unit": "MB", "priority": 2}],
                  sites=sites, fairness="lexicographic", unit_changes=1, wishes=10, travel=1)
    r = solve(inst, time_limit=10, workers=1, seed=0)
    assert r.status is Status.OPTIMAL and {"wishes", "travel", "worst"} <= set(r.terms)
    wb = openpyxl.load_workbook(io.BytesIO(build_workbook(inst, r, lang=lang)))  # type: ignore
    ws = wb["Körning" if lang == "sv" else "Run"]
    labels = {row[0]: row[1] for row in ws.iter_rows(values_only=True) if row[0]}
    want = {"sv": ["Missade önskemål (3/2/1 per prio 1/2/3) (wishes)",
                   "Restid (10-minutersveckor) (travel)",
                   "Sämst ställda AT/BT-läkarens kostnad (worst)"],
            "en": ["Wishes missed (3/2/1 by priority 1/2/3) (wishes)",
                   "Travel (10-minute weeks) (travel)", "Worst-off trainee's cost (worst)"]}
    for label in want[lang]:
        assert label in labels
    mode = labels["Rättviseläge" if lang == "sv" else "Fairness mode"]
    assert mode.endswith("(lexicographic)")
    assert mode.startswith("lexikografiskt" if lang == "sv" else "lexicographic")


def test_a_trainee_leaving_keeps_a_before_wish_dated_after_the_new_end() -> None:
    # T2 wished medicine to end by week 5, then leaves at week 4: its block ends first, so the
    # wish is met by every plan and keeps the block end as its date (not an input error).
    inst = _build([unit("MA"), unit("MB")], [trainee("T1"), trainee("T2")],
                  [{"trainee": "T2", "kind": "before", "discipline": "medicin", "date": wk(5)}],
                  unit_changes=1, wishes=10)
    ch = Changes.model_validate({"leaving": [{"trainee": "T2", "on": wk(4)}]})
    rp = replan_and_verify(inst, OLD, wk(2), ch, time_limit=10, workers=1)
    assert rp.result.status is Status.OPTIMAL
    assert rp.instance.wishes[0].date == wk(4)
    assert rp.result.terms["wishes"] == 0
