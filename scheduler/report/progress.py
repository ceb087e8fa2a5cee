"""What ``atbt solve`` prints while it works and when it is done, in the chosen language.

The solver reports events from several phases and threads (the heuristics, the full model
beside them, retries of the first plan); printed as they come they repeat and can show a
worse objective after a better one. :class:`ProgressPrinter` keeps the best plan so far and
prints one line only when it improves, never a line twice.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from scheduler.i18n import Lang, has_text, tr


def number(value: float | None, lang: Lang, digits: int | None = None) -> str:
    """A number as the language writes it (decimal comma in Swedish); ``-`` when unknown."""
    if value is None or not math.isfinite(value):
        return "-"
    if digits is None:  # whole numbers in full (a lexicographic objective is ~1e8)
        digits = 0 if float(value).is_integer() or abs(value) >= 1e4 else 1
    s = f"{value:.{digits}f}"
    return s.replace(".", ",") if lang == "sv" else s


def gap_text(objective: float | None, bound: float | None, lang: Lang) -> str:
    """Relative gap ``(objective - bound) / objective`` in per cent, ``-`` without a bound."""
    if objective is None or bound is None or not math.isfinite(bound):
        return "-"
    gap = 0.0 if objective <= 0 else max(0.0, (objective - bound) / objective)
    return number(100 * gap, lang, 1) + " %"


def proving(bound: float | None, objective: float | None) -> float | None:
    """``bound``, or ``None`` where it proves nothing: every term is >= 0, so a bound of 0
    or below says "-" rather than "gap 100 %" (or a negative bound), unless the plan
    costs 0 too."""
    if bound is None or (bound <= 0 < (objective or 0)):
        return None
    return bound


def status_text(status: str, lang: Lang) -> str:
    key = f"progress.{status}"
    return tr(key, lang) if has_text(key) else status


def summary_lines(result, lang: Lang) -> list[str]:
    """The final lines of a solve with a plan: status, objective, bound, gap, time, terms."""
    bound = proving(result.bound, result.objective)
    lines = [tr("progress.summary", lang, status=status_text(result.status.value, lang),
                obj=number(result.objective, lang), bound=number(bound, lang),
                gap=gap_text(result.objective, bound, lang),
                t=number(result.wall_time, lang, 1))]
    terms = [f"{tr(f'progress.term_{k}', lang) if has_text(f'progress.term_{k}') else k} "
             f"{number(v, lang)}"
             for k, v in result.terms.items()]
    if terms:
        lines.append("  " + ", ".join(terms))
    return lines


class ProgressPrinter:
    """The solver's ``progress`` callback: one line per real improvement, never a repeat.

    ``emit(line, final)``: ``final`` is False for a line a terminal may overwrite in place (the
    count of trainees planned), True for a line that stays.
    """

    def __init__(self, lang: Lang, emit: Callable[[str, bool], None]):
        self.lang, self.emit = lang, emit
        self.best = math.inf
        self.bound = -math.inf
        self.done = 0
        self.first_seen = False
        self.last: str | None = None
        self.printed: list[str] = []

    def _say(self, line: str, final: bool = True) -> None:
        if line != self.last:
            self.last = line
            self.printed.append(line)
            self.emit(line, final)

    def __call__(self, ev: dict) -> None:
        phase = ev.get("phase")
        if phase == "decompose":
            # A retry of the first plan counts again from the start: only new progress.
            if ev.get("done", 0) > self.done:
                self.done = ev["done"]
                self._say(tr("progress.decompose", self.lang, done=ev["done"], of=ev["of"]), False)
        elif phase == "first_plan":
            if not self.first_seen:
                self.first_seen = True
                self._say(tr("progress.first", self.lang, t=number(ev["time"], self.lang, 1)))
        elif phase == "polish":
            if ev.get("improved"):
                self._say(tr("progress.polish", self.lang, **ev))
        elif "objective" in ev:
            obj, bound = ev["objective"], ev.get("bound")
            raised = (bound is not None and math.isfinite(bound) and bound > self.bound + 1e-9
                      and math.isfinite(self.best))
            if bound is not None and math.isfinite(bound):
                self.bound = max(self.bound, bound)
            if obj is not None and math.isfinite(obj) and obj < self.best - 1e-9:
                self.best = obj
            elif not raised:
                return  # a plan no better than the best printed, and no better bound
            obj = self.best
            useful = proving(self.bound if math.isfinite(self.bound) else None, obj)
            shown = None if useful is None else min(useful, obj)
            self._say(tr("progress.progress", self.lang, obj=number(obj, self.lang),
                         bound=number(shown, self.lang),
                         gap=gap_text(obj, shown, self.lang), t=ev.get("time", 0.0)))
