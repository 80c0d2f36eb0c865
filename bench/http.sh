#!/usr/bin/env bash
# HTTP benchmark (npm run bench:http): wrk, autocannon and benchpilot's http driver against one
# local nginx (1 worker, body "ok"), one after another with the same 50 connections and one
# client thread each; then benchpilot's open model at a fixed rate; then a long run for RSS.
# All traffic goes to 127.0.0.1; nginx and temp files are removed on exit.
#
# Knobs (environment): BENCH_ROUNDS (3), BENCH_SECONDS (10), BENCH_CONNECTIONS (50),
# BENCH_RATE (20000), BENCH_OPEN_SECONDS (30), BENCH_RSS_SECONDS (300; 0 skips),
# BENCH_TRANSPORTS ("undici raw"), BENCH_OUT (a directory to keep the raw results in).
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${BENCH_ROUNDS:-3}
SECONDS_EACH=${BENCH_SECONDS:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-50}
RATE=${BENCH_RATE:-20000}
OPEN_SECONDS=${BENCH_OPEN_SECONDS:-30}
RSS_SECONDS=${BENCH_RSS_SECONDS:-300}
TRANSPORTS=${BENCH_TRANSPORTS:-undici raw}

need() { command -v "$1" >/dev/null 2>&1; }
install_pkgs() {
  if [ "$(id -u)" != 0 ]; then
    echo "bench/http.sh: $* missing and not root; install them (apt-get install $*)" >&2
    exit 2
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null ||
    { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }
}
missing=()
need wrk || missing+=(wrk)
need nginx || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
need time || [ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} ..."
  install_pkgs "${missing[@]}"
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -d node_modules/autocannon ] || npm install --no-save --no-audit --no-fund >/dev/null
echo "building ..."
# tsc still emits when some file elsewhere has a type error; go on if what we run was built
if ! npx tsc -p . >"${TMPDIR:-/tmp}/benchpilot-http-build.log" 2>&1; then
  [ -f dist/src/cli/main.js ] && [ -f dist/bench/http/report.js ] ||
    { cat "${TMPDIR:-/tmp}/benchpilot-http-build.log" >&2; echo "bench/http.sh: the build failed" >&2; exit 2; }
  echo "warning: npx tsc -p . reported type errors (see ${TMPDIR:-/tmp}/benchpilot-http-build.log); running the emitted build"
fi

WORK=$(mktemp -d /tmp/benchpilot-http.XXXXXX)
OUT=${BENCH_OUT:-$WORK/out}
mkdir -p "$WORK/tmp" "$OUT"
NGINX_PID=""
cleanup() {
  if [ -n "$NGINX_PID" ]; then kill "$NGINX_PID" 2>/dev/null || true; wait "$NGINX_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
sed -e "s|@DIR@|$WORK|g" -e "s|@PORT@|$PORT|g" bench/http/nginx.conf.template >"$WORK/nginx.conf"
"$NGINX" -p "$WORK" -c "$WORK/nginx.conf" -e "$WORK/error.log" &
NGINX_PID=$!
URL="http://127.0.0.1:$PORT"
for _ in $(seq 50); do
  if node -e "require('net').connect($PORT,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))"; then break; fi
  sleep 0.1
done

echo "nginx (1 worker) on $URL; $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "closed model: $CONNECTIONS connections, 1 client thread, ${SECONDS_EACH}s each, $ROUNDS rounds"

# Every run appends "tool<TAB>round<TAB>req/s<TAB>client cpu seconds" to closed.tsv.
timed() { /usr/bin/time -f "%U %S" -o "$WORK/time.txt" "$@"; }
cpu() { awk '{ printf "%.2f", $1 + $2 }' "$WORK/time.txt"; }
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$(cpu)" >>"$OUT/closed.tsv"; echo "  round $2  $1: $3 req/s"; }
: >"$OUT/closed.tsv"

run_benchpilot() { # name round workload transport
  timed node bin/benchpilot.js run "$3" --set "target.url=$URL" --set "target.connections=$CONNECTIONS" \
    --set "target.transport=$4" --concurrency "$CONNECTIONS" --duration "${SECONDS_EACH}s" \
    --json "$OUT/$1-$2.json" --no-progress >"$OUT/$1-$2.txt" 2>&1 || true
  record "$1" "$2" "$(node -e "const s=require('$OUT/$1-$2.json');console.log(Math.round(s.phases.at(-1).rate.achieved))")"
}

for round in $(seq "$ROUNDS"); do
  timed wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_EACH}s" "$URL/" >"$OUT/wrk-$round.txt"
  record wrk "$round" "$(awk '/Requests\/sec/ { printf "%d", $2 }' "$OUT/wrk-$round.txt")"
  timed node node_modules/autocannon/autocannon.js -j -c "$CONNECTIONS" -d "$SECONDS_EACH" "$URL/" \
    >"$OUT/autocannon-$round.json" 2>/dev/null
  record autocannon "$round" "$(node -e "const r=require('$OUT/autocannon-$round.json');console.log(Math.round(r.requests.total/r.duration))")"
  for transport in $TRANSPORTS; do
    run_benchpilot "benchpilot-get-$transport" "$round" bench/http/get.yaml "$transport"
    run_benchpilot "benchpilot-basic-$transport" "$round" workloads/http-basic.yaml "$transport"
  done
done
node dist/bench/http/report.js closed "$OUT/closed.tsv" | tee "$OUT/closed.md"

echo
echo "open model: http-basic.yaml at $RATE/s for ${OPEN_SECONDS}s (maxInFlight 1000), transports: $TRANSPORTS"
for transport in $TRANSPORTS; do
  node bin/benchpilot.js run workloads/http-basic.yaml --set "target.url=$URL" --set "target.transport=$transport" \
    --rate "$RATE" --duration "${OPEN_SECONDS}s" --json "$OUT/open-$transport.json" --no-progress \
    >"$OUT/open-$transport.txt" 2>&1 || true
done
node dist/bench/http/report.js open $(for t in $TRANSPORTS; do echo "$OUT/open-$t.json"; done) | tee "$OUT/open.md"

if [ "$RSS_SECONDS" -gt 0 ]; then
  RSS_RATE=${BENCH_RSS_RATE:-$RATE}
  echo
  echo "memory: http-basic.yaml at $RSS_RATE/s for ${RSS_SECONDS}s (default transport), VmRSS sampled every 10s"
  node bin/benchpilot.js run workloads/http-basic.yaml --set "target.url=$URL" --rate "$RSS_RATE" \
    --duration "${RSS_SECONDS}s" --json "$OUT/rss.json" --no-progress >"$OUT/rss.txt" 2>&1 &
  RUN_PID=$!
  : >"$OUT/rss.tsv"
  elapsed=0
  while kill -0 "$RUN_PID" 2>/dev/null; do
    rss=$(awk '/VmRSS/ { print $2 }' "/proc/$RUN_PID/status" 2>/dev/null || true)
    [ -n "$rss" ] && printf '%s\t%s\n' "$elapsed" "$rss" >>"$OUT/rss.tsv"
    sleep 10
    elapsed=$((elapsed + 10))
  done
  wait "$RUN_PID" || true
  node dist/bench/http/report.js rss "$OUT/rss.tsv" "$OUT/rss.json" | tee "$OUT/rss.md"
fi
[ -n "${BENCH_OUT:-}" ] && echo "raw results in $OUT"
