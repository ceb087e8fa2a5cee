"""The solver's progress and summary lines (``report.progress``); term_*: objective terms.

Looked up as ``tr("progress.<key>")``; values are (Swedish, English).
"""

TEXT: dict[str, tuple[str, str]] = {
    "decompose": ("{done}/{of} AT/BT-läkare planerade", "{done}/{of} trainees planned"),
    "first": ("första planen efter {t} s", "first plan after {t} s"),
    "polish": ("förbättrade {improved} av {of} block ({time:.0f} s)",
               "improved {improved} of {of} blocks ({time:.0f} s)"),
    "progress": ("mål {obj}  gräns {bound}  gap {gap}  {t:.0f} s",
                 "objective {obj}  bound {bound}  gap {gap}  {t:.0f} s"),
    "summary": ("Status: {status}  mål {obj}  gräns {bound}  gap {gap}  {t} s",
                "Status: {status}  objective {obj}  bound {bound}  gap {gap}  {t} s"),
    "optimal": ("optimal (bevisat)", "optimal (proven)"),
    "feasible": ("giltig plan (ej bevisat optimal)", "valid plan (not proven optimal)"),
    "stopped": ("avbruten (bästa planen hittills)", "stopped (best plan so far)"),
    "infeasible": ("omöjlig", "infeasible"),
    "no_plan_in_time": ("ingen plan inom tidsgränsen", "no plan within the time limit"),
    "invalid_input": ("ogiltig indata", "invalid input"),
    # objective terms as the summary names them
    "term_unit_changes": ("enhetsbyten", "unit changes"),
    "term_fragmentation": ("splittring", "fragmentation"),
    "term_staffing_shortfall": ("bemanningsunderskott", "staffing shortfall"),
    "term_peak_utilisation": ("högsta beläggning (%)", "peak utilisation (%)"),
    "term_spacing": ("för tätt mellan starter (veckor)", "starts too close (weeks)"),
    "term_wishes": ("missade önskemål", "wishes missed"),
    "term_travel": ("restid (10-minutersveckor)", "travel (10-minute weeks)"),
    "term_worst": ("sämst ställdas kostnad", "worst-off trainee's cost"),
    "term_change_cost": ("ändringskostnad", "change cost"),
    "term_capacity_overrun": ("AT/BT-veckor över kapaciteten", "trainee-weeks over capacity"),
}
