#!/usr/bin/env bash
# Plan the Örebro example region from a fresh clone: sets up ./.venv, installs the project, and
# writes plan.csv, plan.xlsx and run.json to reports/orebro/. Extra arguments go to `atbt solve`
# (e.g. --lang en). Safe to run again; exits with atbt's exit code.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/_venv.sh
ensure_venv '.'
exec .venv/bin/atbt solve instances/orebro.yaml --out reports/orebro --time-limit 120 "$@"
