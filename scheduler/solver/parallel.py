"""The parallel machinery beside the heuristic pipeline: the full model in a thread for the
bound and any better plan (``Bounder``), a second pipeline in a spawned process
(``Beside``), and the full model last, warm-started (``full_model``)."""

from __future__ import annotations

import math
import multiprocessing
import signal
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from ortools.sat.python import cp_model

from scheduler.domain import Instance, Trainee
from scheduler.plan import Stint
from scheduler.solver import cpsat
from scheduler.solver.bounds import FloorCut, direct_bound, floor_cut, leave_floors, quick_bound
from scheduler.solver.context import Context, Progress
from scheduler.solver.cpsat import complete_hint, make_solver
from scheduler.solver.model import PlacementModel, min_stints
from scheduler.solver.pipeline import LEAST_SHARE, pipeline

# The share of the time limit until which a late child (a large region's) may compute the
# least stints per kind for the bound (``beside_main``).
LATE_LEAST = 0.6


class Watcher(cp_model.CpSolverSolutionCallback):
    def __init__(self, pm: PlacementModel, t0: float, progress: Progress | None):
        super().__init__()
        self.pm, self.t0, self.progress = pm, t0, progress
        self.first: float | None = None

    def on_solution_callback(self) -> None:
        now = time.monotonic() - self.t0
        if self.first is None:
            self.first = now
        if self.progress:
            self.progress({"phase": "solve", "time": now, "objective": self.objective_value,
                           "bound": self.best_objective_bound})


def full_solver(time_limit: float, workers: int, seed: int) -> cp_model.CpSolver:
    """The solver of the full model (beside the heuristics, or last)."""
    # Measured on Örebro (2 workers): symmetry detection and probing took ~13 s of
    # presolve and did not pay back in the bound within 120 s; without them the first
    # improving solution comes ~10 s earlier.
    return make_solver(max(0.1, time_limit), workers, seed, symmetry_level=0,
                       cp_model_probing_level=0)


def cut_and_direct(instance: Instance, trainees: list[Trainee], least: dict[str, int],
                   profiles: dict, stop: Callable[[], bool] | None = None,
                   ) -> tuple[FloorCut | None, int | None]:
    """The bound's cut and the direct bound (hard capacity only; ``None`` if stopped)."""
    cut = floor_cut(instance, trainees, least, profiles, stop=stop)
    if cut is None:
        return None, None
    return cut, direct_bound(instance, trainees, least, cut, profiles, stop=stop)


class Bounder(threading.Thread):
    """The full model without a hint, on the cores the heuristics leave idle.

    The decomposition, polish and improve phases use one worker each, so with 2 workers one
    core used to idle for most of the run. Here it proves the bound instead (measured on
    Örebro: one worker, no hint, 110 s gave a bound of 10 991, as high as 2 workers after the
    warm-started phase), and any plan it finds competes with the heuristics' plan.
    """

    def __init__(self, ctx: Context, workers: int,
                 on_bound: Callable[[float], None] | None = None):
        super().__init__(daemon=True)
        self.ctx, self.workers, self.on_bound = ctx, workers, on_bound
        self.solver: cp_model.CpSolver | None = None
        self.pm: PlacementModel | None = None
        self.status: cp_model.CpSolverStatus | None = None
        self.bound: float | None = None
        self.plan: list[Stint] | None = None
        self.error: BaseException | None = None
        self.cut: FloorCut | None = None
        self.direct: int | None = None  # bounds.direct_bound, known before CP-SAT starts
        self._halt = threading.Event()

    def run(self) -> None:
        try:
            self._search()
        except BaseException as exc:  # re-raised by the caller's thread in stop()
            self.error = exc

    def _search(self) -> None:
        ctx = self.ctx
        inst, trainees, least, profiles = ctx.instance, ctx.trainees, ctx.least, ctx.profiles
        soft = ctx.soft_capacity
        if not soft:  # with soft capacity the seats are no limit and the cut is not valid
            self.cut, self.direct = cut_and_direct(inst, trainees, least, profiles,
                                                   stop=self._halt.is_set)
            if self.direct is not None and self.on_bound is not None:
                self.on_bound(self.direct)
        self.pm = PlacementModel(inst, trainees, min_stints=least, profiles=profiles,
                                 soft_capacity=soft)
        if self.cut is not None:
            self.cut.post(self.pm)
        left = ctx.deadline.remaining()
        if self._halt.is_set() or left <= 0.1:
            return
        solver = full_solver(left, self.workers, ctx.seed)
        if self.on_bound is not None:
            solver.best_bound_callback = self.on_bound
        self.solver = solver
        self.status = cpsat.run(solver, self.pm.model)
        if self.status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self.plan = self.pm.extract(solver)
        bound = solver.best_objective_bound
        if math.isfinite(bound):
            self.bound = max(bound, self.direct or -math.inf)

    def stop(self) -> None:
        """Ends the search (a stop asked before CP-SAT starts is lost, so ask until it ends)."""
        self._halt.set()
        while self.is_alive():
            if self.solver is not None:
                self.solver.stop_search()
            self.join(0.05)
        if self.error is not None:
            raise self.error


class Beside:
    """The direct bound, then a second pipeline (another seed and order), in a child process.

    A process, not a thread: the one-trainee phases spend much of their time in Python
    (model building, costing each re-plan), so two pipelines in threads share one
    interpreter lock. Measured on Örebro (2-core VM, 120 s, one run): touch-up in each of
    two threads cut fragmentation 102 -> 58 and 143 -> 57 in 16-23 s, against 201 -> 8 in 23 s
    alone. Spawned, not forked (as the what-if runner's: OR-Tools' threads do not survive a
    fork); the import takes about a second of the child's time. Messages come back on a
    pipe: ``("least", least stints)``, ``("bound", b, cut or None)`` for each bound known
    (the quick one, then the direct one), ``("cost", c)`` on each better plan,
    ``("done", plan, first)``, ``("error", text)``.
    """

    def __init__(self, run: Context):
        """``run``: the parent's context; the child gets its inputs (hard capacity), and its
        ``report`` and ``settled`` stay here, with the listener."""
        ctx = multiprocessing.get_context("spawn")
        recv, send = ctx.Pipe(duplex=False)
        self.halt = ctx.Event()
        self.direct: int | None = None
        self.cut: FloorCut | None = None
        self.plan: list[Stint] | None = None
        self.first: float | None = None
        self.found = False  # the child has sent the cost of a plan
        self.error: str | None = None
        self._report, self._settled = run.report, run.settled
        self._least = run.least  # the child's least stints per kind replace the floor here
        self._stopping = False
        args = (run.instance, run.trainees, run.least, run.profiles, run.keep, run.seed,
                run.start, run.time_limit)
        self.proc = ctx.Process(target=beside_main, args=(send, self.halt, args), daemon=True)
        self.proc.start()
        send.close()  # the child's end: EOF here when the child is gone
        self._listener = threading.Thread(target=self._listen, args=(recv,), daemon=True)
        self._listener.start()

    def _listen(self, conn: Any) -> None:
        try:
            while True:
                # Polled, so that a plan proven optimal in the parent ends the child at once
                # (the child sends nothing while it builds its first plan and polishes).
                if self._settled():
                    self.halt.set()
                if not conn.poll(0.2):
                    continue
                msg = conn.recv()
                if msg[0] == "least":  # same keys: readers in the parent never see it resize
                    self._least.update(msg[1])
                elif msg[0] == "bound":  # each a valid bound, the best kept
                    self.direct = max(msg[1], self.direct or msg[1])
                    self.cut = msg[2] or self.cut
                    self._report(bound=self.direct)
                elif msg[0] == "cost":
                    self.found = True
                    self._report(cost=msg[1])
                elif msg[0] == "done":
                    self.plan, self.first = msg[1], msg[2]
                    return
                elif msg[0] == "error":
                    self.error = msg[1]
                    return
        except (EOFError, OSError):  # the child is gone without an answer: see stop()
            return
        except Exception:  # noqa: BLE001 - a failing callback here is the run's error
            self.error = traceback.format_exc()
            self.halt.set()
        finally:
            conn.close()

    def join(self, timeout: float) -> None:
        self._listener.join(max(0.0, timeout))

    def stop(self) -> None:
        """Asks the child to end (its phases check ``halt`` between solves), then ends it."""
        self.halt.set()
        self._listener.join(2.0)
        self.proc.join(1.0)
        if self.proc.is_alive():
            self._stopping = True
            self.proc.terminate()
            self.proc.join(1.0)
            if self.proc.is_alive():
                self.proc.kill()
                self.proc.join(1.0)
        code = self.proc.exitcode
        if (self.error is None and self.plan is None and not self._stopping
                and code not in (0, None)):
            # Killed from outside (e.g. out of memory) or crashed before it could answer.
            self.error = f"the second pipeline's process ended with exit code {code}"


def beside_main(conn: Any, halt: Any, args: tuple) -> None:
    """The child of :class:`Beside`."""
    # Ctrl-C is the parent's to handle: it stops this child (as the what-if runner's).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    instance, trainees, least, profiles, keep, seed, t0, time_limit = args
    try:
        # The bound known without a search first (``bounds.quick_bound``: about a CPU second
        # at 850 trainees), so that a run whose stronger bound does not finish still has one.
        least = dict(least)
        floors = leave_floors(instance, trainees, profiles, stop=halt.is_set)
        conn.send(("bound", quick_bound(instance, trainees, least, profiles, floors), None))
        # The least stints per kind (the parent's are the floor known without a solve): the
        # bound's cut and its unit changes stand on them. At most a share of the time, so that
        # this pipeline still gets its turn; the kinds left keep the floor. A large region's
        # child starts after the parent's first plan (``solve``), too late for a first plan
        # of its own in most runs: its least stints may take until ``LATE_LEAST``.
        late = time.monotonic() > t0 + LEAST_SHARE * time_limit
        until = t0 + (LATE_LEAST if late else LEAST_SHARE) * time_limit
        least.update(min_stints(instance, trainees, profiles=profiles,
                                stop=lambda: halt.is_set() or time.monotonic() >= until))
        conn.send(("least", least))
        conn.send(("bound", quick_bound(instance, trainees, least, profiles, floors), None))
        # Hard capacity only (solve): with soft capacity the cut is not valid.
        cut, direct = cut_and_direct(instance, trainees, least, profiles,
                                     stop=lambda: halt.is_set()
                                     or time.monotonic() >= t0 + time_limit)
        if direct is not None:
            conn.send(("bound", direct, cut))

        def report(cost: float | None = None, bound: float | None = None) -> None:
            if cost is not None:
                conn.send(("cost", cost))

        # Another seed, and orders of its own: decompose shuffles with seed + attempt, so
        # seed + 1 would repeat the parent's second attempt.
        ctx = Context(instance, trainees, least, profiles, seed + 1000, time_limit, t0,
                      keep=keep, report=report, settled=halt.is_set, least_solved=True)
        plan, first = pipeline(ctx, 1, True)
        conn.send(("done", plan, first))
    except BaseException:  # noqa: BLE001 - sent to the parent, which raises it
        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


def full_model(ctx: Context, warm: list[Stint] | None, workers: int,
               cut: FloorCut | None = None, direct: float | None = None,
               ) -> tuple[PlacementModel, cp_model.CpSolver, Any, float | None, float | None]:
    """The full model in the time left, warm-started with ``warm``: the model, solver,
    status, bound (with the direct bound) and the time of its first plan. ``cut`` and
    ``direct``: as computed beside, else computed here."""
    instance, trainees, least, profiles = ctx.instance, ctx.trainees, ctx.least, ctx.profiles
    soft_capacity, seed, time_limit = ctx.soft_capacity, ctx.seed, ctx.time_limit
    pm = PlacementModel(instance, trainees, min_stints=least, profiles=profiles,
                        soft_capacity=soft_capacity)
    if not soft_capacity:
        if cut is None:
            cut, direct = cut_and_direct(instance, trainees, least, profiles)
        if cut is not None:
            cut.post(pm)
    if warm is not None:
        pm.hint(warm)
        complete_hint(pm, min(5.0, 0.1 * time_limit), seed)
    solver = full_solver(ctx.deadline.remaining(), workers, seed)
    watcher = Watcher(pm, ctx.start, ctx.progress)
    status = cpsat.run(solver, pm.model, watcher)
    raw = solver.best_objective_bound
    bound: float | None = raw if math.isfinite(raw) else None
    if direct is not None:
        bound = direct if bound is None else max(bound, direct)
    return pm, solver, status, bound, watcher.first
