"""The input workbook: reader messages (``workbook.schema.msg``), the template's setting
help (help_*) and instructions sheet (instructions_NN, one paragraph each), pseudonym keys.

Looked up as ``tr("workbook.<key>")``; values are (Swedish, English).
"""

TEXT: dict[str, tuple[str, str]] = {
    "where": ("{sheet}, rad {row}, {column}", "{sheet}, row {row}, {column}"),
    "where_row": ("{sheet}, rad {row}", "{sheet}, row {row}"),
    "not_xlsx": ("kan inte läsas som Excel-arbetsbok (.xlsx): {error}",
                 "cannot be read as an Excel workbook (.xlsx): {error}"),
    "not_xlsx_suffix": ("{suffix}-filer läses inte; spara arbetsboken som .xlsx (utan makron)",
                        "{suffix} files are not read; save the workbook as .xlsx (without "
                        "macros)"),
    "xml_attack": ("arbetsboken innehåller otillåten XML ({error}) och läses inte",
                   "the workbook contains forbidden XML ({error}) and is not read"),
    "too_big": ("arbetsboken packas upp till {size} MB, mer än gränsen {limit} MB",
                "the workbook unpacks to {size} MB, more than the limit of {limit} MB"),
    "no_defusedxml": ("paketet defusedxml krävs för att läsa arbetsböcker säkert",
                      "the defusedxml package is required to read workbooks safely"),
    "not_instance": ("arbetsboken saknar bladen {sheets}; skapa en mall med 'atbt template'",
                     "the workbook lacks the sheets {sheets}; create a template with "
                     "'atbt template'"),
    "too_many_rows": ("bladet har {rows} rader; högst {limit} läses",
                      "the sheet has {rows} rows; at most {limit} are read"),
    "no_rows": ("inga rader", "no rows"),
    "no_requirements": ("inga krav på bladet {sheet}", "no requirements on the sheet {sheet}"),
    "sheet_missing": ("bladet saknas", "the sheet is missing"),
    "column_missing": ("kolumnen '{column}' saknas i rad 1", "column '{column}' is missing "
                       "from row 1"),
    "column_twice": ("kolumnen '{column}' finns två gånger", "column '{column}' occurs twice"),
    "merged": ("sammanfogade celler ({ranges}) stöds inte; dela upp dem",
               "merged cells ({ranges}) are not supported; unmerge them"),
    "formula": ("cellen innehåller en formel ({formula}) utan sparat värde; skriv in värdet",
                "the cell holds a formula ({formula}) without a saved value; type in the value"),
    "required": ("värde saknas", "value missing"),
    "not_int": ("'{value}' är inte ett heltal", "'{value}' is not an integer"),
    "not_date": ("'{value}' är inte ett datum (ÅÅÅÅ-MM-DD)",
                 "'{value}' is not a date (YYYY-MM-DD)"),
    "not_bool": ("'{value}' ska vara ja eller nej", "'{value}' must be yes or no"),
    "not_code": ("'{value}' är inte ett giltigt id (bokstäver, siffror, _ . + -)",
                 "'{value}' is not a valid id (letters, digits, _ . + -)"),
    # as the issue words it; the instructions sheet explains 'obegränsad'
    "not_capacity": ("'{value}' är inte ett heltal", "'{value}' is not an integer"),
    "not_leave_kind": ("'{value}' är ingen ledighetstyp ({kinds})",
                       "'{value}' is not a kind of leave ({kinds})"),
    "not_kind": ("'{value}' ska vara AT, BT eller other", "'{value}' must be AT, BT or other"),
    "not_wish_kind": ("'{value}' är ingen typ av önskemål ({kinds})",
                      "'{value}' is not a kind of wish ({kinds})"),
    "unknown_setting": ("okänd inställning '{value}'", "unknown setting '{value}'"),
    "setting_twice": ("inställningen '{value}' finns två gånger",
                      "the setting '{value}' occurs twice"),
    "setting_missing": ("inställningen '{value}' saknas", "the setting '{value}' is missing"),
    "unknown_ruleset": ("regelverket '{value}' finns inte bland {choices}",
                        "rule set '{value}' is not one of {choices}"),
    "ruleset_id": ("regelverket '{file}' har id '{id}', inte '{value}'",
                   "rule set '{file}' has id '{id}', not '{value}'"),
    "ruleset_differs": ("regelverket '{file}' anger {value}; töm cellen eller regelverkscellen "
                        "för att definiera programmet här",
                        "rule set '{file}' says {value}; clear this cell or the rule-set cell "
                        "to define the programme here"),
    "ruleset_rows": ("programmet '{id}' kommer från regelverket '{file}'; dess krav står där",
                     "programme '{id}' comes from rule set '{file}'; its requirements are "
                     "defined there"),
    "target_without_count": ("datum för bemanningsmål utan antal",
                             "staffing target dates without a number"),
    "cohort_member": ("'{value}' tillhör kohorten '{cohort}'; ledighet och låsta placeringar "
                      "anges för enskilda AT/BT-läkare (bladet {sheet})",
                      "'{value}' belongs to cohort '{cohort}'; leave and locked stints are "
                      "given for individual trainees (sheet {sheet})"),
    "not_member": ("'{value}' är ingen medlem av en kohort (id:n är KOHORT-01, KOHORT-02, …)",
                   "'{value}' is not a member of a cohort (ids are COHORT-01, COHORT-02, …)"),
    "duplicate": ("'{value}' förekommer två gånger (även rad {other})",
                  "'{value}' occurs twice (also row {other})"),
    "at_least": ("{value} är för litet: minst {limit}", "{value} is too small: at least {limit}"),
    "at_most": ("{value} är för stort: högst {limit}", "{value} is too large: at most {limit}"),
    "illegal_char": ("texten innehåller tecken som inte kan sparas i Excel: {value}",
                     "the text holds characters Excel cannot store: {value}"),
    # help on the Settings sheet, per setting
    "help_name": ("Regionens och periodens namn", "Name of the region and period"),
    "help_description": ("Fri text", "Free text"),
    "help_assumptions": ("Antaganden om kapacitet m.m., i ord", "Capacity and other assumptions"),
    "help_horizon_start": (
        "Planeringsperiodens första måndag",
        "First Monday of the planning period",
    ),
    "help_horizon_end": ("Måndagen efter periodens sista vecka", "The Monday after the last week"),
    "help_today": (
        "Sätts av omplanering: veckor före detta datum har redan hänt (kan vara tom)",
        "Set by re-planning: weeks before this date have happened (may be empty)",
    ),
    "help_unit_changes": (
        "Straff per byte av enhet inom ett block (standard 10)",
        "Penalty per change of unit within a block (default 10)",
    ),
    "help_fragmentation": (
        "Straff per vecka som splittrar en disciplin (standard 5)",
        "Penalty per week that splits a discipline (default 5)",
    ),
    "help_staffing_shortfall": (
        "Straff per AT/BT-vecka under en enhets bemanningsmål (standard 2)",
        "Penalty per trainee-week below a unit's staffing target (default 2)",
    ),
    "help_peak_utilisation": (
        "Straff per procentenhet av den mest belastade enhetens beläggning (standard 1)",
        "Penalty per percentage point of the busiest unit's utilisation (default 1)",
    ),
    "help_wishes": (
        "Straff per missat önskemål, gånger 3/2/1 för prioritet 1/2/3 (standard 10)",
        "Penalty per wish missed, times 3/2/1 for priority 1/2/3 (default 10)",
    ),
    "help_travel": (
        "Straff per placeringsvecka och påbörjade 10 minuters restid (standard 1)",
        "Penalty per stint-week and started 10 minutes of travel (default 1)",
    ),
    "help_worst": (
        "Med rättvisa 'weighted': straff per poäng av den sämst ställdas kostnad",
        "With fairness 'weighted': penalty per point of the worst-off trainee's cost",
    ),
    "help_spacing": (
        "Straff per vecka som två på varandra följande starter på en enhet med minsta veckor "
        "mellan starter ligger för tätt (standard 1)",
        "Penalty per week two consecutive starts at a unit with a minimum gap between starts lie "
        "too close (default 1)",
    ),
    "help_fairness": (
        "off (bara summan), lexicographic (den sämst ställda först) eller weighted",
        "off (the sum only), lexicographic (the worst-off first) or weighted",
    ),
    # the Instructions sheet, one paragraph per row
    "instructions_01": (
        "Planeringsunderlag för atbt-scheduler",
        "Planning input for atbt-scheduler",
    ),
    "instructions_02": ("", ""),
    "instructions_03": (
        "Fyll i bladen och kör sedan:  atbt solve ARBETSBOK.xlsx --out MAPP",
        "Fill in the sheets, then run:  atbt solve WORKBOOK.xlsx --out FOLDER",
    ),
    "instructions_04": (
        "Rad 1 på varje blad är rubriker: ändra dem inte. En post per rad; tomma rader och extra "
        "kolumner till höger hoppas över. Slå inte ihop (sammanfoga) celler, och skriv värden, "
        "inte formler.",
        "Row 1 of every sheet holds the headers: do not change them. One entry per row; empty "
        "rows and extra columns to the right are skipped. Do not merge cells, and type values, "
        "not formulas.",
    ),
    "instructions_05": (
        "Datum skrivs ÅÅÅÅ-MM-DD (som datum eller text) och ska vara måndagar. Perioder är "
        "[från, till): 'Till (exkl.)' är måndagen efter sista veckan.",
        "Dates are YYYY-MM-DD (as dates or text) and must be Mondays. Periods are [from, until): "
        "'Until (excl.)' is the Monday after the last week.",
    ),
    "instructions_06": (
        "Rullistorna visar id från de andra bladen; lägg först till orten, enheten, programmet "
        "eller AT/BT-läkaren på sitt blad.",
        "The drop-down lists show the ids from the other sheets; add the site, unit, programme "
        "or trainee on its own sheet first.",
    ),
    "instructions_07": (
        "Flera värden i en cell (discipliner, program) skiljs med kommatecken: medicin, akut.",
        "Several values in one cell (disciplines, programmes) are separated by commas: medicin, "
        "akut.",
    ),
    "instructions_08": ("", ""),
    "instructions_09": (
        "Inställningar: namn, planeringshorisont och målfunktionens vikter.",
        "Settings: name, planning horizon and the weights of the objective.",
    ),
    "instructions_10": (
        "Program: ett program per rad. Välj ett regelverk (en fil i constraints/) i kolumnen "
        "'Regelverk (fil)'; de övriga kolumnerna visar då regelverkets innehåll. Lämna "
        "regelverket tomt för att definiera ett eget program: fyll då i kolumnerna och dess krav "
        "på bladen Programkrav och Gruppkrav. Introduktionsveckor: blockets första veckor "
        "(introduktion, kurser) som räknas som tjänstgöring men inte är placeringar.",
        "Programmes: one programme per row. Choose a rule set (a file in constraints/) in the "
        "column 'Rule set (file)'; the other columns then show its content. Leave the rule set "
        "empty to define a programme of your own: fill in the columns and its requirements on "
        "the sheets Requirements and Group requirements. Introduction weeks: the block's first "
        "weeks (introduction, courses) that count as service but are no placement.",
    ),
    "instructions_11": (
        "Orter: sjukhus eller orter. AT/BT-läkare placeras på sjukhusenheter på sin hemort.",
        "Sites: hospitals or towns. Trainees are placed at hospital units of their home site.",
    ),
    "instructions_12": (
        "Enheter: kliniker och vårdcentraler. Hela regionen = ja för enheter som tar emot "
        "AT/BT-läkare från alla orter (psykiatri, vårdcentraler). Kapacitet = antal AT/BT-läkare "
        "som kan handledas samtidigt, eller 'obegränsad'. Minst/Högst = placeringens längd i "
        "veckor. Program: tomt = alla, 'inga' = inget. Bemanningsmål: antal AT/BT-läkare som "
        "enheten vill ha varje vecka (mjukt krav), med valfria datum. Tar även emot från orter: "
        "orter utöver den egna vars AT/BT-läkare enheten tar emot (upptagningsområde, t.ex. FAL, "
        "LUD). Minst/Högst är heltidsveckor som förlängs vid deltid (4 veckor vid 50 % = 8 "
        "kalenderveckor); ja i 'Längd i kalenderveckor även vid deltid' behåller dem.",
        "Units: clinics and primary care centres. Region-wide = yes for units open to trainees "
        "of every site (psychiatry, primary care). Capacity = trainees supervised at once, or "
        "'unlimited'. Min/Max = stint length in weeks. Programmes: empty = all, 'none' = none. "
        "Staffing target: trainees the unit wants every week (soft), with optional dates. Also "
        "takes from sites: sites besides its own whose trainees the unit takes (a catchment, "
        "e.g. FAL, LUD). Min/Max are full-time weeks, stretched at part time (4 weeks at 50 % = "
        "8 calendar weeks); yes in 'Lengths in calendar weeks' keeps them.",
    ),
    "instructions_13": (
        "Kapacitetsändringar: kapacitet under en period (t.ex. sommar); den sista matchande "
        "raden gäller.",
        "Capacity changes: capacity during a period (e.g. summer); the last matching row wins.",
    ),
    "instructions_14": (
        "Placeringslängder: placeringslängd per program, i stället för enhetens Minst/Högst.",
        "Stint lengths: stint length per programme, replacing the unit's Min/Max.",
    ),
    "instructions_15": (
        "Platser per program: högst så många av programmets AT/BT-läkare samtidigt på enheten "
        "(t.ex. högst 2 AT av 4 platser), och platser reserverade för programmet som andra "
        "program inte får använda (t.ex. 1 för BT).",
        "Seats per programme: at most this many of the programme's trainees at the unit at once "
        "(e.g. at most 2 AT of 4 seats), and seats reserved for the programme that other "
        "programmes may not use (e.g. 1 for BT).",
    ),
    "instructions_16": (
        "Kohorter: ett intag av likadana AT/BT-läkare; de får id KOHORT-01, KOHORT-02, …",
        "Cohorts: an intake of identical trainees; they get ids COHORT-01, COHORT-02, ...",
    ),
    "instructions_17": (
        "Kohortmedlemmar: en medlem av en kohort som skiljer sig från de andra (ort, "
        "sysselsättningsgrad, slutar, namn när hen anställts); hens ledighet och låsta "
        "placeringar anges under id:t (KOHORT-02) på bladen Ledighet och Låsta placeringar.",
        "Cohort members: a member of a cohort who differs from the others (site, part time, "
        "leaves on, name once hired); their leave and locked stints go on the sheets Leave and "
        "Locked stints under the member's id (COHORT-02).",
    ),
    "instructions_18": (
        "AT-BT-läkare: enskilda AT/BT-läkare. Namn är personuppgifter och behövs inte för att "
        "planera; lämna tomt om möjligt. Sysselsättningsgrad 50–100 (tomt = 100).",
        "Trainees: individual trainees. Names are personal data and not needed to plan; leave "
        "empty if you can. Part time 50-100 (empty = 100).",
    ),
    "instructions_19": (
        "Ledighet: semester räknas som tjänstgöring; föräldraledighet, sjukskrivning och "
        "tjänstledighet förlänger blocket.",
        "Leave: vacation counts as service; parental leave, sick leave and unpaid leave extend "
        "the block.",
    ),
    "instructions_20": (
        "Låsta placeringar: placeringar som redan är bestämda och ska behållas.",
        "Locked stints: stints already decided that the plan must keep.",
    ),
    # pseudonym keys (``workbook.pseudonym``)
    "pseudonym_short": (
        "{source}: pseudonymnyckeln är {n} byte; minst {most} krävs (en tom eller kort nyckel "
        "låter vem som helst räkna fram koderna)",
        "{source}: the pseudonym key is {n} bytes; at least {most} are needed (with an empty or "
        "short key anyone can compute the codes)",
    ),
    "pseudonym_differs": (
        "planen är pseudonymiserad med en annan nyckel än den som används nu ({source}); använd "
        "samma nyckel som vid 'atbt solve --pseudonymize'",
        "the plan was pseudonymised with another key than the one in use now ({source}); use the "
        "key of 'atbt solve --pseudonymize'",
    ),
    # the error of a drop-down list
    "pick_from_list": ("Välj ett värde ur listan", "Choose a value from the list"),
}
