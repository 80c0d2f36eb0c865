#!/usr/bin/env bash
# Builds (once) helm v3, helm v4 and helm-unittest from upstream sources via the Go module proxy
# (`go install module/cmd@version`) into ${BENCHPILOT_HELM_CACHE:-~/.cache/benchpilot/helm}/<tool>-<version>/bin.
# Later runs reuse the cache (a second or two). Its last three lines are always, in this order:
#   HELM3=<path>  HELM4=<path>  HELM_UNITTEST=<path>
# See docs/helm-tools.md.
set -euo pipefail

HELM3_VERSION="${HELM3_VERSION:-v3.22.0}"
HELM4_VERSION="${HELM4_VERSION:-v4.3.1}"
HELM_UNITTEST_VERSION="v1.0.1"
# The checksum database (sum.golang.org, through the module proxy) answers 404 for helm-unittest
# v1.0.1 (seen 2026-11-26; the proxy serves the module itself). Its newer tags that the proxy
# serves (v1.0.3, v1.1.2) carry a replace directive, so they cannot be `go install`ed. We skip the
# checksum database for that one module (its dependencies are still checked against it through
# its go.sum) and pin the module's own hashes here instead (as first downloaded on 2026-11-26).
HELM_UNITTEST_SUM="h1:Mqb7hxZ7TTzSEFi2T5BVPbdKDm4sHWEaWSDBO2SHGdg="
HELM_UNITTEST_GOMODSUM="h1:pUiKgeD4qJM/+R0oPVYYxubLeUw90tAHM8dGUNcVylw="

CACHE_ROOT="${BENCHPILOT_HELM_CACHE:-$HOME/.cache/benchpilot/helm}"
HELM3_DIR="$CACHE_ROOT/helm-$HELM3_VERSION"
HELM4_DIR="$CACHE_ROOT/helm-$HELM4_VERSION"
UNITTEST_DIR="$CACHE_ROOT/helm-unittest-$HELM_UNITTEST_VERSION"

complete() { [[ -x "$1/bin/$2" && -f "$1/.complete" ]]; }
have_all() {
  complete "$HELM3_DIR" helm && complete "$HELM4_DIR" helm && complete "$UNITTEST_DIR" helm-unittest
}
print_paths() {
  echo "HELM3=$HELM3_DIR/bin/helm"
  echo "HELM4=$HELM4_DIR/bin/helm"
  echo "HELM_UNITTEST=$UNITTEST_DIR/bin/helm-unittest"
}

if have_all; then
  echo "helm: using cached binaries in $CACHE_ROOT"
  print_paths
  exit 0
fi

# Go: from PATH, else the usual install locations (a non-login shell may not have them on PATH).
if ! command -v go >/dev/null; then
  for d in /usr/local/go/bin "$HOME/go/bin" "$HOME/sdk/go/bin" /usr/lib/go/bin; do
    if [[ -x "$d/go" ]]; then export PATH="$d:$PATH"; break; fi
  done
fi
command -v go >/dev/null || { echo "helm: go is required (Go 1.26; not on PATH nor in /usr/local/go/bin)" >&2; exit 1; }
echo "helm: using $(command -v go) ($(go version))"
mkdir -p "$CACHE_ROOT"
exec 9>"$CACHE_ROOT/.build.lock"
flock -w 3600 9 || { echo "helm: another build holds $CACHE_ROOT/.build.lock" >&2; exit 1; }
if have_all; then print_paths; exit 0; fi

# -mod=mod is not allowed with `go install pkg@version`; CGO off like helm's own Makefile.
export GOFLAGS="-buildvcs=false" CGO_ENABLED=0 GOTOOLCHAIN=local
export GONOSUMDB="github.com/helm-unittest/helm-unittest${GONOSUMDB:+,$GONOSUMDB}"

# json_field FIELD: the first "FIELD": "value" in `go mod download -json` output on stdin.
json_field() { sed -n "s/^[[:space:]]*\"$1\": \"\\(.*\\)\",\\{0,1\\}\$/\\1/p" | head -n 1; }

# module_info MODULE@VERSION: downloads it; sets MOD_DIR, MOD_COMMIT (upstream commit when the proxy
# knows it), MOD_SUM, MOD_GOMODSUM and KUBE_MINOR (from the k8s.io/client-go it requires: v0.N → 1.N).
module_info() {
  local out
  out="$(go mod download -json "$1")" || { echo "helm: go mod download $1 failed:" >&2; echo "$out" >&2; return 1; }
  MOD_DIR="$(json_field Dir <<<"$out")"
  MOD_COMMIT="$(json_field Hash <<<"$out")"
  MOD_SUM="$(json_field Sum <<<"$out")"
  MOD_GOMODSUM="$(json_field GoModSum <<<"$out")"
  [[ -n "$MOD_DIR" && -f "$MOD_DIR/go.mod" ]] || { echo "helm: go mod download $1 gave no directory:" >&2; echo "$out" >&2; return 1; }
  KUBE_MINOR="$(sed -n 's/^[[:space:]]*k8s\.io\/client-go v0\.\([0-9]*\)\..*/\1/p' "$MOD_DIR/go.mod" | head -n 1)"
  [[ -n "$KUBE_MINOR" ]] || { echo "helm: no k8s.io/client-go requirement in $MOD_DIR/go.mod" >&2; return 1; }
}

# build_tool DIR BINARY PACKAGE@VERSION LDFLAGS: go install into DIR/bin, then DIR/.complete.
build_tool() {
  local dir="$1" binary="$2" pkg="$3" ldflags="$4" t0 secs
  t0=$(date +%s)
  echo "helm: building $pkg ..."
  rm -rf "$dir"
  mkdir -p "$dir/bin"
  GOBIN="$dir/bin" go install -trimpath -ldflags "$ldflags" "$pkg"
  [[ -x "$dir/bin/$binary" ]] || { echo "helm: go install $pkg left no $dir/bin/$binary" >&2; return 1; }
  secs=$(($(date +%s) - t0))
  printf '%s\n' "$pkg built=$(date -u +%FT%TZ) seconds=$secs go=$(go env GOVERSION)" >"$dir/.complete"
  echo "helm: built $dir/bin/$binary in ${secs}s"
}

# helm's Makefile: -X internal/version.{version,metadata,gitCommit,gitTreeState}. Without them
# `helm version` prints a bare "v3.22"/"v4.3". helm v3 also takes the Kubernetes version it assumes
# for `helm template` (Capabilities.KubeVersion, and `helm lint`'s deprecation checks) from -X
# pkg/chartutil.k8sVersion{Major,Minor} and pkg/lint/rules.k8sVersion{Major,Minor}: its Makefile
# sets them from the client-go it is built with (v0.N → 1.N); without them helm v3 assumes 1.20.
# helm v4 reads the client-go version from the binary's module info instead (no flags needed).
helm_ldflags() { # MAJOR(v3|v4) VERSION COMMIT KUBE_MINOR
  local m="helm.sh/helm/$1" f
  f="-s -w -X $m/internal/version.version=$2 -X $m/internal/version.metadata="
  f+=" -X $m/internal/version.gitTreeState=clean"
  [[ -z "$3" ]] || f+=" -X $m/internal/version.gitCommit=$3"
  if [[ "$1" == v3 ]]; then
    f+=" -X $m/pkg/chartutil.k8sVersionMajor=1 -X $m/pkg/chartutil.k8sVersionMinor=$4"
    f+=" -X $m/pkg/lint/rules.k8sVersionMajor=1 -X $m/pkg/lint/rules.k8sVersionMinor=$4"
  fi
  printf '%s' "$f"
}

start=$(date +%s)
echo "helm: cold build of helm $HELM3_VERSION, helm $HELM4_VERSION, helm-unittest $HELM_UNITTEST_VERSION into $CACHE_ROOT (a few minutes)..."

if ! complete "$HELM3_DIR" helm; then
  module_info "helm.sh/helm/v3@$HELM3_VERSION"
  build_tool "$HELM3_DIR" helm "helm.sh/helm/v3/cmd/helm@$HELM3_VERSION" \
    "$(helm_ldflags v3 "$HELM3_VERSION" "$MOD_COMMIT" "$KUBE_MINOR")"
fi
if ! complete "$HELM4_DIR" helm; then
  module_info "helm.sh/helm/v4@$HELM4_VERSION"
  build_tool "$HELM4_DIR" helm "helm.sh/helm/v4/cmd/helm@$HELM4_VERSION" \
    "$(helm_ldflags v4 "$HELM4_VERSION" "$MOD_COMMIT" "$KUBE_MINOR")"
fi
if ! complete "$UNITTEST_DIR" helm-unittest; then
  module_info "github.com/helm-unittest/helm-unittest@$HELM_UNITTEST_VERSION"
  if [[ "$MOD_SUM" != "$HELM_UNITTEST_SUM" || "$MOD_GOMODSUM" != "$HELM_UNITTEST_GOMODSUM" ]]; then
    echo "helm: helm-unittest $HELM_UNITTEST_VERSION checksum mismatch: got $MOD_SUM / $MOD_GOMODSUM," \
      "pinned $HELM_UNITTEST_SUM / $HELM_UNITTEST_GOMODSUM" >&2
    exit 1
  fi
  # Its own Makefile sets only internal/build.version. It renders with the helm v3 library it
  # embeds (v3.18.x, client-go v0.34): the same k8sVersion flags as helm v3 make its default
  # Capabilities.KubeVersion 1.34 instead of 1.20 (a test suite's `capabilities:` still overrides it).
  build_tool "$UNITTEST_DIR" helm-unittest \
    "github.com/helm-unittest/helm-unittest/cmd/helm-unittest@$HELM_UNITTEST_VERSION" \
    "-s -w -X github.com/helm-unittest/helm-unittest/internal/build.version=${HELM_UNITTEST_VERSION#v} -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$KUBE_MINOR"
fi

# Smoke check: each binary runs and reports the version it was built as.
"$HELM3_DIR/bin/helm" version --short | grep -qF "$HELM3_VERSION" || { echo "helm: $HELM3_DIR/bin/helm does not report $HELM3_VERSION" >&2; exit 1; }
"$HELM4_DIR/bin/helm" version --short | grep -qF "$HELM4_VERSION" || { echo "helm: $HELM4_DIR/bin/helm does not report $HELM4_VERSION" >&2; exit 1; }

secs=$(($(date +%s) - start))
echo "helm: cold build took ${secs}s ($((secs / 60))m $((secs % 60))s)"
print_paths
