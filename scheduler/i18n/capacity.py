"""The intake-capacity workbook (``whatif.report.write_capacity_workbook``).

Looked up as ``tr("capacity.<key>")``; values are (Swedish, English).
"""

TEXT: dict[str, tuple[str, str]] = {
    "sheet_intake": ("Intag", "Intake"),
    "sheet_binding": ("Flaskhalsar", "Bottlenecks"),
    "sheet_marginal": ("Marginalvärde", "Marginal value"),
    "start": ("Start", "Start"),
    "programme": ("Program", "Programme"),
    "kind": ("Typ", "Kind"),
    "site": ("Ort", "Site"),
    "base": ("Intag i basen", "Base intake"),
    "max": ("Största intag", "Largest intake"),
    "offered": ("Prövade kandidater", "Candidates offered"),
    "status": ("Status", "Status"),
    "bound": ("Övre gräns", "Upper bound"),
    "unit": ("Enhet", "Unit"),
    "name": ("Namn", "Name"),
    "weeks_full": ("Veckor fullt", "Weeks full"),
    "first": ("Första fulla vecka", "First full week"),
    "last": ("Sista fulla vecka", "Last full week"),
    "marginal": ("Fler per start med en handledare till",
                 "More per start with one more supervisor"),
    "starts_binding": ("Starter där enheten begränsar", "Starts where it binds"),
    "per_year": ("Fler AT/BT per år med en handledare till",
                 "More trainees per year with one more supervisor"),
    "sheet_joint": ("Alla starter", "All starts"),
    "sheet_unit": ("Fler handledare", "More supervisors"),
    "joint_note": ("Intag: största intaget per start när de andra starterna behåller "
                   "basplanens placeringar (kan inte adderas). Här: största totala intaget när "
                   "alla starter planeras samtidigt i en modell.",
                   "Intake: the largest intake per start while the other starts keep the base "
                   "plan's stints (they do not add up). Here: the largest total intake with "
                   "all starts planned at once in one model."),
    "added": ("Handledare till", "Supervisors added"),
    "before": ("Största intag före", "Largest intake before"),
    "after": ("Största intag efter", "Largest intake after"),
    "delta": ("Fler per start", "More per start"),
    "exact": ("Bevisat optimalt", "Proven optimal"),
    "all_starts": ("alla starter samtidigt", "all starts at once"),
    # exact or not
    "yes": ("ja", "yes"),
    "no": ("nej", "no"),
}
