"""``atbt mss``.

Looked up as ``tr("cli_mss.<key>")``; values are (Swedish, English).
"""

TEXT: dict[str, tuple[str, str]] = {
    "written": ("Schema skrivet till {dir}", "Schedule written to {dir}"),
    "summary": (
        "{status}: poäng {score} (gräns {bound}) på {t:.1f} s",
        "{status}: score {score} (bound {bound}) in {t:.1f} s",
    ),
    "infeasible": (
        "Inget schema finns: instansen är bevisat olösbar.",
        "No schedule exists: the instance is proven infeasible.",
    ),
    "no_plan": (
        "Inget schema hittades inom tidsgränsen ({limit} s). Pröva en längre --time-limit.",
        "No schedule found within the time limit ({limit} s). Try a longer --time-limit.",
    ),
    "verify_failed": (
        "Internt fel: lösarens schema underkändes av kontrollen; inget skrevs:",
        "Internal error: the solver's schedule failed the check; nothing written:",
    ),
    "out_not_dir": (
        "{out}: --out måste vara en mapp, men det är en fil",
        "{out}: --out must be a folder, but it is a file",
    ),
    "out_is_input": (
        "{target}: skulle skriva över indatafilen; välj en annan --out-mapp",
        "{target}: would overwrite the input file; choose another --out folder",
    ),
    "out_failed": (
        "{out}: kan inte skriva resultatet: {error}",
        "{out}: cannot write the results: {error}",
    ),
    "no_files": ("{dir}: inga .dzn-instanser", "{dir}: no .dzn instances"),
    "not_dir": (
        "{dir}: finns inte eller är ingen mapp",
        "{dir}: does not exist or is not a folder",
    ),
    "row": (
        "{name}: {status}, poäng {score}, gräns {bound}, bäst kända {best}, {t:.1f} s",
        "{name}: {status}, score {score}, bound {bound}, best known {best}, {t:.1f} s",
    ),
    "bench_written": ("Tabell skriven till {csv} och {md}", "Table written to {csv} and {md}"),
    "bad_schedules": ("{n} scheman underkändes av kontrollen", "{n} schedules failed the check"),
    "interrupted": ("Avbrutet: {n} färdiga rader sparade", "Interrupted: {n} finished rows kept"),
    "too_many_jobs": (
        "--jobs {jobs} x --workers {workers} = {n} trådar, men maskinen har {cores} kärnor; sänk "
        "--jobs eller --workers",
        "--jobs {jobs} x --workers {workers} = {n} threads, but the machine has {cores} cores; "
        "lower --jobs or --workers",
    ),
}
