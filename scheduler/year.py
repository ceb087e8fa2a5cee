"""The coordinator's year: the state a re-plan leaves behind, the plan a run was made
for, and the next recruitment round (``solve --keep``).

Pure instance transformations: no solver import. Kept stints become locked stints of the
instance, so the model, the checker and every command treat them as the rules already say
(a locked stint is kept as it is, and is exempt from the stint-length and repeat rules).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from scheduler.domain import Instance, Trainee
from scheduler.i18n import tr
from scheduler.inputs.yaml_io import InputError, pydantic_problems
from scheduler.plan import Stint

# Fields of a trainee that a cohort member may hold on its own (domain.MemberFacts).
MEMBER_FIELDS = ("name", "site", "part_time", "leave", "locked", "leaves_on")


def _member_facts(default: Trainee, actual: Trainee) -> dict[str, Any] | None:
    """The fields in which ``actual`` differs from the cohort's ``default`` member."""
    d, a = default.model_dump(), actual.model_dump()
    if any(d[k] != a[k] for k in ("programme", "start")):
        return None  # not a member any more: keep it as an individual
    facts = {k: a[k] for k in MEMBER_FIELDS if a.get(k) != d.get(k)}
    return {"id": actual.id, **facts}


def compact(original: Instance, changed: Instance, today: date | None = None) -> Instance:
    """``changed`` (cohorts expanded into individuals, as re-planning does) with the members of
    ``original``'s cohorts put back into their cohorts, their own facts as ``overrides``; and
    ``today`` set. Every trainee of ``changed`` is the same in the result
    (``all_trainees()`` gives equal trainees), so a plan checks the same against both."""
    data = changed.model_dump()
    people = {t.id: t for t in changed.trainees}
    cohorts = []
    for c in original.cohorts:
        default = c.model_copy(update={"overrides": []}).trainees()
        if not all(m.id in people for m in default):
            cohorts.append(c.model_dump())  # cannot happen after apply_changes; be safe
            continue
        overrides = []
        for m in default:
            facts = _member_facts(m, people[m.id])
            if facts is None:
                break
            if len(facts) > 1:
                overrides.append(facts)
        else:
            for m in default:
                del people[m.id]
            cohorts.append({**c.model_dump(), "overrides": overrides})
            continue
        # A member left the cohort's programme or start: the cohort stays expanded.
    data["cohorts"] = cohorts
    data["trainees"] = [t.model_dump() for t in changed.trainees if t.id in people]
    if today is not None:
        data["today"] = today
    return Instance.model_validate(data)


def keep_stints(inst: Instance, plan: list[Stint], source: str = "PLAN",
                lang: str = "sv") -> tuple[Instance, set[str]]:
    """The instance with every stint of the trainees in ``plan`` locked (history and future),
    and the ids of those trainees. Trainees without a stint in ``plan`` are planned freely.

    A cohort member's stints become locked stints in the cohort's ``overrides``; a trainee who
    has since become a named individual with the same id keeps them as well.
    """
    by_id = {t.id: t for t in inst.all_trainees()}
    problems: list[tuple[str, str]] = []
    mine: dict[str, list[Stint]] = {}
    for s in sorted(plan):
        mine.setdefault(s.trainee, []).append(s)
    for tid, ss in mine.items():  # one message per trainee, not per row
        t = by_id.get(tid)
        if t is None:
            problems.append(("", tr("year.keep_unknown", lang, id=tid, n=len(ss))))
        elif any(s.programme != t.programme for s in ss):
            found = next(s.programme for s in ss if s.programme != t.programme)
            problems.append(("", tr("year.keep_programme", lang, id=tid, found=found,
                                    expected=t.programme)))
    if problems:
        raise InputError(source, problems)

    def locked(t: Trainee) -> list[dict[str, Any]]:
        old = [lk.model_dump() for lk in t.locked]
        new = [{"unit": s.unit, "discipline": s.discipline, "start": s.start, "end": s.end}
               for s in mine[t.id]]
        return old + [lk for lk in new if lk not in old]

    data = inst.model_dump()
    for td in data["trainees"]:
        if td["id"] in mine:
            td["locked"] = locked(by_id[td["id"]])
    for cd in data["cohorts"]:
        facts = {o["id"]: o for o in cd["overrides"]}
        width = max(2, len(str(cd["count"])))
        for i in range(1, cd["count"] + 1):
            tid = f"{cd['id']}-{i:0{width}d}"
            if tid in mine:
                facts.setdefault(tid, {"id": tid})["locked"] = locked(by_id[tid])
        cd["overrides"] = sorted(facts.values(), key=lambda o: o["id"])
    try:
        return Instance.model_validate(data), set(mine)
    except ValidationError as exc:
        raise InputError(source, pydantic_problems(exc, data)) from None


# --------------------------------------------------------------------------------------------
# run.json: the instance a plan was made for


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def instance_record(instance: Path, out_dir: Path, digest: str) -> dict[str, str]:
    """``{"path", "sha256", "input_hash"}`` for run.json: the path relative to the plan folder
    when the instance lies inside it (a re-plan's ``instance.yaml``), else absolute."""
    ipath = instance.resolve()
    try:
        shown = str(ipath.relative_to(out_dir.resolve()))
    except ValueError:
        shown = str(ipath)
    return {"path": shown, "sha256": file_sha256(ipath), "input_hash": digest}


@dataclass
class RunInfo:
    instance: Path | None  # the instance the plan was made for, if run.json names it
    sha256: str | None
    input_hash: str | None
    today: date | None


def read_run(plan_dir: Path) -> RunInfo:
    """What run.json in ``plan_dir`` says about the plan (empty when it is missing)."""
    run: dict[str, Any] = {}
    path = plan_dir / "run.json"
    if path.is_file():
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
            run = loaded if isinstance(loaded, dict) else {}
        except (ValueError, UnicodeDecodeError):
            run = {}
    rec = run.get("instance")
    inst_path, sha = None, None
    if isinstance(rec, dict) and isinstance(rec.get("path"), str):
        inst_path = Path(rec["path"])
        sha = rec.get("sha256") if isinstance(rec.get("sha256"), str) else None
    elif isinstance(rec, str):
        inst_path = Path(rec)
    if inst_path is not None and not inst_path.is_absolute():
        inst_path = plan_dir / inst_path
    today = None
    if isinstance(run.get("today"), str):
        try:
            today = date.fromisoformat(run["today"])
        except ValueError:
            today = None
    digest = run.get("input_hash") if isinstance(run.get("input_hash"), str) else None
    return RunInfo(inst_path, sha, digest, today)
