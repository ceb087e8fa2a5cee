"""What the checker reports: violations, history, and the context that words them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from scheduler.domain import Instance
from scheduler.i18n import Lang, discipline_name, tr
from scheduler.plan import Stint

RULES = ("reference", "coverage", "eligibility", "stint_length", "requirement", "capacity",
         "seats", "locked", "order", "repeat", "frozen")


@dataclass(frozen=True)
class History:
    """Re-planning: the old plan, whose weeks before ``today`` are history and must not change."""

    stints: list[Stint]
    today: date


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    trainee: str | None = None
    unit: str | None = None
    week: date | None = None  # Monday of the first week concerned


class Context:
    """Formatting in one language, and the violations found so far, grouped by rule."""

    def __init__(self, instance: Instance, lang: Lang | None, today: date | None = None):
        self.lang = lang
        self.today = today  # re-planning: stints starting before it are history
        self.h0 = instance.horizon.start
        self.units = {u.id: u for u in instance.units}
        self.found: dict[str, list[Violation]] = {r: [] for r in RULES}

    def monday(self, w: int) -> date:
        return self.h0 + timedelta(weeks=w)

    @staticmethod
    def iso(d: date) -> str:
        y, w, _ = d.isocalendar()
        return f"{w} {y}"  # as people write it, after "v." / "week": v. 8 2027

    def when(self, w: int, n: int = 1) -> str:
        week = self.iso(self.monday(w))
        if n == 1:
            return tr("chk_when_one", self.lang, week=week)
        return tr("chk_when_many", self.lang, week=week, n=n)

    def unit(self, uid: str) -> str:
        u = self.units.get(uid)
        return f"{u.name} {u.id}" if u else f"'{uid}'"

    def disc(self, code: str) -> str:
        return discipline_name(code, self.lang).lower()

    def add(self, rule: str, key: str, *, who: str | None = None, uid: str | None = None,
            week: int | None = None, **kw: object) -> None:
        """Record a violation of ``who`` at unit ``uid``; the message names both by default."""
        kw.setdefault("trainee", who)
        if uid is not None:
            kw.setdefault("unit", self.unit(uid))
        msg = tr(key, self.lang, **kw)
        self.found[rule].append(Violation(
            rule, msg, who, uid, self.monday(week) if week is not None else None))
