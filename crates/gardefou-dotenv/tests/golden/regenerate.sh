#!/usr/bin/env bash
# Regenerates the expected output of every golden fixture from the real
# `dotenv` package, so the Rust parser is compared with Node, not with itself.
#
#   crates/gardefou-dotenv/tests/golden/regenerate.sh
#
# For each cases/NAME.env it writes cases/NAME.json: the object that
# `dotenv.parse(fs.readFileSync(file, 'utf8'))` returns (which is how
# `dotenv.config()` reads a file). DOTENV_VERSION picks the package version.
set -euo pipefail

DOTENV_VERSION="${DOTENV_VERSION:-18.0.10}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

(
  cd "$tmp"
  npm init -y >/dev/null
  npm install --no-save --ignore-scripts --no-audit --no-fund "dotenv@$DOTENV_VERSION" >/dev/null
)

DOTENV_DIR="$tmp/node_modules/dotenv" node - "$here/cases"/*.env <<'JS'
const fs = require('fs')
const dotenv = require(process.env.DOTENV_DIR)
const version = require(process.env.DOTENV_DIR + '/package.json').version
for (const file of process.argv.slice(2)) {
  const parsed = dotenv.parse(fs.readFileSync(file, { encoding: 'utf8' }))
  const out = file.replace(/\.env$/, '.json')
  fs.writeFileSync(out, JSON.stringify(parsed, null, 2) + '\n')
}
console.log(`dotenv ${version}: wrote ${process.argv.length - 2} expected outputs`)
JS
echo "$DOTENV_VERSION" > "$here/dotenv-version.txt"
