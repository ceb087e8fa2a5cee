"""The outcome of a solve: status, objective and its terms, bound, gap, timing, provenance."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum

from scheduler.plan import Stint


class Status(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    NO_PLAN = "no_plan_in_time"
    INVALID_INPUT = "invalid_input"
    STOPPED = "stopped"  # Ctrl-C or SIGTERM: the best checked plan so far (scheduler.halt)

    @property
    def has_plan(self) -> bool:
        return self in (Status.OPTIMAL, Status.FEASIBLE, Status.STOPPED)


# CLI exit codes per status (0 plan written, 2 invalid input, 3 infeasible, 4 no plan in time).
EXIT_CODES = {Status.OPTIMAL: 0, Status.FEASIBLE: 0, Status.INVALID_INPUT: 2,
              Status.INFEASIBLE: 3, Status.NO_PLAN: 4,
              Status.STOPPED: 130}  # 130 after Ctrl-C, 143 after SIGTERM: scheduler.halt


@dataclass
class Result:
    status: Status
    stints: list[Stint] = field(default_factory=list)
    objective: float | None = None
    solver_objective: float | None = None
    bound: float | None = None
    terms: dict[str, int] = field(default_factory=dict)  # unweighted value per named term
    weights: dict[str, int] = field(default_factory=dict)
    wall_time: float = 0.0
    time_to_first: float | None = None
    seed: int = 0
    workers: int = 1
    time_limit: float = 0.0
    reproducible: bool = True
    versions: dict[str, str] = field(default_factory=dict)
    input_hash: str = ""
    method: str = ""
    # The instance the plan was made for ({"path", "sha256", "input_hash"}; scheduler.year),
    # and the planning date of a run with history (solve --keep --today).
    instance: dict[str, str] | None = None
    today: str | None = None

    @property
    def gap(self) -> float | None:
        """Relative gap ``(objective - bound) / objective``; 0 when both are 0."""
        if self.objective is None or self.bound is None:
            return None
        if abs(self.objective) < 1e-9:
            return 0.0
        return max(0.0, (self.objective - self.bound) / abs(self.objective))

    def summary(self) -> dict:
        d = asdict(self)
        d.pop("stints")
        d["status"] = self.status.value
        d["gap"] = self.gap
        d["stints"] = len(self.stints)
        return d
