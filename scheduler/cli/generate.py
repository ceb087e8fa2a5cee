"""``atbt generate``: a seeded region that is feasible by construction, or the whole suite.

Writes ``region.yaml`` and ``witness.csv`` (a plan that meets every rule) to ``--out``; with
``--suite`` every region of scheduler/generator/suite.py and its README.md. Exit codes: 0
written, 2 bad parameters or an unusable --out, 5 internal error (the witness failed the
checker: a bug in the generator; nothing is written then).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from scheduler.cli.common import err, parse_lang
from scheduler.i18n import tr


def generate(
    kind: Annotated[str, typer.Option(
        "--kind", help="at18, gavle, at21j, at21e, ped, bt12, shift, or kinds joined by "
        "commas (at18,bt12)")] = "at18,bt12",
    trainees: Annotated[int, typer.Option("--trainees", help="Trainees in all")] = 60,
    sites: Annotated[int, typer.Option("--sites", help="Hospitals (1-8)")] = 2,
    starts: Annotated[int, typer.Option("--starts", help="Starts a year (2-4)")] = 4,
    years: Annotated[int | None, typer.Option(
        "--years", help="Years of intakes (1-4; default 2, with --kind shift 4)")] = None,
    start_year: Annotated[int, typer.Option("--start-year")] = 2027,
    tightness: Annotated[str, typer.Option(
        "--tightness", help="tight (capacity = the witness's peak), loose (+25 %), a "
        "slack in percent, or a slack per class of unit over its trainees at once, e.g. "
        "hospital=45,psykiatri=25,allmanmedicin=20 (classes not named: tight)")] = "tight",
    seed: Annotated[int, typer.Option("--seed")] = 0,
    leave: Annotated[int, typer.Option(
        "--leave", help="% of trainees with 4-52 weeks of leave (0-25)")] = 0,
    part_time: Annotated[int, typer.Option(
        "--part-time", help="% of trainees working 50-90 %")] = 0,
    locked: Annotated[int, typer.Option(
        "--locked", help="% of trainees with locked stints")] = 0,
    summer: Annotated[bool, typer.Option(
        "--summer/--no-summer", help="Summer capacity dips")] = True,
    staffing: Annotated[bool, typer.Option(
        "--staffing", help="Vårdcentraler want a trainee every week (soft)")] = False,
    wide_stints: Annotated[bool, typer.Option(
        "--wide-stints", help="Stint ranges at the county hospitals (every site but the "
        "first) 1-2 weeks wider on each side")] = False,
    exact_stints: Annotated[bool, typer.Option(
        "--exact-stints", help="AT stint ranges exact or 1-2 weeks wide at the university "
        "hospital and the psychiatric clinics, 26 weeks at a vårdcentral (as Örebro)")] = False,
    pack: Annotated[bool, typer.Option(
        "--pack", help="The witness fills units up to their peak before raising one, so "
        "tight capacities are near the trainees at once")] = False,
    stagger: Annotated[bool, typer.Option(
        "--stagger", help="The witness staggers kind-mates: each trainee's rotation in the "
        "order (of 24) that raises the units' peaks least, as a coordinator plans, so "
        "capacities are near Örebro's seats per trainee")] = False,
    name: Annotated[str, typer.Option("--name", help="Name of the region")] = "",
    out: Annotated[Path | None, typer.Option(
        "--out", help="Output folder (default: region, or benchmarks/suite with "
        "--suite)")] = None,
    suite: Annotated[bool, typer.Option(
        "--suite", help="Write the benchmark suite (every region and README.md)")] = False,
    region: Annotated[list[str] | None, typer.Option(
        "--region", help="With --suite: only this region (may be repeated)")] = None,
    lang: Annotated[str, typer.Option(
        "--lang", help="Language of messages: sv|en")] = "sv",
) -> None:
    """Write a region that is feasible by construction: region.yaml and witness.csv."""
    from scheduler.generator import GeneratorError, Params, problems
    from scheduler.generator.build import build
    from scheduler.generator.emit import render, write

    lg = parse_lang(lang)
    t0 = time.perf_counter()
    folder = out if out is not None else Path("benchmarks/suite" if suite else "region")
    if folder.exists() and not folder.is_dir():
        err.print(tr("cli_generate.out_not_dir", lg, out=folder), markup=False)
        raise typer.Exit(2)
    try:
        if suite:
            _suite(folder, region or [], lg, t0)
            return
        if years is None:
            years = 4 if kind == "shift" else 2
        p = Params(kind=kind, trainees=trainees, sites=sites, starts=starts, years=years,
                   start_year=start_year, tightness=tightness, seed=seed, leave=leave,
                   part_time=part_time, locked=locked, summer=summer, staffing=staffing,
                   wide_stints=wide_stints, exact_stints=exact_stints, pack=pack,
                   stagger=stagger,
                   name=name)
        bad = problems(p)
        for option, key, args in bad:
            err.print(tr(f"cli_generate.{key}", lg, option=option, **args), markup=False)
        if bad:
            raise typer.Exit(2)
        gen = render(build(p), folder)
        write(gen, folder)
    except GeneratorError as exc:
        err.print(tr("cli_generate.internal", lg, error=exc), markup=False)
        raise typer.Exit(5) from None
    err.print(tr("cli_generate.written", lg, dir=folder, t=time.perf_counter() - t0, **gen.stats),
              markup=False)


def register(app: typer.Typer) -> None:
    """Add ``generate`` to ``app``."""
    app.command()(generate)


def _suite(folder: Path, region: list[str], lg: str, t0: float) -> None:
    """``--suite``: every region of the suite (or those named) and its README.md."""
    from scheduler.generator.suite import SUITE, generate_suite

    known = {p.name for p in SUITE}
    for r in region:
        if r not in known:
            err.print(tr("cli_generate.unknown_region", lg, value=r), markup=False)
            raise typer.Exit(2)

    def row(g):
        err.print(tr("cli_generate.suite_row", lg, **g.stats), markup=False)

    done = generate_suite(folder, names=region or None, progress=row)
    err.print(tr("cli_generate.suite_written", lg, n=len(done), dir=folder,
                 t=time.perf_counter() - t0), markup=False)
