#!/usr/bin/env bash
# Builds the page into web/dist/ from a clean checkout:
#   web/dist/index.html, app.js, style.css and the component's core modules (serve the folder),
#   web/dist/oomlens.html: the same page in one file, the wasm inlined, that opens from disk.
# The engine is the component the pipelines run (oomlens_component.wasm), transpiled by jco
# for the browser. Honours CARGO_TARGET_DIR like cargo does. Usage: web/build.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}

rustup target add wasm32-wasip2
cd "$root"
cargo build --release --target wasm32-wasip2 -p oomlens-component

cd "$here"
npm ci --no-audit --no-fund
rm -rf .gen/component
npx jco transpile "$target/wasm32-wasip2/release/oomlens_component.wasm" \
  --out-dir .gen/component --name oomlens --instantiation async --quiet
node build.mjs
