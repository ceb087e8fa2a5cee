"""The fairness sheet and lines (``report.fairness``).

Looked up as ``tr("fairness.<key>")``; values are (Swedish, English).
"""

TEXT: dict[str, tuple[str, str]] = {
    "sheet_wishes": ("Önskemål", "Wishes"),
    "sheet_fairness": ("Rättvisa", "Fairness"),
    "trainee": ("AT/BT-läkare", "Trainee"),
    "wish": ("Önskemål", "Wish"),
    "priority": ("Prioritet", "Priority"),
    "granted": ("Beviljat", "Granted"),
    "reason": ("Skäl", "Reason"),
    "yes": ("ja", "yes"),
    "no": ("nej", "no"),
    "no_wishes": ("Inga önskemål angivna.", "No wishes given."),
    "cost": ("Kostnad", "Cost"),
    "stints": ("Placeringar", "Stints"),
    "least": ("Minst möjliga", "Least possible"),
    "fragmentation": ("Splittring (veckor)", "Fragmentation (weeks)"),
    "missed": ("Missade önskemål (3/2/1 per prio 1/2/3)", "Wishes missed (3/2/1 by priority)"),
    "travel": ("Restid (10-minutersveckor)", "Travel (10-minute weeks)"),
    "least_travel": ("Minsta möjliga restid", "Least possible travel"),
    "worst": ("Sämst", "Worst"),
    "median": ("Median", "Median"),
    "best": ("Bäst", "Best"),
    "gini": ("Gini (0 = lika)", "Gini (0 = equal)"),
    "sum": ("Summa", "Sum"),
    "mode": ("Rättviseläge", "Fairness mode"),
    "granted_prio": ("Beviljade önskemål, prioritet {p}", "Wishes granted, priority {p}"),
    "explain": ("Kostnad = byten av enhet utöver det minsta möjliga, splittring, missade "
                "önskemål och restid utöver den minsta möjliga, var och en med sin vikt.",
                "Cost = unit changes above the least possible, fragmentation, wishes missed "
                "and travel above the least possible, each with its weight."),
}
