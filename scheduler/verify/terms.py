"""The objective: every term of docs/MODEL.md recomputed from the plan, and its weighted sum."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from scheduler.domain import Instance, Unit
from scheduler.plan import Stint
from scheduler.verify.block import runs, unit_loads, wk
from scheduler.verify.costs import extra_weights, trainee_costs

TERMS = ("unit_changes", "fragmentation", "staffing_shortfall", "peak_utilisation")
# Soft capacity (docs/MODEL.md): cost of one trainee-week over a unit's capacity.
OVERRUN_WEIGHT = 1000


@dataclass(frozen=True)
class Overrun:
    """A run of weeks in which a unit has ``over`` trainees more than its capacity."""

    unit: str
    start: date  # Monday of the first week
    weeks: int
    over: int

    @property
    def trainee_weeks(self) -> int:
        return self.weeks * self.over


def capacity_overruns(instance: Instance, stints: list[Stint]) -> list[Overrun]:
    """Every run of weeks in which a unit holds more trainees than its capacity, by unit."""
    h0 = instance.horizon.start
    out: list[Overrun] = []
    loads = unit_loads(h0, stints)
    for u in instance.units:
        load = loads.get(u.id)
        if load is None or u.capacity is None:
            continue
        over = []
        for w in sorted(load):
            cap = u.capacity_in_week(h0 + timedelta(weeks=w))
            if cap is not None and load[w] > cap:
                over.append((w, load[w] - cap))
        for first, n, k in runs(over):
            out.append(Overrun(u.id, h0 + timedelta(weeks=first), n, int(k)))  # type: ignore
    return out


def evaluate(instance: Instance, stints: list[Stint],
             soft_capacity: bool = False) -> dict[str, int]:
    """Unweighted value of every objective term of MODEL.md (all four keys, always; with
    ``soft_capacity`` also ``capacity_overrun``, trainee-weeks over capacity)."""
    h0 = instance.horizon.start
    n_weeks = instance.horizon.weeks
    by_trainee: dict[str, list[Stint]] = defaultdict(list)
    for s in stints:
        by_trainee[s.trainee].append(s)

    unit_changes = sum(len(ss) - 1 for ss in by_trainee.values())

    fragmentation = 0
    for ss in by_trainee.values():
        per_disc: dict[str, list[Stint]] = defaultdict(list)
        for s in ss:
            per_disc[s.discipline].append(s)
        for ds in per_disc.values():
            # Weeks of the span not covered: overlapping stints (a violation) cover a week once,
            # so the term is never negative and an overlap is never rewarded.
            span = wk(h0, max(s.end for s in ds)) - wk(h0, min(s.start for s in ds))
            covered = {w for s in ds for w in range(wk(h0, s.start), wk(h0, s.end))}
            fragmentation += max(0, span - len(covered))

    loads = unit_loads(h0, stints)
    shortfall = 0
    for u in instance.units:
        st = u.staffing_target
        if st is None:
            continue
        lo = max(0, wk(h0, st.start) if st.start else 0)
        hi = min(n_weeks, wk(h0, st.end) if st.end else n_weeks)
        load = loads.get(u.id, Counter())
        shortfall += sum(max(0, st.trainees - load[w]) for w in range(lo, hi))

    peak: dict[frozenset[str], int] = {}
    for u in instance.units:
        util = _utilisation(u, loads.get(u.id, Counter()), h0, n_weeks)
        if util is not None:
            cls = frozenset(u.disciplines)
            peak[cls] = max(peak.get(cls, 0), util)

    terms = {"unit_changes": unit_changes, "fragmentation": fragmentation,
             "staffing_shortfall": shortfall, "peak_utilisation": sum(peak.values())}
    weights = extra_weights(instance)
    if any(k in weights for k in ("wishes", "travel", "worst")):
        per = trainee_costs(instance, stints)
        for k in ("wishes", "travel"):
            if k in weights:
                terms[k] = sum(p[k] for p in per.values())
        if "worst" in weights:
            terms["worst"] = max((p["cost"] for p in per.values()), default=0)
    if "spacing" in weights:
        terms["spacing"] = start_crowding(instance, stints)
    if soft_capacity:
        terms["capacity_overrun"] = sum(o.trainee_weeks
                                        for o in capacity_overruns(instance, stints))
    return terms


def _utilisation(u: Unit, load: Counter[int], h0: date, n_weeks: int) -> int | None:
    """ceil(100 * trainee-weeks / capacity-weeks) over the horizon; None without a finite,
    positive capacity."""
    if u.capacity is None:
        return None
    cap_weeks = sum(u.capacity_in_week(h0 + timedelta(weeks=w)) or 0 for w in range(n_weeks))
    if cap_weeks <= 0:
        return None
    used = sum(c for w, c in load.items() if 0 <= w < n_weeks)
    return -(-100 * used // cap_weeks)


def objective(instance: Instance, terms: dict[str, int]) -> int:
    """sum(weight * value) over the named terms, with the instance's weights (plus
    OVERRUN_WEIGHT per trainee-week of ``capacity_overrun`` when that term is present)."""
    weights = extra_weights(instance)
    return (sum(getattr(instance.weights, k) * terms.get(k, 0) for k in TERMS)
            + sum(weights.get(k, 0) * terms.get(k, 0)
                  for k in ("wishes", "travel", "worst", "spacing"))
            + OVERRUN_WEIGHT * terms.get("capacity_overrun", 0))



def start_crowding(instance: Instance, stints: list[Stint]) -> int:
    """The term ``spacing``, counted by windows rather than pairs: per unit with
    ``min_start_gap_weeks`` g, every window of g weeks holding k > 1 trainees' first weeks
    there counts k - 1. Two starts d < g weeks apart share g - d windows, and a window's
    k - 1 is its consecutive pairs, so this is MODEL.md's sum of shortfalls per pair."""
    h0 = instance.horizon.start
    firsts: dict[str, dict[str, int]] = defaultdict(dict)
    for s in stints:
        w = wk(h0, s.start)
        seen = firsts[s.unit].get(s.trainee)
        firsts[s.unit][s.trainee] = w if seen is None else min(seen, w)
    total = 0
    for u in instance.units:
        g = u.min_start_gap_weeks
        weeks = Counter(firsts.get(u.id, {}).values())
        if not g or sum(weeks.values()) < 2:
            continue
        for a in range(min(weeks) - g + 1, max(weeks) + 1):
            k = sum(weeks[w] for w in range(a, a + g))
            total += max(0, k - 1)
    return total
