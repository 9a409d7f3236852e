#!/usr/bin/env bash
# Measures every face of oomlens side by side, in one run, on one generated workload: the
# native core in-process (record by record, and NDJSON in chunks) and the naive baseline
# (benches/throughput.rs), the native CLI, the component in Node through jco's transpilation
# (`process`, `process-batch`, `ndjson-filter`), the Fluent Bit module in node:wasi, and the
# command component under `jco run` and `wasmtime run`; with the floor of each host: for the
# commands, a command that only copies stdin to stdout (bench/stdio-floor); for
# `ndjson-filter`, its chunks only copied into a linear memory and out, as jco's bindings do.
# Then the same at twice the records, to check that memory does not grow with them, and
# prints the Markdown tables (also saved as $target/bench/results.md).
#
#   bench/run.sh [RECORDS]      default 1000000
#
# BENCH_SKIP_BUILD=1 reuses the artifacts of an earlier tests/wasm/build.sh. Honours
# CARGO_TARGET_DIR like cargo does. Needs GNU time (/usr/bin/time; Debian: `time`) for the
# commands' peak RSS. `wasmtime` is used when it is on PATH, and skipped otherwise.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
records=${1:-1000000}
larger=$((records * 2))
out=$target/bench
jco=$root/tests/wasm/node_modules/.bin/jco
cli=$target/release/oomlens
command_wasm=$target/wasm32-wasip2/release/oomlens.wasm

if [[ ! -x /usr/bin/time ]]; then
  echo "bench/run.sh: /usr/bin/time (GNU time) is missing; on Debian: apt-get install -y time" >&2
  exit 1
fi
if [[ ${BENCH_SKIP_BUILD:-0} != 1 ]]; then
  "$root/tests/wasm/build.sh"
fi
# The floor: a command that only copies stdin to stdout, native and as a wasm command.
(cd "$root" && cargo build --release -p oomlens-stdio-floor &&
  cargo build --release --target wasm32-wasip2 -p oomlens-stdio-floor) >&2
floor=$target/release/stdio-floor
floor_wasm=$target/wasm32-wasip2/release/stdio-floor.wasm

mkdir -p "$out"
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)

# One size: the workload generated once, then every face on it. With `chatter`, each face
# also runs on the non-OOM records alone (ns per non-OOM record); the larger run only checks
# memory, so it skips that.
measure() {
  local n=$1 chatter=$2
  local dir=$out/$n workload=$out/workload-$n.ndjson chatter_file=$out/chatter-$n.ndjson
  rm -rf "$dir"
  mkdir -p "$dir"
  echo "== $n records: native core and naive baseline (cargo bench)" >&2
  (cd "$root" && cargo bench --bench throughput -- --records "$n" \
    --write "$workload" --write-chatter "$chatter_file" --json "$dir/native.json") >&2
  local with_chatter=()
  [[ $chatter == yes ]] && with_chatter=(--chatter "$chatter_file")
  local on=(--workload "$workload" "${with_chatter[@]}")

  echo "== $n records: native CLI" >&2
  node "$here/command.mjs" --id native-cli --face 'CLI (`oomlens filter`)' --host native \
    --reference native-cli "${on[@]}" --out "$dir/native-cli.json" -- "$cli" filter
  echo "== $n records: stdin to stdout copy, native (the floor under the CLI)" >&2
  node "$here/command.mjs" --id floor-native --face 'stdin to stdout copy (`stdio-floor`)' \
    --host native --reference native-cli "${on[@]}" --out "$dir/floor-native.json" -- "$floor"
  echo "== $n records: component in jco, process" >&2
  node "$here/component.mjs" "${on[@]}" --out "$dir/component-process.json"
  echo "== $n records: component in jco, process-batch" >&2
  node "$here/component.mjs" "${on[@]}" --batch 256 --out "$dir/component-batch.json"
  echo "== $n records: component in jco, ndjson-filter in 64 KiB chunks" >&2
  node "$here/component.mjs" "${on[@]}" --ndjson 65536 --out "$dir/component-ndjson.json"
  echo "== $n records: 64 KiB chunks copied into linear memory and out (the floor under it)" >&2
  node "$here/component.mjs" "${on[@]}" --floor 65536 --out "$dir/floor-jco.json"
  echo "== $n records: component in jco, bindings with the debug check hoisted" >&2
  node "$here/component.mjs" "${on[@]}" --hoisted "$hoisted" \
    --out "$dir/component-process-hoisted.json"
  node "$here/component.mjs" "${on[@]}" --hoisted "$hoisted" --batch 256 \
    --out "$dir/component-batch-hoisted.json"
  echo "== $n records: Fluent Bit module in node:wasi" >&2
  node --no-warnings "$here/fluent-bit.mjs" "${on[@]}" --out "$dir/fluent-bit.json"
  echo "== $n records: command under jco run" >&2
  node "$here/command.mjs" --id jco-run --face 'command (`oomlens.wasm filter`)' \
    --host "jco run (Node $(node --version))" --reference native-cli "${on[@]}" \
    --out "$dir/jco-run.json" -- "$jco" run "$command_wasm" filter
  local wasmtime
  if wasmtime=$(command -v wasmtime); then
    echo "== $n records: command under wasmtime run" >&2
    node "$here/command.mjs" --id wasmtime-run --face 'command (`oomlens.wasm filter`)' \
      --host "wasmtime run ($("$wasmtime" --version | cut -d' ' -f1-2))" --reference native-cli \
      "${on[@]}" --out "$dir/wasmtime-run.json" -- "$wasmtime" run "$command_wasm" filter
    echo "== $n records: stdin to stdout copy under wasmtime run (the floor under the command)" >&2
    node "$here/command.mjs" --id floor-wasmtime --face 'stdin to stdout copy (`stdio-floor.wasm`)' \
      --host "wasmtime run ($("$wasmtime" --version | cut -d' ' -f1-2))" --reference native-cli \
      "${on[@]}" --out "$dir/floor-wasmtime.json" -- "$wasmtime" run "$floor_wasm"
  else
    echo "bench/run.sh: wasmtime is not on PATH: skipping the command under wasmtime run" >&2
  fi
}

hoisted=$out/bindings-hoisted
node "$here/hoist-debug-check.mjs" "$hoisted"
measure "$records" yes
measure "$larger" no
{
  cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
  memory=$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
  echo "Machine: $(nproc) vCPU, $cpu, $memory; $(date -u +%Y-%m-%d)."
  versions="$(rustc --version), Node $(node --version), jco $("$jco" --version)"
  if wasmtime=$(command -v wasmtime); then versions+=", $("$wasmtime" --version)"; fi
  echo "Versions: $versions."
  echo "Load average (1, 5, 15 min) at the start: $load_at_start; at the end:" \
    "$(cut -d' ' -f1-3 /proc/loadavg)."
} >"$out/machine.txt"

{
  cat "$out/machine.txt"
  echo
  node "$here/table.mjs" "$out/$records" "$out/$larger"
} | tee "$out/results.md"
