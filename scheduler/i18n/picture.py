"""The overview picture (``report.picture``).

Looked up as ``tr("picture.<key>")``; values are (Swedish, English).
"""

TEXT: dict[str, tuple[str, str]] = {
    "title": ("{region}: plan {day}", "{region}: plan {day}"),
    "start": ("Start {day} ({week}): {n} AT/BT-läkare", "Start {day} ({week}): {n} trainees"),
    "load": ("Enhetsbelastning: placerade / kapacitet per vecka (röd = över kapacitet)",
             "Unit load: placed / capacity per week (red = over capacity)"),
    "today": ("idag", "today"),
    "other": ("Övrigt", "Other"),
    "unlimited": ("(ingen gräns)", "(no limit)"),
    "intro": ("Intro (ingen enhet)", "Intro (no unit)"),
}
