"""Region generator: realistic regions that are feasible by construction.

``generate(params, out_dir)`` draws a region from the parameters and the seed, builds a
witness plan that meets every rule of docs/MODEL.md but capacity, sets each unit's capacity
from the witness's loads (tight: exactly its peak; loose: with slack), checks the witness with
the independent checker and returns the text of ``region.yaml`` and ``witness.csv``. It never
imports the solver. See ``suite.py`` for the committed benchmark suite.
"""

from __future__ import annotations

from pathlib import Path

from scheduler.generator.build import build
from scheduler.generator.emit import Generated, render, write
from scheduler.generator.params import KINDS, PRESETS, Params, problems
from scheduler.generator.region import GeneratorError

__all__ = ["KINDS", "PRESETS", "Generated", "GeneratorError", "Params", "generate", "problems",
           "write"]


def generate(params: Params, out_dir: Path | None = None, check: bool = True) -> Generated:
    """The region and witness for ``params``; programme paths relative to ``out_dir`` (inline
    when None). Raises GeneratorError for bad parameters or if the witness fails the check."""
    bad = problems(params)
    if bad:
        raise GeneratorError("; ".join(f"{opt}: {key} {args}" for opt, key, args in bad))
    return render(build(params), out_dir, check=check)
