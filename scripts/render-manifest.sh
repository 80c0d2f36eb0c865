#!/usr/bin/env bash
# Renders charts/benchpilot into deploy/kubernetes/benchpilot.yaml: the chart with its default
# values as one file for `kubectl apply -f`, for users without Helm (docs/helm.md#without-helm).
#
#   bash scripts/render-manifest.sh           write the file
#   bash scripts/render-manifest.sh --check   exit 1 when the committed file differs from the chart
#   bash scripts/render-manifest.sh --stdout  print the rendering
#
# Helm: $HELM, else `helm` on PATH, else the one scripts/helm/build.sh builds (Helm 4).
# The rendering is deterministic: the operator token is not in it. The manifest references a
# Secret the user creates (existingSecret=benchpilot-credentials), so no random token (helm
# template cannot `lookup` the token of an earlier install) and no shared placeholder token.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=deploy/kubernetes/benchpilot.yaml
NAMESPACE=benchpilot
SECRET=benchpilot-credentials
KUBE_VERSION=1.36.3
mode="${1:-write}"
case "$mode" in write | --check | --stdout) ;; *)
  echo "usage: bash scripts/render-manifest.sh [--check | --stdout]" >&2
  exit 2
  ;;
esac

if [[ -z "${HELM:-}" ]]; then
  if command -v helm >/dev/null; then
    HELM=helm
  else
    HELM="$(bash scripts/helm/build.sh | sed -n 's/^HELM4=//p')"
  fi
fi
[[ -x "$(command -v "$HELM")" ]] || { echo "render-manifest: no helm (set HELM=/path/to/helm)" >&2; exit 1; }

COMMAND="helm template benchpilot ./charts/benchpilot --namespace $NAMESPACE --kube-version $KUBE_VERSION --skip-tests --set existingSecret=$SECRET"

render() {
  cat <<EOF
# benchpilot for \`kubectl apply\`, without Helm.
#
# GENERATED FILE: do not edit by hand. It is the Helm chart charts/benchpilot rendered with its
# default values by scripts/render-manifest.sh:
#   $COMMAND
# Change the chart (or its values) and run \`bash scripts/render-manifest.sh\`; a test fails when
# this file and the chart drift apart.
#
# Install into the namespace "$NAMESPACE" (the names below are fixed to it):
#   kubectl create namespace $NAMESPACE
#   kubectl label namespace $NAMESPACE pod-security.kubernetes.io/enforce=restricted   # optional
#   kubectl --namespace $NAMESPACE create secret generic $SECRET \\
#     --from-literal=BENCHPILOT_OPERATOR_TOKEN="bp_\$(openssl rand -hex 24)"
#   kubectl apply -f deploy/kubernetes/benchpilot.yaml
#   kubectl --namespace $NAMESPACE port-forward service/benchpilot 8080:8080
# The Secret $SECRET holds the operator token (the UI's login; docs/helm.md#the-secret).
# No target is configured here: for targets and their credentials, another namespace or other
# options, install the chart with Helm instead.
EOF
  "$HELM" template benchpilot ./charts/benchpilot --namespace "$NAMESPACE" --kube-version "$KUBE_VERSION" \
    --skip-tests --set existingSecret="$SECRET" | normalize
}

# Helm 4 ends every document with blank lines that Helm 3 does not write: drop whitespace-only
# lines before a `---` and at the end, so that both give the same file.
normalize() {
  awk '
    /^[[:space:]]*$/ { held = held $0 "\n"; next }
    /^---$/ { held = "" }
    { printf "%s", held; held = ""; print }
  '
}

case "$mode" in
  --stdout) render ;;
  --check)
    tmp="$(mktemp)"
    trap 'rm -f "$tmp"' EXIT
    render >"$tmp"
    if ! diff -u "$OUT" "$tmp" >&2; then
      echo "render-manifest: $OUT is out of date with charts/benchpilot: run bash scripts/render-manifest.sh" >&2
      exit 1
    fi
    echo "render-manifest: $OUT is up to date"
    ;;
  write)
    mkdir -p "$(dirname "$OUT")"
    tmp="$OUT.tmp"
    render >"$tmp"
    mv "$tmp" "$OUT"
    echo "render-manifest: wrote $OUT ($(grep -c '^kind:' "$OUT") objects)"
    ;;
esac
