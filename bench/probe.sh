#!/usr/bin/env bash
# The live probe's wall time against `psql -c 'select 1'` on the same throwaway cluster.
# Usage: bench/probe.sh [RUNS]   (needs hyperfine, PostgreSQL server binaries, psql)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-200}
cargo build --release --quiet
bin=$PWD/target/release/gardefou

source bench/lib/cluster.sh

userinfo="koomy:$password"
export KOOMY_ENV=local NODE_ENV=development DATABASE_URL="postgresql://$userinfo@127.0.0.1:$port/koomy"
cd "$dir"
"$bin" db stamp
"$bin" check --probe >/dev/null

# -n names the psql command so that its URL (and password) is not printed.
hyperfine -N --warmup 20 --runs "$runs" --export-json "$dir/probe.json" \
  -n "psql -c 'select 1'" "$pgbin/psql -X -q -c 'select 1' $DATABASE_URL" \
  -n "gardefou check --probe" "$bin check --probe" \
  -n "gardefou check" "$bin check" \
  -n "true" "true" \
  -n "gardefou run -- true" "$bin run -- true"
python3 - "$dir/probe.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
m = [x["median"] * 1000 for x in r]
print(f"median psql select 1: {m[0]:.3f} ms, check --probe: {m[1]:.3f} ms, check (static): {m[2]:.3f} ms")
print(f"ratio check --probe / psql: {m[1]/m[0]:.2f}x")
print(f"median true: {m[3]:.3f} ms, run -- true: {m[4]:.3f} ms, run overhead over true: {m[4]-m[3]:.3f} ms")
PY
