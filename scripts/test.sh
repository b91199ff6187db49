#!/usr/bin/env bash
# The test command. On a machine that has only Rust, it first installs what the tests use
# for real (Debian/Ubuntu packages, as root or through sudo): PostgreSQL server binaries for
# throwaway clusters, Node.js and npm for the dotenv and SARIF checks, git for the
# repository tests, openssl for the TLS clusters' certificates, ssh-keygen for the signed
# policy. Then it runs every test of the workspace. Extra arguments go to `cargo test`.
# (python3-venv too: the pre-commit hook is tested through the real pre-commit tool; chromium:
# `gardefou report`'s HTML page is opened in a real headless browser, its screenshots kept
# in target/report-artifacts/.)
set -euo pipefail
cd "$(dirname "$0")/.."

have() { command -v "$1" >/dev/null 2>&1; }
missing=()
have git || missing+=(git)
have node || missing+=(nodejs)
have npm || missing+=(npm)
have openssl || missing+=(openssl)
have chromium || have chromium-browser || missing+=(chromium)
# Policy signatures are tested against the real ssh-keygen (keys made at run time).
have ssh-keygen || missing+=(openssh-client)
# The pre-commit hook test installs the pre-commit tool from PyPI into a venv.
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
if ! have initdb && ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
  missing+=(postgresql)
fi
if ((${#missing[@]})); then
  if [[ $(id -u) == 0 ]]; then sudo=(); elif have sudo; then sudo=(sudo); else
    echo "scripts/test.sh: missing ${missing[*]}; install them (apt-get install -y ${missing[*]}) and run again" >&2
    exit 2
  fi
  if ! have apt-get; then
    echo "scripts/test.sh: missing ${missing[*]} and no apt-get here: install them and run again" >&2
    exit 2
  fi
  echo "scripts/test.sh: installing ${missing[*]}" >&2
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

cargo test --workspace --locked "$@"
