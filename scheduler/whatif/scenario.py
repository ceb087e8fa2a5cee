"""Scenario files: named variants derived from a base instance.

A scenario file lists ``scenarios`` (each a name and a list of changes) and ``grids`` (axes of
named options whose cartesian product gives one variant per combination). A change is one of:

- ``capacity``: supervisor capacity of the units picked by a selector (``units`` ids,
  ``discipline``, ``site``, ``region_wide``; all given conditions must hold), in ``[start, end)``
  (default: the whole horizon), set to ``set``, changed by ``delta`` or scaled by ``factor``;
- ``close``: capacity 0 for the selected units in ``[start, end)``;
- ``add_unit``: a new unit (the instance's unit fields);
- ``programme``: ``replace`` a programme id by another rule set (``with``: a path relative to the
  scenario file, or inline), e.g. the norm-time switch AT 18 -> 21 months; the horizon is
  extended when the longer blocks need it (``extend_horizon``, default true);
- ``intake``: cohort counts of the cohorts picked by ``programme``/``kind``/``start``/``site``/
  ``cohorts`` set, changed or scaled (a scaled total is spread over the cohorts of a start by
  largest remainder, so small cohorts are not all rounded the same way);
- ``ramp``: intake factors per calendar year of the start (``years: {2027: 1.0, 2028: 0.6}``)
  for a programme or kind, e.g. AT phased out and BT growing 2027-2030;
- ``add_cohort``: a new cohort;
- ``stint``: the stint length range of the selected units (for a ``programme``, else the
  default), set (``min_weeks``/``max_weeks``) or scaled (``factor``), e.g. stints a third
  longer when the block goes from 18 to 21 months (12 instead of 9 months medicine+surgery);
- ``seats``: seats of one ``programme`` inside the selected units: ``most`` at once
  (``capacity_by_programme``; null removes the limit) and/or ``reserved`` for it
  (``reserved_seats``; 0 removes the reservation), e.g. "at most 2 AT at the emergency unit".

Variants are plain :class:`~scheduler.domain.Instance` objects, so every rule of the base
applies to them; a variant that is not a valid instance is reported, not fatal.
"""

from __future__ import annotations

import itertools
import math
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from scheduler.domain import Cohort, Instance, Programme, Trainee, block_end
from scheduler.i18n import tr
from scheduler.inputs.yaml_io import (
    InputError,
    _read_yaml,
    load_programme,
    programme_path_allowed,
    pydantic_problems,
)


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Selector(_M):
    """Units matching every given condition."""

    units: list[str] | None = None
    discipline: str | None = None
    site: str | None = None
    region_wide: bool | None = None

    @model_validator(mode="after")
    def _some(self) -> Selector:
        if self.units is None and self.discipline is None and self.site is None \
                and self.region_wide is None:
            raise ValueError("name units, discipline, site or region_wide")
        return self

    def pick(self, units: list[dict]) -> list[dict]:
        return [u for u in units
                if (self.units is None or u["id"] in self.units)
                and (self.discipline is None or self.discipline in u["disciplines"])
                and (self.site is None or u["site"] == self.site)
                and (self.region_wide is None or bool(u.get("region_wide")) == self.region_wide)]


class _Amount(_M):
    set: int | None = Field(None, ge=0)
    delta: int | None = None
    factor: float | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _one(self) -> _Amount:
        if sum(x is not None for x in (self.set, self.delta, self.factor)) != 1:
            raise ValueError("give exactly one of set, delta, factor")
        return self

    def apply(self, value: int) -> int:
        if self.set is not None:
            return self.set
        if self.delta is not None:
            return max(0, value + self.delta)
        assert self.factor is not None
        return max(0, math.floor(value * self.factor + 0.5))


class CapacityChange(Selector, _Amount):
    start: date | None = None
    end: date | None = None


class Close(Selector):
    start: date | None = None
    end: date | None = None


class StintChange(Selector):
    """Stint length range of the selected units, for one programme (else the default)."""

    programme: str | None = None
    min_weeks: int | None = Field(None, ge=1)
    max_weeks: int | None = Field(None, ge=1)
    factor: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _some_change(self) -> StintChange:
        if self.min_weeks is None and self.max_weeks is None and self.factor is None:
            raise ValueError("give min_weeks, max_weeks or factor")
        return self


class SeatsChange(Selector):
    """Seats of one programme inside the selected units (docs/MODEL.md, rule ``seats``)."""

    programme: str
    most: int | None = Field(None, ge=0)
    reserved: int | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _some_change(self) -> SeatsChange:
        if "most" not in self.model_fields_set and "reserved" not in self.model_fields_set:
            raise ValueError("give most or reserved")
        return self

    def apply(self, u: dict) -> None:
        if "most" in self.model_fields_set:
            most = dict(u.get("capacity_by_programme") or {})
            most.pop(self.programme, None)
            if self.most is not None:
                most[self.programme] = self.most
            u["capacity_by_programme"] = most
        if "reserved" in self.model_fields_set:
            held = dict(u.get("reserved_seats") or {})
            held.pop(self.programme, None)
            if self.reserved:
                held[self.programme] = self.reserved
            u["reserved_seats"] = held


class ProgrammeSwap(_M):
    replace: str
    with_: str | dict = Field(alias="with")
    extend_horizon: bool = True


class IntakeChange(_Amount):
    programme: str | None = None
    kind: Literal["AT", "BT", "other"] | None = None
    start: date | None = None
    site: str | None = None
    cohorts: list[str] | None = None


class Ramp(_M):
    programme: str | None = None
    kind: Literal["AT", "BT", "other"] | None = None
    years: dict[int, float]


class Change(_M):
    """Exactly one kind of change."""

    capacity: CapacityChange | None = None
    close: Close | None = None
    add_unit: dict | None = None
    programme: ProgrammeSwap | None = None
    intake: IntakeChange | None = None
    ramp: Ramp | None = None
    add_cohort: dict | None = None
    stint: StintChange | None = None
    seats: SeatsChange | None = None

    @model_validator(mode="after")
    def _one(self) -> Change:
        if sum(v is not None for v in self.__dict__.values()) != 1:
            raise ValueError("each change has exactly one of capacity, close, add_unit, "
                             "programme, intake, ramp, add_cohort, stint, seats")
        return self


class Scenario(_M):
    name: str = Field(min_length=1)
    description: str = ""
    changes: list[Change] = []


class Option(_M):
    name: str = Field(min_length=1)
    changes: list[Change] = []


class Grid(_M):
    name: str = ""
    description: str = ""
    axes: dict[str, list[Option]] = Field(min_length=1)


class ScenarioFile(_M):
    description: str = ""
    scenarios: list[Scenario] = []
    grids: list[Grid] = []

    def expand(self) -> list[Scenario]:
        """Every named variant: the scenarios, then each grid's combinations in axis order."""
        out = list(self.scenarios)
        for g in self.grids:
            for combo in itertools.product(*g.axes.values()):
                name = "+".join(o.name for o in combo)
                out.append(Scenario(
                    name=f"{g.name}:{name}" if g.name else name,
                    description="; ".join(f"{axis}={o.name}" for axis, o in zip(g.axes, combo,
                                                                                 strict=True)),
                    changes=[c for o in combo for c in o.changes]))
        return out


BASE = "base"


def load_scenarios(path: str | Path) -> tuple[list[Scenario], Path]:
    """The expanded variants of a scenario file (``InputError`` on bad input).

    YAML, or a workbook (.xlsx) with a sheet *Scenarier*/*Scenarios* (see :func:`read_sheet`).
    """
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        sf = read_sheet(path)
    else:
        raw = _read_yaml(path)
        if not isinstance(raw, dict):
            raise InputError(str(path), [("", "expected a mapping with 'scenarios' and/or "
                                              "'grids'")])
        try:
            sf = ScenarioFile.model_validate(raw)
        except ValidationError as exc:
            raise InputError(str(path), pydantic_problems(exc, raw)) from None
    variants = sf.expand()
    seen: set[str] = {BASE}
    problems = []
    for v in variants:
        if v.name in seen:
            problems.append((v.name, f"scenario name '{v.name}' occurs more than once "
                                     f"('{BASE}' is reserved)"))
        seen.add(v.name)
    if not variants:
        problems.append(("", "no scenarios or grids"))
    if problems:
        raise InputError(str(path), problems)
    return variants, path.parent


# Column headers of the scenario sheet (Swedish or English) -> field names.
SHEET_NAMES = ("Scenarier", "Scenarios")
COLUMNS = {
    "scenario": "name", "beskrivning": "description", "description": "description",
    "ändring": "change", "change": "change", "enheter": "units", "units": "units",
    "disciplin": "discipline", "discipline": "discipline", "ort": "site", "site": "site",
    "start": "start", "slut": "end", "end": "end", "sätt": "set", "set": "set",
    "delta": "delta", "faktor": "factor", "factor": "factor", "program": "programme",
    "programme": "programme", "ersätt med": "with", "with": "with", "kohorter": "cohorts",
    "cohorts": "cohorts", "typ": "kind", "kind": "kind", "år": "years", "years": "years",
    "min veckor": "min_weeks", "min_weeks": "min_weeks", "max veckor": "max_weeks",
    "max_weeks": "max_weeks", "högst samtidigt": "most", "most": "most",
    "reserverade platser": "reserved", "reserved": "reserved",
}
CHANGE_KINDS = {"kapacitet": "capacity", "capacity": "capacity", "stäng": "close",
                "close": "close", "intag": "intake", "intake": "intake", "program": "programme",
                "programme": "programme", "ramp": "ramp", "placeringslängd": "stint",
                "stint": "stint", "platser": "seats", "seats": "seats"}


def read_sheet(path: Path) -> ScenarioFile:
    """Scenarios from a workbook sheet: one row per change, rows of a scenario together.

    Columns (Swedish or English headers): Scenario, Beskrivning, Ändring (kapacitet, stäng,
    intag, program, ramp, placeringslängd), Enheter (comma-separated ids), Disciplin, Ort,
    Start, Slut, Sätt, Delta, Faktor, Program, Ersätt med (a rule-set file), Kohorter, Typ
    (AT/BT), År (``2027: 1.0, 2028: 0.5``), Min veckor, Max veckor. A row without Ändring
    only names (and describes) a scenario.
    """
    from datetime import datetime

    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # not a workbook, damaged, encrypted
        raise InputError(str(path), [("", f"cannot read the workbook: {exc}")]) from None
    name = next((n for n in wb.sheetnames if n in SHEET_NAMES), None)
    if name is None:
        raise InputError(str(path), [("", f"no sheet named {' or '.join(SHEET_NAMES)}")])
    rows = list(wb[name].iter_rows(values_only=True))
    if not rows:
        raise InputError(str(path), [(name, "the sheet is empty")])
    head = [COLUMNS.get(str(h).strip().lower()) if h is not None else None for h in rows[0]]
    if "name" not in head:
        raise InputError(str(path), [(name, "no column 'Scenario'")])
    scenarios: dict[str, dict] = {}
    problems: list[tuple[str, str]] = []
    for r, row in enumerate(rows[1:], start=2):
        cells = {k: (v.date() if isinstance(v, datetime) else v)
                 for k, v in zip(head, row, strict=False) if k and v not in (None, "")}
        if not cells:
            continue
        where = f"{name} rad {r}"
        sc = scenarios.setdefault(str(cells.get("name", "")), {
            "name": str(cells.get("name", "")), "description": "", "changes": []})
        if "description" in cells:
            sc["description"] = str(cells["description"])
        kind = CHANGE_KINDS.get(str(cells.get("change", "")).strip().lower())
        if "change" not in cells:
            continue
        if kind is None:
            problems.append((where, f"unknown change '{cells['change']}'"))
            continue
        try:
            body = _change_body(kind, cells)
        except ValueError:  # the ramp's years
            problems.append((where, "År: write e.g. 2027: 1.0, 2028: 0.5"))
            continue
        try:
            Change.model_validate({kind: body})
        except ValidationError as exc:
            problems += [(where, msg) for _, msg in pydantic_problems(exc, {kind: body})]
            continue
        sc["changes"].append({kind: body})
    if problems:
        raise InputError(str(path), problems)
    try:
        return ScenarioFile.model_validate({"scenarios": list(scenarios.values())})
    except ValidationError as exc:
        raise InputError(str(path), [(name, m) for _, m in pydantic_problems(exc, {})]) from None


def _change_body(kind: str, cells: dict[str, Any]) -> dict[str, Any]:
    """The fields of one change of ``kind`` from a row's cells (ValueError: the ramp's years
    do not read)."""
    body: dict[str, Any] = {}
    for k in ("discipline", "site", "start", "end", "set", "delta", "factor", "kind"):
        if k in cells:
            body[k] = cells[k]
    for k in ("units", "cohorts"):
        if k in cells:
            body[k] = [x.strip() for x in str(cells[k]).split(",") if x.strip()]
    if kind == "programme":
        body = {"replace": cells.get("programme"), "with": cells.get("with")}
    elif "programme" in cells:
        body["programme"] = cells["programme"]
    if kind == "ramp":
        body["years"] = {int(y): float(f) for y, f in (
            part.split(":") for part in str(cells.get("years", "")).split(","))}
        body = {k: v for k, v in body.items() if k in ("programme", "kind", "years")}
    if kind == "close":
        body = {k: v for k, v in body.items()
                if k in ("units", "discipline", "site", "start", "end")}
    if kind == "stint":
        body = {k: v for k, v in body.items()
                if k in ("units", "discipline", "site", "programme", "factor")}
        body |= {k: cells[k] for k in ("min_weeks", "max_weeks") if k in cells}
    if kind == "seats":
        body = {k: v for k, v in body.items()
                if k in ("units", "discipline", "site", "programme")}
        body |= {k: cells[k] for k in ("most", "reserved") if k in cells}
    return body


# ------------------------------------------------------------------------------------ derive


def _profile(u: dict, weeks: list[date]) -> list[int]:
    cap = u["capacity"]
    out = []
    for w in weeks:
        c = cap
        for ch in u.get("capacity_changes", []):
            if ch["start"] <= w < ch["end"]:
                c = ch["capacity"]
        out.append(c)
    return out


def _encode(u: dict, prof: list[int], weeks: list[date]) -> None:
    """Write a weekly profile back as the base capacity plus dated changes (runs)."""
    base = max(set(prof), key=prof.count)  # the most common value: fewest changes
    u["capacity"] = base
    changes: list[dict] = []
    for w, c in zip(weeks, prof, strict=True):
        if c == base:
            continue
        if changes and changes[-1]["end"] == w and changes[-1]["capacity"] == c:
            changes[-1]["end"] = w + timedelta(weeks=1)
        else:
            changes.append({"start": w, "end": w + timedelta(weeks=1), "capacity": c})
    u["capacity_changes"] = changes


def _in_period(w: date, start: date | None, end: date | None) -> bool:
    return (start is None or w >= start) and (end is None or w < end)


def _change_capacity(data: dict, sel: Selector, start: date | None, end: date | None,
                     new: Any, n_trainees: int) -> None:
    h0, h1 = data["horizon"]["start"], data["horizon"]["end"]
    weeks = [h0 + timedelta(weeks=k) for k in range((h1 - h0).days // 7)]
    for u in sel.pick(data["units"]):
        if u["capacity"] is None:
            if isinstance(new, _Amount) and new.set is None:
                continue  # no supervisor limit stays unlimited under a relative change
            # A limit that can never bind, so a dated change has a base to differ from.
            u["capacity"], u["capacity_changes"] = n_trainees, []
        prof = _profile(u, weeks)
        for k, w in enumerate(weeks):
            if _in_period(w, start, end):
                prof[k] = new.apply(prof[k]) if isinstance(new, _Amount) else new
        _encode(u, prof, weeks)


def _spread(counts: list[int], total: int) -> list[int]:
    """``total`` spread over cohorts in proportion to ``counts`` (largest remainder)."""
    s = sum(counts)
    if s == 0:
        return counts
    exact = [c * total / s for c in counts]
    out = [math.floor(x) for x in exact]
    order = sorted(range(len(counts)), key=lambda i: (out[i] - exact[i], i))
    for i in order[:total - sum(out)]:
        out[i] += 1
    return out


def _scale_cohorts(data: dict, picked: list[dict], amount: _Amount) -> None:
    if amount.factor is None:
        for c in picked:
            c["count"] = amount.apply(c["count"])
    else:
        by_start: dict[Any, list[dict]] = {}
        for c in picked:
            by_start.setdefault((c["start"], c["programme"]), []).append(c)
        for group in by_start.values():
            total = amount.apply(sum(c["count"] for c in group))
            for c, n in zip(group, _spread([c["count"] for c in group], total), strict=True):
                c["count"] = n
    data["cohorts"] = [c for c in data["cohorts"] if c["count"] > 0]


def _kind_of(data: dict, pid: str) -> str | None:
    return next((p["kind"] for p in data["programmes"] if p["id"] == pid), None)


def _cohorts(data: dict, programme: str | None, kind: str | None) -> list[dict]:
    return [c for c in data["cohorts"]
            if (programme is None or c["programme"] == programme)
            and (kind is None or _kind_of(data, c["programme"]) == kind)]


def _swap(data: dict, swap: ProgrammeSwap, folder: Path) -> None:
    if isinstance(swap.with_, str) and not programme_path_allowed(
            folder / "scenario.yaml", folder / swap.with_):  # confined as in an instance
        raise ValueError(tr("programme_path_outside", path=swap.with_))
    new = (load_programme((folder / swap.with_).resolve()) if isinstance(swap.with_, str)
           else Programme.model_validate(swap.with_))
    old = swap.replace
    if not any(p["id"] == old for p in data["programmes"]):
        raise ValueError(f"programme '{old}' is not in the base instance")
    data["programmes"] = [p for p in data["programmes"] if p["id"] != old]
    if not any(p["id"] == new.id for p in data["programmes"]):
        data["programmes"].append(new.model_dump(mode="python"))
    for who in data["cohorts"] + data["trainees"]:
        if who["programme"] == old:
            who["programme"] = new.id
    for u in data["units"]:
        if u.get("programmes") is not None:
            u["programmes"] = list(dict.fromkeys(new.id if p == old else p
                                                 for p in u["programmes"]))
        for per in ("stint_weeks", "capacity_by_programme", "reserved_seats"):
            if old in u.get(per, {}):
                u[per].setdefault(new.id, u[per].pop(old))
    if swap.extend_horizon:
        # Longer blocks (21 instead of 18 months) must still end inside the horizon.
        progs = {p["id"]: Programme.model_validate(p) for p in data["programmes"]}
        people = [Cohort.model_validate(c).trainees()[0] for c in data["cohorts"]]
        people += [Trainee.model_validate(t) for t in data["trainees"]]
        latest = data["horizon"]["end"]
        for t in people:
            if t.programme in progs:
                latest = max(latest, block_end(t, progs[t.programme]))
        data["horizon"]["end"] = latest


def derive(base: Instance, scenario: Scenario, folder: Path = Path(".")) -> Instance:
    """The variant: ``base`` with the scenario's changes applied in order.

    Raises ``InputError`` (source: the scenario's name) when a change does not apply or the
    result is not a valid instance.
    """
    data = base.model_dump(mode="python")
    n_trainees = len(base.all_trainees())
    for i, ch in enumerate(scenario.changes):
        try:
            if ch.capacity is not None:
                c = ch.capacity
                _need_units(c, data)
                _change_capacity(data, c, c.start, c.end, c, n_trainees)
            elif ch.close is not None:
                _need_units(ch.close, data)
                _change_capacity(data, ch.close, ch.close.start, ch.close.end, 0, n_trainees)
            elif ch.add_unit is not None:
                data["units"].append(dict(ch.add_unit))
            elif ch.programme is not None:
                _swap(data, ch.programme, folder)
            elif ch.intake is not None:
                it = ch.intake
                picked = [c for c in _cohorts(data, it.programme, it.kind)
                          if (it.start is None or c["start"] == it.start)
                          and (it.site is None or c["site"] == it.site)
                          and (it.cohorts is None or c["id"] in it.cohorts)]
                if not picked:
                    raise ValueError("no cohort matches")
                _scale_cohorts(data, picked, it)
            elif ch.ramp is not None:
                r = ch.ramp
                for year, factor in sorted(r.years.items()):
                    picked = [c for c in _cohorts(data, r.programme, r.kind)
                              if c["start"].year == year]
                    _scale_cohorts(data, picked, _Amount(factor=factor))
            elif ch.add_cohort is not None:
                data["cohorts"].append(dict(ch.add_cohort))
            elif ch.stint is not None:
                _need_units(ch.stint, data)
                _change_stints(data, ch.stint)
            elif ch.seats is not None:
                _need_units(ch.seats, data)
                for u in ch.seats.pick(data["units"]):
                    ch.seats.apply(u)
        except (ValueError, InputError) as exc:
            raise InputError(scenario.name, [(f"changes[{i}]", str(exc))]) from None
    try:
        return Instance.model_validate(data)
    except ValidationError as exc:
        raise InputError(scenario.name, pydantic_problems(exc, data)) from None


def _change_stints(data: dict, sc: StintChange) -> None:
    """Scale (``factor``, rounded half up) and/or set a unit's stint length range."""
    for u in sc.pick(data["units"]):
        own = u.get("stint_weeks", {}).get(sc.programme) if sc.programme else None
        lo = own["min_weeks"] if own else u.get("min_weeks", 1)
        hi = own.get("max_weeks") if own else u.get("max_weeks")
        if sc.factor is not None:
            lo = max(1, math.floor(lo * sc.factor + 0.5))
            hi = None if hi is None else max(lo, math.floor(hi * sc.factor + 0.5))
        lo = sc.min_weeks if sc.min_weeks is not None else lo
        hi = sc.max_weeks if sc.max_weeks is not None else hi
        if sc.programme:
            u.setdefault("stint_weeks", {})[sc.programme] = {"min_weeks": lo, "max_weeks": hi}
        else:
            u["min_weeks"], u["max_weeks"] = lo, hi


def _need_units(sel: Selector, data: dict) -> None:
    if sel.units:
        known = {u["id"] for u in data["units"]}
        missing = [u for u in sel.units if u not in known]
        if missing:
            raise ValueError(f"unknown unit(s) {', '.join(missing)}")
    if not sel.pick(data["units"]):
        raise ValueError("no unit matches")


def describe(scenario: Scenario) -> str:
    """One line per change, for the workbook's scenario sheet."""
    lines = []
    for ch in scenario.changes:
        for kind, v in ch.__dict__.items():
            if v is None:
                continue
            body = v if isinstance(v, dict) else v.model_dump(exclude_none=True, by_alias=True)
            lines.append(f"{kind}: " + ", ".join(f"{k}={x}" for k, x in body.items()))
    return "\n".join(lines)
