# Shared by the action's steps (sourced). A refusal (exit 1) is recorded as the step's
# `verdict` output so that every check runs and the last step reports them all; an error
# (exit 2 or anything else) stops the job at once.
record() {
  local code=$1
  case $code in
    0) echo "verdict=allowed" >>"$GITHUB_OUTPUT" ;;
    1) echo "verdict=refused" >>"$GITHUB_OUTPUT" ;;
    *) echo "::error::gardefou stopped with exit code $code (a usage or configuration error)"
       exit "$code" ;;
  esac
}

# `true`/`false` inputs, anything else is a usage error.
enabled() {
  case $1 in
    true) return 0 ;;
    false) return 1 ;;
    *) echo "::error::an input is '$1'; use true or false"; exit 2 ;;
  esac
}
