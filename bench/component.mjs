// Benchmarks the component (oomlens_component.wasm, transpiled by jco) in Node as a JS host
// drives it: every workload record through `transform.process` (or `process-batch` with
// `--batch N`), then the non-OOM records alone through a fresh transform. Records are decoded
// to strings before the clock starts, as a host holds them. With `--ndjson BYTES` the host
// holds bytes instead, as read from a pipe or socket: the workload goes through
// `ndjson-filter.push` in chunks of BYTES. Writes one result row (without the non-OOM figures
// when `--chatter` is not given). `--hoisted DIR` loads the bindings that
// bench/hoist-debug-check.mjs made in DIR instead of the tests' own. `--floor BYTES` measures
// the host's floor under `ndjson-filter` instead: each chunk of BYTES only moved into a linear
// memory and back out the way jco's bindings move `push`'s argument and result, no call made.
//
//   node bench/component.mjs --workload FILE [--chatter FILE] --out FILE
//        [--batch N | --ndjson BYTES | --floor BYTES] [--hoisted DIR]
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import {
  artifacts,
  BASE_MS,
  bestOf,
  inProcessRow,
  parseArgs,
  readRecords,
  recordStrings,
  requireArtifact,
  RssPeak,
  stopwatch,
  testsDir,
  writeRow,
} from './common.mjs';

const options = parseArgs(process.argv.slice(2), ['workload', 'out']);
const batch = Number(options.batch ?? 0);
const floor = options.floor !== undefined;
const chunkBytes = Number(options.ndjson ?? options.floor ?? 0);

// jco's bindings keep the component's linear memory to themselves. They capture
// `WebAssembly.instantiate` when they load, so a wrapper installed before the import sees
// every core instance and keeps the memories they export, to read their size.
const memories = [];
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = async (...args) => {
  const result = await instantiate(...args);
  const instance = result instanceof WebAssembly.Instance ? result : result.instance;
  for (const value of Object.values(instance.exports)) {
    if (value instanceof WebAssembly.Memory) memories.push(value);
  }
  return result;
};
const bindings = options.hoisted ? join(options.hoisted, 'oomlens.js') : artifacts.transpiled;
const { filter } = await import(pathToFileURL(resolve(requireArtifact(bindings))));
WebAssembly.instantiate = instantiate;

/** Every record of `strings` through a fresh transform, then `finish`. */
function filterAll(strings, rss) {
  const transform = filter.Transform.fromJson('{}');
  let outputs = 0;
  const clock = stopwatch();
  if (batch > 0) {
    for (let i = 0; i < strings.length; i += batch) {
      const now = BigInt(BASE_MS + i);
      outputs += transform.processBatch(strings.slice(i, i + batch), '', now).length;
      if (i % (batch * 64) === 0) rss.sample();
    }
  } else {
    for (let i = 0; i < strings.length; i += 1) {
      outputs += transform.process(strings[i], '', BigInt(BASE_MS + i)).length;
      if ((i & 0x3fff) === 0) rss.sample();
    }
  }
  outputs += transform.finish().length;
  const time = clock.stop();
  const counters = transform.counters();
  return { time, outputs, events: Number(counters.events), errors: Number(counters.errors) };
}

/**
 * The records' bytes through a fresh `ndjson-filter` in chunks of `chunkBytes`, then `finish`.
 * The clock given advances a millisecond a record on average, as above.
 */
function filterBytes(records, rss) {
  const ndjsonFilter = filter.NdjsonFilter.fromJson('{}');
  const bytesPerRecord = records.size / records.count;
  let outputBytes = 0;
  const clock = stopwatch();
  for (let at = 0; at < records.size; at += chunkBytes) {
    const now = BigInt(BASE_MS + Math.floor(at / bytesPerRecord));
    outputBytes += ndjsonFilter.push(records.bytes.subarray(at, at + chunkBytes), '', now).length;
    if (at % (chunkBytes * 64) === 0) rss.sample();
  }
  outputBytes += ndjsonFilter.finish('', BigInt(BASE_MS + records.count)).length;
  const time = clock.stop();
  const counters = ndjsonFilter.counters();
  if (outputBytes === 0 && records.size > 0) throw new Error('ndjson-filter wrote nothing');
  return {
    time,
    outputs: Number(counters.recordsOut),
    events: Number(counters.events),
    errors: Number(counters.errors),
  };
}

/**
 * The records' bytes in chunks of `chunkBytes`, each copied into a linear memory and copied
 * back out into a new buffer, as jco's bindings lower `push`'s `list<u8>` (a `set` into
 * memory) and lift its result (`memory.buffer.slice`): what moving the bytes costs the host
 * before the component does any work. Its own memory, so no component state is touched.
 */
function copyBytes(records, rss) {
  const memory = new WebAssembly.Memory({ initial: Math.ceil((2 * chunkBytes) / 65536) });
  let outputBytes = 0;
  const clock = stopwatch();
  for (let at = 0; at < records.size; at += chunkBytes) {
    const chunk = records.bytes.subarray(at, at + chunkBytes);
    new Uint8Array(memory.buffer, 0, chunk.length).set(chunk);
    outputBytes += new Uint8Array(memory.buffer.slice(0, chunk.length)).length;
    if (at % (chunkBytes * 64) === 0) rss.sample();
  }
  const time = clock.stop();
  if (outputBytes !== records.size) throw new Error('the copy lost bytes');
  return { time, outputs: records.count, events: 0, errors: 0 };
}

/** Every record of `records` through the call the options name. */
function run(records, rss) {
  if (floor) return copyBytes(records, rss);
  return chunkBytes > 0 ? filterBytes(records, rss) : filterAll(recordStrings(records), rss);
}

const workload = readRecords(options.workload);
const chatter = options.chatter ? readRecords(options.chatter) : null;

const rss = new RssPeak();
const full = bestOf(() => run(workload, rss));
const quiet = chatter ? bestOf(() => run(chatter, rss)) : null;

const jco = JSON.parse(
  readFileSync(join(testsDir, 'node_modules', '@bytecodealliance', 'jco', 'package.json'), 'utf8'),
);
const linearBytes = Math.max(0, ...memories.map((memory) => memory.buffer.byteLength));
let call = '`process`';
let id = 'process';
if (batch > 0) [call, id] = [`\`process-batch\`, ${batch}`, 'batch'];
if (chunkBytes > 0) [call, id] = [`\`ndjson-filter.push\`, ${chunkBytes / 1024} KiB chunks`, 'ndjson'];
const hoisted = options.hoisted ? ', debug check hoisted' : '';
const face = floor
  ? `${chunkBytes / 1024} KiB chunks copied into linear memory and out (floor)`
  : `component (${call})`;
// The floor's memory is its own, not the component's.
const linearMemory = floor ? [] : [{ what: 'linear memory', bytes: linearBytes }];
writeRow(
  options.out,
  inProcessRow(
    {
      id: floor ? 'floor-jco' : `component-${id}${options.hoisted ? '-hoisted' : ''}`,
      face,
      host: `Node ${process.version}, jco ${jco.version}${hoisted}`,
      reference: chunkBytes > 0 ? 'native-ndjson' : 'native-core',
      workload,
      chatter,
      full,
      quiet,
    },
    {
      events: full.events,
      outputs: full.outputs,
      memory: [...linearMemory, { what: 'Node RSS growth', bytes: rss.growth() }],
    },
  ),
);
