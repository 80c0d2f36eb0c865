#!/usr/bin/env bash
# Stops the loopback control plane started by scripts/kube/up.sh and removes its runtime dir.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [[ ! -d "$KUBE_RUN_DIR" ]]; then
  echo "kube: nothing running ($KUBE_RUN_DIR does not exist)"
  exit 0
fi
exec 8>"$KUBE_RUN_DIR.lock"
flock -w 120 8 || { echo "kube: $KUBE_RUN_DIR.lock is held (up.sh still starting?)" >&2; exit 1; }
kube_stop_all
rm -rf "$KUBE_RUN_DIR"
rm -f "$KUBE_RUN_DIR.lock"
echo "kube: stopped and removed $KUBE_RUN_DIR"
