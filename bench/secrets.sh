#!/usr/bin/env bash
# Benchmarks `gardefou check` with every secret of §7.2 set and a secrets registry to read
# (keyed fingerprints computed for each). Compare with bench/guard.sh (no secret).
# Medians with hyperfine (`apt-get install -y hyperfine`). Usage: bench/secrets.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-300}
source bench/lib/release.sh
printf '[database.production]\nneon_endpoints = ["ep-alpha-123456"]\n[database.sandbox]\nneon_endpoints = ["ep-beta-654321"]\n' >"$work/gardefou.toml"
cd "$work"
# Every value is generated here, at run time: never a committed literal.
rnd() { head -c 96 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c "$1"; }
export KOOMY_ENV=sandbox NODE_ENV=production
export DATABASE_URL="postgresql://koomy:$(rnd 24)@ep-beta-654321-pooler.eu-west-2.aws.neon.tech/neondb?sslmode=require"
export GARDEFOU_SECRETS_KEY=$(head -c 32 /dev/urandom | base64)
export STRIPE_SECRET_KEY="sk_test_$(rnd 99)" STRIPE_PUBLISHABLE_KEY="pk_test_$(rnd 99)"
export STRIPE_WEBHOOK_SECRET="whsec_$(rnd 32)" SENDGRID_API_KEY="SG.$(rnd 22).$(rnd 43)"
export JWT_SECRET=$(head -c 32 /dev/urandom | base64) SESSION_SECRET=$(head -c 32 /dev/urandom | base64)
export APP_URL=https://sandbox.koomy.app API_URL=https://api-sandbox.koomy.app
export CORS_ORIGINS=https://sandbox.koomy.app,https://backoffice-sandbox.koomy.app
"$bin" secrets register >/dev/null
"$bin" check >/dev/null
hyperfine -N --warmup 50 --runs "$runs" --export-json "$work/s.json" \
  -n 'check, all secrets + registry' "$bin check" >/dev/null 2>&1
python3 - "$work/s.json" <<'PY'
import json, sys
for x in json.load(open(sys.argv[1]))["results"]:
    print(f"{x['command']:<34} median {x['median']*1000:.3f} ms  ({len(x['times'])} runs)")
PY
