#!/usr/bin/env bash
# `gardefou check` with a 100,000-fingerprint secrets registry and a policy listing
# 2 × 40,000 hosts, against the same check with Koomy-sized files, in one hyperfine run
# (`apt-get install -y hyperfine`). The loaders must stay linear: the large run's target is
# under 0.2 s. Usage: bench/scale.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
source bench/lib/release.sh
rnd() { head -c 96 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c "$1"; }
export KOOMY_ENV=sandbox NODE_ENV=production
export DATABASE_URL="postgresql://koomy:$(rnd 24)@ep-beta-654321-pooler.eu-west-2.aws.neon.tech/neondb?sslmode=require"
export GARDEFOU_SECRETS_KEY=$(head -c 32 /dev/urandom | base64)
export JWT_SECRET=$(head -c 32 /dev/urandom | base64) SESSION_SECRET=$(head -c 32 /dev/urandom | base64)
for size in small large; do
  mkdir -p "$work/$size"
  printf '[database.production]\nneon_endpoints = ["ep-alpha-123456"]\n[database.sandbox]\nneon_endpoints = ["ep-beta-654321"]\n' >"$work/$size/gardefou.toml"
  (cd "$work/$size" && "$bin" secrets register >/dev/null)
done
python3 - "$work/large" <<'PY'
import os, sys
d = sys.argv[1]
endpoints = {"production": "ep-alpha-123456", "sandbox": "ep-beta-654321"}
with open(os.path.join(d, "gardefou.toml"), "w") as f:
    for env, ep in endpoints.items():
        hosts = ", ".join('"db-%d.%s.koomy.internal:5432"' % (i, env) for i in range(40_000))
        f.write('[database.%s]\nneon_endpoints = ["%s"]\nhosts = [%s]\n' % (env, ep, hosts))
reg = os.path.join(d, "gardefou.secrets.toml")
text = open(reg).read()
fps = ", ".join('"%s"' % os.urandom(8).hex() for _ in range(100_000))
open(reg, "w").write(text + "\n[production]\nOLD_KEYS = [%s]\n" % fps)
PY
for size in small large; do
  (cd "$work/$size" && "$bin" check >/dev/null) || { echo "check failed on $size"; (cd "$work/$size" && "$bin" check | tail -3); exit 1; }
done
ls -l "$work"/large
hyperfine -N --warmup 3 --runs "$runs" --export-json "$work/s.json" \
  -n small "$bin check --policy $work/small/gardefou.toml --registry $work/small/gardefou.secrets.toml" \
  -n large "$bin check --policy $work/large/gardefou.toml --registry $work/large/gardefou.secrets.toml" >/dev/null 2>&1
python3 - "$work/s.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
for k, x in r.items():
    print(f"{k:<6} median {x['median']*1000:8.3f} ms  ({len(x['times'])} runs)")
print(f"ratio large / small: {r['large']['median'] / r['small']['median']:.2f}x")
PY
