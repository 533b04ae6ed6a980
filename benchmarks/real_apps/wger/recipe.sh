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

# --- extract, package_tests, prove (see ../README.md, "Extraction and proof") ---
SERVICES="${SERVICES:-foodinfo markdown nutrition-text}"

app_env() {
    mkdir -p "$WORK/media"
    export DJANGO_SETTINGS_MODULE=settings.ci DJANGO_MEDIA_ROOT="$WORK/media"
}

# Every edit of the proposed plan, one plan_edit line each. The proposed services whose operations
# take users, requests or rows (weight, gym, trophies, ...) would run against the tests' in-memory
# database from another process; these three are the plain-valued code the suite calls.
plan_edits() {
    # 1. the settings the tests run with (manage.py names settings.main, which wants a local config)
    plan_edit set_framework django_settings=settings.ci
    # 2. reading food data from Open Food Facts, USDA and wger dumps (dicts in, dataclasses out)
    plan_edit m2l_plan split nutrition --into foodinfo=wger.nutrition.extract_info,wger.nutrition.extract_info.off,wger.nutrition.extract_info.usda,wger.nutrition.extract_info.wger
    # 3. markdown rendering and HTML sanitising
    plan_edit m2l_plan split utils --into markdown=wger.utils.markdown
    # 4. the nutrition text helpers (entities, problematic characters)
    plan_edit m2l_plan split nutrition --into nutrition-text=wger.nutrition.helpers
}

prove_command() {      # one word a line
    printf '%s\n' env "PYTHONPATH=$HERE" "$VENV/bin/python" manage.py test --parallel "$TEST_JOBS" --noinput \
        --testrunner excluding_runner.ExcludingRunner
}

run_steps "$@"
