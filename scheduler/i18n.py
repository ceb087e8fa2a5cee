"""User-facing text in Swedish (default) and English.

Messages are looked up by key so that validation errors, checker violations, the CLI and the
Excel workbook speak the coordinator's language. The language is process-wide state set once by
the CLI (``--lang``); library callers may pass ``lang=`` explicitly.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Literal

Lang = Literal["sv", "en"]
_current: ContextVar[Lang] = ContextVar("atbt_lang", default="sv")

DISCIPLINE_NAMES: dict[str, tuple[str, str]] = {
    "medicin": ("Invärtesmedicin", "Internal medicine"),
    "kirurgi": ("Kirurgi", "Surgery"),
    "psykiatri": ("Psykiatri", "Psychiatry"),
    "allmanmedicin": ("Allmänmedicin", "General practice"),
    "akut": ("Akut sjukvård", "Acute care"),
    "valfri": ("Valfri placering", "Elective"),
    "forskning": ("Forskning", "Research"),
    "pedagogik": ("Pedagogik", "Pedagogy"),
    "ledighet": ("Ledighet", "Leave"),
}

MESSAGES: dict[str, tuple[str, str]] = {
    # input validation
    "not_monday": ("{value} är inte en måndag", "{value} is not a Monday"),
    "end_before_start": (
        "slutet ({end}) måste ligga efter början ({start})",
        "end ({end}) must be after start ({start})",
    ),
    "duplicate_id": ("id '{id}' förekommer flera gånger", "id '{id}' occurs more than once"),
    "unknown_ref": ("okänt {kind} '{id}'", "unknown {kind} '{id}'"),
    "unit_no_discipline": (
        "enheten '{unit}' kan inte tillgodoräknas som '{discipline}'",
        "unit '{unit}' cannot be credited as '{discipline}'",
    ),
    "min_gt_max": (
        "minimum ({min}) är större än maximum ({max})",
        "minimum ({min}) is larger than maximum ({max})",
    ),
    "part_time_range": (
        "sysselsättningsgraden måste vara 50–100 %, inte {value}",
        "part-time must be 50–100 %, not {value}",
    ),
    "no_unit_for_requirement": (
        "programmet '{programme}' kräver {weeks} veckor {discipline}, men ingen enhet som tar emot "
        "programmet på orten '{site}' kan tillgodoräknas som {discipline}",
        "programme '{programme}' needs {weeks} weeks of {discipline}, but no unit that accepts "
        "the programme at site '{site}' can be credited as {discipline}",
    ),
    "requirements_exceed_length": (
        "programmet '{programme}' kräver minst {need} veckor men blocket är {length} veckor",
        "programme '{programme}' needs at least {need} weeks but the block is {length} weeks",
    ),
    "block_outside_horizon": (
        "blocket för '{trainee}' slutar {end}, efter planeringshorisonten ({horizon_end})",
        "the block of '{trainee}' ends {end}, after the planning horizon ({horizon_end})",
    ),
    "block_before_horizon": (
        "blocket för '{trainee}' börjar {start}, före planeringshorisonten ({horizon_start})",
        "the block of '{trainee}' starts {start}, before the planning horizon ({horizon_start})",
    ),
    "file_not_found": ("filen finns inte", "file not found"),
    "yaml_error": ("kan inte läsas som YAML: {error}", "cannot be read as YAML: {error}"),
    "not_a_mapping": (
        "ska vara en mappning (nyckel: värde)",
        "must be a mapping (key: value)",
    ),
    "programme_file_not_found": (
        "programfilen '{path}' finns inte",
        "programme file '{path}' not found",
    ),
    "field_missing": ("fältet saknas", "field is missing"),
    "field_extra": ("okänt fält", "unknown field"),
    "invalid_int": ("'{value}' är inte ett heltal", "'{value}' is not an integer"),
    "invalid_date": (
        "'{value}' är inte ett datum (ÅÅÅÅ-MM-DD)",
        "'{value}' is not a date (YYYY-MM-DD)",
    ),
    "invalid_value": ("ogiltigt värde: {detail}", "invalid value: {detail}"),
    # plan file
    "plan_bad_header": (
        "kolumnerna ska vara exakt {expected}, inte {found}",
        "columns must be exactly {expected}, not {found}",
    ),
    "plan_bad_row": ("rad {row}: {detail}", "row {row}: {detail}"),
}


def set_language(lang: Lang) -> None:
    _current.set(lang)


def language() -> Lang:
    return _current.get()


def tr(key: str, lang: Lang | None = None, **kwargs: object) -> str:
    sv, en = MESSAGES[key]
    template = en if (lang or _current.get()) == "en" else sv
    return template.format(**kwargs)


def discipline_name(code: str, lang: Lang | None = None) -> str:
    names = DISCIPLINE_NAMES.get(code)
    if names is None:
        return code
    return names[1] if (lang or _current.get()) == "en" else names[0]
