"""The plan workbook, plan.xlsx (``report.excel`` and its sheets).

Looked up as ``tr("excel.<key>")``; values are (Swedish, English).
"""

TEXT: dict[str, tuple[str, str]] = {
    # sheet names
    "sheet_plan": ("Plan", "Plan"),
    "sheet_load": ("Enhetsbelastning", "Unit load"),
    "sheet_req": ("Krav", "Requirements"),
    "sheet_stints": ("Placeringar", "Stints"),
    "sheet_run": ("Körning", "Run"),
    "sheet_overruns": ("Överbeläggning", "Overruns"),
    "over_by": ("Över kapaciteten", "Over capacity"),
    "trainee_weeks_over": ("AT/BT-veckor över", "Trainee-weeks over"),
    "no_overruns": ("Ingen enhet över sin kapacitet.", "No unit over its capacity."),
    # common columns
    "trainee": ("AT/BT-läkare", "Trainee"),
    "programme": ("Program", "Programme"),
    "home_site": ("Hemort", "Home site"),
    "part_time": ("Syss.-grad", "Part-time"),
    "block_start": ("Blockstart", "Block start"),
    "block_end": ("Blockslut (t.o.m.)", "Block end (incl.)"),
    "unit": ("Enhet", "Unit"),
    "unit_name": ("Enhetens namn", "Unit name"),
    "site": ("Ort", "Site"),
    "discipline": ("Disciplin", "Discipline"),
    "discipline_name": ("Disciplinens namn", "Discipline name"),
    "disciplines": ("Discipliner", "Disciplines"),
    "start": ("Start", "Start"),
    "end": ("T.o.m.", "Until (incl.)"),
    "weeks": ("Veckor", "Weeks"),
    "week_fmt": ("v{week} {year}", "{year}-W{week:02d}"),
    # plan grid
    "leave_cell": ("Ledig", "Leave"),
    "legend": ("Förklaring", "Legend"),
    "other": ("Övrigt", "Other"),
    "leave_legend": (
        "Ledig (föräldraledighet, sjukskrivning, tjänstledighet): förlänger blocket",
        "Leave (parental, sick, unpaid): extends the block",
    ),
    "vacation_legend": (
        "Prickad: semester (räknas som tjänstgöring)",
        "Dotted: vacation (counts as service)",
    ),
    "grid_note": (
        "Enhetens kortnamn står i placeringens första vecka; färgen visar disciplinen.",
        "The unit's short name is in the stint's first week; the colour shows the discipline.",
    ),
    "intro_cell": ("Intro", "Intro"),
    "intro_legend": (
        "Intro: introduktionsveckor (introduktion, kurser) utan enhet: räknas som tjänstgöring",
        "Intro: introduction weeks (introduction, courses) at no unit: count as service",
    ),
    "summer_legend": ("Sommarveckor (v. 26–32)", "Summer weeks (weeks 26–32)"),
    "stint_edge_legend": ("Mörk kant: en ny placering börjar",
                          "Dark edge: a new stint begins"),
    "today_legend": ("Röd linje: idag (--today)", "Red line: today (--today)"),
    "units_legend": ("Enheter (kortnamn: namn)", "Units (short name: name)"),
    "start_band": ("Start {day} ({week}): {n} AT/BT-läkare ({programmes})",
                   "Start {day} ({week}): {n} trainees ({programmes})"),
    # unit load
    "trainee_weeks": ("Läkarveckor", "Trainee-weeks"),
    "capacity_weeks": ("Kapacitetsveckor", "Capacity-weeks"),
    "utilisation": ("Beläggning", "Utilisation"),
    "total_placed": ("Totalt placerade", "Total placed"),
    "load_note": (
        "Cellen visar placerade/kapacitet den veckan (– = ingen gräns). "
        "Röd = över kapacitet, gul = full.",
        "Each cell shows placed/capacity that week (– = no limit). "
        "Red = over capacity, amber = full.",
    ),
    # requirements
    "requirement": ("Krav", "Requirement"),
    "kind": ("Typ", "Kind"),
    "kind_discipline": ("Disciplin", "Discipline"),
    "kind_group": ("Grupp", "Group"),
    "min_cal": ("Minst (kal.-veckor)", "Min (calendar weeks)"),
    "max_cal": ("Högst (kal.-veckor)", "Max (calendar weeks)"),
    "planned": ("Planerat (veckor)", "Planned (weeks)"),
    "result": ("Resultat", "Result"),
    "ok": ("OK", "OK"),
    "not_ok": ("Ej OK", "Not OK"),
    # run
    "field": ("Uppgift", "Item"),
    "value": ("Värde", "Value"),
    "instance": ("Instans", "Instance"),
    "n_trainees": ("Antal AT/BT-läkare", "Trainees"),
    "n_stints": ("Antal placeringar", "Stints"),
    "status": ("Status", "Status"),
    "objective": ("Målfunktion", "Objective"),
    "solver_objective": ("Lösarens eget målvärde", "Solver's own objective"),
    "bound": ("Undre gräns", "Bound"),
    "gap": ("Gap", "Gap"),
    "wall_time": ("Körtid (s)", "Wall time (s)"),
    "time_to_first": ("Tid till första plan (s)", "Time to first plan (s)"),
    "seed": ("Slumpfrö", "Seed"),
    "workers": ("Arbetstrådar", "Workers"),
    "time_limit": ("Tidsgräns (s)", "Time limit (s)"),
    "reproducible": ("Reproducerbar", "Reproducible"),
    "yes": ("Ja", "Yes"),
    "no": ("Nej", "No"),
    "method": ("Metod", "Method"),
    "input_hash": ("Indata-hash (SHA-256)", "Input hash (SHA-256)"),
    "violations": ("Regelbrott enligt kontrollen", "Checker violations"),
    "run_date": ("Arbetsboken skapad", "Workbook written"),
    "version": ("Version: {name}", "Version: {name}"),
    "terms": ("Termer i målfunktionen", "Objective terms"),
    "term": ("Term", "Term"),
    "unweighted": ("Ovägt värde", "Unweighted value"),
    "weight": ("Vikt", "Weight"),
    "weighted": ("Viktat bidrag", "Weighted contribution"),
    "violation_list": ("Regelbrott", "Violations"),
    "note_workers": (
        "Ej reproducerbar: flera arbetstrådar ({workers}); en ny körning kan ge en annan plan "
        "med samma eller nära samma målvärde.",
        "Not reproducible: several workers ({workers}); a new run may give a different plan "
        "with the same or a similar objective.",
    ),
    "note_wallclock": (
        "Ej reproducerbar: körningen stoppades av en tidsgräns på väggklocka; en ny körning kan "
        "ge en annan plan.",
        "Not reproducible: the run was stopped by a wall-clock time limit; a new run may give a "
        "different plan.",
    ),
    "note_optimal": (
        "Bevisat optimal: ingen plan har lägre målvärde. En ny körning kan ge en annan plan "
        "med samma målvärde.",
        "Proven optimal: no plan has a lower objective. A new run may give a different plan "
        "with the same objective.",
    ),
    # statuses and terms
    "status_optimal": ("Optimal plan (bevisat)", "Optimal plan (proven)"),
    "status_feasible": ("Giltig plan (ej bevisat optimal)", "Valid plan (not proven optimal)"),
    "status_infeasible": ("Omöjlig: ingen giltig plan finns", "Infeasible: no valid plan exists"),
    "status_no_plan_in_time": ("Ingen plan inom tidsgränsen", "No plan within the time limit"),
    "status_invalid_input": ("Ogiltig indata", "Invalid input"),
    "status_stopped": ("Avbruten: bästa kontrollerade planen hittills",
                       "Stopped: the best checked plan so far"),
    "term_unit_changes": ("Enhetsbyten", "Unit changes"),
    "term_fragmentation": ("Splittring", "Fragmentation"),
    "term_staffing_shortfall": ("Bemanningsunderskott", "Staffing shortfall"),
    "term_peak_utilisation": ("Högsta beläggning (%)", "Peak utilisation (%)"),
    "term_spacing": ("För tätt mellan starter (veckor)", "Starts too close (weeks)"),
    "term_wishes": ("Missade önskemål (3/2/1 per prio 1/2/3)",
                    "Wishes missed (3/2/1 by priority 1/2/3)"),
    "term_travel": ("Restid (10-minutersveckor)", "Travel (10-minute weeks)"),
    "term_worst": ("Sämst ställda AT/BT-läkarens kostnad", "Worst-off trainee's cost"),
    "term_change_cost": ("Ändringskostnad", "Change cost"),
    "term_capacity_overrun": ("AT/BT-veckor över kapaciteten", "Trainee-weeks over capacity"),
    # fairness: the mode the plan was made with
    "fairness_mode": ("Rättviseläge", "Fairness mode"),
    "fairness_off": ("av: bara summan", "off: the sum only"),
    "fairness_lexicographic": ("lexikografiskt: den sämst ställdas kostnad först, sedan summan",
                               "lexicographic: the worst-off trainee's cost first, then the sum"),
    "fairness_weighted": ("viktat: den sämst ställdas kostnad gånger vikten, plus summan",
                          "weighted: the worst-off trainee's cost times its weight, plus the sum"),
    # The solver's method, phrase by phrase (run.json keeps English; the Run sheet says it
    # in the workbook's language). Longer phrases first, so that none is cut by a shorter one.
    "method_01": (
        "konstruktion + reparation + omplanering en läkare i taget, räknat i arbete "
        "(reproducerbart)",
        "construction + repair + one-trainee re-plans counted in work (deterministic)",
    ),
    "method_02": (
        "första plan genom placering och reparation",
        "first plan by placement and repair",
    ),
    "method_03": ("grannskapssökning", "neighbourhood search"),
    "method_04": ("(två parallella spår)", "(two pipelines)"),
    "method_05": ("direkt undre gräns", "direct bound"),
    "method_06": ("intervallmodell för den undre gränsen", "interval model for the bound"),
    "method_07": ("intervallmodell (varmstart)", "interval model (warm start)"),
    "method_08": ("intervallmodell", "interval model"),
    "method_09": ("finslipning", "polish"),
    "method_10": (
        "omplanering: historiken låst, minsta ändring (grannskap, sedan alla), sedan",
        "re-plan: history fixed, least change (neighbourhood, then all), then",
    ),
    "method_11": ("enhetsbyten", "unit changes"),
    "method_12": ("räkning", "counting"),
    # the Excel table on the stints sheet
    "table_stints": ("Placeringar", "Stints"),
}
