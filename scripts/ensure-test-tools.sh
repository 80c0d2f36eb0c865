#!/usr/bin/env bash
# Debian packages the integration tests use: PostgreSQL server binaries (started by the tests
# themselves on a free loopback port with a temporary data directory), chromium and prometheus.
set -euo pipefail

need=()
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then need+=(postgresql); fi
# The browser end-to-end test drives Debian's chromium with playwright-core.
if [ ! -x /usr/bin/chromium ]; then need+=(chromium); fi
# The promwrite test seeds a real Prometheus (2.42 on bookworm: remote-write receiver, out-of-order window).
if [ ! -x /usr/bin/prometheus ]; then need+=(prometheus); fi
if [ ${#need[@]} -gt 0 ]; then
  echo "==> installing Debian packages: ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
