# Sourced by run-example.sh and test.sh: make ./.venv (if missing) and install the project into it.
# Usage: ensure_venv '.'  or  ensure_venv '.[dev]'      (run from the repository root)
# PYTHON selects the interpreter used to create the venv (default python3, must be >= 3.11).

ensure_venv() {
    local spec="$1" py="${PYTHON:-python3}"
    if ! .venv/bin/python -c 'import sys' >/dev/null 2>&1; then
        "$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
            echo "error: $py is $("$py" --version 2>&1); Python >= 3.11 is needed (set PYTHON=...)" >&2
            return 1
        }
        rm -rf .venv
        echo "Creating .venv with $("$py" --version 2>&1)" >&2
        if ! "$py" -m venv .venv; then
            # Debian/Ubuntu without python3-venv has no ensurepip: fall back to virtualenv.
            rm -rf .venv
            echo "python -m venv failed; trying virtualenv from PyPI" >&2
            "$py" -m pip install --quiet --user virtualenv
            "$py" -m virtualenv --quiet .venv
        fi
    fi
    echo "Installing $spec into .venv" >&2
    .venv/bin/pip install --quiet --disable-pip-version-check -e "$spec"
}
