"""What-if sweeps and batch runs: derive, solve in parallel, write incrementally, report.

Each finished variant is written at once (``results.jsonl`` line, ``variants/<name>/plan.csv``
and ``run.json``), so an interrupted sweep keeps every finished result; the comparison workbook
is written at the end, or from the finished results when interrupted.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scheduler.domain import Instance
from scheduler.i18n import Lang
from scheduler.inputs.yaml_io import InputError, dump_instance
from scheduler.outputs import write_atomic
from scheduler.plan import plan_to_csv
from scheduler.whatif.report import Row, slug, write_report
from scheduler.whatif.runner import Job, Outcome, Ticker, default_grace, run_all
from scheduler.whatif.scenario import BASE, Scenario, derive, describe


@dataclass
class Settings:
    time_limit: float = 60.0
    workers: int = 1
    seed: int = 0
    parallel: int = 1
    cluster: str | None = None
    warm_start: bool = True
    charts: bool = True
    # Seconds past the time limit before a variant's process is killed (timed out); None:
    # runner.default_grace. Always on locally: each variant runs in a process of its own.
    grace: float | None = None

    def grace_for(self) -> float:
        return self.grace if self.grace is not None else default_grace(self.time_limit)


class Writer:
    """Writes each outcome as it arrives; keeps the rows for the report."""

    def __init__(self, out: Path, instances: dict[str, Instance | None],
                 notes: dict[str, tuple[str, str]]):
        self.out, self.instances, self.notes = out, instances, notes
        self.rows: dict[str, Row] = {}
        out.mkdir(parents=True, exist_ok=True)
        self.log = out / "results.jsonl"
        write_atomic(self.log, b"")

    def __call__(self, o: Outcome) -> None:
        desc, changes = self.notes.get(o.name, ("", ""))
        self.rows[o.name] = Row(o.name, self.instances.get(o.name), o, desc, changes)
        with self.log.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(o.summary(), default=str, ensure_ascii=False) + "\n")
        if o.ok:
            d = self.out / "variants" / slug(o.name)
            write_atomic(d / "plan.csv", plan_to_csv(o.stints).encode("utf-8"))
            write_atomic(d / "run.json", json.dumps(o.summary(), indent=2, default=str,
                                                    ensure_ascii=False).encode("utf-8"))

    def report(self, order: list[str], lang: Lang | None, base: str | None, filename: str,
               charts: bool) -> Path:
        rows = [self.rows[n] for n in order if n in self.rows]
        return write_report(rows, self.out, lang=lang, base=base, filename=filename,
                            charts=charts)


def whatif(base: Instance, scenarios: list[Scenario], folder: Path, out: Path,
           settings: Settings, lang: Lang | None = None, tick: Ticker | None = None,
           note: Callable[[str], None] | None = None) -> tuple[Path, list[Outcome]]:
    """Solve the base and every variant; write the comparison workbook to ``out``."""
    instances: dict[str, Instance | None] = {BASE: base}
    notes: dict[str, tuple[str, str]] = {BASE: ("", "")}
    invalid: list[Outcome] = []
    for sc in scenarios:
        notes[sc.name] = (sc.description, describe(sc))
        try:
            instances[sc.name] = derive(base, sc, folder)
        except InputError as exc:
            instances[sc.name] = None
            invalid.append(Outcome(sc.name, "invalid_input", message=exc.render()))
    order = [BASE] + [sc.name for sc in scenarios]
    writer = Writer(out, instances, notes)
    for name, inst in instances.items():
        if inst is not None and name != BASE:
            # The variant as an instance file of its own: e.g. ``atbt capacity`` on it.
            write_atomic(out / "variants" / slug(name) / "instance.yaml",
                         dump_instance(inst).encode("utf-8"))
    for o in invalid:
        writer(o)

    def job(name: str, warm: list | None) -> Job:
        inst = instances[name]
        assert inst is not None
        return Job(name, inst, settings.time_limit, settings.workers, settings.seed, warm)

    def run(jobs: list[Job]) -> None:
        run_all(jobs, parallel=settings.parallel, cluster=settings.cluster, on_result=writer,
                tick=tick, grace=settings.grace_for())

    try:
        rest = [n for n in order[1:] if instances[n] is not None]
        if settings.warm_start:
            # The base plan first: every variant then keeps its stints where they still fit.
            run([job(BASE, None)])
            b = writer.rows[BASE].outcome
            warm = b.stints if b.ok else None
            run([job(n, warm) for n in rest])
        else:
            run([job(n, None) for n in [BASE] + rest])
    except KeyboardInterrupt:
        if note:
            note(f"interrupted: {len(writer.rows)} of {len(order)} finished results kept")
        writer.report(order, lang, BASE, "whatif.xlsx", settings.charts)
        raise
    path = writer.report(order, lang, BASE, "whatif.xlsx", settings.charts)
    return path, [writer.rows[n].outcome for n in order if n in writer.rows]


def batch(paths: list[Path], out: Path, settings: Settings, lang: Lang | None = None,
          tick: Ticker | None = None, load: Callable[[Path], Instance] | None = None,
          ) -> tuple[Path, list[Outcome]]:
    """Solve every instance file; one report folder each plus a summary workbook."""
    from scheduler import api
    from scheduler.result import Result, Status

    load = load or (lambda p: api.load(p)[0])
    instances: dict[str, Instance | None] = {}
    names: dict[str, Path] = {}
    writer_rows: list[Outcome] = []
    for p in paths:
        name = p.stem
        names[name] = p
        try:
            instances[name] = load(p)
        except InputError as exc:
            instances[name] = None
            writer_rows.append(Outcome(name, "invalid_input", message=exc.render()))
    writer = Writer(out, instances, {n: (str(p), "") for n, p in names.items()})
    for o in writer_rows:
        writer(o)

    def full_report(o: Outcome) -> None:
        inst = instances.get(o.name)
        if o.ok and inst is not None:
            # The region's own report: the same files as ``atbt solve``.
            r = Result(status=Status(o.status), stints=o.stints, objective=o.objective,
                       bound=o.bound, terms=o.terms, wall_time=o.wall_time, seed=settings.seed,
                       workers=settings.workers, time_limit=settings.time_limit,
                       time_to_first=o.time_to_first, reproducible=o.reproducible)
            try:
                api.write_outputs(inst, r, out / slug(o.name), lang=lang, inputs=tuple(paths))
            except OSError as exc:  # an input in the way, disk full: the others go on
                o.message = f"report not written: {exc}"
        writer(o)

    jobs = [Job(n, inst, settings.time_limit, settings.workers, settings.seed)
            for n, inst in instances.items() if inst is not None]
    order = list(names)
    try:
        run_all(jobs, parallel=settings.parallel, cluster=settings.cluster,
                on_result=full_report, tick=tick, grace=settings.grace_for())
    except KeyboardInterrupt:
        writer.report(order, lang, None, "summary.xlsx", settings.charts)
        raise
    path = writer.report(order, lang, None, "summary.xlsx", settings.charts)
    return path, [writer.rows[n].outcome for n in order if n in writer.rows]
