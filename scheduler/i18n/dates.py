"""Weeks, end dates, month names and page headers as people read them.

Looked up as ``tr("dates.<key>")``; values are (Swedish, English).
"""

TEXT: dict[str, tuple[str, str]] = {
    "week": ("v. {week} {year}", "week {week} {year}"),
    "until": ("t.o.m. {day}", "until {day}"),
    "page": ("Sida &P av &N", "Page &P of &N"),
    "plan_of": ("Plan {day}", "Plan {day}"),
    # month_NN: full month names (plan.xlsx); mon_NN: abbreviations (the overview picture)
    "month_01": ("januari", "January"),
    "mon_01": ("jan", "Jan"),
    "month_02": ("februari", "February"),
    "mon_02": ("feb", "Feb"),
    "month_03": ("mars", "March"),
    "mon_03": ("mar", "Mar"),
    "month_04": ("april", "April"),
    "mon_04": ("apr", "Apr"),
    "month_05": ("maj", "May"),
    "mon_05": ("maj", "May"),
    "month_06": ("juni", "June"),
    "mon_06": ("jun", "Jun"),
    "month_07": ("juli", "July"),
    "mon_07": ("jul", "Jul"),
    "month_08": ("augusti", "August"),
    "mon_08": ("aug", "Aug"),
    "month_09": ("september", "September"),
    "mon_09": ("sep", "Sep"),
    "month_10": ("oktober", "October"),
    "mon_10": ("okt", "Oct"),
    "month_11": ("november", "November"),
    "mon_11": ("nov", "Nov"),
    "month_12": ("december", "December"),
    "mon_12": ("dec", "Dec"),
}
