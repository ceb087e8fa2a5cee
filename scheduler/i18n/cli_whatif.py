"""``atbt whatif`` and ``atbt capacity``.

Looked up as ``tr("cli_whatif.<key>")``; values are (Swedish, English).
"""

TEXT: dict[str, tuple[str, str]] = {
    "progress": (
        "{done}/{total} klara, {running} pågår, {failed} misslyckade, cirka {eta:.0f} s kvar",
        "{done}/{total} done, {running} running, {failed} failed, about {eta:.0f} s left",
    ),
    "written": ("Jämförelse skriven till {path}", "Comparison written to {path}"),
    "summary": ("Sammanställning skriven till {path}", "Summary written to {path}"),
    "interrupted": (
        "Avbrutet: {n} färdiga resultat sparade i {out}",
        "Interrupted: {n} finished results kept in {out}",
    ),
    "jobs": (
        "{jobs} parallella körningar x {workers} lösartrådar ({cores} kärnor)",
        "{jobs} parallel runs x {workers} solver threads ({cores} cores)",
    ),
    "no_dask": (
        "--cluster kräver Dask: pip install 'atbt-scheduler[cluster]'",
        "--cluster needs Dask: pip install 'atbt-scheduler[cluster]'",
    ),
    "no_files": (
        "{dir}: inga instansfiler (.yaml, .yml, .xlsx)",
        "{dir}: no instance files (.yaml, .yml, .xlsx)",
    ),
    "not_dir": ("{dir}: är ingen mapp", "{dir}: is not a folder"),
    "same_folder": (
        "{names} skulle skrivas till samma mapp '{slug}'; byt namn så att de skiljer sig",
        "{names} would be written to the same folder '{slug}'; rename them so they differ",
    ),
    "base": ("Basplan: {status} ({t:.0f} s)", "Base plan: {status} ({t:.0f} s)"),
    "base_failed": (
        "Ingen basplan ({status}); ange en plan med --plan",
        "No base plan ({status}); give one with --plan",
    ),
    "start": (
        "{start}  {kinds:<6} bas {base:>3}  största intag {adm:>3}{approx}  ({status}, {t:.0f} "
        "s)  flaskhalsar: {binding}",
        "{start}  {kinds:<6} base {base:>3}  largest intake {adm:>3}{approx}  ({status}, {t:.0f} "
        "s)  bottlenecks: {binding}",
    ),
    "marginal": (
        "En handledare till: fler AT/BT per år",
        "One more supervisor: more trainees per year",
    ),
    "joint": (
        "Alla {n} starter samtidigt: största totala intag {adm}{approx} (bas {base}; {status}, "
        "{t:.0f} s)",
        "All {n} starts at once: largest total intake {adm}{approx} (base {base}; {status}, "
        "{t:.0f} s)",
    ),
    "explain": (
        "Per start: det största intaget vid den starten när de andra starterna behåller "
        "basplanens placeringar; maxima per start kan inte adderas. Alla starter samtidigt: det "
        "största totala intaget när alla starter planeras i en och samma modell.",
        "Per start: the largest intake at that start while the other starts keep the base plan's "
        "stints; the per-start maxima do not add up. All starts at once: the largest total "
        "intake with every start planned in one model.",
    ),
    "unit_head": (
        "{sign}{add} handledare på {unit}: {delta} {kind} per start",
        "{sign}{add} supervisor(s) at {unit}: {delta} {kind} per start",
    ),
    "unit_start": (
        "  {start} {kind}: {before} -> {after} ({delta}){approx}",
        "  {start} {kind}: {before} -> {after} ({delta}){approx}",
    ),
    "unit_joint": (
        "  alla starter samtidigt: {before} -> {after} ({delta}){approx}",
        "  all starts at once: {before} -> {after} ({delta}){approx}",
    ),
    "unit_approx": (" (ej bevisat optimalt)", " (not proven optimal)"),
    "unit_none": ("ingen plan i tid", "no plan in time"),
    "bad_unit": ("--unit {unit}: ingen sådan enhet", "--unit {unit}: no such unit"),
    "unlimited_unit": (
        "--unit {unit}: enheten har obegränsad kapacitet",
        "--unit {unit}: the unit has no capacity limit",
    ),
    "no_new_start": (
        "--keep: alla intag har redan placeringar i {plan}; lägg till en kohort för nästa intag",
        "--keep: every intake already has stints in {plan}; add a cohort for the next intake",
    ),
    "approx": (" (minst; övre gräns {bound})", " (at least; upper bound {bound})"),
    "bad_start": (
        "--start {start}: inget intag startar då (starter: {known})",
        "--start {start}: no intake starts then (starts: {known})",
    ),
    "counts": (
        "Utfall: {optimal} optimala, {feasible} tillåtna, {infeasible} bevisat olösbara, "
        "{no_plan_in_time} utan plan inom tidsgränsen, {timed_out} avbrutna efter tidsgränsen, "
        "{error} fel, {invalid_input} ogiltiga",
        "Outcomes: {optimal} optimal, {feasible} feasible, {infeasible} proven infeasible, "
        "{no_plan_in_time} no plan within the time limit, {timed_out} killed after the time "
        "limit, {error} errors, {invalid_input} invalid",
    ),
}
