"""``atbt template``, ``atbt convert`` and ``atbt rosters``: the coordinator's workbooks.

Reading a workbook as an instance is not here: :func:`scheduler.api.load` dispatches on the
``.xlsx`` suffix, so ``solve``, ``check`` and every later command accept one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scheduler.cli.common import LangOpt, err, load_input, parse_lang, parse_today
from scheduler.i18n import tr

if TYPE_CHECKING:
    from scheduler.domain import Instance
    from scheduler.i18n import Lang
    from scheduler.plan import Stint
    from scheduler.year import RunInfo

WORKBOOK_SUFFIXES = (".xlsx",)
YAML_SUFFIXES = (".yaml", ".yml")


def _instance_path(path: Path) -> Path:
    """``instances/orebro`` means ``instances/orebro.yaml`` when only that exists."""
    if not path.exists():
        for suffix in YAML_SUFFIXES + WORKBOOK_SUFFIXES:
            if path.with_name(path.name + suffix).is_file():
                return path.with_name(path.name + suffix)
    return path


def _target(out: Path, inputs: tuple[Path, ...], suffixes: tuple[str, ...],
            lg: Lang) -> None:
    if out.suffix.lower() not in suffixes:
        err.print(tr("cli_workbook.bad_suffix", lg, out=out, suffixes=" / ".join(suffixes)),
                  markup=False)
        raise typer.Exit(2)
    if out.is_dir():
        err.print(tr("cli_workbook.is_dir", lg, out=out), markup=False)
        raise typer.Exit(2)
    if any(out.resolve() == p.resolve() for p in inputs):
        err.print(tr("cli_workbook.same_file", lg, out=out), markup=False)
        raise typer.Exit(2)


def _write(out: Path, data: bytes) -> None:
    from scheduler.i18n import language
    from scheduler.outputs import write_atomic

    try:
        write_atomic(out, data)
    except OSError as exc:
        err.print(tr("cli.out_failed", language(), out=out, error=exc), markup=False)
        raise typer.Exit(2) from None


def _workbook_bytes(inst: Instance, lang: Lang) -> bytes:
    from scheduler.inputs.yaml_io import InputError
    from scheduler.workbook.template import instance_to_workbook

    try:
        return instance_to_workbook(inst, lang)
    except InputError as exc:
        err.print(exc.render(), markup=False)
        raise typer.Exit(2) from None


def template(
    out: Annotated[Path, typer.Argument(help="Workbook to write (.xlsx)")],
    from_: Annotated[Path | None, typer.Option(
        "--from", help="Fill it from this instance (YAML or workbook)")] = None,
    lang: LangOpt = "sv",
) -> None:
    """Write an instance workbook: an example to edit, or --from an existing instance."""
    lg = parse_lang(lang)
    src = _instance_path(from_) if from_ is not None else None
    _target(out, (src,) if src else (), WORKBOOK_SUFFIXES, lg)
    inst = load_input(src)[0] if src is not None else None
    if inst is None:
        from scheduler.workbook.template import example_instance

        inst = example_instance()
    _write(out, _workbook_bytes(inst, lg))
    err.print(tr("cli_workbook.template_written", lg, out=out), markup=False)

def convert(
    src: Annotated[Path, typer.Argument(help="Instance to read (YAML or .xlsx)")],
    out: Annotated[Path, typer.Argument(help="File to write (.xlsx, .yaml)")],
    lang: LangOpt = "sv",
) -> None:
    """Convert an instance between the workbook and the text (YAML) format, without loss."""
    from scheduler.inputs.yaml_io import dump_instance

    lg = parse_lang(lang)
    src = _instance_path(src)
    _target(out, (src,), WORKBOOK_SUFFIXES + YAML_SUFFIXES, lg)
    inst, _ = load_input(src)
    if out.suffix.lower() in WORKBOOK_SUFFIXES:
        data = _workbook_bytes(inst, lg)
    else:
        data = dump_instance(inst).encode("utf-8")
    _write(out, data)
    err.print(tr("cli_workbook.converted", lg, src=src, out=out), markup=False)

def rosters(
    plan_dir: Annotated[Path, typer.Argument(help="Folder written by 'atbt solve'")],
    out: Annotated[Path, typer.Option("--out", help="Output folder")] = Path("rosters"),
    instance: Annotated[Path | None, typer.Option(
        "--instance", help="The instance the plan was made for (YAML or .xlsx); default: "
        "the one run.json names")] = None,
    pseudonymize: Annotated[bool, typer.Option(
        "--pseudonymize", help="Name trainees by stable codes instead of ids and names")]
    = False,
    today: Annotated[str | None, typer.Option(
        "--today", help="Weeks before this date are history (YYYY-MM-DD); default: "
        "run.json's, else the instance's today")] = None,
    lang: LangOpt = "sv",
) -> None:
    """One roster workbook per unit and one personal plan per trainee."""
    from scheduler import verify
    from scheduler.workbook.pseudonym import pseudonymize as pseudo
    from scheduler.workbook.rosters import write_rosters

    lg = parse_lang(lang)
    plan_csv = plan_dir / "plan.csv"
    if not plan_csv.is_file():
        err.print(tr("cli_workbook.no_plan", lg, dir=plan_dir), markup=False)
        raise typer.Exit(2)
    from scheduler.year import read_run

    run = read_run(plan_dir)
    from_run = instance is None and run.instance is not None
    instance = _instance_of(plan_dir, instance, run, lg)
    resolved_out = out.resolve()
    if resolved_out == plan_dir.resolve() or any(
            resolved_out in p.resolve().parents for p in (instance, plan_csv)):
        err.print(tr("cli_workbook.out_is_input", lg, out=out), markup=False)
        raise typer.Exit(2)
    inst, digest = load_input(instance)
    if run.input_hash and run.input_hash != digest:
        if from_run:  # a rule-set file it names has changed
            err.print(tr("cli_workbook.run_instance_changed", lg, instance=instance), markup=False)
            raise typer.Exit(2)
        err.print(tr("cli_workbook.hash_mismatch", lg, instance=instance), markup=False)
    day = parse_today(today, plan_dir, inst)
    stints = _read_plan(plan_csv, lg)
    ids = {t.id for t in inst.all_trainees()}
    planned = {s.trainee for s in stints}
    pseudonymised = bool(pseudonymize or (planned and not planned & ids))
    if pseudonymised:
        # The plan may itself be pseudonymised (solve --pseudonymize): same codes, same key.
        from scheduler.workbook.pseudonym import PseudonymKeyError, check_key_matches
        try:
            check_key_matches(inst, planned)
            inst, renamed, _ = pseudo(inst, stints)
        except PseudonymKeyError as exc:
            err.print(exc.message(lg), markup=False)
            raise typer.Exit(2) from None
        stints = renamed
        names: dict[str, str] = {}
    else:
        names = {t.id: t.name for t in inst.all_trainees() if t.name}  # members too
    history = verify.History(stints, day) if day is not None else None
    violations = verify.check(inst, stints, lang=lg, history=history)
    if violations:
        err.print(tr("cli_workbook.plan_invalid", lg, n=len(violations), instance=instance),
                  markup=False)
        for v in violations[:20]:
            err.print(f"  {v.message}", markup=False)
        raise typer.Exit(1)
    try:
        written = write_rosters(inst, stints, out, lang=lg, names=names,
                                hide_leave_kind=pseudonymised)
    except OSError as exc:
        err.print(tr("cli.out_failed", lg, out=out, error=exc), markup=False)
        raise typer.Exit(2) from None
    n_units = len(inst.units)
    err.print(tr("cli_workbook.rosters_written", lg, units=n_units, people=len(written) - n_units,
                 out=out), markup=False)


def _instance_of(plan_dir: Path, instance: Path | None, run: RunInfo, lg: Lang
                 ) -> Path:
    """--instance, else the instance run.json names if it is still the file solved (exit 2
    if it is missing or changed, or if there is none)."""
    from scheduler.year import file_sha256

    if instance is None and run.instance is not None:
        instance = run.instance
        if not instance.is_file():
            err.print(tr("cli_workbook.run_instance_missing", lg, instance=instance), markup=False)
            raise typer.Exit(2)
        if run.sha256 is not None and file_sha256(instance) != run.sha256:
            err.print(tr("cli_workbook.run_instance_changed", lg, instance=instance), markup=False)
            raise typer.Exit(2)
    if instance is None:
        err.print(tr("cli_workbook.no_instance", lg, dir=plan_dir), markup=False)
        raise typer.Exit(2)
    return _instance_path(instance)


def _read_plan(plan_csv: Path, lg: Lang) -> list[Stint]:
    from scheduler.plan import PlanFormatError, read_plan_csv

    try:
        return read_plan_csv(plan_csv)
    except PlanFormatError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(2) from None
    except UnicodeDecodeError:
        err.print(tr("cli.plan_not_utf8", lg, plan=plan_csv), markup=False)
        raise typer.Exit(2) from None


def register(app: typer.Typer) -> None:
    """Add ``template``, ``convert`` and ``rosters`` to ``app``."""
    app.command()(template)
    app.command()(convert)
    app.command()(rosters)
