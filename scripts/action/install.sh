#!/usr/bin/env bash
# The action's first step: the release's prebuilt binary for this runner, checked against
# the release's SHA256SUMS and, when the workflow pins it, against INPUT_SHA256; then put on
# PATH for the next steps. Nothing is built on the runner.
set -euo pipefail

version=${INPUT_VERSION:?}
if [[ ! $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]]; then
  echo "::error::version '$version' is not a release number such as 0.1.0"
  exit 2
fi
base=${INPUT_DOWNLOAD_BASE:-https://github.com/koomy/gardefou/releases/download}
case $base in
  https://*) proto='=https' ;;
  http://127.0.0.1:* | http://localhost:*) proto='=http' ;; # a mirror on the runner itself
  *) echo "::error::download-base must be an https:// URL"; exit 2 ;;
esac
case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
  Linux/X64) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64) target=aarch64-unknown-linux-musl ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  macOS/ARM64) target=aarch64-apple-darwin ;;
  *)
    echo "::error::no prebuilt gardefou for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}: install it with 'cargo install --locked --git https://github.com/koomy/gardefou gardefou' instead"
    exit 2
    ;;
esac

asset=gardefou-$target.tar.gz
dir=${RUNNER_TEMP:?}/gardefou-$version
download=$(mktemp -d "$RUNNER_TEMP/gardefou-download.XXXXXX")
fetch() {
  curl --proto "$proto" --tlsv1.2 -fsSL --retry 3 -o "$download/$1" "$base/v$version/$1"
}
fetch SHA256SUMS
fetch "$asset"

expected=$(awk -v f="$asset" '$2 == f || $2 == "*" f { print $1 }' "$download/SHA256SUMS")
if command -v sha256sum >/dev/null; then
  actual=$(sha256sum "$download/$asset" | cut -d' ' -f1)
else
  actual=$(shasum -a 256 "$download/$asset" | cut -d' ' -f1)
fi
if [[ -z $expected || $actual != "$expected" ]]; then
  echo "::error::$asset does not match the release's SHA256SUMS: not installed"
  exit 1
fi
if [[ -n ${INPUT_SHA256:-} && $actual != "${INPUT_SHA256,,}" ]]; then
  echo "::error::$asset is not the one the workflow pins (input sha256): not installed"
  exit 1
fi

rm -rf "$dir"
mkdir -p "$dir"
tar -xzf "$download/$asset" -C "$dir" gardefou
rm -rf "$download"
installed=$("$dir/gardefou" --version)
if [[ $installed != "gardefou $version" ]]; then
  echo "::error::the release's binary says '$installed', not gardefou $version"
  exit 1
fi
echo "$dir" >>"$GITHUB_PATH"
echo "$installed for $target"
