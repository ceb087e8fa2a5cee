"""What people read and print: progress lines, the summary, plan.png/plan.pdf, page setup.

The tutorial is solved once per module in a subprocess (stderr is not a terminal, as in a log).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from matplotlib import dates as mdates

from scheduler.inputs.yaml_io import load_instance
from scheduler.outputs import complete_set
from scheduler.plan import read_plan_csv
from scheduler.report.names import by_start
from scheduler.report.picture import overview
from scheduler.report.progress import ProgressPrinter
from tests.orebro_plan import orebro_solved

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "instances" / "tutorial.yaml"
OBJECTIVE = re.compile(r"^(?:mål|objective) (\d+(?:[.,]\d+)?)\b")


def atbt(*args: object, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scheduler", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def solved(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("print") / "tutorial"
    res = atbt("solve", TUTORIAL, "--out", out, "--time-limit", "8", "--workers", "1")
    assert res.returncode == 0, res.stderr
    return out, res


# ---- 5. quiet, truthful progress


def test_printer_never_prints_a_worse_objective_or_a_line_twice():
    lines: list[str] = []
    p = ProgressPrinter("sv", lambda line, final: lines.append(line))
    for done in (3, 6, 3, 6, 9, 11):  # a retry of the first plan counts from 3 again
        p({"phase": "decompose", "done": done, "of": 11, "time": 0.1})
    p({"phase": "first_plan", "time": 0.2})
    p({"phase": "first_plan", "time": 0.3})
    p({"phase": "solve", "objective": 405, "bound": 0, "time": 1})
    p({"phase": "solve", "objective": 1126, "bound": 0, "time": 2})  # the full model's first
    p({"phase": "solve", "objective": 405, "bound": 0, "time": 3})  # no news
    p({"phase": "solve", "objective": 400, "bound": 380, "time": 4})
    p({"phase": "solve", "objective": 1000, "bound": 390, "time": 5})  # a better bound only
    p({"phase": "polish", "improved": 0, "of": 3, "time": 5})
    p({"phase": "improve", "steps": 4, "kept": 0, "from": 400, "to": 400, "time": 5})
    assert lines == [
        "3/11 AT/BT-läkare planerade", "6/11 AT/BT-läkare planerade",
        "9/11 AT/BT-läkare planerade", "11/11 AT/BT-läkare planerade",
        "första planen efter 0,2 s",
        "mål 405  gräns -  gap -  1 s",  # a bound of 0 proves nothing
        "mål 400  gräns 380  gap 5,0 %  4 s",  # (400 - 380) / 400 = 5 %
        "mål 400  gräns 390  gap 2,5 %  5 s",  # (400 - 390) / 400 = 2.5 %
    ]


def test_solve_progress_is_truthful_and_the_summary_swedish(solved):
    _, res = solved
    lines = res.stderr.splitlines()
    assert len(lines) == len(set(lines)), res.stderr  # no line repeats
    objectives = [float(m.group(1).replace(",", ".")) for line in lines
                  if (m := OBJECTIVE.match(line))]
    assert objectives, res.stderr
    assert objectives == sorted(objectives, reverse=True)  # never a worse one as progress
    summary = next(line for line in lines if line.startswith("Status: "))
    assert re.match(r"Status: (optimal \(bevisat\)|giltig plan \(ej bevisat optimal\))  "
                    r"mål \d+  gräns ", summary), summary
    assert "objective" not in res.stderr and "bound" not in res.stderr
    assert "enhetsbyten" in res.stderr and res.stderr.rstrip().endswith(
        "Plan skriven till " + str(solved[0]))


# ---- 4. a picture of the plan


def test_plan_png_and_pdf_beside_the_workbook(solved):
    out, _ = solved
    assert (out / "plan.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "plan.pdf").read_bytes()[:5] == b"%PDF-"
    assert complete_set(out)  # the pictures belong to the set run.json lists
    listed = json.loads((out / "run.json").read_text(encoding="utf-8"))["files"]
    assert {"plan.png", "plan.pdf"} <= set(listed)


def test_overview_shows_every_trainee_with_one_bar_per_stint(solved):
    out, _ = solved
    inst = load_instance(TUTORIAL)
    plan = read_plan_csv(out / "plan.csv")
    fig = overview(inst, plan, "sv", today=date(2027, 9, 6))
    *gantts, heat = fig.axes  # the colour bar is an inset of the heatmap, not a figure axes
    groups = by_start(inst.all_trainees())
    assert len(gantts) == len(groups)
    shown: list[str] = []
    for ax, (_, group) in zip(gantts, groups, strict=True):
        rows = [t.get_text() for t in ax.texts if t.get_text() in {x.id for x in group}]
        assert rows == [t.id for t in group]  # one labelled row per trainee, in order
        shown += rows
        bars = next(c for c in ax.collections if c.get_gid() == "stints").get_paths()
        assert len(bars) == sum(1 for s in plan if s.trainee in rows)  # one bar per stint
        # each bar lies on its trainee's row, from its start to its end
        want = sorted((rows.index(s.trainee), mdates.date2num(s.start), mdates.date2num(s.end))
                      for s in plan if s.trainee in rows)
        got = sorted((round(float(p.vertices[:, 1].mean())), float(p.vertices[:, 0].min()),
                      float(p.vertices[:, 0].max())) for p in bars)
        assert got == want
        assert any(line.get_xdata()[0] == mdates.date2num(date(2027, 9, 6))
                   for line in ax.lines)  # the today line
    assert sorted(shown) == sorted(t.id for t in inst.all_trainees())
    assert [t.get_text() for t in heat.texts] == [u.id for u in inst.units]  # short = id here


# ---- 1. the Plan sheet printed by LibreOffice: one page wide, title rows on every page


def _install_libreoffice() -> str | None:
    """Debian's libreoffice-calc, installed when missing where that is possible (apt-get and
    root). Measured on a fresh Debian 13 container: 68 s with apt-get update."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found or not shutil.which("apt-get") or os.geteuid() != 0:
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"],
                ["apt-get", "install", "-y", "-qq", "--no-install-recommends",
                 "libreoffice-calc"]):
        if subprocess.run(cmd, env=env, capture_output=True, timeout=900).returncode:
            return None
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture(scope="session")
def soffice() -> str:
    found = _install_libreoffice()
    if found is None:
        pytest.skip("LibreOffice (Debian package libreoffice-calc) is not installed and cannot "
                    "be installed here (needs apt-get and root)")
    return found


@pytest.mark.slow
def test_libreoffice_prints_the_plan_one_page_wide_with_repeated_titles(
        soffice, tmp_path, tmp_path_factory):
    pypdf = pytest.importorskip("pypdf")
    solved = orebro_solved(tmp_path_factory)
    src = tmp_path / "plan.xlsx"
    src.write_bytes((solved / "plan.xlsx").read_bytes())
    res = subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'lo'}",
                          "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                          str(src)], capture_output=True, text=True, timeout=600)
    assert (tmp_path / "plan.pdf").is_file(), res.stdout + res.stderr
    pages = pypdf.PdfReader(tmp_path / "plan.pdf").pages
    inst = load_instance(ROOT / "instances" / "orebro.yaml")
    first = f"v. {inst.horizon.start.isocalendar()[1]} {inst.horizon.start.isocalendar()[0]}"
    last_monday = inst.week_date(inst.n_weeks - 1)
    last = f"v. {last_monday.isocalendar()[1]} {last_monday.isocalendar()[0]}"
    texts = [p.extract_text() for p in pages]
    plan = [k for k, t in enumerate(texts) if "Blockstart" in t]  # the Plan sheet's titles
    assert len(plan) >= 2, "Örebro's plan takes more than one page: titles must repeat"
    assert plan == list(range(len(plan)))  # the first sheet, every page of it titled
    for k in plan:
        # Every page holds the first and the last week: one page wide, nothing cut off at the
        # side; and the title rows (weeks, column titles) are printed again.
        assert first in texts[k] and last in texts[k], k
        assert "AT/BT-läkare" in texts[k] and "Program" in texts[k]
        box = pages[k].mediabox
        assert float(box.width) > float(box.height) and round(float(box.width)) == 1191  # A3
        assert f"Sida {k + 1} av {len(pages)}" in texts[k]
        assert inst.name in texts[k]
    on_paper = "".join(texts[k] for k in plan)
    assert all(t.id in on_paper for t in inst.all_trainees())
