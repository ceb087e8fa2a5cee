"""Display names of disciplines (code -> name); ``discipline_name`` falls back to the code.

Looked up as ``tr("disciplines.<key>")``; values are (Swedish, English).
"""

TEXT: dict[str, tuple[str, str]] = {
    "medicin": ("Invärtesmedicin", "Internal medicine"),
    "kirurgi": ("Kirurgi", "Surgery"),
    "psykiatri": ("Psykiatri", "Psychiatry"),
    "allmanmedicin": ("Allmänmedicin", "General practice"),
    "akut": ("Akut sjukvård", "Acute care"),
    "valfri": ("Valfri placering", "Elective"),
    "forskning": ("Forskning", "Research"),
    "pedagogik": ("Pedagogik", "Pedagogy"),
    "ledighet": ("Ledighet", "Leave"),
}
