// `oomlens filter` as a pipeline runs it, with stdin never closed: every record must come
// back, and every event come out, as soon as the command has it (stdout flushed then), not
// when input ends. For the native CLI and for the wasm command under `jco run`. Each test
// keeps stdin open until it has seen what it waits for, then closes it and expects exit 0
// with nothing else written.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import {
  artifacts,
  assertJsonObject,
  corpusLogs,
  here,
  journaldRecord,
  ndjson,
  ordinaryRecords,
  requireArtifact,
} from './helpers.mjs';

/** How long a warm command may take to hand back a record or an event: "a few seconds". */
const LATENCY_MS = 5_000;

const jco = join(here, 'node_modules', '.bin', 'jco');

/** Each command under test, with how long it may take to start (jco transpiles first). */
const commands = [
  {
    name: 'native CLI',
    argv: () => [requireArtifact(artifacts.nativeCli), 'filter'],
    startMs: 10_000,
  },
  {
    name: 'wasm command under jco run',
    argv: () => [jco, 'run', requireArtifact(artifacts.command), 'filter'],
    startMs: 120_000,
  },
];

const report = corpusLogs().find((log) => log.name === '009-docker-v1-tmux-paste-dup-4.4');
const reportRecords = report.lines.map(journaldRecord);
const [firstRecord, laterRecord] = ordinaryRecords;

/** A child's stdout as lines, each awaited in turn with a deadline. */
class StdoutLines {
  constructor(stream) {
    this.pending = '';
    this.lines = [];
    this.taken = 0;
    this.ended = false;
    this.wake = () => {};
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      this.pending += chunk;
      const parts = this.pending.split('\n');
      this.pending = parts.pop();
      this.lines.push(...parts);
      this.wake();
    });
    stream.on('end', () => {
      this.ended = true;
      this.wake();
    });
  }

  /** The next line, within `ms`; fails naming `what` if none comes or stdout ends first. */
  async next(what, ms) {
    const deadline = Date.now() + ms;
    while (this.taken >= this.lines.length) {
      if (this.ended) assert.fail(`stdout ended before ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) assert.fail(`no ${what} on stdout within ${ms} ms (stdin still open)`);
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.taken += 1;
    return this.lines[this.taken - 1];
  }

  /** Lines not taken yet, and any unterminated tail. */
  rest() {
    return [...this.lines.slice(this.taken), ...(this.pending ? [this.pending] : [])];
  }
}

/** Starts `argv` with piped stdio; its stdout lines, its stderr text and its exit code. */
function start(argv) {
  const [program, ...args] = argv;
  const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stdout: new StdoutLines(child.stdout), stderr: () => stderr, exited };
}

/** Closes stdin and expects exit 0 within `ms`, with no output left over. */
async function closeAndExit(run, ms) {
  run.child.stdin.end();
  let timer;
  const code = await Promise.race([
    run.exited,
    new Promise((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ms);
    }),
  ]);
  clearTimeout(timer);
  assert.equal(code, 0, `exit after stdin closed: ${code}; stderr: ${run.stderr()}`);
  assert.deepEqual(run.stdout.rest(), [], 'output after stdin closed');
}

/** Milliseconds since `started` (a `performance.now()`). */
const since = (started) => Math.round(performance.now() - started);

for (const { name, argv, startMs } of commands) {
  describe(`${name}: oomlens filter streams with stdin open`, () => {
    test('an ordinary record comes back before stdin closes', async (t) => {
      const run = start(argv());
      try {
        run.child.stdin.write(`${firstRecord}\n`);
        assert.equal(await run.stdout.next('first record back', startMs), firstRecord);
        // Started and warm: the pass-through latency of one record written alone.
        const started = performance.now();
        run.child.stdin.write(`${laterRecord}\n`);
        assert.equal(await run.stdout.next('second record back', LATENCY_MS), laterRecord);
        t.diagnostic(`pass-through latency: ${since(started)} ms`);
        await closeAndExit(run, startMs);
      } finally {
        run.child.kill();
      }
    });

    test('the event comes out as soon as its report completes, before stdin closes', async (t) => {
      const run = start(argv());
      try {
        // A record first, so the deadline below does not include start-up.
        run.child.stdin.write(`${firstRecord}\n`);
        assert.equal(await run.stdout.next('first record back', startMs), firstRecord);
        const started = performance.now();
        run.child.stdin.write(ndjson(reportRecords));
        const event = assertJsonObject(await run.stdout.next('event', LATENCY_MS));
        t.diagnostic(`event latency after the report's last record: ${since(started)} ms`);
        assert.equal(event.process?.pid, report.sidecar.expected_victim.pid, 'the victim');
        assert.equal(event.oom?.cause, report.sidecar.expected_cause, 'the cause');
        assert.equal(event.oom?.complete, true, 'the report is complete, not flushed early');
        // The report's records were replaced by the event, so nothing else came out.
        await closeAndExit(run, startMs);
      } finally {
        run.child.kill();
      }
    });

    test('a report whose kill line never comes is emitted after the flush timeout, stdin open', async (t) => {
      const timeoutMs = 300;
      const run = start([...argv(), '--flush-timeout-ms', String(timeoutMs)]);
      try {
        run.child.stdin.write(`${firstRecord}\n`);
        assert.equal(await run.stdout.next('first record back', startMs), firstRecord);
        // The report up to its kill: nothing more comes, and stdin stays open.
        const kill = reportRecords.findIndex((record) => /Kill(ed)? process|oom-kill:/.test(record));
        assert.ok(kill > 0, 'the report has a kill line to leave out');
        const started = performance.now();
        run.child.stdin.write(ndjson(reportRecords.slice(0, kill)));
        const event = assertJsonObject(await run.stdout.next('event', timeoutMs + LATENCY_MS));
        const waitedMs = since(started);
        t.diagnostic(`event ${waitedMs} ms after the report's last record (timeout ${timeoutMs} ms)`);
        assert.ok(waitedMs >= timeoutMs, `not before the timeout: ${waitedMs} ms`);
        assert.equal(event.oom?.complete, false, 'emitted as incomplete');
        assert.equal(event.oom?.lines, kill, 'it folded the records given');
        await closeAndExit(run, startMs);
      } finally {
        run.child.kill();
      }
    });
  });
}
