#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs (rustup targets, npm
# packages, QEMU and a Debian kernel), then checks format and lints, runs the Rust tests,
# builds every artifact, tests the wasm faces in real wasm hosts (jco, node:wasi), and
# checks oomlens against OOM reports printed by a real kernel under QEMU.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "toolchain: rustup targets and components"
rustup target add wasm32-wasip2 wasm32-wasip1
rustup component add rustfmt clippy

step "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings

step "Rust tests (core, CLI, corpus, properties, fuzz corpus replay)"
cargo test --workspace

step "build the artifacts (native CLI, command, component, Fluent Bit module) and jco"
tests/wasm/build.sh

step "wasm faces in real wasm hosts (jco, node:wasi) with node --test"
node --test tests/wasm/

step "a real kernel under QEMU"
OOMLENS="$PWD/target/release/oomlens" tests/kernel/run.sh
