# Steps shared by the per-app recipes (sourced by <app>/recipe.sh, which sets APP, GIT_URL,
# COMMIT, CHECKOUT_NAME, PACKAGE, DEFAULT_APP_PYTHON and defines app_test).
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

run_steps() {
    [ $# -gt 0 ] || { echo "usage: $0 fetch|install|test|measure|all ..." >&2; exit 2; }
    for step in "$@"; do
        case "$step" in
            fetch|install|test|measure) "step_$step" ;;
            all) step_fetch; step_install; step_test; step_measure ;;
            *) echo "unknown step: $step (fetch, install, test, measure, all)" >&2; exit 2 ;;
        esac
    done
}
