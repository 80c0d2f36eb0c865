#!/usr/bin/env bash
# Starts a real Kubernetes control plane on 127.0.0.1 (etcd, kube-apiserver, kube-controller-manager,
# kube-scheduler) plus kwok faking the kubelets of two nodes. Binaries come from scripts/kube/build.sh
# (built once from upstream sources, cached in ~/.cache/benchpilot/kube/<version>/bin).
# Its output ends with KUBECTL=<path> and KUBECONFIG=<path>. Stop with scripts/kube/down.sh.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/lib.sh"

KUBE_NODES="${KUBE_NODES:-2}"
WAIT_SECS="${KUBE_WAIT_SECS:-120}"

print_result() {
  echo "KUBECTL=$KUBE_RUN_DIR/bin/kubectl"
  echo "KUBECONFIG=$KUBE_RUN_DIR/admin.kubeconfig"
}

all_alive() { local c; for c in "${KUBE_COMPONENTS[@]}"; do kube_pid_alive "$c" || return 1; done; }

healthy() {
  [[ -x "$KUBE_RUN_DIR/bin/kubectl" && -f "$KUBE_RUN_DIR/admin.kubeconfig" ]] || return 1
  "$KUBE_RUN_DIR/bin/kubectl" --kubeconfig "$KUBE_RUN_DIR/admin.kubeconfig" --request-timeout=5s \
    get --raw /readyz >/dev/null 2>&1
}

free_ports() { # <n>: prints n free loopback TCP ports
  python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

# kwok runs with our pod stages (scripts/kube/kwok-stages.yaml, see docs/kube.md) from a copy in
# the runtime dir; a running cluster whose copy differs from the repo's gets only kwok restarted.
STAGES="$HERE/kwok-stages.yaml"
start_kwok() { # <run dir> <kwok port>
  cp "$STAGES" "$1/kwok-stages.yaml"
  # 8>&-: the daemons must not inherit (and so keep holding) the lock on $KUBE_RUN_DIR.lock.
  setsid "$1/bin/kwok" \
    --config "$1/kwok-stages.yaml" \
    --kubeconfig "$1/admin.kubeconfig" \
    --manage-all-nodes=true \
    --server-address "127.0.0.1:$2" \
    --cidr 10.244.0.0/16 --node-ip 127.0.0.1 \
    >>"$1/logs/kwok.log" 2>&1 </dev/null 8>&- &
  echo $! > "$1/pids/kwok.pid"
}

# --- reuse a running cluster -------------------------------------------------------------------
mkdir -p "$(dirname "$KUBE_RUN_DIR")"
exec 8>"$KUBE_RUN_DIR.lock"
flock -w 900 8 || { echo "kube: another up.sh/down.sh holds $KUBE_RUN_DIR.lock" >&2; exit 1; }
if [[ -f "$KUBE_RUN_DIR/ready" ]]; then
  if all_alive && healthy; then
    if ! cmp -s "$STAGES" "$KUBE_RUN_DIR/kwok-stages.yaml"; then
      echo "kube: kwok stages changed (scripts/kube/kwok-stages.yaml); restarting kwok only"
      pid="$(cat "$KUBE_RUN_DIR/pids/kwok.pid")"
      kill -TERM "$pid" 2>/dev/null || true
      for ((n = 0; n < 100; n++)); do pid_running "$pid" || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
      start_kwok "$KUBE_RUN_DIR" "$(free_ports 1)"
      sleep 1
      kube_pid_alive kwok || { echo "kube: kwok did not restart (see $KUBE_RUN_DIR/logs/kwok.log)" >&2; exit 1; }
    fi
    echo "kube: a control plane is already running in $KUBE_RUN_DIR (apiserver $(cat "$KUBE_RUN_DIR/server")); reusing it"
    print_result
    exit 0
  fi
  echo "kube: stale state in $KUBE_RUN_DIR (a component is dead); restarting"
fi
kube_stop_all 2>/dev/null || true
rm -rf "$KUBE_RUN_DIR"

# --- binaries ------------------------------------------------------------------------------------
build_out="$(KUBE_VERSION="$KUBE_VERSION" bash "$HERE/build.sh" | tee /dev/stderr)"
BIN="$(printf '%s\n' "$build_out" | sed -n 's/^BIN_DIR=//p' | tail -1)"
[[ -x "$BIN/kube-apiserver" ]] || { echo "kube: build failed" >&2; exit 1; }

t0=$(date +%s)
umask 077
R="$KUBE_RUN_DIR"
mkdir -p "$R"/{pids,logs,pki,etcd-data,bin}
ln -s "$BIN"/* "$R/bin/"

failed() {
  echo "kube: $*" >&2
  local c
  for c in "${KUBE_COMPONENTS[@]}"; do
    [[ -f "$R/logs/$c.log" ]] && { echo "--- last lines of $R/logs/$c.log" >&2; tail -n 15 "$R/logs/$c.log" >&2; }
  done
  kube_stop_all
  rm -rf "$R"
  exit 1
}
trap 'failed "interrupted"' INT TERM

# --- free loopback ports -------------------------------------------------------------------------
read -r P_ETCD P_PEER P_API P_KCM P_SCHED P_KWOK < <(free_ports 6)

# --- certificates (openssl) ------------------------------------------------------------------------
P="$R/pki"
ossl() { openssl "$@" >/dev/null 2>&1 || failed "openssl $1 failed"; }
ossl req -x509 -newkey rsa:2048 -nodes -keyout "$P/ca.key" -out "$P/ca.crt" -days 3650 -subj "/CN=benchpilot-kube-ca"
cert() { # <name> <subject> [extfile]
  ossl req -newkey rsa:2048 -nodes -keyout "$P/$1.key" -out "$P/$1.csr" -subj "$2"
  if [[ -n "${3:-}" ]]; then
    ossl x509 -req -in "$P/$1.csr" -CA "$P/ca.crt" -CAkey "$P/ca.key" -CAcreateserial -out "$P/$1.crt" -days 3650 -extfile "$3"
  else
    ossl x509 -req -in "$P/$1.csr" -CA "$P/ca.crt" -CAkey "$P/ca.key" -CAcreateserial -out "$P/$1.crt" -days 3650 \
      -extfile <(printf 'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n')
  fi
}
printf '%s\n' 'keyUsage=critical,digitalSignature,keyEncipherment' 'extendedKeyUsage=serverAuth' \
  'subjectAltName=IP:127.0.0.1,IP:10.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local' \
  > "$P/server.ext"
cert apiserver "/CN=kube-apiserver" "$P/server.ext"
cert admin "/O=system:masters/CN=benchpilot-admin"
cert kube-controller-manager "/CN=system:kube-controller-manager"
cert kube-scheduler "/CN=system:kube-scheduler"
# Front-proxy (request-header) client identity, so the extension-apiserver-authentication
# ConfigMap is complete and aggregated APIs could be added later.
ossl req -x509 -newkey rsa:2048 -nodes -keyout "$P/front-proxy-ca.key" -out "$P/front-proxy-ca.crt" -days 3650 -subj "/CN=benchpilot-front-proxy-ca"
ossl req -newkey rsa:2048 -nodes -keyout "$P/front-proxy-client.key" -out "$P/front-proxy-client.csr" -subj "/CN=front-proxy-client"
ossl x509 -req -in "$P/front-proxy-client.csr" -CA "$P/front-proxy-ca.crt" -CAkey "$P/front-proxy-ca.key" -CAcreateserial \
  -out "$P/front-proxy-client.crt" -days 3650 \
  -extfile <(printf 'keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n')
# ServiceAccount token signing key pair.
ossl genrsa -out "$P/sa.key" 2048
ossl rsa -in "$P/sa.key" -pubout -out "$P/sa.pub"

SERVER="https://127.0.0.1:$P_API"
echo "$SERVER" > "$R/server"
kubeconfig() { # <file> <user cert name>
  cat > "$1" <<KC
apiVersion: v1
kind: Config
clusters:
- name: benchpilot
  cluster:
    server: $SERVER
    certificate-authority: $P/ca.crt
users:
- name: $2
  user:
    client-certificate: $P/$2.crt
    client-key: $P/$2.key
contexts:
- name: benchpilot
  context:
    cluster: benchpilot
    user: $2
current-context: benchpilot
KC
}
kubeconfig "$R/admin.kubeconfig" admin
kubeconfig "$R/kube-controller-manager.kubeconfig" kube-controller-manager
kubeconfig "$R/kube-scheduler.kubeconfig" kube-scheduler

start() { # <component> <args...>
  local c="$1"; shift
  # 8>&-: the daemons must not inherit (and so keep holding) the lock on $KUBE_RUN_DIR.lock.
  setsid "$R/bin/$c" "$@" >"$R/logs/$c.log" 2>&1 </dev/null 8>&- &
  echo $! > "$R/pids/$c.pid"
}
wait_for() { # <what> <component> <cmd...>
  local what="$1" c="$2"; shift 2
  local deadline=$(($(date +%s) + WAIT_SECS))
  until "$@" >/dev/null 2>&1; do
    kube_pid_alive "$c" || failed "$c exited while waiting for $what"
    (($(date +%s) < deadline)) || failed "timed out after ${WAIT_SECS}s waiting for $what"
    sleep 0.3
  done
}
KC() { "$R/bin/kubectl" --kubeconfig "$R/admin.kubeconfig" --request-timeout=10s "$@"; }

# --- etcd ------------------------------------------------------------------------------------------
start etcd --name default --data-dir "$R/etcd-data" \
  --listen-client-urls "http://127.0.0.1:$P_ETCD" --advertise-client-urls "http://127.0.0.1:$P_ETCD" \
  --listen-peer-urls "http://127.0.0.1:$P_PEER" --initial-advertise-peer-urls "http://127.0.0.1:$P_PEER" \
  --initial-cluster "default=http://127.0.0.1:$P_PEER" --initial-cluster-state new \
  --quota-backend-bytes 2147483648 --log-level warn
wait_for "etcd" etcd curl -sf "http://127.0.0.1:$P_ETCD/health"

# --- kube-apiserver ----------------------------------------------------------------------------------
start kube-apiserver \
  --etcd-servers "http://127.0.0.1:$P_ETCD" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$P_API" \
  --tls-cert-file "$P/apiserver.crt" --tls-private-key-file "$P/apiserver.key" \
  --client-ca-file "$P/ca.crt" \
  --requestheader-client-ca-file "$P/front-proxy-ca.crt" --requestheader-allowed-names front-proxy-client \
  --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
  --requestheader-extra-headers-prefix X-Remote-Extra- \
  --proxy-client-cert-file "$P/front-proxy-client.crt" --proxy-client-key-file "$P/front-proxy-client.key" \
  --authorization-mode Node,RBAC \
  --enable-admission-plugins NamespaceLifecycle,LimitRanger,ServiceAccount,PodSecurity,DefaultStorageClass,ResourceQuota,DefaultTolerationSeconds,MutatingAdmissionWebhook,ValidatingAdmissionWebhook,ValidatingAdmissionPolicy \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$P/sa.pub" --service-account-signing-key-file "$P/sa.key" \
  --api-audiences https://kubernetes.default.svc.cluster.local \
  --service-cluster-ip-range 10.0.0.0/24 \
  --endpoint-reconciler-type none \
  --allow-privileged=true --profiling=false
wait_for "kube-apiserver /readyz" kube-apiserver KC get --raw /readyz

# --- kube-controller-manager ---------------------------------------------------------------------------
start kube-controller-manager \
  --kubeconfig "$R/kube-controller-manager.kubeconfig" \
  --authentication-kubeconfig "$R/kube-controller-manager.kubeconfig" \
  --authorization-kubeconfig "$R/kube-controller-manager.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port "$P_KCM" \
  --controllers '*' \
  --service-account-private-key-file "$P/sa.key" --root-ca-file "$P/ca.crt" \
  --use-service-account-credentials=true \
  --leader-elect=false --profiling=false

# --- kube-scheduler --------------------------------------------------------------------------------------
start kube-scheduler \
  --kubeconfig "$R/kube-scheduler.kubeconfig" \
  --authentication-kubeconfig "$R/kube-scheduler.kubeconfig" \
  --authorization-kubeconfig "$R/kube-scheduler.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port "$P_SCHED" \
  --leader-elect=false --profiling=false

# --- kwok (fake kubelets) --------------------------------------------------------------------------------
start_kwok "$R" "$P_KWOK"

# --- fake nodes ------------------------------------------------------------------------------------------
for ((i = 0; i < KUBE_NODES; i++)); do
  cat <<NODE
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    type: kwok
    kubernetes.io/hostname: kwok-node-$i
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    kubernetes.io/role: agent
status:
  allocatable: {cpu: "32", memory: 256Gi, pods: "110"}
  capacity: {cpu: "32", memory: 256Gi, pods: "110"}
---
NODE
done > "$R/nodes.yaml"
wait_for "node creation" kube-apiserver KC apply -f "$R/nodes.yaml"

node_ready() { KC wait --for=condition=Ready node --all --timeout=2s; }
wait_for "nodes Ready (kwok)" kwok node_ready
wait_for "default ServiceAccount (controller-manager)" kube-controller-manager KC -n default get serviceaccount default
kube_pid_alive kube-scheduler || failed "kube-scheduler exited"

trap - INT TERM
touch "$R/ready"
echo "kube: control plane $KUBE_VERSION up in $(($(date +%s) - t0))s at $SERVER (logs: $R/logs, stop: bash scripts/kube/down.sh)"
KC get nodes
print_result
