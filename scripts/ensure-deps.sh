#!/usr/bin/env bash
# Installs what benchpilot needs on a fresh clone: npm packages (and the TypeScript build).
# Idempotent: fast when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
fi
echo "==> building (tsc, web UI)"
npx tsc -p tsconfig.json
npx vite build --config web/vite.config.ts --logLevel warn
