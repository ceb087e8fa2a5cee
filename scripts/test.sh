#!/usr/bin/env bash
# Run the test suite from a fresh clone: sets up ./.venv, installs the project with its dev
# extras, runs pytest. Extra arguments go to pytest. Safe to run again. Exits with pytest's code,
# so "no tests collected" (pytest exit 5) is a failure too.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/_venv.sh
ensure_venv '.[dev]'
exec .venv/bin/python -m pytest -q "$@"
