#!/usr/bin/env bash
# `gardefou scan --format sarif` against the official SARIF 2.1.0 schema (issue 5: "valid
# against the schema, for code-scanning upload"). The schema comes from the npm registry
# (@microsoft/jest-sarif ships it), so nothing of it is committed here. Secrets are made
# at run time. Needs node + npm and a built target/debug/gardefou.
# Usage: tests/sarif/validate.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${GARDEFOU_BIN:-$here/../../target/debug/gardefou}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm install --silent --no-audit --no-fund --no-save \
  @microsoft/jest-sarif@1.0.0-beta.0 ajv@6.12.6 >/dev/null)

mkdir "$work/tree"
rand() { head -c 64 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c "$1"; }
printf 'const stripe = "sk_live_%s";\n' "$(rand 24)" >"$work/tree/app.js"
printf 'SENDGRID_API_KEY=SG.%s.%s\n' "$(rand 22)" "$(rand 43)" >"$work/tree/.env"
printf 'const clean = process.env.STRIPE_SECRET_KEY;\n' >"$work/tree/clean.js"

set +e
"$bin" scan --format sarif "$work/tree" >"$work/findings.sarif"
rc=$?
"$bin" scan --format sarif "$work/tree/clean.js" >"$work/clean.sarif"
clean_rc=$?
set -e
[[ $rc == 1 ]] || { echo "expected findings (exit 1), got exit $rc" >&2; exit 1; }
[[ $clean_rc == 0 ]] || { echo "expected a clean scan (exit 0), got exit $clean_rc" >&2; exit 1; }

node "$here/validate.js" "$work/node_modules" "$work/findings.sarif"
node "$here/validate.js" "$work/node_modules" "$work/clean.sarif"
# The validator must be able to fail.
echo '{"version":"2.1.0","runs":[{"tool":{}}]}' >"$work/broken.sarif"
if node "$here/validate.js" "$work/node_modules" "$work/broken.sarif" >/dev/null 2>&1; then
  echo "the validator accepted a broken SARIF file" >&2
  exit 1
fi
echo "sarif: 2 documents valid against SARIF 2.1.0, the broken one refused"
