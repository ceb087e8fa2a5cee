"""Reading plans as coordinators edit them (``scheduler.plan_readers``).

Looked up as ``tr("plan_reader.<key>")``; values are (Swedish, English).
"""

TEXT: dict[str, tuple[str, str]] = {
    "not_date": ("{col}: '{value}' är inget datum (ÅÅÅÅ-MM-DD)",
                 "{col}: '{value}' is not a date (YYYY-MM-DD)"),
    "not_int": ("{col}: '{value}' är inget heltal", "{col}: '{value}' is not a whole number"),
    "empty": ("{col} saknas", "{col} is missing"),
    "weeks": ("Veckor är {weeks} men {start}–{end} är {actual} veckor",
              "Weeks is {weeks} but {start}–{end} is {actual} weeks"),
    "no_sheet": ("arbetsboken har inget blad Placeringar (Stints)",
                 "the workbook has no sheet Placeringar (Stints)"),
    "not_plan_workbook": ("kan inte läsa arbetsboken: {error}",
                          "cannot read the workbook: {error}"),
    "encoding": ("filen är varken UTF-8 eller Windows-1252-text",
                 "the file is neither UTF-8 nor Windows-1252 text"),
    "sheet_row": ("{sheet}, rad {row}: {detail}", "{sheet}, row {row}: {detail}"),
}
