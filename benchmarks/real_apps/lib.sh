# Steps shared by the per-app recipes (sourced by <app>/recipe.sh, which sets APP, GIT_URL,
# COMMIT, CHECKOUT_NAME, PACKAGE, DEFAULT_APP_PYTHON, SERVICES and defines app_test,
# app_env (the variables the app needs to import and run), plan_edits and prove_command).
#
# Environment (all optional):
#   REAL_APPS_DIR  where checkouts, venvs and outputs go       (default: ~/.cache/mono2lambda/real_apps;
#                  keep it outside the repository, or ruff and git will see the apps' code)
#   M2L            the mono2lambda executable to measure        (default: mono2lambda on PATH)
#   M2L_PYTHON     the Python that runs measure.py              (default: `python` beside $M2L, else python3)
#   TAG            name of this measurement's output folder     (default: current)
#   APP_PYTHON     the interpreter for the app's venv           (default: the recipe's DEFAULT_APP_PYTHON)
#   GIT_URL        where to clone the app from (a mirror)       (default: its GitHub URL)
#   TEST_JOBS      parallel test processes                      (default: 2)

set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)"      # benchmarks/real_apps/<app>
BENCH="$(dirname "$HERE")"                                 # benchmarks/real_apps
REAL_APPS_DIR="${REAL_APPS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/mono2lambda/real_apps}"
mkdir -p "$REAL_APPS_DIR"
REAL_APPS_DIR="$(cd "$REAL_APPS_DIR" && pwd)"
WORK="$REAL_APPS_DIR/$APP"
CHECKOUT="$WORK/$CHECKOUT_NAME"          # named like the repository, so the graph's root is the app's name
VENV="$WORK/venv"
TAG="${TAG:-current}"
TEST_JOBS="${TEST_JOBS:-2}"

log() { printf '\n### %s: %s\n' "$APP" "$*" >&2; }

step_fetch() {
    log "fetch ${GIT_URL} at ${COMMIT}"
    if [ ! -d "$CHECKOUT/.git" ]; then
        git init -q "$CHECKOUT"
        git -C "$CHECKOUT" remote add origin "$GIT_URL"
    fi
    if ! git -C "$CHECKOUT" cat-file -e "${COMMIT}^{commit}" 2>/dev/null; then
        git -C "$CHECKOUT" fetch -q --depth 1 origin "$COMMIT" || git -C "$CHECKOUT" fetch -q origin
    fi
    git -C "$CHECKOUT" -c advice.detachedHead=false checkout -q --detach "$COMMIT"
    test "$(git -C "$CHECKOUT" rev-parse HEAD)" = "$COMMIT"
    echo "$CHECKOUT at $(git -C "$CHECKOUT" rev-parse HEAD)"
}

step_install() {
    local python="${APP_PYTHON:-$DEFAULT_APP_PYTHON}"
    log "venv with $python ($("$python" --version 2>&1)) + requirements-lock.txt"
    [ -x "$VENV/bin/python" ] || "$python" -m venv "$VENV"
    "$VENV/bin/pip" install -q -r "$HERE/requirements-lock.txt"
    "$VENV/bin/pip" check
}

step_test() {
    log "baseline test suite (log: $WORK/test-baseline.log)"
    local start=$SECONDS status=0
    ( cd "$CHECKOUT" && app_test ) > "$WORK/test-baseline.log" 2>&1 || status=$?
    tail -n 5 "$WORK/test-baseline.log"
    echo "exit $status, wall $((SECONDS - start)) s"
    return $status
}

m2l_python() {
    if [ -n "${M2L_PYTHON:-}" ]; then echo "$M2L_PYTHON"; return; fi
    local exe dir
    exe="$(command -v "${M2L:-mono2lambda}")"
    dir="$(dirname "$exe")"
    if [ -x "$dir/python" ]; then echo "$dir/python"; else echo python3; fi
}

# analyze + propose + measure, for SRC = the project root and SRC = the app's package folder.
step_measure() {
    local m2l="${M2L:-mono2lambda}" py form src out
    py="$(m2l_python)"
    for form in root package; do
        if [ "$form" = root ]; then src="$CHECKOUT"; else src="$CHECKOUT/$PACKAGE"; fi
        out="$WORK/out/$TAG/$form"
        log "measure $form form: SRC=$src, out=$out"
        rm -rf "$out"; mkdir -p "$out"
        local status=0
        "$m2l" analyze "$src" --out "$out" > "$out/analyze.txt" || status=$?
        [ "$status" -le 1 ] || { cat "$out/analyze.txt" >&2; exit "$status"; }   # 1: findings, still a graph
        status=0
        "$m2l" propose --graph "$out/graph.json" --plan "$out/boundaries.yaml" > "$out/propose.txt" || status=$?
        [ "$status" -le 1 ] || { cat "$out/propose.txt" >&2; exit "$status"; }   # 1: findings, still a plan
        "$py" "$BENCH/measure.py" --graph "$out/graph.json" --plan "$out/boundaries.yaml" \
            --config "$HERE/app.json" --project-root "$CHECKOUT" --title "$APP, SRC = $form ($TAG)" \
            --json "$out/measure.json" | tee "$out/measure.txt"
        "$py" "$BENCH/measure.py" --graph "$out/graph.json" --plan "$out/boundaries.yaml" \
            --config "$HERE/app.json" --project-root "$CHECKOUT" --title "$APP, SRC = $form ($TAG)" \
            --verbose > "$out/measure-verbose.txt"
    done
}

# --- extraction, the packages' own tests, and the proof (after `measure`, on its root-form plan) ---
EXTRACTED="$WORK/extract/$TAG"          # boundaries.yaml (edited), graph.json, generated/, logs
PLAN="$EXTRACTED/boundaries.yaml"

# One documented plan edit: logged, then run (plan_edits in the recipe calls it once per edit).
plan_edit() {
    printf '  plan edit: %s\n' "$*" | tee -a "$EXTRACTED/plan-edits.txt" >&2
    "$@"
}

# The plan's `framework:` key (no `plan` subcommand sets it): one edit.
set_framework() {
    local py
    py="$(m2l_python)"
    "$py" - "$PLAN" "$1" <<'PY'
import sys
from ruamel.yaml import YAML
yaml = YAML()
path, value = sys.argv[1], sys.argv[2]
with open(path, encoding="utf-8") as f:
    plan = yaml.load(f)
key, _, setting = value.partition("=")
plan.setdefault("framework", {})[key] = setting
with open(path, "w", encoding="utf-8") as f:
    yaml.dump(plan, f)
PY
}

m2l_plan() { "${M2L:-mono2lambda}" plan "$1" --plan "$PLAN" --graph "$EXTRACTED/graph.json" "${@:2}" >/dev/null; }

step_extract() {
    local measured="$WORK/out/$TAG/root" status=0
    [ -f "$measured/boundaries.yaml" ] || { echo "run the measure step first (no $measured/boundaries.yaml)" >&2; exit 2; }
    log "extract $SERVICES (log: $EXTRACTED/extract.txt)"
    rm -rf "$EXTRACTED"; mkdir -p "$EXTRACTED"
    cp "$measured/graph.json" "$measured/boundaries.yaml" "$EXTRACTED/"
    if [ -d "$HERE/samples" ]; then   # sample events of our own, next to the plan (docs/extract.md)
        cp -r "$HERE/samples" "$EXTRACTED/samples"
    fi
    : > "$EXTRACTED/plan-edits.txt"
    plan_edits
    echo "$(grep -c . "$EXTRACTED/plan-edits.txt") plan edit(s)"
    local args=()
    for service in $SERVICES; do args+=(--service "$service"); done
    ( app_env; "${M2L:-mono2lambda}" extract --plan "$PLAN" --graph "$EXTRACTED/graph.json" --source "$CHECKOUT" \
        --out "$EXTRACTED/generated" --python "$VENV/bin/python" "${args[@]}" ) > "$EXTRACTED/extract.txt" 2>&1 \
        || status=$?
    tail -n 25 "$EXTRACTED/extract.txt"
    return $status
}

# Each package's generated tests, in a fresh venv of the app's Python with only its requirements.txt.
step_package_tests() {
    local python="${APP_PYTHON:-$DEFAULT_APP_PYTHON}" failed=0
    for service in $SERVICES; do
        local package="$EXTRACTED/generated/$service" venv="$EXTRACTED/venvs/$service" status=0
        log "package tests of $service (fresh venv $venv)"
        rm -rf "$venv"
        "$python" -m venv "$venv"
        "$venv/bin/pip" install -q -r "$package/requirements.txt" pytest > "$EXTRACTED/install-$service.log" 2>&1
        ( app_env; cd "$package" && env -u PYTHONPATH "$venv/bin/python" -m pytest -q -p no:cacheprovider tests ) \
            > "$EXTRACTED/package-tests-$service.txt" 2>&1 || status=$?
        # pytest's summary line (the app may print more after it), else the last line
        grep -E '^[0-9]+ (passed|failed|error)|^=+ .*(passed|failed|error)' "$EXTRACTED/package-tests-$service.txt" \
            | tail -n 1 | grep . || tail -n 1 "$EXTRACTED/package-tests-$service.txt"
        [ "$status" -eq 0 ] || failed=1
    done
    return $failed
}

# The app's suite on the original and on the strangled monolith with every service behind serve.
step_prove() {
    local status=0 command
    mapfile -t command < <(prove_command)          # one word a line: no globbing, no splitting
    log "prove: ${command[*]} (log: $EXTRACTED/prove.txt)"
    ( app_env; "${M2L:-mono2lambda}" prove --source "$CHECKOUT" --generated "$EXTRACTED/generated" \
        --cache "$REAL_APPS_DIR/serve-cache" --python "$VENV/bin/python" --timeout "${PROVE_TIMEOUT:-3600}" \
        -- "${command[@]}" ) \
        > "$EXTRACTED/prove.txt" 2>&1 || status=$?
    sed -n '/^original/,/^invocations/p' "$EXTRACTED/prove.txt"
    return $status
}

run_steps() {
    [ $# -gt 0 ] || { echo "usage: $0 fetch|install|test|measure|extract|package_tests|prove|all ..." >&2; exit 2; }
    for step in "$@"; do
        case "$step" in
            fetch|install|test|measure|extract|package_tests|prove) "step_$step" ;;
            all) step_fetch; step_install; step_test; step_measure ;;
            *) echo "unknown step: $step (fetch, install, test, measure, extract, package_tests, prove, all)" >&2
               exit 2 ;;
        esac
    done
}
