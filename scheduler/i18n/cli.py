"""What the command line prints (``scheduler.cli.common`` and the solve, check, explain commands).

Looked up as ``tr("cli.<key>")``; values are (Swedish, English).
"""

TEXT: dict[str, tuple[str, str]] = {
    "written": ("Plan skriven till {dir}", "Plan written to {dir}"),
    "status": ("Status", "Status"),
    "infeasible": (
        "Ingen plan finns: instansen är bevisat olösbar.",
        "No plan exists: the instance is proven infeasible.",
    ),
    "no_plan": (
        "Ingen plan hittades inom tidsgränsen ({limit} s). Pröva en längre --time-limit.",
        "No plan found within the time limit ({limit} s). Try a longer --time-limit.",
    ),
    "verify_failed": (
        "Internt fel: lösarens plan underkändes av kontrollen; inget skrevs:",
        "Internal error: the solver's plan failed the check; nothing written:",
    ),
    "violations": ("{n} regelbrott", "{n} violations"),
    "clean": ("Planen uppfyller alla regler.", "The plan satisfies every rule."),
    "first": ("första planen efter {t:.1f} s", "first plan after {t:.1f} s"),
    "progress": (
        "mål {obj:g}  gräns {bound:g}  {t:.0f} s",
        "objective {obj:g}  bound {bound:g}  {t:.0f} s",
    ),
    "decompose": ("{done}/{of} AT/BT-läkare planerade", "{done}/{of} trainees planned"),
    "polish": (
        "förbättrade {improved} av {of} block ({time:.0f} s)",
        "improved {improved} of {of} blocks ({time:.0f} s)",
    ),
    "internal": (
        "Internt fel: {error} (sätt ATBT_DEBUG=1 för detaljer)",
        "Internal error: {error} (set ATBT_DEBUG=1 for details)",
    ),
    "out_not_dir": (
        "{out}: --out måste vara en mapp, men det är en fil",
        "{out}: --out must be a folder, but it is a file",
    ),
    "out_is_input": (
        "{target}: skulle skriva över en indatafil; välj en annan --out-mapp",
        "{target}: would overwrite an input file; choose another --out folder",
    ),
    "out_failed": (
        "{out}: kan inte skriva resultatet: {error}",
        "{out}: cannot write the results: {error}",
    ),
    "plan_not_utf8": (
        "{plan}: filen är inte UTF-8-text (spara den som CSV UTF-8)",
        "{plan}: the file is not UTF-8 text (save it as CSV UTF-8)",
    ),
    "bad_today": (
        "--today: '{value}' är inget datum (ÅÅÅÅ-MM-DD)",
        "--today: '{value}' is not a date (YYYY-MM-DD)",
    ),
    "keeping": (
        "Behåller alla placeringar för {n} AT/BT-läkare ur {plan}; planerar {m}",
        "Keeping every stint of {n} trainees from {plan}; planning {m}",
    ),
    "keep_broken": (
        "{plan}: de behållna placeringarna bryter mot {n} regler i instansen (ange --today om "
        "planen har historik):",
        "{plan}: the kept stints break {n} rules of the instance (give --today if the plan has "
        "history):",
    ),
    "no_objective": (
        "– (planen bryter mot reglerna; målvärdet gäller bara en giltig plan)",
        "– (the plan breaks the rules; only a valid plan has an objective)",
    ),
    "out_in_use": (
        "{out}: mappen används redan av en annan körning; vänta eller välj en annan --out",
        "{out}: the folder is in use by another run; wait or choose another --out",
    ),
    "stopped": ("Avbruten: {what}", "Stopped: {what}"),
    "stopped_plan": (
        "den bästa kontrollerade planen hittills är skriven (status stopped)",
        "the best checked plan so far is written (status stopped)",
    ),
    "stopped_none": (
        "ingen plan hittades innan avbrottet; inget skrevs",
        "no plan was found before the stop; nothing was written",
    ),
    "overruns": (
        "{n} överbeläggningar ({tw} AT/BT-veckor över kapaciteten):",
        "{n} overruns ({tw} trainee-weeks over capacity):",
    ),
    "no_overruns": ("Ingen enhet över sin kapacitet.", "No unit over its capacity."),
    "overrun": (
        "  {unit} {weeks}: {over} över kapaciteten",
        "  {unit} {weeks}: {over} over capacity",
    ),
}
