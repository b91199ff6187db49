#!/usr/bin/env bash
# The action's environment step (§3, §4.1, §5.1, §7): `gardefou check` on the environment
# the workflow gives this step (its `env:` from the environment's secrets), with --probe
# when asked. KOOMY_ENV defaults to the deploy's environment and may not differ from it.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
enabled "${INPUT_CHECK:?}" || { echo "check: skipped"; exit 0; }
environment=${INPUT_ENVIRONMENT:?}
case $environment in
  production | sandbox) ;;
  *) echo "::error::environment is '$environment'; use production or sandbox"; exit 2 ;;
esac
if [[ -z ${KOOMY_ENV:-} ]]; then
  export KOOMY_ENV=$environment
elif [[ $KOOMY_ENV != "$environment" ]]; then
  echo "::error::KOOMY_ENV is not '$environment', the environment this job deploys to"
  record 1
  exit 0
fi
args=(check --color always)
if [[ -n ${INPUT_ENV_FILE:-} ]]; then args+=(--env-file "$INPUT_ENV_FILE"); fi
if enabled "${INPUT_PROBE:?}"; then args+=(--probe); fi
gardefou "${args[@]}"
record $?
