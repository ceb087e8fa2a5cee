"""The change cost of a re-plan (docs/MODEL.md, "Re-planning"), recomputed from the two plans.

Implemented here on its own, as the rest of the checker: the model's weight of a stint is
``scheduler.inputs.changes.stint_weight``, and neither side imports the other's.
"""

from __future__ import annotations

from datetime import date, timedelta

from scheduler.plan import Stint

GENERAL_PRACTICE = "allmanmedicin"  # a vårdcentral: fixed about six months ahead


def _weight(s: Stint, today: date) -> int:
    """10, plus 100 if it starts before ``today + 6 weeks`` (a stint running across ``today``
    too), plus 50 in general practice."""
    near = s.start < today + timedelta(weeks=6)
    return 10 + 100 * near + 50 * (s.discipline == GENERAL_PRACTICE)


def change_cost(old: list[Stint], new: list[Stint], today: date) -> int:
    """Weighted number of the old plan's future stints (ending after ``today``) that are not
    in the new plan unchanged (same row of plan.csv)."""
    kept = set(new)
    return sum(_weight(s, today) for s in old if s.end > today and s not in kept)
