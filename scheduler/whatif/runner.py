"""Solving many variants: a local process pool by default, a Dask cluster on request.

Every job runs :func:`run_job`, which solves one instance and verifies the plan with the
independent checker (``api.solve_and_verify``); any failure becomes an outcome with a message,
never an exception that stops the sweep. Results are handed to ``on_result`` as they finish, so
the caller writes them incrementally and Ctrl-C keeps every finished one.

Parallelism: ``jobs`` variants at once, each CP-SAT solve with ``workers`` threads; the caller
keeps ``jobs * workers`` at most the number of cores (:func:`plan_jobs`). With ``workers=1`` and
the same seed a variant gives the same result on any backend, since the job is the same pure
function of its inputs (up to the wall-clock limits inside the solve; see ``Result.reproducible``).
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from scheduler.domain import Instance
from scheduler.plan import Stint


@dataclass
class Job:
    name: str
    instance: Instance
    time_limit: float = 60.0
    workers: int = 1
    seed: int = 0
    warm_start: list[Stint] | None = None


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


@dataclass
class Progress:
    total: int
    jobs: int
    time_limit: float
    done: int = 0
    failed: int = 0
    t0: float = field(default_factory=time.monotonic)

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
Ticker = Callable[[Progress], None]


def run_all(jobs: Sequence[Job], parallel: int = 1, cluster: str | None = None,
            on_result: Callback | None = None, tick: Ticker | None = None) -> list[Outcome]:
    """Run every job; outcomes in the order they finish.

    ``parallel`` is the number of local processes (1: in this process); ``cluster`` the
    address of a Dask scheduler (``tcp://host:port``), which decides placement itself. A
    ``KeyboardInterrupt`` stops the running jobs and is re-raised after ``on_result`` has seen
    every finished one.
    """
    time_limit = max((j.time_limit for j in jobs), default=0.0)
    prog = Progress(len(jobs), 1 if cluster is None and parallel <= 1 else parallel, time_limit)
    out: list[Outcome] = []

    def done(o: Outcome) -> None:
        out.append(o)
        prog.done += 1
        prog.failed += not o.ok
        if on_result:
            on_result(o)
        if tick:
            tick(prog)

    if tick:
        tick(prog)
    if cluster is not None:
        _run_dask(jobs, cluster, done, prog, tick)
    elif parallel <= 1:
        for j in jobs:
            done(run_job(j))
    else:
        _run_pool(jobs, parallel, done, prog, tick)
    return out


def _ignore_sigint() -> None:
    # Ctrl-C is the parent's to handle: it keeps finished results and stops the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_pool(jobs: Sequence[Job], parallel: int, done: Callback, prog: Progress,
              tick: Ticker | None) -> None:
    # spawn, not fork: OR-Tools and the solver's timer threads do not survive a fork safely.
    ctx = multiprocessing.get_context("spawn")
    results: queue.Queue = queue.Queue()
    pool = ctx.Pool(parallel, initializer=_ignore_sigint)
    try:
        def failed(name: str) -> Callable[[BaseException], None]:
            return lambda e: results.put(Outcome(name, "error",
                                                 message=f"{type(e).__name__}: {e}"))

        for j in jobs:
            pool.apply_async(run_job, (j,), callback=results.put, error_callback=failed(j.name))
        pool.close()
        for _ in range(len(jobs)):
            while True:
                try:
                    o = results.get(timeout=2.0)
                    break
                except queue.Empty:
                    if tick:
                        tick(prog)
            done(o)
        pool.join()
    except BaseException:
        pool.terminate()
        # Finished results that were not yet taken from the queue are still kept.
        while not results.empty():
            done(results.get_nowait())
        raise


def _run_dask(jobs: Sequence[Job], address: str, done: Callback, prog: Progress,
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
