#!/usr/bin/env bash
# Lints a Dockerfile with BuildKit's own checks (the ones behind `docker build --check`), without a
# Docker engine: tools/dockerfile-lint (our small Go module on github.com/moby/buildkit's
# frontend/dockerfile packages), built once into
# ${BENCHPILOT_TOOLS_CACHE:-~/.cache/benchpilot/tools}/dockerfile-lint-<buildkit version>-<source hash>/bin.
#
#   bash scripts/dockerfile-lint.sh                    # lint ./Dockerfile, experimental rules too
#   bash scripts/dockerfile-lint.sh [-json] [-experimental] [-build-arg K=V]... FILE
#   bash scripts/dockerfile-lint.sh --build            # only build / check the cache; prints DOCKERFILE_LINT=<path>
#
# Exit: 0 no findings; 1 findings (or an error that would stop a build); 2 usage error or the
# tool could not be built. Build messages go to stderr, so `-json` output on stdout stays JSON.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MOD_DIR="$ROOT/tools/dockerfile-lint"
BUILDKIT_VERSION="$(sed -n 's/^[[:space:]]*github\.com\/moby\/buildkit \(v[^ ]*\).*/\1/p' "$MOD_DIR/go.mod" | head -n 1)"
# Our own sources are part of the key, so an edit to main.go builds anew.
SRC_HASH="$(cat "$MOD_DIR/go.mod" "$MOD_DIR/go.sum" "$MOD_DIR"/*.go | sha256sum | cut -c1-12)"
CACHE="${BENCHPILOT_TOOLS_CACHE:-$HOME/.cache/benchpilot/tools}/dockerfile-lint-$BUILDKIT_VERSION-$SRC_HASH"
BIN="$CACHE/bin/dockerfile-lint"

build() {
  [[ -x "$BIN" && -f "$CACHE/.complete" ]] && return 0
  if ! command -v go >/dev/null; then
    for d in /usr/local/go/bin "$HOME/go/bin" "$HOME/sdk/go/bin" /usr/lib/go/bin; do
      if [[ -x "$d/go" ]]; then export PATH="$d:$PATH"; break; fi
    done
  fi
  command -v go >/dev/null || { echo "dockerfile-lint: go is required (Go 1.26; not on PATH nor in /usr/local/go/bin)" >&2; return 2; }
  mkdir -p "$CACHE/bin"
  exec 8>"$CACHE/.build.lock"
  flock -w 1800 8 || { echo "dockerfile-lint: another build holds $CACHE/.build.lock" >&2; return 2; }
  if [[ -x "$BIN" && -f "$CACHE/.complete" ]]; then exec 8>&-; return 0; fi
  local t0 secs
  t0=$(date +%s)
  echo "dockerfile-lint: building tools/dockerfile-lint (buildkit $BUILDKIT_VERSION) into $CACHE (a minute or two)..." >&2
  (cd "$MOD_DIR" && GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0 GOTOOLCHAIN=local \
    go build -trimpath -ldflags "-s -w" -o "$BIN" .) >&2 || { echo "dockerfile-lint: go build failed" >&2; exec 8>&-; return 2; }
  secs=$(($(date +%s) - t0))
  printf '%s\n' "buildkit=$BUILDKIT_VERSION src=$SRC_HASH built=$(date -u +%FT%TZ) seconds=$secs" >"$CACHE/.complete"
  echo "dockerfile-lint: built in ${secs}s" >&2
  exec 8>&-
}

if [[ "${1:-}" == --build ]]; then
  build || exit $?
  echo "DOCKERFILE_LINT=$BIN"
  exit 0
fi
build || exit $?
if (($# == 0)); then set -- -experimental "$ROOT/Dockerfile"; fi
exec "$BIN" "$@"
