#!/usr/bin/env bash
# CTFd (Flask): fetch, install, baseline tests and the mono2lambda measurement.
#   benchmarks/real_apps/ctfd/recipe.sh fetch install test measure    (or: all)
# Settings by environment: see ../lib.sh (REAL_APPS_DIR, M2L, TAG, APP_PYTHON, ...).
APP=ctfd
GIT_URL="${GIT_URL:-https://github.com/CTFd/CTFd.git}"
COMMIT=91ced62d44d3ec3142a0948ee96ed19947cfc979     # master, "Mark 3.8.7", 2026-08-19
CHECKOUT_NAME=CTFd
PACKAGE=CTFd                                        # the package folder inside the checkout
DEFAULT_APP_PYTHON=python3.11                       # CTFd requires Python >=3.11,<3.12
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# As CTFd's sqlite CI does (.github/workflows/sqlite.yml, `make test`): TESTING_DATABASE_URL
# sqlite://, fake AWS keys (moto), pytest -n; without coverage, and in file order
# (pytest-randomly off) so that two runs run the same order.
app_test() {
    AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY \
    TESTING_DATABASE_URL='sqlite://' \
        "$VENV/bin/python" -m pytest -q -rf -p no:randomly -p no:sugar -p no:cacheprovider \
        --ignore-glob='**/node_modules/' --ignore=node_modules/ \
        -W ignore::sqlalchemy.exc.SADeprecationWarning -W ignore::sqlalchemy.exc.SAWarning \
        -n "$TEST_JOBS"
}

# --- extract, package_tests, prove (see ../README.md, "Extraction and proof") ---
SERVICES="humanize crypto countries"

app_env() {
    export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
    export TESTING_DATABASE_URL='sqlite://'
    export SECRET_KEY=real-apps-recipe     # else importing CTFd.config writes .ctfd_secret_key where it runs
}

# Sample events of our own for the untyped operations: samples/ (copied next to the plan).
# Every edit of the proposed plan, one plan_edit line each. No framework key: CTFd's create_app
# does not start under pydantic 2 (its API models use pydantic 1), and these services need no app.
plan_edits() {
    # 1. password hashing out of `security` (pure functions; every new user hashes a password, every
    #    app made hashes its run id). Not CTFd.utils.encoding: the CSRF nonce hexencodes bytes.
    plan_edit m2l_plan split security --into crypto=CTFd.utils.crypto,CTFd.utils.security.passwords
    # 2. the country table in its own service (read by the user and team forms and pages): moved
    #    from wherever the proposal put it (`security` in some proposals, the monolith in others)
    plan_edit m2l_plan move CTFd.utils.countries countries --new
}

prove_command() {      # one word a line
    printf '%s\n' "$VENV/bin/python" -m pytest -q -rf -p no:randomly -p no:sugar -p no:cacheprovider \
        '--ignore-glob=**/node_modules/' --ignore=node_modules/ \
        -W ignore::sqlalchemy.exc.SADeprecationWarning -W ignore::sqlalchemy.exc.SAWarning -n "$TEST_JOBS"
}

run_steps "$@"
