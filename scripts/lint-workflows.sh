#!/usr/bin/env bash
# Lints the GitHub workflows (.github/workflows/*.yml), which cannot run here: each must
# validate against GitHub's workflow schema (check-jsonschema) and pass zizmor's security
# audit (pinned actions, no credential persistence, no template injection). Both tools come
# from PyPI into target/lint-tools.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/lint-tools
if [[ ! -x $venv/bin/zizmor || ! -x $venv/bin/check-jsonschema ]]; then
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    if [[ $(id -u) == 0 ]]; then sudo=(); else sudo=(sudo); fi
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq python3-venv >/dev/null
    rm -rf "$venv"
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install -q --disable-pip-version-check check-jsonschema zizmor
fi
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows .github/workflows/*.yml
"$venv/bin/zizmor" --offline .github/workflows/
