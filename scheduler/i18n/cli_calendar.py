"""``atbt calendar``.

Looked up as ``tr("cli_calendar.<key>")``; values are (Swedish, English).
"""

TEXT: dict[str, tuple[str, str]] = {
    "units_dir": ("enheter", "units"),
    "people_dir": ("at-bt-lakare", "trainees"),
    "trainee_cal": ("Placeringar {who}", "Placements {who}"),
    "unit_cal": ("AT/BT-läkare på {unit}", "Trainees at {unit}"),
    "trainee_event": ("{discipline}: {unit}", "{discipline}: {unit}"),
    "unit_event": ("{trainee} ({discipline})", "{trainee} ({discipline})"),
    "description": ("{first} – {last} ({until}), {weeks} veckor. Enhet: {unit}. "
                    "Disciplin: {discipline}. AT/BT-läkare: {trainee} ({programme}).",
                    "{first} – {last} ({until}), {weeks} weeks. Unit: {unit}. "
                    "Discipline: {discipline}. Trainee: {trainee} ({programme})."),
    "written": ("{people} kalendrar för AT/BT-läkare och {units} för enheter skrivna till "
                "{out}", "{people} trainee calendars and {units} unit calendars written to {out}"),
    "no_plan": ("{dir}: hittar ingen plan.csv (en mapp som 'atbt solve' skrivit)",
                "{dir}: no plan.csv found (a folder written by 'atbt solve')"),
    "out_is_plan": ("{out}: --out får inte vara planmappen", "{out}: --out must not be the "
                    "plan folder"),
}
