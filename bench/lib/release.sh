# Sourced by the benchmark scripts that time the release `gardefou` binary, from the
# repository's root: builds it, and makes a scratch directory removed on exit. Sets: bin,
# work.
cargo build --release -q
bin=$PWD/target/release/gardefou
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
