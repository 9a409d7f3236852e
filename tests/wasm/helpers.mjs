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

/**
 * Kernel lines a forger writes (`logger -t kernel`, a write to /dev/kmsg): a report's header,
 * its summary and its kill line. As tests/forgery/mod.rs, for the faces.
 */
export const forgedTexts = [
  'systemd invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
  'oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=systemd,pid=1,uid=0',
  'Out of memory: Killed process 1 (systemd) total-vm:9000kB, anon-rss:8000kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:40kB oom_score_adj:0',
];

/**
 * `text` forged through transport `n` (any integer; one of 11 shapes): journald JSON from a
 * process (and Fluent Bit's systemd namings), a userspace /dev/kmsg write read by journald,
 * raw and by `dmesg -r` and `dmesg -x`, syslog with a user facility or a pid on the kernel
 * tag. Each claims the stream of records whose host is `host`.
 */
export function forgedRecord(n, text, host = 'h1') {
  const shapes = [
    () => ({ MESSAGE: text, _TRANSPORT: 'syslog', SYSLOG_FACILITY: '1', SYSLOG_IDENTIFIER: 'kernel', _PID: '4242', _UID: '1000', host }),
    () => ({ message: text, _transport: 'stdout', syslog_identifier: 'kernel', _pid: '77', _uid: '1000', host }),
    () => ({ MESSAGE: text, TRANSPORT: 'journal', PID: '77', host }),
    () => ({ message: text, transport: 'kernel', syslog_facility: '3', host }),
    () => ({ MESSAGE: text, _TRANSPORT: 'kernel', SYSLOG_FACILITY: '1', host }),
    () => ({ message: `12,99999,5000500,-;${text}`, host }),
    () => ({ message: `<14>[    5.000500] ${text}`, host }),
    () => ({ message: `<13>Jan  1 00:00:05 ${host} kernel: ${text}` }),
    () => ({ message: `Jan  1 00:00:05 ${host} kernel[4242]: ${text}` }),
    () => ({ message: `Jan  1 00:00:05 ${host} user.notice kernel: ${text}` }),
    () => ({ message: `user  :notice: [    5.000500] ${text}`, host }),
  ];
  return JSON.stringify(shapes[n % shapes.length]());
}

/** `records` with a forged record before each one (every transport and text in turn). */
export function withForgeries(records, host = 'h1') {
  return records.flatMap((record, i) => [
    forgedRecord(i, forgedTexts[Math.floor(i / 11) % forgedTexts.length], host),
    record,
  ]);
}

/**
 * A storm: `repeats` memory cgroup OOMs with nothing killable, as journald records of host
 * `h1` (header, counters, stats, "no killable processes"), what mem_cgroup_out_of_memory
 * prints on every failed charge of such a cgroup.
 */
export function stormRecords(repeats) {
  const report = [
    'agent invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=-1000',
    'memory: usage 262144kB, limit 262144kB, failcnt 91311',
    'Memory cgroup stats for /system.slice/agent.service:',
    'Out of memory and no killable processes...',
  ];
  const lines = [];
  for (let i = 0; i < repeats; i += 1) lines.push(...report);
  return lines.map(journaldRecord);
}
