"""What every phase of a run shares (``Context``) and the time a phase has (``Deadline``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from scheduler.domain import Instance, Trainee
from scheduler.plan import Stint

Progress = Callable[[dict], None]
Stop = Callable[[], bool]


class Deadline:
    """``seconds`` from ``start`` (default: now); ``stop`` ends it early (e.g. the plan is
    proven optimal, or another part of the run proved the instance infeasible)."""

    def __init__(self, seconds: float, stop: Stop | None = None, start: float | None = None):
        self.seconds = seconds
        self.stop = stop
        self.start = time.monotonic() if start is None else start

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def remaining(self) -> float:
        """Seconds left, whether or not ``stop`` says so."""
        return self.seconds - (time.monotonic() - self.start)

    def stopped(self) -> bool:
        return bool(self.stop and self.stop())

    def left(self) -> float:
        """Seconds left; 0 once ``stop`` says so."""
        return 0.0 if self.stopped() else self.remaining()

    def expired(self) -> bool:
        return self.left() <= 0

    def at(self, share: float) -> float:
        """Seconds from now until ``share`` of the whole time (negative once past)."""
        return share * self.seconds - self.elapsed()


def _no_report(cost: float | None = None, bound: float | None = None) -> None:
    return None


def _never() -> bool:
    return False


@dataclass
class Context:
    """One run's shared inputs and channels, handed to the phases of a pipeline.

    ``least``: each trainee's least number of stints (``model.min_stints``); ``profiles``:
    capacity per unit and week (``model.capacity_profiles``); ``keep``: an earlier plan's
    stints per trainee, kept where they still fit; ``report(cost=, bound=)``: a better plan's
    cost or a bound; ``settled()``: nothing is left to gain (stop); ``start``/``time_limit``:
    the run's clock, as a ``Deadline`` in ``deadline``.
    """

    instance: Instance
    trainees: list[Trainee]
    least: dict[str, int]
    profiles: dict
    seed: int
    time_limit: float
    start: float
    soft_capacity: bool = False
    keep: dict[str, list[Stint]] | None = None
    progress: Progress | None = None
    report: Callable[..., None] = _no_report
    settled: Stop = _never
    # ``least`` holds the per-kind solves (``model.min_stints``), not only the floor known
    # without a solve (``model.stint_floor``), which is all the first plan needs.
    least_solved: bool = False
    # Called once by the pipeline when its first plan is there (``solve``: the second
    # process starts then; in an early child, its bound is computed then).
    on_first_plan: Callable[[], None] | None = None
    # Called by the pipeline with each better plan it holds and its cost (``solve``: the full
    # model beside starts from it).
    on_plan: Callable[[list[Stint], float], None] | None = None
    # ``bounds.leave_floors`` as the pipeline computed them (some trainees may be missing: a
    # floor of 0), for the bound known without a search (``solve``).
    floors: dict[str, int] | None = None

    def share(self, plan: list[Stint], cost: float) -> None:
        if self.on_plan is not None:
            self.on_plan(plan, cost)

    @property
    def deadline(self) -> Deadline:
        """The run's deadline, ended early by ``settled``."""
        return Deadline(self.time_limit, self.settled, self.start)
