"""Solving many variants: local processes by default, a Dask cluster on request.

Every job runs :func:`run_job`, which solves one instance and verifies the plan with the
independent checker (``api.solve_and_verify``); any failure becomes an outcome with a message,
never an exception that stops the sweep. Results are handed to ``on_result`` as they finish, so
the caller writes them incrementally and Ctrl-C keeps every finished one.

Parallelism: ``jobs`` variants at once, each CP-SAT solve with ``workers`` threads; the caller
keeps ``jobs * workers`` at most the number of cores (:func:`plan_jobs`). With ``workers=1`` and
the same seed a variant gives the same result on any backend, since the job is the same pure
function of its inputs (up to the wall-clock limits inside the solve; see ``Result.reproducible``).

Outcomes without a plan say why: ``infeasible`` (proven: no plan exists), ``no_plan_in_time``
(the solver's limit ran out without a plan or a proof), ``timed_out`` (the watchdog killed the
variant's process; see ``grace`` in :func:`run_all`), ``error`` or ``invalid_input``.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection as mp_connection
import os
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from scheduler.domain import Instance
from scheduler.plan import Stint

# Status of a variant killed by the watchdog (its process overran the time limit by the grace).
TIMED_OUT = "timed_out"


def default_grace(time_limit: float) -> float:
    """Seconds a variant may run past its solver time limit before it is killed.

    The solve itself stops near its limit; the rest is model building, the checker and
    writing, a few seconds even on Örebro. Generous, since a kill loses the plan found.
    """
    return 30.0 + 0.25 * time_limit


@dataclass
class Job:
    name: str
    instance: Instance
    time_limit: float = 60.0
    workers: int = 1
    seed: int = 0
    warm_start: list[Stint] | None = None
    # Wall-clock seconds after which the job's process is killed (None: time limit + grace).
    hard_limit: float | None = None


@dataclass
class Outcome:
    name: str
    status: str  # a Status value, or "error"
    objective: float | None = None
    bound: float | None = None
    terms: dict[str, int] = field(default_factory=dict)
    trainees: int = 0  # trainees in the variant
    planned: int = 0  # trainees with a plan
    stints: list[Stint] = field(default_factory=list)
    wall_time: float = 0.0
    time_to_first: float | None = None
    reproducible: bool = False
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status in ("optimal", "feasible")

    @property
    def proven_infeasible(self) -> bool:
        """No plan exists (proven), unlike ``no_plan_in_time`` or ``timed_out``."""
        return self.status == "infeasible"

    @property
    def out_of_time(self) -> bool:
        """No plan and no proof: the solver's limit ran out, or the watchdog killed it."""
        return self.status in ("no_plan_in_time", TIMED_OUT)

    def summary(self) -> dict:
        return {"name": self.name, "status": self.status, "objective": self.objective,
                "bound": self.bound, "terms": self.terms, "trainees": self.trainees,
                "planned": self.planned, "wall_time": round(self.wall_time, 3),
                "time_to_first": self.time_to_first, "reproducible": self.reproducible,
                "message": self.message}


def run_job(job: Job) -> Outcome:
    """Solve and verify one variant; never raises."""
    from scheduler import api  # imported here: a spawned worker pays the import once

    t0 = time.monotonic()
    n = len(job.instance.all_trainees())
    try:
        r = api.solve_and_verify(job.instance, time_limit=job.time_limit, workers=job.workers,
                                 seed=job.seed, warm_start=job.warm_start)
    except api.VerificationError as exc:
        return Outcome(job.name, "error", trainees=n, wall_time=time.monotonic() - t0,
                       message="checker rejected the plan: " + str(exc).splitlines()[0])
    except Exception as exc:  # a bug in one variant must not stop the sweep
        return Outcome(job.name, "error", trainees=n, wall_time=time.monotonic() - t0,
                       message=f"{type(exc).__name__}: {exc}")
    return Outcome(job.name, r.status.value, objective=r.objective, bound=r.bound,
                   terms=dict(r.terms), trainees=n, planned=len({s.trainee for s in r.stints}),
                   stints=list(r.stints), wall_time=r.wall_time, time_to_first=r.time_to_first,
                   reproducible=r.reproducible)


def plan_jobs(jobs: int | None, workers: int, cores: int | None = None) -> int:
    """Parallel jobs so that jobs x solver workers <= cores (at least one job)."""
    cores = cores or os.cpu_count() or 1
    limit = max(1, cores // max(1, workers))
    return limit if jobs is None else max(1, min(jobs, limit))


# Order of the summary counts (status -> how many variants ended so).
SUMMARY = ("optimal", "feasible", "infeasible", "no_plan_in_time", TIMED_OUT, "error",
           "invalid_input")


def status_counts(outcomes: Sequence[Outcome]) -> dict[str, int]:
    """How many outcomes per status, in :data:`SUMMARY` order (statuses with none: 0)."""
    counts = dict.fromkeys(SUMMARY, 0)
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    return counts


@dataclass
class BatchProgress:
    total: int
    jobs: int
    time_limit: float
    done: int = 0
    failed: int = 0
    t0: float = field(default_factory=time.monotonic)
    counts: dict[str, int] = field(default_factory=dict)  # finished variants per status

    @property
    def running(self) -> int:
        return min(self.jobs, self.total - self.done)

    def eta(self) -> float:
        """Seconds left: the mean time per variant so far (else the time limit) per slot."""
        left = self.total - self.done
        if left == 0:
            return 0.0
        per = (time.monotonic() - self.t0) * self.jobs / self.done if self.done else \
            self.time_limit
        waves = -(-left // self.jobs)
        return per * waves


Callback = Callable[[Outcome], None]
Ticker = Callable[[BatchProgress], None]


def run_all(jobs: Sequence[Job], parallel: int = 1, cluster: str | None = None,
            on_result: Callback | None = None, tick: Ticker | None = None,
            grace: float | None = None) -> list[Outcome]:
    """Run every job; outcomes in the order they finish.

    ``parallel`` is the number of local processes (1 and no ``grace``: in this process);
    ``cluster`` the address of a Dask scheduler (``tcp://host:port``), which decides placement
    itself. ``grace``: every job runs in a process of its own, which is killed when it is still
    running ``grace`` seconds after its time limit (or at ``Job.hard_limit``); the job is then
    reported as ``timed_out`` and the rest go on. Not on a Dask cluster, whose tasks cannot
    be killed one by one. A ``KeyboardInterrupt`` stops the running jobs and is re-raised after
    ``on_result`` has seen every finished one.
    """
    time_limit = max((j.time_limit for j in jobs), default=0.0)
    jobs_at_once = 1 if cluster is None and parallel <= 1 else parallel
    prog = BatchProgress(len(jobs), jobs_at_once, time_limit)
    out: list[Outcome] = []

    def done(o: Outcome) -> None:
        out.append(o)
        prog.done += 1
        prog.failed += not o.ok
        prog.counts[o.status] = prog.counts.get(o.status, 0) + 1
        if on_result:
            on_result(o)
        if tick:
            tick(prog)

    if tick:
        tick(prog)
    if cluster is not None:
        _run_dask(jobs, cluster, done, prog, tick)
    elif parallel <= 1 and grace is None:
        for j in jobs:
            done(run_job(j))
    else:
        _run_procs(jobs, max(1, parallel), done, prog, tick, grace)
    return out


def _ignore_sigint() -> None:
    # Ctrl-C is the parent's to handle: it keeps finished results and stops the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _child(job: Job, conn) -> None:
    """A job's own process: solve, send the outcome, exit."""
    _ignore_sigint()
    try:
        conn.send(run_job(job))
    finally:
        conn.close()


@dataclass
class _Running:
    job: Job
    proc: Any
    conn: Any
    t0: float
    limit: float | None  # wall-clock seconds before the kill


def _run_procs(jobs: Sequence[Job], parallel: int, done: Callback, prog: BatchProgress,
               tick: Ticker | None, grace: float | None) -> None:
    """One spawned process per job, ``parallel`` at a time, with a watchdog.

    A process per job (not a pool) so that one overrunning solve can be killed without the
    others; the price is the import in each process (about a second against limits of
    minutes). spawn, not fork: OR-Tools and the solver's timer threads do not survive a fork.
    """
    ctx = multiprocessing.get_context("spawn")
    todo = list(jobs)
    running: list[_Running] = []

    def start(j: Job) -> None:
        recv, send = ctx.Pipe(duplex=False)
        p = ctx.Process(target=_child, args=(j, send), daemon=True)
        p.start()
        send.close()  # the child holds the sending end: EOF on recv once it is gone
        limit = j.hard_limit if j.hard_limit is not None else (
            None if grace is None else j.time_limit + grace)
        running.append(_Running(j, p, recv, time.monotonic(), limit))

    def stop(r: _Running) -> None:
        r.proc.terminate()
        r.proc.join(2.0)
        if r.proc.is_alive():
            r.proc.kill()
            r.proc.join()
        r.conn.close()

    last_tick = time.monotonic()
    try:
        while todo or running:
            while todo and len(running) < parallel:
                start(todo.pop(0))
            conns = [r.conn for r in running]
            ready = mp_connection.wait(conns, timeout=0.2)
            for r in list(running):
                o: Outcome | None = None
                if r.conn in ready:
                    try:
                        o = r.conn.recv()
                    except (EOFError, OSError):  # died without an answer (killed, crashed)
                        r.proc.join(1.0)
                        o = Outcome(r.job.name, "error", trainees=len(
                            r.job.instance.all_trainees()), wall_time=time.monotonic() - r.t0,
                            message=f"the variant's process died (exit code "
                                    f"{r.proc.exitcode})")
                    r.proc.join(5.0)
                elif r.limit is not None and time.monotonic() - r.t0 > r.limit:
                    o = Outcome(r.job.name, TIMED_OUT,
                                trainees=len(r.job.instance.all_trainees()),
                                wall_time=time.monotonic() - r.t0,
                                message=f"killed after {time.monotonic() - r.t0:.0f} s: still "
                                        f"running {r.limit - r.job.time_limit:.0f} s after "
                                        f"its time limit of {r.job.time_limit:g} s")
                if o is not None:
                    stop(r)
                    running.remove(r)
                    done(o)
            if tick and time.monotonic() - last_tick >= 2.0:
                tick(prog)
                last_tick = time.monotonic()
    except BaseException:
        for r in running:
            stop(r)
        raise


def _run_dask(jobs: Sequence[Job], address: str, done: Callback, prog: BatchProgress,
              tick: Ticker | None) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError as exc:  # the optional extra
        raise RuntimeError("--cluster needs Dask: pip install 'atbt-scheduler[cluster]'") \
            from exc
    client = Client(address, timeout="20s")
    try:
        prog.jobs = max(1, sum(client.ncores().values()))
        futures = client.map(run_job, list(jobs), pure=False,
                             key=[f"atbt-{i}-{j.name}" for i, j in enumerate(jobs)])
        names = {f.key: j.name for f, j in zip(futures, jobs, strict=True)}
        try:
            for fut in as_completed(futures):
                try:
                    o = fut.result()
                except Exception as exc:  # a lost worker, a failed import on the worker
                    o = Outcome(names[fut.key], "error", message=f"{type(exc).__name__}: {exc}")
                done(o)
        except BaseException:
            client.cancel(futures)
            raise
    finally:
        client.close()
