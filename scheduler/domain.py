"""Domain model: programmes, units, trainees and the instance that ties them together.

Pure data with validation; this module never imports a solver. Time is counted in whole weeks
starting on Mondays: every period is ``[start, end)`` with ``end`` exclusive, both Mondays, the
same convention as ``plan.csv``.

Two tiers of validation: field validators check local rules (a date is a Monday, a range is
ordered); :func:`instance_problems` checks cross-references and inputs that can never be feasible
(a programme needs general practice but no vårdcentral accepts it).
"""

from __future__ import annotations

import difflib
import unicodedata
from datetime import date, timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from scheduler.i18n import DISCIPLINE_NAMES, tr

# Regulatory discipline codes. Units credit one or more of them; programmes set minima on them.
MEDICIN = "medicin"
KIRURGI = "kirurgi"
PSYKIATRI = "psykiatri"
ALLMANMEDICIN = "allmanmedicin"
AKUT = "akut"
VALFRI = "valfri"
FORSKNING = "forskning"

# Leave that does not count as service extends the block (SOSFS 1999:5, HSLF-FS 2021:8).
# Vacation (semester) counts as service: the trainee stays in the stint.
LeaveKind = Literal["semester", "foraldraledighet", "sjukskrivning", "tjanstledighet"]
EXTENDING_LEAVE: frozenset[str] = frozenset({"foraldraledighet", "sjukskrivning", "tjanstledighet"})


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


def calendar_weeks(full_time_weeks: int, part_time: int) -> int:
    """Calendar weeks that credit ``full_time_weeks`` at ``part_time`` percent, rounded up.

    Every requirement (minimum and maximum) and the block length are converted this way, so a
    75 % trainee needs ceil(13 * 100 / 75) = 18 calendar weeks of psychiatry.
    """
    return -(-full_time_weeks * 100 // part_time)


def service_weeks_needed(programme: Programme, part_time: int) -> int:
    """Calendar weeks of service in the block at ``part_time`` percent (credited pro rata).

    At part time the rounded-up minima can add up to more than the rounded-up length (AT18 at
    75 %: 18 + 35 + 52 = 105 > 104); the block is then lengthened to fit them.
    """
    grouped = {d for g in programme.group_requirements for d in g.disciplines}
    need = sum(calendar_weeks(r.min_weeks, part_time)
               for r in programme.requirements if r.discipline not in grouped)
    for g in programme.group_requirements:
        members = sum(calendar_weeks(r.min_weeks, part_time)
                      for r in programme.requirements if r.discipline in g.disciplines)
        need += max(calendar_weeks(g.min_weeks, part_time), members)
    return max(calendar_weeks(programme.length_weeks, part_time),
               need + programme.introduction_weeks)


def introduction_mondays(trainee: Trainee, programme: Programme) -> list[date]:
    """Mondays of the introduction weeks: the block's first ``introduction_weeks`` weeks that
    are not extending leave (service at no unit, so no stint covers them)."""
    leave = extending_leave_mondays(trainee)
    out: list[date] = []
    d = trainee.start
    while len(out) < programme.introduction_weeks:
        if d not in leave:
            out.append(d)
        d += timedelta(weeks=1)
    return out


def extending_leave_mondays(trainee: Trainee) -> set[date]:
    """Mondays of the weeks of leave that do not count as service (they extend the block)."""
    return {lv.start + timedelta(weeks=k) for lv in trainee.leave
            if lv.kind in EXTENDING_LEAVE for k in range(lv.weeks)}


def block_end(trainee: Trainee, programme: Programme) -> date:
    """End (exclusive) of the block: service weeks plus every week of extending leave inside it.

    A trainee who leaves the programme (``leaves_on``) ends the block there, unfinished.
    """
    leave_weeks = extending_leave_mondays(trainee)
    needed = service_weeks_needed(programme, trainee.part_time)
    d = trainee.start
    while needed > 0:
        if d not in leave_weeks:
            needed -= 1
        d += timedelta(weeks=1)
    if trainee.leaves_on is not None:
        return min(d, trainee.leaves_on)
    return d


def leaves_early(trainee: Trainee, programme: Programme) -> bool:
    """True if the trainee leaves before the block is complete (requirements no longer apply)."""
    if trainee.leaves_on is None:
        return False
    return block_end(trainee.model_copy(update={"leaves_on": None}), programme) > \
        trainee.leaves_on


def _fold(name: str) -> str:
    """Lower case without diacritics: 'Allmänmedicin' and 'allmanmedicin' fold alike."""
    return "".join(c for c in unicodedata.normalize("NFKD", name.lower())
                   if not unicodedata.combining(c))


def _closest_hint(name: str, known: set[str]) -> str:
    """`` (menar du 'x'?)`` for the known name a typo most likely meant, else ''."""
    folded = {_fold(k): k for k in sorted(known)}
    match = difflib.get_close_matches(_fold(name), list(folded), n=1, cutoff=0.6)
    return tr("did_you_mean", name=folded[match[0]]) if match else ""


def minima_no_unit_can_give(inst: Instance, prog: Programme, site: str) -> list[Requirement]:
    """The input check (exit 2) for a minimum that no unit can give a trainee of ``prog``
    employed at ``site``: none credits the discipline, takes the programme, is open to the
    site (region-wide, own site or ``takes_from``) and has a seat for the programme
    (``capacity_by_programme`` not 0). Capacity 0 over a whole block is the solver side's
    ``counting.unreachable_requirements`` (it needs the block's weeks)."""
    return [r for r in prog.requirements if r.min_weeks > 0 and not any(
        r.discipline in u.disciplines and u.eligible(prog.id, site)
        and u.capacity_by_programme.get(prog.id) != 0
        for u in inst.units)]


def instance_problems(inst: Instance) -> list[tuple[str, str]]:
    """Cross-reference and never-feasible checks: ``(location, message)`` pairs, all at once."""
    problems: list[tuple[str, str]] = []

    def dupes(items: list, kind: str) -> set[str]:
        ids: set[str] = set()
        for i, it in enumerate(items):
            if it.id in ids:
                problems.append((f"{kind}[{i}] ({it.id}).id", tr("duplicate_id", id=it.id)))
            ids.add(it.id)
        return ids

    prog_ids = dupes(inst.programmes, "programmes")
    site_ids = dupes(inst.sites, "sites")
    unit_ids = dupes(inst.units, "units")
    trainee_ids = dupes(inst.trainees, "trainees")
    dupes(inst.cohorts, "cohorts")
    for c in inst.cohorts:
        for t in c.trainees():
            if t.id in trainee_ids:
                problems.append((f"cohorts ({c.id})", tr("duplicate_id", id=t.id)))

    known = {r.discipline for p in inst.programmes for r in p.requirements}
    known |= set(DISCIPLINE_NAMES)  # declared extras: akut, valfri, forskning, ...
    for i, u in enumerate(inst.units):
        loc = f"units[{i}] ({u.id})"
        for d in u.disciplines:
            if d not in known:
                problems.append((f"{loc}.disciplines", tr(
                    "unknown_discipline", id=d, hint=_closest_hint(d, known))))
        if u.site not in site_ids:
            problems.append((f"{loc}.site", tr("unknown_ref", kind="site", id=u.site)))
        for s in u.takes_from or []:
            if s not in site_ids:
                problems.append((f"{loc}.takes_from", tr("unknown_ref", kind="site", id=s)))
        for p in (u.programmes or []) + list(u.stint_weeks) + list(u.capacity_by_programme) \
                + list(u.reserved_seats):
            if p not in prog_ids:
                problems.append((f"{loc}.programmes", tr("unknown_ref", kind="programme", id=p)))

    people: list[tuple[str, Trainee | Cohort]] = [
        (f"trainees[{i}] ({t.id})", t) for i, t in enumerate(inst.trainees)
    ] + [(f"cohorts[{i}] ({c.id})", c) for i, c in enumerate(inst.cohorts)]
    # Cohort members with facts of their own are checked as the individuals they are.
    members = {t.id: t for c in inst.cohorts for t in c.trainees()}
    people += [(f"cohorts[{i}] ({c.id}).overrides[{j}] ({o.id})", members[o.id])
               for i, c in enumerate(inst.cohorts) for j, o in enumerate(c.overrides)]
    checked_pairs: set[tuple[str, str]] = set()
    for loc, who in people:
        if who.programme not in prog_ids:
            problems.append(
                (f"{loc}.programme", tr("unknown_ref", kind="programme", id=who.programme))
            )
            continue
        if who.site not in site_ids:
            problems.append((f"{loc}.site", tr("unknown_ref", kind="site", id=who.site)))
            continue
        if not 50 <= who.part_time <= 100:
            problems.append((f"{loc}.part_time", tr("part_time_range", value=who.part_time)))
            continue
        prog = inst.programme(who.programme)
        if (prog.id, who.site) not in checked_pairs:
            checked_pairs.add((prog.id, who.site))
            for r in minima_no_unit_can_give(inst, prog, who.site):
                problems.append((f"{loc}.programme", tr(
                    "no_unit_for_requirement", programme=prog.id, weeks=r.min_weeks,
                    discipline=r.discipline, site=who.site)))
        sample = who if isinstance(who, Trainee) else who.trainees()[0]
        if who.start < inst.horizon.start:
            problems.append((f"{loc}.start", tr(
                "block_before_horizon", trainee=sample.id, start=who.start.isoformat(),
                horizon_start=inst.horizon.start.isoformat())))
            continue
        end = block_end(sample, prog)
        if end > inst.horizon.end:
            problems.append((f"{loc}.start", tr(
                "block_outside_horizon", trainee=sample.id, end=end.isoformat(),
                horizon_end=inst.horizon.end.isoformat())))
        if isinstance(who, Trainee):
            problems += entry_clashes(loc, who)
            for j, ls in enumerate(who.locked):
                where = f"{loc}.locked[{j}]"
                if ls.unit not in unit_ids:
                    problems.append((f"{where}.unit",
                                     tr("unknown_ref", kind="unit", id=ls.unit)))
                    continue
                u = inst.unit(ls.unit)
                if ls.discipline not in u.disciplines or ls.discipline not in prog.disciplines:
                    problems.append((f"{where}.discipline", tr(
                        "unit_no_discipline", unit=ls.unit, discipline=ls.discipline)))
                if not u.eligible(prog.id, who.site):
                    problems.append((f"{where}.unit", tr(
                        "locked_not_eligible", unit=ls.unit, trainee=who.id)))
                if ls.start < who.start or ls.end > end:
                    problems.append((f"{where}", tr(
                        "locked_outside_block", trainee=who.id, start=who.start.isoformat(),
                        end=end.isoformat())))
                intro = [d for d in introduction_mondays(who, prog) if ls.start <= d < ls.end]
                if intro:
                    problems.append((f"{where}", tr(
                        "locked_in_introduction", a=f"locked[{j}] ({ls.unit})",
                        week=intro[0].isoformat(), programme=prog.id,
                        weeks=prog.introduction_weeks)))
    for site in inst.sites:
        for k in site.travel_minutes:
            if k not in site_ids:
                problems.append((f"sites ({site.id}).travel_minutes",
                                 tr("unknown_ref", kind="site", id=k)))
    if inst.wishes and not problems:
        from scheduler.wishes import wish_problems

        problems += wish_problems(inst)
    return problems


def _sweep_overlaps(items: list) -> list[tuple[int, int]]:
    """``(i, j)`` for every item ``j`` that overlaps an earlier-starting item ``i`` (the one of
    the latest end so far): each clash is named once, in n log n for long lists."""
    order = sorted(range(len(items)), key=lambda k: (items[k].start, items[k].end))
    out: list[tuple[int, int]] = []
    reach = -1
    for k in order:
        if reach >= 0 and items[k].start < items[reach].end:
            out.append((reach, k))
        if reach < 0 or items[k].end > items[reach].end:
            reach = k
    return out


def entry_clashes(loc: str, t: Trainee) -> list[tuple[str, str]]:
    """Entries of one trainee that contradict each other, each pair named: two leave periods
    that overlap, two locked stints that overlap, a locked stint in leave that is not service
    (no plan could hold it, so this is input, not an infeasible instance: exit 2)."""
    out: list[tuple[str, str]] = []

    for i, j in _sweep_overlaps(t.leave):
        lv, lw = t.leave[i], t.leave[j]
        out.append((f"{loc}.leave[{j}]", tr(
            "leave_overlap", a=f"leave[{j}]", a_start=lw.start.isoformat(),
            a_end=lw.end.isoformat(), b=f"leave[{i}]", b_start=lv.start.isoformat(),
            b_end=lv.end.isoformat())))
    for i, j in _sweep_overlaps(t.locked):
        lk, ll = t.locked[i], t.locked[j]
        out.append((f"{loc}.locked[{j}]", tr(
            "locked_overlap", a=f"locked[{j}] ({ll.unit})", a_start=ll.start.isoformat(),
            a_end=ll.end.isoformat(), b=f"locked[{i}] ({lk.unit})", b_start=lk.start.isoformat(),
            b_end=lk.end.isoformat())))
    extending = [(k, lv) for k, lv in enumerate(t.leave) if lv.kind in EXTENDING_LEAVE]
    for j, ls in enumerate(t.locked):
        for k, lv in extending:
            if ls.start < lv.end and lv.start < ls.end:
                out.append((f"{loc}.locked[{j}]", tr(
                    "locked_on_leave", a=f"locked[{j}] ({ls.unit})", a_start=ls.start.isoformat(),
                    a_end=ls.end.isoformat(), leave_kind=lv.kind, b=f"leave[{k}]",
                    b_start=lv.start.isoformat(), b_end=lv.end.isoformat())))
    return out
