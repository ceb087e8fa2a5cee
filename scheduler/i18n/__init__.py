"""All user-facing text, in Swedish (default) and English: one catalogue, one lookup.

Every message, label and heading the coordinator reads is an entry ``key: (sv, en)`` in the
``TEXT`` dict of one area module beside this file (``excel.py`` holds plan.xlsx's labels,
``cli.py`` what the command line prints, ``messages.py`` validation and checker messages, ...).
``tr(key, lang, **fields)`` looks one up by ``"area.key"``; keys without an area are the
``messages`` area's. The language is process-wide state set once by the CLI (``--lang``);
library callers may pass ``lang=`` explicitly. ``tests/test_i18n_catalogue.py`` checks that
every entry has both languages with the same placeholders.
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import date, timedelta
from typing import Literal

from scheduler.i18n import (
    capacity,
    change_file,
    changes,
    cli,
    cli_calendar,
    cli_generate,
    cli_mss,
    cli_replan,
    cli_whatif,
    cli_workbook,
    dates,
    disciplines,
    excel,
    explanation,
    fairness,
    messages,
    picture,
    plan_reader,
    progress,
    rosters,
    whatif,
    workbook,
    year,
)

Lang = Literal["sv", "en"]
_current: ContextVar[Lang] = ContextVar("atbt_lang", default="sv")

AREAS: dict[str, dict[str, tuple[str, str]]] = {
    module.__name__.rsplit(".", 1)[1]: module.TEXT
    for module in (capacity, change_file, changes, cli, cli_calendar, cli_generate, cli_mss,
                   cli_replan, cli_whatif, cli_workbook, dates, disciplines, excel, explanation,
                   fairness, messages, picture, plan_reader, progress, rosters, whatif, workbook,
                   year)
}
# The one catalogue: "area.key" -> (sv, en). Areas are module names, so keys cannot clash.
CATALOGUE: dict[str, tuple[str, str]] = {
    f"{area}.{key}": pair for area, text in AREAS.items() for key, pair in text.items()}
DEFAULT_AREA = "messages"
DISCIPLINE_NAMES = disciplines.TEXT  # the known discipline codes (domain.instance_problems)


def set_language(lang: Lang) -> None:
    _current.set(lang)


def language() -> Lang:
    return _current.get()


def tr(key: str, lang: str | None = None, **fields: object) -> str:
    """The text of ``key`` ("area.key", or a ``messages`` key) in ``lang`` (default: the
    current language), formatted with ``fields`` when any are given."""
    sv, en = CATALOGUE[key if "." in key else f"{DEFAULT_AREA}.{key}"]
    template = en if (lang or _current.get()) == "en" else sv
    if not fields:
        return template
    if "kind" in fields:  # Swedish names the kind with its own noun: 'orten', 'enheten', ...
        kind = str(fields["kind"])
        noun = messages.TEXT.get(f"kind_{kind}")
        fields.setdefault("kind_sv", noun[0] if noun else kind)
    return template.format(**fields)


def has_text(key: str) -> bool:
    """Whether the catalogue holds ``key`` ("area.key")."""
    return key in CATALOGUE


def numbered(prefix: str, lang: Lang | None = None) -> list[str]:
    """The texts ``prefix_01``, ``prefix_02``, ... in order: paragraphs, month names."""
    out: list[str] = []
    while has_text(key := f"{prefix}_{len(out) + 1:02d}"):
        out.append(tr(key, lang))
    return out


def discipline_name(code: str, lang: Lang | None = None) -> str:
    key = f"disciplines.{code}"
    return tr(key, lang) if has_text(key) else code


# --------------------------------------------------------------------------------------------
# Dates as people read them. Internally every period is [start, end) of Mondays; people read
# ISO weeks as "v. 19 2028" and an end date as the last working day, inclusive ("t.o.m.").


def week_text(monday: date, lang: Lang | None = None) -> str:
    """The ISO week of ``monday`` as people write it: ``v. 19 2028`` / ``week 19 2028``."""
    year, week, _ = monday.isocalendar()
    return tr("dates.week", lang, week=week, year=year)


def last_day(end: date) -> date:
    """The inclusive last working day (Friday) of a period whose exclusive end is ``end``."""
    return end - timedelta(days=3) if end.weekday() == 0 else end - timedelta(days=1)


def until_text(end: date, lang: Lang | None = None) -> str:
    """An exclusive end written for people: ``t.o.m. 2028-05-12`` (the Friday before)."""
    return tr("dates.until", lang, day=last_day(end).isoformat())
