#!/usr/bin/env bash
# Load benchmark of the HTTP guard: `/healthz` throughput of the release `koomy-api` with
# the guard's per-request layer (sandbox with DEBUG_SECRET: the debug layer is mounted)
# and without it (sandbox without DEBUG_SECRET: not mounted), on loopback, with wrk
# (`apt-get install -y wrk`). Both servers pass the same start-up guard against the same
# throwaway PostgreSQL cluster. Rounds alternate A/B; medians are compared.
# Usage: bench/http.sh [ROUNDS] [SECONDS] [CONNECTIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
secs=${2:-10}
conns=${3:-64}
cargo build --release -q -p koomy-api -p gardefou
bin=$PWD/target/release/koomy-api
gardefou=$PWD/target/release/gardefou
command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 2; }

pgbin=$(dirname "$(readlink -f "$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | tail -1)")")
work=$(mktemp -d)
chmod 755 "$work"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir "$work/data" "$work/sock"
[ "$(id -u)" = 0 ] && chown postgres:postgres "$work/data" "$work/sock"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true
  as_pg "$pgbin/pg_ctl" -D "$work/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
as_pg "$pgbin/initdb" -D "$work/data" -U postgres -A trust --no-sync --no-instructions >/dev/null
cat >>"$work/data/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$work/sock'
fsync = off
CONF
as_pg "$pgbin/pg_ctl" -D "$work/data" -l "$work/data/log" -w start >/dev/null
# Passwords and the debug secret are made here, at run time: never committed literals.
pw=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
"$pgbin/psql" -X -q -h "$work/sock" -p "$port" -U postgres -d postgres \
  -c "CREATE ROLE koomy LOGIN PASSWORD '$pw'" -c "CREATE DATABASE koomy_sandbox OWNER koomy"
printf '[database.sandbox]\nhosts = ["127.0.0.1:%s"]\n' "$port" >"$work/gardefou.toml"
debug_secret=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
# The guard requires a sandbox stamp: stamp the database once, as an operator would.
env -i PATH="$PATH" KOOMY_ENV=sandbox NODE_ENV=production \
  DATABASE_URL="postgresql://koomy:$pw@127.0.0.1:$port/koomy_sandbox?sslmode=disable" \
  "$gardefou" db stamp --policy "$work/gardefou.toml" >/dev/null

# run MODE: starts the server, runs wrk, prints requests/s.
run() {
  # A fresh log per run (run is called in a subshell): never read the previous server's.
  local log; log=$(mktemp -p "$work" server-XXXXXX.log)
  local extra=()
  [ "$1" = guarded ] && extra=(DEBUG_SECRET="$debug_secret")
  env -i PATH="$PATH" KOOMY_ENV=sandbox NODE_ENV=production \
    DATABASE_URL="postgresql://koomy:$pw@127.0.0.1:$port/koomy_sandbox?sslmode=disable" \
    "${extra[@]}" "$bin" serve --policy "$work/gardefou.toml" --listen 127.0.0.1:0 --no-request-log \
    >"$log" 2>&1 &
  server=$!
  local addr=""
  for _ in $(seq 100); do
    addr=$(grep -o '"addr":"[^"]*"' "$log" 2>/dev/null | head -1 | cut -d'"' -f4 || true)
    [ -n "$addr" ] && break
    sleep 0.1
  done
  [ -n "$addr" ] || { cat "$log" >&2; exit 1; }
  local want=false; [ "$1" = guarded ] && want=true
  grep -q "\"debug_routes\":$want" "$log" || { echo "server not in $1 mode" >&2; cat "$log" >&2; exit 1; }
  wrk -t1 -c"$conns" -d1s "http://$addr/healthz" >/dev/null  # warm-up
  # CPU time of the server process (user + system, clock ticks) around the measurement:
  # CPU per request is far less sensitive than req/s to other jobs on the machine.
  local hz; hz=$(getconf CLK_TCK)
  local t0; t0=$(awk '{print $14 + $15}' "/proc/$server/stat")
  local out; out=$(wrk -t1 -c"$conns" -d"${secs}s" "http://$addr/healthz")
  local t1; t1=$(awk '{print $14 + $15}' "/proc/$server/stat")
  local reqs; reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  local rps; rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  python3 -c "import sys; print(sys.argv[1], (int(sys.argv[3]) - int(sys.argv[2])) / int(sys.argv[5]) * 1e6 / int(sys.argv[4]))" \
    "$rps" "$t0" "$t1" "$reqs" "$hz"
  kill -TERM "$server"; wait "$server" || true; server=""
}

guarded=(); plain=(); gcpu=(); pcpu=()
for i in $(seq "$rounds"); do
  # Alternate which mode goes first, so that neither always gets the warmer machine.
  if [ $((i % 2)) = 1 ]; then g=$(run guarded); p=$(run plain); else p=$(run plain); g=$(run guarded); fi
  read -r g gc <<<"$g"; read -r p pc <<<"$p"
  guarded+=("$g"); plain+=("$p"); gcpu+=("$gc"); pcpu+=("$pc")
  printf 'round %s: with guard layer %s req/s (%.2f µs CPU/req), without %s req/s (%.2f µs CPU/req)\n' "$i" "$g" "$gc" "$p" "$pc"
done
python3 - "${guarded[*]}" "${plain[*]}" "${gcpu[*]}" "${pcpu[*]}" <<'PY'
import statistics, sys
g = [float(x) for x in sys.argv[1].split()]
p = [float(x) for x in sys.argv[2].split()]
gc = [float(x) for x in sys.argv[3].split()]
pc = [float(x) for x in sys.argv[4].split()]
mg, mp = statistics.median(g), statistics.median(p)
paired = statistics.median(a / b for a, b in zip(g, p))
print(f"median with the guard layer:    {mg:,.0f} req/s")
print(f"median without the guard layer: {mp:,.0f} req/s")
print(f"ratio of the medians:           {mg / mp:.3f}")
print(f"median of the per-round ratios: {paired:.3f}  (each round runs both back to back)")
mgc, mpc = statistics.median(gc), statistics.median(pc)
print(f"server CPU per request:         {mgc:.2f} µs with, {mpc:.2f} µs without")
print(f"CPU-based throughput ratio:     {mpc / mgc:.3f}  (without / with CPU per request)")
PY
