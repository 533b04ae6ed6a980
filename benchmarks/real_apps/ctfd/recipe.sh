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

run_steps "$@"
