"""The MSS benchmark: solve instances, verify, compare with the published results.

The Akbarzadeh–Maenhout folder carries no per-instance scores (the papers report them, the data
folder does not), so their rows show our score, our bound and whether it is proven optimal.
The generated instances are compared with ``generated/best-known.csv``.
"""

from __future__ import annotations

import csv
import io
import os
import platform
import re
import sys
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from scheduler.mss.check import check
from scheduler.mss.dzn import MssInstance, read_instance
from scheduler.mss.evaluate import evaluate
from scheduler.mss.solve import solve


@dataclass
class Row:
    instance: str
    students: int
    disciplines: int
    hospitals: int
    duration: int
    horizon: int
    status: str
    score: int | None
    bound: int | None
    best_known: int | None
    published_bound: int | None
    gap_to_best_pct: float | None  # (best known - ours) / best known; negative: we beat it
    optimal: bool
    time_s: float
    first_plan: str
    violations: int
    first_valid_s: float | None = None  # seconds to the first checker-clean schedule


COLUMNS = [f.name for f in fields(Row)]


def instance_files(folder: Path) -> list[Path]:
    """``.dzn`` instances in ``folder``; for the MSS root, both instance sets."""
    subs = [folder / "akbarzadeh-maenhout", folder / "generated"]
    roots = [p for p in subs if p.is_dir()] or [folder]
    out: list[Path] = []
    for r in roots:
        out.extend(p for p in r.glob("*.dzn") if not p.name.endswith("-sol.dzn"))
    return sorted(out, key=_natural)


def _natural(p: Path) -> tuple:
    return (str(p.parent),) + tuple(int(x) if x.isdigit() else x
                                    for x in re.split(r"(\d+)", p.stem))


def best_known(folder: Path) -> dict[str, tuple[int | None, int | None]]:
    """instance -> (best known score, published upper bound) from ``best-known.csv``."""
    for path in (folder / "best-known.csv", folder / "generated" / "best-known.csv",
                 folder.parent / "generated" / "best-known.csv"):
        if path.is_file():
            out = {}
            with path.open(newline="", encoding="utf-8") as fh:
                for r in csv.DictReader(fh):
                    out[r["instance"]] = (_int(r.get("best_known_score")),
                                          _int(r.get("published_upper_bound")))
            return out
    return {}


def _int(v: str | None) -> int | None:
    return int(float(v)) if v not in (None, "") else None


def run_one(path: Path, known: dict[str, tuple[int | None, int | None]],
            time_limit: float, workers: int, seed: int) -> Row:
    inst: MssInstance = read_instance(path)
    res = solve(inst, time_limit=time_limit, workers=workers, seed=seed)
    score = None
    violations = 0
    if res.cells:
        violations = len(check(inst, res.cells))
        score = evaluate(inst, res.cells).score
    best, pub = known.get(inst.name, (None, None))
    gap = round(100 * (best - score) / abs(best), 2) if best and score is not None else None
    return Row(inst.name, inst.students, inst.disciplines, inst.hospitals, inst.duration,
               inst.horizon, res.status, score, res.bound, best, pub, gap,
               res.status == "optimal" and not violations, round(res.wall_time, 1),
               res.first_plan, violations,
               None if res.first_valid is None else round(res.first_valid, 1))


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} logical cores, Python {platform.python_version()}, "
            f"OR-Tools {version('ortools')}")


def command() -> str:
    """The command line of this run, as typed (program name without its folder)."""
    return " ".join([Path(sys.argv[0]).name] + sys.argv[1:])


def load() -> str:
    """The machine's load average: the table's times mean little without it (shared
    2-core machine)."""
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def to_csv(rows: list[Row]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for r in rows:
        w.writerow(["" if getattr(r, c) is None else getattr(r, c) for c in COLUMNS])
    return buf.getvalue()


def _cell(v: object) -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    return str(v)


TABLE = ["instance", "score", "bound", "best_known", "published_bound", "gap_to_best_pct",
         "optimal", "first_valid_s", "time_s"]


def to_markdown(rows: list[Row], time_limit: float, workers: int, jobs: int = 1) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    n_opt = sum(r.optimal for r in rows)
    n_best = sum(1 for r in rows if r.best_known is not None and r.score is not None
                 and r.score >= r.best_known)
    lines = [
        "# MSS benchmark",
        "",
        f"{when}; {machine()}; time limit {time_limit:g} s per instance, {workers} workers"
        + (f", {jobs} instances in parallel." if jobs > 1 else "."),
        "",
        f"Command: `{command()}`; load average when written (1, 5, 15 min): {load()}.",
        "",
        f"{len(rows)} instances: {n_opt} proven optimal, {n_best} at or above the best known "
        "score. `score` is the evaluator's value of our verified schedule, `bound` our upper "
        "bound, `gap_to_best_pct` = (best known - score) / best known.",
        "",
        "| " + " | ".join(TABLE) + " |",
        "|" + "|".join("---" for _ in TABLE) + "|",
    ]
    for r in rows:
        lines.append("| " + " | ".join(_cell(getattr(r, c)) for c in TABLE) + " |")
    return "\n".join(lines) + "\n"
