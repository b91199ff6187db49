#!/usr/bin/env bash
# Runs every fuzz target in fuzz/fuzz_targets/ for a bounded time each.
#
#   fuzz/run.sh                  # 60 s per target (nightly + cargo-fuzz)
#   FUZZ_SECONDS=600 fuzz/run.sh # longer
#   fuzz/run.sh dotenv_parse     # only the named targets
#   fuzz/run.sh --smoke          # CI: build on stable, FUZZ_RUNS random inputs each
#
# Targets are found from the files in fuzz_targets/, so a new target is
# picked up as soon as its file exists; a file without a [[bin]] entry in
# fuzz/Cargo.toml is reported as a failure rather than skipped. A target with
# a dictionary in dicts/<target>.dict gets it.
#
# --smoke needs neither nightly nor cargo-fuzz: the targets are built with
# the stable toolchain (libFuzzer without coverage instrumentation, so the
# inputs are random rather than guided) into ../target/fuzz, and each runs
# FUZZ_RUNS (20000) inputs. It proves the targets build and hold on random
# input; finding bugs is the nightly run's job.
# Exit status: 0 if every target ran clean, 1 otherwise.
set -uo pipefail

FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
FUZZ_RUNS="${FUZZ_RUNS:-20000}"
FUZZ_TOOLCHAIN="${FUZZ_TOOLCHAIN:-nightly}"
cd "$(dirname "${BASH_SOURCE[0]}")"

smoke=false
if [ "${1:-}" = "--smoke" ]; then
  smoke=true
  shift
fi

for n in "$FUZZ_SECONDS" "$FUZZ_RUNS"; do
  if ! [[ "$n" =~ ^[1-9][0-9]*$ ]]; then
    echo "FUZZ_SECONDS and FUZZ_RUNS must be positive integers, got: $n" >&2
    exit 2
  fi
done
if ! $smoke && ! cargo "+$FUZZ_TOOLCHAIN" fuzz --version >/dev/null 2>&1; then
  echo "cargo-fuzz is missing: cargo install cargo-fuzz --locked (or run --smoke)" >&2
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

if $smoke; then
  bin_dir=../target/fuzz/debug
  CARGO_TARGET_DIR=../target/fuzz cargo build --locked --bins || exit 1
  declared="$(for t in "${targets[@]}"; do [ -x "$bin_dir/$t" ] && echo "$t"; done)"
  what="$FUZZ_RUNS runs"
else
  declared="$(cargo "+$FUZZ_TOOLCHAIN" fuzz list 2>/dev/null)"
  what="${FUZZ_SECONDS}s"
fi

failed=()
for t in "${targets[@]}"; do
  if ! grep -qx "$t" <<<"$declared"; then
    echo "== $t: no [[bin]] named $t in fuzz/Cargo.toml (run: cargo fuzz add $t)" >&2
    failed+=("$t")
    continue
  fi
  dict=()
  [ -e "dicts/$t.dict" ] && dict=("-dict=dicts/$t.dict")
  echo "== $t: fuzzing for $what"
  if $smoke; then
    mkdir -p "artifacts/$t"
    "$bin_dir/$t" -runs="$FUZZ_RUNS" -seed=1 -max_len=4096 -len_control=0 \
      -artifact_prefix="artifacts/$t/" "${dict[@]}"
  else
    cargo "+$FUZZ_TOOLCHAIN" fuzz run "$t" -- -max_total_time="$FUZZ_SECONDS" "${dict[@]}"
  fi
  if [ "$?" -eq 0 ]; then
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
echo "all ${#targets[@]} target(s) ran $what each without a failure"
