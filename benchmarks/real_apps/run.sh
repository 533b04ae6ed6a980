#!/usr/bin/env bash
# Run recipe steps for both apps, one after the other:  benchmarks/real_apps/run.sh measure
# (steps: fetch install test measure all; environment: see lib.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
for app in wger ctfd; do
    "$here/$app/recipe.sh" "$@"
done
