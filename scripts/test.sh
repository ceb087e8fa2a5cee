#!/usr/bin/env bash
# Run the test suite from a fresh clone: sets up ./.venv, installs the project with its dev
# extras, runs the linters (ruff, mypy: cheap, and they catch what merges break), then pytest:
# the fast tests, then the slow ones. Extra arguments go to one pytest run instead. Safe to run
# again. Exits with the first failing step's code, so "no tests collected" (pytest exit 5) is a
# failure too.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/_venv.sh
ensure_venv '.[dev]'
echo "ruff check" >&2
.venv/bin/ruff check scheduler tests benchmarks
echo "mypy scheduler" >&2
.venv/bin/mypy scheduler
if [ "$#" -gt 0 ]; then
    exec .venv/bin/python -m pytest -q "$@"
fi
# The fast tests first (a failure shows in minutes), then the slow regional solves.
echo "pytest: fast tests" >&2
.venv/bin/python -m pytest -q -m "not slow"
echo "pytest: slow tests (realistic regions)" >&2
exec .venv/bin/python -m pytest -q -m slow
