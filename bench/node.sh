#!/usr/bin/env bash
# The npm package's costs, each against its peer in the same run, on a throwaway cluster:
#  1. Node start-up: `node -r gardefou/register app.js` against `node app.js` (hyperfine);
#     register judges the process and proves the database on its own connection.
#  2. A new connection: gardefou/pg's Client (connect + proof) against pg's Client (connect).
#  3. Queries on an open connection: gardefou/pg's against pg's.
# Usage: bench/node.sh [RUNS] [CONNECTIONS] [QUERIES]
#   (needs hyperfine, PostgreSQL server binaries, psql, node, npm with registry access)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-50}
conns=${2:-300}
queries=${3:-5000}
repo=$PWD

source bench/lib/cluster.sh

npm/pack.sh "$dir/packs" >/dev/null
mkdir "$dir/app"
cd "$dir/app"
echo '{"name":"bench","private":true}' >package.json
npm install --silent --no-audit --no-fund "$dir"/packs/*.tgz pg@8
userinfo="koomy:$password"
export KOOMY_ENV=local NODE_ENV=development DATABASE_URL="postgresql://$userinfo@127.0.0.1:$port/koomy"
npx gardefou db stamp >/dev/null

echo "const pg = require('pg');" >app.js
# The peer that shows what one database round costs from Node: a plain pg connection.
cat >connect.js <<'JS'
const { Client } = require('pg');
const c = new Client(process.env.DATABASE_URL);
c.connect().then(() => c.query('SELECT 1')).then(() => c.end());
JS
hyperfine -N --warmup 5 --runs "$runs" --export-json "$dir/start.json" \
  -n "node app.js" "node app.js" \
  -n "node -r gardefou/register app.js" "node -r gardefou/register app.js" \
  -n "node connect.js" "node connect.js" >/dev/null 2>&1

cat >conn.js <<'JS'
const which = process.argv[2];
const n = Number(process.argv[3]);
const q = Number(process.argv[4]);
const { Client } = which === 'gardefou' ? require('gardefou/pg') : require('pg');
if (which === 'gardefou') require('gardefou').register('run');
(async () => {
  const url = process.env.DATABASE_URL;
  // Warm up: the first gardefou connection takes the full proof.
  for (let i = 0; i < 5; i++) { const c = new Client(url); await c.connect(); await c.end(); }
  let t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) { const c = new Client(url); await c.connect(); await c.end(); }
  const connect = Number(process.hrtime.bigint() - t) / 1e6 / n;
  const c = new Client(url);
  await c.connect();
  for (let i = 0; i < 200; i++) await c.query('SELECT 1');
  t = process.hrtime.bigint();
  for (let i = 0; i < q; i++) await c.query('SELECT $1::int', [i]);
  const query = Number(process.hrtime.bigint() - t) / 1e6 / q;
  await c.end();
  console.log(JSON.stringify({ connect, query }));
})();
JS
pair() { for which in pg gardefou pg gardefou pg gardefou; do echo "$which $(node conn.js "$which" "$conns" "$queries")"; done; }
pair >"$dir/conn.txt"

python3 - "$dir/start.json" "$dir/conn.txt" <<'PY'
import json, statistics, sys
r = json.load(open(sys.argv[1]))["results"]
plain, reg, conn = (x["median"] * 1000 for x in r)
print(f"start-up median: node {plain:.1f} ms, node -r gardefou/register {reg:.1f} ms: +{reg - plain:.1f} ms ({reg / plain:.2f}x)")
print(f"peer, one pg connection + SELECT 1 from node: +{conn - plain:.1f} ms over node; register adds {(reg - plain) / (conn - plain):.2f}x that")
runs = {"pg": [], "gardefou": []}
for line in open(sys.argv[2]):
    which, doc = line.split(" ", 1)
    runs[which].append(json.loads(doc))
med = lambda w, k: statistics.median(x[k] for x in runs[w])
c_pg, c_g = med("pg", "connect"), med("gardefou", "connect")
q_pg, q_g = med("pg", "query"), med("gardefou", "query")
print(f"new connection (connect + end), median of 3 runs: pg {c_pg:.3f} ms, gardefou/pg {c_g:.3f} ms ({c_g / c_pg:.2f}x)")
print(f"query on an open connection: pg {q_pg * 1000:.1f} us, gardefou/pg {q_g * 1000:.1f} us ({q_g / q_pg:.2f}x)")
PY
