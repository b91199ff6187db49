#!/usr/bin/env bash
# Benchmarks `gardefou deploy check --target production` on a repository with N commits on
# staging (default 10000) merged into main, and on the same repository with 200 more
# commits made directly on main (refused, each named up to the cap). Medians with hyperfine
# (`apt-get install -y hyperfine`). Usage: bench/deploy.sh [COMMITS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
commits=${1:-10000}
runs=${2:-20}
source bench/lib/release.sh
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.test
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.test

gen() { # gen REF COUNT PREFIX [FROM]: COUNT commits on REF, each changing one file
  python3 - "$@" <<'PY'
import sys
ref, count, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
frm = sys.argv[4] if len(sys.argv) > 4 else None
out = sys.stdout.buffer
for i in range(count):
    data = f"{prefix} {i}\n".encode()
    msg = f"{prefix} commit {i}\n".encode()
    out.write(f"commit {ref}\ncommitter Bench <bench@example.test> {1700000000 + i} +0000\n".encode())
    out.write(b"data %d\n" % len(msg) + msg)
    if i == 0 and frm:
        out.write(f"from {frm}\n".encode())
    out.write(f"M 100644 inline src/{prefix}/{i % 500}.js\n".encode())
    out.write(b"data %d\n" % len(data) + data + b"\n")
PY
}

repo=$work/repo
git init -q -b main "$repo"
cd "$repo"
gen refs/heads/main 1 base | git fast-import --quiet
gen refs/heads/staging "$commits" feature refs/heads/main | git fast-import --quiet
git reset -q --hard main
git merge -q --no-ff staging -m "Release"
"$bin" deploy check --target production >/dev/null

cp -r "$repo" "$work/direct"
cd "$work/direct"
gen refs/heads/main 200 hotfix "$(git rev-parse main)" | git fast-import --quiet --force
git reset -q --hard main
if "$bin" deploy check --target production >/dev/null; then echo "expected a refusal" >&2; exit 1; fi

hyperfine -N --warmup 3 --runs "$runs" -i --export-json "$work/deploy.json" \
  -n "allowed ($commits commits merged)" "$bin deploy check --target production --repo $repo" \
  -n "refused (+200 direct commits)" "$bin deploy check --target production --repo $work/direct" \
  >/dev/null 2>&1
python3 - "$work/deploy.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"| `{r['command']}` | {r['median']*1000:.1f} ms |")
PY
