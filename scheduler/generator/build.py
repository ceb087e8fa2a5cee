"""Generate a region: trainees, their witness blocks, then capacities from the witness.

Order of the draws (all from one ``random.Random(seed)``): intakes, units, trainees (who has
leave, part time, locked stints), one block per trainee in start order. Nothing depends on the
clock, the machine or a dict's hash order, so the same parameters give the same bytes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from scheduler.domain import EXTENDING_LEAVE
from scheduler.generator import catalog
from scheduler.generator import region as rg
from scheduler.generator import witness as wt
from scheduler.generator.params import Params
from scheduler.generator.region import GeneratorError, Intake, UnitSpec, summers
from scheduler.plan import Stint

PART_TIMES = (50, 60, 75, 80, 90)
EXTENDING = sorted(EXTENDING_LEAVE)
# Draws of exact stint ranges before giving up (see _exact).
ATTEMPTS = 50


@dataclass
class Person:
    id: str
    programme: str
    site: str
    start: date
    part_time: int = 100
    leave: list[tuple[int, int, str]] = field(default_factory=list)  # (position, weeks, kind)
    wants_lock: bool = False
    wants_semester: bool = False
    cohort: str | None = None          # None: written as an individual trainee
    semester: tuple[date, date] | None = None
    locked: list[Stint] = field(default_factory=list)

    @property
    def individual(self) -> bool:
        return self.cohort is None


@dataclass
class Region:
    params: Params
    programmes: dict
    sites: list[tuple[str, str]]
    units: list[UnitSpec]
    people: list[Person]
    cohorts: list[tuple[str, Intake, int]]     # (id, intake, count)
    h0: date
    n_weeks: int
    loads: wt.Loads
    stints: list[Stint]


class _Profiles:
    def __init__(self, programmes: dict, units: list[UnitSpec]):
        self.programmes, self.units = programmes, units
        self.cache: dict[tuple[str, str, int], wt.Profile | None] = {}

    def get(self, pid: str, site: str, p: int) -> wt.Profile | None:
        key = (pid, site, p)
        if key not in self.cache:
            self.cache[key] = wt.make_profile(self.programmes[pid][0], site, p, self.units)
        return self.cache[key]

    def need(self, pid: str, site: str, p: int) -> wt.Profile:
        pf = self.get(pid, site, p)
        if pf is None:
            raise GeneratorError(f"internal: no block fits {pid} at {site} at {p} %")
        return pf


def _people(p: Params, rng: random.Random, ins: list[Intake], profiles: _Profiles
            ) -> tuple[list[Person], list[tuple[str, Intake, int]]]:
    people: list[Person] = []
    cohorts: list[tuple[str, Intake, int]] = []
    # The planning period: the last start plus the longest full-time block and half a year.
    # Part time and leave are drawn within it, so one outlier does not stretch the horizon.
    h0 = min(it.start for it in ins)
    limit = _week(max(it.start for it in ins), h0) + 26 + max(
        profiles.need(it.programme, it.site, 100).service for it in ins)
    for it in ins:
        cid = f"{catalog.TAGS[it.programme]}-{it.start:%Y-%m}-{it.site}"
        rest = 0
        n_ind = 0
        for _ in range(it.count):
            on_leave = rng.random() * 100 < p.leave
            part = rng.random() * 100 < p.part_time
            lock = rng.random() * 100 < p.locked
            if not (on_leave or part or lock):
                rest += 1
                continue
            n_ind += 1
            person = Person(f"{cid}-I{n_ind:02d}", it.programme, it.site, it.start,
                            wants_lock=lock)
            room = limit - _week(it.start, h0)
            if part:
                person.part_time = rng.choice(PART_TIMES)
                while person.part_time < 100:   # at 100 it fits (profiles.need above)
                    at = profiles.get(it.programme, it.site, person.part_time)
                    if at is not None and at.service <= room:
                        break
                    person.part_time = min(100, person.part_time + 10)
            if on_leave:
                pf = profiles.need(it.programme, it.site, person.part_time)
                if room - pf.service >= 4:
                    person.leave = _leave(rng, room - pf.service)
                    person.wants_semester = rng.random() < 0.5
            if not (person.leave or person.part_time < 100 or lock):
                n_ind -= 1   # no room for leave, full time after all: one of the cohort
                rest += 1
                continue
            people.append(person)
        # Cohorts of at most 500 (the format's limit), the rest written as one intake.
        part_no = 0
        while rest > 0:
            n = min(rest, 500)
            part_no += 1
            kid = cid if part_no == 1 else f"{cid}-{part_no}"
            cohorts.append((kid, it, n))
            width = max(2, len(str(n)))
            for j in range(1, n + 1):
                people.append(Person(f"{kid}-{j:0{width}d}", it.programme, it.site, it.start,
                                     cohort=kid))
            rest -= n
    return people, cohorts


def _week(d: date, h0: date) -> int:
    return (d - h0).days // 7


def _leave(rng: random.Random, most: int) -> list[tuple[int, int, str]]:
    """4-52 weeks (at most ``most``) of extending leave in one or two periods; where in the
    block is decided with the block (:func:`_leave_at`)."""
    total = min(rng.randint(4, 52), most)
    n = 2 if total >= 8 and rng.random() < 0.3 else 1
    sizes = [total] if n == 1 else [total // 2, total - total // 2]
    return [(-1, w, rng.choice(EXTENDING)) for w in sizes]


def _leave_at(x: Person, seq: list[wt.Piece], rng: random.Random) -> None:
    """Service positions of the leave: after the opening stint of a starts_with programme,
    and never twice inside one stint (the model resumes a stint after one run of leave)."""
    bounds, pos = [], 0
    for pc in seq:
        bounds.append((pos, pos + pc.weeks))
        pos += pc.weeks
    first = seq[0].weeks if seq[0].kind is None else 1
    free = list(range(first, pos))
    spots: list[int] = []
    for _ in x.leave:
        k = rng.choice(free)
        spots.append(k)
        a, b = next(ab for ab in bounds if ab[0] <= k < ab[1])
        free = [j for j in free if j != k and not (a < k and a < j < b)]
    x.leave = [(k, w, kind) for k, (_, w, kind) in zip(sorted(spots), x.leave, strict=True)]


def _block_weeks(person: Person, pf: wt.Profile) -> int:
    return pf.service + sum(w for _, w, _ in person.leave)


def _semester(person: Person, h0: date, first: int, end: int,
              leave_weeks: set[int], rng: random.Random) -> None:
    """Four or five weeks of vacation from ISO week 28 of a summer inside the block."""
    n = rng.choice((4, 5))
    years = list(range((h0 + timedelta(weeks=first)).year, (h0 + timedelta(weeks=end)).year + 1))
    rng.shuffle(years)
    for y in years:
        w = (date.fromisocalendar(y, 28, 1) - h0).days // 7
        if first <= w and w + n <= end and not leave_weeks & set(range(w, w + n)):
            person.semester = (h0 + timedelta(weeks=w), h0 + timedelta(weeks=w + n))
            return


def _exact(units: list[UnitSpec], site_list: list[tuple[str, str]], progs: dict,
           ins: list[Intake], seed: int) -> list[UnitSpec]:
    """The units with exact stint ranges (:func:`region.exact_stints`), drawn again until
    every intake's programme has a full-time block at its site (AT21 Enköping needs exactly
    26 weeks of medicine at home, which a few exact lengths may not add up to)."""
    kinds = sorted({(it.programme, it.site) for it in ins})
    for attempt in range(ATTEMPTS):
        trial = rg.exact_stints(units, site_list, progs, seed, attempt)
        if all(wt.make_profile(progs[pid][0], site, 100, trial) is not None
               for pid, site in kinds):
            return trial
    raise GeneratorError("no exact stint ranges fit every programme")


def build(p: Params) -> Region:
    rng = random.Random(p.seed)
    progs = rg.load_programmes(p)
    site_list = rg.sites(p)
    ins = rg.intakes(p, rng, progs, [s for s, _ in site_list])
    if not ins:
        raise GeneratorError("internal: no intakes")
    units = rg.units(p, rng, site_list, progs, ins)
    if p.wide_stints:
        rg.widen_county_stints(units, site_list, p.seed)
    if p.exact_stints:
        units = _exact(units, site_list, progs, ins, p.seed)
    profiles = _Profiles(progs, units)
    people, cohorts = _people(p, rng, ins, profiles)
    h0 = min(x.start for x in people)
    ends = [(x.start - h0).days // 7 + _block_weeks(x, profiles.need(x.programme, x.site,
                                                                     x.part_time))
            for x in people]
    n_weeks = max(ends)
    dips = summers(h0, n_weeks) if p.summer else []
    loads = wt.Loads(len(units), n_weeks, [i for i, u in enumerate(units) if u.summer_dip], dips)
    stints: list[Stint] = []
    # The coordinator's choices draw from a generator of their own (a stable str seed), so
    # the draws before them are those without --stagger.
    staggered = random.Random(f"stagger/{p.seed}") if p.stagger else None
    for x in sorted(people, key=lambda q: (q.start, q.id)):
        pf = profiles.need(x.programme, x.site, x.part_time)
        seq = wt.draw_pieces(pf, rng)
        first = (x.start - h0).days // 7
        if x.leave:
            _leave_at(x, seq, rng)
        spots = [(pos, w) for pos, w, _ in x.leave]
        if staggered is not None:
            seq = wt.stagger(seq, pf, loads, spots, first, staggered, pack=p.pack)
        else:
            wt.place(seq, spots, first)
            wt.assign_units(seq, pf, loads, rng, pack=p.pack)
        mine = wt.stints_of(seq, x.id, x.programme, units, h0)
        stints.extend(mine)
        if x.wants_lock:
            whole = [pc for pc in seq if pc.kind is not None and len(pc.parts) == 1][:3]
            for pc in sorted(rng.sample(whole, min(len(whole), rng.choice((1, 2)))),
                             key=lambda q: q.parts[0]):
                u = units[pc.unit]
                a, b = pc.parts[0]
                x.locked.append(Stint(x.id, h0 + timedelta(weeks=a), h0 + timedelta(weeks=b),
                                      u.id, pc.discipline, x.programme, u.site))
        if x.wants_semester:
            leave_weeks: set[int] = set()
            pos_shift = 0
            for pos, w, _ in x.leave:
                leave_weeks |= set(range(first + pos + pos_shift, first + pos + pos_shift + w))
                pos_shift += w
            _semester(x, h0, first, first + _block_weeks(x, pf), leave_weeks, rng)
    return Region(p, progs, site_list, units, people, cohorts, h0, n_weeks, loads, stints)


def leave_periods(x: Person, h0: date) -> list[tuple[str, date, date]]:
    """(kind, start, end) of every leave of a trainee, in calendar order."""
    out = []
    first = (x.start - h0).days // 7
    shift = 0
    for pos, w, kind in x.leave:
        a = first + pos + shift
        out.append((kind, h0 + timedelta(weeks=a), h0 + timedelta(weeks=a + w)))
        shift += w
    if x.semester is not None:
        out.append(("semester", *x.semester))
    return sorted(out, key=lambda t: t[1])
