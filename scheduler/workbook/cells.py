"""One cell of the workbook to a typed value: codes, integers, dates, and the messages of
pydantic's errors in the coordinator's words."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from scheduler.i18n import tr
from scheduler.workbook import schema as S
from scheduler.workbook.schema import Column, msg

CODE_RE = re.compile(r"^[A-Za-z0-9ÅÄÖåäöÉé_.+\-]+$")
INT_RE = re.compile(r"^[+-]?\d+$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
UNLIMITED = object()  # the capacity cell says "obegränsad"


def norm(text: object) -> str:
    return " ".join(str(text).split()).casefold()


FORMULA = object()  # a formula cell without a saved value (already reported)


def is_sv(header: list[Any]) -> bool:
    en = {norm(c.en) for s in S.DATA_SHEETS for c in s.columns}
    sv = {norm(c.sv) for s in S.DATA_SHEETS for c in s.columns}
    words = [norm(h) for h in header if h is not None]
    return sum(w in sv for w in words) >= sum(w in en for w in words)


def _show(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, datetime) and v.time() == datetime.min.time():
        return v.date().isoformat()
    return str(v).strip()


def _int(v: Any, key: str = "not_int") -> int:
    if isinstance(v, bool):
        raise ValueError(msg(key, value=_show(v)))
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str) and INT_RE.match(v.strip()):
        return int(v.strip())
    raise ValueError(msg(key, value=_show(v)))


def _date(v: Any) -> date:
    if isinstance(v, datetime):
        if v.time() != datetime.min.time():
            raise ValueError(msg("not_date", value=_show(v)))
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, str) and DATE_RE.match(v.strip()):
        try:
            return date.fromisoformat(v.strip())
        except ValueError:
            pass
    raise ValueError(msg("not_date", value=_show(v)))


def _code(v: Any) -> str:
    if isinstance(v, bool | datetime | date):
        raise ValueError(msg("not_code", value=_show(v)))
    s = _show(v)
    if not CODE_RE.match(s) or len(s) > 64:
        raise ValueError(msg("not_code", value=s))
    return s


def parse_cell(c: Column, v: Any) -> Any:
    kind = c.kind
    if kind == "text":
        if isinstance(v, str):
            return v
        return _show(v)
    if kind == "code":
        return _code(v)
    if kind == "int":
        return _int(v)
    if kind == "date":
        return _date(v)
    if kind == "bool":
        if isinstance(v, bool):
            return v
        s = norm(v)
        if s in S.YES or s in ("j", "y", "true", "sant", "1"):
            return True
        if s in S.NO or s in ("n", "false", "falskt", "0"):
            return False
        raise ValueError(msg("not_bool", value=_show(v)))
    if kind == "capacity":
        if isinstance(v, str) and norm(v) in S.UNLIMITED:
            return UNLIMITED
        return _int(v, "not_capacity")
    if kind in ("codes", "codes_or_all"):
        if kind == "codes_or_all" and isinstance(v, str) and norm(v) in S.NONE:
            return []
        parts = [p.strip() for p in re.split(r"[,;]", _show(v))]
        return [_code(p) for p in parts if p]
    if kind == "leave_kind":
        s = norm(v)
        for code, names in S.LEAVE_KINDS.items():
            if s == code or s in names:
                return code
        kinds = ", ".join(n[0] for n in S.LEAVE_KINDS.values())
        raise ValueError(msg("not_leave_kind", value=_show(v), kinds=kinds))
    if kind == "wish_kind":
        s = norm(v)
        for code, names in S.WISH_KINDS.items():
            if s == code or s in names:
                return code
        kinds = ", ".join(n[0] for n in S.WISH_KINDS.values())
        raise ValueError(msg("not_wish_kind", value=_show(v), kinds=kinds))
    if kind == "kind":
        s = _show(v)
        for k in ("AT", "BT", "other"):
            if s.casefold() == k.casefold():
                return k
        raise ValueError(msg("not_kind", value=s))
    raise AssertionError(kind)


def error_text(e: Any) -> str:
    typ = e["type"]
    value = e.get("input")
    ctx = e.get("ctx", {})
    if typ == "missing":
        return msg("required")
    if typ.startswith("int_"):
        return tr("invalid_int", value=value)
    if typ.startswith("date_"):
        return tr("invalid_date", value=value)
    if typ == "value_error":
        return str(ctx.get("error", e["msg"]))
    if typ == "greater_than_equal":
        return msg("at_least", value=value, limit=ctx.get("ge"))
    if typ == "less_than_equal":
        return msg("at_most", value=value, limit=ctx.get("le"))
    if typ == "too_short":
        return msg("required")
    if typ == "string_pattern_mismatch":
        return msg("not_code", value=value)
    return tr("invalid_value", detail=e["msg"])


_PATH_RE = re.compile(r"\[(\d+)\]|\s*\([^)]*\)|\.?([A-Za-z_]+)")


def parse_path(path: str) -> tuple[Any, ...]:
    """``units[3] (X).site`` -> ``("units", 3, "site")`` (ids in parentheses dropped)."""
    out: list[Any] = []
    for m in _PATH_RE.finditer(path):
        if m.group(1) is not None:
            out.append(int(m.group(1)))
        elif m.group(2) is not None:
            out.append(m.group(2))
    return tuple(out)
