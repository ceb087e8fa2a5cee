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


def _date(text: str, column: str) -> date:
    """An ISO date, with a message in the user's language (not Python's English)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{column}: " + tr("invalid_date", value=text[:80])) from None


def read_plan_csv(path: str | Path) -> list[Stint]:
    path = Path(path)
    if not path.is_file():
        raise PlanFormatError(str(path), [tr("file_not_found")])
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:  # Excel writes a BOM
            rows = list(csv.reader(fh))
    except csv.Error as exc:  # e.g. a field over 131 072 characters (csv's limit)
        raise PlanFormatError(str(path), [tr("plan_csv_error", error=str(exc)[:80])]) from None
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
                raise ValueError(tr("plan_row_columns", n=len(row), need=len(PLAN_COLUMNS)))
            rec = dict(zip(PLAN_COLUMNS, row, strict=True))
            s = Stint(trainee=rec["trainee"], programme=rec["programme"], unit=rec["unit"],
                      discipline=rec["discipline"], site=rec["site"],
                      start=_date(rec["start"], "start"), end=_date(rec["end"], "end"))
            # A non-Monday start or end is the checker's (rule coverage), not a weeks mismatch.
            if not rec["weeks"].strip().isdigit():
                raise ValueError("weeks: " + tr("invalid_int", value=rec["weeks"][:80]))
            if not (s.start.weekday() or s.end.weekday()) and int(rec["weeks"]) != s.weeks:
                raise ValueError(tr("plan_weeks_mismatch", weeks=rec["weeks"], start=s.start,
                                    end=s.end, n=s.weeks))
            stints.append(s)
        except ValueError as exc:
            problems.append(tr("plan_bad_row", row=n, detail=str(exc)))
    if problems:
        raise PlanFormatError(str(path), problems)
    return stints
