#!/usr/bin/env bash
# The one command that runs every test: installs what is missing, builds, lints, starts the loopback
# Kubernetes control plane (scripts/kube/up.sh, in the background while building), then runs unit and
# integration tests with node's test runner; its last line is 'N passed, N failed'.
# Also in the background: helm v3, helm v4 and helm-unittest (scripts/helm/build.sh) and the
# Dockerfile linter (scripts/dockerfile-lint.sh --build), built from source once and cached.
# BENCHPILOT_SKIP_KUBE=1: do not start the control plane here (kube tests then start it themselves).
# BENCHPILOT_SKIP_HELM=1: do not build/check the helm tools here (helm tests then call build.sh themselves).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

# --- Kubernetes control plane, in the background (a cold machine builds it from source: ~14 min) ---
kube_pid=""
kube_log=""
kube_ours=0
test_log=""
if [[ "${BENCHPILOT_SKIP_KUBE:-}" != 1 ]]; then
  kube_log="$(mktemp "${TMPDIR:-/tmp}/benchpilot-test-kube-up.XXXXXX")"
  kube_t0=$(date +%s)
  echo "==> kube: starting the control plane in the background (bash scripts/kube/up.sh, log $kube_log)"
  # setsid: its own process group, so an early exit can stop a cold build with it.
  setsid bash scripts/kube/up.sh >"$kube_log" 2>&1 </dev/null &
  kube_pid=$!
fi

# --- helm v3, helm v4, helm-unittest, in the background (a cold machine builds them from source) ---
helm_pid=""
helm_log=""
if [[ "${BENCHPILOT_SKIP_HELM:-}" != 1 ]]; then
  helm_log="$(mktemp "${TMPDIR:-/tmp}/benchpilot-test-helm-build.XXXXXX")"
  helm_t0=$(date +%s)
  echo "==> helm: building/checking helm v3, v4 and helm-unittest in the background (bash scripts/helm/build.sh, log $helm_log)"
  setsid bash scripts/helm/build.sh >"$helm_log" 2>&1 </dev/null &
  helm_pid=$!
fi
# --- the Dockerfile linter (tools/dockerfile-lint), in the background; test/dockerfile.test.ts uses it ---
dflint_log="$(mktemp "${TMPDIR:-/tmp}/benchpilot-test-dockerfile-lint.XXXXXX")"
setsid bash scripts/dockerfile-lint.sh --build >"$dflint_log" 2>&1 </dev/null &
dflint_pid=$!

# Stops a background build still running (its whole process group: go and its compilers).
bg_stop() {
  local pid="$1"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
}

kube_stop() {
  if [[ -n "$kube_pid" ]] && kill -0 "$kube_pid" 2>/dev/null; then
    # Still starting (or building): up.sh tears down what it started when terminated.
    kill -TERM -- "-$kube_pid" 2>/dev/null || true
    wait "$kube_pid" 2>/dev/null || true
  fi
  kube_pid=""
  if ((kube_ours)); then
    kube_ours=0
    bash scripts/kube/down.sh >>"$kube_log" 2>&1 || echo "==> kube: down.sh failed (see $kube_log)" >&2
  fi
}
cleanup() {
  kube_stop
  bg_stop "$helm_pid"
  bg_stop "$dflint_pid"
  [[ -z "$dflint_log" ]] || rm -f "$dflint_log"
  # Kept when build.sh failed (BENCHPILOT_HELM_ERROR points to it).
  [[ -z "$helm_log" || -n "${BENCHPILOT_HELM_ERROR:-}" ]] || rm -f "$helm_log"
  [[ -z "$test_log" ]] || rm -f "$test_log"
  # Kept when up.sh failed (the tests' errors point to it).
  [[ -z "$kube_log" || -n "${BENCHPILOT_KUBE_ERROR:-}" ]] || rm -f "$kube_log"
}
trap cleanup EXIT

bash scripts/ensure-deps.sh
bash scripts/ensure-test-tools.sh

echo "==> lint (biome + dependency arrow)"
npx biome check .
node scripts/check-deps.mjs

if [[ -n "$kube_pid" ]]; then
  kube_rc=0
  wait "$kube_pid" || kube_rc=$?
  kube_pid=""
  kube_secs=$(($(date +%s) - kube_t0))
  if ((kube_rc == 0)); then
    if grep -q 'reusing it' "$kube_log"; then
      echo "==> kube: reusing the control plane already running (left running) — checked in ${kube_secs}s"
    else
      kube_ours=1
      echo "==> kube: control plane started in ${kube_secs}s (kube:up, incl. any build; stopped at the end)"
    fi
    KUBECTL="$(sed -n 's/^KUBECTL=//p' "$kube_log" | tail -1)"
    KUBECONFIG="$(sed -n 's/^KUBECONFIG=//p' "$kube_log" | tail -1)"
    export KUBECTL KUBECONFIG
  else
    echo "==> kube: scripts/kube/up.sh failed after ${kube_secs}s (exit $kube_rc); the Kubernetes tests will fail. Last lines:" >&2
    tail -n 30 "$kube_log" >&2
    export BENCHPILOT_KUBE_ERROR="scripts/kube/up.sh failed (exit $kube_rc) in scripts/test.sh; log: $kube_log"
  fi
fi

if [[ -n "$helm_pid" ]]; then
  helm_rc=0
  wait "$helm_pid" || helm_rc=$?
  helm_pid=""
  helm_secs=$(($(date +%s) - helm_t0))
  if ((helm_rc == 0)); then
    HELM3="$(sed -n 's/^HELM3=//p' "$helm_log" | tail -1)"
    HELM4="$(sed -n 's/^HELM4=//p' "$helm_log" | tail -1)"
    HELM_UNITTEST="$(sed -n 's/^HELM_UNITTEST=//p' "$helm_log" | tail -1)"
    export HELM3 HELM4 HELM_UNITTEST
    if grep -q 'cold build took' "$helm_log"; then
      echo "==> helm: helm v3, v4 and helm-unittest built from source ($(grep -o 'cold build took.*' "$helm_log" | tail -1)); ready ${helm_secs}s after the start"
    else
      echo "==> helm: cached helm v3, v4 and helm-unittest ready (${helm_secs}s)"
    fi
  else
    echo "==> helm: scripts/helm/build.sh failed after ${helm_secs}s (exit $helm_rc); the helm tests will fail. Last lines:" >&2
    tail -n 30 "$helm_log" >&2
    export BENCHPILOT_HELM_ERROR="scripts/helm/build.sh failed (exit $helm_rc) in scripts/test.sh; log: $helm_log"
  fi
fi
dflint_rc=0
wait "$dflint_pid" || dflint_rc=$?
dflint_pid=""
if ((dflint_rc != 0)); then
  echo "==> dockerfile-lint: scripts/dockerfile-lint.sh --build failed (exit $dflint_rc); test/dockerfile.test.ts will try again. Last lines:" >&2
  tail -n 20 "$dflint_log" >&2
fi

echo "==> tests"
mapfile -t files < <(find dist/src dist/test -name '*.test.js' 2>/dev/null | sort)
test_log="$(mktemp "${TMPDIR:-/tmp}/benchpilot-test-output.XXXXXX")"
test_rc=0
node scripts/run-tests.mjs "${files[@]}" | tee "$test_log" || test_rc=$?

kube_stop
echo "==> total $(($(date +%s) - started))s"
# The summary again, as the last line.
grep -E '^[0-9]+ passed, [0-9]+ failed' "$test_log" | tail -n 1
exit "$test_rc"
