"""``atbt workbook`` and ``atbt rosters``.

Looked up as ``tr("cli_workbook.<key>")``; values are (Swedish, English).
"""

TEXT: dict[str, tuple[str, str]] = {
    "template_written": ("Mall skriven till {out}", "Template written to {out}"),
    "converted": ("{src} skriven som {out}", "{src} written as {out}"),
    "bad_suffix": ("{out}: ska sluta på {suffixes}", "{out}: must end in {suffixes}"),
    "same_file": (
        "{out}: skulle skriva över indatafilen; välj ett annat namn",
        "{out}: would overwrite the input file; choose another name",
    ),
    "is_dir": ("{out}: är en mapp; ange ett filnamn", "{out}: is a folder; give a file name"),
    "no_instance": (
        "{dir}: ange instansen planen gjordes för med --instance",
        "{dir}: give the instance the plan was made for with --instance",
    ),
    "no_plan": (
        "{dir}: hittar ingen plan.csv (en mapp som 'atbt solve' skrivit)",
        "{dir}: no plan.csv found (a folder written by 'atbt solve')",
    ),
    "hash_mismatch": (
        "Varning: {instance} har ändrats sedan planen gjordes (run.json har en annan indata-hash)",
        "Warning: {instance} has changed since the plan was made (run.json has another input "
        "hash)",
    ),
    "plan_invalid": (
        "Planen bryter mot {n} regler för {instance}; inga listor skrevs:",
        "The plan breaks {n} rules of {instance}; no rosters written:",
    ),
    "rosters_written": (
        "{units} enhetslistor och {people} personliga planer skrivna till {out}",
        "{units} unit rosters and {people} personal plans written to {out}",
    ),
    "out_is_input": (
        "{out}: --out får inte vara planmappen eller innehålla indatafilerna",
        "{out}: --out must not be the plan folder or hold the input files",
    ),
    "run_instance_missing": (
        "{instance}: instansen som run.json anger finns inte; ange den med --instance",
        "{instance}: the instance run.json names does not exist; give it with --instance",
    ),
    "run_instance_changed": (
        "{instance} har ändrats sedan planen gjordes (run.json har en annan SHA-256); planera "
        "om, eller ange --instance för att ändå använda filen",
        "{instance} has changed since the plan was made (run.json has another SHA-256); re-plan, "
        "or give --instance to use the file anyway",
    ),
}
