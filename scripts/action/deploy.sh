#!/usr/bin/env bash
# The action's release step (§10): may this checkout be deployed to the environment?
set -uo pipefail
source "$(dirname "$0")/lib.sh"
enabled "${INPUT_DEPLOY_CHECK:?}" || { echo "deploy check: skipped"; exit 0; }
gardefou deploy check --target "${INPUT_ENVIRONMENT:?}" --color always
record $?
