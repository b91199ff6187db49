#!/usr/bin/env bash
# The action's scan step (§7.1): SARIF for code scanning, and the findings in the log.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
enabled "${INPUT_SCAN:?}" || { echo "scan: skipped"; exit 0; }
case ${INPUT_SCAN_MODE:?} in
  tree) mode=() ;;
  git) mode=(--git) ;;
  *) echo "::error::scan-mode is '$INPUT_SCAN_MODE'; use tree or git"; exit 2 ;;
esac
sarif=${RUNNER_TEMP:?}/gardefou.sarif
gardefou scan "${mode[@]}" --format sarif >"$sarif"
code=$?
echo "sarif-file=$sarif" >>"$GITHUB_OUTPUT"
if [[ $code == 1 ]]; then
  gardefou scan "${mode[@]}" --color always
fi
record "$code"
