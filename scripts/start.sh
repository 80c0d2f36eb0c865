#!/usr/bin/env bash
# The README's first command: installs what is missing, then runs the main job on the embedded
# default — today the SQL e-commerce workload against an embedded PostgreSQL (PGlite).
# Extra arguments go to `benchpilot demo` (e.g. npm start -- --duration 60s --rate 300).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh >&2
exec node bin/benchpilot.js demo "$@"
