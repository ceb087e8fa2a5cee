"""``atbt calendar PLAN_DIR --out DIR``: the plan as calendars people can subscribe to.

One RFC 5545 file per trainee and one per unit, one all-day event per stint, Monday to the
Friday of its last week (the inclusive end people read; ``DTEND`` is the day after, as RFC 5545
wants for all-day events). Each event's UID is derived from the stint itself (trainee, unit,
discipline, dates) and the calendar it is in, never from the run: a re-published plan, e.g.
after ``atbt replan``, keeps the UID of every stint that did not change, so a subscribed
calendar updates instead of showing duplicates, and drops the stints that were replaced.
"""

# No `from __future__ import annotations`: typer reads the option types at run time.
import hashlib
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scheduler.cli.common import LangOpt, err, load_input, parse_lang
from scheduler.i18n import Lang, discipline_name, last_day, tr, until_text, week_text
from scheduler.plan import Stint

if TYPE_CHECKING:
    from scheduler.domain import Instance

PRODID = "-//atbt-scheduler//placeringar//SV"
UID_DOMAIN = "atbt-scheduler"

def stint_uid(s: Stint, calendar: str) -> str:
    """Stable for an unchanged stint: the same plan row in the same calendar, the same UID."""
    key = "|".join((calendar, s.trainee, s.unit, s.discipline, s.start.isoformat(),
                    s.end.isoformat()))
    return f"{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}@{UID_DOMAIN}"


def _event(s: Stint, calendar: str, summary: str, description: str, stamp: datetime):
    from icalendar import Event

    ev = Event()
    ev.add("uid", stint_uid(s, calendar))
    ev.add("dtstamp", stamp)
    ev.add("dtstart", s.start)
    ev.add("dtend", last_day(s.end) + timedelta(days=1))  # exclusive: the Saturday
    ev.add("summary", summary)
    ev.add("description", description)
    ev.add("transp", "TRANSPARENT")  # a placement is not a busy meeting
    return ev


def _calendar(name: str, events: list):
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for ev in events:
        cal.add_component(ev)
    return cal


def build_calendars(stints: list[Stint], inst: "Instance | None", lang: Lang,
                    stamp: datetime | None = None) -> dict[str, bytes]:
    """Relative path -> ``.ics`` bytes: ``<people_dir>/<trainee>.ics``, ``<units_dir>/<unit>.ics``.

    ``inst`` (optional) gives the units' names; every unit of it gets a calendar, also one
    without stints (a subscription that stays valid when trainees come later).
    """
    stamp = stamp or datetime.now(UTC).replace(microsecond=0)
    unit_names = {u.id: u.name for u in inst.units} if inst is not None else {}
    by_trainee: dict[str, list[Stint]] = defaultdict(list)
    by_unit: dict[str, list[Stint]] = {u: [] for u in unit_names}
    for s in sorted(stints):
        by_trainee[s.trainee].append(s)
        by_unit.setdefault(s.unit, []).append(s)

    def unit_label(uid: str) -> str:
        return f"{unit_names[uid]} ({uid})" if uid in unit_names else uid

    def description(s: Stint) -> str:
        return tr("cli_calendar.description", lang, first=week_text(s.start, lang),
                  last=week_text(s.end - timedelta(weeks=1), lang),
                  until=until_text(s.end, lang), weeks=s.weeks, unit=unit_label(s.unit),
                  discipline=discipline_name(s.discipline, lang), trainee=s.trainee,
                  programme=s.programme)

    files: dict[str, bytes] = {}
    pdir, udir = tr("cli_calendar.people_dir", lang), tr("cli_calendar.units_dir", lang)
    for trainee, mine in by_trainee.items():
        events = [_event(s, "trainee",
                         tr("cli_calendar.trainee_event", lang, unit=unit_label(s.unit),
                            discipline=discipline_name(s.discipline, lang)),
                         description(s), stamp) for s in mine]
        cal = _calendar(tr("cli_calendar.trainee_cal", lang, who=trainee), events)
        files[f"{pdir}/{trainee}.ics"] = cal.to_ical()
    for unit, mine in by_unit.items():
        events = [_event(s, "unit", tr("cli_calendar.unit_event", lang, trainee=s.trainee,
                                       discipline=discipline_name(s.discipline, lang)),
                         description(s), stamp) for s in mine]
        cal = _calendar(tr("cli_calendar.unit_cal", lang, unit=unit_label(unit)), events)
        files[f"{udir}/{unit}.ics"] = cal.to_ical()
    return files


def _instance_for(plan_dir: Path, given: Path | None) -> "Instance | None":
    """The instance for unit names: ``--instance``, else the one run.json names, else none
    (the calendars then name units by id)."""
    from scheduler.year import read_run

    path = given if given is not None else read_run(plan_dir).instance
    if path is None or (given is None and not path.is_file()):
        return None
    return load_input(path)[0]


def calendar(
    plan_dir: Annotated[Path, typer.Argument(help="Folder written by 'atbt solve'")],
    out: Annotated[Path, typer.Option("--out", help="Output folder")] = Path("calendars"),
    instance: Annotated[Path | None, typer.Option(
        "--instance", help="The instance, for unit names (default: the one run.json "
        "names; without it units are named by id)")] = None,
    pseudonymize: Annotated[bool, typer.Option(
        "--pseudonymize", help="Name trainees by stable codes instead of ids")] = False,
    lang: LangOpt = "sv",
) -> None:
    """One .ics calendar per trainee and per unit (all-day events, stable UIDs)."""
    from dataclasses import replace

    from scheduler.outputs import write_atomic
    from scheduler.plan import PlanFormatError, read_plan_csv

    lg = parse_lang(lang)
    plan_csv = plan_dir / "plan.csv"
    if not plan_csv.is_file():
        err.print(tr("cli_calendar.no_plan", lg, dir=plan_dir), markup=False)
        raise typer.Exit(2)
    if out.resolve() == plan_dir.resolve():
        err.print(tr("cli_calendar.out_is_plan", lg, out=out), markup=False)
        raise typer.Exit(2)
    try:
        stints = read_plan_csv(plan_csv)
    except PlanFormatError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(2) from None
    except UnicodeDecodeError:
        err.print(tr("cli.plan_not_utf8", lg, plan=plan_csv), markup=False)
        raise typer.Exit(2) from None
    inst = _instance_for(plan_dir, instance)
    if pseudonymize:
        from scheduler.workbook.pseudonym import (
            PREFIX,
            PseudonymKeyError,
            codes,
            pseudonym_key,
        )
        try:
            key = pseudonym_key()
        except PseudonymKeyError as exc:
            err.print(exc.message(lg), markup=False)
            raise typer.Exit(2) from None
        # A plan already written with codes (solve --pseudonymize) keeps them.
        # The codes of the instance's trainees when known: the same as solve/rosters give.
        ids = sorted({t.id for t in inst.all_trainees()} if inst is not None else
                     {s.trainee for s in stints if not s.trainee.startswith(PREFIX)})
        cmap = codes(ids, key)
        stints = [replace(s, trainee=cmap.get(s.trainee, s.trainee)) for s in stints]
    files = build_calendars(stints, inst, lg)
    try:
        for rel, data in files.items():
            write_atomic(out / rel, data)
    except OSError as exc:
        err.print(tr("cli.out_failed", lg, out=out, error=exc), markup=False)
        raise typer.Exit(2) from None
    udir = tr("cli_calendar.units_dir", lg) + "/"
    n_units = sum(1 for rel in files if rel.startswith(udir))
    err.print(tr("cli_calendar.written", lg, people=len(files) - n_units, units=n_units, out=out),
              markup=False)


def register(app: typer.Typer) -> None:
    app.command()(calendar)
