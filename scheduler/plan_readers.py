"""Reading a plan as coordinators edit it: ``plan.csv`` saved again by Excel (``;`` or ``,``,
with or without a BOM, UTF-8 or Windows-1252, ISO or Swedish dates) or ``plan.xlsx`` itself
(its *Placeringar* sheet). Every problem names the row as Excel shows it.

``scheduler.plan.read_plan_csv`` stays the strict reader of the exchange format; this module
reads what comes back from people.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from scheduler.i18n import tr
from scheduler.plan import PLAN_COLUMNS, PlanFormatError, Stint

# Header labels accepted per column: the plan.csv name, and the Placeringar sheet's labels.
HEADERS: dict[str, tuple[str, ...]] = {
    "trainee": ("trainee", "at/bt-läkare"),
    "programme": ("programme", "program"),
    "unit": ("unit", "enhet"),
    "discipline": ("discipline", "disciplin"),
    "site": ("site", "ort"),
    "start": ("start",),
    "end": ("end", "slut (exkl.)", "end (excl.)", "slut", "t.o.m.", "until (incl.)"),
    "weeks": ("weeks", "veckor"),
}
SHEETS = ("Placeringar", "Stints")
# An end column people read: the last day (a Friday) of the stint, not the Monday after it.
INCLUSIVE_END = ("t.o.m.", "until (incl.)")

MONTHS = {m: i for i, names in enumerate((
    ("jan", "januari", "january"), ("feb", "februari", "february"), ("mar", "mars", "march"),
    ("apr", "april"), ("maj", "may"), ("jun", "juni", "june"), ("jul", "juli", "july"),
    ("aug", "augusti", "august"), ("sep", "sept", "september"),
    ("okt", "oktober", "oct", "october"), ("nov", "november"), ("dec", "december")),
    start=1) for m in names}


def parse_date(value: Any) -> date:
    """An Excel date, ISO ``2027-01-04`` (also with a time), ``4/1/2027``, ``4.1.2027``,
    ``4 jan 2027`` or ``4 januari 2027`` (day first, as in Sweden)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?", text)
    if m:
        return date(int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})", text)
    if m:
        return date(int(m[3]), int(m[2]), int(m[1]))
    m = re.fullmatch(r"(\d{1,2})\s+([A-Za-zåäöÅÄÖ]+)\.?\s+(\d{4})", text)
    if m and m[2].lower() in MONTHS:
        return date(int(m[3]), MONTHS[m[2].lower()], int(m[1]))
    raise ValueError(text)


def _int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    f = float(text.replace(",", "."))
    if not f.is_integer():
        raise ValueError(text)
    return int(f)


def _columns(header: list[Any]) -> dict[str, int] | None:
    """Column index per plan column, by header label (any order, extra columns ignored)."""
    norm = [str(h).strip().lower() if h is not None else "" for h in header]
    out: dict[str, int] = {}
    for key, labels in HEADERS.items():
        hit = next((i for i, h in enumerate(norm) if h in labels), None)
        if hit is None:
            return None
        out[key] = hit
    return out


def _rows_to_stints(source: str, rows: list[list[Any]], sheet: str | None) -> list[Stint]:
    if not rows or (cols := _columns(rows[0])) is None:
        raise PlanFormatError(source, [tr(
            "plan_bad_header", expected=",".join(PLAN_COLUMNS),
            found=",".join("" if c is None else str(c) for c in rows[0]) if rows else "")])
    labels = {k: str(rows[0][i]).strip() for k, i in cols.items()}
    stints: list[Stint] = []
    problems: list[str] = []
    for n, row in enumerate(rows[1:], start=2):
        cells = {k: row[i] if i < len(row) else None for k, i in cols.items()}
        cells = {k: (v.strip() if isinstance(v, str) else v) for k, v in cells.items()}
        if all(v in (None, "") for v in cells.values()):
            continue
        found: list[str] = []
        for k, v in cells.items():
            if v in (None, ""):
                found.append(tr("plan_reader.empty", col=labels[k]))
        dates: dict[str, date] = {}
        for k in ("start", "end"):
            if cells[k] not in (None, ""):
                try:
                    dates[k] = parse_date(cells[k])
                except ValueError:
                    found.append(tr("plan_reader.not_date", col=labels[k],
                                    value=str(cells[k])[:80]))
        weeks = None
        if cells["weeks"] not in (None, ""):
            try:
                weeks = _int(cells["weeks"])
            except ValueError:
                found.append(tr("plan_reader.not_int", col=labels["weeks"],
                                value=str(cells["weeks"])[:80]))
        if not found and labels["end"].lower() in INCLUSIVE_END:
            d = dates["end"]
            dates["end"] = d + timedelta(days=7 - d.weekday())  # the Monday after
        if not found:
            s = Stint(trainee=str(cells["trainee"]), programme=str(cells["programme"]),
                      unit=str(cells["unit"]), discipline=str(cells["discipline"]),
                      site=str(cells["site"]), start=dates["start"], end=dates["end"])
            # A start or end that is not a Monday is the checker's (rule coverage, named
            # there), not a weeks mismatch.
            if weeks != s.weeks and not (s.start.weekday() or s.end.weekday()):
                found.append(tr("plan_reader.weeks", weeks=weeks, start=s.start.isoformat(),
                                end=s.end.isoformat(), actual=s.weeks))
            else:
                stints.append(s)
        for f in found:
            problems.append(tr("plan_reader.sheet_row", sheet=sheet, row=n, detail=f) if sheet
                            else tr("plan_bad_row", row=n, detail=f))
    if problems:
        raise PlanFormatError(source, problems)
    return stints


def _decode(data: bytes, source: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:  # "CSV (semikolonavgränsad)" from Swedish Excel is Windows-1252
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise PlanFormatError(source, [tr("plan_reader.encoding")]) from None


def read_plan_text(data: bytes, source: str) -> list[Stint]:
    """A CSV plan, separated by ``,`` or ``;`` (decided by the header line)."""
    text = _decode(data, source)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:  # e.g. a field over 131 072 characters (csv's limit)
        raise PlanFormatError(source, [tr("plan_csv_error", error=str(exc)[:80])]) from None
    return _rows_to_stints(source, rows, None)


def read_plan_workbook(path: Path) -> list[Stint]:
    """The *Placeringar* (*Stints*) sheet of a ``plan.xlsx`` written by ``atbt solve``."""
    import zipfile

    from openpyxl import load_workbook

    source = str(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise PlanFormatError(source, [tr("plan_reader.not_plan_workbook", error=exc)]) from None
    try:
        title = next((t for t in wb.sheetnames if t in SHEETS), None)
        if title is None:
            raise PlanFormatError(source, [tr("plan_reader.no_sheet")])
        rows = [list(r) for r in wb[title].iter_rows(values_only=True)]
    finally:
        wb.close()
    return _rows_to_stints(source, rows, title)


def read_plan(path: str | Path) -> list[Stint]:
    """A plan from ``plan.csv`` (as written, or saved again by Excel) or ``plan.xlsx``."""
    path = Path(path)
    if not path.is_file():
        raise PlanFormatError(str(path), [tr("file_not_found")])
    if path.suffix.lower() == ".xlsx":
        return read_plan_workbook(path)
    return read_plan_text(path.read_bytes(), str(path))
