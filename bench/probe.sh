#!/usr/bin/env bash
# The live probe's wall time against `psql -c 'select 1'` on the same throwaway cluster.
# Usage: bench/probe.sh [RUNS]   (needs hyperfine, PostgreSQL server binaries, psql)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-200}
cargo build --release --quiet
bin=$PWD/target/release/gardefou

pgbin=$(dirname "$(readlink -f "$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | tail -1)")")
dir=$(mktemp -d /tmp/gardefou-bench-XXXXXX)
chmod 755 "$dir"
as_pg=()
if [[ $(id -u) == 0 ]]; then as_pg=(runuser -u postgres --); chown postgres "$dir"; fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
password=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')
cleanup() { "${as_pg[@]}" "$pgbin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT

"${as_pg[@]}" "$pgbin/initdb" -D "$dir/data" -U bench_admin -A trust --no-sync --no-instructions >/dev/null
cat >>"$dir/data/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
CONF
printf 'local all bench_admin trust\nhost all all 127.0.0.1/32 scram-sha-256\n' >"$dir/data/pg_hba.conf"
"${as_pg[@]}" "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/log" -w start >/dev/null
"$pgbin/psql" -X -q -h "$dir" -p "$port" -U bench_admin -d postgres \
  -c "CREATE ROLE koomy LOGIN PASSWORD '$password'" -c "CREATE DATABASE koomy OWNER koomy"

userinfo="koomy:$password"
export KOOMY_ENV=local NODE_ENV=development DATABASE_URL="postgresql://$userinfo@127.0.0.1:$port/koomy"
cd "$dir"
"$bin" db stamp
"$bin" check --probe >/dev/null

# -n names the psql command so that its URL (and password) is not printed.
hyperfine -N --warmup 20 --runs "$runs" --export-json "$dir/probe.json" \
  -n "psql -c 'select 1'" "$pgbin/psql -X -q -c 'select 1' $DATABASE_URL" \
  -n "gardefou check --probe" "$bin check --probe" \
  -n "gardefou check" "$bin check"
python3 - "$dir/probe.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
m = [x["median"] * 1000 for x in r]
print(f"median psql select 1: {m[0]:.3f} ms, check --probe: {m[1]:.3f} ms, check (static): {m[2]:.3f} ms")
print(f"ratio check --probe / psql: {m[1]/m[0]:.2f}x")
PY
