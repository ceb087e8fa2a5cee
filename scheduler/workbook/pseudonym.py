"""Stable pseudonyms for trainees: a keyed hash of the id, so codes match across runs.

Trainee names are personal data, and ids (``AT-2027-01-03``, or an employee number) identify a
person too. With ``--pseudonymize`` every output names trainees by ``P-`` plus the first hex
digits of HMAC-SHA256(key, id): the same trainee gets the same code in every run with the same
key, and nobody without the key can recompute the code from a guessed id.

The key is ``ATBT_PSEUDONYM_KEY`` if set, otherwise a random key kept in
``~/.config/atbt/pseudonym.key`` (created on first use, readable by its owner only).
"""

from __future__ import annotations

import hmac
import os
import secrets
from dataclasses import replace
from hashlib import sha256
from pathlib import Path

from scheduler.domain import Instance
from scheduler.plan import Stint

ENV_KEY = "ATBT_PSEUDONYM_KEY"
PREFIX = "P-"


def key_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "atbt" / "pseudonym.key"


def pseudonym_key() -> bytes:
    env = os.environ.get(ENV_KEY)
    if env:
        return env.encode("utf-8")
    path = key_file()
    if path.is_file():
        return path.read_bytes().strip()
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


def pseudonymize(inst: Instance, stints: list[Stint], key: bytes | None = None
                 ) -> tuple[Instance, list[Stint], dict[str, str]]:
    """The instance with every trainee (cohorts expanded) named by code and without names, the
    stints renamed alike, and the id -> code map. Plans and checks are unchanged by it."""
    key = pseudonym_key() if key is None else key
    people = inst.all_trainees()
    cmap = codes([t.id for t in people], key)
    trainees = [t.model_copy(update={"id": cmap[t.id], "name": None}) for t in people]
    data = inst.model_dump()
    data.update(trainees=[t.model_dump() for t in trainees], cohorts=[])
    pseudo = Instance.model_validate(data)
    renamed = [replace(s, trainee=cmap.get(s.trainee, s.trainee)) for s in stints]
    return pseudo, renamed, cmap
