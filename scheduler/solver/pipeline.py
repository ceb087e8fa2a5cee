"""One pipeline of the heuristic phases on one core (``pipeline``): first plan, polish,
reassignment and touch-up in turn (``alternate``), ruin and recreate, neighbourhood search;
``SPLIT`` gives each phase's end as a share of the time limit."""

from __future__ import annotations

import time
from collections.abc import Callable

from scheduler.domain import Instance
from scheduler.plan import Stint
from scheduler.solver.bounds import leave_floors
from scheduler.solver.construct import construct
from scheduler.solver.context import Context, Deadline
from scheduler.solver.improve import improve
from scheduler.solver.model import min_stints
from scheduler.solver.perturb import ruin_recreate
from scheduler.solver.plan_state import plan_cost
from scheduler.solver.polish import polish
from scheduler.solver.reassign import reassign
from scheduler.solver.touch_up import touch_up

# Share of the time limit for the least stints per kind after the first plan (``pipeline``).
LEAST_SHARE = 0.1
# Ends of the phases after polishing, as shares of the time limit: with the other core
# busy beside (the full model or a second pipeline: ``True``), or with the full model run
# last, warm-started, in the last 40 % (``False``). ``until`` ends the rounds of
# reassignment and touch-up and then ruin and recreate; the neighbourhood search has what
# is left until ``end``.
SPLIT = {True: {"polish": 0.5, "reassign": 0.65, "touch_up": 0.85, "until": 0.975,
               "short": 0.05, "end": 0.98},
         False: {"polish": 0.4, "reassign": 0.45, "touch_up": 0.55, "until": 0.58,
                 "short": 0.03, "end": 0.6}}


def alternate(instance: Instance, plan: list[Stint], time_limit: float, t0: float,
              beside: bool, seed: int, least: dict[str, int], profiles: dict,
              report: Callable[..., None], stop: Callable[[], bool],
              floors: dict[str, int] | None = None,
              share: Callable[[list[Stint], float], None] | None = None) -> list[Stint]:
    """Reassignment and touch-up in turn, from the end of polishing to ``SPLIT["until"]``.

    Touch-up's one-trainee re-plans need seats that reassignment frees (measured on a
    polished Örebro plan: touch-up alone 12 374 -> 12 296 in 20 s; after reassignment
    12 057 -> 11 654 in 17 s), and its re-plans raise peaks that reassignment lowers again;
    each round frees seats for the next (one more round from 11 648: 11 570 in 10 s).
    ``share``: called with the plan and its cost after each step (``Context.share``).
    """
    split = SPLIT[beside]
    at = Deadline(time_limit, stop, t0).at
    plan = reassign(instance, plan, profiles, at(split["reassign"]), seed, stop=stop)
    cost = plan_cost(instance, plan, profiles)[0]
    report(cost=cost)
    if share is not None:
        share(plan, cost)
    rounds = 0
    while at(split["until"]) > 1.0 and not stop():
        before = cost
        # Later rounds leave the short reassignment its time.
        end = split["touch_up"] if rounds == 0 else split["until"] - split["short"]
        plan = touch_up(instance, plan, at(end), seed + rounds, least, profiles,
                        on_better=lambda c: report(cost=c), stop=stop, floors=floors,
                        share=share)
        # Touch-up's re-plans pick units for their own trainee: a short reassignment lowers
        # the peaks they raised (Örebro, one run: 6 s, 377 -> 356).
        plan = reassign(instance, plan, profiles,
                        min(at(split["until"]), split["short"] * time_limit), seed, stop=stop)
        cost = plan_cost(instance, plan, profiles)[0]
        report(cost=cost)
        if share is not None:
            share(plan, cost)
        rounds += 1
        if cost >= before:
            break
    return plan


def pipeline(ctx: Context, first_attempt: int,
             beside: bool) -> tuple[list[Stint] | None, float | None]:
    """The heuristic phases on one core: first plan, polish, reassignment and touch-up in
    turn, ruin and recreate, neighbourhood search. Returns the plan (``None`` if none was
    found) and the time of the first plan. ``beside``: another thread or process has the
    other core (``SPLIT``)."""
    instance, seed, least, profiles = ctx.instance, ctx.seed, ctx.least, ctx.profiles
    soft_capacity, progress, report, stop = (ctx.soft_capacity, ctx.progress, ctx.report,
                                             ctx.settled)
    at = ctx.deadline.at
    warm: list[Stint] | None = None
    # Without a first plan there is nothing to write, so the decomposition may use most of
    # the time. The heuristic works against wall-clock budgets, so a failed attempt is
    # retried with the trainees of each intake in another order while time is left.
    attempt = first_attempt
    while warm is None and ctx.deadline.elapsed() < 0.6 * ctx.time_limit and not stop():
        # Soft capacity: the repair's least overrun is a plan too.
        warm = construct(instance, profiles, least, seed, attempt=attempt,
                         deadline=time.monotonic() + max(0.0, at(0.9)), stop=stop,
                         progress=progress, keep=ctx.keep, allow_overrun=soft_capacity)
        attempt += 1
    if warm is None:
        return None, None
    warm_time = ctx.deadline.elapsed()
    if progress:
        progress({"phase": "first_plan", "time": warm_time})
    cost = plan_cost(instance, warm, profiles, soft_capacity)[0]
    report(cost=cost)
    ctx.share(warm, cost)
    split = SPLIT[beside]
    if ctx.on_first_plan is not None:
        hook, ctx.on_first_plan = ctx.on_first_plan, None  # once
        hook()
    # The least stints per kind, which the first plan did without (``solve``: a cheap floor
    # until now), for the phases that rank trainees by their cost above it; at most a tenth
    # of the time (the kinds left keep the floor).
    if not ctx.least_solved:
        until = ctx.deadline.elapsed() + LEAST_SHARE * ctx.time_limit
        least.update(min_stints(instance, ctx.trainees, profiles=profiles,
                                stop=lambda: stop() or ctx.deadline.elapsed() >= until))
        ctx.least_solved = True
    # The fragmentation each trainee cannot avoid, for every phase's ranking, once: each
    # phase used to compute its own, 7-14 s each at 850 trainees with a core busy, and the
    # run ended 29 s past its limit. Kinds left when time is up keep a floor of 0.
    floors = (leave_floors(instance, ctx.trainees, profiles,
                           stop=lambda: stop() or ctx.deadline.at(split["end"]) <= 0)
              if instance.weights.fragmentation else {})
    ctx.floors = floors
    # Better plans go to the full model beside, if one runs (else nothing collects them).
    share = ctx.share if ctx.on_plan is not None else None
    # Polishing re-plans within capacity only, so it never adds an overrun.
    warm = polish(instance, warm, at(split["polish"]), seed, least, progress, profiles,
                  stop=stop, floors=floors)
    cost = plan_cost(instance, warm, profiles, soft_capacity)[0]
    report(cost=cost)
    ctx.share(warm, cost)
    if not soft_capacity:  # its capacity rows are hard
        warm = alternate(instance, warm, ctx.time_limit, ctx.start, beside, seed, least,
                         profiles, report, stop, floors, share=share)
        # Settled: parts of intakes planned again (``perturb``), until the same end.
        warm = ruin_recreate(instance, warm, at(split["until"]), seed, least, profiles,
                             stop=stop, floors=floors, on_better=lambda c: report(cost=c),
                             share=share)
    warm = improve(instance, warm, at(split["end"]), seed, least, profiles, progress=None,
                   soft_capacity=soft_capacity, on_better=lambda c: report(cost=c), stop=stop,
                   floors=floors, share=share)
    return warm, warm_time
