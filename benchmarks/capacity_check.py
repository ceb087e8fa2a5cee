"""Capacity sanity check for an instance: demand against supervisor capacity, without a solver.

A planning aid for writing and tuning instances, not a feasibility proof. Usage::

    python benchmarks/capacity_check.py instances/orebro.yaml [--scarce psykiatri,allmanmedicin]

Units are grouped in **pools**: units that some trainee could use for the same requirement are
merged (union-find), so a pool is typically "the hospital units of one site" or "region-wide
psychiatry" or "region-wide vårdcentraler". For every pool the script prints:

* **fixed order**: every trainee does its disciplines in the programme's order (AT18: medicin,
  kirurgi, psykiatri, allmanmedicin) with a nominal split (below). Pessimistic: a whole cohort
  sits in the same pool at once.
* **rotated**: the trainees of one intake (same programme, start and site) start the same
  cyclic sequence at evenly spaced offsets, as coordinators spread a cohort over the block.
  This is the realistic estimate; the solver is free to do better or worse.
* **energetic bound** (a necessary condition): for every window of weeks, the weeks each trainee
  *must* spend in the pool inside the window (its minimum weeks there minus its block weeks
  outside the window) summed over trainees, against the pool's capacity-weeks in the window.
  If this is exceeded the instance is infeasible.
* per calendar quarter: trainee-weeks needed (rotated and fixed) against capacity-weeks.

The nominal split per trainee gives every discipline its minimum, raises group members to the
group minimum, then fills the residual weeks: first the ``--scarce`` disciplines up to their
maximum (pessimistic for the binding resources), then other bounded disciplines, then the
unbounded ones evenly. Disciplines without an eligible unit for the trainee's site get 0.

It also checks, per programme and home site, that the stint lengths of the eligible units can
add up to a block meeting every requirement (unbounded repetition of a unit allowed), and
estimates the staffing-target shortfall under the rotated estimate.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scheduler.domain import (  # noqa: E402
    Instance,
    Programme,
    Trainee,
    Unit,
    block_end,
    calendar_weeks,
    extending_leave_mondays,
    service_weeks_needed,
)
from scheduler.inputs.yaml_io import InputError, load_instance  # noqa: E402

# ----------------------------------------------------------------------------------------------
# helpers


def eligible(inst: Instance, prog: Programme, site: str, disc: str) -> list[Unit]:
    return [u for u in inst.units
            if disc in u.disciplines and u.takes(prog.id) and (u.region_wide or u.site == site)]


class UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def water_fill(x: dict[str, float], discs: list[str], amount: float,
               room: dict[str, float]) -> float:
    """Raise ``x[d]`` for ``d`` in ``discs`` evenly by ``amount`` in total, each by at most
    ``room[d]``; returns what could not be placed."""
    active = [d for d in discs if room[d] > 1e-9]
    while amount > 1e-9 and active:
        share = amount / len(active)
        step = min([share] + [room[d] for d in active])
        for d in active:
            x[d] += step
            room[d] -= step
            amount -= step
        active = [d for d in active if room[d] > 1e-9]
    return amount


def nominal_split(prog: Programme, available: set[str], scarce: list[str]) -> dict[str, float]:
    """Full-time weeks per discipline summing to ``prog.length_weeks`` (see module doc)."""
    L = prog.length_weeks
    lo = {r.discipline: float(r.min_weeks) for r in prog.requirements}
    hi = {r.discipline: float(r.max_weeks if r.max_weeks is not None else L)
          for r in prog.requirements}
    for d in lo:
        if d not in available:
            hi[d] = lo[d]  # min > 0 without a unit is reported by instance validation
    x = dict(lo)

    def room(discs: list[str]) -> dict[str, float]:
        r = {d: hi[d] - x[d] for d in discs}
        for g in prog.group_requirements:  # never push a group over its maximum
            if g.max_weeks is None:
                continue
            left = g.max_weeks - sum(x[m] for m in g.disciplines)
            for d in discs:
                if d in g.disciplines:
                    r[d] = min(r[d], max(0.0, left))
        return r

    for g in prog.group_requirements:
        need = g.min_weeks - sum(x[d] for d in g.disciplines)
        if need > 0:
            water_fill(x, list(g.disciplines), need, room(list(g.disciplines)))
    rest = L - sum(x.values())
    order = [d for d in scarce if d in x]
    for d in order:  # scarce ones first, one at a time, up to their maximum
        if rest <= 0:
            break
        r = room([d])
        take = min(rest, r[d])
        x[d] += take
        rest -= take
    bounded = [r.discipline for r in prog.requirements
               if r.max_weeks is not None and r.discipline not in order]
    unbounded = [r.discipline for r in prog.requirements
                 if r.max_weeks is None and r.discipline not in order and r.discipline in available]
    for group in (bounded, unbounded):
        if rest > 1e-9:
            rest = water_fill(x, group, rest, room(group))
    return x


def integer_split(x: dict[str, float], total: int, order: list[str]) -> dict[str, int]:
    """Scale ``x`` to ``total`` calendar weeks and round by largest remainder."""
    s = sum(x.values())
    raw = {d: x[d] * total / s if s else 0.0 for d in order}
    out = {d: math.floor(raw[d]) for d in order}
    left = total - sum(out.values())
    for d in sorted(order, key=lambda d: -(raw[d] - out[d]))[:left]:
        out[d] += 1
    return out


def phase_list(prog: Programme, split: dict[str, int], part_time: int) -> tuple[
        list[str], list[str], list[str]]:
    """Head (starts_with), middle and tail (ends_with) as one discipline per service week."""
    split = dict(split)
    head: list[str] = []
    tail: list[str] = []
    if prog.starts_with is not None:
        w = min(calendar_weeks(prog.starts_with.weeks, part_time),
                split[prog.starts_with.discipline])
        head = [prog.starts_with.discipline] * w
        split[prog.starts_with.discipline] -= w
    if prog.ends_with is not None:
        tail = [prog.ends_with] * split[prog.ends_with]
        split[prog.ends_with] = 0
    middle: list[str] = []
    for r in prog.requirements:
        middle += [r.discipline] * split[r.discipline]
    return head, middle, tail


def service_weeks(inst: Instance, t: Trainee, prog: Programme) -> list[int]:
    """Horizon week indices of the trainee's service weeks (block minus extending leave)."""
    leave = extending_leave_mondays(t)
    end = block_end(t, prog)
    out = []
    d = t.start
    while d < end:
        if d not in leave:
            out.append(inst.week_index(d))
        d += timedelta(weeks=1)
    return out


def achievable(lengths: list[tuple[int, int | None]], limit: int) -> list[bool]:
    """Totals 0..limit reachable as sums of stints (each stint any length in one of the ranges)."""
    steps = sorted({L for lo, hi in lengths for L in range(lo, min(hi or limit, limit) + 1)})
    ok = [False] * (limit + 1)
    ok[0] = True
    for v in range(1, limit + 1):
        ok[v] = any(ok[v - s] for s in steps if s <= v)
    return ok


def stint_feasible(inst: Instance, prog: Programme, site: str, part_time: int,
                   target: dict[str, float]) -> dict[str, int] | None:
    """A split (calendar weeks per discipline) meeting every requirement and group and summing
    to the service weeks, built only from stint lengths the eligible units allow; the one closest
    to ``target``. None if there is none."""
    S = service_weeks_needed(prog, part_time)
    discs = [r.discipline for r in prog.requirements]
    opts: dict[str, list[int]] = {}
    for r in prog.requirements:
        lo = calendar_weeks(r.min_weeks, part_time)
        hi = S if r.max_weeks is None else calendar_weeks(r.max_weeks, part_time)
        units = eligible(inst, prog, site, r.discipline)
        ok = achievable([u.stint_range(prog.id) for u in units], S)
        opts[r.discipline] = [v for v in range(lo, min(hi, S) + 1) if ok[v]]
    groups = [(set(g.disciplines), calendar_weeks(g.min_weeks, part_time),
               None if g.max_weeks is None else calendar_weeks(g.max_weeks, part_time))
              for g in prog.group_requirements]
    best: tuple[float, dict[str, int]] | None = None

    def rec(i: int, acc: dict[str, int], used: int) -> None:
        nonlocal best
        if i == len(discs) - 1:
            v = S - used
            if v not in opts[discs[i]]:
                return
            full = {**acc, discs[i]: v}
            for members, gmin, gmax in groups:
                tot = sum(full[m] for m in members)
                if tot < gmin or (gmax is not None and tot > gmax):
                    return
            cost = sum((full[d] - target.get(d, 0)) ** 2 for d in discs)
            if best is None or cost < best[0]:
                best = (cost, full)
            return
        for v in opts[discs[i]]:
            if used + v > S:
                break
            acc[discs[i]] = v
            rec(i + 1, acc, used + v)
        acc.pop(discs[i], None)

    rec(0, {}, 0)
    return None if best is None else best[1]


# ----------------------------------------------------------------------------------------------
# main computation


def stack_sum(arrays: list[np.ndarray], n: int) -> np.ndarray:
    return np.sum(np.vstack(arrays), axis=0) if arrays else np.zeros(n)


def week_label(inst: Instance, w: int) -> str:
    d = inst.week_date(w)
    return f"{d.isoformat()} (v{d.isocalendar()[1]})"


def fmt_cap(x: float) -> str:
    return "inf" if math.isinf(x) else f"{x:g}"


def run(path: str, scarce: list[str], show_quarters: bool, weekly: str | None = None) -> int:
    try:
        inst = load_instance(path)
    except InputError as err:
        print(err.render(), file=sys.stderr)
        return 2
    n = inst.n_weeks
    trainees = inst.all_trainees()
    progs = {p.id: p for p in inst.programmes}

    def wk(w: int) -> str:
        return week_label(inst, w)

    print(f"# {inst.name}")
    print(f"horizon {inst.horizon.start} .. {inst.horizon.end} ({n} weeks), "
          f"{len(trainees)} trainees, {len(inst.units)} units, {len(inst.sites)} sites")
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for t in trainees:
        counts[(t.programme, t.site)] += 1
    print("trainees: " + ", ".join(f"{p}@{s}={c}" for (p, s), c in sorted(counts.items())))

    # ---- pools: union of the units eligible for the same requirement
    uf = UnionFind()
    pairs = sorted({(t.programme, t.site) for t in trainees})
    disc_units: dict[tuple[str, str, str], list[str]] = {}
    for pid, site in pairs:
        prog = progs[pid]
        for r in prog.requirements:
            ids = [u.id for u in eligible(inst, prog, site, r.discipline)]
            disc_units[(pid, site, r.discipline)] = ids
            for uid in ids:
                uf.union(ids[0], uid)
    pool_units: dict[str, list[Unit]] = defaultdict(list)
    for u in inst.units:
        if u.id in uf.parent:
            pool_units[uf.find(u.id)].append(u)

    def pool_label(root: str) -> str:
        units = pool_units[root]
        discs = sorted({d for u in units for d in u.disciplines})
        if all(u.region_wide for u in units):
            scope = "region-wide"
        else:
            scope = "+".join(sorted({u.site for u in units if not u.region_wide}))
            if any(u.region_wide for u in units):
                scope += "(+region-wide)"
        return f"{scope} [{', '.join(discs)}] ({len(units)} units)"

    pools = sorted(pool_units, key=pool_label)
    pool_of: dict[tuple[str, str, str], str | None] = {
        k: (uf.find(v[0]) if v else None) for k, v in disc_units.items()}

    # ---- capacity per week (inf = no limit)
    week_dates = [inst.week_date(w) for w in range(n)]
    ucap: dict[str, np.ndarray] = {}
    for u in inst.units:
        caps = [u.capacity_in_week(day) for day in week_dates]
        ucap[u.id] = np.array([np.inf if c is None else c for c in caps], dtype=float)
    pcap = {p: stack_sum([ucap[u.id] for u in pool_units[p]], n) for p in pools}
    pdcap: dict[tuple[str, str], np.ndarray] = {}
    for p in pools:
        for disc in sorted({d for u in pool_units[p] for d in u.disciplines}):
            pdcap[(p, disc)] = stack_sum(
                [ucap[u.id] for u in pool_units[p] if disc in u.disciplines], n)

    # ---- demand estimates: fixed order and rotated within each intake
    est_names = ("fixed", "rotated")
    dem = {e: {p: np.zeros(n) for p in pools} for e in est_names}
    ddem: dict[str, dict[tuple[str, str], np.ndarray]] = {
        e: defaultdict(lambda: np.zeros(n)) for e in est_names}
    intakes: dict[tuple[str, date, str, int], list[Trainee]] = defaultdict(list)
    for t in trainees:
        intakes[(t.programme, t.start, t.site, t.part_time)].append(t)
    splits: dict[tuple[str, str, int], dict[str, int]] = {}
    for (pid, _start, site, pt), members in intakes.items():
        prog = progs[pid]
        avail = {r.discipline for r in prog.requirements if disc_units[(pid, site, r.discipline)]}
        split = integer_split(nominal_split(prog, avail, scarce), service_weeks_needed(prog, pt),
                              [r.discipline for r in prog.requirements])
        splits[(pid, site, pt)] = split
        head, middle, tail = phase_list(prog, split, pt)
        for k, t in enumerate(sorted(members, key=lambda t: t.id)):
            weeks = service_weeks(inst, t, prog)
            off = (k * len(middle)) // len(members) if middle else 0
            seqs = {"fixed": head + middle + tail,
                    "rotated": head + middle[off:] + middle[:off] + tail}
            for e, seq in seqs.items():
                for w, disc in zip(weeks, seq, strict=True):
                    pool = pool_of[(pid, site, disc)]
                    if pool is None or not 0 <= w < n:
                        continue
                    dem[e][pool][w] += 1
                    ddem[e][(pool, disc)][w] += 1

    # ---- energetic bound: minimal weeks each trainee must spend in a pool
    def min_in_pool(prog: Programme, site: str, pt: int, S: int, pool: str) -> int:
        inside = {r.discipline for r in prog.requirements
                  if pool_of[(prog.id, site, r.discipline)] == pool}
        if not inside:
            return 0
        rounded = {r.discipline: calendar_weeks(r.min_weeks, pt) for r in prog.requirements}
        need = 0
        grouped: set[str] = set()
        for g in prog.group_requirements:
            if all(m in inside for m in g.disciplines):
                need += max(calendar_weeks(g.min_weeks, pt),
                            sum(rounded[m] for m in g.disciplines))
                grouped |= set(g.disciplines)
        need += sum(rounded[d] for d in inside if d not in grouped)
        outside_max = 0
        for r in prog.requirements:
            if r.discipline in inside or pool_of[(prog.id, site, r.discipline)] is None:
                continue
            outside_max += S if r.max_weeks is None else calendar_weeks(r.max_weeks, pt)
        return max(need, S - min(S, outside_max))

    tw = [(t, progs[t.programme]) for t in trainees]
    cnt = np.zeros((len(tw), n + 1), dtype=np.int32)  # service weeks before each index
    s_arr = np.zeros(len(tw))
    for i, (t, prog) in enumerate(tw):
        hits = np.zeros(n, dtype=np.int32)
        hits[[w for w in service_weeks(inst, t, prog) if 0 <= w < n]] = 1
        cnt[i, 1:] = np.cumsum(hits)
        s_arr[i] = service_weeks_needed(prog, t.part_time)

    def energetic(need: np.ndarray, cap: np.ndarray) -> tuple[float, int, int, float, float]:
        """Worst window by ratio: (ratio, first week, end week, mandatory, capacity)."""
        capc = np.concatenate([[0.0], np.cumsum(np.where(np.isinf(cap), 1e9, cap))])
        best = (0.0, 0, 0, 0.0, 0.0)
        active = need > 0
        if not active.any():
            return best
        c = cnt[active]
        nd = need[active][:, None]
        sv = s_arr[active][:, None]
        for a in range(n):
            inside = c[:, a + 1:] - c[:, a:a + 1]
            mand = np.clip(nd - sv + inside, 0, None).sum(axis=0)
            capw = capc[a + 1:] - capc[a]
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(capw > 0, mand / capw, np.where(mand > 0, np.inf, 0))
            j = int(np.argmax(ratio))
            if ratio[j] > best[0]:
                best = (float(ratio[j]), a, a + 1 + j, float(mand[j]), float(capw[j]))
        return best

    status = 0
    warnings: list[str] = []

    def tag(pid: str, site: str, pt: int) -> str:
        return f"{pid}@{site}{'' if pt == 100 else f' {pt}%'}"

    print("\n## Nominal split per programme and site (calendar weeks; fixed/rotated estimates)")
    for (pid, site, pt), split in sorted(splits.items()):
        print(f"  {tag(pid, site, pt)}: " + ", ".join(f"{d} {v}" for d, v in split.items() if v))

    print("\n## Stint-length feasibility per programme and home site")
    for pid, site in pairs:
        prog = progs[pid]
        for pt in sorted({t.part_time for t in trainees if (t.programme, t.site) == (pid, site)}):
            target = {d: float(v) for d, v in splits.get((pid, site, pt), {}).items()}
            example = stint_feasible(inst, prog, site, pt, target)
            if example is None:
                status = 1
                print(f"  {tag(pid, site, pt)}: NO combination of stint lengths meets the "
                      "requirements")
            else:
                print(f"  {tag(pid, site, pt)}: ok, e.g. "
                      + ", ".join(f"{d} {v}" for d, v in example.items() if v))

    print("\n## Pools: peak weekly demand vs capacity")
    for p in pools:
        cap = pcap[p]
        print(f"\n### {pool_label(p)}")
        print("  units: " + ", ".join(
            f"{u.id}={'inf' if u.capacity is None else u.capacity}" for u in pool_units[p]))
        print(f"  capacity per week: normal {fmt_cap(float(np.max(cap)))}, "
              f"lowest {fmt_cap(float(np.min(cap)))} ({wk(int(np.argmin(cap)))})")
        for e in est_names:
            d_arr = dem[e][p]
            w = int(np.argmax(d_arr))
            with np.errstate(divide="ignore", invalid="ignore"):
                util = np.where(cap > 0, d_arr / cap, np.where(d_arr > 0, np.inf, 0))
            wu = int(np.argmax(util))
            over = int(np.sum(d_arr > cap))
            print(f"  {e:8s} peak demand {d_arr[w]:g} at {wk(w)} (capacity {fmt_cap(cap[w])}); "
                  f"highest utilisation {util[wu]:.0%} at {wk(wu)} "
                  f"({d_arr[wu]:g}/{fmt_cap(cap[wu])}); weeks over capacity: {over}")
        for (pp, disc), dcap in sorted(pdcap.items()):
            if pp != p or ((p, disc) not in ddem["rotated"] and (p, disc) not in ddem["fixed"]):
                continue
            drot = ddem["rotated"].get((p, disc), np.zeros(n))
            dfix = ddem["fixed"].get((p, disc), np.zeros(n))
            print(f"    {disc:14s} units crediting it: capacity {fmt_cap(float(np.max(dcap)))}"
                  f" (lowest {fmt_cap(float(np.min(dcap)))}); peak demand rotated "
                  f"{np.max(drot):g}, fixed {np.max(dfix):g}")
        need = np.array([min_in_pool(prog, t.site, t.part_time, int(s_arr[i]), p)
                         for i, (t, prog) in enumerate(tw)], dtype=float)
        ratio, a, b, mand, capw = energetic(need, cap)
        if ratio > 1 + 1e-9:
            status = 1
        if capw:
            print(f"  energetic bound: worst window {wk(a)} .. {inst.week_date(b)} "
                  f"({b - a} wk): mandatory {mand:g} trainee-weeks vs {fmt_cap(capw)} "
                  f"capacity-weeks = {ratio:.0%} [{'INFEASIBLE' if ratio > 1 + 1e-9 else 'ok'}]")
        if show_quarters:
            print("  quarter    rotated  fixed  capacity  util(rot)")
            quarters: dict[str, list[int]] = defaultdict(list)
            for w, day in enumerate(week_dates):
                quarters[f"{day.year}Q{(day.month - 1) // 3 + 1}"].append(w)
            for q, ws in quarters.items():
                rot = float(dem["rotated"][p][ws].sum())
                fix = float(dem["fixed"][p][ws].sum())
                cw = float(cap[ws].sum())
                ut = f"{rot / cw:.0%}" if cw and not math.isinf(cw) else "-"
                print(f"  {q:9s} {rot:8g} {fix:6g} {fmt_cap(cw):>9s}  {ut:>8s}")
        if weekly and weekly.lower() in pool_label(p).lower():
            print("  week                    rotated  fixed  capacity")
            for w in range(n):
                print(f"  {wk(w):22s} {dem['rotated'][p][w]:8g} {dem['fixed'][p][w]:6g} "
                      f"{fmt_cap(float(cap[w])):>9s}")
        n_over = int(np.sum(dem["rotated"][p] > cap))
        if n_over:
            warnings.append(f"rotated estimate over capacity in {n_over} weeks: {pool_label(p)}")
        tot_r = float(dem["rotated"][p].sum())
        tot_c = float(cap.sum())
        if not math.isinf(tot_c) and tot_c:
            print(f"  whole horizon: {tot_r:g} trainee-weeks vs {tot_c:g} capacity-weeks "
                  f"({tot_r / tot_c:.0%})")

    print("\n### all units together")
    all_cap = stack_sum(list(ucap.values()), n)
    ratio, a, b, mand, capw = energetic(s_arr.copy(), all_cap)
    active = np.diff(cnt, axis=1).sum(axis=0)
    w = int(np.argmax(active - all_cap))
    print(f"  most trainees in service at once {int(active.max())}; tightest week {wk(w)}: "
          f"{int(active[w])} trainees vs {fmt_cap(float(all_cap[w]))} places")
    if ratio > 1 + 1e-9:
        status = 1
    print(f"  energetic bound: worst window {wk(a)} .. {inst.week_date(b)}: {mand:g} vs "
          f"{fmt_cap(capw)} = {ratio:.0%} [{'INFEASIBLE' if ratio > 1 + 1e-9 else 'ok'}]")

    # ---- staffing targets
    by_pool: dict[str, list[Unit]] = defaultdict(list)
    for u in inst.units:
        if u.staffing_target is not None and u.id in uf.parent:
            by_pool[uf.find(u.id)].append(u)
    if by_pool:
        print("\n## Staffing targets (soft): shortfall under the rotated estimate")
    for p, units in by_pool.items():
        want = np.zeros(n)
        for u in units:
            st = u.staffing_target
            assert st is not None
            a = 0 if st.start is None else max(0, inst.week_index(st.start))
            b = n if st.end is None else min(n, inst.week_index(st.end))
            want[a:b] += st.trainees
        short = np.clip(want - dem["rotated"][p], 0, None)
        weeks_short = np.nonzero(short)[0]
        span = (f" (first {wk(int(weeks_short[0]))}, last {wk(int(weeks_short[-1]))})"
                if len(weeks_short) else "")
        print(f"  {pool_label(p)}: {len(units)} units with a target, up to {want.max():g} "
              f"trainees wanted at once; estimated demand below the total target in "
              f"{len(weeks_short)} weeks{span}, {short.sum():g} trainee-weeks short")
    for msg in warnings:
        print(f"warning: {msg}")
    print(f"\nresult: {'PROBLEMS FOUND' if status else 'no capacity problem found'} "
          "(energetic bound and stint lengths; the estimates are not a proof of feasibility)")
    return status


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("instance")
    ap.add_argument("--scarce", default="psykiatri,allmanmedicin",
                    help="disciplines filled to their maximum first in the nominal split")
    ap.add_argument("--no-quarters", action="store_true", help="omit the per-quarter tables")
    ap.add_argument("--weekly", metavar="TEXT",
                    help="print the week-by-week estimate of pools whose label contains TEXT")
    args = ap.parse_args()
    scarce = [s for s in args.scarce.split(",") if s]
    sys.exit(run(args.instance, scarce, not args.no_quarters, args.weekly))


if __name__ == "__main__":
    main()
