"""The public API of ``scheduler/__init__.py``: every name resolves, lazily."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import scheduler

ROOT = Path(__file__).resolve().parents[1]


def test_every_public_name_resolves() -> None:
    names: dict[str, object] = {}
    exec("from scheduler import *", names)  # as a user's star import: every name of __all__
    assert sorted(n for n in names if n != "__builtins__") == sorted(scheduler.__all__)
    assert len(set(scheduler.__all__)) == len(scheduler.__all__)
    assert isinstance(scheduler.Status.OPTIMAL, scheduler.Status)
    assert scheduler.check is importlib.import_module("scheduler.verify").check
    with pytest.raises(AttributeError):
        scheduler.no_such_name  # noqa: B018


def test_import_scheduler_loads_nothing_heavy() -> None:
    # atbt installs its signal handlers after `import scheduler` and before the heavy imports.
    code = ("import sys, scheduler; print(sorted(m for m in sys.modules if m.startswith("
            "('scheduler.', 'pydantic', 'ortools'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_the_public_api_checks_a_plan() -> None:
    # The tutorial with no stint at all breaks rules: check says so through the public names.
    inst, digest = scheduler.load(ROOT / "instances" / "tutorial.yaml")
    assert isinstance(inst, scheduler.Instance) and len(digest) == 64
    violations = scheduler.check(inst, [])
    assert violations and all(isinstance(v, scheduler.Violation) for v in violations)
