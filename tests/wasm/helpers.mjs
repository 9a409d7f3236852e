// Shared by the wasm tests: where the artifacts and the corpus are, how corpus logs become
// the records each host sends, and how to run the native CLI that every wasm output is
// compared with.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');
export const targetDir = process.env.CARGO_TARGET_DIR
  ? resolve(process.env.CARGO_TARGET_DIR)
  : join(repoRoot, 'target');

/** The artifacts tests/wasm/build.sh makes. */
export const artifacts = {
  nativeCli: join(targetDir, 'release', 'oomlens'),
  command: join(targetDir, 'wasm32-wasip2', 'release', 'oomlens.wasm'),
  component: join(targetDir, 'wasm32-wasip2', 'release', 'oomlens_component.wasm'),
  fluentBit: join(targetDir, 'wasm32-wasip1', 'release', 'oomlens_fluent_bit.wasm'),
  transpiled: join(here, '.gen', 'component', 'oomlens.js'),
};

/** Fails with the fix when an artifact is missing, instead of a confusing error later. */
export function requireArtifact(path) {
  assert.ok(existsSync(path), `${path} is missing: run tests/wasm/build.sh first`);
  return path;
}

/** The corpus: the real reports copied verbatim into the repository's fixtures. */
export const corpusDir = join(repoRoot, 'tests', 'fixtures', 'corpus');

/** Every corpus log: name, path, lines (without their newline) and the sidecar's facts. */
export function corpusLogs() {
  assert.ok(existsSync(corpusDir), `no corpus at ${corpusDir}`);
  return readdirSync(corpusDir)
    .filter((name) => name.endsWith('.log'))
    .sort()
    .map((name) => {
      const path = join(corpusDir, name);
      const text = readFileSync(path, 'utf8');
      const lines = text.split('\n');
      if (lines.at(-1) === '') lines.pop();
      const sidecar = JSON.parse(readFileSync(path.replace(/\.log$/, '.json'), 'utf8'));
      return { name: basename(name, '.log'), path, text, lines, sidecar };
    });
}

/** True when the sidecar names a killed process: the log has a kill line, so an event. */
export function hasVictim(log) {
  return Number.isInteger(log.sidecar.expected_victim?.pid);
}

const BASE_EPOCH_S = 1_750_000_000;

/** A line as Vector's journald source delivers it (`include_matches: _TRANSPORT=kernel`). */
export function journaldRecord(line, i) {
  const micros = (BASE_EPOCH_S * 1_000_000 + i * 1000).toString();
  return JSON.stringify({
    message: line,
    host: 'h1',
    _HOSTNAME: 'h1',
    _TRANSPORT: 'kernel',
    PRIORITY: '6',
    SYSLOG_FACILITY: '0',
    _SOURCE_REALTIME_TIMESTAMP: micros,
    source_type: 'journald',
    timestamp: new Date(BASE_EPOCH_S * 1000 + i).toISOString(),
  });
}

/** A line as Fluent Bit's kmsg input delivers it. */
export function kmsgRecord(line, i) {
  return JSON.stringify({
    priority: 6,
    sequence: i + 1,
    sec: 1000 + Math.floor(i / 1000),
    usec: (i % 1000) * 1000,
    msg: line,
  });
}

/** Milliseconds of the host clock for record `i` (one millisecond apart). */
export function recordTimeMs(i) {
  return BASE_EPOCH_S * 1000 + i;
}

/** Runs the native CLI with `input` on stdin; returns its stdout lines (must exit 0). */
export function runNative(args, input = '') {
  requireArtifact(artifacts.nativeCli);
  const run = spawnSync(artifacts.nativeCli, args, {
    input,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  assert.equal(run.status, 0, `oomlens ${args.join(' ')} failed: ${run.stderr}`);
  return stdoutLines(run.stdout);
}

/** NDJSON: one record a line. */
export function ndjson(records) {
  return records.map((record) => `${record}\n`).join('');
}

/** The lines of a command's stdout, without the empty string after the last newline. */
export function stdoutLines(stdout) {
  const lines = stdout.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Asserts `text` parses to a JSON object (what every event must be) and returns it. */
export function assertJsonObject(text, what = 'event') {
  let value;
  assert.doesNotThrow(() => {
    value = JSON.parse(text);
  }, `${what} is not JSON: ${text.slice(0, 200)}`);
  assert.ok(
    value !== null && typeof value === 'object' && !Array.isArray(value),
    `${what} is not a JSON object: ${text.slice(0, 200)}`,
  );
  return value;
}

/**
 * Checks outputs against inputs the way every face must behave: outputs that are input
 * records appear byte-identical and in input order; every other output is an event object.
 * Returns the events.
 */
export function splitPassedAndEvents(inputs, outputs) {
  const inputSet = new Set(inputs);
  let next = 0;
  const events = [];
  for (const output of outputs) {
    if (inputSet.has(output)) {
      const at = inputs.indexOf(output, next);
      assert.ok(at >= 0, `a passed-through record came out of order: ${output.slice(0, 120)}`);
      next = at + 1;
    } else {
      assertJsonObject(output);
      events.push(output);
    }
  }
  return events;
}

/** Records that are not kernel OOM reports, with awkward bytes a face must not alter. */
export const ordinaryRecords = [
  '{"message":"e1000e: eth0 NIC Link is Up 1000 Mbps Full Duplex","host":"h1"}',
  '{"message":"EXT4-fs (sda1): mounted filesystem with ordered data mode","_HOSTNAME":"h2"}',
  '{ "message" : "spaced  out\\tjson" ,"host":"h1" }',
  '{"message":"caf\\u00e9 \\ud83d\\ude00 ünïcödé ✓","n":1.50,"z":-0.0}',
  '{"msg":"audit: type=1400 apparmor=\\"DENIED\\" operation=\\"open\\""}',
  '{"log":"usb 1-1: new high-speed USB device number 2 using ehci-pci\\n"}',
  '{"MESSAGE":"systemd-journald[312]: Under memory pressure, flushing caches.","host":"h3"}',
  '{"message":""}',
  '{}',
];
