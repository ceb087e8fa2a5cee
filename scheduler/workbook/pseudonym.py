"""Stable pseudonyms for trainees: a keyed hash of the id, so codes match across runs.

Trainee names are personal data, and ids (``AT-2027-01-03``, or an employee number) identify a
person too. With ``--pseudonymize`` every output names trainees by ``P-`` plus the first hex
digits of HMAC-SHA256(key, id): the same trainee gets the same code in every run with the same
key, and nobody without the key can recompute the code from a guessed id.

The key is ``ATBT_PSEUDONYM_KEY`` if set, otherwise a random key kept in
``~/.config/atbt/pseudonym.key`` (created on first use, readable by its owner only). A key shorter
than 16 bytes is refused: with an empty key anyone can compute the codes from guessed ids.
"""

from __future__ import annotations

import hmac
import os
import secrets
from dataclasses import replace
from hashlib import sha256
from pathlib import Path

from scheduler.domain import Instance
from scheduler.i18n import tr
from scheduler.plan import Stint

ENV_KEY = "ATBT_PSEUDONYM_KEY"
PREFIX = "P-"
MIN_KEY_BYTES = 16

class PseudonymKeyError(Exception):
    """The key is unusable (empty, short) or is not the one the plan was made with."""

    def __init__(self, kind: str, source: str, n: int = 0):
        self.kind, self.source, self.n = kind, source, n
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        return tr(f"workbook.pseudonym_{self.kind}", "en" if lang == "en" else "sv",
                  source=self.source, n=self.n, most=MIN_KEY_BYTES)


def key_file() -> Path:
    # XDG: a relative XDG_CONFIG_HOME is invalid and ignored (it would put the key in the
    # current folder, beside the outputs).
    base = os.environ.get("XDG_CONFIG_HOME", "")
    if not os.path.isabs(base):
        base = str(Path.home() / ".config")
    return Path(base) / "atbt" / "pseudonym.key"


def key_source() -> str:
    return ENV_KEY if ENV_KEY in os.environ else str(key_file())


def pseudonym_key() -> bytes:
    """The key; raises PseudonymKeyError if it is set but empty or shorter than 16 bytes."""
    if ENV_KEY in os.environ:
        key = os.environ[ENV_KEY].encode("utf-8")
        if len(key) < MIN_KEY_BYTES:
            raise PseudonymKeyError("short", ENV_KEY, len(key))
        return key
    path = key_file()
    if path.is_file():
        key = path.read_bytes().strip()
        if len(key) < MIN_KEY_BYTES:
            raise PseudonymKeyError("short", str(path), len(key))
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode("ascii")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    return key


def codes(ids: list[str], key: bytes) -> dict[str, str]:
    """id -> code; 8 hex digits, more for every id only if two ids would share a code."""
    for digits in (8, 12, 16, 64):
        out = {i: PREFIX + hmac.new(key, i.encode("utf-8"), sha256).hexdigest()[:digits].upper()
               for i in ids}
        if len(set(out.values())) == len(out):
            return out
    raise AssertionError("HMAC collision")  # pragma: no cover


def check_key_matches(inst: Instance, planned: set[str], key: bytes | None = None) -> None:
    """A plan whose every trainee is a code, none of them the code of a trainee of ``inst``
    under ``key``: it was made with another key (PseudonymKeyError, not a list of violations)."""
    if not planned or not all(p.startswith(PREFIX) for p in planned):
        return
    key = pseudonym_key() if key is None else key
    if not planned & set(codes([t.id for t in inst.all_trainees()], key).values()):
        raise PseudonymKeyError("differs", key_source())


def scrub(text: str, cmap: dict[str, str]) -> str:
    """``text`` with every trainee id of ``cmap`` (as a whole word) replaced by its code."""
    import re

    if not cmap:
        return text
    rx = re.compile(r"(?<![\w-])(" + "|".join(
        re.escape(i) for i in sorted(cmap, key=len, reverse=True)) + r")(?![\w-])")
    return rx.sub(lambda m: cmap[m.group(1)], text)


def pseudonymize(inst: Instance, stints: list[Stint], key: bytes | None = None
                 ) -> tuple[Instance, list[Stint], dict[str, str]]:
    """The instance with every trainee (cohorts expanded) named by code and without names, the
    stints renamed alike, and the id -> code map. Plans and checks are unchanged by it."""
    key = pseudonym_key() if key is None else key
    people = inst.all_trainees()
    cmap = codes([t.id for t in people], key)
    trainees = [t.model_copy(update={"id": cmap[t.id], "name": None}) for t in people]
    data = inst.model_dump()
    data.update(trainees=[t.model_dump() for t in trainees], cohorts=[],
                wishes=[{**w, "trainee": cmap.get(w["trainee"], w["trainee"])}
                        for w in data.get("wishes", [])])
    pseudo = Instance.model_validate(data)
    renamed = [replace(s, trainee=cmap.get(s.trainee, s.trainee)) for s in stints]
    return pseudo, renamed, cmap
