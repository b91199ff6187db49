#!/usr/bin/env bash
# Runs every fuzz target in fuzz/fuzz_targets/ for a bounded time each.
#
#   fuzz/run.sh                  # 60 s per target
#   FUZZ_SECONDS=600 fuzz/run.sh # longer
#   fuzz/run.sh dotenv_parse     # only the named targets
#
# Targets are found from the files in fuzz_targets/, so a new target is
# picked up as soon as its file exists; a file without a [[bin]] entry in
# fuzz/Cargo.toml is reported as a failure rather than skipped.
# Exit status: 0 if every target ran clean, 1 otherwise.
set -uo pipefail

FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
FUZZ_TOOLCHAIN="${FUZZ_TOOLCHAIN:-nightly}"
cd "$(dirname "${BASH_SOURCE[0]}")"

if ! [[ "$FUZZ_SECONDS" =~ ^[1-9][0-9]*$ ]]; then
  echo "FUZZ_SECONDS must be a positive integer, got: $FUZZ_SECONDS" >&2
  exit 2
fi
if ! cargo "+$FUZZ_TOOLCHAIN" fuzz --version >/dev/null 2>&1; then
  echo "cargo-fuzz is missing: cargo install cargo-fuzz --locked" >&2
  exit 2
fi

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for f in fuzz_targets/*.rs; do
    [ -e "$f" ] && targets+=("$(basename "$f" .rs)")
  done
fi
if [ "${#targets[@]}" -eq 0 ]; then
  echo "no fuzz targets in fuzz/fuzz_targets/" >&2
  exit 2
fi

declared="$(cargo "+$FUZZ_TOOLCHAIN" fuzz list 2>/dev/null)"
failed=()
for t in "${targets[@]}"; do
  if ! grep -qx "$t" <<<"$declared"; then
    echo "== $t: no [[bin]] named $t in fuzz/Cargo.toml (run: cargo fuzz add $t)" >&2
    failed+=("$t")
    continue
  fi
  echo "== $t: fuzzing for ${FUZZ_SECONDS}s"
  if cargo "+$FUZZ_TOOLCHAIN" fuzz run "$t" -- -max_total_time="$FUZZ_SECONDS"; then
    echo "== $t: ok"
  else
    echo "== $t: FAILED (crash input, if any, is under fuzz/artifacts/$t/)" >&2
    failed+=("$t")
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "failed targets: ${failed[*]}" >&2
  exit 1
fi
echo "all ${#targets[@]} target(s) ran ${FUZZ_SECONDS}s each without a failure"
