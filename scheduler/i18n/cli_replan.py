"""``atbt replan``.

Looked up as ``tr("cli_replan.<key>")``; values are (Swedish, English).
"""

TEXT: dict[str, tuple[str, str]] = {
    "bad_today": (
        "--today: '{value}' är inget datum (ÅÅÅÅ-MM-DD)",
        "--today: '{value}' is not a date (YYYY-MM-DD)",
    ),
    "replanned": (
        "Omplanerat från {today}: {status}, ändringskostnad {cost:g} (undre gräns "
        "{bound}){proven}, {t:.1f} s",
        "Re-planned from {today}: {status}, change cost {cost:g} (lower bound {bound}){proven}, "
        "{t:.1f} s",
    ),
    "proven": (", minsta möjliga ändring bevisad", ", least possible change proven"),
    "changed": (
        "{n} ändrade rader i plan.csv ({removed} borttagna, {added} nya); berörda AT/BT-läkare: "
        "{trainees}; berörda enheter: {units}",
        "{n} changed rows in plan.csv ({removed} removed, {added} new); trainees concerned: "
        "{trainees}; units concerned: {units}",
    ),
    "replan_infeasible": (
        "Ingen ny plan finns som behåller det som redan hänt.",
        "No new plan exists that keeps what has already happened.",
    ),
}
