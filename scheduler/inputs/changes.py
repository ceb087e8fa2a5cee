"""Re-planning input: the change file, and what changed between two plans.

A change file (YAML) lists what happened since the old plan was made; every date is on or
after ``--today`` (the past is history and is not re-planned)::

    leave:        # new leave of a trainee (parental leave, sick leave, ...)
      - {trainee: AT-2027-02-01, start: 2028-03-06, end: 2028-04-03, kind: foraldraledighet}
    part_time:    # a new part-time percentage (applied to the whole block, see MODEL.md)
      - {trainee: AT-2027-02-02, percent: 75}
    capacity:     # a unit's supervisor capacity in a period (e.g. a supervisor leaves)
      - {unit: PSY-USO, start: 2028-01-03, end: 2028-07-03, capacity: 2}
    leaving:      # a trainee leaves the programme on this Monday
      - {trainee: AT-2027-02-03, on: 2028-05-01}
    joining:      # a new trainee (same fields as a trainee of the instance)
      - {id: AT-EXTRA-01, programme: AT18, start: 2028-02-07, site: USO}

Pure data and plain Python: no solver import. The weight of a changed stint below is the
model's; the checker recomputes the change cost on its own (``scheduler.verify.change_cost``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scheduler.domain import (
    ALLMANMEDICIN,
    CapacityChange,
    Instance,
    Leave,
    Monday,
    Trainee,
    block_end,
)
from scheduler.i18n import tr
from scheduler.inputs.yaml_io import InputError, _read_yaml, pydantic_problems
from scheduler.plan import Stint


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NewLeave(Leave):
    trainee: str


class PartTime(_Model):
    trainee: str
    percent: int = Field(ge=50, le=100)


class UnitCapacity(CapacityChange):
    unit: str


class Leaving(_Model):
    trainee: str
    on: Monday


class Changes(_Model):
    """Everything that happened since the old plan (one or more change files, merged)."""

    leave: list[NewLeave] = []
    part_time: list[PartTime] = []
    capacity: list[UnitCapacity] = []
    leaving: list[Leaving] = []
    joining: list[Trainee] = []

    def merged(self, other: Changes) -> Changes:
        return Changes(**{k: getattr(self, k) + getattr(other, k)
                          for k in Changes.model_fields})

    @property
    def empty(self) -> bool:
        return not any(getattr(self, k) for k in Changes.model_fields)


def load_changes(path: str | Path) -> Changes:
    path = Path(path)
    raw = _read_yaml(path)
    if raw is None:
        return Changes()
    if not isinstance(raw, dict):
        raise InputError(str(path), [("", tr("change_file.not_mapping", "sv"))])
    try:
        return Changes.model_validate(raw)
    except ValidationError as err:
        raise InputError(str(path), pydantic_problems(err, raw)) from None


def replan_monday(today: date) -> date:
    """The first week that may change: ``today`` if a Monday, else the next Monday (a week
    already begun is history)."""
    return today + timedelta(days=(7 - today.weekday()) % 7)


def change_problems(inst: Instance, changes: Changes, today: date,
                    lang: str = "sv") -> list[tuple[str, str]]:
    """(location, message) for changes that name unknown ids or lie before ``today``."""
    ids = {t.id for t in inst.all_trainees()}
    units = {u.id for u in inst.units}
    out: list[tuple[str, str]] = []

    def past(loc: str, what: str, start: date) -> None:
        if start < today:
            out.append((loc,
                        tr("change_file.before_today", lang, what=what, start=start.isoformat(),
                           today=today.isoformat())))

    for i, lv in enumerate(changes.leave):
        if lv.trainee not in ids:
            out.append((f"leave[{i}].trainee",
                        tr("change_file.unknown_trainee", lang, id=lv.trainee)))
        past(f"leave[{i}].start", lv.kind, lv.start)
    for i, p in enumerate(changes.part_time):
        if p.trainee not in ids:
            out.append((f"part_time[{i}].trainee",
                        tr("change_file.unknown_trainee", lang, id=p.trainee)))
    for i, c in enumerate(changes.capacity):
        if c.unit not in units:
            out.append((f"capacity[{i}].unit", tr("change_file.unknown_unit", lang, id=c.unit)))
        past(f"capacity[{i}].start", c.unit, c.start)
    for i, go in enumerate(changes.leaving):
        if go.trainee not in ids:
            out.append((f"leaving[{i}].trainee",
                        tr("change_file.unknown_trainee", lang, id=go.trainee)))
        past(f"leaving[{i}].on", go.trainee, go.on)
    for i, t in enumerate(changes.joining):
        if t.id in ids:
            out.append((f"joining[{i}].id", tr("change_file.duplicate", lang, id=t.id)))
        past(f"joining[{i}].start", t.id, t.start)
    return out


def apply_changes(inst: Instance, changes: Changes) -> Instance:
    """The instance after the changes. Intakes are expanded into individual trainees (same
    ids), since a change concerns one trainee of an intake."""
    trainees = {t.id: t.model_dump() for t in inst.all_trainees()}
    for lv in changes.leave:
        trainees[lv.trainee]["leave"].append(
            {"start": lv.start, "end": lv.end, "kind": lv.kind})
    for p in changes.part_time:
        trainees[p.trainee]["part_time"] = p.percent
    for lv2 in changes.leaving:
        trainees[lv2.trainee]["leaves_on"] = lv2.on
    for t in changes.joining:
        trainees[t.id] = t.model_dump()
    data = inst.model_dump()
    data["cohorts"] = []
    data["trainees"] = list(trainees.values())
    # Leave and part time push blocks out; the horizon (a planning window, not a rule) grows
    # to hold them rather than rejecting the change.
    end_of = {t["id"]: block_end(Trainee.model_validate(t), inst.programme(t["programme"]))
              for t in data["trainees"] if any(p.id == t["programme"] for p in inst.programmes)}
    ends = list(end_of.values())
    if ends and max(ends) > inst.horizon.end:
        data["horizon"] = {"start": inst.horizon.start, "end": max(ends)}
    # A block cut short (leaving, a higher part time) ends before a wish's date: every plan
    # then meets it by the block end, which is the date it keeps (else it is an input error).
    for w in data.get("wishes", []):
        end = end_of.get(w["trainee"])
        if w.get("date") is not None and end is not None and w["date"] > end:
            w["date"] = end
    for c in changes.capacity:
        for u in data["units"]:
            if u["id"] == c.unit:
                if u["capacity"] is None:
                    u["capacity"] = 10_000  # no limit before: only the change limits
                u["capacity_changes"].append(
                    {"start": c.start, "end": c.end, "capacity": c.capacity})
    return Instance.model_validate(data)


# --------------------------------------------------------------------------------------------
# What changed between two plans (used by the change workbook and its tests)


@dataclass(frozen=True)
class PlanDiff:
    removed: list[Stint]  # rows of the old plan.csv that are not in the new one
    added: list[Stint]  # rows of the new plan.csv that are not in the old one

    @property
    def trainees(self) -> list[str]:
        return sorted({s.trainee for s in self.removed + self.added})

    @property
    def units(self) -> list[str]:
        return sorted({s.unit for s in self.removed + self.added})


def diff_plans(old: list[Stint], new: list[Stint]) -> PlanDiff:
    """Exactly the rows in which two plan.csv files differ."""
    a, b = set(old), set(new)
    return PlanDiff(removed=sorted(a - b), added=sorted(b - a))


# Cost of changing one future stint of the old plan (docs/MODEL.md, "Re-planning").
W_BASE, W_NEAR, W_VC = 10, 100, 50
NEAR_WEEKS = 6


def stint_weight(s: Stint, today: date) -> int:
    """10, plus 100 if it starts within 6 weeks of ``today`` (or runs across it), plus 50 at
    a vårdcentral (general practice is fixed about six months ahead)."""
    w = W_BASE
    if s.start < today + timedelta(weeks=NEAR_WEEKS):
        w += W_NEAR
    if s.discipline == ALLMANMEDICIN:
        w += W_VC
    return w


def change_cost(old: list[Stint], new: list[Stint], today: date) -> int:
    """Weighted number of the old plan's future stints (ending after ``today``) that are not
    in the new plan unchanged (same row of plan.csv). The model's (the re-plan's forced cost);
    the reported cost is the checker's ``scheduler.verify.change_cost``."""
    kept = set(new)
    return sum(stint_weight(s, today) for s in old if s.end > today and s not in kept)

