#!/usr/bin/env bash
# Benchmarks the startup guard's static check: wall time of `gardefou check` against
# `true`. Medians over many runs, with hyperfine (`apt-get install -y hyperfine`).
# `gardefou run` also asks the live database who it is: its overhead over `true` is
# measured on a real cluster by bench/probe.sh (this script never connects anywhere).
# Usage: bench/guard.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-500}
source bench/lib/release.sh
cat >"$work/gardefou.toml" <<'TOML'
[database.production]
neon_endpoints = ["ep-alpha-123456"]
[database.sandbox]
neon_endpoints = ["ep-beta-654321"]
TOML
cd "$work"
export KOOMY_ENV=sandbox NODE_ENV=production
# The password is made here, at run time: never a committed literal.
DATABASE_URL="postgresql://koomy:$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')@ep-beta-654321-pooler.eu-west-2.aws.neon.tech/neondb?sslmode=require&channel_binding=require"
export DATABASE_URL
"$bin" check >/dev/null
hyperfine -N --warmup 50 --runs "$runs" --export-json "$work/guard.json" \
  -n 'true' 'true' \
  -n 'gardefou check' "$bin check" >/dev/null 2>&1
python3 - "$work/guard.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
med = lambda n: r[n]["median"] * 1000
print(f"runs per command: {len(r['true']['times'])}")
print(f"true                   median {med('true'):.3f} ms")
print(f"gardefou check         median {med('gardefou check'):.3f} ms")
print(f"check over true        median {med('gardefou check') - med('true'):.3f} ms")
PY
