#!/usr/bin/env bash
# Whether `gardefou scan`'s time grows linearly with the tree: the same tree copied 1, 2, 4
# and 8 times side by side, each scanned with hyperfine (page cache warm).
#
#   bench/scan/scaling.sh TREE [RUNS]
#
# Prints, per copy count, the mean time and the time per copy; linear means the last column
# stays flat. Needs hyperfine; uses target/release/gardefou (cargo build --release).
set -euo pipefail
[[ $# -ge 1 ]] || { echo "usage: $0 TREE [RUNS]" >&2; exit 2; }
tree="$(cd "$1" && pwd)"; runs="${2:-5}"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
g="${GARDEFOU:-$repo/target/release/gardefou}"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
printf '%-7s %12s %14s\n' copies "mean (ms)" "per copy (ms)"
for n in 1 2 4 8; do
  dir="$work/x$n"; mkdir -p "$dir"
  for i in $(seq 1 "$n"); do cp -r "$tree" "$dir/copy$i"; done
  json="$work/x$n.json"
  hyperfine -N -i --warmup 1 --runs "$runs" --export-json "$json" \
    "$g scan --format json $dir" >/dev/null 2>&1
  mean=$(python3 -c "import json,sys; print(json.load(open('$json'))['results'][0]['mean']*1000)")
  python3 -c "print('%-7d %12.1f %14.1f' % ($n, $mean, $mean / $n))"
done
