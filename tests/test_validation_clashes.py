"""Issue 22, point 5: contradictions in the input are exit 2 with a located message naming both
entries, never a solve that ends in exit 3. One test per case; names are invented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

from scheduler import cli
from scheduler.i18n import set_language

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "instances" / "tutorial.yaml"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _swedish_afterwards():
    yield
    set_language("sv")


def tutorial_data() -> dict[str, Any]:
    data = yaml.safe_load(TUTORIAL.read_text(encoding="utf-8"))
    data["programmes"] = [str((TUTORIAL.parent / p).resolve()) for p in data["programmes"]]
    return data


def solve(tmp_path: Path, inst: Path) -> Result:
    return runner.invoke(cli.app, ["solve", str(inst), "--out", str(tmp_path / "out"),
                                   "--time-limit", "5", "--workers", "1"])


def assert_exit_2(result: Result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception))
    assert "Traceback" not in result.output
    for w in words:
        assert w in result.output, (w, result.output)


def write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def with_trainee(**facts: Any) -> dict[str, Any]:
    """The tutorial with one more AT trainee, Tove Testsson, carrying ``facts``."""
    d = tutorial_data()
    d["trainees"] = [{"id": "TOVE", "name": "Tove Testsson", "programme": "AT18",
                      "start": "2027-01-04", "site": "SJH", **facts}]
    return d


def test_overlapping_locked_stints_name_both(tmp_path):
    d = with_trainee(locked=[
        {"unit": "MED", "discipline": "medicin", "start": "2027-01-04", "end": "2027-04-05"},
        {"unit": "KIR", "discipline": "kirurgi", "start": "2027-03-01", "end": "2027-05-31"}])
    r = solve(tmp_path, write(tmp_path / "i.yaml", d))
    assert_exit_2(r, "i.yaml", "trainees[0] (TOVE).locked[1]", "locked[1] (KIR)",
                  "locked[0] (MED)", "överlappar")


def test_locked_stint_in_parental_leave_names_both(tmp_path):
    d = with_trainee(
        leave=[{"kind": "foraldraledighet", "start": "2027-06-07", "end": "2027-09-06"}],
        locked=[{"unit": "MED", "discipline": "medicin", "start": "2027-05-03",
                 "end": "2027-07-05"}])
    r = solve(tmp_path, write(tmp_path / "i.yaml", d))
    assert_exit_2(r, "trainees[0] (TOVE).locked[0]", "leave[0]", "foraldraledighet",
                  "inte är tjänstgöring")


def test_overlapping_leave_names_both(tmp_path):
    d = with_trainee(leave=[
        {"kind": "foraldraledighet", "start": "2027-06-07", "end": "2027-09-06"},
        {"kind": "sjukskrivning", "start": "2027-08-02", "end": "2027-08-16"}])
    r = solve(tmp_path, write(tmp_path / "i.yaml", d))
    assert_exit_2(r, "trainees[0] (TOVE).leave[1]", "leave[0]", "2027-06-07", "överlappar")


def test_overlapping_leave_of_a_cohort_member_is_located(tmp_path):
    d = tutorial_data()
    d["cohorts"][0]["overrides"] = [{"id": "AT-2027-01-02", "leave": [
        {"kind": "semester", "start": "2027-07-05", "end": "2027-08-02"},
        {"kind": "tjanstledighet", "start": "2027-07-26", "end": "2027-09-06"}]}]
    r = solve(tmp_path, write(tmp_path / "i.yaml", d))
    assert_exit_2(r, "overrides[0] (AT-2027-01-02).leave[1]", "leave[0]", "överlappar")


def test_duplicate_key_is_an_error_naming_both_lines(tmp_path):
    text = TUTORIAL.read_text(encoding="utf-8").replace(
        "capacity: 2\n", "capacity: 3\n    capacity: 30\n", 1)
    assert "capacity: 30" in text
    inst = tmp_path / "i.yaml"
    inst.write_text(text.replace("../constraints/", str(ROOT / "constraints") + "/"),
                    encoding="utf-8")
    line = next(i for i, s in enumerate(inst.read_text().splitlines(), 1) if "capacity: 30" in s)
    r = solve(tmp_path, inst)
    assert_exit_2(r, "i.yaml", "'capacity'", f"rad {line - 1} och rad {line}")


def test_duplicate_key_in_a_flow_mapping(tmp_path):
    d = tutorial_data()
    text = yaml.safe_dump(d, allow_unicode=True, sort_keys=False)
    inst = tmp_path / "i.yaml"
    inst.write_text(text + "weights: {unit_changes: 1, unit_changes: 2}\n", encoding="utf-8")
    assert_exit_2(solve(tmp_path, inst), "'unit_changes'", "två gånger")


def test_cohort_part_time_out_of_range_names_cohort_and_field(tmp_path):
    d = tutorial_data()
    d["cohorts"][1]["part_time"] = 40
    r = solve(tmp_path, write(tmp_path / "i.yaml", d))
    assert_exit_2(r, "cohorts[1] (AT-2027-07).part_time", "40")


def test_trainee_part_time_out_of_range_names_the_field(tmp_path):
    r = solve(tmp_path, write(tmp_path / "i.yaml", with_trainee(part_time=120)))
    assert_exit_2(r, "trainees[0] (TOVE).part_time", "120")


@pytest.mark.parametrize("path", ["../../etc/passwd", "/etc/passwd",
                                  "../../../../../../../../etc/hostname"])
def test_programme_path_is_confined(tmp_path, path):
    d = tutorial_data()
    d["programmes"][1] = path
    r = solve(tmp_path, write(tmp_path / "i.yaml", d))
    assert_exit_2(r, "programmes[1]", "utanför instansens mapp och constraints/")


def test_programme_path_through_a_symlink_out_is_confined(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "bt.yaml").write_text((ROOT / "constraints" / "bt-12.yaml").read_text())
    region = tmp_path / "region"
    region.mkdir()
    (region / "bt.yaml").symlink_to(outside / "bt.yaml")
    d = tutorial_data()
    d["programmes"][1] = "bt.yaml"
    assert_exit_2(solve(tmp_path, write(region / "i.yaml", d)), "programmes[1]", "utanför")


def test_programme_paths_inside_the_folder_or_constraints_are_read(tmp_path):
    """The shipped layout (../constraints/) and a copy beside the instance both load."""
    from scheduler.inputs.yaml_io import load_instance

    region = tmp_path / "region"
    (region / "instances").mkdir(parents=True)
    (region / "constraints").mkdir()
    (region / "constraints" / "at.yaml").write_text(
        (ROOT / "constraints" / "at-18-nationell.yaml").read_text(encoding="utf-8"),
        encoding="utf-8")
    (region / "instances" / "bt.yaml").write_text(
        (ROOT / "constraints" / "bt-12.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    d = tutorial_data()
    d["programmes"] = ["../constraints/at.yaml", "bt.yaml"]
    inst = load_instance(write(region / "instances" / "i.yaml", d))
    assert [p.id for p in inst.programmes] == ["AT18", "BT12"]
    assert load_instance(TUTORIAL).programmes  # ../constraints/ of the repository


@pytest.mark.parametrize("encoding,guess", [("utf-16", "UTF-16"), ("latin-1", "Latin-1")])
def test_non_utf8_instance_says_save_as_utf8(tmp_path, encoding, guess):
    d = tutorial_data()
    d["units"][0]["name"] = "Medicinkliniken Växjö"  # a non-ASCII letter
    inst = tmp_path / "i.yaml"
    inst.write_bytes(yaml.safe_dump(d, allow_unicode=True, sort_keys=False).encode(encoding))
    r = solve(tmp_path, inst)
    assert_exit_2(r, "i.yaml", "spara som UTF-8", guess)
    assert "codec" not in r.output  # not the raw decoder error


def test_non_utf8_programme_file_says_save_as_utf8(tmp_path):
    prog = tmp_path / "bt.yaml"
    prog.write_bytes((ROOT / "constraints" / "bt-12.yaml").read_text(encoding="utf-8")
                     .encode("latin-1", errors="replace"))
    d = tutorial_data()
    d["programmes"][1] = "bt.yaml"
    r = solve(tmp_path, write(tmp_path / "i.yaml", d))
    assert_exit_2(r, "bt.yaml", "spara som UTF-8")


def test_capacity_0_at_the_only_psychiatry_unit_is_exit_2_at_once(tmp_path):
    """PSY is the tutorial's only psychiatry unit: with capacity 0 no AT trainee can get their
    13 weeks. Proven by the input check, not by a solve (exit 2, not 3)."""
    d = tutorial_data()
    psy = next(u for u in d["units"] if u["id"] == "PSY")
    psy["capacity"] = 0
    r = solve(tmp_path, write(tmp_path / "i.yaml", d))
    assert_exit_2(r, "i.yaml", "cohorts[0] (AT-2027-01)", "AT18", "psykiatri", "kapacitet 0")
    assert not (tmp_path / "out" / "plan.csv").exists()


def test_seat_limit_0_for_a_programme_at_the_only_psychiatry_unit_is_exit_2(tmp_path):
    d = tutorial_data()
    psy = next(u for u in d["units"] if u["id"] == "PSY")
    psy["capacity_by_programme"] = {"AT18": 0}
    r = solve(tmp_path, write(tmp_path / "i.yaml", d))
    assert_exit_2(r, "cohorts[0] (AT-2027-01).programme", "AT18", "psykiatri")


def test_locked_stint_in_the_introduction_weeks_is_exit_2(tmp_path):
    d = with_trainee(locked=[{"unit": "MED", "discipline": "medicin", "start": "2027-01-04",
                              "end": "2027-03-01"}])
    at18 = yaml.safe_load((ROOT / "constraints" / "at-18-nationell.yaml").read_text("utf-8"))
    at18["introduction_weeks"] = 2
    at18["length_weeks"] = 80
    d["programmes"][0] = at18
    r = solve(tmp_path, write(tmp_path / "i.yaml", d))
    assert_exit_2(r, "trainees[0] (TOVE).locked[0]", "introduktionsveckor", "2027-01-04")


def test_whatif_programme_path_is_confined(tmp_path):
    from scheduler.inputs.yaml_io import InputError, load_instance
    from scheduler.whatif.scenario import Scenario, derive

    base = load_instance(TUTORIAL)
    bad = Scenario.model_validate({"name": "x", "changes": [
        {"programme": {"replace": "AT18", "with": "../../../../etc/passwd"}}]})
    with pytest.raises(InputError, match="utanför instansens mapp och constraints/"):
        derive(base, bad, tmp_path)
    ok = Scenario.model_validate({"name": "y", "changes": [
        {"programme": {"replace": "AT18",
                       "with": str(ROOT / "constraints" / "at-21-jonkoping.yaml")}}]})
    assert [p.id for p in derive(base, ok, tmp_path).programmes][-1] != "AT18"
