"""``atbt generate``.

Looked up as ``tr("cli_generate.<key>")``; values are (Swedish, English).
"""

TEXT: dict[str, tuple[str, str]] = {
    "unknown_kind": (
        "--kind: okänd sort '{value}'; kända sorter: {known}",
        "--kind: unknown kind '{value}'; known kinds: {known}",
    ),
    "empty_kind": ("--kind: ange minst en sort", "--kind: give at least one kind"),
    "repeated_kind": (
        "--kind: samma sort förekommer flera gånger i '{value}'",
        "--kind: the same kind occurs more than once in '{value}'",
    ),
    "out_of_range": (
        "{option}: {value} ligger utanför {lo}–{hi}",
        "{option}: {value} is outside {lo}–{hi}",
    ),
    "bad_tightness": (
        "--tightness: '{value}' ska vara tight, loose, en marginal i procent (0–200) eller "
        "marginaler per klass (hospital=45,psykiatri=25,allmanmedicin=20)",
        "--tightness: '{value}' must be tight, loose, a slack in percent (0–200) or slacks "
        "per class (hospital=45,psykiatri=25,allmanmedicin=20)",
    ),
    "out_not_dir": (
        "{out}: --out måste vara en mapp, men det är en fil",
        "{out}: --out must be a folder, but it is a file",
    ),
    "written": (
        "Region skriven till {dir}: {sites} sjukhus, {units} enheter, {trainees} AT/BT-läkare, "
        "{weeks} veckor; vittnesplanen godkänd av kontrollen ({t:.1f} s)",
        "Region written to {dir}: {sites} hospitals, {units} units, {trainees} trainees, {weeks} "
        "weeks; the witness plan passed the check ({t:.1f} s)",
    ),
    "suite_row": (
        "{name}: {units} enheter, {trainees} AT/BT-läkare, {weeks} veckor",
        "{name}: {units} units, {trainees} trainees, {weeks} weeks",
    ),
    "suite_written": (
        "{n} regioner skrivna till {dir} ({t:.0f} s)",
        "{n} regions written to {dir} ({t:.0f} s)",
    ),
    "unknown_region": (
        "--region: '{value}' finns inte i sviten",
        "--region: '{value}' is not in the suite",
    ),
    "internal": ("Internt fel i generatorn: {error}", "Internal error in the generator: {error}"),
}
