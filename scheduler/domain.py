"""Domain model: programmes, units, trainees and the instance that ties them together.

Pure data with validation; this module never imports a solver. Time is counted in whole weeks
starting on Mondays: every period is ``[start, end)`` with ``end`` exclusive, both Mondays, the
same convention as ``plan.csv``.

Two tiers of validation: field validators check local rules (a date is a Monday, a range is
ordered); ``scheduler.validation.instance_problems`` checks cross-references and inputs that can
never be feasible (a programme needs general practice but no vårdcentral accepts it).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

# The block's arithmetic lives in scheduler.blocks; callers import it from here.
from scheduler.blocks import EXTENDING_LEAVE as EXTENDING_LEAVE
from scheduler.blocks import block_end as block_end
from scheduler.blocks import calendar_weeks as calendar_weeks
from scheduler.blocks import extending_leave_mondays as extending_leave_mondays
from scheduler.blocks import introduction_mondays as introduction_mondays
from scheduler.blocks import leaves_early as leaves_early
from scheduler.blocks import service_weeks_needed as service_weeks_needed
from scheduler.i18n import tr
from scheduler.validation import instance_problems

# Regulatory discipline codes. Units credit one or more of them; programmes set minima on them.
MEDICIN = "medicin"
KIRURGI = "kirurgi"
PSYKIATRI = "psykiatri"
ALLMANMEDICIN = "allmanmedicin"
AKUT = "akut"
VALFRI = "valfri"
FORSKNING = "forskning"

# Kinds of leave; those that are not service extend the block (``EXTENDING_LEAVE``).
LeaveKind = Literal["semester", "foraldraledighet", "sjukskrivning", "tjanstledighet"]


# Sane ranges (docs/SECURITY.md): beyond them a run would overflow dates, blow up the model or
# take far past its time limit, so such input is refused (exit 2) before anything is solved.
YEARS = (1900, 2199)
MAX_HORIZON_WEEKS = 522  # 10 years
MAX_WEEKS = 520  # any count of weeks in a rule
MAX_CAPACITY = 10_000
MAX_WEIGHT = 10**6


def _monday(d: date) -> date:
    if not YEARS[0] <= d.year <= YEARS[1]:
        raise ValueError(tr("date_out_of_range", value=d.isoformat(), lo=YEARS[0], hi=YEARS[1]))
    if d.weekday() != 0:
        raise ValueError(tr("not_monday", value=d.isoformat()))
    return d


def _unique(items: list[str]) -> list[str]:
    """An id listed twice would be counted twice (a group requirement met by half)."""
    seen: set[str] = set()
    for x in items:
        if x in seen:
            raise ValueError(tr("duplicate_in_list", id=x))
        seen.add(x)
    return items


def _no_control(text: str) -> str:
    """Control characters break the workbook writer and terminals; tab and newline are text."""
    for ch in text:
        if (ord(ch) < 32 and ch not in "\t\n\r") or 0x7F <= ord(ch) <= 0x9F:
            raise ValueError(tr("control_char", code=ord(ch)))
    return text


Monday = Annotated[date, AfterValidator(_monday)]
# First character a letter or digit: an id starting with + - = @ would be a formula in a
# spreadsheet that opens plan.csv (OWASP CSV injection).
Code = Annotated[str, Field(min_length=1, max_length=64,
                            pattern=r"^[A-Za-z0-9ÅÄÖåäöÉé][A-Za-z0-9ÅÄÖåäöÉé_.+\-]*$")]
Codes = Annotated[list[Code], AfterValidator(_unique)]
Weeks = Annotated[int, Field(ge=0, le=MAX_WEEKS)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="after", check_fields=False)
    @classmethod
    def _text_fields(cls, v: object) -> object:
        if isinstance(v, str):
            _no_control(v)
        return v


class Period(_Model):
    """Weeks ``[start, end)``; both dates are Mondays."""

    start: Monday
    end: Monday

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end <= self.start:
            raise ValueError(
                tr("end_before_start", start=self.start.isoformat(), end=self.end.isoformat())
            )
        return self

    @property
    def weeks(self) -> int:
        return (self.end - self.start).days // 7


# --------------------------------------------------------------------------------------------
# Programmes (rule sets, stored as data under constraints/)


class Requirement(_Model):
    """Weeks of one discipline a trainee must (and may) spend; full-time weeks."""

    discipline: Code
    min_weeks: Weeks = 0
    max_weeks: Weeks | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Requirement:
        if self.max_weeks is not None and self.max_weeks < self.min_weeks:
            raise ValueError(tr("min_gt_max", min=self.min_weeks, max=self.max_weeks))
        return self


class GroupRequirement(_Model):
    """Weeks summed over several disciplines, e.g. medicin + kirurgi >= 39 weeks."""

    name: str
    disciplines: Codes = Field(min_length=2)
    min_weeks: Weeks = 0
    max_weeks: Weeks | None = None

    @model_validator(mode="after")
    def _ordered(self) -> GroupRequirement:
        if self.max_weeks is not None and self.max_weeks < self.min_weeks:
            raise ValueError(tr("min_gt_max", min=self.min_weeks, max=self.max_weeks))
        return self


class StartsWith(_Model):
    """The block opens with ``weeks`` weeks of ``discipline``.

    With ``same_unit_as_end`` the opening stint is at the unit where the block also ends
    (Gävle: a month at the vårdcentral where the trainee later spends the last five months).
    """

    discipline: Code
    weeks: int = Field(ge=1, le=MAX_WEEKS)
    same_unit_as_end: bool = False


class Programme(_Model):
    """A training programme (AT 18 months, AT 21 months, BT 12 months, ...), citing its rules."""

    id: Code
    name: str
    kind: Literal["AT", "BT", "other"]
    regulation: str = Field(min_length=1, description="The regulation or regional decision encoded")
    source: str = ""
    length_weeks: int = Field(ge=1, le=260, description="Full-time weeks of service in the block")
    requirements: list[Requirement] = Field(min_length=1)
    group_requirements: list[GroupRequirement] = []
    starts_with: StartsWith | None = None
    ends_with: Code | None = Field(None, description="Discipline of the block's last stint")
    introduction_weeks: int = Field(
        0, ge=0, le=MAX_WEEKS, description="Calendar weeks of introduction and courses at the "
        "start of the block: service that counts toward it, at no unit")

    @property
    def disciplines(self) -> list[str]:
        """Disciplines a stint in this programme may credit."""
        return [r.discipline for r in self.requirements]

    def requirement(self, discipline: str) -> Requirement | None:
        return next((r for r in self.requirements if r.discipline == discipline), None)

    @model_validator(mode="after")
    def _consistent(self) -> Programme:
        seen: set[str] = set()
        for r in self.requirements:
            if r.discipline in seen:
                raise ValueError(tr("duplicate_id", id=r.discipline))
            seen.add(r.discipline)
        for g in self.group_requirements:
            for d in g.disciplines:
                if d not in seen:
                    raise ValueError(tr("unknown_ref", kind="discipline", id=d))
        ordered: list[str | None] = [self.ends_with]
        if self.starts_with:
            ordered.append(self.starts_with.discipline)
        for od in ordered:
            if od is not None and od not in seen:
                raise ValueError(tr("unknown_ref", kind="discipline", id=od))
        if self.starts_with is not None and self.starts_with.weeks >= self.length_weeks:
            raise ValueError(tr("opening_too_long", weeks=self.starts_with.weeks,
                                length=self.length_weeks))
        need = service_weeks_needed(self, 100)
        if need > self.length_weeks:
            raise ValueError(
                tr("requirements_exceed_length", programme=self.id, need=need,
                   length=self.length_weeks)
            )
        return self


# --------------------------------------------------------------------------------------------
# Units


class CapacityChange(Period):
    """Supervisor capacity in ``[start, end)`` replacing the default (e.g. summer)."""

    capacity: int = Field(ge=0, le=MAX_CAPACITY)


class StintWeeks(_Model):
    min_weeks: int = Field(1, ge=1, le=MAX_WEEKS)
    max_weeks: int | None = Field(None, ge=1, le=MAX_WEEKS)

    @model_validator(mode="after")
    def _ordered(self) -> StintWeeks:
        if self.max_weeks is not None and self.max_weeks < self.min_weeks:
            raise ValueError(tr("min_gt_max", min=self.min_weeks, max=self.max_weeks))
        return self


class StaffingTarget(_Model):
    """A unit wants at least ``trainees`` trainees every week of ``[start, end)`` (soft)."""

    trainees: int = Field(1, ge=1, le=MAX_CAPACITY)
    start: Monday | None = None
    end: Monday | None = None


class Unit(_Model):
    """A place a trainee can be placed at: a hospital department, a clinic, a vårdcentral."""

    id: Code
    name: str
    short_name: str | None = Field(
        None, min_length=1, max_length=12,
        description="Short name for narrow cells of printed plans; default: an abbreviation of "
                    "the id")
    site: Code = Field(description="Site (hospital or town) the unit belongs to")
    region_wide: bool = Field(
        False, description="Open to trainees of every home site (psychiatry, general practice)"
    )
    takes_from: Codes | None = Field(
        None, description="Catchment: home sites besides its own whose trainees it takes "
        "(Dalarna: Borlänge takes Falun and Ludvika, not Mora); null = its own site only")
    disciplines: Codes = Field(min_length=1, description="Disciplines a stint here credits")
    capacity: int | None = Field(
        ge=0, le=MAX_CAPACITY,
        description="Trainees it can supervise at once; null = no supervisor limit"
    )
    capacity_changes: list[CapacityChange] = []
    min_weeks: int = Field(1, ge=1, le=MAX_WEEKS, description="Shortest stint")
    max_weeks: int | None = Field(None, ge=1, le=MAX_WEEKS, description="Longest stint")
    stint_weeks: dict[Code, StintWeeks] = Field(
        {}, description="Stint length overriding min/max_weeks per programme id"
    )
    calendar_stints: bool = Field(
        False, description="Stint lengths in calendar weeks whatever the part time (a unit "
        "that insists); by default they are full-time weeks, stretched like the requirements")
    programmes: Codes | None = Field(None, description="Programme ids it takes; null = all")
    capacity_by_programme: dict[Code, Annotated[int, Field(ge=0, le=MAX_CAPACITY)]] = Field(
        {}, description="Most trainees of a programme at once, e.g. {AT18: 2} (seat limit)")
    reserved_seats: dict[Code, Annotated[int, Field(ge=1, le=MAX_CAPACITY)]] = Field(
        {}, description="Seats only a programme's trainees may use, e.g. {BT12: 1}")
    staffing_target: StaffingTarget | None = None
    min_start_gap_weeks: int | None = Field(
        None, ge=1, le=MAX_WEEKS,
        description="Soft: weeks wanted between one trainee's start here and the next "
        "(Västra Götaland spaces a vårdcentral's intakes 1.5-2 years); null = no wish")

    @model_validator(mode="after")
    def _ordered(self) -> Unit:
        if self.max_weeks is not None and self.max_weeks < self.min_weeks:
            raise ValueError(tr("min_gt_max", min=self.min_weeks, max=self.max_weeks))
        if self.takes_from and self.region_wide:
            raise ValueError(tr("takes_from_with_region_wide"))
        reserved = sum(self.reserved_seats.values())
        if reserved and self.capacity is not None and reserved > self.capacity:
            raise ValueError(tr("seats_over_capacity", reserved=reserved,
                                capacity=self.capacity))
        return self

    def takes(self, programme_id: str) -> bool:
        return self.programmes is None or programme_id in self.programmes

    def open_to(self, site: str) -> bool:
        """A trainee employed at ``site`` may be placed here: the unit is region-wide, at that
        site, or lists it in its catchment (``takes_from``)."""
        return self.region_wide or self.site == site or site in (self.takes_from or ())

    def eligible(self, programme_id: str, site: str) -> bool:
        """The one eligibility test of the solver side: programme and home site."""
        return self.takes(programme_id) and self.open_to(site)

    def stint_range(self, programme_id: str, part_time: int = 100) -> tuple[int, int | None]:
        """Least and most calendar weeks of a stint here for a trainee at ``part_time`` %:
        the full-time weeks stretched (a 50 % trainee's 4-week stint lasts 8 weeks), unless
        the unit keeps ``calendar_stints``. The least rounds down and the most up, so rounding
        never forbids a part-timer a stint a full-timer may have (a least of 1 week stays 1 at
        80 %); the requirements, rounded up, keep the totals."""
        o = self.stint_weeks.get(programme_id)
        lo, hi = (o.min_weeks, o.max_weeks) if o is not None else (self.min_weeks, self.max_weeks)
        if part_time >= 100 or self.calendar_stints:
            return lo, hi
        return (max(1, lo * 100 // part_time),
                None if hi is None else calendar_weeks(hi, part_time))

    def capacity_in_week(self, week_start: date) -> int | None:
        """Capacity in the week starting ``week_start`` (last matching change wins)."""
        cap = self.capacity
        if cap is None:
            return None
        for ch in self.capacity_changes:
            if ch.start <= week_start < ch.end:
                cap = ch.capacity
        return cap


# --------------------------------------------------------------------------------------------
# Trainees


class Leave(Period):
    kind: LeaveKind


class LockedStint(Period):
    """A stint already planned or done; the plan must keep it."""

    unit: Code
    discipline: Code


class Site(_Model):
    id: Code
    name: str
    travel_minutes: dict[Code, Annotated[int, Field(ge=0, le=600)]] = Field(
        {}, description="Travel time one way (minutes) from this site, as a trainee's home, to "
        "a unit at each listed site; a pair listed neither way counts 0 (term travel)")


class Trainee(_Model):
    id: Code
    name: str | None = Field(None, description="Personal data: optional, never needed to plan")
    programme: Code
    start: Monday
    site: Code = Field(description="Home site: hospital placements are at this site")
    part_time: int = Field(100, ge=50, le=100, description="Percent of full time, 50-100")
    leave: list[Leave] = []
    locked: list[LockedStint] = []
    leaves_on: Monday | None = Field(
        None, description="The trainee leaves the programme on this Monday: the block ends "
        "here, unfinished (re-planning)")
    short_travel: bool = Field(False, description="Needs short travel (e.g. small children): "
                               "travel counts SHORT_TRAVEL_FACTOR times")

    @model_validator(mode="after")
    def _part_time(self) -> Trainee:
        if not 50 <= self.part_time <= 100:
            raise ValueError(tr("part_time_range", value=self.part_time))
        if self.leaves_on is not None and self.leaves_on <= self.start:
            raise ValueError(tr("leaves_before_start", trainee=self.id,
                                leaves_on=self.leaves_on.isoformat(),
                                start=self.start.isoformat()))
        return self


class MemberFacts(_Model):
    """Individual facts of one member of a cohort (``<cohort id>-NN``): leave, part time,
    locked stints, home site, leaving. The member keeps its id and stays in the cohort."""

    id: Code = Field(description="The member's id, e.g. AT-2027-01-02")
    name: str | None = Field(None, description="Personal data: optional, once hired")
    site: Code | None = None
    part_time: int | None = Field(None, ge=50, le=100, description="Percent of full time")
    leave: list[Leave] = []
    locked: list[LockedStint] = []
    leaves_on: Monday | None = None
    short_travel: bool | None = None


class Cohort(_Model):
    """``count`` identical trainees starting together (an intake, intag)."""

    id: Code
    programme: Code
    start: Monday
    count: int = Field(ge=1, le=500)
    site: Code
    part_time: int = Field(100, ge=50, le=100, description="Percent of full time, 50-100")
    overrides: list[MemberFacts] = Field(
        [], description="Members that differ from the rest (leave, part time, locks, site)")

    @model_validator(mode="after")
    def _members(self) -> Cohort:
        ids = self.member_ids()
        seen: set[str] = set()
        for o in self.overrides:
            if o.id not in ids:
                raise ValueError(tr("not_cohort_member", id=o.id, cohort=self.id,
                                    first=ids[0], last=ids[-1]))
            if o.id in seen:
                raise ValueError(tr("duplicate_id", id=o.id))
            seen.add(o.id)
        return self

    def member_ids(self) -> list[str]:
        width = max(2, len(str(self.count)))
        return [f"{self.id}-{i:0{width}d}" for i in range(1, self.count + 1)]

    def trainees(self) -> list[Trainee]:
        facts = {o.id: o.model_dump(exclude={"id"}, exclude_none=True) for o in self.overrides}
        return [
            Trainee(**{"id": tid, "programme": self.programme, "start": self.start,
                       "site": self.site, "part_time": self.part_time, **facts.get(tid, {})})
            for tid in self.member_ids()
        ]


class Weights(_Model):
    """Weights of the named objective terms (minimised); a term with weight 0 is left out."""

    unit_changes: int = Field(10, ge=0, le=MAX_WEIGHT,
                              description="Per change of unit within a block")
    fragmentation: int = Field(
        5, ge=0, le=MAX_WEIGHT,
        description="Per week inside a discipline's span spent on something else"
    )
    staffing_shortfall: int = Field(
        2, ge=0, le=MAX_WEIGHT, description="Per trainee-week a unit is below its staffing target"
    )
    peak_utilisation: int = Field(
        1, ge=0, le=MAX_WEIGHT, description="Per percentage point of the busiest unit's utilisation"
    )
    # Terms that are 0 without their data (wishes, a travel matrix): old instances keep their
    # objective. ``worst`` counts only with ``Instance.fairness == "weighted"``.
    wishes: int = Field(10, ge=0, le=MAX_WEIGHT,
                        description="Per wish not granted, times 4 - priority (1 = most wanted)")
    travel: int = Field(1, ge=0, le=MAX_WEIGHT,
                        description="Per stint-week and started 10 minutes of travel one way")
    worst: int = Field(0, ge=0, le=MAX_WEIGHT,
                       description="Fairness 'weighted': per point of the worst trainee's cost")
    spacing: int = Field(1, ge=0, le=MAX_WEIGHT,
                         description="Per week two consecutive starts at a unit with "
                         "min_start_gap_weeks lie closer than that gap")


# Fairness "lexicographic": the worst trainee's cost first, the sum second (docs/MODEL.md).
LEXICOGRAPHIC_WEIGHT = 10**7
# A trainee marked short_travel counts its travel this many times.
SHORT_TRAVEL_FACTOR = 3


class Wish(_Model):
    """A trainee's wish (önskemål); soft, priority 1 (most wanted) to 3.

    ``prefer``: a stint at ``unit`` (in ``discipline`` if given); ``avoid``: no stint there;
    ``before``: every stint of ``discipline`` ends by ``date``; ``first``: the block opens
    with ``discipline``.
    """

    trainee: Code
    kind: Literal["prefer", "avoid", "before", "first"]
    unit: Code | None = None
    discipline: Code | None = None
    date: Monday | None = None
    priority: int = Field(2, ge=1, le=3)

    @model_validator(mode="after")
    def _fields(self) -> Wish:
        need = {"prefer": ("unit",), "avoid": ("unit",), "before": ("discipline", "date"),
                "first": ("discipline",)}[self.kind]
        for f in need:
            if getattr(self, f) is None:
                raise ValueError(tr("wish_needs", kind=self.kind, field=f))
        return self


class Horizon(Period):
    @model_validator(mode="after")
    def _not_too_long(self) -> Horizon:
        if self.weeks > MAX_HORIZON_WEEKS:
            raise ValueError(tr("horizon_too_long", weeks=self.weeks, most=MAX_HORIZON_WEEKS))
        return self


class Instance(_Model):
    name: str
    description: str = ""
    assumptions: str = Field("", description="Capacity and design assumptions, in words")
    horizon: Horizon
    programmes: list[Programme] = Field(min_length=1)
    sites: list[Site] = Field(min_length=1)
    units: list[Unit] = Field(min_length=1)
    cohorts: list[Cohort] = []
    trainees: list[Trainee] = []
    weights: Weights = Weights()
    today: Monday | None = Field(
        None, description="Planning date (set by replan): weeks before it are history")
    wishes: list[Wish] = []
    fairness: Literal["off", "lexicographic", "weighted"] = Field(
        "off", description="Per-trainee cost: off (the sum only), lexicographic (the worst "
        "trainee's first, then the sum), weighted (weights.worst times the worst, plus the sum)")

    @model_validator(mode="after")
    def _cross_references(self) -> Instance:
        problems = instance_problems(self)
        if problems:
            raise ValueError("\n".join(f"{loc}: {msg}" for loc, msg in problems))
        return self

    # ---- derived views (no rules here beyond reading the input)

    def all_trainees(self) -> list[Trainee]:
        """Individual trainees followed by the expanded cohorts, in a stable order."""
        out = list(self.trainees)
        for c in self.cohorts:
            out.extend(c.trainees())
        return out

    def programme(self, pid: str) -> Programme:
        return next(p for p in self.programmes if p.id == pid)

    def unit(self, uid: str) -> Unit:
        return next(u for u in self.units if u.id == uid)

    def objective_weights(self) -> dict[str, int]:
        """Weights of the terms in the objective: those above 0 whose data is present
        (``wishes`` with wishes, ``travel`` with a travel matrix, ``worst`` with fairness,
        ``spacing`` with a unit's ``min_start_gap_weeks``)."""
        w = {k: v for k, v in self.weights.model_dump().items() if v > 0}
        if not self.wishes:
            w.pop("wishes", None)
        if not any(s.travel_minutes for s in self.sites):
            w.pop("travel", None)
        if not any(u.min_start_gap_weeks for u in self.units):
            w.pop("spacing", None)
        w.pop("worst", None)
        if self.fairness == "lexicographic":
            w["worst"] = LEXICOGRAPHIC_WEIGHT
        elif self.fairness == "weighted" and self.weights.worst > 0:
            w["worst"] = self.weights.worst
        return w

    def week_index(self, d: date) -> int:
        return (d - self.horizon.start).days // 7

    def week_date(self, w: int) -> date:
        return self.horizon.start + timedelta(weeks=w)

    @property
    def n_weeks(self) -> int:
        return self.horizon.weeks
