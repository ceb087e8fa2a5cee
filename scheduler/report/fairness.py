"""Sheets *Önskemål* (every wish, granted or not, and why not) and *Rättvisa* (each trainee's
own cost and the distribution), and the same figures for run.json.

The figures are the checker's recomputation from the plan (``verify.fairness``), as every
reported term is; only the wording of a refusal comes from ``scheduler.wishes.reason``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from openpyxl.styles import Font, PatternFill
from openpyxl.workbook import Workbook

from scheduler import verify
from scheduler.domain import Instance
from scheduler.i18n import Lang, tr
from scheduler.plan import Stint
from scheduler.wishes import describe, reason

_BOLD = Font(bold=True)
_RED = PatternFill("solid", fgColor="F8CBAD")
_GREEN = PatternFill("solid", fgColor="C6EFCE")


def wanted(instance: Instance) -> bool:
    """The sheets and run.json figures appear with wishes, a travel matrix or fairness on."""
    return bool(instance.wishes or instance.fairness != "off"
                or any(s.travel_minutes for s in instance.sites))


def mode_of_run(plan_dir: Path) -> str | None:
    """The fairness mode the plan beside this run.json was solved with (None: unknown)."""
    try:
        run = json.loads((plan_dir / "run.json").read_text(encoding="utf-8"))
        mode = run.get("fairness", {}).get("mode")
    except (OSError, ValueError, AttributeError):
        return None
    return mode if mode in ("off", "lexicographic", "weighted") else None


def summary(instance: Instance, stints: list[Stint], lang: Lang) -> dict[str, Any]:
    """run.json: the distribution, each trainee's cost, and every wish with its outcome."""
    f = verify.fairness(instance, stints)
    outcomes = dict(verify.wish_outcomes(instance, stints))
    wishes = []
    for i, w in enumerate(instance.wishes):
        row: dict[str, Any] = {"trainee": w.trainee, "kind": w.kind, "unit": w.unit,
                               "discipline": w.discipline,
                               "date": w.date.isoformat() if w.date else None,
                               "priority": w.priority, "granted": outcomes[i]}
        if not outcomes[i]:
            row["reason"] = reason(instance, w, stints, lang)
        wishes.append(row)
    return {"mode": instance.fairness, "worst": f["worst"], "median": f["median"],
            "best": f["best"], "sum": f["sum"], "gini": f["gini"],
            "wishes_granted": f["wishes_granted"], "trainees": f["trainees"], "wishes": wishes}


def add_sheets(wb: Workbook, instance: Instance, stints: list[Stint], lang: Lang) -> None:
    s = summary(instance, stints, lang)
    ws = wb.create_sheet(tr("fairness.sheet_wishes", lang))
    heads = ["trainee", "wish", "priority", "granted", "reason"]
    for c, k in enumerate(heads, 1):
        ws.cell(row=1, column=c, value=tr(f"fairness.{k}", lang)).font = _BOLD
    for letter, width in zip("ABCDE", (16, 40, 9, 9, 60), strict=True):
        ws.column_dimensions[letter].width = width
    if not instance.wishes:
        ws.cell(row=2, column=1, value=tr("fairness.no_wishes", lang))
    for n, (w, row) in enumerate(zip(instance.wishes, s["wishes"], strict=True), 2):
        ok = row["granted"]
        values = (w.trainee, describe(instance, w, lang), w.priority,
                  tr("fairness.yes" if ok else "fairness.no", lang), row.get("reason", ""))
        for c, v in enumerate(values, 1):
            ws.cell(row=n, column=c, value=v)
        ws.cell(row=n, column=4).fill = _GREEN if ok else _RED
    ws.freeze_panes = "A2"

    ws = wb.create_sheet(tr("fairness.sheet_fairness", lang))
    rows: list[tuple[str, Any]] = [("mode", instance.fairness), ("worst", s["worst"]),
                                   ("median", s["median"]), ("best", s["best"]),
                                   ("gini", s["gini"]), ("sum", s["sum"])]
    r = 1
    for k, v in rows:
        ws.cell(row=r, column=1, value=tr(f"fairness.{k}", lang)).font = _BOLD
        ws.cell(row=r, column=2, value=v)
        r += 1
    for p, g in s["wishes_granted"].items():
        if g["of"]:
            ws.cell(row=r, column=1, value=tr("fairness.granted_prio", lang, p=p)).font = _BOLD
            ws.cell(row=r, column=2, value=f"{g['granted']} / {g['of']}")
            r += 1
    ws.cell(row=r, column=1, value=tr("fairness.explain", lang))
    r += 2
    heads = ["trainee", "cost", "stints", "least", "fragmentation", "missed", "travel",
             "least_travel"]
    for c, k in enumerate(heads, 1):
        ws.cell(row=r, column=c, value=tr(f"fairness.{k}", lang)).font = _BOLD
    ws.column_dimensions["A"].width = 28
    for letter in "BCDEFGH":
        ws.column_dimensions[letter].width = 14
    per = sorted(s["trainees"].items(), key=lambda kv: (-kv[1]["cost"], kv[0]))
    for tid, p in per:
        r += 1
        for c, v in enumerate((tid, p["cost"], p["stints"], p["least_stints"],
                               p["fragmentation"], p["wishes"], p["travel"],
                               p["least_travel"]), 1):
            ws.cell(row=r, column=c, value=v)
