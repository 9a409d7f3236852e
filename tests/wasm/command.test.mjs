// The command component (the CLI built for wasm32-wasip2) under `jco run`, as a pipeline
// runs it under `wasmtime run`: on the same NDJSON stdin its stdout must equal the native
// CLI's, and each event must come out as soon as it is complete, not when stdin closes.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import {
  artifacts,
  corpusLogs,
  hasVictim,
  here,
  journaldRecord,
  kmsgRecord,
  ndjson,
  requireArtifact,
  runNative,
  splitPassedAndEvents,
  stdoutLines,
  stormRecords,
  withForgeries,
} from './helpers.mjs';

const jco = join(here, 'node_modules', '.bin', 'jco');
const preopenRoot = join(here, 'preopen-root.mjs');
const logs = corpusLogs();

/** `jco run oomlens.wasm ARGS` with `input` on stdin; its stdout lines (must exit 0). */
function runWasm(args, input = '') {
  requireArtifact(artifacts.command);
  const run = spawnSync(jco, ['run', '--jco-import', preopenRoot, artifacts.command, ...args], {
    input,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    timeout: 120_000,
  });
  assert.equal(run.status, 0, `jco run oomlens ${args.join(' ')} failed: ${run.stderr}`);
  return stdoutLines(run.stdout);
}

/** Every corpus log, one after the other, as one stream of records. */
function corpusStream(toRecord) {
  return logs.flatMap((log) => log.lines).map(toRecord);
}

describe('command component under jco run', () => {
  for (const [shape, toRecord] of [
    ['journald', journaldRecord],
    ['kmsg', kmsgRecord],
  ]) {
    test(`filter: the corpus as ${shape} records equals the native CLI`, () => {
      const input = ndjson(corpusStream(toRecord));
      const wasm = runWasm(['filter'], input);
      assert.deepEqual(wasm, runNative(['filter'], input));
      assert.ok(wasm.length > 0, 'no output at all');
    });
  }

  test('filter with options equals the native CLI', () => {
    const records = logs
      .flatMap((log) => log.lines)
      .map((line, i) => JSON.stringify({ text: line, node: `n${i % 2}` }));
    const args = [
      'filter',
      '--message-field',
      'text',
      '--stream-field',
      'node',
      '--raw-lines',
      'pass',
    ];
    const wasm = runWasm(args, ndjson(records));
    assert.deepEqual(wasm, runNative(args, ndjson(records)));
    assert.deepEqual(
      wasm.filter((line) => records.includes(line)),
      records,
      'with --raw-lines pass every record comes out',
    );
  });

  test('analyze FILE... equals the native CLI', () => {
    const paths = logs.filter(hasVictim).map((log) => log.path);
    const wasm = runWasm(['analyze', ...paths]);
    assert.deepEqual(wasm, runNative(['analyze', ...paths]));
    assert.ok(wasm.length >= paths.length, 'fewer events than logs with a kill');
  });

  test('filter emits an event as soon as its report is complete (stdout flushed)', async () => {
    requireArtifact(artifacts.command);
    const log = logs.find((candidate) => candidate.name === 'oomanalyser-rhel7');
    const killIndex = log.lines.findIndex((line) => line.includes('Killed process'));
    const records = log.lines.slice(0, killIndex + 1).map(journaldRecord);
    const child = spawn(jco, ['run', artifacts.command, 'filter'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let stdout = '';
    const sawEvent = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no event within 60 s')), 60_000);
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        if (splitPassedAndEvents(records, stdoutLines(stdout)).length > 0) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', () => {
        clearTimeout(timer);
        reject(new Error(`exited before the event with stdin open: ${stdout.slice(0, 200)}`));
      });
    });
    child.stdin.write(ndjson(records));
    try {
      await sawEvent;
    } finally {
      child.stdin.end();
      child.kill();
    }
  });
});

describe('provenance and storms in the command component', () => {
  test('forged records before every corpus line: the same events as without them', () => {
    const records = corpusStream(journaldRecord);
    const reference = splitPassedAndEvents(records, runNative(['filter'], ndjson(records)));
    const forged = withForgeries(records);
    const input = ndjson(forged);
    const wasm = runWasm(['filter'], input);
    assert.deepEqual(wasm, runNative(['filter'], input));
    assert.deepEqual(splitPassedAndEvents(forged, wasm), reference);
    assert.ok(reference.length > 0);
  });

  test('a storm folds as in the native CLI', () => {
    const input = ndjson(stormRecords(2000));
    const wasm = runWasm(['filter'], input);
    assert.deepEqual(wasm, runNative(['filter'], input));
    const events = wasm.filter((line) => line.includes('"oom"')).map((e) => JSON.parse(e));
    assert.ok(events.length < 10, `${events.length} events for 2000 reports`);
    assert.equal(events.reduce((sum, e) => sum + (e.oom.repeats ?? 1), 0), 2000);
  });
});
