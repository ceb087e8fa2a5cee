"""Reader for the MiniZinc data (``.dzn``) subset used by the MSS benchmark.

Supported: ``name = value;`` items with integer scalars, 1-D lists ``[a, b, ...]``, 2-D arrays
``[| a, b | c, d |]``, ``arrayNd(lo..hi, ..., [flat list])`` (bounds may name scalars defined
earlier or passed in ``env``), and ``%`` comments. Everything else is rejected with the file and
line, so a malformed instance never reaches the solver.

:class:`MssInstance` holds the instance 0-based (student, period, hospital, discipline indices
start at 0); files and ``schedule.csv`` are 1-based as in the ``.dzn``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>%[^\n]*)
  | (?P<ints>-?\d++(?:\s*,\s*-?\d++(?!\s*\.\.))*)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\[\||\|\]|\.\.|[\[\]|,;=()\-])
""", re.VERBOSE)


class DznError(Exception):
    """Malformed ``.dzn`` input: ``source:line: message``."""

    def __init__(self, source: str, line: int, message: str):
        self.source, self.line, self.message = source, line, message
        super().__init__(f"{source}:{line}: {message}")


class _Parser:
    def __init__(self, text: str, source: str, env: dict[str, Any]):
        self.text, self.source, self.env = text, source, env
        toks: list[tuple[str, str, int]] = []
        pos = 0
        for m in _TOKEN.finditer(text):
            if m.start() != pos:
                break
            pos = m.end()
            kind = m.lastgroup
            if kind in ("ws", "comment"):
                continue
            toks.append((kind, m.group(), m.start()))  # type: ignore[arg-type]
        if pos != len(text):
            raise DznError(source, self._line(pos), f"unexpected character {text[pos]!r}")
        self.toks = toks
        self.i = 0

    def _line(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1

    def error(self, msg: str, at: int | None = None) -> DznError:
        i = self.i if at is None else at
        off = self.toks[i][2] if i < len(self.toks) else len(self.text)
        return DznError(self.source, self._line(off), msg)

    def _kind(self) -> str | None:
        return self.toks[self.i][0] if self.i < len(self.toks) else None

    def peek(self) -> str | None:
        return self.toks[self.i][1] if self.i < len(self.toks) else None

    def next(self, expect: str | None = None, kind: str | None = None) -> str:
        if self.i >= len(self.toks):
            raise self.error(f"unexpected end of file (expected {expect or kind})")
        k, v, _ = self.toks[self.i]
        if (expect is not None and v != expect) or (kind is not None and k != kind):
            raise self.error(f"expected {expect or kind}, found {v!r}")
        self.i += 1
        return v

    def items(self) -> dict[str, tuple[Any, int]]:
        out: dict[str, tuple[Any, int]] = {}
        while self.i < len(self.toks):
            at = self.i
            name = self.next(kind="ident")
            self.next("=")
            value = self.value()
            self.next(";")
            if name in out:
                raise self.error(f"{name} assigned twice", at)
            out[name] = (value, self._line(self.toks[at][2]))
            if isinstance(value, int):
                self.env.setdefault(name, value)
        return out

    def integer(self) -> int:
        neg = self.peek() == "-"
        if neg:
            self.next("-")
        if self.i < len(self.toks) and self.toks[self.i][0] == "ident":
            name = self.next()
            if neg or name not in self.env:
                raise self.error(f"expected an integer, found {name!r}", self.i - 1)
            return int(self.env[name])
        at = self.i
        vals = _ints(self.next(kind="ints"))
        if len(vals) != 1 or (neg and vals[0] < 0):
            raise self.error("expected one integer", at)
        return -vals[0] if neg else vals[0]

    def value(self) -> Any:
        tok = self.peek()
        if tok == "[|":
            return self.matrix()
        if tok == "[":
            return self.flat()
        if tok is not None and re.fullmatch(r"array[1-6]d", tok):
            return self.arraynd()
        return self.integer()

    def flat(self) -> list[int]:
        self.next("[")
        out: list[int] = []
        while self.peek() != "]":
            if self._kind() == "ints":
                out.extend(_ints(self.next()))
            else:
                out.append(self.integer())
            if self.peek() == ",":
                self.next(",")
            elif self.peek() != "]":
                raise self.error(f"expected ',' or ']', found {self.peek()!r}")
        self.next("]")
        return out

    def matrix(self) -> list[list[int]]:
        self.next("[|")
        rows: list[list[int]] = [[]]
        while True:
            tok = self.peek()
            if tok == "|]":
                self.next()
                break
            if tok == "|":
                self.next()
                if self.peek() == "|]":
                    continue
                rows.append([])
                continue
            if tok == ",":
                self.next()
                continue
            if self._kind() == "ints":
                rows[-1].extend(_ints(self.next()))
            else:
                rows[-1].append(self.integer())
        if rows and not rows[-1]:
            rows.pop()
        widths = {len(r) for r in rows}
        if len(widths) > 1:
            raise self.error(f"2-D array rows have different lengths {sorted(widths)}",
                             self.i - 1)
        return rows

    def arraynd(self) -> list:
        at = self.i
        n = int(self.next()[5])
        self.next("(")
        dims = []
        for _ in range(n):
            lo = self.integer()
            self.next("..")
            hi = self.integer()
            if lo != 1:
                raise self.error("index sets must start at 1", self.i - 1)
            dims.append(max(0, hi))
            self.next(",")
        data = self.flat()
        self.next(")")
        size = 1
        for d in dims:
            size *= d
        if len(data) != size:
            raise self.error(f"array{n}d of shape {dims} needs {size} values, found {len(data)}",
                             at)
        return _reshape(data, dims)


_INT = re.compile(r"-?\d+")


def _ints(chunk: str) -> list[int]:
    """A run of comma-separated integers, tokenised as one (solution files hold millions)."""
    return [int(x) for x in _INT.findall(chunk)]


def _reshape(flat: list[int], dims: list[int]) -> list:
    if len(dims) == 1:
        return flat
    step = len(flat) // dims[0] if dims[0] else 0
    return [_reshape(flat[i * step:(i + 1) * step], dims[1:]) for i in range(dims[0])]


def parse_dzn(text: str, source: str = "<dzn>",
              env: dict[str, Any] | None = None) -> dict[str, tuple[Any, int]]:
    """``name -> (value, line)``; ``env`` supplies scalars for index sets (``1..Students``)."""
    return _Parser(text, source, dict(env or {})).items()


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DznError(str(path), 0, "file not found") from None
    except UnicodeDecodeError:
        raise DznError(str(path), 0, "not UTF-8 text") from None
    except OSError as exc:
        raise DznError(str(path), 0, f"cannot read: {exc.strerror or exc}") from None


# ---------------------------------------------------------------------------- instances

SCALARS = ("Students", "Horizon", "Hospitals", "Duration", "Disciplines", "Groups",
           "MaxDiscPerHosp")


@dataclass
class MssInstance:
    """One MSS instance, 0-based. Array names and index orders follow ``mss.mzn``."""

    name: str
    students: int
    horizon: int
    hospitals: int
    duration: int
    disciplines: int
    groups: int
    max_disc_per_hosp: int
    disc_group: list[int]  # [d] -> 0-based group
    stud_disc_group: list[list[int]]  # [s][g] disciplines to attend in group g
    allowed_disc: list[list[int]]  # [s][d]
    precededby: list[list[int]]  # [d][d1] = 1: d needs d1 attended earlier
    availability: list[list[int]]  # [s][t]
    ability: list[list[list[int]]]  # [s][h][d]
    max_pos: list[list[list[int]]]  # [h][d][t]
    min_pos: list[list[list[int]]]  # [h][d][t]
    weight_pref: list[list[int]]  # [s] -> (W_disc, W_hosp, W_change, W_wait)
    pref_disc: list[list[int]]  # [s][d]
    pref_hosp: list[list[int]]  # [s][h]
    man_pref: list[int]  # [d]

    def n_stints(self, s: int) -> int:
        """Disciplines student ``s`` attends (the group requirements are equalities)."""
        return sum(self.stud_disc_group[s])


# name -> (shape as scalar names, lowest value, highest value or None)
_ARRAYS: dict[str, tuple[tuple[str, ...], int | None, int | str | None]] = {
    "DiscGroup": (("Disciplines",), 1, "Groups"),
    "StudDiscGroup": (("Students", "Groups"), 0, "Disciplines"),
    "AllowedDisc": (("Students", "Disciplines"), 0, 1),
    "Precededby": (("Disciplines", "Disciplines"), 0, 1),
    "Availability": (("Students", "Horizon"), 0, 1),
    "Ability": (("Students", "Hospitals", "Disciplines"), 0, 1),
    "MaxPosHosp": (("Hospitals", "Disciplines", "Horizon"), 0, None),
    "MinPosHosp": (("Hospitals", "Disciplines", "Horizon"), 0, None),
    "WeightPref": (("Students",), None, None),  # checked below: n x 4
    "PrefStudDisc": (("Students", "Disciplines"), None, None),
    "PrefStudHosp": (("Students", "Hospitals"), None, None),
    "ManPref": (("Disciplines",), 0, 5),
}


def _shape(value: Any) -> list[int]:
    shape = []
    while isinstance(value, list):
        shape.append(len(value))
        value = value[0] if value else None
    return shape


def _flatten(value: Any) -> list[int]:
    if isinstance(value, list):
        return [x for v in value for x in _flatten(v)]
    return [value]


def read_instance(path: str | Path) -> MssInstance:
    """Read and validate an MSS instance; :class:`DznError` names the file and line."""
    path = Path(path)
    src = str(path)
    items = parse_dzn(_read_text(path), src)
    last = max((ln for _, ln in items.values()), default=1)
    sc: dict[str, int] = {}
    for name in SCALARS:
        if name not in items:
            raise DznError(src, last, f"missing scalar {name}")
        v, ln = items[name]
        if not isinstance(v, int) or v < (0 if name == "MaxDiscPerHosp" else 1):
            raise DznError(src, ln, f"{name} must be a positive integer")
        sc[name] = v
    arrays: dict[str, Any] = {}
    for name, (dims, lo, hi) in _ARRAYS.items():
        if name not in items:
            raise DznError(src, last, f"missing array {name}")
        v, ln = items[name]
        want = [sc[d] for d in dims] + ([4] if name == "WeightPref" else [])
        if not isinstance(v, list) or _shape(v) != want:
            raise DznError(src, ln, f"{name} must have shape {want}, found {_shape(v)}")
        hi_v = sc[hi] if isinstance(hi, str) else hi
        for x in _flatten(v):
            if (lo is not None and x < lo) or (hi_v is not None and x > hi_v):
                raise DznError(src, ln, f"{name} has value {x} outside {lo}..{hi_v}")
        arrays[name] = v
    unknown = sorted(set(items) - set(SCALARS) - set(_ARRAYS))
    if unknown:
        raise DznError(src, items[unknown[0]][1], f"unknown item {unknown[0]}")
    return MssInstance(
        name=path.stem, students=sc["Students"], horizon=sc["Horizon"],
        hospitals=sc["Hospitals"], duration=sc["Duration"], disciplines=sc["Disciplines"],
        groups=sc["Groups"], max_disc_per_hosp=sc["MaxDiscPerHosp"],
        disc_group=[g - 1 for g in arrays["DiscGroup"]],
        stud_disc_group=arrays["StudDiscGroup"], allowed_disc=arrays["AllowedDisc"],
        precededby=arrays["Precededby"], availability=arrays["Availability"],
        ability=arrays["Ability"], max_pos=arrays["MaxPosHosp"], min_pos=arrays["MinPosHosp"],
        weight_pref=arrays["WeightPref"], pref_disc=arrays["PrefStudDisc"],
        pref_hosp=arrays["PrefStudHosp"], man_pref=arrays["ManPref"])


# ---------------------------------------------------------------------------- schedules

# A schedule is the set of 0-based cells (student, period, hospital, discipline) whose
# ``schedule`` entry in mss.mzn is 1.
Cell = tuple[int, int, int, int]

_SCORE = re.compile(r"^\s*%\s*The score maximizes is\s+(-?\d+)\s*$", re.MULTILINE)


@dataclass
class Solution:
    cells: set[Cell]
    published_score: int | None  # from the trailing "The score maximizes is N" comment


def read_solution(path: str | Path, inst: MssInstance) -> Solution:
    """Read a ``schedule = array4d(...)`` solution file of ``inst`` (0/1 entries)."""
    path = Path(path)
    src = str(path)
    text = _read_text(path)
    env = {"Students": inst.students, "Horizon": inst.horizon, "Hospitals": inst.hospitals,
           "Disciplines": inst.disciplines}
    items = parse_dzn(text, src, env)
    if "schedule" not in items:
        raise DznError(src, 1, "no schedule = ... item")
    v, ln = items["schedule"]
    want = [inst.students, inst.horizon, inst.hospitals, inst.disciplines]
    if _shape(v) != want:
        raise DznError(src, ln, f"schedule must have shape {want}, found {_shape(v)}")
    cells: set[Cell] = set()
    for s, per_s in enumerate(v):
        for t, per_t in enumerate(per_s):
            for h, per_h in enumerate(per_t):
                for d, x in enumerate(per_h):
                    if x not in (0, 1):
                        raise DznError(src, ln, f"schedule has value {x} (must be 0 or 1)")
                    if x:
                        cells.add((s, t, h, d))
    scores = _SCORE.findall(text)
    return Solution(cells, int(scores[-1]) if scores else None)


def benchmark_dir() -> Path:
    """The MSS data: ``$ATBT_MSS_DIR``, else ``../shared/benchmarks/mss`` beside the repo."""
    env = os.environ.get("ATBT_MSS_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2].parent / "shared" / "benchmarks" / "mss"
