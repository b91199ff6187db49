#!/usr/bin/env bash
# The cost of the policy's signature check at start: `gardefou check` on a policy signed
# with an Ed25519 key and one with an RSA-3072 key (verified against the allowed signers),
# each paired with the same check on the same policy unsigned (no signature to verify).
# Needs ssh-keygen and hyperfine (apt-get install -y hyperfine); uses the release binary.
#   bench/signature.sh [RUNS]
set -euo pipefail
runs=${1:-40}
root=$(cd "$(dirname "$0")/.." && pwd)
cargo build --quiet --release --manifest-path "$root/Cargo.toml" --bin gardefou
g=$root/target/release/gardefou
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for d in unsigned ed25519 rsa; do
  mkdir "$work/$d"
  cp "$root/examples/local.env" "$work/$d/"
  printf '[database.sandbox]\nneon_endpoints = ["ep-beta-1"]\n' >"$work/$d/gardefou.toml"
done
ssh-keygen -q -t ed25519 -N '' -f "$work/ed25519.key" -C cto@koomy.app
ssh-keygen -q -t rsa -b 3072 -N '' -f "$work/rsa.key" -C cto@koomy.app
for k in ed25519 rsa; do
  (cd "$work/$k" && "$g" policy sign --key "$work/$k.key" >/dev/null)
  signers="cto@koomy.app namespaces=\"gardefou-policy\" $(cat "$work/$k.key.pub")"
  echo "== $k-signed policy vs unsigned"
  # hyperfine runs the two in one session and prints how many times slower the signed
  # check is than the unsigned one.
  GARDEFOU_ALLOWED_SIGNERS=$signers hyperfine -N --warmup 3 --runs "$runs" \
    -n unsigned "$g check --policy $work/unsigned/gardefou.toml --env-file $work/unsigned/local.env" \
    -n "$k-signed" "$g check --policy $work/$k/gardefou.toml --env-file $work/$k/local.env" \
    | grep -E 'Time|±|faster|slower' || true
done
