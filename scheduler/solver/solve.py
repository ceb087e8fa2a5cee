"""Solving: a first plan trainee by trainee, local re-plans, and the full model for the bound.

Why a decomposition: with 2 workers CP-SAT needs long to find a first tiling of ~160 blocks
that respects every unit's capacity at once. Planning trainee by trainee in start order, each
against the capacity the earlier ones left, takes ~0.1 s per trainee. The phases:

1. ``decompose``: the first plan (unit changes and staffing targets per trainee).
2. ``polish``: re-plans one trainee, a few identical peers, or a trainee with the trainees
   holding the units it needs, each against everybody else, while their own cost falls.
3. ``reassign``: with every stint's weeks and discipline kept, the best unit for each (single
   moves first, then exact per group of interchangeable units: staffing targets and peak
   utilisation).
4. ``touch_up``: one-trainee re-plans in one block per discipline with fewer stints (a hard
   cap), else with less fragmentation, each kept if the plan's whole cost falls. Phases 3
   and 4 take turns (``alternate``) while a round still pays.
5. ``ruin_recreate``: once those rounds settle, half of two adjacent intakes planned again
   by the construction around everybody else, then phases 2-4 briefly; kept if cheaper.
6. ``improve``: re-plans small groups on the whole objective (staffing gaps, busiest units).
7. The full model (``PlacementModel`` over every trainee). With 2 or more workers it runs from
   the start on the cores the single-worker phases leave idle (``Bounder``), for the bound and
   for any better plan; with one worker it runs last, warm-started with the plan so far.
   On large instances (``PORTFOLIO_MIN``) the second core instead computes the direct bound
   and runs phases 1-6 again with another seed and order, in a spawned process (``Beside``);
   the full model runs only if neither finds a plan.

Phases 1-6 are ``pipeline``.

The best plan of any phase is returned, judged by ``plan_cost`` (the solver's own arithmetic;
the checker recomputes every reported term independently).
"""

from __future__ import annotations

import math
import multiprocessing
import threading
import time
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from ortools.sat.python import cp_model

from scheduler.domain import Instance
from scheduler.halt import HALT
from scheduler.plan import Stint
from scheduler.result import Result, Status
from scheduler.solver.bounds import quick_bound
from scheduler.solver.construct import construct
from scheduler.solver.context import Context, Progress
from scheduler.solver.first_plan import decompose
from scheduler.solver.improve import improve
from scheduler.solver.model import (
    OVERRUN_WEIGHT,
    TERMS,
    capacity_profiles,
    min_stints,
    stint_floors,
)
from scheduler.solver.parallel import Beside, Bounder, cut_and_direct, full_model
from scheduler.solver.pipeline import SPLIT, alternate, pipeline
from scheduler.solver.plan_state import plan_cost
from scheduler.solver.polish import polish
from scheduler.solver.reassign import reassign
from scheduler.solver.refine import refine
from scheduler.solver.touch_up import touch_up

# Names other modules and tests import from here.
__all__ = ["PORTFOLIO_MIN", "SPLIT", "Progress", "alternate", "decompose", "improve",
           "plan_cost", "polish", "reassign", "solve", "touch_up", "versions"]


def versions() -> dict[str, str]:
    out = {}
    for pkg in ("atbt-scheduler", "ortools", "pydantic", "openpyxl"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "?"
    return out


# From this many trainees on, the second core runs a second pipeline rather than the full
# model (``solve``).
PORTFOLIO_MIN = 40
# Up to this many trainees the full model may run when no pipeline found a plan. Beyond, it
# is no hope: at 850 trainees its mere building took minutes and 2-4 GB, far past the limit.
FULL_MODEL_MAX = 250
# Share of the time limit the least stints per kind (``model.min_stints``) may take before
# the first plan, where they are computed first (no second pipeline, which computes its own).
LEAST_SHARE = 0.15
# Share of the time limit, and seconds, after which the second pipeline's process starts
# even without a first plan (``solve``): then it builds one of its own first.
BESIDE_AFTER = 0.1
BESIDE_AFTER_MAX = 3.0


def _deterministic(ctx: Context) -> tuple[list[Stint] | None, float | None, float | None]:
    """The reproducible pipeline: construction and repair, then one-trainee re-plans for
    half the time limit in CP-SAT deterministic time, single-threaded; the direct bound
    (LPs, exact) for the gap. Returns the plan, the time of the first plan and the bound."""
    inst = ctx.instance
    # The deadline is only a safety net here: a run that reaches it ends without a plan
    # rather than past its limit.
    plan = construct(inst, ctx.profiles, ctx.least, ctx.seed, progress=ctx.progress,
                     keep=ctx.keep, allow_overrun=ctx.soft_capacity,
                     deadline=ctx.start + 0.9 * ctx.time_limit)
    if plan is None:
        return None, None, None
    first = ctx.deadline.elapsed()
    # The least stints after the first plan (it does not need them), counted in work: at
    # most two kinds per second of the limit, each 0.1 of deterministic time.
    kinds = iter(range(int(2 * ctx.time_limit)))
    ctx.least.update(min_stints(inst, ctx.trainees, profiles=ctx.profiles, work=0.1,
                                stop=lambda: next(kinds, None) is None))
    ctx.least_solved = True
    ctx.report(cost=plan_cost(inst, plan, ctx.profiles, ctx.soft_capacity)[0])
    plan = refine(inst, plan, ctx.profiles, ctx.least, ctx.seed, work=0.5 * ctx.time_limit,
                  on_better=None)
    ctx.report(cost=plan_cost(inst, plan, ctx.profiles, ctx.soft_capacity)[0])
    bound = None
    if not ctx.soft_capacity:
        _cut, direct = cut_and_direct(inst, ctx.trainees, ctx.least, ctx.profiles)
        bound = None if direct is None else float(direct)
    return plan, first, bound


def solve(instance: Instance, time_limit: float = 60.0, workers: int = 2, seed: int = 0,
          progress: Progress | None = None, use_decomposition: bool = True,
          warm_start: list[Stint] | None = None, soft_capacity: bool = False,
          deterministic: bool = False) -> Result:
    """``warm_start``: a plan of a similar instance (e.g. the base of a what-if variant); its
    stints are kept in the first plan for every trainee they still fit. ``soft_capacity``:
    capacity may be exceeded at a cost per trainee-week (term ``capacity_overrun``).
    ``deterministic``: every budget counts work, not seconds (``_deterministic``), so the
    same input, seed and time limit give the same plan on an idle and on a loaded machine.

    Phases (module docstring; README, "How the model works"): a first plan trainee by
    trainee, polishing each trainee's own cost, reassignment and touch-up in turn, and a
    large-neighbourhood search on the whole objective (``pipeline``). With 2 or more
    workers the full model runs beside them in a thread, for the bound and its proof; on
    large instances (``PORTFOLIO_MIN`` trainees, hard capacity) a child process, started at
    the first plan (or after ``BESIDE_AFTER``, then with a first plan of its own first),
    computes the direct bound and runs a second pipeline with another seed and order instead
    (``Beside``), and the full model gets only the workers beyond 2 (or the time left if
    neither pipeline finds a plan). With one worker the full model runs last, warm-started.
    The best plan found by any phase is returned.
    """
    t0 = time.monotonic()
    trainees = instance.all_trainees()
    profiles = capacity_profiles(instance)  # computed once for every phase
    # Until computed, each trainee's least number of stints is the floor known without a
    # solve: one CP-SAT solve per kind took 30 s at 850 trainees before anything else ran.
    least = stint_floors(instance, trainees)
    warm: list[Stint] | None = None
    warm_time: float | None = None
    keep: dict[str, list[Stint]] | None = None
    if warm_start:
        keep = {}
        for st in warm_start:
            keep.setdefault(st.trainee, []).append(st)
    decomposing = use_decomposition and (len({t.start for t in trainees}) > 1 or keep)
    # Two pipelines (README, "How the model works", 7): with hard capacity only (the direct
    # bound assumes it), and not in a daemonic process (a what-if runner's variant), which
    # may not start one of its own.
    portfolio = (not deterministic and decomposing and workers >= 2 and not soft_capacity
                 and len(trainees) >= PORTFOLIO_MIN
                 and not multiprocessing.current_process().daemon)
    ctx = Context(instance, trainees, least, profiles, seed, time_limit, t0,
                  soft_capacity=soft_capacity, keep=keep, progress=progress)
    if not portfolio and not deterministic:
        # The full model (beside or last) posts them as cuts; the pipeline refines the rest
        # after its first plan.
        least.update(min_stints(instance, trainees, profiles=profiles,
                                stop=lambda: HALT.is_set() or ctx.deadline.at(LEAST_SHARE) <= 0))
        ctx.least_solved = True
    state = {"cost": math.inf, "bound": -math.inf}
    lock = threading.Lock()  # the listener of the second pipeline reports too

    def report(cost: float | None = None, bound: float | None = None) -> None:
        with lock:
            if cost is not None:
                state["cost"] = min(state["cost"], cost)
            if bound is not None:
                state["bound"] = max(state["bound"], bound)
            if progress and math.isfinite(state["cost"]):
                progress({"phase": "solve", "time": time.monotonic() - t0,
                          "objective": state["cost"], "bound": max(state["bound"], 0)})

    bounder: Bounder | None = None
    beside: Beside | None = None
    starting = threading.Lock()  # the second process starts once, from either thread
    start_errors: list[BaseException] = []
    closed = False  # the pipeline has ended: too late for it to start
    timer: threading.Timer | None = None

    def close_start() -> None:
        """No second process from now on (a start under way ends first)."""
        nonlocal closed
        if timer is not None:
            timer.cancel()
        with starting:
            closed = True

    def settled() -> bool:
        """Nothing left to gain: the plan so far is proven optimal (its cost reaches the
        bound), or the full model beside has ended (proven optimal or infeasible; its time
        is the run's), or a signal asks to stop (scheduler.halt)."""
        if HALT.is_set():
            return True
        if bounder is not None and bounder.final:
            return True
        if bounder is None and beside is None:
            return False
        return math.isfinite(state["bound"]) and state["cost"] <= math.ceil(state["bound"] - 1e-6)

    ctx.report, ctx.settled = report, settled

    def larger(x: float | None, y: float | None) -> float | None:
        return x if y is None else y if x is None else max(x, y)

    status: Any = None
    model_plan: list[Stint] | None = None  # the full model's
    other: list[Stint] | None = None  # the second pipeline's
    bound: float | None = None
    full_ran = False
    try:
        if deterministic:
            warm, warm_time, bound = _deterministic(ctx)
            if warm is None and len(trainees) <= FULL_MODEL_MAX and ctx.deadline.left() > 1.0:
                # The full model, for the proof that there is no plan.
                full_ran = True
                pm, solver, status, _b, _first = full_model(ctx, None, workers)
        else:
            spare = workers - (2 if portfolio else 1)
            if decomposing and spare >= 1:
                bounder = Bounder(ctx, spare, on_bound=lambda b: report(bound=b),
                                  on_cost=lambda c: report(cost=c))
                ctx.on_plan = bounder.offer
                bounder.start()
            if portfolio:
                # Another seed and order beside: the phases work against wall-clock budgets, so
                # two pipelines end apart (Örebro, 120 s, one pipeline: gaps of 2.8-9.4 % over 8
                # runs of one seed) and the better plan is kept. The full model's bound adds
                # little there (Örebro: +0-28 over the direct bound, after ~110 s).
                # The first plan needs every CPU second it can get: with one core busy
                # beside, the child's bound work took a third of the two cores and the
                # parent's construction ran at two-thirds speed. So the second process starts
                # at the parent's first plan, or, where that is slow in coming, after
                # ``BESIDE_AFTER`` of the limit (at most ``BESIDE_AFTER_MAX`` s): its own
                # construction (another seed) comes first then, a second chance at a plan. A
                # region too large for the full model waits for the first plan as before.
                def start_beside(early: bool = False) -> None:
                    nonlocal beside
                    with starting:
                        if (beside is None and not closed and not settled()
                                and ctx.deadline.at(0.75) > 0):  # else too late to pay
                            try:
                                beside = Beside(ctx, early)
                            except BaseException as e:  # noqa: BLE001 - raised below
                                start_errors.append(e)  # the timer's thread would lose it
                                return
                            # The second process sends them; an early one only after its
                            # own first plan, so the parent's phases compute their own.
                            ctx.least_solved = ctx.least_solved or not early

                ctx.on_first_plan = start_beside
                if len(trainees) <= FULL_MODEL_MAX:
                    timer = threading.Timer(min(BESIDE_AFTER * time_limit, BESIDE_AFTER_MAX),
                                            start_beside, kwargs={"early": True})
                    timer.daemon = True
                    timer.start()
            if decomposing:
                # Without the full model last (too large), the pipeline has all the time.
                warm, warm_time = pipeline(ctx, 0, workers >= 2
                                           or len(trainees) > FULL_MODEL_MAX)
            close_start()
            if start_errors:
                raise start_errors[0]
            cut = None
            if beside is not None:
                if warm is None and not beside.found:
                    # No plan by either: the time left is the full model's, the last hope for
                    # a plan (or the proof that there is none).
                    beside.halt.set()
                beside.join(time_limit - (time.monotonic() - t0))  # it ends by ``SPLIT["end"]``
                beside.stop()
                if beside.error is not None:
                    raise RuntimeError("the second pipeline failed:\n" + beside.error)
                other, bound, cut = beside.plan, beside.direct, beside.cut
                if beside.first is not None:
                    warm_time = min(warm_time or math.inf, beside.first)
            if bounder is not None:
                if warm is None and other is None:  # the full model is the last hope for a plan
                    bounder.join(max(0.0, time_limit - (time.monotonic() - t0)))
                bounder.stop()
                model_plan, status = bounder.plan, bounder.status
                bound = larger(bound, bounder.bound if bounder.bound is not None
                               else bounder.direct)
            elif len(trainees) <= FULL_MODEL_MAX and (
                    not portfolio or (warm is None and other is None
                                       and time_limit - (time.monotonic() - t0) > 1.0)):
                # One worker (the full model last, warm-started), or neither pipeline found a
                # plan: the full model is the last hope for one (or the proof there is none).
                full_ran = True
                pm, solver, status, b, first = full_model(ctx, warm, workers, cut=cut,
                                                          direct=bound)
                bound = larger(bound, b)
                if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    model_plan = pm.extract(solver)
                    if warm_time is None:
                        warm_time = first
    except BaseException:
        # Ctrl-C or an error: a CP-SAT search still running at exit aborts the interpreter.
        close_start()
        if bounder is not None:
            bounder.stop()
        if beside is not None:
            beside.stop()
        raise
    if bound is None and ctx.floors is not None:
        # Neither the second process nor the full model had a bound in time (a large region,
        # or a loaded machine): the one known without a search, from the pipeline's floors.
        bound = float(quick_bound(instance, trainees, least, profiles, ctx.floors))
    wall = time.monotonic() - t0

    # The best plan of any phase, by its true cost (a CP-SAT objective can sit above it).
    scored = [(plan_cost(instance, p, profiles, soft_capacity), p)
              for p in (model_plan, other, warm) if p is not None]
    best_cost, best = min(scored, key=lambda x: x[0][0], default=(None, None))
    weights = instance.objective_weights()
    if soft_capacity:
        weights["capacity_overrun"] = OVERRUN_WEIGHT
    result = Result(
        status=Status.NO_PLAN, seed=seed, workers=workers, time_limit=time_limit,
        weights=weights, versions=versions(), wall_time=wall,
        # Several workers race, and a wall-clock limit (here, or in the decomposition's
        # per-trainee solves) cuts the search at a moment that depends on the machine's load:
        # the same seed then need not give the same plan.
        reproducible=deterministic or (workers == 1 and status == cp_model.OPTIMAL
                                       and not decomposing),
        method=("construction + repair + one-trainee re-plans counted in work (deterministic)"
                if deterministic else
                "first plan by placement and repair + polish + neighbourhood search"
                + (" (two pipelines) + direct bound" if portfolio else "")
                + (" + interval model for the bound" if bounder else "")
                + (" + interval model (warm start)" if full_ran else "")
                if decomposing else "interval model"),
    )
    if best is not None and best_cost is not None:
        cost, terms = best_cost
        proven = status == cp_model.OPTIMAL and best is model_plan
        if bound is not None and math.ceil(bound - 1e-6) >= cost:
            proven = True
        result.status = Status.OPTIMAL if proven else Status.FEASIBLE
        result.stints = best
        result.objective = float(cost)
        result.bound = float(cost) if proven else (
            float(math.ceil(bound - 1e-6)) if bound is not None else None)
        result.terms = terms
        result.time_to_first = warm_time
    elif status == cp_model.INFEASIBLE:
        result.status = Status.INFEASIBLE
    result.terms = {t: result.terms.get(t, 0) for t in (*TERMS, "capacity_overrun")
                    if t in weights}
    return result
