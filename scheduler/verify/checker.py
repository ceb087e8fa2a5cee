"""``check``: every hard rule of docs/MODEL.md over a plan, in the order MODEL.md lists them."""

from __future__ import annotations

from collections import defaultdict

from scheduler.domain import Instance
from scheduler.i18n import Lang
from scheduler.plan import Stint
from scheduler.verify.block import wk
from scheduler.verify.trainee_rules import (
    check_frozen,
    check_stint,
    check_trainee,
    interrupted_parts,
)
from scheduler.verify.unit_rules import check_capacity, check_seats
from scheduler.verify.violations import RULES, Context, History, Violation


def check(instance: Instance, stints: list[Stint], lang: Lang | None = None,
          soft_capacity: bool = False, history: History | None = None) -> list[Violation]:
    """Every hard-rule violation of ``stints``, grouped by rule in MODEL.md order; [] = valid.

    ``soft_capacity``: capacity is not a hard rule (overruns are listed by
    :func:`capacity_overruns` and cost ``capacity_overrun``). ``history``: a re-plan, whose
    weeks before ``history.today`` must equal the old plan's (rule ``frozen``).
    """
    cx = Context(instance, lang, history.today if history is not None else None)
    h0 = cx.h0
    trainees = {t.id: t for t in instance.all_trainees()}
    programmes = {p.id: p for p in instance.programmes}

    # Stints that can take part in the per-trainee and per-unit rules.
    by_trainee: dict[str, list[Stint]] = defaultdict(list)
    for s in sorted(stints):
        t = trainees.get(s.trainee)
        w, n = wk(h0, s.start), (s.end - s.start).days // 7
        if t is None:
            cx.add("reference", "chk_unknown_trainee", who=s.trainee, uid=s.unit, week=w,
                   when=cx.when(w, max(n, 1)))
            continue
        if s.start.weekday() or s.end.weekday() or s.end <= s.start:
            # Not whole weeks: the stint cannot cover anything, so report it and leave it out.
            cx.add("coverage", "chk_bad_dates", who=t.id, uid=s.unit,
                   start=s.start.isoformat(), end=s.end.isoformat())
            continue
        by_trainee[t.id].append(s)
    for tid, ss in by_trainee.items():
        t = trainees[tid]
        parts = interrupted_parts(t, ss)
        for i, s in enumerate(ss):
            check_stint(cx, t, programmes[t.programme], s, i in parts)

    for t in trainees.values():
        check_trainee(cx, t, programmes[t.programme], by_trainee.get(t.id, []))

    if not soft_capacity:
        check_capacity(cx, [s for ss in by_trainee.values() for s in ss])
    check_seats(cx, trainees, [s for ss in by_trainee.values() for s in ss])
    if history is not None:
        check_frozen(cx, trainees, history, by_trainee)
    return [v for r in RULES for v in cx.found[r]]
