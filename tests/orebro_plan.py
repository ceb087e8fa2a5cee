"""One checked Örebro plan per test session, shared by test_calendar and test_print.

Solved once into the session's base temp folder (any checked plan will do: the tests assert
what is written about a plan, not its quality), with today 2028-01-03 (the grid's red line).
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from scheduler import cli
from scheduler.i18n import set_language
from scheduler.outputs import complete_set

ROOT = Path(__file__).resolve().parents[1]
OREBRO = ROOT / "instances" / "orebro.yaml"


def orebro_solved(tmp_path_factory) -> Path:
    out = tmp_path_factory.getbasetemp() / "orebro-solved"
    if not complete_set(out):
        # 20 s: Örebro's first plan takes about 8 CPU s; every budget, --deterministic's
        # included, now ends at the time limit, so a shorter one would leave no plan.
        res = CliRunner().invoke(cli.app, ["solve", str(OREBRO), "--out", str(out),
                                           "--time-limit", "20", "--workers", "1",
                                           "--today", "2028-01-03"])
        set_language("sv")
        assert res.exit_code == 0, res.output
    return out
