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
# The second process's bound and phases end at this share of the time limit
# (``beside_main``): a step can end late (a region of 850 trainees was still in the bound's
# per-kind solves at the limit), and the parent waits for its answer. Stockholm-size
# regions ended 2.5-3.3 s past a 120 s limit (1.1 s past 60 s), the child's answer last.
BESIDE_SHARE = 0.97


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


def restart_due(cost: float, best: float, started_from: float, ran: float,
                least: float) -> bool:
    """A plan of ``cost`` handed over restarts a search that started from a plan of cost
    ``started_from`` and has found ``best`` itself (``inf``: nothing yet) if it beats both,
    once the search has run ``least`` seconds (``ran``): each start presolves again."""
    return cost < min(best, started_from) and ran >= least


class _Incumbent(cp_model.CpSolverSolutionCallback):
    """The objective of the search's best plan so far (``Bounder``: a shared plan that beats
    it restarts the search from that plan)."""

    def __init__(self, best: float, on_cost: Callable[[float], None] | None) -> None:
        super().__init__()
        self.best = best  # with the searches before
        self.on_cost = on_cost

    def on_solution_callback(self) -> None:
        if self.objective_value < self.best:
            self.best = self.objective_value
            if self.on_cost is not None:
                self.on_cost(self.best)


class Bounder(threading.Thread):
    """The full model on the cores the heuristics leave idle, from the pipeline's best plan.

    The decomposition, polish and improve phases use one worker each, so with 2 workers one
    core used to idle for most of the run. Here it proves the bound instead (measured on
    Örebro: one worker, no hint, 110 s gave a bound of 10 991, as high as 2 workers after the
    warm-started phase), and any plan it finds competes with the heuristics' plan.

    The pipeline hands over each better plan (``offer``). A search runs from the best plan
    handed over (a complete hint) with its cost as an upper bound on the objective, and is
    restarted from a newer plan that beats its own best. Without that, one worker searched
    from nothing: the tutorial (8 trainees) had 585 from the pipeline at 0.2 s and a bound of
    578, but the full model found and proved 578 only at 12-13 s on an idle machine.
    """

    # Seconds a search runs at least before a better plan handed over restarts it (each start
    # presolves the model again and loses the search's progress on the bound). Doubled at
    # each restart, so that a pipeline improving every second leaves the search some starts
    # that run long (at most about log2 of the time limit restarts).
    MIN_ROUND = 1.0

    def __init__(self, ctx: Context, workers: int,
                 on_bound: Callable[[float], None] | None = None,
                 on_cost: Callable[[float], None] | None = None):
        """``on_bound``, ``on_cost``: called with each better bound and plan's objective."""
        super().__init__(daemon=True)
        self.ctx, self.workers = ctx, workers
        self.on_bound, self.on_cost = on_bound, on_cost
        self.solver: cp_model.CpSolver | None = None
        self.pm: PlacementModel | None = None
        self.status: cp_model.CpSolverStatus | None = None
        self.bound: float | None = None
        self.plan: list[Stint] | None = None
        self.error: BaseException | None = None
        self.cut: FloorCut | None = None
        self.direct: int | None = None  # bounds.direct_bound, known before CP-SAT starts
        # The search has ended with an answer for the whole run: optimal, or no plan at all.
        self.final = False
        self.rounds = 0
        self._halt = threading.Event()
        self._lock = threading.Lock()
        self._offered: tuple[list[Stint], float] | None = None  # the best plan handed over
        self.started_from = math.inf  # the cost of the plan the last search started from
        self._incumbent: _Incumbent | None = None
        self._round_start = math.inf
        self._min_round = self.MIN_ROUND
        self._timer: threading.Timer | None = None
        # The last search was stopped to restart it, not by the time or ``stop``.
        self._restarted = False

    def offer(self, plan: list[Stint], cost: float) -> None:
        """A plan of the pipeline and its cost (``plan_cost``): kept if it is the best so far;
        the search restarts from it if it beats the search's own best plan."""
        with self._lock:
            if self._offered is not None and cost >= self._offered[1]:
                return
            self._offered = (plan, cost)
            inc = self._incumbent
            if inc is None:
                return  # not searching yet: its start takes the best plan
            ran = time.monotonic() - self._round_start
            if restart_due(cost, inc.best, self.started_from, ran, self._min_round):
                self._restart()
            elif (self._timer is None
                  and restart_due(cost, inc.best, self.started_from, math.inf, 0.0)):
                wait = self._round_start + self._min_round - time.monotonic()
                self._timer = threading.Timer(wait, self._restart_later)
                self._timer.daemon = True
                self._timer.start()

    def _restart_later(self) -> None:
        with self._lock:
            self._timer = None
            inc = self._incumbent
            if inc is not None and self._offered is not None and restart_due(
                    self._offered[1], inc.best, self.started_from, math.inf, 0.0):
                self._restart()

    def _restart(self) -> None:
        """Ends the current search (the caller holds the lock); the next starts from the best
        plan handed over."""
        if self._timer is not None:  # a pending later restart would cut the next search short
            self._timer.cancel()
            self._timer = None
        if self.solver is not None:
            self.solver.stop_search()
            self._incumbent = None  # once per search
            self._min_round *= 2
            self._restarted = True

    def run(self) -> None:
        try:
            self._search()
        except BaseException as exc:  # re-raised by the caller's thread in stop()
            self.error = exc
        finally:
            with self._lock:
                if self._timer is not None:
                    self._timer.cancel()

    def _search(self) -> None:
        ctx = self.ctx
        inst, trainees, least, profiles = ctx.instance, ctx.trainees, ctx.least, ctx.profiles
        soft = ctx.soft_capacity
        if not soft:  # with soft capacity the seats are no limit and the cut is not valid
            self.cut, self.direct = cut_and_direct(inst, trainees, least, profiles,
                                                   stop=self._halt.is_set)
            if self.direct is not None and self.on_bound is not None:
                self.on_bound(self.direct)
        self.pm = pm = PlacementModel(inst, trainees, min_stints=least, profiles=profiles,
                                      soft_capacity=soft)
        if self.cut is not None:
            self.cut.post(pm)
        objective = sum(w * pm.term_exprs[t] for t, w in pm.weights.items())
        best = math.inf  # the objective of self.plan
        capped = False  # an upper bound on the objective is posted (it stays in the model)
        while not self._halt.is_set():
            left = ctx.deadline.remaining()
            if left <= 0.1:
                return
            with self._lock:
                offered = self._offered
                restarted, self._restarted = self._restarted, False
            if offered is not None and offered[1] < min(best, self.started_from):
                plan, cost = offered
                pm.model.clear_hints()
                pm.hint(plan)
                complete_hint(pm, min(1.0, 0.05 * ctx.time_limit), ctx.seed)
                if not soft and pm.weights:
                    # No plan dearer than the one in hand is of any use; the cut narrows the
                    # search to the proof that nothing is cheaper (the cost is the true one,
                    # ``plan_cost``, which the model's objective reaches for the same plan).
                    pm.model.add(objective <= int(cost))
                    capped = True
                self.started_from = cost
            elif self.rounds and not restarted:
                # Stopped without a better plan to start from (the time or ``stop``).
                return
            # Else restarted, but the search found a plan as cheap as the one handed over before
            # it stopped: search on (it keeps its best plan; the next reports only better ones).
            left = ctx.deadline.remaining()
            if self._halt.is_set() or left <= 0.1:
                return
            solver = full_solver(left, self.workers, ctx.seed)
            if self.on_bound is not None:
                solver.best_bound_callback = self.on_bound
            incumbent = _Incumbent(best, self.on_cost)
            with self._lock:
                self.solver, self._incumbent = solver, incumbent
                self._round_start = time.monotonic()
            self.rounds += 1
            status = cpsat.run(solver, pm.model, incumbent)
            with self._lock:
                self._incumbent = None
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.objective_value < best:
                best = solver.objective_value
                self.plan = pm.extract(solver)
            raw = solver.best_objective_bound
            if status != cp_model.INFEASIBLE and math.isfinite(raw):
                # Valid with the cut too: it leaves every plan at most as dear as one in hand.
                self.bound = max(raw, self.bound or -math.inf, self.direct or -math.inf)
            if status == cp_model.OPTIMAL or (status == cp_model.INFEASIBLE and not capped):
                self.status, self.final = status, True
                return
            if status == cp_model.INFEASIBLE:
                # The plan in hand is outside the model: its objective would disagree with
                # ``plan_cost`` (a bug, which the tests check against). Claim nothing.
                return
            self.status = status

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
    """The direct bound, then a second pipeline (another seed and order), in a child process;
    started ``early`` (before the parent's first plan), the pipeline's first plan comes
    first and the bound after it.

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

    def __init__(self, run: Context, early: bool = False):
        """``run``: the parent's context; the child gets its inputs (hard capacity), and its
        ``report`` and ``settled`` stay here, with the listener. ``early``: the parent has
        no first plan yet, so the child builds its own before the bound."""
        ctx = multiprocessing.get_context("spawn")
        recv, send = ctx.Pipe(duplex=False)
        self.halt = ctx.Event()
        self.direct: int | None = None
        self.cut: FloorCut | None = None
        self.plan: list[Stint] | None = None
        self.first: float | None = None
        self.found = False  # the child has sent the cost of a plan
        self.heard = False  # the child has sent anything at all
        self.error: str | None = None
        self._report, self._settled = run.report, run.settled
        self._least = run.least  # the child's least stints per kind replace the floor here
        self._stopping = False
        args = (run.instance, run.trainees, run.least, run.profiles, run.keep, run.seed,
                run.start, run.time_limit, early)
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
                self.heard = True
                if msg[0] == "least":  # same keys: readers in the parent never see it resize
                    # Each value is a proven least or the floor, and the parent may have
                    # solved some itself (an early child): the larger holds.
                    for k, v in msg[1].items():
                        self._least[k] = max(v, self._least.get(k, v))
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
        # A child that has sent nothing is still starting (the import took 9 s on a loaded
        # machine): it has no plan to wait for.
        if self.heard:
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
    instance, trainees, least, profiles, keep, seed, t0, time_limit, early = args
    try:
        least = dict(least)
        floors = leave_floors(instance, trainees, profiles, stop=halt.is_set)
        bounded: list[bool] = []  # ``bound`` has run

        def bound() -> None:
            # The least stints per kind (the parent's are the floor known without a solve):
            # the bound's cut and its unit changes stand on them. At most a share of the
            # time, so that this pipeline still gets its turn; the kinds left keep the floor.
            # The child starts at the parent's first plan (``solve``), so the share counts
            # from now (from the run's start, a first plan at 5 s of 60 s left it 1 s). A
            # large region's child starts too late for a first plan of its own in most runs:
            # its least stints may take until ``LATE_LEAST``.
            now = time.monotonic()
            late = now > t0 + LEAST_SHARE * time_limit and not early
            until = min(t0 + LATE_LEAST * time_limit if late else now + LEAST_SHARE * time_limit,
                        t0 + BESIDE_SHARE * time_limit)  # an early child's plan may be late
            bounded.append(True)
            least.update(min_stints(instance, trainees, profiles=profiles,
                                    stop=lambda: halt.is_set() or time.monotonic() >= until))
            conn.send(("least", least))
            conn.send(("bound", quick_bound(instance, trainees, least, profiles, floors),
                       None))
            # Hard capacity only (solve): with soft capacity the cut is not valid.
            cut, direct = cut_and_direct(instance, trainees, least, profiles,
                                         stop=lambda: halt.is_set()
                                         or time.monotonic() >= t0 + BESIDE_SHARE * time_limit)
            if direct is not None:
                conn.send(("bound", direct, cut))

        # The bound known without a search first (``bounds.quick_bound``: about a CPU second
        # at 850 trainees), so that a run whose stronger bound does not finish still has one.
        conn.send(("bound", quick_bound(instance, trainees, least, profiles, floors), None))
        if not early:
            bound()

        def report(cost: float | None = None, bound: float | None = None) -> None:
            if cost is not None:
                conn.send(("cost", cost))

        # Another seed, and orders of its own: decompose shuffles with seed + attempt, so
        # seed + 1 would repeat the parent's second attempt.
        ctx = Context(instance, trainees, least, profiles, seed + 1000,
                      BESIDE_SHARE * time_limit, t0, keep=keep, report=report,
                      settled=halt.is_set, least_solved=True)
        if early:
            # Started because the parent's first plan is slow in coming (``solve``): a
            # construction of its own, another seed, is a second chance at one; the bound
            # waits until it is there.
            ctx.on_first_plan = bound
        plan, first = pipeline(ctx, 1, True)
        if not bounded and not halt.is_set():
            bound()  # an early child that found no plan still owes the bound
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
            # The cut takes seconds (Örebro ~12 s idle) and far more on a loaded machine,
            # where a tight region that no pipeline planned in 60 s ran 163 s: at most half
            # of the time left, which the model needs more.
            until = time.monotonic() + max(0.0, ctx.deadline.remaining()) / 2
            cut, direct = cut_and_direct(instance, trainees, least, profiles,
                                         stop=lambda: ctx.deadline.stopped()
                                         or time.monotonic() >= until)
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
