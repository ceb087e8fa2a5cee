"""Validation, plan-file, checker, wish and fairness messages: the default area, so
``tr(key)`` needs no area for them.

Looked up as ``tr("messages.<key>")``; values are (Swedish, English).
"""

TEXT: dict[str, tuple[str, str]] = {
    # input validation
    "not_monday": ("{value} är inte en måndag", "{value} is not a Monday"),
    "end_before_start": (
        "slutet ({end}) måste ligga efter början ({start})",
        "end ({end}) must be after start ({start})",
    ),
    "duplicate_id": ("id '{id}' förekommer flera gånger", "id '{id}' occurs more than once"),
    "not_cohort_member": ("'{id}' är ingen medlem av kohorten '{cohort}' ({first} … {last})",
                          "'{id}' is not a member of cohort '{cohort}' ({first} … {last})"),
    "unknown_ref": ("{kind_sv} '{id}' finns inte", "unknown {kind} '{id}'"),
    "unit_no_discipline": (
        "enheten '{unit}' kan inte tillgodoräknas som '{discipline}'",
        "unit '{unit}' cannot be credited as '{discipline}'",
    ),
    "min_gt_max": (
        "minimum ({min}) är större än maximum ({max})",
        "minimum ({min}) is larger than maximum ({max})",
    ),
    "part_time_range": (
        "sysselsättningsgraden måste vara 50–100 %, inte {value}",
        "part-time must be 50–100 %, not {value}",
    ),
    "no_unit_for_requirement": (
        "programmet '{programme}' kräver {weeks} veckor {discipline}, men ingen enhet som tar emot "
        "programmet på orten '{site}' kan tillgodoräknas som {discipline}",
        "programme '{programme}' needs {weeks} weeks of {discipline}, but no unit that accepts "
        "the programme at site '{site}' can be credited as {discipline}",
    ),
    "requirements_exceed_length": (
        "programmet '{programme}' kräver minst {need} veckor men blocket är {length} veckor",
        "programme '{programme}' needs at least {need} weeks but the block is {length} weeks",
    ),
    "block_outside_horizon": (
        "blocket för '{trainee}' slutar {end}, efter planeringshorisonten ({horizon_end})",
        "the block of '{trainee}' ends {end}, after the planning horizon ({horizon_end})",
    ),
    "block_before_horizon": (
        "blocket för '{trainee}' börjar {start}, före planeringshorisonten ({horizon_start})",
        "the block of '{trainee}' starts {start}, before the planning horizon ({horizon_start})",
    ),
    "locked_not_eligible": (
        "'{trainee}' kan inte placeras på enheten '{unit}' (annan ort eller annat program)",
        "'{trainee}' cannot be placed at unit '{unit}' (another site or programme)",
    ),
    "locked_outside_block": (
        "den låsta placeringen ligger utanför blocket för '{trainee}' ({start} – {end})",
        "the locked stint lies outside the block of '{trainee}' ({start} – {end})",
    ),
    "opening_too_long": (
        "starts_with ({weeks} veckor) måste vara kortare än blocket ({length} veckor)",
        "starts_with ({weeks} weeks) must be shorter than the block ({length} weeks)",
    ),
    "file_not_found": ("filen finns inte", "file not found"),
    "yaml_error": ("kan inte läsas som YAML: {error}", "cannot be read as YAML: {error}"),
    "not_a_mapping": (
        "ska vara en mappning (nyckel: värde)",
        "must be a mapping (key: value)",
    ),
    "programme_file_not_found": (
        "programfilen '{path}' finns inte",
        "programme file '{path}' not found",
    ),
    "field_missing": ("fältet saknas", "field is missing"),
    "field_extra": ("okänt fält", "unknown field"),
    "invalid_int": ("'{value}' är inte ett heltal", "'{value}' is not an integer"),
    "invalid_date": (
        "'{value}' är inte ett datum (ÅÅÅÅ-MM-DD)",
        "'{value}' is not a date (YYYY-MM-DD)",
    ),
    "invalid_value": ("ogiltigt värde: {detail}", "invalid value: {detail}"),
    # hardening: lists, unknown names, control characters, ranges, input size
    "duplicate_in_list": (
        "'{id}' står flera gånger i listan", "'{id}' occurs more than once in the list"),
    "unknown_discipline": (
        "disciplinen '{id}' finns inte i något program{hint}",
        "discipline '{id}' is not in any programme{hint}"),
    "did_you_mean": (" (menar du '{name}'?)", " (did you mean '{name}'?)"),
    # clashes named with both entries, confined paths, encodings, new unit rules
    "leave_overlap": (
        "ledigheten {a} ({a_start} – {a_end}) överlappar {b} ({b_start} – {b_end})",
        "the leave {a} ({a_start} – {a_end}) overlaps {b} ({b_start} – {b_end})",
    ),
    "locked_overlap": (
        "den låsta placeringen {a} ({a_start} – {a_end}) överlappar {b} ({b_start} – {b_end})",
        "the locked stint {a} ({a_start} – {a_end}) overlaps {b} ({b_start} – {b_end})",
    ),
    "locked_on_leave": (
        "den låsta placeringen {a} ({a_start} – {a_end}) ligger under {leave_kind} {b} "
        "({b_start} – {b_end}), som inte är tjänstgöring",
        "the locked stint {a} ({a_start} – {a_end}) lies in {leave_kind} {b} "
        "({b_start} – {b_end}), which is not service",
    ),
    "locked_in_introduction": (
        "den låsta placeringen {a} ligger i blockets introduktionsveckor (veckan {week}; "
        "{programme} börjar med {weeks} introduktionsveckor på ingen enhet)",
        "the locked stint {a} lies in the block's introduction weeks (the week of {week}; "
        "{programme} opens with {weeks} introduction weeks at no unit)",
    ),
    "duplicate_key": (
        "nyckeln '{name}' står två gånger i samma mappning (rad {first} och rad {line}); "
        "ta bort den ena",
        "the key '{name}' occurs twice in one mapping (line {first} and line {line}); "
        "remove one",
    ),
    "not_utf8": (
        "filen är inte UTF-8 (den verkar vara {guess}); spara som UTF-8 och försök igen",
        "the file is not UTF-8 (it looks like {guess}); save as UTF-8 (spara som UTF-8) "
        "and try again",
    ),
    "programme_path_outside": (
        "programfilen '{path}' ligger utanför instansens mapp och constraints/; lägg den där",
        "the programme file '{path}' lies outside the instance's folder and constraints/; "
        "put it there",
    ),
    "takes_from_with_region_wide": (
        "takes_from och region_wide: true motsäger varandra; ange det ena",
        "takes_from and region_wide: true contradict each other; give one of them",
    ),
    "seats_over_capacity": (
        "reserverade platser ({reserved}) är fler än kapaciteten ({capacity})",
        "reserved seats ({reserved}) exceed the capacity ({capacity})",
    ),
    "control_char": (
        "texten innehåller ett styrtecken (U+{code:04X}), som inte är tillåtet",
        "the text contains a control character (U+{code:04X}), which is not allowed"),
    "out_of_range": (
        "{value} ligger utanför det tillåtna intervallet {lo}–{hi}",
        "{value} is outside the allowed range {lo}–{hi}"),
    "date_out_of_range": (
        "{value} ligger utanför åren {lo}–{hi}", "{value} is outside the years {lo}–{hi}"),
    "horizon_too_long": (
        "planeringshorisonten är {weeks} veckor; högst {most} (10 år) är tillåtet",
        "the horizon is {weeks} weeks; at most {most} (10 years) is allowed"),
    "input_too_large": (
        "filen är {size} byte; högst {most} byte läses",
        "the file is {size} bytes; at most {most} bytes are read"),
    # pydantic's error types in the user's language (scheduler.inputs.yaml_io.pydantic_problems)
    "pd_string_type": ("'{value}' ska vara text", "'{value}' must be text"),
    "pd_model_type": ("'{value}' ska vara en post med fält (nyckel: värde)",
                      "'{value}' must be an entry with fields (key: value)"),
    "pd_dict_type": ("'{value}' ska vara en tabell (nyckel: värde)",
                     "'{value}' must be a mapping (key: value)"),
    "pd_list_type": ("'{value}' ska vara en lista", "'{value}' must be a list"),
    "pd_bool": ("'{value}' ska vara true eller false", "'{value}' must be true or false"),
    "pd_ge": ("{value} är mindre än det minsta tillåtna, {limit}",
              "{value} is less than the least allowed, {limit}"),
    "pd_le": ("{value} är större än det största tillåtna, {limit}",
              "{value} is larger than the largest allowed, {limit}"),
    "pd_str_short": ("texten får inte vara tom", "the text must not be empty"),
    "pd_str_long": ("texten är längre än {limit} tecken", "the text is longer than {limit} "
                    "characters"),
    "pd_too_short": ("listan ska ha minst {limit} poster", "the list needs at least {limit} "
                     "entries"),
    "pd_pattern": ("'{value}' får bara innehålla bokstäver, siffror och _ . + - och börja med "
                   "en bokstav eller siffra",
                   "'{value}' may hold only letters, digits and _ . + - and must start with a "
                   "letter or digit"),
    "pd_literal": ("'{value}' ska vara ett av: {expected}", "'{value}' must be one of: "
                   "{expected}"),
    "yaml_too_many_nodes": (
        "filen växer till fler än {most} värden när alias (*namn) expanderas",
        "the file expands to more than {most} values when aliases (*name) are expanded"),
    # plan file
    "plan_bad_header": (
        "kolumnerna ska vara exakt {expected}, inte {found}",
        "columns must be exactly {expected}, not {found}",
    ),
    "plan_bad_row": ("rad {row}: {detail}", "row {row}: {detail}"),
    "plan_csv_error": ("filen kan inte läsas som CSV: {error}", "not readable as CSV: {error}"),
    "plan_row_columns": ("{n} kolumner, ska vara {need}", "{n} columns, must be {need}"),
    "plan_weeks_mismatch": (
        "weeks={weeks}, men {start}–{end} är {n} veckor",
        "weeks={weeks}, but {start}..{end} is {n} weeks"),
    # plan checker (scheduler/verify/): one line per violation, in the coordinator's words
    "chk_when_one": ("v. {week}", "week {week}"),
    "chk_when_many": ("v. {week} ({n} veckor)", "week {week} ({n} weeks)"),
    "chk_at_part_time": (" (vid {p} % tjänstgöring)", " (at {p} % part time)"),
    "chk_unknown_trainee": (
        "{unit} {when}: placeringen gäller en okänd AT/BT-läkare '{trainee}'",
        "{unit} {when}: the stint is for an unknown trainee '{trainee}'",
    ),
    "chk_unknown_unit": (
        "{trainee} {when}: placerad vid en okänd enhet '{unit}'",
        "{trainee} {when}: placed at an unknown unit '{unit}'",
    ),
    "chk_wrong_programme": (
        "{trainee} {when}: placeringen anger programmet '{found}' men läkaren går {expected}",
        "{trainee} {when}: the stint names programme '{found}' but the trainee is in {expected}",
    ),
    "chk_wrong_site": (
        "{trainee} {when}: placeringen vid {unit} anger orten '{found}' men enheten hör till "
        "{expected}",
        "{trainee} {when}: the stint at {unit} names site '{found}' but the unit belongs to "
        "{expected}",
    ),
    "chk_bad_dates": (
        "{trainee}: placeringen vid {unit} {start}–{end} måste börja och sluta på en måndag och "
        "sluta efter att den börjat",
        "{trainee}: the stint at {unit} {start} to {end} must start and end on a Monday and end "
        "after it starts",
    ),
    "chk_gap": (
        "{trainee} {when}: ingen placering fast veckorna ingår i blocket",
        "{trainee} {when}: no stint although the weeks are part of the block",
    ),
    "chk_overlap": (
        "{trainee} {when}: flera placeringar samtidigt ({units})",
        "{trainee} {when}: several stints at the same time ({units})",
    ),
    "chk_in_introduction": (
        "{trainee} {when}: placerad vid {units} under blockets introduktionsveckor (de "
        "första {weeks} veckorna, på ingen enhet)",
        "{trainee} {when}: placed at {units} during the block's introduction weeks (the "
        "first {weeks} weeks, at no unit)",
    ),
    "chk_on_leave": (
        "{trainee} {when}: placerad vid {units} under ledighet som förlänger blocket",
        "{trainee} {when}: placed at {units} during leave that extends the block",
    ),
    "chk_outside_block": (
        "{trainee} {when}: placerad vid {units} utanför blocket (v. {first}–{last})",
        "{trainee} {when}: placed at {units} outside the block (weeks {first} to {last})",
    ),
    "chk_unit_programme": (
        "{trainee} {when}: {unit} tar inte emot programmet {programme}",
        "{trainee} {when}: {unit} does not take programme {programme}",
    ),
    "chk_seats_programme": (
        "{unit} {when}: {load} läkare i {programme}, men högst {capacity} platser för "
        "{programme} (capacity_by_programme)",
        "{unit} {when}: {load} trainees of {programme}, but at most {capacity} seats for "
        "{programme} (capacity_by_programme)",
    ),
    "chk_seats_reserved": (
        "{unit} {when}: {load} läkare utöver sina programs reserverade platser ({reserved}), "
        "men bara {capacity} oreserverade platser",
        "{unit} {when}: {load} trainees beyond their programmes' reserved seats ({reserved}), "
        "but only {capacity} unreserved seats",
    ),
    "chk_unit_home_site": (
        "{trainee} {when}: {unit} ligger på {unit_site} men läkaren är anställd på {site}, och "
        "enheten tar inte emot läkare därifrån (inte hela regionen, inte i takes_from)",
        "{trainee} {when}: {unit} is at {unit_site} but the trainee's home site is {site}, and "
        "the unit takes no trainees from there (not region-wide, not in takes_from)",
    ),
    "chk_unit_discipline": (
        "{trainee} {when}: {unit} kan inte tillgodoräknas som {discipline}",
        "{trainee} {when}: {unit} cannot be credited as {discipline}",
    ),
    "chk_programme_discipline": (
        "{trainee} {when}: {discipline} ingår inte i programmet {programme}",
        "{trainee} {when}: {discipline} is not part of programme {programme}",
    ),
    "chk_stint_short": (
        "{trainee} {when}: placeringen vid {unit} är {weeks} veckor, kortare än enhetens minimum "
        "{min} veckor",
        "{trainee} {when}: the stint at {unit} is {weeks} weeks, shorter than the unit's minimum "
        "of {min} weeks",
    ),
    "chk_stint_long": (
        "{trainee} {when}: placeringen vid {unit} är {weeks} veckor, längre än enhetens maximum "
        "{max} veckor",
        "{trainee} {when}: the stint at {unit} is {weeks} weeks, longer than the unit's maximum "
        "of {max} weeks",
    ),
    "chk_requirement_min": (
        "{trainee}: {weeks} veckor {discipline}, men {programme} kräver minst {need} "
        "veckor{part}",
        "{trainee}: {weeks} weeks of {discipline}, but {programme} requires at least {need} "
        "weeks{part}",
    ),
    "chk_requirement_max": (
        "{trainee}: {weeks} veckor {discipline}, men {programme} tillåter högst {need} "
        "veckor{part}",
        "{trainee}: {weeks} weeks of {discipline}, but {programme} allows at most {need} "
        "weeks{part}",
    ),
    "chk_capacity": (
        "{unit} {when}: {load} AT/BT-läkare placerade men kapaciteten är {capacity}",
        "{unit} {when}: {load} trainees placed but the capacity is {capacity}",
    ),
    "chk_capacity_peak": (
        "{unit} {when}: som mest {load} AT/BT-läkare placerade (v. {peak}) men kapaciteten är "
        "{capacity}",
        "{unit} {when}: up to {load} trainees placed (week {peak}) but the capacity is {capacity}",
    ),
    "chk_locked_missing": (
        "{trainee} {when}: den låsta placeringen vid {unit} ({discipline}) saknas i planen eller "
        "har ändrats",
        "{trainee} {when}: the locked stint at {unit} ({discipline}) is missing from the plan or "
        "was changed",
    ),
    "chk_starts_missing": (
        "{trainee} {when}: blocket ska börja med {weeks} veckor {discipline}, men ingen placering "
        "börjar blockets första vecka",
        "{trainee} {when}: the block must open with {weeks} weeks of {discipline}, but no stint "
        "starts in the block's first week",
    ),
    "chk_starts_discipline": (
        "{trainee} {when}: blocket ska börja med {discipline}, men första placeringen är {found}",
        "{trainee} {when}: the block must open with {discipline}, but the first stint is {found}",
    ),
    "chk_starts_weeks": (
        "{trainee} {when}: första placeringen ska vara exakt {weeks} veckor, men är {found}",
        "{trainee} {when}: the first stint must be exactly {weeks} weeks, but is {found}",
    ),
    "chk_starts_same_unit": (
        "{trainee} {when}: första placeringen ({unit}) ska vara på samma enhet som den sista "
        "({last_unit})",
        "{trainee} {when}: the first stint ({unit}) must be at the same unit as the last one "
        "({last_unit})",
    ),
    "chk_repeat": (
        "{trainee}: en andra placering på {unit} som {discipline} ({when}); varje enhet och "
        "disciplin planeras en gång per block",
        "{trainee}: a second stint at {unit} as {discipline} ({when}); each unit and discipline "
        "is planned once per block",
    ),
    "chk_ends_with": (
        "{trainee} {when}: blocket ska sluta med {discipline}, men sista placeringen är {found}",
        "{trainee} {when}: the block must end with {discipline}, but the last stint is {found}",
    ),
    # re-planning: history before --today, trainees who leave
    "chk_frozen": (
        "{trainee} {when}: planen före {today} får inte ändras (var {expected}, är nu {found})",
        "{trainee} {when}: the plan before {today} must not change (was {expected}, now "
        "{found})",
    ),
    "leaves_before_start": (
        "'{trainee}' kan inte sluta ({leaves_on}) före blockets start ({start})",
        "'{trainee}' cannot leave ({leaves_on}) before the block starts ({start})",
    ),
    # wishes, travel and fairness
    "wish_needs": ("ett önskemål av typen '{kind}' behöver fältet '{field}'",
                   "a wish of kind '{kind}' needs the field '{field}'"),
    "wish_unit_not_eligible": (
        "enheten '{unit}' tar inte emot {trainee} (annan ort eller annat program): önskemålet "
        "kan aldrig uppfyllas",
        "unit '{unit}' does not take {trainee} (another site or programme): the wish can "
        "never be met"),
    "wish_no_discipline": (
        "'{discipline}' ingår inte i {trainee}s program eller ges inte av enheten '{unit}'",
        "'{discipline}' is not in {trainee}'s programme or not credited by unit '{unit}'"),
    "wish_date_outside": (
        "datumet {date} ligger utanför {trainee}s block ({start} till {end})",
        "the date {date} lies outside {trainee}'s block ({start} to {end})"),
    "wish_twice": ("samma önskemål finns två gånger för {trainee}",
                   "the same wish occurs twice for {trainee}"),
    "bad_fairness": ("--fairness: '{value}' ska vara off, lexicographic eller weighted",
                     "--fairness: '{value}' must be off, lexicographic or weighted"),
    # reasons (reports)
    "wish_granted": ("beviljat", "granted"),
    "wish_full": ("{unit} full v. {weeks}: {n} placerade, kapacitet {cap}",
                  "{unit} full weeks {weeks}: {n} placed, capacity {cap}"),
    "wish_tradeoff": ("ej beviljat: det hade kostat mer än det gav ({what})",
                      "not granted: it would have cost more than it gave ({what})"),
    "wish_avoid_full": ("andra enheter för {discipline} var fulla när {trainee} behövde dem",
                        "other units for {discipline} were full when {trainee} needed them"),
    "wish_text_prefer": ("vill till {unit}{disc}", "wants {unit}{disc}"),
    "wish_text_avoid": ("vill undvika {unit}{disc}", "wants to avoid {unit}{disc}"),
    "wish_text_before": ("{discipline} före {date}", "{discipline} before {date}"),
    "wish_text_first": ("{discipline} först", "{discipline} first"),
    # the Swedish noun of a referenced kind ({kind_sv} in 'unknown_ref')
    "kind_site": ("orten", "site"),
    "kind_programme": ("programmet", "programme"),
    "kind_unit": ("enheten", "unit"),
    "kind_discipline": ("disciplinen", "discipline"),
    "kind_trainee": ("AT/BT-läkaren", "trainee"),
}
