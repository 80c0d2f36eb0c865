# Shared settings for scripts/kube/*.sh (sourced, not executed).
KUBE_VERSION="${KUBE_VERSION:-v1.36.3}"
KUBE_RUN_DIR="${BENCHPILOT_KUBE_RUN_DIR:-${TMPDIR:-/tmp}/benchpilot-kube-$(id -u)}"
# Start order; down.sh stops them in reverse.
KUBE_COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

# Running = exists and is not a zombie (an init that does not reap leaves exited daemons as zombies).
pid_running() { # <pid>
  local st
  kill -0 "$1" 2>/dev/null || return 1
  st="$(ps -o stat= -p "$1" 2>/dev/null)" || return 1
  [[ -n "$st" && "$st" != Z* ]]
}

kube_pid_alive() { # <component>
  local f="$KUBE_RUN_DIR/pids/$1.pid" pid
  [[ -f "$f" ]] || return 1
  pid="$(cat "$f")"
  [[ -n "$pid" ]] && pid_running "$pid"
}

kube_stop_all() {
  local i c pid n
  for ((i = ${#KUBE_COMPONENTS[@]} - 1; i >= 0; i--)); do
    c="${KUBE_COMPONENTS[$i]}"
    [[ -f "$KUBE_RUN_DIR/pids/$c.pid" ]] || continue
    pid="$(cat "$KUBE_RUN_DIR/pids/$c.pid")"
    if [[ -n "$pid" ]] && pid_running "$pid"; then
      kill -TERM "$pid" 2>/dev/null || true
      for ((n = 0; n < 100; n++)); do pid_running "$pid" || break; sleep 0.1; done
      if pid_running "$pid"; then
        echo "kube: $c (pid $pid) did not stop in 10s, killing" >&2
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.2
      fi
    fi
    rm -f "$KUBE_RUN_DIR/pids/$c.pid"
  done
}
