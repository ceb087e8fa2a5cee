"""The region before any plan: programmes, sites, intakes and units (without capacities).

Unit counts follow the expected demand: the trainee-weeks each discipline needs per site (or
region-wide for psychiatry and general practice) spread over the intake years, divided by a
typical number of trainees a unit takes at once (catalog.PER_UNIT). Capacities are set later
from the witness plan (emit.py).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

from scheduler.domain import Programme
from scheduler.generator import catalog
from scheduler.generator.params import KINDS, Params
from scheduler.inputs.yaml_io import load_programme


class GeneratorError(Exception):
    """The generator cannot do what was asked (or found a bug in itself)."""


@dataclass
class UnitSpec:
    id: str
    name: str
    site: str
    disciplines: tuple[str, ...]
    weeks: tuple[int, int]
    stint_weeks: dict[str, tuple[int, int]] = field(default_factory=dict)
    region_wide: bool = False
    summer_dip: bool = False
    programmes: list[str] | None = None
    unlimited: bool = False   # capacity null (no supervisor needed)

    def takes(self, pid: str) -> bool:
        return self.programmes is None or pid in self.programmes

    def stint_range(self, pid: str) -> tuple[int, int]:
        return self.stint_weeks.get(pid, self.weeks)

    def open_to(self, site: str) -> bool:
        return self.region_wide or self.site == site


@dataclass(frozen=True)
class Intake:
    site: str
    programme: str
    start: date
    count: int


# --------------------------------------------------------------------------------------------
# Programmes


def constraints_dir() -> Path:
    return Path(__file__).resolve().parents[2] / "constraints"


def load_programmes(p: Params) -> dict[str, tuple[Programme, Path | None]]:
    """Programme id -> (rule set, its file under constraints/ or None when written inline)."""
    out: dict[str, tuple[Programme, Path | None]] = {}
    for k in p.kinds:
        pid = KINDS[k]
        if pid == "AT18-PED":
            out[pid] = (Programme.model_validate(catalog.PED_PROGRAMME), None)
            continue
        path = constraints_dir() / catalog.RULE_FILES[pid]
        out[pid] = (load_programme(path), path)
    return out


# --------------------------------------------------------------------------------------------
# Sites and intakes


def sites(p: Params) -> list[tuple[str, str]]:
    """(id, name) per site; the first is the university hospital when there are several."""
    out = []
    for i, (sid, town) in enumerate(catalog.TOWNS[:p.sites]):
        name = (f"Universitetssjukhuset i {town}" if i == 0 and p.sites > 1
                else f"Lasarettet i {town}")
        out.append((sid, name))
    return out


def first_monday(year: int, month: int) -> date:
    d = date(year, month, 1)
    return d + timedelta(days=(7 - d.weekday()) % 7)


def summers(h0: date, n_weeks: int) -> list[tuple[int, int]]:
    """Week ranges of ISO weeks 27-32 of every summer in the horizon."""
    out = []
    end = h0 + timedelta(weeks=n_weeks)
    for y in range(h0.year, end.year + 1):
        a = (date.fromisocalendar(y, 27, 1) - h0).days // 7
        b = (date.fromisocalendar(y, 33, 1) - h0).days // 7
        a, b = max(a, 0), min(b, n_weeks)
        if a < b:
            out.append((a, b))
    return out


def _programme_weight(p: Params, pid: str, year_index: int, n_at: int) -> float:
    """Share of the trainees of one start that a programme gets."""
    bt = pid == "BT12"
    if p.shift:  # 2027-2030: AT falls, BT rises
        at_w, bt_w = [(4, 1), (3, 2), (1.5, 3), (0.5, 4)][min(year_index, 3)]
        return bt_w if bt else at_w / max(1, n_at)
    if bt and n_at:
        return 0.35   # about a quarter of the trainees are BT (Örebro: 40 of 158)
    return 1.0 / max(1, n_at) if not bt else 1.0


def intakes(p: Params, rng: random.Random, progs: dict, site_ids: list[str]) -> list[Intake]:
    """Trainees per (site, programme, start), summing to ``p.trainees`` (largest remainder)."""
    at = [pid for pid in progs if pid != "BT12"]
    weights_site = [3.0 if i == 0 and len(site_ids) > 1 else 1.0 + rng.random()
                    for i in range(len(site_ids))]
    # Several AT rule sets: one per hospital in turn (Uppsala: Akademiska 18, Enköping 21),
    # or all of them at every hospital when there are fewer hospitals than rule sets.
    at_at: dict[str, list[str]] = {}
    for i, s in enumerate(site_ids):
        at_at[s] = [at[i % len(at)]] if at and len(site_ids) >= len(at) else list(at)
    slots: list[tuple[str, str, date]] = []
    weights: list[float] = []
    for y in range(p.years):
        for m in catalog.START_MONTHS[p.starts]:
            start = first_monday(p.start_year + y, m)
            for i, s in enumerate(site_ids):
                here = at_at[s] + (["BT12"] if "BT12" in progs else [])
                for pid in here:
                    slots.append((s, pid, start))
                    weights.append(weights_site[i]
                                   * _programme_weight(p, pid, y, len(at_at[s])))
    total = sum(weights)
    exact = [p.trainees * w / total for w in weights]
    counts = [math.floor(x) for x in exact]
    order = sorted(range(len(slots)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[:p.trainees - sum(counts)]:
        counts[i] += 1
    return [Intake(s, pid, start, n) for (s, pid, start), n in zip(slots, counts, strict=True)
            if n > 0]


# --------------------------------------------------------------------------------------------
# Units


def expected_weeks(prog: Programme) -> dict[str, float]:
    """A typical split of the block over its disciplines (for sizing only)."""
    x = {r.discipline: float(r.min_weeks) for r in prog.requirements}
    for g in prog.group_requirements:
        deficit = g.min_weeks - sum(x[d] for d in g.disciplines)
        for d in g.disciplines:
            x[d] += max(0.0, deficit) / len(g.disciplines)
    room = [r.discipline for r in prog.requirements
            if r.max_weeks is None or r.max_weeks > x[r.discipline]]
    rest = prog.length_weeks - sum(x.values())
    for d in room:
        x[d] += max(0.0, rest) / len(room)
    return x


def _demand(progs: dict, ins: list[Intake]) -> dict[tuple[str, str], float]:
    """Peak trainees at once per (site or '*', discipline); psychiatry and general practice
    region-wide ('*'). Each intake is spread evenly over its block (for sizing only)."""
    h0 = min(it.start for it in ins)
    curves: dict[tuple[str, str], list[float]] = {}
    for it in ins:
        prog = progs[it.programme][0]
        a = (it.start - h0).days // 7
        for d, w in expected_weeks(prog).items():
            where = "*" if d in ("psykiatri", "allmanmedicin", "pedagogik") else it.site
            # BT acute care is done at the medical and surgical clinics.
            for dd, share in ([("medicin", 0.5), ("kirurgi", 0.5)] if d == "akut"
                              else [(d, 1.0)]):
                curve = curves.setdefault((where, dd), [])
                end = a + prog.length_weeks
                curve.extend([0.0] * (end - len(curve)))
                for x in range(a, end):
                    curve[x] += it.count * share * w / prog.length_weeks
    return {k: max(v) for k, v in curves.items()}


def _unit(t: catalog.Template, uid: str, name: str, site: str, bt: bool,
          region_wide: bool = False) -> UnitSpec:
    sw = {"BT12": t.bt_weeks} if bt and t.bt_weeks and t.bt_weeks != t.weeks else {}
    return UnitSpec(uid, name, site, t.disciplines, t.weeks, sw, region_wide, t.summer_dip)


def _numbered(cat: list[catalog.Template], n: int) -> list[tuple[catalog.Template, int]]:
    """The first ``n`` templates of ``cat``, again with section numbers 2, 3, ... if needed."""
    return [(cat[i % len(cat)], i // len(cat) + 1) for i in range(n)]


def units(p: Params, rng: random.Random, site_list: list[tuple[str, str]], progs: dict,
          ins: list[Intake]) -> list[UnitSpec]:
    bt = "BT12" in progs
    elective = any(pr.requirement("valfri") is not None for pr, _ in progs.values())
    demand = _demand(progs, ins)
    towns = dict(catalog.TOWNS)
    out: list[UnitSpec] = []
    for sid, sname in site_list:
        n_med = max(catalog.MIN_MEDICAL,
                    math.ceil(demand.get((sid, "medicin"), 0) / catalog.PER_UNIT["medicin"]))
        n_kir = max(catalog.MIN_SURGICAL,
                    math.ceil(demand.get((sid, "kirurgi"), 0) / catalog.PER_UNIT["kirurgi"]))
        hospital = ([(t, k) for t, k in _numbered(catalog.MEDICAL, n_med)]
                    + [(t, k) for t, k in _numbered(catalog.SURGICAL, n_kir)]
                    + [(catalog.EMERGENCY, 1)])
        if elective and sid == site_list[0][0]:
            hospital += [(t, 1) for t in catalog.ELECTIVE]
        for t, k in hospital:
            suffix = "" if k == 1 else str(k)
            name = t.name + (f", sektion {k}" if k > 1 else "") + f", {sname}"
            out.append(_unit(t, f"{sid}-{t.code}{suffix}", name, sid, bt))
    site_ids = [s for s, _ in site_list]
    # Psychiatry: general psychiatry at each hospital, the other clinics at the university
    # hospital, then every kind again in turn over the towns until the demand is met (the
    # witness draws each kind about equally often, so each kind needs about as many clinics).
    n_psy = max(len(site_ids) + 3,
                math.ceil(demand.get(("*", "psykiatri"), 0) / catalog.PER_UNIT["psykiatri"]))
    psy: list[tuple[catalog.Template, str]] = [(catalog.PSYCHIATRY[0], s) for s in site_ids]
    psy += [(t, site_ids[0]) for t in catalog.PSYCHIATRY[1:]]
    i = 0
    while len(psy) < n_psy:
        psy.append((catalog.PSYCHIATRY[(i + 1) % len(catalog.PSYCHIATRY)],
                    site_ids[(i + 1) % len(site_ids)]))
        i += 1
    seen: dict[str, int] = {}
    for t, sid in psy[:max(n_psy, len(site_ids))]:
        key = f"PSY-{t.code}-{sid}"
        seen[key] = seen.get(key, 0) + 1
        uid = key if seen[key] == 1 else f"{key}{seen[key]}"
        name = t.name.format(town=towns[sid]) + (f" {seen[key]}" if seen[key] > 1 else "")
        out.append(_unit(t, uid, name, sid, bt, region_wide=True))
    # Vårdcentraler, region-wide, spread over the towns.
    n_vc = max(2, math.ceil(demand.get(("*", "allmanmedicin"), 0)
                            / catalog.PER_UNIT["allmanmedicin"]))
    names = [h + t for h in catalog.VC_HEADS for t in catalog.VC_TAILS]
    rng.shuffle(names)
    vc = catalog.VARDCENTRAL
    for k in range(n_vc):
        base = names[k % len(names)]
        name = base if k < len(names) else f"{base} {k // len(names) + 1}"
        sid = site_ids[k % len(site_ids)]
        uid = "VC-" + name.upper().replace(" ", "-")
        for a, b in (("Å", "A"), ("Ä", "A"), ("Ö", "O")):
            uid = uid.replace(a, b)
        out.append(_unit(vc, uid, vc.name.format(name=name), sid, bt, region_wide=True))
    if "AT18-PED" in progs:
        t = catalog.PEDAGOGY
        out.append(UnitSpec("PED", t.name, site_ids[0], t.disciplines, t.weeks,
                            region_wide=True, programmes=["AT18-PED"], unlimited=True))
    return out


def widen_county_stints(units: list[UnitSpec], site_list: list[tuple[str, str]],
                        seed: int) -> None:
    """Widen the stint ranges (AT and BT) of the county hospitals' units by 1-2 weeks on each
    side, as Örebro's Karlskoga does because the block also holds the course weeks. The widths
    come from a generator of their own (a stable str seed), so the draws made before the
    witness (sites, intakes, units) are those without this option; the witness itself, drawn
    over the wider ranges, differs."""
    if len(site_list) < 2:
        return   # no county hospital
    university = site_list[0][0]
    for u in units:
        if u.region_wide or u.unlimited or u.site == university:
            continue
        local = random.Random(f"wide/{seed}/{u.id}")
        a, b = local.randint(1, 2), local.randint(1, 2)
        u.weeks = (max(1, u.weeks[0] - a), u.weeks[1] + b)
        u.stint_weeks = {k: (max(1, lo - a), hi + b) for k, (lo, hi) in u.stint_weeks.items()}


def exact_stints(units: list[UnitSpec], site_list: list[tuple[str, str]], progs: dict,
                 seed: int, attempt: int = 0) -> list[UnitSpec]:
    """The units with exact or narrow AT stint ranges, as Örebro's appendix 5 has them
    (surgery 6-6, orthopaedics 4-4, psychiatry 8-8, one vårdcentral for 26 weeks): at the
    university hospital (the first site) and at the region-wide psychiatric clinics a unit's
    AT range shrinks to one length (six units in ten) or to a range 1-2 weeks wide, starting
    in the lower half of its old one (the catalog's ranges are Örebro's widened upwards), so
    that a discipline takes two or three stints there as in Örebro (psychiatry 8 + 3 + 2,
    surgery 6 + 4 + 2 + ...); at the vårdcentraler every AT programme without an opening
    stint (not the Gävle pattern) gets exactly 26 weeks. A unit's BT range of its own stays
    (Örebro's are wide too); a unit without one takes the new range for BT as well (the
    three exact-stagger suite regions were made so). The draws come from a generator of
    their own (a stable str seed; ``attempt`` draws again), so the draws made before the
    witness are those without this option; the witness itself, drawn over these ranges,
    differs. ``units`` is left as it is."""
    university = site_list[0][0]
    at26 = sorted(pid for pid, (prog, _) in progs.items()
                  if prog.kind == "AT" and prog.starts_with is None)
    out = []
    for u in units:
        u = replace(u, stint_weeks=dict(u.stint_weeks))
        out.append(u)
        if u.unlimited:
            continue
        if "allmanmedicin" in u.disciplines:
            u.stint_weeks.update(dict.fromkeys(at26, (26, 26)))
            continue
        if u.region_wide and "psykiatri" not in u.disciplines:
            continue
        if not u.region_wide and u.site != university:
            continue
        local = random.Random(f"exact/{seed}/{attempt}/{u.id}")
        lo, hi = u.weeks
        width = 0 if local.random() < 0.6 else local.randint(1, 2)
        a = local.randint(lo, lo + (hi - lo) // 2)
        u.weeks = (a, min(hi, a + width))
    return out
