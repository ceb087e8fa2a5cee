"""Writing outputs so that nothing is lost or half-written: one file atomically, a set of
files (a run's folder) under a lock with a manifest written last, and workbooks whose text
cells can never be read as formulas.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; the output set is still written as one
    fcntl = None  # type: ignore[assignment]


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder and rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        # mkstemp creates 0600; outputs are shared with colleagues, so use the usual mode.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# --------------------------------------------------------------------------------------------
# Output sets: the files of one run are replaced together, under a lock.

MANIFEST = "run.json"  # written last; names the other files of the set with their SHA-256


class OutputInUse(Exception):
    """Another run holds the lock on this output folder."""


def _staging_prefix(out: Path) -> str:
    return f".{out.name}.tmp-"


def clean_stale(out: Path) -> None:
    """Remove temporaries a killed run left behind: staging folders beside ``out`` and
    ``.name.*.tmp`` files inside it. Call only while holding the lock on ``out``."""
    import shutil

    if out.parent.is_dir():
        for p in out.parent.glob(_staging_prefix(out) + "*"):
            shutil.rmtree(p, ignore_errors=True)
    if out.is_dir():
        for p in out.glob(".*.tmp"):
            p.unlink(missing_ok=True)


@contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """Hold an exclusive lock on the folder ``out`` (created if missing) for a whole run.

    A second run into the same folder raises :class:`OutputInUse` at once instead of mixing
    its files with the first's; an unwritable folder raises OSError before anything is solved.
    The lock is released by the OS when the process dies, so a killed run never blocks.
    """
    out.mkdir(parents=True, exist_ok=True)
    if not os.access(out, os.W_OK):  # found now, not after the solve
        raise PermissionError(13, "Permission denied", str(out))
    # The lock is on the folder itself: no lock file among the outputs, none left behind.
    fd = os.open(out, os.O_RDONLY)
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise OutputInUse(str(out)) from None
        clean_stale(out)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def write_output_set(out: Path, files: dict[str, bytes]) -> list[Path]:
    """Write ``files`` (name -> content) into ``out`` as one set.

    Everything is first written to a staging folder beside ``out``: a failure while writing
    (disk full, a bug in a writer) leaves the previous set untouched. The old manifest is then
    removed, the files are moved in, and the manifest (``run.json``, which must be in ``files``)
    last: a set is complete when its manifest exists and every hash in it matches
    (:func:`complete_set`). The moves take microseconds; a kill between them leaves no manifest.
    """
    assert MANIFEST in files, "the manifest names the set"
    out.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(dir=out.parent, prefix=_staging_prefix(out)))
    umask = os.umask(0)
    os.umask(umask)
    try:
        for name, data in files.items():
            with open(stage / name, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(stage / name, 0o666 & ~umask)  # shared with colleagues, as usual
        (out / MANIFEST).unlink(missing_ok=True)
        order = [n for n in files if n != MANIFEST] + [MANIFEST]
        for name in order:
            os.replace(stage / name, out / name)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return [out / n for n in files]


def manifest_hashes(files: dict[str, bytes]) -> dict[str, str]:
    """SHA-256 of each file of a set, for its manifest."""
    return {n: hashlib.sha256(d).hexdigest() for n, d in files.items() if n != MANIFEST}


def complete_set(out: Path) -> bool:
    """True if ``out`` holds a manifest and every file it names, unchanged."""
    try:
        listed = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
        return bool(listed) and all(
            hashlib.sha256((out / n).read_bytes()).hexdigest() == h for n, h in listed.items())
    except (OSError, ValueError, KeyError, TypeError):
        return False


def defuse_formulas(workbook: Any) -> Any:
    """Store every cell that openpyxl took for a formula as text, before saving.

    None of our writers writes formulas on purpose; a name such as ``=HYPERLINK(...)`` from an
    input must reach the coordinator's Excel as the text it is (OWASP: formula injection).
    """
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    return workbook
