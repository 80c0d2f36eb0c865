#!/usr/bin/env bash
# Builds (once) the pinned Kubernetes control plane, kubectl, etcd and kwok from upstream
# sources via the Go module proxy into ~/.cache/benchpilot/kube/<version>/bin.
# Later runs reuse the cache. Prints BIN_DIR=<dir> as its last line.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
MOD_DIR="$ROOT/tools/kube"
KUBE_VERSION="${KUBE_VERSION:-v1.36.3}"
ETCD_VERSION="v3.6.8"
KWOK_VERSION="v0.7.0"
CACHE_ROOT="${BENCHPILOT_KUBE_CACHE:-$HOME/.cache/benchpilot/kube}"
CACHE="$CACHE_ROOT/$KUBE_VERSION"
BIN="$CACHE/bin"
BINARIES=(etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok)

have_all() {
  local b
  for b in "${BINARIES[@]}"; do [[ -x "$BIN/$b" ]] || return 1; done
  [[ -f "$CACHE/.complete" ]]
}

if have_all; then
  echo "kube: using cached binaries in $BIN"
  echo "BIN_DIR=$BIN"
  exit 0
fi

# Go: from PATH, else the usual install locations (a non-login shell may not have them on PATH).
if ! command -v go >/dev/null; then
  for d in /usr/local/go/bin "$HOME/go/bin" "$HOME/sdk/go/bin" /usr/lib/go/bin; do
    if [[ -x "$d/go" ]]; then export PATH="$d:$PATH"; break; fi
  done
fi
command -v go >/dev/null || { echo "kube: go is required (Go 1.26; not on PATH nor in /usr/local/go/bin)" >&2; exit 1; }
echo "kube: using $(command -v go) ($(go version))"
mkdir -p "$BIN"
exec 9>"$CACHE/.build.lock"
flock -w 3600 9 || { echo "kube: another build holds $CACHE/.build.lock" >&2; exit 1; }
if have_all; then echo "BIN_DIR=$BIN"; exit 0; fi

minor="${KUBE_VERSION#v1.}"; minor="${minor%%.*}"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
done

start=$(date +%s)
echo "kube: cold build of Kubernetes $KUBE_VERSION, etcd $ETCD_VERSION, kwok $KWOK_VERSION into $BIN (several minutes)..."
export GOFLAGS="-mod=mod -buildvcs=false" CGO_ENABLED=0
(
  cd "$MOD_DIR"
  go build -trimpath -ldflags "$ldflags" -o "$BIN/" \
    ./cmd/kube-apiserver ./cmd/kube-controller-manager ./cmd/kube-scheduler ./cmd/kubectl ./cmd/etcd
)
# kwok is a separate module without replace directives, so go install works; GOFLAGS=-mod=mod is not allowed there.
GOFLAGS="-buildvcs=false" GOBIN="$BIN" go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
end=$(date +%s)
secs=$((end - start))
printf '%s\n' "kube=$KUBE_VERSION etcd=$ETCD_VERSION kwok=$KWOK_VERSION built=$(date -u +%FT%TZ) seconds=$secs" > "$CACHE/.complete"
echo "kube: cold build took ${secs}s ($((secs / 60))m $((secs % 60))s)"
echo "BIN_DIR=$BIN"
