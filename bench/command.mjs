// Benchmarks a command that filters NDJSON from stdin to stdout (`oomlens filter` native,
// under `jco run`, under `wasmtime run`): wall time of the whole run on the workload and on
// the non-OOM records alone, with stdin read from the file and stdout to /dev/null, and peak
// RSS from GNU time (its own and its children's). A run on empty input measures the start-up
// cost, taken off the per-record figure of the non-OOM run. Each figure is the best of
// several runs (bench/common.mjs). CPU time (user and system, the
// process and its children) comes from GNU time too. Writes one result row (without
// the non-OOM figures when `--chatter` is not given).
//
//   node bench/command.mjs --id ID --face TEXT --host TEXT --reference ID \
//        --workload FILE [--chatter FILE] --out FILE -- COMMAND [ARGS...]
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { bestOf, parseArgs, writeRow } from './common.mjs';

const GNU_TIME = '/usr/bin/time';
const split = process.argv.indexOf('--');
if (split < 0 || split === process.argv.length - 1) {
  throw new Error('expected -- COMMAND [ARGS...]');
}
const options = parseArgs(process.argv.slice(2, split), [
  'id',
  'face',
  'host',
  'reference',
  'workload',
  'out',
]);
const command = process.argv.slice(split + 1);
if (!existsSync(GNU_TIME)) {
  throw new Error(`${GNU_TIME} is missing: install GNU time (Debian: apt-get install -y time)`);
}

const scratch = mkdtempSync(join(tmpdir(), 'oomlens-bench-cmd-'));
const emptyInput = join(scratch, 'empty.ndjson');
closeSync(openSync(emptyInput, 'w'));

/** One run with `inputPath` on stdin: wall and CPU seconds, peak RSS in bytes. Must exit 0. */
function timedRun(inputPath) {
  const stdin = openSync(inputPath, 'r');
  const stdout = openSync('/dev/null', 'w');
  const timeFile = join(scratch, 'time');
  try {
    const started = process.hrtime.bigint();
    const run = spawnSync(GNU_TIME, ['-f', '%M %U %S', '-o', timeFile, ...command], {
      stdio: [stdin, stdout, 'pipe'],
      maxBuffer: 1 << 24,
    });
    const wall = Number(process.hrtime.bigint() - started) / 1e9;
    if (run.status !== 0) {
      throw new Error(`${command.join(' ')} < ${inputPath} exited ${run.status}: ${run.stderr}`);
    }
    const [kilobytes, user, system] = readFileSync(timeFile, 'utf8')
      .trim()
      .split('\n')
      .at(-1)
      .split(' ')
      .map(Number);
    return { wall, cpu: user + system, rssBytes: kilobytes * 1024 };
  } finally {
    closeSync(stdin);
    closeSync(stdout);
  }
}

/** The best of several runs with `inputPath` on stdin (`bestOf`), in `timedRun`'s terms. */
function bestRun(inputPath) {
  const best = bestOf(() => {
    const run = timedRun(inputPath);
    return { time: { wall: run.wall, cpu: run.cpu }, rssBytes: run.rssBytes };
  });
  return { wall: best.time.wall, cpu: best.time.cpu, rssBytes: best.rssBytes };
}

/** Lines in an NDJSON file (every record ends with a newline). */
function countRecords(path) {
  const bytes = readFileSync(path);
  let count = 0;
  for (let at = bytes.indexOf(0x0a); at >= 0; at = bytes.indexOf(0x0a, at + 1)) count += 1;
  return count;
}

try {
  // Empty input first, twice: the first run warms whatever the host caches (jco's
  // transpilation, wasmtime's compiled code), as a long-running pipeline would have it warm;
  // the second measures the start-up every later run pays.
  timedRun(emptyInput);
  const startup = bestRun(emptyInput);
  const quiet = options.chatter ? bestRun(options.chatter) : null;
  const full = bestRun(options.workload);
  writeRow(options.out, {
    id: options.id,
    face: options.face,
    host: options.host,
    reference: options.reference,
    records: countRecords(options.workload),
    bytes: statSync(options.workload).size,
    seconds: full.wall,
    cpu_seconds: full.cpu,
    startup_seconds: startup.wall,
    startup_cpu_seconds: startup.cpu,
    chatter_records: options.chatter ? countRecords(options.chatter) : null,
    chatter_bytes: options.chatter ? statSync(options.chatter).size : null,
    // Start-up is paid once per process, not per record.
    chatter_seconds: quiet ? Math.max(0, quiet.wall - startup.wall) : null,
    chatter_cpu_seconds: quiet ? Math.max(0, quiet.cpu - startup.cpu) : null,
    memory: [{ what: 'peak RSS', bytes: Math.max(full.rssBytes, quiet?.rssBytes ?? 0) }],
  });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
