"""Open the workbook safely, read its sheets and cells, and word and order the problems.

``SheetReader`` is the first half of the workbook reader: the file (size capped, defusedxml),
each sheet's header and rows (cells parsed, a formula without a saved value refused), and
the locations of problems (``Enheter, rad 14, Kapacitet``). ``reader._Reader`` builds the
instance's entries on top of it.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from scheduler.i18n import Lang, tr
from scheduler.inputs.yaml_io import InputError
from scheduler.workbook import schema as S
from scheduler.workbook.cells import FORMULA, error_text, is_sv, norm, parse_cell, parse_path
from scheduler.workbook.schema import Sheet, msg

MAX_UNPACKED_MB = 10  # 100 x Örebro (0.1 MB unpacked); 31 MB took 36 s and 1 GB to read
MAX_ROWS = 100_000  # rows per sheet
LIST_SHEETS = {"programmes": "programmes", "sites": "sites", "units": "units",
               "requirements": "requirements"}


@dataclass
class Where:
    """Where an entry of the instance came from: sheet, row, and the header of each field."""

    sheet: str
    row: int | None
    cols: dict[str, tuple[int, str]] = field(default_factory=dict)  # field -> (row, header)


@dataclass
class Row:
    n: int  # row number as Excel shows it
    values: dict[str, Any]  # column key -> parsed value (absent: empty or invalid)
    bad: set[str]  # column keys whose cell was invalid (already reported)



class SheetReader:
    def __init__(self, path: Path):
        self.path = path
        self.problems: list[tuple[str, str]] = []
        self.order: list[tuple[int, int, int]] = []  # sheet, row, column of each problem
        self.structural = False  # a sheet could not be read: entries are not checked
        self.lang: Lang = "sv"  # language of the workbook's sheet names
        self.prov: dict[tuple[Any, ...], Where] = {}
        self.titles: dict[str, str] = {}  # sheet key -> title in the workbook
        self.headers: dict[str, dict[str, str]] = {}  # sheet key -> column key -> header text
        self.used_files: list[Path] = []

    # ---- locations and problems

    def where(self, sheet: str, row: int | None, column: str | None = None) -> str:
        title = self.titles.get(sheet, sheet)
        if row is None:
            return title
        if column is None:
            return msg("where_row", sheet=title, row=row)
        return msg("where", sheet=title, row=row, column=column)

    def add(self, where: str, text: str, sheet: str | None = None, row: int = 0,
            column: str | None = None) -> None:
        """One problem; sorted by sheet (workbook order), row and column when raised."""
        titles = list(self.titles.values())
        s = titles.index(sheet) if sheet in titles else -1
        c = 0
        for key, header in self.headers.get(self.key_of(sheet), {}).items():
            if header == column:
                c = self.column_index(self.key_of(sheet), key)
        self.problems.append((where, text))
        self.order.append((s, row, c))

    def key_of(self, title: str | None) -> str:
        return next((k for k, t in self.titles.items() if t == title), "")

    def column_index(self, sheet_key: str, key: str) -> int:
        return next((j for j, c in enumerate(S.SHEETS[sheet_key].columns, 1) if c.key == key), 0)

    def sorted_problems(self) -> list[tuple[str, str]]:
        pairs = sorted(enumerate(self.problems), key=lambda p: (self.order[p[0]], p[0]))
        return list(dict.fromkeys(p for _, p in pairs))  # each problem once

    def cell_problem(self, sheet: str, row: int, key: str, text: str) -> None:
        header = self.headers[sheet].get(key, key)
        self.add(self.where(sheet, row, header), text, self.titles.get(sheet), row, header)

    def sheet_problem(self, sheet: str, text: str) -> None:
        self.structural = True
        self.add(self.titles[sheet], text, self.titles[sheet])

    def locate(self, loc: tuple[Any, ...]) -> tuple[str, str | None, int, str | None]:
        """Location text, sheet title, row and column header of an instance path."""
        for k in range(len(loc), -1, -1):
            w = self.prov.get(loc[:k])
            if w is None:
                continue
            rest = loc[k:]
            if rest and isinstance(rest[0], str) and rest[0] in w.cols:
                row, header = w.cols[rest[0]]
                return msg("where", sheet=w.sheet, row=row, column=header), w.sheet, row, header
            if k == 0 and rest and rest[0] in LIST_SHEETS:  # an empty list: no rows on its sheet
                title = self.titles.get(LIST_SHEETS[rest[0]], w.sheet)
                return title, title, 0, None
            if w.row is None and w.cols and not rest:
                row, header = next(iter(w.cols.values()))
                return msg("where", sheet=w.sheet, row=row, column=header), w.sheet, row, header
            if w.row:
                return msg("where_row", sheet=w.sheet, row=w.row), w.sheet, w.row, None
            return w.sheet, w.sheet, 0, None
        return "", None, 0, None

    def add_at(self, loc: tuple[Any, ...], text: str) -> None:
        where, sheet, row, column = self.locate(loc)
        self.add(where, text, sheet, row, column)

    def validation_problems(self, err: ValidationError, prefix: tuple[Any, ...],
                            bad: set[tuple[Any, ...]]) -> None:
        for e in err.errors():
            loc = prefix + tuple(x for x in e["loc"]
                                 if not (isinstance(x, str) and x.startswith("function-")))
            if any(loc[:len(b)] == b for b in bad):
                continue  # the cell was already reported as unreadable
            text = error_text(e)
            if e["type"] == "too_short" and loc and loc[-1] in LIST_SHEETS:
                text = (msg("no_requirements", sheet=self.titles["requirements"])
                        if loc[-1] == "requirements" else msg("no_rows"))
            if e["type"] == "value_error" and not e["loc"] and prefix == ():
                for line in text.splitlines():  # instance-wide checks: "units[3] (X).site: ..."
                    path, _, rest = line.partition(": ")
                    self.add_at(parse_path(path), rest or line)
                continue
            for line in text.splitlines() or [text]:
                self.add_at(loc, line)

    # ---- opening the file

    def open(self) -> tuple[Any, Any]:
        import openpyxl
        from openpyxl.xml import DEFUSEDXML

        src = str(self.path)
        if not self.path.is_file():
            raise InputError(src, [("", tr("file_not_found"))])
        if self.path.suffix.lower() != ".xlsx":  # .xlsm may carry macros, .xls is binary
            raise InputError(src, [("", msg("not_xlsx_suffix", suffix=self.path.suffix))])
        if not DEFUSEDXML:
            raise InputError(src, [("", msg("no_defusedxml"))])
        try:
            with zipfile.ZipFile(self.path) as zf:
                size = sum(i.file_size for i in zf.infolist())
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(src, [("", msg("not_xlsx", error=exc))]) from None
        if size > MAX_UNPACKED_MB * 1024 * 1024:
            raise InputError(src, [("", msg("too_big", size=size // (1024 * 1024),
                                            limit=MAX_UNPACKED_MB))])
        from defusedxml import DefusedXmlException

        try:
            formulas = openpyxl.load_workbook(self.path, data_only=False)
            values = openpyxl.load_workbook(self.path, data_only=True)
        except Exception as exc:  # malformed package: any parser error is bad input here
            cause: BaseException | None = exc
            while cause is not None:  # openpyxl wraps parser errors in a ValueError
                if isinstance(cause, DefusedXmlException):
                    raise InputError(src, [("", msg("xml_attack", error=type(cause).__name__))]
                                     ) from None
                cause = cause.__cause__ or cause.__context__
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise InputError(src, [("", msg("not_xlsx", error=first))]) from None
        return formulas, values

    # ---- sheets and cells

    def read_sheets(self, formulas: Any, values: Any) -> dict[str, list[Row]]:
        by_title = {norm(ws.title): ws.title for ws in values.worksheets}
        found: dict[str, str] = {}
        for sheet in S.DATA_SHEETS:
            for label in (sheet.sv, sheet.en):
                if norm(label) in by_title:
                    found[sheet.key] = by_title[norm(label)]
                    break
        if not any(k in found for k in ("settings", "units", "sites")):
            names = ", ".join(s.sv for s in S.DATA_SHEETS if s.required)
            raise InputError(str(self.path), [("", msg("not_instance", sheets=names))])
        out: dict[str, list[Row]] = {}
        english = sum(found[s.key] == s.en for s in S.DATA_SHEETS if s.key in found) > sum(
            found[s.key] == s.sv for s in S.DATA_SHEETS if s.key in found)
        self.lang = "en" if english else "sv"
        for sheet in S.DATA_SHEETS:
            if sheet.key not in found:
                self.titles[sheet.key] = sheet.label(self.lang)
                self.headers[sheet.key] = {}
                if sheet.required:
                    self.sheet_problem(sheet.key, msg("sheet_missing"))
                out[sheet.key] = []
                continue
            title = found[sheet.key]
            self.titles[sheet.key] = title
            out[sheet.key] = self.read_sheet(sheet, formulas[title], values[title])
        return out

    def read_sheet(self, sheet: Sheet, wsf: Any, wsv: Any) -> list[Row]:
        merged = [str(r) for r in wsf.merged_cells.ranges]
        if merged:
            more = ", …" if len(merged) > 5 else ""
            self.sheet_problem(sheet.key, msg("merged", ranges=", ".join(merged[:5]) + more))
            self.headers[sheet.key] = {}
            return []
        if wsv.max_row > MAX_ROWS:
            self.sheet_problem(sheet.key, msg("too_many_rows", rows=wsv.max_row, limit=MAX_ROWS))
            return []
        # Only the columns up to the last known header are read: a stray value far to the
        # right (or a hostile sheet dimension) costs nothing.
        header = list(next(wsv.iter_rows(min_row=1, max_row=1, values_only=True), ()))
        known = {norm(c.sv) for c in sheet.columns} | {norm(c.en) for c in sheet.columns}
        width = max((j + 1 for j, h in enumerate(header) if h is not None and norm(h) in known),
                    default=1)
        header = header[:width]
        formula_cells = {(c.row, c.column): c.value
                         for row in wsf.iter_rows(max_col=width) for c in row
                         if c.data_type == "f"}
        grid = list(wsv.iter_rows(max_col=width, values_only=True))
        cols = self.columns(sheet, header)
        if cols is None:
            return []
        return self.rows(sheet, grid, cols, formula_cells)

    def columns(self, sheet: Sheet, header: list[Any]) -> dict[str, int] | None:
        """Column key -> index of each known header (their texts kept for locations); None
        when a needed column is missing (reported)."""
        cols: dict[str, int] = {}
        names: dict[str, str] = {}
        by_label = {}
        for c in sheet.columns:
            by_label[norm(c.sv)] = c
            by_label[norm(c.en)] = c
        for j, h in enumerate(header):
            if h is None:
                continue
            found = by_label.get(norm(h))
            if found is None:
                continue  # an extra column: ignored
            if found.key in cols:
                self.sheet_problem(sheet.key, msg("column_twice", column=str(h)))
                continue
            cols[found.key] = j
            names[found.key] = str(h).strip()
        self.headers[sheet.key] = names
        missing = [c for c in sheet.columns
                   if c.key not in cols and c.key != "help" and not c.optional]
        for c in missing:
            self.sheet_problem(sheet.key, msg("column_missing", column=c.label("sv")
                                              if is_sv(header) else c.label("en")))
        return None if missing else cols

    def rows(self, sheet: Sheet, grid: list[tuple[Any, ...]], cols: dict[str, int],
             formula_cells: dict[tuple[int, int], Any]) -> list[Row]:
        """The non-empty rows below the header, each cell parsed (a bad cell reported)."""
        rows: list[Row] = []
        for i, raw in enumerate(grid[1:], start=2):
            cells: dict[str, Any] = {}
            for c in sheet.columns:
                jc = cols.get(c.key)
                v = raw[jc] if jc is not None and jc < len(raw) else None
                if jc is not None and (i, jc + 1) in formula_cells and v is None:
                    self.cell_problem(sheet.key, i, c.key,
                                      msg("formula", formula=formula_cells[(i, jc + 1)]))
                    cells[c.key] = FORMULA
                    continue
                if isinstance(v, str) and not v.strip():
                    v = None
                cells[c.key] = v
            if all(v is None for v in cells.values()):
                continue  # empty row (trailing or in between)
            row = Row(i, {}, set())
            for c in sheet.columns:
                v = cells[c.key]
                if v is FORMULA:
                    row.bad.add(c.key)
                    continue
                if v is None:
                    if c.required:
                        self.cell_problem(sheet.key, i, c.key, msg("required"))
                        row.bad.add(c.key)
                    continue
                try:
                    row.values[c.key] = parse_cell(c, v)
                except ValueError as exc:
                    self.cell_problem(sheet.key, i, c.key, str(exc))
                    row.bad.add(c.key)
            rows.append(row)
        return rows
