"""``atbt calendar``: one .ics per trainee and per unit, one all-day event per stint, the
inclusive dates of plan.csv, UIDs that survive a re-plan for every unchanged stint.

Örebro is solved once per session (tests/orebro_plan.py); the tutorial is solved and
re-planned once for the UIDs.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from typer.testing import CliRunner

from scheduler import cli
from scheduler.cli.calendar import build_calendars, stint_uid
from scheduler.i18n import last_day, set_language
from scheduler.inputs.yaml_io import load_instance
from scheduler.plan import Stint, read_plan_csv
from tests.orebro_plan import orebro_solved

ROOT = Path(__file__).resolve().parents[1]
OREBRO = ROOT / "instances" / "orebro.yaml"
TUTORIAL = ROOT / "instances" / "tutorial.yaml"
runner = CliRunner()


def invoke(*args: object, code: int = 0):
    res = runner.invoke(cli.app, [str(a) for a in args])
    assert res.exit_code == code, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    return res


@pytest.fixture(autouse=True)
def _swedish_afterwards():
    yield
    set_language("sv")


def events(path: Path) -> list:
    cal = Calendar.from_ical(path.read_bytes())
    return list(cal.walk("VEVENT"))


@pytest.fixture(scope="module")
def orebro(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("cal")
    solved = orebro_solved(tmp_path_factory)
    invoke("calendar", solved, "--out", tmp / "cal")
    set_language("sv")
    return {"solve": solved, "cal": tmp / "cal"}


@pytest.fixture(scope="module")
def replanned(tmp_path_factory) -> dict[str, Path]:
    """The tutorial solved, published, re-planned after a parental leave and published again
    (a re-plan of Örebro takes a minute; the UIDs do not depend on the region's size)."""
    tmp = tmp_path_factory.mktemp("recal")
    fast = ["--time-limit", "10", "--workers", "1"]
    invoke("solve", TUTORIAL, "--out", tmp / "solve", *fast)
    invoke("calendar", tmp / "solve", "--out", tmp / "cal")
    changes = tmp / "changes.yaml"
    changes.write_text("leave: [{trainee: AT-2027-07-02, start: 2027-11-01, end: 2027-12-27, "
                       "kind: foraldraledighet}]\n", encoding="utf-8")
    invoke("replan", TUTORIAL, tmp / "solve" / "plan.csv", "--today", "2027-09-06",
           "--change", changes, "--out", tmp / "replan", *fast)
    invoke("calendar", tmp / "replan", "--out", tmp / "cal2")
    set_language("sv")
    return {"solve": tmp / "solve", "cal": tmp / "cal", "replan": tmp / "replan",
            "cal2": tmp / "cal2"}


@pytest.mark.slow
def test_one_calendar_per_trainee_and_unit_one_event_per_stint(orebro):
    inst = load_instance(OREBRO)
    plan = read_plan_csv(orebro["solve"] / "plan.csv")
    people = sorted(p.stem for p in (orebro["cal"] / "at-bt-lakare").glob("*.ics"))
    units = sorted(p.stem for p in (orebro["cal"] / "enheter").glob("*.ics"))
    assert people == sorted(t.id for t in inst.all_trainees())
    assert units == sorted(u.id for u in inst.units)
    for kind, key in (("at-bt-lakare", "trainee"), ("enheter", "unit")):
        want = Counter((getattr(s, key), s.start, last_day(s.end)) for s in plan)
        got: Counter = Counter()
        for path in (orebro["cal"] / kind).glob("*.ics"):
            for ev in events(path):
                start, end = ev.decoded("dtstart"), ev.decoded("dtend")
                assert isinstance(start, date) and type(start) is date  # all-day
                got[(path.stem, start, end - timedelta(days=1))] += 1  # DTEND is exclusive
        assert got == want  # exactly one event per stint, Monday to the last Friday


def test_replan_keeps_the_uid_of_every_unchanged_stint(replanned):
    old = set(read_plan_csv(replanned["solve"] / "plan.csv"))
    new = set(read_plan_csv(replanned["replan"] / "plan.csv"))
    assert old != new and old & new  # the re-plan changed some stints, not all

    def uids(folder: Path) -> dict[str, set[str]]:
        return {p.stem: {str(ev["uid"]) for ev in events(p)}
                for p in (folder / "at-bt-lakare").glob("*.ics")}

    before, after = uids(replanned["cal"]), uids(replanned["cal2"])
    for s in old & new:
        assert stint_uid(s, "trainee") in before[s.trainee] & after[s.trainee]
    for s in old - new:  # a replaced stint leaves the subscribed calendar
        assert stint_uid(s, "trainee") not in after.get(s.trainee, set())
    # UIDs are unique within each calendar
    for path in (replanned["cal2"] / "enheter").glob("*.ics"):
        found = [str(ev["uid"]) for ev in events(path)]
        assert len(found) == len(set(found))


def test_event_text_uses_week_notation_and_inclusive_end():
    s = Stint(trainee="T1", programme="AT18", unit="MED", discipline="medicin", site="S",
              start=date(2028, 3, 6), end=date(2028, 5, 15))  # v. 10-19, 10 weeks
    files = build_calendars([s], None, "sv")
    ev = events_from_bytes(files["at-bt-lakare/T1.ics"])[0]
    assert ev.decoded("dtstart") == date(2028, 3, 6)
    assert ev.decoded("dtend") == date(2028, 5, 13)  # Saturday: the event ends Friday 12 May
    text = str(ev["description"])
    assert "v. 10 2028 – v. 19 2028" in text and "t.o.m. 2028-05-12" in text
    en = events_from_bytes(build_calendars([s], None, "en")["trainees/T1.ics"])[0]
    assert "week 10 2028 – week 19 2028" in str(en["description"])
    assert str(en["uid"]) == str(ev["uid"])  # the language does not change the identity


def events_from_bytes(data: bytes) -> list:
    return list(Calendar.from_ical(data).walk("VEVENT"))


def test_pseudonymize_names_no_trainee(tmp_path, monkeypatch):
    monkeypatch.setenv("ATBT_PSEUDONYM_KEY", "k" * 32)
    invoke("solve", TUTORIAL, "--out", tmp_path / "p", "--time-limit", "5", "--workers", "1")
    invoke("calendar", tmp_path / "p", "--out", tmp_path / "c", "--pseudonymize")
    ids = {s.trainee for s in read_plan_csv(tmp_path / "p" / "plan.csv")}
    files = list((tmp_path / "c").rglob("*.ics"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not any(i in text or i in path.name for i in ids)
    assert all(p.stem.startswith("P-") for p in (tmp_path / "c" / "at-bt-lakare").iterdir())


def test_missing_plan_exits_2(tmp_path):
    res = invoke("calendar", tmp_path, "--out", tmp_path / "c", code=2)
    assert "plan.csv" in res.output
