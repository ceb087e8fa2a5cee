"""Independent plan checker: is a plan valid, and what does it cost?

Implements docs/MODEL.md on its own. It shares no code with the CP-SAT model in
``scheduler/solver/`` (and must never import it): the point of a second implementation is that a
misreading of the contract in one of them shows up as a disagreement in the tests. For the same
reason the block length and block end are recomputed here instead of taken from
``scheduler.domain``; only plain data access on the domain classes is used.

Time is handled as integer week indices relative to ``instance.horizon.start`` (negative before
the horizon), so every rule is a few passes over small integer ranges.

=================  ==========================================================================
``violations``     Violation, History, and the context that words a violation
``block``          block arithmetic (service weeks, block end) and week plumbing
``trainee_rules``  rules over one stint and one trainee's block; ``frozen`` (re-planning)
``unit_rules``     capacity and seats
``checker``        :func:`check`, every hard rule
``terms``          :func:`evaluate` and :func:`objective`: the objective's terms and sum
``costs``          wishes, travel and fairness per trainee
``replan_cost``    :func:`change_cost` of a re-plan
=================  ==========================================================================
"""

from __future__ import annotations

from scheduler.verify.block import EXTENDING, block_end, service_weeks
from scheduler.verify.checker import check
from scheduler.verify.costs import (
    LEXICOGRAPHIC,
    SHORT_TRAVEL,
    fairness,
    trainee_costs,
    wish_outcomes,
)
from scheduler.verify.replan_cost import change_cost
from scheduler.verify.terms import (
    OVERRUN_WEIGHT,
    TERMS,
    Overrun,
    capacity_overruns,
    evaluate,
    objective,
    start_crowding,
)
from scheduler.verify.violations import RULES, History, Violation

__all__ = [
    "EXTENDING",
    "LEXICOGRAPHIC",
    "OVERRUN_WEIGHT",
    "RULES",
    "SHORT_TRAVEL",
    "TERMS",
    "History",
    "Overrun",
    "Violation",
    "block_end",
    "capacity_overruns",
    "change_cost",
    "check",
    "evaluate",
    "fairness",
    "objective",
    "service_weeks",
    "start_crowding",
    "trainee_costs",
    "wish_outcomes",
]
