"""Write an instance (or an example) as the coordinator's workbook, the input side of Excel.

Sheets and headers come from :mod:`scheduler.workbook.schema`. Programmes equal to a rule set
under ``constraints/`` are written as a reference to its file (the reader loads the file again);
any other programme is written out in full on the programme and requirement sheets, so every
instance survives the trip to the workbook and back unchanged.
"""

from __future__ import annotations

import io as _io
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from scheduler.domain import (
    AKUT,
    ALLMANMEDICIN,
    FORSKNING,
    KIRURGI,
    MEDICIN,
    PSYKIATRI,
    VALFRI,
    Instance,
    Programme,
)
from scheduler.i18n import Lang, numbered, tr
from scheduler.inputs.yaml_io import InputError, load_programme
from scheduler.outputs import write_atomic
from scheduler.workbook import schema as S
from scheduler.workbook.schema import Column, Sheet, word

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WRAP = Alignment(wrap_text=True, vertical="top")
DATE_FORMAT = "yyyy-mm-dd"
VALIDATION_ROWS = 2000  # drop-downs cover this many rows (more when the data has more)

KNOWN_DISCIPLINES = [MEDICIN, KIRURGI, PSYKIATRI, ALLMANMEDICIN, AKUT, VALFRI, FORSKNING]


@lru_cache(maxsize=1)
def _rulesets_cached(folder: str, stamp: tuple[float, ...]) -> tuple[tuple[str, Programme], ...]:
    out = []
    for f in sorted(Path(folder).glob("*.yaml")):
        try:
            out.append((f.name, load_programme(f)))
        except InputError:
            continue  # a broken rule-set file is simply not offered
    return tuple(out)


def rulesets(folder: Path = S.CONSTRAINTS_DIR) -> list[tuple[str, Programme]]:
    """(file name, programme) for every valid rule set in ``folder``."""
    if not folder.is_dir():
        return []
    stamp = tuple(f.stat().st_mtime for f in sorted(folder.glob("*.yaml")))
    return list(_rulesets_cached(str(folder), stamp))


def example_instance() -> Instance:
    """A small invented region with an example row on every sheet (solves in seconds)."""
    at18 = load_programme(S.CONSTRAINTS_DIR / "at-18-nationell.yaml")
    bt12 = load_programme(S.CONSTRAINTS_DIR / "bt-12.yaml")
    vc = {"region_wide": True, "disciplines": ["allmanmedicin"], "capacity": 2,
          "min_weeks": 13, "max_weeks": 26}
    return Instance.model_validate({
        "name": "Exempelregionen",
        "description": "Exempel: ersätt raderna med regionens enheter och AT/BT-läkare.",
        "horizon": {"start": date(2027, 1, 4), "end": date(2029, 1, 1)},
        "programmes": [at18.model_dump(), bt12.model_dump()],
        "sites": [{"id": "SJH", "name": "Exempelsjukhuset"},
                  {"id": "ÅBY", "name": "Lasarettet i Åby"}],
        "units": [
            {"id": "MED", "name": "Medicinkliniken", "site": "SJH",
             "disciplines": ["medicin", "akut"], "capacity": 4, "min_weeks": 8, "max_weeks": 14,
             "capacity_changes": [{"start": date(2027, 6, 28), "end": date(2027, 8, 9),
                                   "capacity": 3}]},
            {"id": "KIR", "name": "Kirurgkliniken", "site": "SJH",
             "disciplines": ["kirurgi", "akut"], "capacity": 4, "min_weeks": 8,
             "max_weeks": 14},
            {"id": "AKM", "name": "Akutmottagningen", "site": "SJH",
             "disciplines": ["medicin", "kirurgi", "akut"], "capacity": 3, "min_weeks": 4,
             "max_weeks": 8},
            {"id": "ÅBY-MED", "name": "Medicinkliniken, Åby", "site": "ÅBY",
             "disciplines": ["medicin", "kirurgi", "akut"], "capacity": 2, "min_weeks": 8,
             "max_weeks": 20},
            {"id": "PSY", "name": "Psykiatriska kliniken", "site": "SJH", "region_wide": True,
             "disciplines": ["psykiatri"], "capacity": 3, "min_weeks": 13, "max_weeks": 13},
            {"id": "VC-NORR", "name": "Vårdcentralen Norr", "site": "SJH", **vc,
             "stint_weeks": {"BT12": {"min_weeks": 13, "max_weeks": 17}},
             "staffing_target": {"trainees": 1, "start": date(2027, 9, 6),
                                 "end": date(2028, 6, 5)}},
            {"id": "VC-SÖDER", "name": "Vårdcentralen Söder", "site": "SJH", **vc},
            {"id": "VC-ÅBY", "name": "Vårdcentralen Åby", "site": "ÅBY", **vc,
             "programmes": ["AT18"]},
        ],
        "cohorts": [
            {"id": "AT-2027-01", "programme": "AT18", "start": date(2027, 1, 4), "count": 3,
             "site": "SJH"},
            {"id": "BT-2027-03", "programme": "BT12", "start": date(2027, 3, 1), "count": 2,
             "site": "SJH"},
        ],
        "trainees": [
            {"id": "AT-ÅBY-01", "programme": "AT18", "start": date(2027, 1, 4), "site": "ÅBY",
             "part_time": 100,
             "leave": [{"kind": "semester", "start": date(2027, 7, 5), "end": date(2027, 7, 26)},
                       {"kind": "foraldraledighet", "start": date(2027, 10, 4),
                        "end": date(2027, 12, 6)}],
             "locked": [{"unit": "ÅBY-MED", "discipline": "medicin", "start": date(2027, 1, 4),
                         "end": date(2027, 3, 1)}]},
            {"id": "BT-EX-01", "programme": "BT12", "start": date(2027, 3, 1), "site": "SJH",
             "part_time": 75},
        ],
    })


# --------------------------------------------------------------------------------------------


def _put(ws: Worksheet, row: int, col: int, value: Any) -> Cell:
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text that looks like a formula stays text
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    return cell


def _header(ws: Worksheet, sheet: Sheet, lang: Lang) -> None:
    for j, col in enumerate(sheet.columns, start=1):
        c = ws.cell(row=1, column=j, value=col.label(lang))
        c.font = HEADER_FONT
        c.fill = HEADER_FILL
        ws.column_dimensions[get_column_letter(j)].width = max(col.width, len(col.label(lang)) + 2)
    ws.freeze_panes = "A2"


def _join(values: list[str]) -> str:
    return ", ".join(values)


def _sheet_ref(sheet_title: str, col: str, rows: int) -> str:
    return f"'{sheet_title}'!${col}$2:${col}${rows}"


class _Writer:
    def __init__(self, inst: Instance, lang: Lang):
        self.inst = inst
        self.lang = lang
        self.wb = Workbook()
        self.files = rulesets()
        self.rows = VALIDATION_ROWS
        self.sheets: dict[str, Worksheet] = {}

    def yesno(self, v: bool) -> str:
        return word(S.YES if v else S.NO, self.lang)

    def ruleset_of(self, p: Programme) -> str | None:
        return next((name for name, q in self.files if q == p), None)

    def add_rows(self, sheet: Sheet, rows: list[dict[str, Any]]) -> None:
        ws = self.sheets[sheet.key]
        keys = [c.key for c in sheet.columns]
        for i, data in enumerate(rows, start=2):
            for j, key in enumerate(keys, start=1):
                v = data.get(key)
                if v is not None and v != "":
                    _put(ws, i, j, v)
        self.rows = max(self.rows, len(rows) + 500)

    def build(self) -> bytes:
        self.instructions()
        for sheet in S.DATA_SHEETS:
            ws = self.wb.create_sheet(sheet.label(self.lang))
            self.sheets[sheet.key] = ws
            _header(ws, sheet, self.lang)
        self.settings()
        self.programmes()
        self.add_rows(S.SITES, [s.model_dump() for s in self.inst.sites])
        self.units()
        self.people()
        self.lists_and_validation()
        buf = _io.BytesIO()
        self.wb.save(buf)
        return buf.getvalue()

    def instructions(self) -> None:
        """The first sheet: how to fill in the workbook, one paragraph per row."""
        lang = self.lang
        intro = self.wb.active
        assert intro is not None
        intro.title = word(S.INSTRUCTIONS, lang)
        intro.column_dimensions["A"].width = 120
        for i, line in enumerate(numbered("workbook.instructions", lang), start=1):
            c = intro.cell(row=i, column=1, value=line)
            c.alignment = WRAP
            if i == 1:
                c.font = Font(bold=True, size=14)

    def programmes(self) -> None:
        """Programmes; the requirements of those not taken from a rule set."""
        inst = self.inst
        prog_rows, req_rows, group_rows = [], [], []
        for p in inst.programmes:
            row: dict[str, Any] = {
                "id": p.id, "ruleset": self.ruleset_of(p), "name": p.name, "kind": p.kind,
                "regulation": p.regulation, "source": p.source, "length_weeks": p.length_weeks,
                "ends_with": p.ends_with,
                "introduction_weeks": p.introduction_weeks or None}
            if p.starts_with is not None:
                row.update(starts_with=p.starts_with.discipline, starts_weeks=p.starts_with.weeks,
                           same_unit_as_end=self.yesno(p.starts_with.same_unit_as_end))
            prog_rows.append(row)
            if row["ruleset"] is None:
                req_rows += [{"programme": p.id, **r.model_dump()} for r in p.requirements]
                group_rows += [{"programme": p.id, "name": g.name,
                                "disciplines": _join(g.disciplines), "min_weeks": g.min_weeks,
                                "max_weeks": g.max_weeks} for g in p.group_requirements]
        self.add_rows(S.PROGRAMMES, prog_rows)
        self.add_rows(S.REQUIREMENTS, req_rows)
        self.add_rows(S.GROUPS, group_rows)

    def units(self) -> None:
        """Units, their capacity changes, stint lengths and seats per programme."""
        lang, inst = self.lang, self.inst
        unit_rows, cap_rows, stint_rows, seat_rows = [], [], [], []
        for u in inst.units:
            progs = (None if u.programmes is None
                     else _join(u.programmes) if u.programmes else word(S.NONE, lang))
            row: dict[str, Any]
            row = {"id": u.id, "name": u.name, "site": u.site,
                   "region_wide": self.yesno(u.region_wide), "disciplines": _join(u.disciplines),
                   "capacity": word(S.UNLIMITED, lang) if u.capacity is None else u.capacity,
                   "min_weeks": u.min_weeks, "max_weeks": u.max_weeks, "programmes": progs,
                   "takes_from": _join(u.takes_from) if u.takes_from else None,
                   "calendar_stints": self.yesno(True) if u.calendar_stints else None,
                   "min_start_gap_weeks": u.min_start_gap_weeks, "short_name": u.short_name}
            if u.staffing_target is not None:
                row.update(target=u.staffing_target.trainees,
                           target_start=u.staffing_target.start,
                           target_end=u.staffing_target.end)
            unit_rows.append(row)
            cap_rows += [{"unit": u.id, **ch.model_dump()} for ch in u.capacity_changes]
            stint_rows += [{"unit": u.id, "programme": pid, **sw.model_dump()}
                           for pid, sw in u.stint_weeks.items()]
            seat_rows += [{"unit": u.id, "programme": pid,
                           "most": u.capacity_by_programme.get(pid),
                           "reserved": u.reserved_seats.get(pid)}
                          for pid in sorted(set(u.capacity_by_programme) | set(u.reserved_seats))]
        self.add_rows(S.UNITS, unit_rows)
        self.add_rows(S.CAPACITY, cap_rows)
        self.add_rows(S.STINT_WEEKS, stint_rows)
        self.add_rows(S.SEATS, seat_rows)

    def people(self) -> None:
        """Cohorts, trainees, cohort members, leave, locked stints, travel and wishes."""
        lang, inst = self.lang, self.inst
        self.add_rows(S.COHORTS, [c.model_dump() for c in inst.cohorts])
        self.add_rows(S.TRAINEES, [{**t.model_dump(exclude={"leave", "locked"}),
                                    "short_travel": self.yesno(True) if t.short_travel else None}
                                   for t in inst.trainees])
        facts = [o for c in inst.cohorts for o in c.overrides]
        self.add_rows(S.MEMBERS, [{**o.model_dump(exclude={"leave", "locked"}),
                                   "short_travel": None if o.short_travel is None
                                   else self.yesno(o.short_travel)} for o in facts])
        people = list(inst.trainees) + facts
        self.add_rows(S.LEAVE, [{"trainee": t.id, "kind": word(S.LEAVE_KINDS[lv.kind], lang),
                                 "start": lv.start, "end": lv.end}
                                for t in people for lv in t.leave])
        self.add_rows(S.LOCKED, [{"trainee": t.id, **ls.model_dump()}
                                 for t in people for ls in t.locked])
        self.add_rows(S.TRAVEL, [{"from": st.id, "to": to, "minutes": m}
                                 for st in inst.sites for to, m in st.travel_minutes.items()])
        self.add_rows(S.WISHES, [{**w.model_dump(), "kind": word(S.WISH_KINDS[w.kind], lang)}
                                 for w in inst.wishes])

    def settings(self) -> None:
        inst, lang = self.inst, self.lang
        ws = self.sheets["settings"]
        values: dict[str, Any] = {
            "name": inst.name, "description": inst.description,
            "assumptions": inst.assumptions, "horizon_start": inst.horizon.start,
            "horizon_end": inst.horizon.end, **inst.weights.model_dump(),
            "today": inst.today, "fairness": inst.fairness}
        for i, col in enumerate(S.SETTING_ROWS, start=2):
            ws.cell(row=i, column=1, value=col.label(lang)).font = HEADER_FONT
            if values[col.key] not in (None, ""):
                _put(ws, i, 2, values[col.key]).alignment = WRAP
            ws.cell(row=i, column=3, value=tr(f"workbook.help_{col.key}", lang)).alignment = WRAP

    def lists_and_validation(self) -> None:
        lang, inst = self.lang, self.inst
        ws = self.wb.create_sheet(word(S.LISTS, lang))
        ws.sheet_state = "hidden"
        discs = list(KNOWN_DISCIPLINES)
        for p in inst.programmes:
            discs += [r.discipline for r in p.requirements if r.discipline not in discs]
        for u in inst.units:
            discs += [d for d in u.disciplines if d not in discs]
        lists = {
            "disciplines": discs,
            "leave_kinds": [word(v, lang) for v in S.LEAVE_KINDS.values()],
            "wish_kinds": [word(v, lang) for v in S.WISH_KINDS.values()],
            "yesno": [word(S.YES, lang), word(S.NO, lang)],
            "kinds": ["AT", "BT", "other"],
            "rulesets": [name for name, _ in self.files],
        }
        refs: dict[str, str] = {}
        for j, (key, values) in enumerate(lists.items(), start=1):
            ws.cell(row=1, column=j, value=key)
            for i, v in enumerate(values, start=2):
                ws.cell(row=i, column=j, value=v)
            col = get_column_letter(j)
            refs[key] = _sheet_ref(ws.title, col, max(2, len(values) + 1))
        for sheet in S.DATA_SHEETS:
            target = self.sheets[sheet.key]
            for j, col in enumerate(sheet.columns, start=1):
                formula = None
                strict = True
                if col.ref is not None:
                    formula = _sheet_ref(self.sheets[col.ref].title, "A", self.rows)
                    strict = col.ref != "trainees"  # a cohort member's id is allowed too
                elif col.choices is not None and lists[col.choices]:
                    formula = refs[col.choices]
                    strict = col.choices != "disciplines"  # new discipline codes are allowed
                if formula is None:
                    continue
                self.validation(target, col, j, formula, strict)

    def validation(self, ws: Worksheet, col: Column, j: int, formula: str, strict: bool) -> None:
        letter = get_column_letter(j)
        dv = DataValidation(type="list", formula1=formula, allow_blank=True,
                            errorStyle="stop" if strict else "warning")
        dv.error = tr("workbook.pick_from_list", self.lang)
        dv.add(f"{letter}2:{letter}{self.rows}")
        ws.add_data_validation(dv)


def instance_to_workbook(inst: Instance, lang: Lang = "sv") -> bytes:
    """The workbook (xlsx bytes) holding ``inst``; :func:`reader.read_workbook` reads it back."""
    from openpyxl.utils.exceptions import IllegalCharacterError

    try:
        return _Writer(inst, lang).build()
    except IllegalCharacterError as exc:
        raise InputError("", [("", S.msg("illegal_char", lang, value=exc))]) from None


def write_template(path: Path, inst: Instance | None = None, lang: Lang = "sv") -> None:
    """Write the workbook for ``inst`` (or the example) to ``path`` atomically."""
    write_atomic(path, instance_to_workbook(inst or example_instance(), lang))
