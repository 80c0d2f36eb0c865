#!/usr/bin/env bash
# The README's first command: installs what is missing (npm packages, the TypeScript and web
# UI builds), then starts the control plane on the embedded defaults: SQLite state under
# ./.benchpilot, the local executor, and the embedded PostgreSQL demo target (PGlite) whose
# sql-ecommerce setup starts by itself. Extra arguments go to `benchpilot serve`
# (e.g. npm start -- --port 9090).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh >&2
exec node bin/benchpilot.js serve "$@"
