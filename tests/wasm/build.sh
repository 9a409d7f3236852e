#!/usr/bin/env bash
# Builds, from a clean checkout, everything the wasm tests load:
#   - the native CLI (the reference every wasm output is compared with),
#   - the command component (the CLI built for wasm32-wasip2: oomlens.wasm),
#   - the library component (oomlens_component.wasm) and its jco transpilation in .gen/,
#   - the Fluent Bit module (oomlens_fluent_bit.wasm, wasm32-wasip1),
# and installs jco from package-lock.json. Then: node --test tests/wasm/
# Honours CARGO_TARGET_DIR like cargo does.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}

rustup target add wasm32-wasip2 wasm32-wasip1

cd "$root"
cargo build --release --bin oomlens
cargo build --release --target wasm32-wasip2 --bin oomlens
cargo build --release --target wasm32-wasip2 -p oomlens-component
cargo build --release --target wasm32-wasip1 -p oomlens-fluent-bit

# No wasm runtime may enter the build graph: the hosts (jco, Node, Fluent Bit) bring their own.
if grep -E '^name = "(wasmtime|wasmer|wamr|wasmi)[-"]' Cargo.lock; then
  echo "a wasm runtime crate is in Cargo.lock" >&2
  exit 1
fi

cd "$here"
npm ci --no-audit --no-fund
rm -rf .gen/component
npx jco transpile "$target/wasm32-wasip2/release/oomlens_component.wasm" \
  --out-dir .gen/component --name oomlens --quiet

for artifact in \
  "$target/release/oomlens" \
  "$target/wasm32-wasip2/release/oomlens.wasm" \
  "$target/wasm32-wasip2/release/oomlens_component.wasm" \
  "$target/wasm32-wasip1/release/oomlens_fluent_bit.wasm"; do
  printf '%10d  %s\n' "$(stat -c %s "$artifact")" "$artifact"
done
