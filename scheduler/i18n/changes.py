"""The change workbook of a re-plan, changes.xlsx (``report.changes``).

Looked up as ``tr("changes.<key>")``; values are (Swedish, English).
"""

TEXT: dict[str, tuple[str, str]] = {
    "sheet_stints": ("Ändrade placeringar", "Changed stints"),
    "sheet_units": ("Berörda enheter", "Affected units"),
    "sheet_summary": ("Sammanfattning", "Summary"),
    "change": ("Ändring", "Change"),
    "removed": ("borttagen", "removed"),
    "added": ("ny", "new"),
    "trainee": ("AT/BT-läkare", "Trainee"),
    "programme": ("Program", "Programme"),
    "unit": ("Enhet", "Unit"),
    "unit_name": ("Enhetens namn", "Unit name"),
    "discipline": ("Disciplin", "Discipline"),
    "site": ("Ort", "Site"),
    "start": ("Start", "Start"),
    "end": ("T.o.m.", "Until (incl.)"),
    "weeks": ("Veckor", "Weeks"),
    "cost": ("Ändringskostnad", "Change cost"),
    "first_change": ("Första ändrade vecka", "First changed week"),
    "n_changes": ("Ändrade placeringar", "Changed stints"),
    "trainees": ("Berörda AT/BT-läkare", "Trainees concerned"),
    "today": ("Planeras om från", "Re-planned from"),
    "status": ("Status", "Status"),
    "change_cost": ("Ändringskostnad (viktad)", "Change cost (weighted)"),
    "bound": ("Undre gräns (bevisad)", "Lower bound (proven)"),
    "minimal": ("Minsta möjliga ändring bevisad", "Least possible change proven"),
    "yes": ("ja", "yes"),
    "no": ("nej", "no"),
    "n_trainees": ("Berörda AT/BT-läkare", "Trainees concerned"),
    "n_units": ("Berörda enheter", "Units concerned"),
    "none": ("Inga ändringar: den nya planen är den gamla.",
             "No changes: the new plan is the old one."),
    "weights": ("Vikt per ändrad placering: 10, +100 inom 6 veckor, +50 på vårdcentral",
                "Weight per changed stint: 10, +100 within 6 weeks, +50 at a vårdcentral"),
}
