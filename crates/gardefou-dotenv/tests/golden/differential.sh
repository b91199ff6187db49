#!/usr/bin/env bash
# Random differential test: generates N random .env-like inputs from a
# deliberately nasty alphabet, records what the real `dotenv.parse` returns,
# and checks that gardefou-dotenv returns the same for every one.
#
#   crates/gardefou-dotenv/tests/golden/differential.sh [N] [SEED]
set -euo pipefail

N="${1:-20000}"
SEED="${2:-$RANDOM}"
DOTENV_VERSION="${DOTENV_VERSION:-$(cat "$(dirname "${BASH_SOURCE[0]}")/dotenv-version.txt")}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(
  cd "$tmp"
  npm init -y >/dev/null
  npm install --no-save --ignore-scripts --no-audit --no-fund "dotenv@$DOTENV_VERSION" >/dev/null 2>&1
)

DOTENV_DIR="$tmp/node_modules/dotenv" node - "$N" "$SEED" > "$tmp/cases.json" <<'JS'
const dotenv = require(process.env.DOTENV_DIR)
const [n, seed] = process.argv.slice(2).map(Number)
let s = seed >>> 0 || 1
const rand = (k) => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s % k }
const tokens = ['A', 'KEY', 'B_2', 'x.y-z', 'export', 'export ', '__proto__', '1',
  '=', '=', '=', ': ', ':', ' ', ' ', '\t', '\n', '\n', '\r\n', '\r', '#', ' #',
  "'", '"', '`', "'", '"', '\\', '\\n', '\\r', '\\"', "\\'", 'v', 'val ue', 'é', '🚀',
  '\u00a0', '\ufeff', '\u2028', '\u2029', '\u000b', '$X', '${Y}']
const cases = []
for (let i = 0; i < n; i++) {
  let src = ''
  const len = rand(30)
  for (let j = 0; j < len; j++) src += tokens[rand(tokens.length)]
  cases.push([src, dotenv.parse(src)])
}
process.stdout.write(JSON.stringify(cases))
JS

echo "dotenv $DOTENV_VERSION, $N cases, seed $SEED" >&2
GARDEFOU_DOTENV_RANDOM_CASES="$tmp/cases.json" \
  cargo test -p gardefou-dotenv --test golden -- --ignored random_cases_match_node_dotenv --nocapture
