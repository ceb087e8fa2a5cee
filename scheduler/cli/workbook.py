"""``atbt template``, ``atbt convert`` and ``atbt rosters``: the coordinator's workbooks.

Reading a workbook as an instance is not here: :func:`scheduler.api.load` dispatches on the
``.xlsx`` suffix, so ``solve``, ``check`` and every later command accept one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scheduler.cli.common import TEXT as CLI_TEXT
from scheduler.cli.common import LangOpt, _lang, _load, _today, err

if TYPE_CHECKING:
    from scheduler.domain import Instance
    from scheduler.i18n import Lang
    from scheduler.plan import Stint
    from scheduler.year import RunInfo

TEXT = {
    "sv": {
        "template_written": "Mall skriven till {out}",
        "converted": "{src} skriven som {out}",
        "bad_suffix": "{out}: ska sluta på {suffixes}",
        "same_file": "{out}: skulle skriva över indatafilen; välj ett annat namn",
        "is_dir": "{out}: är en mapp; ange ett filnamn",
        "no_instance": "{dir}: ange instansen planen gjordes för med --instance",
        "no_plan": "{dir}: hittar ingen plan.csv (en mapp som 'atbt solve' skrivit)",
        "hash_mismatch": "Varning: {instance} har ändrats sedan planen gjordes (run.json har "
                         "en annan indata-hash)",
        "plan_invalid": "Planen bryter mot {n} regler för {instance}; inga listor skrevs:",
        "rosters_written": "{units} enhetslistor och {people} personliga planer skrivna till "
                           "{out}",
        "out_is_input": "{out}: --out får inte vara planmappen eller innehålla indatafilerna",
        "run_instance_missing": "{instance}: instansen som run.json anger finns inte; ange "
                                "den med --instance",
        "run_instance_changed": "{instance} har ändrats sedan planen gjordes (run.json har en "
                                "annan SHA-256); planera om, eller ange --instance för att "
                                "ändå använda filen",
    },
    "en": {
        "template_written": "Template written to {out}",
        "converted": "{src} written as {out}",
        "bad_suffix": "{out}: must end in {suffixes}",
        "same_file": "{out}: would overwrite the input file; choose another name",
        "is_dir": "{out}: is a folder; give a file name",
        "no_instance": "{dir}: give the instance the plan was made for with --instance",
        "no_plan": "{dir}: no plan.csv found (a folder written by 'atbt solve')",
        "hash_mismatch": "Warning: {instance} has changed since the plan was made (run.json "
                         "has another input hash)",
        "plan_invalid": "The plan breaks {n} rules of {instance}; no rosters written:",
        "rosters_written": "{units} unit rosters and {people} personal plans written to {out}",
        "out_is_input": "{out}: --out must not be the plan folder or hold the input files",
        "run_instance_missing": "{instance}: the instance run.json names does not exist; give "
                                "it with --instance",
        "run_instance_changed": "{instance} has changed since the plan was made (run.json has "
                                "another SHA-256); re-plan, or give --instance to use the file "
                                "anyway",
    },
}

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
            txt: dict[str, str]) -> None:
    if out.suffix.lower() not in suffixes:
        err.print(txt["bad_suffix"].format(out=out, suffixes=" / ".join(suffixes)), markup=False)
        raise typer.Exit(2)
    if out.is_dir():
        err.print(txt["is_dir"].format(out=out), markup=False)
        raise typer.Exit(2)
    if any(out.resolve() == p.resolve() for p in inputs):
        err.print(txt["same_file"].format(out=out), markup=False)
        raise typer.Exit(2)


def _write(out: Path, data: bytes) -> None:
    from scheduler.i18n import language
    from scheduler.outputs import write_atomic

    try:
        write_atomic(out, data)
    except OSError as exc:
        err.print(CLI_TEXT[language()]["out_failed"].format(out=out, error=exc), markup=False)
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
    lg = _lang(lang)
    txt = TEXT[lg]
    src = _instance_path(from_) if from_ is not None else None
    _target(out, (src,) if src else (), WORKBOOK_SUFFIXES, txt)
    inst = _load(src)[0] if src is not None else None
    if inst is None:
        from scheduler.workbook.template import example_instance

        inst = example_instance()
    _write(out, _workbook_bytes(inst, lg))
    err.print(txt["template_written"].format(out=out), markup=False)

def convert(
    src: Annotated[Path, typer.Argument(help="Instance to read (YAML or .xlsx)")],
    out: Annotated[Path, typer.Argument(help="File to write (.xlsx, .yaml)")],
    lang: LangOpt = "sv",
) -> None:
    """Convert an instance between the workbook and the text (YAML) format, without loss."""
    from scheduler.inputs.yaml_io import dump_instance

    lg = _lang(lang)
    txt = TEXT[lg]
    src = _instance_path(src)
    _target(out, (src,), WORKBOOK_SUFFIXES + YAML_SUFFIXES, txt)
    inst, _ = _load(src)
    if out.suffix.lower() in WORKBOOK_SUFFIXES:
        data = _workbook_bytes(inst, lg)
    else:
        data = dump_instance(inst).encode("utf-8")
    _write(out, data)
    err.print(txt["converted"].format(src=src, out=out), markup=False)

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

    lg = _lang(lang)
    txt = TEXT[lg]
    plan_csv = plan_dir / "plan.csv"
    if not plan_csv.is_file():
        err.print(txt["no_plan"].format(dir=plan_dir), markup=False)
        raise typer.Exit(2)
    from scheduler.year import read_run

    run = read_run(plan_dir)
    from_run = instance is None and run.instance is not None
    instance = _instance_of(plan_dir, instance, run, txt)
    resolved_out = out.resolve()
    if resolved_out == plan_dir.resolve() or any(
            resolved_out in p.resolve().parents for p in (instance, plan_csv)):
        err.print(txt["out_is_input"].format(out=out), markup=False)
        raise typer.Exit(2)
    inst, digest = _load(instance)
    if run.input_hash and run.input_hash != digest:
        if from_run:  # a rule-set file it names has changed
            err.print(txt["run_instance_changed"].format(instance=instance), markup=False)
            raise typer.Exit(2)
        err.print(txt["hash_mismatch"].format(instance=instance), markup=False)
    day = _today(today, plan_dir, inst)
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
        err.print(txt["plan_invalid"].format(n=len(violations), instance=instance),
                  markup=False)
        for v in violations[:20]:
            err.print(f"  {v.message}", markup=False)
        raise typer.Exit(1)
    try:
        written = write_rosters(inst, stints, out, lang=lg, names=names,
                                hide_leave_kind=pseudonymised)
    except OSError as exc:
        err.print(CLI_TEXT[lg]["out_failed"].format(out=out, error=exc), markup=False)
        raise typer.Exit(2) from None
    n_units = len(inst.units)
    err.print(txt["rosters_written"].format(units=n_units, people=len(written) - n_units,
                                            out=out), markup=False)


def _instance_of(plan_dir: Path, instance: Path | None, run: RunInfo, txt: dict[str, str]
                 ) -> Path:
    """--instance, else the instance run.json names if it is still the file solved (exit 2
    if it is missing or changed, or if there is none)."""
    from scheduler.year import file_sha256

    if instance is None and run.instance is not None:
        instance = run.instance
        if not instance.is_file():
            err.print(txt["run_instance_missing"].format(instance=instance), markup=False)
            raise typer.Exit(2)
        if run.sha256 is not None and file_sha256(instance) != run.sha256:
            err.print(txt["run_instance_changed"].format(instance=instance), markup=False)
            raise typer.Exit(2)
    if instance is None:
        err.print(txt["no_instance"].format(dir=plan_dir), markup=False)
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
        err.print(CLI_TEXT[lg]["plan_not_utf8"].format(plan=plan_csv), markup=False)
        raise typer.Exit(2) from None


def register(app: typer.Typer) -> None:
    """Add ``template``, ``convert`` and ``rosters`` to ``app``."""
    app.command()(template)
    app.command()(convert)
    app.command()(rosters)
