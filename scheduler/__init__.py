"""atbt-scheduler: placement scheduling for Swedish AT and BT doctors in training.

The public API, for use from Python (the ``atbt`` command is built on it)::

    from scheduler import load, solve_and_verify, write_outputs
    instance, digest = load("region.yaml")
    result = solve_and_verify(instance, time_limit=60)
    if result.status.has_plan:
        write_outputs(instance, result, "reports")

Every plan these functions return has passed :func:`check`, the independent checker. The
names are imported on first use, not here: ``import scheduler`` stays cheap, so ``atbt``
installs its signal handlers before OR-Tools and pydantic load (``scheduler/__main__.py``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Each public name and the module that defines it (the same names as __all__).
_WHERE = {
    "load": "scheduler.api",
    "load_instance": "scheduler.inputs.yaml_io",
    "solve_and_verify": "scheduler.api",
    "solve_soft_and_verify": "scheduler.api",
    "replan_and_verify": "scheduler.replanning",
    "explain": "scheduler.report.explanation",
    "check": "scheduler.verify",
    "write_outputs": "scheduler.api",
    "write_replan_outputs": "scheduler.replanning",
    "VerificationError": "scheduler.api",
    "InputError": "scheduler.inputs.yaml_io",
    "History": "scheduler.verify",
    "Violation": "scheduler.verify",
    "Result": "scheduler.result",
    "Status": "scheduler.result",
    "Stint": "scheduler.plan",
    "Instance": "scheduler.domain",
    "Horizon": "scheduler.domain",
    "Site": "scheduler.domain",
    "Unit": "scheduler.domain",
    "Programme": "scheduler.domain",
    "Requirement": "scheduler.domain",
    "Cohort": "scheduler.domain",
    "Trainee": "scheduler.domain",
    "Leave": "scheduler.domain",
    "Wish": "scheduler.domain",
    "Weights": "scheduler.domain",
}

__all__ = [
    "Cohort",
    "History",
    "Horizon",
    "InputError",
    "Instance",
    "Leave",
    "Programme",
    "Requirement",
    "Result",
    "Site",
    "Status",
    "Stint",
    "Trainee",
    "Unit",
    "VerificationError",
    "Violation",
    "Weights",
    "Wish",
    "__version__",
    "check",
    "explain",
    "load",
    "load_instance",
    "replan_and_verify",
    "solve_and_verify",
    "solve_soft_and_verify",
    "write_outputs",
    "write_replan_outputs",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'scheduler' has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value  # once: later lookups do not come here
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:
    from scheduler.api import (
        VerificationError,
        load,
        solve_and_verify,
        solve_soft_and_verify,
        write_outputs,
    )
    from scheduler.domain import (
        Cohort,
        Horizon,
        Instance,
        Leave,
        Programme,
        Requirement,
        Site,
        Trainee,
        Unit,
        Weights,
        Wish,
    )
    from scheduler.inputs.yaml_io import InputError, load_instance
    from scheduler.plan import Stint
    from scheduler.replanning import replan_and_verify, write_replan_outputs
    from scheduler.report.explanation import explain
    from scheduler.result import Result, Status
    from scheduler.verify import History, Violation, check
