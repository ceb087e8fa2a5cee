"""A plan: the stints of every trainee, and its ``plan.csv`` form.

``plan.csv`` has one row per stint with columns exactly
``trainee,programme,unit,discipline,site,start,end,weeks`` (ISO dates of Mondays, ``end``
exclusive, ``weeks`` the calendar weeks of the stint).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from scheduler.i18n import tr

PLAN_COLUMNS = ["trainee", "programme", "unit", "discipline", "site", "start", "end", "weeks"]


@dataclass(frozen=True, order=True)
class Stint:
    trainee: str
    start: date
    end: date
    unit: str
    discipline: str
    programme: str
    site: str

    @property
    def weeks(self) -> int:
        return (self.end - self.start).days // 7


class PlanFormatError(Exception):
    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__("\n".join(f"{source}: {p}" for p in problems))


def plan_to_csv(stints: list[Stint]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(PLAN_COLUMNS)
    for s in sorted(stints):
        w.writerow([s.trainee, s.programme, s.unit, s.discipline, s.site,
                    s.start.isoformat(), s.end.isoformat(), s.weeks])
    return buf.getvalue()


def read_plan_csv(path: str | Path) -> list[Stint]:
    path = Path(path)
    if not path.is_file():
        raise PlanFormatError(str(path), [tr("file_not_found")])
    with path.open(encoding="utf-8-sig", newline="") as fh:  # Excel writes a BOM
        rows = list(csv.reader(fh))
    if not rows or rows[0] != PLAN_COLUMNS:
        raise PlanFormatError(str(path), [tr(
            "plan_bad_header", expected=",".join(PLAN_COLUMNS),
            found=",".join(rows[0]) if rows else "")])
    stints: list[Stint] = []
    problems: list[str] = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            if len(row) != len(PLAN_COLUMNS):
                raise ValueError(f"{len(row)} != {len(PLAN_COLUMNS)}")
            rec = dict(zip(PLAN_COLUMNS, row, strict=True))
            s = Stint(trainee=rec["trainee"], programme=rec["programme"], unit=rec["unit"],
                      discipline=rec["discipline"], site=rec["site"],
                      start=date.fromisoformat(rec["start"]), end=date.fromisoformat(rec["end"]))
            if int(rec["weeks"]) != s.weeks:
                raise ValueError(f"weeks={rec['weeks']} but {s.start}..{s.end} is {s.weeks}")
            stints.append(s)
        except ValueError as exc:
            problems.append(tr("plan_bad_row", row=n, detail=str(exc)))
    if problems:
        raise PlanFormatError(str(path), problems)
    return stints
