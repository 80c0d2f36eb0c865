#!/usr/bin/env bash
# The one command that runs every test: installs what is missing, builds, lints, then runs
# unit and integration tests with node's test runner and prints 'N passed, N failed'.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

bash scripts/ensure-deps.sh
bash scripts/ensure-test-tools.sh

echo "==> lint (biome + dependency arrow)"
npx biome check .
node scripts/check-deps.mjs

echo "==> tests"
mapfile -t files < <(find dist/src dist/test -name '*.test.js' 2>/dev/null | sort)
node scripts/run-tests.mjs "${files[@]}"
echo "==> total $(( $(date +%s) - started ))s"
