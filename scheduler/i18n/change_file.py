"""The change file of a re-plan (``scheduler.inputs.changes``).

Looked up as ``tr("change_file.<key>")``; values are (Swedish, English).
"""

TEXT: dict[str, tuple[str, str]] = {
    "before_today": ("{what} börjar {start}, före --today ({today}): det förflutna planeras "
                     "inte om",
                     "{what} starts {start}, before --today ({today}): the past is not "
                     "re-planned"),
    "unknown_trainee": ("AT/BT-läkaren '{id}' finns inte i instansen",
                        "trainee '{id}' is not in the instance"),
    "unknown_unit": ("enheten '{id}' finns inte i instansen", "unit '{id}' is not in the instance"),
    "duplicate": ("AT/BT-läkaren '{id}' finns redan", "trainee '{id}' already exists"),
    "not_mapping": ("filen ska vara en YAML-mapp med leave, part_time, capacity, leaving, "
                    "joining", "the file must be a YAML mapping of leave, part_time, capacity, "
                    "leaving, joining"),
}
