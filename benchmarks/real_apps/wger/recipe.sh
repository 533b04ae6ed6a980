#!/usr/bin/env bash
# wger (Django): fetch, install, baseline tests and the mono2lambda measurement.
#   benchmarks/real_apps/wger/recipe.sh fetch install test measure    (or: all)
# Settings by environment: see ../lib.sh (REAL_APPS_DIR, M2L, TAG, APP_PYTHON, ...).
APP=wger
GIT_URL="${GIT_URL:-https://github.com/wger-project/wger.git}"
COMMIT=aaba20184527b018e10f1be576202aa7e7cb4c21     # master, 2026-08-21
CHECKOUT_NAME=wger
PACKAGE=wger                                        # the package folder inside the checkout
DEFAULT_APP_PYTHON=python3.12                       # wger needs Python >= 3.12 (its CI: 3.12-3.14)
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# As wger's CI does (.github/workflows/ci.yml): settings.ci (sqlite, no migrations, MD5
# hasher, in-memory media storage), `manage.py test --parallel`; less the tests in excluded-tests.txt.
app_test() {
    mkdir -p "$WORK/media"
    DJANGO_SETTINGS_MODULE=settings.ci DJANGO_MEDIA_ROOT="$WORK/media" PYTHONPATH="$HERE" \
        "$VENV/bin/python" manage.py test --parallel "$TEST_JOBS" --noinput \
        --testrunner excluding_runner.ExcludingRunner
}

run_steps "$@"
