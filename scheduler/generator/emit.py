"""Capacities from the witness, the region's YAML and witness.csv, and the witness's check.

Capacity of a unit = the witness's peak load (tight) or the peak plus a slack in percent (at
least one seat); at units whose planned care closes in summer, each summer (ISO weeks 27-32)
gets its own figure from the witness's peak in those weeks, written as a capacity change when
it differs from the rest of the year. The files name the programmes by a path relative to the
folder they are written to, so they load from there.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import yaml

from scheduler import verify as checker
from scheduler.domain import Instance
from scheduler.generator.build import Region, leave_periods
from scheduler.generator.params import Params
from scheduler.generator.region import GeneratorError, UnitSpec, summers
from scheduler.inputs.yaml_io import InputError, load_instance
from scheduler.outputs import write_atomic
from scheduler.plan import PlanFormatError, Stint, plan_to_csv, read_plan_csv


@dataclass(frozen=True)
class Generated:
    """A rendered region: the two files' text, the data and the figures of the README."""

    region_yaml: str
    witness_csv: str
    data: dict
    stats: dict
    instance: Instance | None = None     # the checked instance (None: not checked)
    stints: tuple[Stint, ...] = ()


def _slack(peak: int, pct: int) -> int:
    return 0 if pct == 0 else max(1, math.ceil(peak * pct / 100))


def _half_up(x: float) -> int:
    return math.floor(x + 0.5)


def unit_class(u: UnitSpec) -> str:
    """The class of a unit for a slack per class (params.SLACK_CLASSES)."""
    for c in ("allmanmedicin", "psykiatri"):
        if c in u.disciplines:
            return c
    return "hospital"


def _class_extras(rg: Region, bases: dict[int, int], pct: dict[str, int]) -> dict[int, int]:
    """Seats over the witness's peak per unit with a slack per class. A class (hospital units
    per hospital, psychiatry and vårdcentraler region-wide) gets its slack in percent of its
    need, the most of its trainees at once in the witness: seats = need plus the slack, never
    fewer than the units' peaks (the witness must fit). The seats over the peaks are shared in
    proportion to the peaks by largest remainder, ties to the unit the witness uses most. The
    peaks of different units fall in different weeks, so tight capacities already leave a
    class some slack over its need; a class that has more keeps its peaks."""
    groups: dict[tuple[str, str], list[int]] = {}
    for i in bases:
        u = rg.units[i]
        groups.setdefault((unit_class(u), "*" if u.region_wide else u.site), []).append(i)
    out: dict[int, int] = {}
    for (cls, _), idx in groups.items():
        peaks = sum(bases[i] for i in idx)
        need = int(rg.loads.a[idx].sum(axis=0).max())
        total = max(0, _half_up(need * (100 + pct[cls]) / 100) - peaks)
        exact = {i: total * bases[i] / peaks if peaks else 0.0 for i in idx}
        for i in idx:
            out[i] = math.floor(exact[i])
        used = {i: int(rg.loads.a[i].sum()) for i in idx}
        order = sorted(idx, key=lambda i: (-(exact[i] - out[i]), -used[i], i))
        for i in order[:total - sum(out[i] for i in idx)]:
            out[i] += 1
    return out


def capacities(rg: Region) -> dict[str, tuple[int | None, list[dict]]]:
    """unit id -> (capacity, capacity_changes) for every unit the witness uses."""
    pct = rg.params.slack
    dips = summers(rg.h0, rg.n_weeks) if rg.params.summer else []
    out: dict[str, tuple[int | None, list[dict]]] = {}
    # Per limited unit: its peak outside the summers and (week range, peak) of each summer.
    bases: dict[int, int] = {}
    summer_peaks: dict[int, list[tuple[int, int, int]]] = {}
    for i, u in enumerate(rg.units):
        row = rg.loads.a[i]
        if not row.any():
            continue   # never used by the witness: left out of the region
        if u.unlimited:
            out[u.id] = (None, [])
            continue
        if not (u.summer_dip and dips):
            bases[i], summer_peaks[i] = int(row.max()), []
            continue
        mask = [True] * rg.n_weeks
        for a, b in dips:
            mask[a:b] = [False] * (b - a)
        bases[i] = max((int(v) for v, m in zip(row, mask, strict=True) if m), default=0)
        summer_peaks[i] = [(a, b, int(row[a:b].max())) for a, b in dips]
    by_class = rg.params.class_slack
    extras = _class_extras(rg, bases, by_class) if by_class is not None else {}
    for i, base in bases.items():
        u = rg.units[i]

        def seats(peak: int, i: int = i, base: int = base, u: UnitSpec = u) -> int:
            if by_class is None:
                return peak + _slack(peak, pct)
            if peak == base:
                return base + extras[i]
            # A summer: the unit's share of slack over its own peak then.
            share = extras[i] / base if base else by_class[unit_class(u)] / 100
            return peak + _half_up(peak * share)

        cap = seats(base)
        changes = []
        for a, b, peak in summer_peaks[i]:
            c = seats(peak)
            if c != cap:
                changes.append({"start": rg.h0 + timedelta(weeks=a),
                                "end": rg.h0 + timedelta(weeks=b), "capacity": c})
        out[u.id] = (cap, changes)
    return out


def _unit_data(u: UnitSpec, cap: int | None, changes: list[dict], staffing: dict | None
               ) -> dict:
    d: dict = {"id": u.id, "name": u.name, "site": u.site}
    if u.region_wide:
        d["region_wide"] = True
    d["disciplines"] = list(u.disciplines)
    d["capacity"] = cap
    if changes:
        d["capacity_changes"] = changes
    d["min_weeks"], d["max_weeks"] = u.weeks
    if u.stint_weeks:
        d["stint_weeks"] = {k: {"min_weeks": a, "max_weeks": b}
                            for k, (a, b) in sorted(u.stint_weeks.items())}
    if u.programmes is not None:
        d["programmes"] = list(u.programmes)
    if staffing is not None and "allmanmedicin" in u.disciplines:
        d["staffing_target"] = staffing
    return d


def region_data(rg: Region, out_dir: Path | None) -> dict:
    """The instance as plain data; programmes as relative paths (or inline without out_dir)."""
    p = rg.params
    progs: list = []
    for prog, path in rg.programmes.values():
        if path is not None and out_dir is not None:
            progs.append(Path(os.path.relpath(path, out_dir.resolve())).as_posix())
        else:
            progs.append(prog.model_dump(mode="json", exclude_defaults=True))
    caps = capacities(rg)
    staffing = None
    if p.staffing:   # the steady state: the middle third of the horizon
        third = rg.n_weeks // 3
        staffing = {"trainees": 1, "start": rg.h0 + timedelta(weeks=third),
                    "end": rg.h0 + timedelta(weeks=2 * third)}
    units = [_unit_data(u, *caps[u.id], staffing) for u in rg.units if u.id in caps]
    if any(x.part_time != 100 for x in rg.people):
        # The witness gives part-timers stints of the calendar ranges (ranges count
        # service weeks by default): the units say so, and the suite keeps its meaning.
        for d in units:
            d["calendar_stints"] = True
    cohorts = [{"id": cid, "programme": it.programme, "start": it.start, "count": n,
                "site": it.site} for cid, it, n in rg.cohorts]
    trainees = []
    for x in rg.people:
        if not x.individual:
            continue
        t: dict = {"id": x.id, "programme": x.programme, "start": x.start, "site": x.site}
        if x.part_time != 100:
            t["part_time"] = x.part_time
        lv = leave_periods(x, rg.h0)
        if lv:
            t["leave"] = [{"kind": k, "start": a, "end": b} for k, a, b in lv]
        if x.locked:
            t["locked"] = [{"unit": s.unit, "discipline": s.discipline, "start": s.start,
                            "end": s.end} for s in x.locked]
        trainees.append(t)
    return {
        "name": f"Genererad region {p.label()}",
        "description": _description(rg, len(units)),
        "assumptions": _assumptions(p),
        "horizon": {"start": rg.h0, "end": rg.h0 + timedelta(weeks=rg.n_weeks)},
        "programmes": progs,
        "sites": [{"id": s, "name": n} for s, n in rg.sites],
        "units": units,
        "cohorts": cohorts,
        "trainees": trainees,
    }


def _description(rg: Region, n_units: int) -> str:
    p = rg.params
    n_ind = sum(1 for x in rg.people if x.individual)
    return (f"Genererad region (atbt generate, frö {p.seed}): {p.sites} sjukhus, {n_units} "
            f"enheter, {len(rg.people)} AT/BT-läkare ({', '.join(rg.programmes)}) i "
            f"{p.starts} starter per år under {p.years} år; {n_ind} med individuella villkor "
            f"(ledighet, deltid, låsta placeringar). Påhittade namn.")


def _assumptions(p: Params) -> str:
    by_class = p.class_slack
    if by_class is not None:
        cap = ("the witness plan's peak load, raised so that each class of unit (hospital "
               "units per hospital, psychiatry and vårdcentraler region-wide) has a slack over "
               "its need, the most of its trainees at once in the witness, of "
               + ", ".join(f"{k} {v} %" for k, v in by_class.items())
               + " (a class whose peaks already give more keeps them)")
    else:
        cap = ("exactly the witness plan's peak load" if p.slack == 0
               else f"the witness plan's peak load plus {p.slack} % (at least one seat)")
    where = ("per unit and, at units whose planned care closes in summer (the witness "
             "avoids them then), per summer (ISO weeks 27-32)" if p.summer else "per unit")
    return (f"Generated by scheduler/generator with seed {p.seed}. Every capacity is {cap} "
            f"(witness.csv beside this file is a plan that meets every rule), {where}. "
            "Stint lengths follow appendix 5 "
            "of the Mellansverige survey (seed 001), BT ranges as in instances/orebro.yaml. "
            + ("At the county hospitals every stint range is 1-2 weeks wider on each side. "
               if p.wide_stints else "")
            + ("At the university hospital and the psychiatric clinics AT stint ranges are exact "
               "or 1-2 weeks wide, and an AT stint at a vårdcentral is 26 weeks (Örebro). "
               if p.exact_stints else "")
            + ("The witness fills a unit up to its peak so far before it raises a peak. "
               if p.pack else "")
            + ("The witness staggers each rotation: of 24 orders of its disciplines it takes "
               "the one that raises the units' peaks least, as a coordinator would. "
               if p.stagger else "")
            + ("Vårdcentraler want a trainee every week in the middle third of the horizon. "
               if p.staffing else "")
            + "Units the witness does not use are left out.")


def _flow(obj: object) -> str:
    return yaml.safe_dump(obj, default_flow_style=True, allow_unicode=True, sort_keys=False,
                          width=1 << 30).rstrip("\n")


def render_yaml(data: dict, header: str) -> str:
    lines = [f"# {h}" if h else "#" for h in header.splitlines()]
    for key in ("name", "description", "assumptions"):
        lines.append(yaml.safe_dump({key: data[key]}, allow_unicode=True, sort_keys=False,
                                    width=100).rstrip("\n"))
    lines.append(f"horizon: {_flow(data['horizon'])}")
    lines.append("programmes:")
    for pr in data["programmes"]:
        if isinstance(pr, str):
            lines.append(f"  - {pr}")
        else:
            body = yaml.safe_dump([pr], allow_unicode=True, sort_keys=False, width=100)
            lines.extend("  " + ln for ln in body.rstrip("\n").splitlines())
    for key in ("sites", "units", "cohorts", "trainees"):
        if data[key]:
            lines.append(f"{key}:")
            lines.extend(f"  - {_flow(item)}" for item in data[key])
    return "\n".join(lines) + "\n"


def header(p: Params) -> str:
    cmd = (f"atbt generate --kind {p.kind} --trainees {p.trainees} --sites {p.sites} "
           f"--starts {p.starts} --years {p.years} --tightness {p.tightness} --seed {p.seed}")
    for opt, v in (("--leave", p.leave), ("--part-time", p.part_time), ("--locked", p.locked)):
        if v:
            cmd += f" {opt} {v}"
    if p.start_year != 2027:
        cmd += f" --start-year {p.start_year}"
    if not p.summer:
        cmd += " --no-summer"
    if p.staffing:
        cmd += " --staffing"
    if p.wide_stints:
        cmd += " --wide-stints"
    if p.exact_stints:
        cmd += " --exact-stints"
    if p.pack:
        cmd += " --pack"
    if p.stagger:
        cmd += " --stagger"
    if p.name:
        cmd += f" --name {p.name}"
    return ("Generated region, feasible by construction: witness.csv beside it meets every rule\n"
            f"(atbt check region.yaml witness.csv). Regenerate byte for byte with:\n  {cmd}")


def verify(data: dict, rg: Region) -> Instance:
    """Validate the region and check the witness with the independent checker; a witness that
    fails is a bug in the generator."""
    inline = dict(data)
    inline["programmes"] = [prog.model_dump(mode="json") for prog, _ in rg.programmes.values()]
    try:
        inst = Instance.model_validate(inline)
    except ValueError as exc:
        raise GeneratorError(f"internal: the generated region is invalid: {exc}") from None
    bad = checker.check(inst, rg.stints, lang="en")
    if bad:
        raise GeneratorError("internal: the witness fails the checker: "
                             + "; ".join(v.message for v in bad[:5]))
    return inst


def _features(p: Params) -> str:
    out = [f"{label} {v} %" for label, v in (("leave", p.leave), ("part time", p.part_time),
                                             ("locked", p.locked)) if v]
    if p.staffing:
        out.append("staffing")
    if p.wide_stints:
        out.append("wide stints")
    if p.exact_stints:
        out.append("exact stints")
    if p.pack:
        out.append("packed")
    if p.stagger:
        out.append("staggered")
    if not p.summer:
        out.append("no summer dip")
    return ", ".join(out) or "-"


def render(rg: Region, out_dir: Path | None, check: bool = True) -> Generated:
    data = region_data(rg, out_dir)
    inst = verify(data, rg) if check else None
    text = render_yaml(data, header(rg.params))
    p = rg.params
    stats = {"name": p.label(), "kind": p.kind, "sites": p.sites, "units": len(data["units"]),
             "trainees": len(rg.people), "weeks": rg.n_weeks, "tightness": p.tightness,
             "seed": p.seed, "features": _features(p), "witness": "-"}
    if inst is not None:   # the witness is a plan: its objective bounds the optimum from above
        stats["witness"] = checker.objective(inst, checker.evaluate(inst, rg.stints))
    return Generated(text, plan_to_csv(rg.stints), data, stats, inst, tuple(sorted(rg.stints)))


def write(gen: Generated, out_dir: Path) -> None:
    """Write both files; if the region was checked, read them back from where they are
    (programme paths resolved from there, as ``atbt check`` does) and make sure they are
    the instance and the plan that passed the checker."""
    write_atomic(out_dir / "region.yaml", gen.region_yaml.encode("utf-8"))
    write_atomic(out_dir / "witness.csv", gen.witness_csv.encode("utf-8"))
    if gen.instance is None:
        return
    try:
        inst = load_instance(out_dir / "region.yaml")
        stints = tuple(sorted(read_plan_csv(out_dir / "witness.csv")))
    except (InputError, PlanFormatError) as exc:
        raise GeneratorError(f"internal: the written files do not load: {exc}") from None
    if inst != gen.instance or stints != gen.stints:
        raise GeneratorError(f"internal: {out_dir} does not read back as generated")
