#!/usr/bin/env bash
# npm/pack.sh OUTDIR — builds the release binary for this machine and writes the npm
# tarballs into OUTDIR: `gardefou` (the package) and the platform package holding the
# binary (linux-x64-gnu here). `npm install OUTDIR/*.tgz` then works in any app, offline.
# Other platforms' packages are built by .github/workflows/release.yml.
#
#   GARDEFOU_BINARY_DIR=DIR  take the binary from DIR instead of building it
#   GARDEFOU_PROFILE=debug   build (or take) the debug binary, for tests
set -euo pipefail
out=${1:?usage: npm/pack.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
mkdir -p "$out"
out=$(cd "$out" && pwd)

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) platform=linux-x64 ;;
  Linux-aarch64) platform=linux-arm64 ;;
  *) echo "pack.sh builds Linux x64/arm64 packages; other platforms come from the release workflow" >&2; exit 2 ;;
esac
if ldd --version 2>&1 | grep -qi musl; then platform=$platform-musl; else platform=$platform-gnu; fi

profile=${GARDEFOU_PROFILE:-release}
if [ -n "${GARDEFOU_BINARY_DIR:-}" ]; then
  bin=$GARDEFOU_BINARY_DIR/gardefou
else
  if [ "$profile" = release ]; then
    (cd "$repo" && cargo build --release --locked --bin gardefou)
  else
    (cd "$repo" && cargo build --locked --bin gardefou)
  fi
  bin=$repo/target/$profile/gardefou
fi
[ -x "$bin" ] || { echo "no binary at $bin" >&2; exit 2; }

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp -R "$here/gardefou" "$stage/gardefou"
cp -R "$here/platforms/$platform" "$stage/platform"
mkdir -p "$stage/platform/bin"
cp "$bin" "$stage/platform/bin/gardefou"
chmod 755 "$stage/platform/bin/gardefou"
for pkg in gardefou platform; do
  (cd "$stage/$pkg" && npm pack --silent --pack-destination "$out" >/dev/null)
done
ls "$out"/*.tgz
