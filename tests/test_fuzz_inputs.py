"""Property test (issue 16): hostile edits of a valid instance or workbook never end badly.

Each example takes the tutorial (cut to one trainee per intake, so a solve takes well under a
second), applies one random mutation (a key deleted, a value's type swapped, an extreme number,
unicode and control characters, a date in year 1 or 9999) to the YAML or to one cell of its
workbook, and runs ``atbt solve``. Every run must end with exit 0, 2, 3 or 4, without an exception
or traceback, and leave either a complete output set (exit 0) or nothing at all.

Bounded for CI: a fixed number of derandomized examples, about 30 s in all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError
from typer.testing import CliRunner

from scheduler import cli
from scheduler.i18n import set_language
from scheduler.inputs.yaml_io import load_instance
from scheduler.outputs import complete_set
from scheduler.workbook.template import instance_to_workbook

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT / "instances" / "tutorial.yaml"
RUN = ["--time-limit", "1", "--workers", "1"]
SETTINGS = settings(max_examples=30, deadline=None, derandomize=True, database=None,
                    phases=(Phase.explicit, Phase.generate, Phase.shrink),
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])
runner = CliRunner()


def small_tutorial() -> dict[str, Any]:
    data = yaml.safe_load(TUTORIAL.read_text(encoding="utf-8"))
    data["programmes"] = [str((TUTORIAL.parent / p).resolve()) for p in data["programmes"]]
    data["cohorts"] = [{**c, "count": 1} for c in data["cohorts"]]
    return data


BASE = small_tutorial()


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path in the raw data (programme file paths included, as strings)."""
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += paths(v, (*prefix, i))
    return out


PATHS = paths(BASE)
CONTROL = st.sampled_from(["\x00", "\v", "\x1b", "\x7f", "\u202e", "\ufeff", "\n", "\t"])
NASTY_TEXT = st.one_of(
    st.text(min_size=0, max_size=20),
    st.builds(lambda a, c, b: a + c + b, st.text(max_size=5), CONTROL, st.text(max_size=5)),
    st.sampled_from(["=HYPERLINK(\"http://x.example\")", "+1", "-1", "@SUM(A1)", "Ω" * 70,
                     "medicin", "Medicin", "", " ", "null", "0001-01-01"]),
)
EXTREME = st.sampled_from([0, -1, 1, 2, 13, 10**6, 10**18, -(10**18), 2**63, 1.5, float("nan"),
                           float("inf")])
DATES = st.sampled_from(["0001-01-01", "9999-12-27", "2027-02-30", "2027-01-05", "2026-12-28",
                         "2100-01-04", "1899-12-25"])
VALUES = st.one_of(NASTY_TEXT, EXTREME, DATES, st.none(), st.booleans(),
                   st.just([]), st.just({}), st.lists(st.integers(-3, 3), max_size=3))


def mutated(path: tuple, kind: str, value: Any) -> dict[str, Any]:
    data = yaml.safe_load(yaml.safe_dump(BASE, allow_unicode=True))  # a deep copy
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    if kind == "delete":
        del parent[key]
    elif kind == "duplicate" and isinstance(parent, list):
        parent.append(parent[key])
    else:
        parent[key] = value
    return data


def assert_ends_well(res: Any, out: Path) -> None:
    assert res.exception is None or isinstance(res.exception, SystemExit), (
        repr(res.exception), res.output)
    assert res.exit_code in (0, 2, 3, 4), res.output
    assert "Traceback" not in res.output
    if res.exit_code == 0:
        assert complete_set(out), res.output
    else:
        assert not out.exists() or not any(
            (out / n).exists() for n in ("plan.csv", "plan.xlsx", "run.json")), res.output
    event(f"exit {res.exit_code}")


@pytest.fixture(autouse=True)
def _swedish_afterwards():
    yield
    set_language("sv")


@SETTINGS
@given(path=st.sampled_from(PATHS), kind=st.sampled_from(["delete", "replace", "duplicate"]),
       value=VALUES)
def test_mutated_yaml_instance_ends_with_a_clean_exit(tmp_path_factory, path, kind, value):
    tmp = tmp_path_factory.mktemp("y")
    try:
        text = yaml.safe_dump(mutated(path, kind, value), allow_unicode=True)
    except (KeyError, IndexError, TypeError):
        return  # the mutation does not apply to this path
    src = tmp / "m.yaml"
    src.write_text(text, encoding="utf-8")
    out = tmp / "out"
    assert_ends_well(runner.invoke(cli.app, ["solve", str(src), "--out", str(out), *RUN]), out)


@pytest.fixture(scope="module")
def workbook_file(tmp_path_factory) -> Path:
    """The small tutorial as the coordinator's workbook (``atbt template`` of it)."""
    inst = load_instance(TUTORIAL)
    inst = inst.model_copy(update={"cohorts": [c.model_copy(update={"count": 1})
                                               for c in inst.cohorts]})
    path = tmp_path_factory.mktemp("wb") / "base.xlsx"
    path.write_bytes(instance_to_workbook(inst, "sv"))
    return path


@settings(SETTINGS, max_examples=20)
@given(sheet=st.integers(0, 20), row=st.integers(1, 12), col=st.integers(1, 12),
       value=st.one_of(NASTY_TEXT, EXTREME.filter(lambda x: x == x), DATES, st.none()))
def test_mutated_workbook_ends_with_a_clean_exit(tmp_path_factory, workbook_file, sheet, row,
                                                 col, value):
    tmp = tmp_path_factory.mktemp("w")
    wb = openpyxl.load_workbook(workbook_file)
    ws = wb.worksheets[sheet % len(wb.worksheets)]
    try:
        ws.cell(row=row, column=col).value = value
    except (ValueError, TypeError, IllegalCharacterError):  # openpyxl refuses it in a cell
        return
    src = tmp / "m.xlsx"
    try:
        wb.save(src)
    except (ValueError, TypeError):
        return
    out = tmp / "out"
    assert_ends_well(runner.invoke(cli.app, ["solve", str(src), "--out", str(out), *RUN]), out)
