#!/usr/bin/env bash
# benchpilot on a local kind cluster: create the cluster, build the image with docker, load it into
# kind, install the chart (./charts/benchpilot) with helm, wait until it is ready, then print how to
# open the UI and get the operator token. docs/deploy.md.
#
#   deploy/kind.sh [up] [HELM_ARGS...]   # e.g. deploy/kind.sh up --set targets.postgres.enabled=true
#   deploy/kind.sh cleanup               # delete the kind cluster (and everything in it)
#
# Environment: KIND_CLUSTER (benchpilot), NAMESPACE (benchpilot), RELEASE (benchpilot),
# IMAGE (docker.io/benchpilot/benchpilot:kind-dev), KIND_NODE_IMAGE (kind's default node image),
# WAIT_TIMEOUT (10m), and DOCKER / KIND / HELM / KUBECTL to use other binaries.
# NO_COLOR=1 (or output that is not a terminal) turns colours off.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLUSTER="${KIND_CLUSTER:-benchpilot}"
NAMESPACE="${NAMESPACE:-benchpilot}"
RELEASE="${RELEASE:-benchpilot}"
IMAGE="${IMAGE:-docker.io/benchpilot/benchpilot:kind-dev}"
WAIT_TIMEOUT="${WAIT_TIMEOUT:-10m}"
DOCKER="${DOCKER:-docker}"
KIND="${KIND:-kind}"
HELM="${HELM:-helm}"
KUBECTL="${KUBECTL:-kubectl}"
CONTEXT="kind-$CLUSTER"

if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then
  BOLD=$'\e[1m' GREEN=$'\e[32m' YELLOW=$'\e[33m' RED=$'\e[31m' CYAN=$'\e[36m' RESET=$'\e[0m'
else
  BOLD="" GREEN="" YELLOW="" RED="" CYAN="" RESET=""
fi
step() { printf '%s==>%s %s%s%s\n' "$CYAN" "$RESET" "$BOLD" "$*" "$RESET"; }
ok() { printf '%s ok %s %s\n' "$GREEN" "$RESET" "$*"; }
warn() { printf '%swarn%s %s\n' "$YELLOW" "$RESET" "$*" >&2; }
die() { printf '%serror%s %s\n' "$RED" "$RESET" "$*" >&2; exit 1; }

usage() {
  sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

# require NAME...: every missing prerequisite is reported (with where to get it), then exit 1.
require() {
  local missing=0 tool bin
  for tool in "$@"; do
    case "$tool" in
      docker) bin="$DOCKER" ;;
      kind) bin="$KIND" ;;
      helm) bin="$HELM" ;;
      kubectl) bin="$KUBECTL" ;;
      *) bin="$tool" ;;
    esac
    if command -v "$bin" >/dev/null 2>&1; then
      ok "$tool: $(command -v "$bin")"
      continue
    fi
    missing=1
    case "$tool" in
      docker) warn "docker not found ($bin): install Docker Engine or Docker Desktop (https://docs.docker.com/get-docker/), or set DOCKER=" ;;
      kind) warn "kind not found ($bin): install kind v0.20+ (https://kind.sigs.k8s.io/docs/user/quick-start/#installation, e.g. 'go install sigs.k8s.io/kind@latest'), or set KIND=" ;;
      helm) warn "helm not found ($bin): install helm v3.14+ or v4 (https://helm.sh/docs/intro/install/), or set HELM= (bash scripts/helm/build.sh builds both from source)" ;;
      kubectl) warn "kubectl not found ($bin): install kubectl (https://kubernetes.io/docs/tasks/tools/), or set KUBECTL=" ;;
      *) warn "$tool not found" ;;
    esac
  done
  ((missing == 0)) || die "missing prerequisites (above); nothing was changed"
}

require_docker_engine() {
  "$DOCKER" info >/dev/null 2>&1 ||
    die "$DOCKER is installed but no Docker engine answers ('$DOCKER info' failed): start Docker (or Docker Desktop) and retry"
  ok "docker engine: $("$DOCKER" info --format '{{.ServerVersion}}' 2>/dev/null || echo running)"
}

cluster_exists() { "$KIND" get clusters 2>/dev/null | grep -qx "$CLUSTER"; }

cmd_cleanup() {
  step "Checking prerequisites"
  require docker kind
  if cluster_exists; then
    step "Deleting kind cluster '$CLUSTER'"
    "$KIND" delete cluster --name "$CLUSTER"
    ok "cluster '$CLUSTER' deleted"
  else
    ok "no kind cluster named '$CLUSTER': nothing to delete"
  fi
}

cmd_up() {
  step "Checking prerequisites"
  require docker kind helm kubectl
  require_docker_engine
  [[ -f "$ROOT/Dockerfile" && -d "$ROOT/charts/benchpilot" ]] ||
    die "run from a benchpilot checkout: $ROOT/Dockerfile or $ROOT/charts/benchpilot is missing"

  if cluster_exists; then
    step "Using the existing kind cluster '$CLUSTER'"
  else
    step "Creating kind cluster '$CLUSTER'"
    local args=(create cluster --name "$CLUSTER" --wait 120s)
    [[ -z "${KIND_NODE_IMAGE:-}" ]] || args+=(--image "$KIND_NODE_IMAGE")
    "$KIND" "${args[@]}"
  fi
  "$KUBECTL" --context "$CONTEXT" get nodes >/dev/null || die "kubectl cannot reach the cluster (context $CONTEXT)"
  ok "context $CONTEXT"

  step "Building the image $IMAGE (docker build $ROOT)"
  "$DOCKER" build -t "$IMAGE" "$ROOT"

  step "Loading $IMAGE into kind cluster '$CLUSTER'"
  "$KIND" load docker-image "$IMAGE" --name "$CLUSTER"

  # IMAGE = registry/repository:tag, as the chart's image.registry / .repository / .tag.
  local ref="$IMAGE" registry repository tag
  tag="${ref##*:}"
  [[ "$tag" != "$ref" && "$tag" != */* ]] || die "IMAGE must end with a :tag (got $IMAGE)"
  ref="${ref%:*}"
  registry="${ref%%/*}"
  repository="${ref#*/}"
  [[ "$registry" == *.* || "$registry" == *:* || "$registry" == localhost ]] ||
    die "IMAGE must start with a registry host, e.g. docker.io/$ref:$tag (got $IMAGE)"

  step "Installing the chart ./charts/benchpilot as release '$RELEASE' in namespace '$NAMESPACE'"
  "$HELM" upgrade --install "$RELEASE" "$ROOT/charts/benchpilot" \
    --kube-context "$CONTEXT" --namespace "$NAMESPACE" --create-namespace \
    --set-string image.registry="$registry" \
    --set-string image.repository="$repository" \
    --set-string image.tag="$tag" \
    --set-string image.pullPolicy=IfNotPresent \
    --wait --timeout "$WAIT_TIMEOUT" "$@"

  step "Waiting for the control plane to be ready"
  local selector="app.kubernetes.io/instance=$RELEASE,app.kubernetes.io/component=control-plane"
  "$KUBECTL" --context "$CONTEXT" --namespace "$NAMESPACE" wait deployment --selector "$selector" \
    --for=condition=Available --timeout "$WAIT_TIMEOUT"
  "$KUBECTL" --context "$CONTEXT" --namespace "$NAMESPACE" wait pod --selector "$selector" \
    --for=condition=Ready --timeout "$WAIT_TIMEOUT"
  ok "benchpilot is ready"

  local service secret
  service="$("$KUBECTL" --context "$CONTEXT" --namespace "$NAMESPACE" get service --selector "$selector" \
    -o jsonpath='{.items[0].metadata.name}')"
  secret="$("$KUBECTL" --context "$CONTEXT" --namespace "$NAMESPACE" get deployment --selector "$selector" \
    -o jsonpath='{.items[0].spec.template.spec.containers[0].env[?(@.name=="BENCHPILOT_OPERATOR_TOKEN")].valueFrom.secretKeyRef.name}')"

  printf '\n%sbenchpilot runs in kind cluster %s (context %s), namespace %s.%s\n\n' "$BOLD" "$CLUSTER" "$CONTEXT" "$NAMESPACE" "$RESET"
  printf '  Open the UI:\n    %skubectl --context %s --namespace %s port-forward service/%s 8080:8080%s\n' \
    "$GREEN" "$CONTEXT" "$NAMESPACE" "${service:-$RELEASE}" "$RESET"
  printf '    then http://127.0.0.1:8080\n\n'
  printf '  Operator token (log in with it):\n    %skubectl --context %s --namespace %s get secret %s -o jsonpath='"'"'{.data.BENCHPILOT_OPERATOR_TOKEN}'"'"' | base64 -d; echo%s\n\n' \
    "$GREEN" "$CONTEXT" "$NAMESPACE" "${secret:-$RELEASE}" "$RESET"
  printf '  Check it:  %shelm test %s --kube-context %s --namespace %s%s\n' "$GREEN" "$RELEASE" "$CONTEXT" "$NAMESPACE" "$RESET"
  printf '  Remove it: %s%s cleanup%s\n' "$GREEN" "$0" "$RESET"
}

case "${1:-up}" in
  up) [[ $# -eq 0 ]] || shift; cmd_up "$@" ;;
  cleanup | down | delete) cmd_cleanup ;;
  -h | --help | help) usage ;;
  -*) cmd_up "$@" ;;
  *) usage >&2; die "unknown command '$1' (up or cleanup)" ;;
esac
