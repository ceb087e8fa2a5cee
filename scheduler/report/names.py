"""Short unit names for narrow cells and chart bars, and how periods are grouped for people."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from scheduler.domain import Instance, Trainee

SHORT_MAX = 8  # characters: fits a 3-week stint on the plan grid at 7 pt


def abbreviate(uid: str, limit: int = SHORT_MAX) -> str:
    """A readable abbreviation of a unit id: every part kept, the longest shortened first
    (``VC-BARONBACKARNA`` -> ``VC-BARON``, ``PSY-ALLM-ORE`` -> ``PS-AL-OR``)."""
    if len(uid) <= limit:
        return uid
    parts = [p for p in uid.split("-") if p] or [uid]
    while len("-".join(parts)) > limit:
        i = max(range(len(parts)), key=lambda k: len(parts[k]))
        if len(parts[i]) <= 1:
            break
        parts[i] = parts[i][:-1]
    return "-".join(parts)[:limit]


def short_names(instance: Instance) -> dict[str, str]:
    """Unit id -> short name: the unit's own ``short_name`` if it has one, else an
    abbreviation of its id; made unique with a digit where two would look alike."""
    out: dict[str, str] = {}
    seen: dict[str, int] = defaultdict(int)
    for u in instance.units:
        name = getattr(u, "short_name", None) or abbreviate(u.id)
        base = name
        while name in out.values():
            seen[base] += 1
            suffix = str(seen[base] + 1)
            name = base[:SHORT_MAX - len(suffix)] + suffix
        out[u.id] = name
    return out


def by_start(trainees: list[Trainee]) -> list[tuple[date, list[Trainee]]]:
    """Trainees grouped by the start of their block, earliest first, AT before BT inside."""
    groups: dict[date, list[Trainee]] = defaultdict(list)
    for t in trainees:
        groups[t.start].append(t)
    return [(d, sorted(groups[d], key=lambda t: (t.programme, t.id))) for d in sorted(groups)]
