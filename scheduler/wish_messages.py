"""Messages of wishes, travel and fairness (sv, en), added to ``scheduler.i18n``."""

from scheduler.i18n import MESSAGES

MESSAGES.update({
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
})
