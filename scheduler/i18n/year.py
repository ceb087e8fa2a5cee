"""The coordinator's year (``scheduler.year``): keeping a plan for the next round.

Looked up as ``tr("year.<key>")``; values are (Swedish, English).
"""

TEXT: dict[str, tuple[str, str]] = {
    "keep_unknown": ("AT/BT-läkaren '{id}' ({n} placeringar i planen) finns inte i instansen",
                     "trainee '{id}' ({n} stints in the plan) is not in the instance"),
    "keep_programme": ("'{id}' har programmet {found} i planen men {expected} i instansen",
                       "'{id}' has programme {found} in the plan but {expected} in the "
                       "instance"),
}
