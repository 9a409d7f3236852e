#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs (rustup targets, npm
# packages, pip packages in a venv, chromium, QEMU and a Debian kernel), then checks format
# and lints, runs the Rust tests, builds every artifact, tests the wasm faces in real wasm
# hosts (jco, node:wasi), the page in a real browser (chromium), the events in the platforms
# (index template, ECS, ClickHouse, OTel, Kubernetes manifests), and checks oomlens against
# OOM reports printed by a real kernel under QEMU.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "toolchain: rustup targets and components"
rustup target add wasm32-wasip2 wasm32-wasip1
rustup component add rustfmt clippy

step "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
# The core as the component and the command build it: with the wasm SIMD marker scan.
cargo clippy -p oomlens --target wasm32-wasip2 --all-targets -- -D warnings

step "Rust tests (core, CLI, corpus, properties, fuzz corpus replay)"
cargo test --workspace

step "build the artifacts (native CLI, command, component, Fluent Bit module) and jco"
tests/wasm/build.sh

step "the marker scan's tests in wasm with SIMD (code only wasm32 compiles), under jco run"
CARGO_TARGET_WASM32_WASIP2_RUNNER="$PWD/tests/wasm/node_modules/.bin/jco run" \
  cargo test --target wasm32-wasip2 --lib parse::markers

step "wasm faces in real wasm hosts (jco, node:wasi) with node --test"
node --test tests/wasm/

step "the page in a real browser (Debian's chromium, puppeteer-core) with node --test"
# A Japanese font, so the screenshots of the Japanese page show its text.
if ! command -v chromium >/dev/null || ! dpkg -s fonts-ipafont-gothic >/dev/null 2>&1; then
  apt-get update -qq || echo "apt-get update failed; trying with the lists at hand"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-ipafont-gothic >/dev/null
fi
web/build.sh
node --test web/test/
step "platforms: index template, ECS types, ClickHouse (chDB), OTel output, Kubernetes"
# Installs tests/platforms/requirements.txt (chDB, kubernetes-validate, opentelemetry-proto,
# pytest) into a venv under target/ once; needs python3 with venv.
tests/platforms/run.sh

step "a real kernel under QEMU"
OOMLENS="$PWD/target/release/oomlens" tests/kernel/run.sh
