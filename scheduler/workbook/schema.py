"""Layout of the coordinator's instance workbook: sheets, columns, labels and messages (sv, en).

One sheet per kind of entry, header in row 1, one entry per row. The writer (``template.py``)
and the reader (``reader.py``) share these definitions, so a header the writer puts in a sheet is
one the reader understands. The reader accepts Swedish and English sheet names and headers
whatever ``--lang`` is; messages follow ``--lang``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from scheduler.i18n import Lang, tr


@dataclass(frozen=True)
class Column:
    key: str  # field name in the instance data
    sv: str
    en: str
    kind: str  # code, text, int, date, bool, capacity, codes, codes_or_all, leave_kind, kind
    required: bool = False  # the cell must hold a value
    ref: str | None = None  # sheet key whose first column lists the allowed values
    choices: str | None = None  # list on the hidden lists sheet
    width: int = 14
    optional: bool = False  # the column itself may be missing (added after workbooks exist)

    def label(self, lang: Lang) -> str:
        return self.en if lang == "en" else self.sv


@dataclass(frozen=True)
class Sheet:
    key: str
    sv: str
    en: str
    columns: tuple[Column, ...] = field(default_factory=tuple)
    required: bool = False  # the sheet must be present

    def label(self, lang: Lang) -> str:
        return self.en if lang == "en" else self.sv


C = Column
SETTINGS = Sheet("settings", "Inställningar", "Settings", (
    C("setting", "Inställning", "Setting", "text", width=34),
    C("value", "Värde", "Value", "text", width=40),
    C("help", "Förklaring", "Explanation", "text", width=70),
), required=True)

# Settings rows: key, sv label, en label, kind, required
SETTING_ROWS: tuple[Column, ...] = (
    C("name", "Namn", "Name", "text", required=True),
    C("description", "Beskrivning", "Description", "text"),
    C("assumptions", "Antaganden", "Assumptions", "text"),
    C("horizon_start", "Horisontens start", "Horizon start", "date", required=True),
    C("horizon_end", "Horisontens slut (exkl.)", "Horizon end (excl.)", "date", required=True),
    C("unit_changes", "Vikt: byten av enhet", "Weight: unit changes", "int"),
    C("fragmentation", "Vikt: splittring", "Weight: fragmentation", "int"),
    C("staffing_shortfall", "Vikt: bemanningsunderskott", "Weight: staffing shortfall", "int"),
    C("peak_utilisation", "Vikt: högsta beläggning", "Weight: peak utilisation", "int"),
    C("today", "Planeringsdatum (idag)", "Today (planning date)", "date"),
    C("wishes", "Vikt: missade önskemål", "Weight: wishes missed", "int"),
    C("travel", "Vikt: restid", "Weight: travel", "int"),
    C("worst", "Vikt: sämst ställda AT/BT-läkare", "Weight: worst-off trainee", "int"),
    C("spacing", "Vikt: för tätt mellan starter", "Weight: starts too close", "int"),
    C("fairness", "Rättvisa", "Fairness", "text"),
)

PROGRAMMES = Sheet("programmes", "Program", "Programmes", (
    C("id", "Id", "Id", "code", required=True),
    C("ruleset", "Regelverk (fil)", "Rule set (file)", "text", choices="rulesets", width=24),
    C("name", "Namn", "Name", "text", width=24),
    C("kind", "Typ", "Kind", "kind", choices="kinds", width=8),
    C("regulation", "Föreskrift", "Regulation", "text", width=40),
    C("source", "Källa", "Source", "text", width=24),
    C("length_weeks", "Längd (veckor)", "Length (weeks)", "int"),
    C("starts_with", "Börjar med disciplin", "Starts with discipline", "code",
      choices="disciplines", width=20),
    C("starts_weeks", "Början (veckor)", "Opening (weeks)", "int"),
    C("same_unit_as_end", "Början på samma enhet som slutet", "Opening at the last stint's unit",
      "bool", choices="yesno", width=20),
    C("ends_with", "Slutar med disciplin", "Ends with discipline", "code",
      choices="disciplines", width=20),
    C("introduction_weeks", "Introduktionsveckor", "Introduction weeks", "int"),
), required=True)

REQUIREMENTS = Sheet("requirements", "Programkrav", "Requirements", (
    C("programme", "Program", "Programme", "code", required=True, ref="programmes"),
    C("discipline", "Disciplin", "Discipline", "code", required=True, choices="disciplines",
      width=18),
    C("min_weeks", "Minst (veckor)", "Min (weeks)", "int"),
    C("max_weeks", "Högst (veckor)", "Max (weeks)", "int"),
))

GROUPS = Sheet("groups", "Gruppkrav", "Group requirements", (
    C("programme", "Program", "Programme", "code", required=True, ref="programmes"),
    C("name", "Namn", "Name", "text", required=True, width=24),
    C("disciplines", "Discipliner", "Disciplines", "codes", required=True, width=24),
    C("min_weeks", "Minst (veckor)", "Min (weeks)", "int"),
    C("max_weeks", "Högst (veckor)", "Max (weeks)", "int"),
))

SITES = Sheet("sites", "Orter", "Sites", (
    C("id", "Id", "Id", "code", required=True),
    C("name", "Namn", "Name", "text", required=True, width=36),
), required=True)

UNITS = Sheet("units", "Enheter", "Units", (
    C("id", "Id", "Id", "code", required=True),
    C("name", "Namn", "Name", "text", required=True, width=36),
    C("site", "Ort", "Site", "code", required=True, ref="sites"),
    C("region_wide", "Hela regionen", "Region-wide", "bool", choices="yesno"),
    C("disciplines", "Discipliner", "Disciplines", "codes", required=True, width=22),
    C("capacity", "Kapacitet", "Capacity", "capacity", required=True),
    C("min_weeks", "Minst (veckor)", "Min (weeks)", "int"),
    C("max_weeks", "Högst (veckor)", "Max (weeks)", "int"),
    C("programmes", "Program", "Programmes", "codes_or_all", width=18),
    C("target", "Bemanningsmål", "Staffing target", "int"),
    C("target_start", "Bemanningsmål från", "Staffing target from", "date"),
    C("target_end", "Bemanningsmål till (exkl.)", "Staffing target until (excl.)", "date"),
    # a catchment between own site and the whole region; lengths that do not stretch
    C("takes_from", "Tar även emot från orter", "Also takes from sites", "codes", width=22),
    C("calendar_stints", "Längd i kalenderveckor även vid deltid",
      "Lengths in calendar weeks even at part time", "bool", choices="yesno", width=18),
    # the name printed in the plan grid's cells (default: an abbreviation of the id)
    C("short_name", "Kortnamn", "Short name", "text", width=12, optional=True),
    # soft spacing of a vårdcentral's intakes (the objective term ``spacing``)
    C("min_start_gap_weeks", "Minsta veckor mellan starter", "Min weeks between starts", "int",
      width=18, optional=True),
), required=True)

CAPACITY = Sheet("capacity_changes", "Kapacitetsändringar", "Capacity changes", (
    C("unit", "Enhet", "Unit", "code", required=True, ref="units"),
    C("start", "Från", "From", "date", required=True),
    C("end", "Till (exkl.)", "Until (excl.)", "date", required=True),
    C("capacity", "Kapacitet", "Capacity", "int", required=True),
))

STINT_WEEKS = Sheet("stint_weeks", "Placeringslängder", "Stint lengths", (
    C("unit", "Enhet", "Unit", "code", required=True, ref="units"),
    C("programme", "Program", "Programme", "code", required=True, ref="programmes"),
    C("min_weeks", "Minst (veckor)", "Min (weeks)", "int"),
    C("max_weeks", "Högst (veckor)", "Max (weeks)", "int"),
))

# Seats per programme inside a unit: "of 4 seats, at most 2 AT", "1 reserved for BT".
SEATS = Sheet("seats", "Platser per program", "Seats per programme", (
    C("unit", "Enhet", "Unit", "code", required=True, ref="units"),
    C("programme", "Program", "Programme", "code", required=True, ref="programmes"),
    C("most", "Högst samtidigt", "At most at once", "int"),
    C("reserved", "Reserverade platser", "Reserved seats", "int"),
))

COHORTS = Sheet("cohorts", "Kohorter", "Cohorts", (
    C("id", "Id", "Id", "code", required=True, width=16),
    C("programme", "Program", "Programme", "code", required=True, ref="programmes"),
    C("start", "Start", "Start", "date", required=True),
    C("count", "Antal", "Count", "int", required=True),
    C("site", "Ort", "Site", "code", required=True, ref="sites"),
    C("part_time", "Sysselsättningsgrad (%)", "Part time (%)", "int"),
))

TRAINEES = Sheet("trainees", "AT-BT-läkare", "Trainees", (
    C("id", "Id", "Id", "code", required=True, width=16),
    C("name", "Namn", "Name", "text", width=28),
    C("programme", "Program", "Programme", "code", required=True, ref="programmes"),
    C("start", "Start", "Start", "date", required=True),
    C("site", "Ort", "Site", "code", required=True, ref="sites"),
    C("part_time", "Sysselsättningsgrad (%)", "Part time (%)", "int"),
    C("leaves_on", "Slutar (måndag)", "Leaves on (Monday)", "date"),
    C("short_travel", "Kort restid", "Short travel", "bool", choices="yesno", optional=True),
))

# Members of a cohort with facts of their own (Cohort.overrides); their leave and locked
# stints are on the Ledighet and Låsta placeringar sheets under the member's id.
MEMBERS = Sheet("members", "Kohortmedlemmar", "Cohort members", (
    C("id", "Id", "Id", "code", required=True, width=18),
    C("name", "Namn", "Name", "text", width=28),
    C("site", "Ort", "Site", "code", ref="sites"),
    C("part_time", "Sysselsättningsgrad (%)", "Part time (%)", "int"),
    C("leaves_on", "Slutar (måndag)", "Leaves on (Monday)", "date"),
    C("short_travel", "Kort restid", "Short travel", "bool", choices="yesno", optional=True),
))

LEAVE = Sheet("leave", "Ledighet", "Leave", (
    C("trainee", "AT/BT-läkare", "Trainee", "code", required=True, ref="trainees", width=16),
    C("kind", "Typ", "Kind", "leave_kind", required=True, choices="leave_kinds", width=18),
    C("start", "Från", "From", "date", required=True),
    C("end", "Till (exkl.)", "Until (excl.)", "date", required=True),
))

LOCKED = Sheet("locked", "Låsta placeringar", "Locked stints", (
    C("trainee", "AT/BT-läkare", "Trainee", "code", required=True, ref="trainees", width=16),
    C("unit", "Enhet", "Unit", "code", required=True, ref="units"),
    C("discipline", "Disciplin", "Discipline", "code", required=True, choices="disciplines",
      width=18),
    C("start", "Från", "From", "date", required=True),
    C("end", "Till (exkl.)", "Until (excl.)", "date", required=True),
))

# Travel time one way between sites (minutes; either direction counts for both).
TRAVEL = Sheet("travel", "Restider", "Travel times", (
    C("from", "Från ort", "From site", "code", required=True, ref="sites"),
    C("to", "Till ort", "To site", "code", required=True, ref="sites"),
    C("minutes", "Minuter", "Minutes", "int", required=True),
))

# Wishes (önskemål): soft, priority 1 (most wanted) to 3.
WISHES = Sheet("wishes", "Önskemål", "Wishes", (
    C("trainee", "AT/BT-läkare", "Trainee", "code", required=True, ref="trainees", width=16),
    C("kind", "Typ", "Kind", "wish_kind", required=True, choices="wish_kinds", width=12),
    C("unit", "Enhet", "Unit", "code", ref="units"),
    C("discipline", "Disciplin", "Discipline", "code", choices="disciplines", width=18),
    C("date", "Före (måndag)", "Before (Monday)", "date"),
    C("priority", "Prioritet (1-3)", "Priority (1-3)", "int"),
))

# Order = order of the sheets in the workbook (after the instructions).
DATA_SHEETS: tuple[Sheet, ...] = (SETTINGS, PROGRAMMES, REQUIREMENTS, GROUPS, SITES, UNITS,
                                  CAPACITY, STINT_WEEKS, SEATS, COHORTS, MEMBERS, TRAINEES,
                                  LEAVE, LOCKED, TRAVEL, WISHES)
SHEETS = {s.key: s for s in DATA_SHEETS}
INSTRUCTIONS = ("Instruktioner", "Instructions")
LISTS = ("Listor", "Lists")

LEAVE_KINDS: dict[str, tuple[str, str]] = {  # code -> (sv, en) as written in the workbook
    "semester": ("semester", "vacation"),
    "foraldraledighet": ("föräldraledighet", "parental leave"),
    "sjukskrivning": ("sjukskrivning", "sick leave"),
    "tjanstledighet": ("tjänstledighet", "unpaid leave"),
}
WISH_KINDS: dict[str, tuple[str, str]] = {  # code -> (sv, en) as written in the workbook
    "prefer": ("enhet", "unit"),
    "avoid": ("undvik", "avoid"),
    "before": ("före", "before"),
    "first": ("först", "first"),
}
YES = ("ja", "yes")
NO = ("nej", "no")
UNLIMITED = ("obegränsad", "unlimited")
NONE = ("inga", "none")  # a unit that takes no programme (an empty list)

# Rule sets shipped with the project (``constraints/`` beside the package).
CONSTRAINTS_DIR = Path(__file__).resolve().parents[2] / "constraints"


def word(pair: tuple[str, str], lang: Lang) -> str:
    return pair[1] if lang == "en" else pair[0]


def msg(key: str, lang: Lang | None = None, **kw: object) -> str:
    """The reader's message ``key`` (``workbook.<key>`` in ``scheduler.i18n``)."""
    return tr(f"workbook.{key}", lang, **kw)
