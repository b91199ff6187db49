#!/usr/bin/env bash
# scripts/build-portable.sh [OUTDIR] — a Linux x86-64 gardefou that runs on glibc 2.17 or
# newer (CentOS 7-era images and everything since), built with cargo-zigbuild and zig from
# PyPI (into target/zig-tools). Prints the highest glibc symbol version the binary needs.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/portable}
venv=target/zig-tools
if [[ ! -x $venv/bin/cargo-zigbuild ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check ziglang cargo-zigbuild
fi
export PATH="$PWD/$venv/bin:$PATH"
rustup target add x86_64-unknown-linux-gnu >/dev/null 2>&1 || true
cargo zigbuild --release --locked --bin gardefou --target x86_64-unknown-linux-gnu.2.17
mkdir -p "$out"
cp target/x86_64-unknown-linux-gnu/release/gardefou "$out/gardefou"
# The glibc floor: the highest GLIBC_x.y version among the binary's dynamic symbols.
floor=$(objdump -T "$out/gardefou" | grep -o 'GLIBC_[0-9.]*' | sort -t. -k1,1 -k2,2n -V | tail -1)
echo "$out/gardefou needs $floor"
"$out/gardefou" --version
