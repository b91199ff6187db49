#!/usr/bin/env bash
# The action's last step: every refusal at once, after the SARIF upload.
set -euo pipefail
refused=()
[[ ${SCAN:-} == refused ]] && refused+=("the secrets scan (§7.1)")
[[ ${CHECK:-} == refused ]] && refused+=("the environment check")
[[ ${DEPLOY:-} == refused ]] && refused+=("the release rule (§10)")
if ((${#refused[@]})); then
  for what in "${refused[@]}"; do echo "::error::gardefou refused: $what"; done
  exit 1
fi
echo "gardefou: allowed"
