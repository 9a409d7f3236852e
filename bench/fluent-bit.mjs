// Benchmarks the Fluent Bit module (oomlens_fluent_bit.wasm) in node:wasi, called per record
// exactly as Fluent Bit's wasm filter calls it: tag and record copied into the module's memory
// with its own `malloc` (NUL-terminated), `oomlens_filter` called, the NUL-terminated result
// measured (and read when it is not the input record itself), both copies freed. Every
// workload record goes through one instance, then the non-OOM records alone through a fresh
// one (when `--chatter` is given). Writes one result row, with the module's linear memory size
// at the end.
//
//   node bench/fluent-bit.mjs --workload FILE [--chatter FILE] --out FILE
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASI } from 'node:wasi';

import {
  artifacts,
  BASE_MS,
  bestOf,
  inProcessRow,
  parseArgs,
  readRecords,
  requireArtifact,
  RssPeak,
  stopwatch,
  writeRow,
} from './common.mjs';

const options = parseArgs(process.argv.slice(2), ['workload', 'out']);
const wasmModule = new WebAssembly.Module(readFileSync(requireArtifact(artifacts.fluentBit)));
const TAG = Buffer.from('kernel');
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * A fresh instance as Fluent Bit makes one per [FILTER] section, with an empty directory
 * preopened (Accessible_Paths without `oomlens.json`: the default configuration).
 */
function instantiate(dir) {
  const wasi = new WASI({
    version: 'preview1',
    args: [],
    env: {},
    preopens: { '/etc/fluent-bit/oomlens': dir },
    returnOnExit: true,
  });
  const instance = new WebAssembly.Instance(wasmModule, wasi.getImportObject());
  wasi.initialize(instance);
  return instance.exports;
}

/** Every record of `records` through a fresh instance, one call each. */
function filterAll(records, dir, rss) {
  const { memory, malloc, free, oomlens_filter: oomlensFilter } = instantiate(dir);
  const { bytes, starts, ends } = records;
  // A view of the module's memory; made again after `memory.grow` detaches the old one.
  let heap = new Uint8Array(memory.buffer);
  const currentHeap = () => {
    if (heap.byteLength === 0) heap = new Uint8Array(memory.buffer);
    return heap;
  };
  /** Copies bytes [start, end) of `source` plus a NUL into module memory. */
  const copyIn = (source, start, end) => {
    const ptr = malloc(end - start + 1);
    if (ptr === 0) throw new Error('module malloc failed');
    const view = currentHeap();
    source.copy(view, ptr, start, end);
    view[ptr + end - start] = 0;
    return ptr;
  };
  let events = 0;
  let dropped = 0;
  const clock = stopwatch();
  for (let i = 0; i < records.count; i += 1) {
    const tagPtr = copyIn(TAG, 0, TAG.length);
    const recordPtr = copyIn(bytes, starts[i], ends[i]);
    const now = BASE_MS + i;
    const result = oomlensFilter(
      tagPtr,
      TAG.length,
      Math.floor(now / 1000),
      (now % 1000) * 1_000_000,
      recordPtr,
      ends[i] - starts[i],
    );
    // Fluent Bit takes the result's length with strlen, then reads it: "" drops the record,
    // the input pointer passes it, anything else is an event to decode.
    const view = currentHeap();
    const end = view.indexOf(0, result);
    if (result !== recordPtr) {
      if (end === result) dropped += 1;
      else if (decoder.decode(view.subarray(result, end)).length > 0) events += 1;
    }
    free(tagPtr);
    free(recordPtr);
    if ((i & 0x3fff) === 0) rss.sample();
  }
  return { time: clock.stop(), events, dropped, linearBytes: memory.buffer.byteLength };
}

const workload = readRecords(options.workload);
const chatter = options.chatter ? readRecords(options.chatter) : null;
const dir = mkdtempSync(join(tmpdir(), 'oomlens-bench-fb-'));
try {
  const rss = new RssPeak();
  const full = bestOf(() => filterAll(workload, dir, rss));
  const quiet = chatter ? bestOf(() => filterAll(chatter, dir, rss)) : null;
  writeRow(
    options.out,
    inProcessRow(
      {
        id: 'fluent-bit',
        face: 'Fluent Bit module (`oomlens_filter`)',
        host: `Node ${process.version}, node:wasi (preview 1)`,
        reference: 'native-core',
        workload,
        chatter,
        full,
        quiet,
      },
      {
        events: full.events,
        dropped: full.dropped,
        memory: [
          { what: 'linear memory', bytes: Math.max(full.linearBytes, quiet?.linearBytes ?? 0) },
          { what: 'Node RSS growth', bytes: rss.growth() },
        ],
      },
    ),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
