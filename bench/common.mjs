// What the node benchmark drivers share: their command line, the workload files read into
// memory before any clock starts, the clock, the peak-RSS sampler, and the result row every
// driver writes for bench/table.mjs. Artifact paths come from the wasm tests' helpers.
import { readFileSync, writeFileSync } from 'node:fs';

export { artifacts, here as testsDir, requireArtifact } from '../tests/wasm/helpers.mjs';

/**
 * `--name value` pairs from argv into an object (`--batch 256` → `{ batch: '256' }`);
 * `required` names must be present.
 */
export function parseArgs(argv, required) {
  const options = {};
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    if (!flag.startsWith('--') || i + 1 >= argv.length) {
      throw new Error(`expected --name value pairs, got ${argv.slice(i).join(' ')}`);
    }
    options[flag.slice(2)] = argv[i + 1];
  }
  for (const name of required) {
    if (options[name] === undefined) throw new Error(`--${name} is required`);
  }
  return options;
}

/**
 * An NDJSON file as one byte buffer and the [start, end) of each record in it (without its
 * newline): a host holds records as bytes, and slicing them costs nothing.
 */
export function readRecords(path) {
  const bytes = readFileSync(path);
  const starts = [];
  const ends = [];
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    starts.push(start);
    ends.push(end);
    start = end + 1;
  }
  return { bytes, starts, ends, count: starts.length, size: bytes.length };
}

/** The records of `records` as strings, decoded before the clock starts. */
export function recordStrings(records) {
  const strings = new Array(records.count);
  for (let i = 0; i < records.count; i += 1) {
    strings[i] = records.bytes.toString('utf8', records.starts[i], records.ends[i]);
  }
  return strings;
}

/**
 * How many times each face runs on each input: every figure is the best run (as in
 * benches/throughput.rs), since on a shared machine the fastest run is the one other work
 * disturbed least.
 */
export const RUNS = 3;

/**
 * `run()` done RUNS times: the first run's result, its `time` made the least wall-clock and
 * the least CPU time any run took.
 */
export function bestOf(run) {
  const best = run();
  for (let i = 1; i < RUNS; i += 1) {
    const { time } = run();
    best.time = {
      wall: Math.min(best.time.wall, time.wall),
      cpu: Math.min(best.time.cpu, time.cpu),
    };
  }
  return best;
}

/**
 * A started stopwatch: `stop()` gives wall-clock seconds and this process's CPU seconds (user
 * and system), the figure that stays comparable on a busy shared machine.
 */
export function stopwatch() {
  const wallStarted = process.hrtime.bigint();
  const cpuStarted = process.cpuUsage();
  return {
    stop() {
      const cpu = process.cpuUsage(cpuStarted);
      return {
        wall: Number(process.hrtime.bigint() - wallStarted) / 1e9,
        cpu: (cpu.user + cpu.system) / 1e6,
      };
    },
  };
}

/**
 * The largest resident set of this process seen: sampled by `sample()` (cheap enough to call
 * every few thousand records) and once more at the end.
 */
export class RssPeak {
  constructor() {
    this.before = process.memoryUsage.rss();
    this.peak = this.before;
  }

  sample() {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
  }

  /** How far the peak rose above the resident set when this sampler was made. */
  growth() {
    this.sample();
    return this.peak - this.before;
  }
}

/** Host clock in milliseconds for record `i`: one millisecond apart, as the native bench. */
export const BASE_MS = 1_750_000_000_000;

/**
 * The result row of a face driven in this Node process: what ran where, then the figures of
 * its run on the workload (`full`) and on the non-OOM records alone (`quiet`, or null), each
 * with `time: { wall, cpu }` as `bestOf` gives it. `extra` holds the face's own fields (events,
 * memory, ...).
 */
export function inProcessRow({ id, face, host, reference, workload, chatter, full, quiet }, extra) {
  return {
    id,
    face,
    host,
    reference,
    records: workload.count,
    bytes: workload.size,
    seconds: full.time.wall,
    cpu_seconds: full.time.cpu,
    chatter_records: chatter?.count ?? null,
    chatter_bytes: chatter?.size ?? null,
    chatter_seconds: quiet?.time.wall ?? null,
    chatter_cpu_seconds: quiet?.time.cpu ?? null,
    ...extra,
  };
}

/**
 * Writes one result row as JSON, the shape bench/table.mjs and the native benchmark's
 * `--json` share: ids, what ran where, counts, seconds, memory measures.
 */
export function writeRow(path, row) {
  writeFileSync(path, `${JSON.stringify(row, null, 2)}\n`);
}
