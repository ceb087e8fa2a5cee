"""The ``atbt`` command: one test per exit code, clear messages for bad input, safe outputs.

Exit codes (scheduler/cli/): 0 plan written / plan valid, 1 checked plan has violations,
2 invalid input, 3 proven infeasible, 4 no plan within the time limit, 5 internal error.
Most tests drive ``scheduler.cli.app`` in-process with typer's CliRunner; one runs
``python -m scheduler.cli`` as a subprocess to check the real process exit codes and output.
The tutorial is solved once per module (about 3 s); every other test is fast.
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from typer.testing import CliRunner, Result

from scheduler import api, cli
from scheduler import verify as checker
from scheduler.i18n import set_language
from scheduler.inputs.yaml_io import load_instance
from scheduler.plan import PLAN_COLUMNS, read_plan_csv
from scheduler.result import Result as SolveResult
from scheduler.result import Status

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "instances" / "tutorial.yaml"
HEADER = "trainee,programme,unit,discipline,site,start,end,weeks"
FAST = ["--time-limit", "10", "--workers", "1"]

runner = CliRunner()


def invoke(*args: str | Path) -> Result:
    return runner.invoke(cli.app, [str(a) for a in args])


@pytest.fixture(autouse=True)
def _swedish_afterwards():
    """--lang sets process-wide state; leave the default (Swedish) for the next test."""
    yield
    set_language("sv")


def assert_clean_exit(result: Result, code: int) -> None:
    """The expected exit code, through typer.Exit/SystemExit: no exception, no traceback."""
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception))
    assert "Traceback" not in result.output


def tutorial_data() -> dict[str, Any]:
    """The tutorial as a dict, its programme paths made absolute so it can move to tmp_path."""
    data = yaml.safe_load(TUTORIAL.read_text(encoding="utf-8"))
    data["programmes"] = [str((TUTORIAL.parent / p).resolve()) for p in data["programmes"]]
    return data


def write_yaml(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def solved(tmp_path_factory) -> tuple[Result, Path]:
    """``atbt solve instances/tutorial.yaml --json`` once for the module: (result, out folder)."""
    out = tmp_path_factory.mktemp("tutorial") / "out"
    res = invoke("solve", TUTORIAL, "--out", out, *FAST, "--json")
    set_language("sv")
    return res, out


# ------------------------------------------------------------------------------------------
# exit 0


def test_solve_exit_0_writes_plan_workbook_and_run(solved):
    res, out = solved
    assert_clean_exit(res, 0)
    summary = json.loads(res.stdout)  # --json: stdout is exactly one JSON document
    assert summary["status"] in ("optimal", "feasible")
    assert summary["stints"] > 0
    assert set(summary["terms"]) == {"unit_changes", "fragmentation", "staffing_shortfall",
                                     "peak_utilisation"}

    lines = (out / "plan.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER == ",".join(PLAN_COLUMNS)
    assert len(lines) - 1 == summary["stints"]

    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["status"] == summary["status"]
    assert run["objective"] == summary["objective"]
    assert run["input_hash"] and run["seed"] == 0 and run["workers"] == 1

    wb = openpyxl.load_workbook(out / "plan.xlsx")
    assert wb.sheetnames[0] == "Plan"  # Swedish by default
    assert "Enhetsbelastning" in wb.sheetnames
    # only the outputs, no temporary files left behind by the atomic writes
    assert sorted(p.name for p in out.iterdir()) == ["plan.csv", "plan.pdf", "plan.png",
                                                     "plan.xlsx", "run.json"]


def test_check_of_the_written_plan_exits_0(solved):
    _, out = solved
    res = invoke("check", TUTORIAL, out / "plan.csv")
    assert_clean_exit(res, 0)
    assert "Planen uppfyller alla regler." in res.stderr
    assert re.search(r"objective=\d+", res.stdout)


def test_schema_prints_json_schema():
    res = invoke("schema")
    assert_clean_exit(res, 0)
    schema = json.loads(res.stdout)
    assert {"horizon", "programmes", "sites", "units", "cohorts", "trainees",
            "weights"} <= set(schema["properties"])


# ------------------------------------------------------------------------------------------
# exit 1


@pytest.mark.parametrize("lang, summary", [("sv", "regelbrott"), ("en", "violations")])
def test_check_of_tampered_plan_exits_1_and_lists_violations(solved, tmp_path, lang, summary):
    _, out = solved
    rows = list(csv.reader((out / "plan.csv").open(encoding="utf-8", newline="")))
    first = rows[1]
    rows.insert(2, first)  # the same stint twice: the trainee is double-booked
    tampered = tmp_path / "plan.csv"
    with tampered.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)

    res = invoke("check", TUTORIAL, tampered, "--lang", lang)
    assert_clean_exit(res, 1)
    violations = [line for line in res.stdout.splitlines() if line.startswith(first[0])]
    assert violations, res.stdout
    assert re.search(rf"^\d+ {summary}$", res.stderr, re.M)


# ------------------------------------------------------------------------------------------
# exit 2: invalid input, each message on one line naming file, entry and field


def _drop_unit_name(d: dict) -> None:
    del d["units"][0]["name"]


def _capacity_tre(d: dict) -> None:
    d["units"][3]["capacity"] = "tre"


def _unknown_site(d: dict) -> None:
    d["units"][1]["site"] = "OKÄND"


def _tuesday(d: dict) -> None:
    d["cohorts"][1]["start"] = date(2027, 7, 6)


def _missing_programme_file(d: dict) -> None:
    d["programmes"][1] = "finns-inte/bt-99.yaml"


@pytest.mark.parametrize("mutate, entry, words", [
    (_drop_unit_name, "units[0] (MED).name", "fältet saknas"),
    (_capacity_tre, "units[3] (PSY).capacity", "'tre' är inte ett heltal"),
    (_unknown_site, "units[1] (KIR).site", "orten 'OKÄND' finns inte"),
    (_tuesday, "cohorts[1] (AT-2027-07).start", "2027-07-06 är inte en måndag"),
    (_missing_programme_file, "programmes[1]", "programfilen 'finns-inte/bt-99.yaml' finns inte"),
], ids=["missing-field", "wrong-type", "unknown-site", "not-monday", "missing-programme-file"])
def test_invalid_instance_exits_2_naming_file_entry_and_field(tmp_path, mutate, entry, words):
    data = tutorial_data()
    mutate(data)
    path = write_yaml(tmp_path / "region.yaml", data)
    res = invoke("solve", path, "--out", tmp_path / "out", *FAST)
    assert_clean_exit(res, 2)
    assert re.search(rf"^{re.escape(f'{path}: {entry}: ')}{words}$", res.stderr, re.M), (
        res.stderr)
    assert not (tmp_path / "out").exists()


def test_yaml_syntax_error_exits_2_with_file_and_line(tmp_path):
    path = tmp_path / "trasig.yaml"
    path.write_text("name: Trasig\nhorizon: {start: 2027-01-04, end: 2028-01-03\nsites: []\n",
                    encoding="utf-8")
    res = invoke("solve", path, "--out", tmp_path / "out")
    assert_clean_exit(res, 2)
    assert re.search(rf"^{re.escape(str(path))}: kan inte läsas som YAML: .*line \d+", res.stderr,
                     re.M), res.stderr


def test_missing_instance_file_exits_2(tmp_path):
    path = tmp_path / "saknas.yaml"
    res = invoke("check", path, tmp_path / "plan.csv")
    assert_clean_exit(res, 2)
    assert f"{path}: filen finns inte" in res.stderr


def test_message_in_english_with_lang_en(tmp_path):
    data = tutorial_data()
    _tuesday(data)
    path = write_yaml(tmp_path / "region.yaml", data)
    res = invoke("solve", path, "--out", tmp_path / "out", "--lang", "en")
    assert_clean_exit(res, 2)
    assert f"{path}: cohorts[1] (AT-2027-07).start: 2027-07-06 is not a Monday" in res.stderr
    assert "måndag" not in res.stderr


def test_unknown_language_exits_2():
    res = invoke("check", TUTORIAL, TUTORIAL, "--lang", "de")
    assert_clean_exit(res, 2)
    assert "--lang" in res.output


@pytest.mark.parametrize("content, words", [
    ("trainee;programme;unit;site;start;end;weeks\n",  # ';' is read; a column is missing
     "kolumnerna ska vara exakt " + HEADER),
    ("", "kolumnerna ska vara exakt " + HEADER),
    (HEADER + "\nAT-2027-01-01,AT18,MED,medicin,SJH,2027-01-04,2027-02-01,fyra\n", "rad 2: "),
], ids=["semicolons", "empty", "bad-row"])
def test_malformed_plan_csv_exits_2(tmp_path, content, words):
    plan = tmp_path / "plan.csv"
    plan.write_text(content, encoding="utf-8")
    res = invoke("check", TUTORIAL, plan)
    assert_clean_exit(res, 2)
    assert f"{plan}: {words}" in res.stderr


def test_plan_csv_neither_utf8_nor_cp1252_exits_2(tmp_path):
    # Windows-1252 (Swedish Excel's "CSV (semikolonavgränsad)") is read; 0x81 is not in it.
    plan = tmp_path / "plan.csv"
    plan.write_bytes((HEADER + "\nÖ,AT18,MED,medicin,SJH,2027-01-04,2027-02-01,4\n")
                     .encode("cp1252") + b"\x81\n")
    res = invoke("check", TUTORIAL, plan)
    assert_clean_exit(res, 2)
    assert f"{plan}: filen är varken UTF-8 eller Windows-1252-text" in res.stderr


def test_impossible_calendar_date_exits_2(tmp_path):
    text = TUTORIAL.read_text(encoding="utf-8").replace("start: 2027-07-05", "start: 2027-02-30")
    path = tmp_path / "region.yaml"
    path.write_text(text.replace("../constraints/", f"{ROOT}/constraints/"), encoding="utf-8")
    res = invoke("solve", path, "--out", tmp_path / "out")
    assert_clean_exit(res, 2)
    assert "cohorts[1] (AT-2027-07).start" in res.stderr


def test_out_is_a_file_exits_2_before_solving(tmp_path):
    blocker = tmp_path / "reports"
    blocker.write_text("not a folder", encoding="utf-8")
    res = invoke("solve", TUTORIAL, "--out", blocker)
    assert_clean_exit(res, 2)
    assert f"{blocker}: --out måste vara en mapp" in res.stderr
    assert "intag" not in res.stderr  # refused before the solver started
    assert blocker.read_text(encoding="utf-8") == "not a folder"


# ------------------------------------------------------------------------------------------
# outputs never overwrite an input


@pytest.mark.parametrize("name", ["plan.csv", "run.json"])
def test_out_that_would_overwrite_the_instance_is_refused(tmp_path, name):
    # An instance saved as JSON (valid YAML) under an output's name, solved into its own folder.
    instance = tmp_path / name
    text = json.dumps(tutorial_data(), default=str, ensure_ascii=False)
    instance.write_text(text, encoding="utf-8")
    res = invoke("solve", instance, "--out", tmp_path, *FAST)
    assert_clean_exit(res, 2)
    assert f"{instance}: skulle skriva över en indatafil" in res.stderr
    assert instance.read_text(encoding="utf-8") == text
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_api_write_outputs_refuses_an_input_target(solved, tmp_path):
    """The API's own guard (behind the CLI's early check) writes nothing at all."""
    _, out = solved
    stints = read_plan_csv(out / "plan.csv")
    instance = tmp_path / "run.json"
    instance.write_text("{}", encoding="utf-8")
    result = SolveResult(status=Status.FEASIBLE, stints=stints)
    with pytest.raises(FileExistsError, match="input file"):
        api.write_outputs(load_instance(TUTORIAL), result, tmp_path, inputs=(instance,))
    assert instance.read_text(encoding="utf-8") == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.json"]


# ------------------------------------------------------------------------------------------
# exit 3


def test_infeasible_instance_exits_3(tmp_path):
    # Two trainees each need the region's only psychiatry place (capacity 1) for all 13 weeks
    # of a 13-week horizon: one place, two people. CP-SAT proves it at presolve, in well under
    # a second; nothing is written.
    instance = {
        "name": "Olösbar övning",
        "horizon": {"start": date(2027, 1, 4), "end": date(2027, 4, 5)},
        "programmes": [{"id": "P13", "name": "Trettonveckorsprogram", "kind": "other",
                        "regulation": "test", "length_weeks": 13,
                        "requirements": [{"discipline": "psykiatri", "min_weeks": 13}]}],
        "sites": [{"id": "NORD", "name": "Nordsjukhuset"}],
        "units": [{"id": "PSY", "name": "Psykiatrin", "site": "NORD", "region_wide": True,
                   "disciplines": ["psykiatri"], "capacity": 1, "min_weeks": 13}],
        "trainees": [{"id": f"T{i}", "programme": "P13", "start": date(2027, 1, 4),
                      "site": "NORD"} for i in (1, 2)],
    }
    path = write_yaml(tmp_path / "olosbar.yaml", instance)
    res = invoke("solve", path, "--out", tmp_path / "out", *FAST, "--json")
    assert_clean_exit(res, 3)
    assert json.loads(res.stdout)["status"] == "infeasible"
    assert "bevisat olösbar" in res.stderr
    assert not (tmp_path / "out" / "plan.csv").exists()


# ------------------------------------------------------------------------------------------
# exit 4


def test_no_plan_in_time_exits_4(tmp_path, monkeypatch):
    # A real "no plan within the limit" depends on machine speed, so the solver is replaced by
    # one that reports exactly that; this tests the CLI's status-to-exit-code mapping.
    def no_plan(instance, time_limit, **kwargs):
        return SolveResult(status=Status.NO_PLAN, time_limit=time_limit)

    monkeypatch.setattr(api, "solve", no_plan)
    res = invoke("solve", TUTORIAL, "--out", tmp_path / "out", "--time-limit", "7", "--json")
    assert_clean_exit(res, 4)
    assert json.loads(res.stdout)["status"] == "no_plan_in_time"
    assert "Ingen plan hittades inom tidsgränsen (7.0 s)" in res.stderr
    assert not (tmp_path / "out" / "plan.csv").exists()


# ------------------------------------------------------------------------------------------
# exit 5


def test_plan_failing_verification_exits_5_and_writes_nothing(solved, tmp_path, monkeypatch):
    # The solver's plan (replayed from the module's solve, to stay fast) is rejected by the
    # independent checker: the CLI must report an internal error and write nothing.
    _, out = solved
    stints = read_plan_csv(out / "plan.csv")
    monkeypatch.setattr(api, "solve", lambda instance, **kw: SolveResult(
        status=Status.FEASIBLE, stints=stints, objective=0.0, bound=0.0))
    fault = checker.Violation(rule="capacity", message="PSY v. 2027-W10: 3 placerade men "
                              "kapaciteten är 2")
    monkeypatch.setattr(checker, "check", lambda instance, stints, lang=None: [fault])
    target = tmp_path / "out"
    res = invoke("solve", TUTORIAL, "--out", target)
    assert_clean_exit(res, 5)
    assert "lösarens plan underkändes av kontrollen; inget skrevs" in res.stderr
    assert fault.message in res.stderr
    assert not target.exists() or not any(target.iterdir())


def test_unexpected_exception_exits_5_without_traceback(monkeypatch, capsys):
    # main() (the console script) turns a bug into a one-line message and exit 5, never 1
    # (which means "the checked plan has violations").
    def boom(instance, **kwargs):
        raise RuntimeError("oväntat fel i lösaren")

    monkeypatch.setattr(api, "solve", boom)
    monkeypatch.delenv("ATBT_DEBUG", raising=False)
    monkeypatch.setattr(sys, "argv", ["atbt", "solve", str(TUTORIAL), "--lang", "en",
                                      "--out", "/nonexistent/never-written"])
    with pytest.raises(SystemExit) as exc:
        cli.main()
    assert exc.value.code == 5
    err = capsys.readouterr().err
    assert "Internal error: oväntat fel i lösaren" in err
    assert "Traceback" not in err


# ------------------------------------------------------------------------------------------
# the real process


def test_python_m_scheduler_cli_end_to_end(solved, tmp_path):
    """Exit codes and streams of the actual process, as a shell script or CI sees them."""
    _, out = solved

    def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "scheduler.cli", *map(str, args)],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)

    ok = run("check", "instances/tutorial.yaml", out / "plan.csv", "--lang", "en")
    assert ok.returncode == 0, ok.stderr
    assert "The plan satisfies every rule." in ok.stderr

    bad = run("check", "instances/tutorial.yaml", tmp_path / "saknas.csv")
    assert bad.returncode == 2
    assert bad.stderr.strip() == f"{tmp_path / 'saknas.csv'}: filen finns inte"
    assert "Traceback" not in bad.stderr + bad.stdout


# ------------------------------------------------------------------------------------------
# the README and docs/USAGE.md stay true


def test_usage_example_instance_is_valid(tmp_path):
    usage = (ROOT / "docs" / "USAGE.md").read_text(encoding="utf-8")
    match = re.search(r"```yaml\n(name: .*?)```", usage, re.S)
    assert match, "docs/USAGE.md has no example instance"
    text = match.group(1).replace("../constraints/", f"{ROOT / 'constraints'}/")
    path = tmp_path / "example.yaml"
    path.write_text(text, encoding="utf-8")
    inst = load_instance(path)
    assert [p.id for p in inst.programmes] == ["AT18", "BT12"]
    assert len(inst.all_trainees()) == 4


def test_readme_gives_two_commands_and_ci_runs_its_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in quick.splitlines() if line.strip()]
    assert commands == ["bash scripts/run-example.sh", "bash scripts/test.sh"]
    for command in commands:
        assert (ROOT / command.split()[1]).is_file()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "set -euo pipefail" in ci
    assert [line for line in ci.splitlines() if line.startswith("bash ")] == [commands[1]]
