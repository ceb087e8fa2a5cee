"""What-if scenarios: variant derivation, sweeps (local and Dask), reports, CLI.

Tiny invented instances; every plan of a sweep is re-checked by the independent checker.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
import yaml
from typer.testing import CliRunner

from scheduler import verify as checker
from scheduler.cli import app
from scheduler.domain import Instance
from scheduler.inputs.yaml_io import InputError, dump_instance
from scheduler.plan import read_plan_csv
from scheduler.result import Status
from scheduler.solver.model import capacity_profiles
from scheduler.solver.solve import solve
from scheduler.whatif import sweep as sweep_mod
from scheduler.whatif.runner import TIMED_OUT, Job, plan_jobs, run_all, run_job, status_counts
from scheduler.whatif.scenario import ScenarioFile, derive, load_scenarios
from scheduler.whatif.sweep import Settings, whatif

ROOT = Path(__file__).resolve().parent.parent
H0 = date(2027, 1, 4)
runner = CliRunner()


def wk(n: int) -> date:
    return H0 + timedelta(weeks=n)


def tiny() -> Instance:
    """6-week blocks (2+ medicine, 2+ psychiatry); 3 trainees start in week 0, 2 in week 3."""
    return Instance.model_validate({
        "name": "Testregionen", "horizon": {"start": H0, "end": wk(12)},
        "programmes": [{"id": "P6", "name": "P6", "kind": "AT", "regulation": "test",
                        "length_weeks": 6,
                        "requirements": [{"discipline": "medicin", "min_weeks": 2},
                                         {"discipline": "psykiatri", "min_weeks": 2}]},
                       {"id": "P7", "name": "P7", "kind": "AT", "regulation": "test",
                        "length_weeks": 7,
                        "requirements": [{"discipline": "medicin", "min_weeks": 3},
                                         {"discipline": "psykiatri", "min_weeks": 2}]}],
        "sites": [{"id": "NORD", "name": "Norrby"}],
        "units": [
            {"id": "MED", "name": "Medicin", "site": "NORD", "disciplines": ["medicin"],
             "capacity": 3, "min_weeks": 2},
            {"id": "PSY", "name": "Psykiatri", "site": "NORD", "disciplines": ["psykiatri"],
             "capacity": 2, "min_weeks": 2, "max_weeks": 2},
            {"id": "PSY2", "name": "Psykiatri 2", "site": "NORD",
             "disciplines": ["psykiatri"], "capacity": 1, "min_weeks": 2, "max_weeks": 2}],
        "cohorts": [{"id": "A", "programme": "P6", "start": wk(0), "count": 3, "site": "NORD"},
                    {"id": "B", "programme": "P6", "start": wk(3), "count": 2, "site": "NORD"}],
        "weights": {"unit_changes": 1, "fragmentation": 1, "staffing_shortfall": 0,
                    "peak_utilisation": 0}})


def scenarios(raw: dict) -> list:
    return ScenarioFile.model_validate(raw).expand()


# ---- derivation


def test_relative_capacity_change_in_a_period_only():
    (sc,) = scenarios({"scenarios": [{"name": "s", "changes": [
        {"capacity": {"discipline": "psykiatri", "delta": -1, "start": wk(2), "end": wk(5)}}]}]})
    v = derive(tiny(), sc)
    prof = capacity_profiles(v)
    # PSY 2 -> 1 and PSY2 1 -> 0 in weeks 2-4 only; MED untouched.
    assert prof["PSY"] == [2, 2, 1, 1, 1] + [2] * 7
    assert prof["PSY2"] == [1, 1, 0, 0, 0] + [1] * 7
    assert prof["MED"] == [3] * 12


def test_factor_close_and_add_unit():
    (sc,) = scenarios({"scenarios": [{"name": "s", "changes": [
        {"capacity": {"units": ["MED"], "factor": 0.5}},  # 3 * 0.5 = 1.5 -> 2 (half up)
        {"close": {"units": ["PSY2"], "start": wk(6)}},
        {"add_unit": {"id": "NY", "name": "Ny", "site": "NORD", "disciplines": ["medicin"],
                      "capacity": 1}}]}]})
    v = derive(tiny(), sc)
    prof = capacity_profiles(v)
    assert prof["MED"] == [2] * 12
    assert prof["PSY2"] == [1] * 6 + [0] * 6
    assert prof["NY"] == [1] * 12


def test_intake_factor_spreads_by_largest_remainder():
    base = Instance.model_validate({**tiny().model_dump(), "cohorts": [
        {"id": "A", "programme": "P6", "start": wk(0), "count": 3, "site": "NORD"},
        {"id": "A2", "programme": "P6", "start": wk(0), "count": 2, "site": "NORD"}]})
    (sc,) = scenarios({"scenarios": [{"name": "s", "changes": [
        {"intake": {"start": wk(0), "factor": 1.4}}]}]})
    # 5 x 1.4 = 7 in total: 3 x 1.4 = 4.2 and 2 x 1.4 = 2.8 -> 4 + 3 (not 4 + 3 rounded apart)
    v = derive(base, sc)
    assert [c.count for c in v.cohorts] == [4, 3]


def test_ramp_scales_by_year_and_removes_empty_cohorts():
    (sc,) = scenarios({"scenarios": [{"name": "s", "changes": [
        {"ramp": {"kind": "AT", "years": {2027: 0.0}}}]}]})
    v = derive(tiny(), sc)
    assert v.cohorts == []


def test_programme_swap_extends_the_horizon(tmp_path):
    (tmp_path / "p8.yaml").write_text(yaml.safe_dump({
        "id": "P8", "name": "P8", "kind": "AT", "regulation": "test", "length_weeks": 8,
        "requirements": [{"discipline": "medicin", "min_weeks": 4},
                         {"discipline": "psykiatri", "min_weeks": 2}]}), encoding="utf-8")
    (sc,) = scenarios({"scenarios": [{"name": "s", "changes": [
        {"programme": {"replace": "P6", "with": "p8.yaml"}}]}]})
    v = derive(tiny(), sc, tmp_path)
    assert {c.programme for c in v.cohorts} == {"P8"}
    assert [p.id for p in v.programmes] == ["P7", "P8"]
    # Cohort B starts in week 3 with 8 weeks: block ends week 11 <= 12, horizon unchanged;
    # a start in week 6 would need week 14.
    assert v.horizon.end == wk(12)
    base = tiny().model_dump()
    base["cohorts"][1]["start"] = wk(6)
    v2 = derive(Instance.model_validate(base), sc, tmp_path)
    assert v2.horizon.end == wk(14)


def test_stint_ranges_scaled_for_a_programme():
    (sc,) = scenarios({"scenarios": [{"name": "s", "changes": [
        {"stint": {"units": ["MED"], "programme": "P7", "factor": 1.34}},
        {"stint": {"discipline": "psykiatri", "max_weeks": 3}}]}]})
    v = derive(tiny(), sc)
    # MED: 2..None -> P7: round(2 x 1.34) = 3 .. None; the default range is unchanged.
    assert v.unit("MED").stint_range("P7") == (3, None)
    assert v.unit("MED").stint_range("P6") == (2, None)
    assert v.unit("PSY").stint_range("P6") == (2, 3)


def test_grid_is_a_cartesian_product_with_names():
    names = [s.name for s in scenarios({"grids": [{"name": "g", "axes": {
        "psy": [{"name": "p0"}, {"name": "p-1", "changes": [
            {"capacity": {"units": ["PSY"], "delta": -1}}]}],
        "intag": [{"name": "i0"}, {"name": "i+1"}, {"name": "i+2"}]}}]})]
    assert names == ["g:p0+i0", "g:p0+i+1", "g:p0+i+2", "g:p-1+i0", "g:p-1+i+1", "g:p-1+i+2"]


def test_bad_scenarios_are_located(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text("scenarios:\n  - name: a\n    changes:\n      - capacity: {units: [MED]}\n"
                 "  - name: a\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"scenarios\[0\].*exactly one of set, delta, factor"):
        load_scenarios(f)
    f.write_text("scenarios:\n  - {name: a}\n  - {name: a}\n", encoding="utf-8")
    with pytest.raises(InputError, match="more than once"):
        load_scenarios(f)
    (sc,) = scenarios({"scenarios": [{"name": "x", "changes": [
        {"capacity": {"units": ["NOPE"], "set": 1}}]}]})
    with pytest.raises(InputError, match="unknown unit"):
        derive(tiny(), sc)


# ---- solving


def test_warm_start_keeps_a_valid_plan_and_repairs_a_closed_unit():
    inst = tiny()
    base = solve(inst, time_limit=10, workers=1)
    assert base.status.has_plan
    # PSY2 closes (so every block has 4 weeks of medicine) and PSY and MED get more seats:
    # the trainees the base put at PSY2 must be re-planned.
    (sc,) = scenarios({"scenarios": [{"name": "s", "changes": [
        {"close": {"units": ["PSY2"]}}, {"capacity": {"units": ["PSY"], "set": 3}},
        {"capacity": {"units": ["MED"], "set": 5}}]}]})
    v = derive(inst, sc)
    assert any(s.unit == "PSY2" for s in base.stints)
    r = solve(v, time_limit=10, workers=1, warm_start=base.stints)
    assert r.status.has_plan and checker.check(v, r.stints) == []
    assert not any(s.unit == "PSY2" for s in r.stints)


def test_sweep_reports_the_infeasible_variant_and_the_others(tmp_path):
    # psy-closed: no psychiatry seat at all -> 2 weeks of psychiatry impossible (infeasible;
    # proven after the first-plan phase gives up, 60 % of the time limit).
    variants = scenarios({"scenarios": [
        {"name": "psy-minus-1", "changes": [{"capacity": {"units": ["PSY"], "delta": -1}}]},
        {"name": "psy-closed", "changes": [{"close": {"discipline": "psykiatri"}}]},
        {"name": "bad", "changes": [{"add_cohort": {"id": "Z", "programme": "NOPE",
                                                    "start": wk(0), "count": 1,
                                                    "site": "NORD"}}]},
        {"name": "intake+1", "changes": [{"intake": {"cohorts": ["A"], "delta": 1}}]}]})
    inst = tiny()
    path, outs = whatif(inst, variants, Path("."), tmp_path,
                        Settings(time_limit=4, parallel=1, charts=True))
    by = {o.name: o for o in outs}
    assert list(by) == ["base", "psy-minus-1", "psy-closed", "bad", "intake+1"]
    assert by["psy-closed"].status == "infeasible"
    assert by["bad"].status == "invalid_input" and "NOPE" in by["bad"].message
    for name in ("base", "psy-minus-1", "intake+1"):
        assert by[name].ok, by[name]
    assert by["intake+1"].planned == 6
    # every written plan is valid for its variant
    for name, sc in [("psy-minus-1", variants[0]), ("intake+1", variants[3])]:
        stints = read_plan_csv(tmp_path / "variants" / name / "plan.csv")
        assert checker.check(derive(inst, sc), stints) == []
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    assert [r[0] for r in ws.iter_rows(min_row=2, values_only=True)] == list(by)
    assert len(wb.worksheets[3]._images) == 2 * 3  # noqa: SLF001 (openpyxl has no public list)  # heatmap + utilisation per solved variant
    assert (tmp_path / "png" / "heatmap-intake+1.png").stat().st_size > 1000
    lines = (tmp_path / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5
    # each valid variant is also written as an instance of its own
    from scheduler.inputs.yaml_io import load_instance

    assert load_instance(tmp_path / "variants" / "intake+1" / "instance.yaml") == \
        derive(inst, variants[3])


def test_interrupted_sweep_keeps_finished_results(tmp_path, monkeypatch):
    calls = {"n": 0}
    real = sweep_mod.run_all

    def flaky(jobs, **kw):
        calls["n"] += 1
        if calls["n"] == 2:  # the variants after the base: one finishes, then Ctrl-C
            kw["on_result"](run_job(jobs[0]))
            raise KeyboardInterrupt
        return real(jobs, **kw)

    monkeypatch.setattr(sweep_mod, "run_all", flaky)
    variants = scenarios({"scenarios": [{"name": "a"}, {"name": "b"}]})
    with pytest.raises(KeyboardInterrupt):
        whatif(tiny(), variants, Path("."), tmp_path, Settings(time_limit=5, charts=False))
    ws = openpyxl.load_workbook(tmp_path / "whatif.xlsx").worksheets[0]
    assert [r[0] for r in ws.iter_rows(min_row=2, values_only=True)] == ["base", "a"]


def test_process_pool_gives_the_same_results_as_in_process():
    jobs = [Job(f"v{k}", tiny(), time_limit=10, workers=1, seed=0) for k in range(2)]
    local = {o.name: o for o in run_all(jobs, parallel=1)}
    pooled = {o.name: o for o in run_all(jobs, parallel=2)}
    for n in local:
        assert pooled[n].status == local[n].status
        assert pooled[n].objective == local[n].objective


def test_watchdog_kills_an_overrunning_variant_and_the_rest_go_on():
    # "slow" must be killed 0.05 s after it starts (its process cannot even import the
    # solver by then): reported as timed out, not as an error nor as no plan in time; "ok"
    # finishes normally in the same sweep, with its plan.
    jobs = [Job("slow", tiny(), time_limit=5, hard_limit=0.05),
            Job("ok", tiny(), time_limit=5)]
    by = {o.name: o for o in run_all(jobs, parallel=2, grace=30)}
    assert by["slow"].status == TIMED_OUT and "killed" in by["slow"].message
    assert by["slow"].out_of_time and not by["slow"].proven_infeasible
    assert by["ok"].ok and by["ok"].planned == 5
    counts = status_counts(list(by.values()))
    assert counts[TIMED_OUT] == 1 and counts["infeasible"] == 0
    assert sum(counts.values()) == 2


def test_one_job_at_a_time_also_runs_under_the_watchdog():
    # parallel=1 with a grace: still a process per variant, so it can be killed too.
    jobs = [Job("slow", tiny(), time_limit=5, hard_limit=0.05), Job("ok", tiny(), time_limit=5)]
    by = {o.name: o for o in run_all(jobs, parallel=1, grace=30)}
    assert by["slow"].status == TIMED_OUT
    assert by["ok"].ok


def test_report_separates_proven_infeasible_from_no_plan_in_time(tmp_path):
    from scheduler.whatif.report import Row, write_report
    from scheduler.whatif.runner import Outcome

    rows = [Row(n, None, Outcome(n, st), "", "") for n, st in
            [("a", "infeasible"), ("b", "no_plan_in_time"), ("c", TIMED_OUT),
             ("d", "infeasible"), ("e", "error")]]
    path = write_report(rows, tmp_path, lang="en", base=None, charts=False)
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    head = [c.value for c in ws[1]]
    proven, late = head.index("Proven infeasible"), head.index(
        "No plan in time (limit or killed)")
    cells = {r[0]: (r[proven], r[late]) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert cells == {"a": ("yes", None), "b": (None, "yes"), "c": (None, "yes"),
                     "d": ("yes", None), "e": (None, None)}
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["infeasible"] == 2 and summary["no plan in time"] == 1
    assert summary["timed out (killed)"] == 1 and summary["error"] == 1
    assert summary["optimal"] == 0
    for sheet in wb.worksheets:  # printable: A4 landscape, one page wide
        assert int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
        assert sheet.page_setup.fitToWidth == 1


def test_jobs_times_workers_within_cores():
    assert plan_jobs(None, 1, cores=2) == 2
    assert plan_jobs(None, 2, cores=2) == 1
    assert plan_jobs(8, 1, cores=4) == 4
    assert plan_jobs(3, 1, cores=8) == 3


def test_dask_cluster_gives_identical_results():
    distributed = pytest.importorskip("distributed")
    # One start, one solver worker, a fixed seed: the solve is deterministic, so the plan
    # itself must match, not only the objective.
    one = tiny().model_copy(update={"cohorts": tiny().cohorts[:1]})
    jobs = [Job("a", one, time_limit=10, workers=1, seed=3),
            Job("b", tiny(), time_limit=10, workers=1, seed=3)]
    local = {o.name: o for o in run_all(jobs)}
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cl:
        remote = {o.name: o for o in run_all(jobs, cluster=cl.scheduler_address)}
    assert set(remote) == {"a", "b"}
    for n in ("a", "b"):
        assert remote[n].status == local[n].status and remote[n].ok
        assert remote[n].objective == local[n].objective
    assert local["a"].status == Status.OPTIMAL.value
    assert remote["a"].stints == local["a"].stints


# ---- CLI


def _files(tmp_path: Path, raw: dict) -> tuple[Path, Path]:
    base = tmp_path / "base.yaml"
    base.write_text(dump_instance(tiny()), encoding="utf-8")
    sc = tmp_path / "sc.yaml"
    sc.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return base, sc


def test_cli_whatif_writes_the_report(tmp_path):
    base, sc = _files(tmp_path, {"scenarios": [
        {"name": "psy-closed", "changes": [{"close": {"discipline": "psykiatri"}}]},
        {"name": "med-2", "changes": [{"capacity": {"units": ["MED"], "set": 2}}]}]})
    r = runner.invoke(app, ["whatif", str(base), str(sc), "--out", str(tmp_path / "o"),
                            "--time-limit", "5", "--jobs", "1", "--no-charts", "--lang", "en"])
    assert r.exit_code == 0, r.output
    rows = [json.loads(x) for x in (tmp_path / "o" / "results.jsonl").read_text().splitlines()]
    assert {x["name"]: x["status"] for x in rows} == {
        "base": "optimal", "psy-closed": "infeasible", "med-2": "optimal"}
    # The counts keep proven infeasible apart from no plan in time and killed variants.
    assert "2 optimal, 0 feasible, 1 proven infeasible, 0 no plan within the time limit, " \
        "0 killed after the time limit" in r.output
    wb = openpyxl.load_workbook(tmp_path / "o" / "whatif.xlsx")
    assert {row[0]: row[1] for row in wb["Summary"].iter_rows(min_row=2, values_only=True)
            }["infeasible"] == 1


def test_cli_whatif_bad_scenario_file_exits_2(tmp_path):
    base, sc = _files(tmp_path, {"scenarios": [{"name": "x", "changes": [{"bogus": 1}]}]})
    r = runner.invoke(app, ["whatif", str(base), str(sc), "--out", str(tmp_path / "o")])
    assert r.exit_code == 2
    assert "sc.yaml" in r.output


def test_cli_capacity_names_the_bottleneck(tmp_path):
    inst = Instance.model_validate({**tiny().model_dump(), "cohorts": tiny().model_dump()[
        "cohorts"][:1]})
    base = tmp_path / "one.yaml"
    base.write_text(dump_instance(inst), encoding="utf-8")
    r = runner.invoke(app, ["capacity", str(base), "--time-limit", "10", "--out",
                            str(tmp_path / "c"), "--lang", "en"])
    assert r.exit_code == 0, r.output
    # One start, 6-week blocks. Psychiatry stints are exactly 2 weeks, at most one each at
    # PSY (2 seats) and PSY2 (1 seat), so a trainee has 2 or 4 weeks of psychiatry and 4 or 2
    # of medicine (one MED stint, 3 seats). Seat-weeks: psychiatry 3 x 6 = 18, medicine
    # 3 x 6 = 18, and each trainee uses 6 of the 36: at most 6 trainees (the capacity bound
    # per requirement alone would allow 18 / 2 = 9). 6 fit: 3 with 4+2 and 3 with 2+4 weeks.
    assert "largest intake   6" in r.output
    wb = openpyxl.load_workbook(tmp_path / "c" / "capacity.xlsx")
    assert wb.sheetnames == ["Intake", "Bottlenecks", "Marginal value"]
    for ws in wb.worksheets:  # printable: A4 landscape, one page wide, header row repeated
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
        assert ws.print_title_rows == "$1:$1"


def test_cli_batch_one_report_each_and_a_summary(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.yaml").write_text(dump_instance(tiny()), encoding="utf-8")
    (d / "broken.yaml").write_text("name: [", encoding="utf-8")
    r = runner.invoke(app, ["batch", str(d), "--out", str(tmp_path / "o"), "--time-limit",
                            "5", "--jobs", "1", "--no-charts"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "o" / "a" / "plan.xlsx").exists()
    ws = openpyxl.load_workbook(tmp_path / "o" / "summary.xlsx").worksheets[0]
    status = {row[0]: row[1] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert status == {"a": "optimal", "broken": "ogiltig indata"}


def test_orebro_21_months_uses_the_jonkoping_rule_set_and_every_block_fits():
    # The variant takes AT21 from constraints/at-21-jonkoping.yaml; with its stint overrides a
    # trainee of each home site has a valid block when capacity is ignored (the scenario file
    # says so; without the KAR-MED/LIN-MED override Lindesberg's has none).
    from ortools.sat.python import cp_model

    from scheduler import api
    from scheduler.inputs.yaml_io import load_programme
    from scheduler.solver.model import PlacementModel

    base, _ = api.load(ROOT / "instances" / "orebro.yaml")
    variants, folder = load_scenarios(ROOT / "instances" / "scenarios" / "orebro.yaml")
    sc = next(v for v in variants if v.name == "normtid-21-jonkoping")
    v = derive(base, sc, folder)
    assert v.programme("AT21") == load_programme(ROOT / "constraints" / "at-21-jonkoping.yaml")
    assert v.horizon.end > base.horizon.end  # the last 91-week blocks fit

    def status(inst: Instance, site: str) -> int:
        t = next(t for t in inst.all_trainees() if t.site == site and t.programme == "AT21")
        pm = PlacementModel(inst, [t], terms=(), ignore_capacity=True)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = 10
        solver.parameters.num_workers = 1
        return solver.solve(pm.model)

    for site in ("USO", "KAR", "LIN"):
        assert status(v, site) == cp_model.OPTIMAL, site
    without = derive(base, sc.model_copy(update={"changes": sc.changes[:-1]}), folder)
    assert status(without, "LIN") == cp_model.INFEASIBLE


def test_orebro_scenarios_derive():
    from scheduler import api

    base, _ = api.load(ROOT / "instances" / "orebro.yaml")
    variants, folder = load_scenarios(ROOT / "instances" / "scenarios" / "orebro.yaml")
    assert len(variants) >= 5
    for sc in variants:
        v = derive(base, sc, folder)
        assert v.units and v.all_trainees()


def test_scenario_sheet_in_a_workbook(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Scenarier"
    ws.append(["Scenario", "Beskrivning", "Ändring", "Enheter", "Disciplin", "Start", "Delta",
               "Faktor", "Program", "Typ", "År"])
    ws.append(["psy-1", "Psykiatrin tappar en", "kapacitet", None, "psykiatri", None, -1])
    ws.append(["psy-1", None, "stäng", "PSY2", None, wk(6)])
    ws.append(["ramp", None, "ramp", None, None, None, None, None, None, "AT", "2027: 0.5"])
    ws.append(["tom"])
    ws.cell(row=1, column=12, value="Max veckor")
    ws.append(["längre", None, "placeringslängd", "MED"] + [None] * 7 + [5])
    wb.save(tmp_path / "s.xlsx")
    variants, _ = load_scenarios(tmp_path / "s.xlsx")
    assert [v.name for v in variants] == ["psy-1", "ramp", "tom", "längre"]
    assert derive(tiny(), variants[3]).unit("MED").stint_range("P6") == (2, 5)
    v = derive(tiny(), variants[0])
    assert capacity_profiles(v)["PSY2"] == [0] * 12  # -1 then closed from week 6
    assert capacity_profiles(v)["PSY"] == [1] * 12
    # 3 x 0.5 = 1.5 -> 2 and 2 x 0.5 = 1 (the start groups are scaled separately)
    assert [c.count for c in derive(tiny(), variants[1]).cohorts] == [2, 1]
    ws.append(["fel", None, "kapacitet", "MED"])  # no amount
    wb.save(tmp_path / "s.xlsx")
    with pytest.raises(InputError, match="Scenarier rad 7"):
        load_scenarios(tmp_path / "s.xlsx")


def test_cli_capacity_unknown_start_exits_2(tmp_path):
    base, _ = _files(tmp_path, {"scenarios": []})
    r = runner.invoke(app, ["capacity", str(base), "--start", "2027-01-11", "--lang", "en"])
    assert r.exit_code == 2
    assert "no intake starts then (starts: 2027-01-04, 2027-01-25)" in r.output


def test_cli_whatif_never_overwrites_an_input(tmp_path):
    base, _ = _files(tmp_path, {"scenarios": [{"name": "a"}]})
    sc = tmp_path / "whatif.xlsx"  # a scenario workbook where the report would go
    wb = openpyxl.Workbook()
    wb.active.title = "Scenarier"
    wb.active.append(["Scenario"])
    wb.active.append(["a"])
    wb.save(sc)
    before = sc.read_bytes()
    r = runner.invoke(app, ["whatif", str(base), str(sc), "--out", str(tmp_path)])
    assert r.exit_code == 2
    assert sc.read_bytes() == before
