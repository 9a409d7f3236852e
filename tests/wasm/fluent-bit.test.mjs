// The Fluent Bit module (oomlens_fluent_bit.wasm) in Node's WASI preview 1, called exactly as
// Fluent Bit's wasm filter calls it: tag and record copied into the module's memory with the
// module's own malloc (NUL-terminated), the filter function called, the NUL-terminated result
// read back, the copies freed with the module's free. Every result must be "" or a JSON
// object: anything else can make Fluent Bit abort.
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { WASI } from 'node:wasi';

import {
  artifacts,
  assertJsonObject,
  corpusLogs,
  forgedRecord,
  forgedTexts,
  kmsgRecord,
  ndjson,
  ordinaryRecords,
  repoRoot,
  requireArtifact,
  runNative,
  splitPassedAndEvents,
} from './helpers.mjs';

const wasmModule = new WebAssembly.Module(readFileSync(requireArtifact(artifacts.fluentBit)));
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

const rhel7 = corpusLogs().find((log) => log.name === 'oomanalyser-rhel7');
const killIndex = rhel7.lines.findIndex((line) => line.includes('Killed process'));
const T0_S = 1_750_000_000;
const TAG = 'kmsg.0';
const TICK_SUFFIX = '.tick';
const TICK = `oomlens${TICK_SUFFIX}`;

/**
 * A fresh module instance, as Fluent Bit makes one per [FILTER] section, with a temp dir
 * preopened as `guestDir` (Accessible_Paths) holding `oomlens.json` when `config` is given.
 */
function instantiate({ config, guestDir = '/etc/fluent-bit/oomlens' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'oomlens-fb-'));
  if (config !== undefined) writeFileSync(join(dir, 'oomlens.json'), config);
  const stderrPath = join(dir, 'stderr.txt');
  const stderrFd = openSync(stderrPath, 'w');
  const wasi = new WASI({
    version: 'preview1',
    args: [],
    env: {},
    preopens: { [guestDir]: dir },
    stderr: stderrFd,
    returnOnExit: true,
  });
  const instance = new WebAssembly.Instance(wasmModule, wasi.getImportObject());
  wasi.initialize(instance);
  const { memory, malloc, free } = instance.exports;

  /** Copies `text` + NUL into module memory with the module's malloc. */
  function copyIn(text) {
    const bytes = encoder.encode(text);
    const ptr = malloc(bytes.length + 1);
    assert.notEqual(ptr, 0, 'module malloc failed');
    const view = new Uint8Array(memory.buffer, ptr, bytes.length + 1);
    view.set(bytes);
    view[bytes.length] = 0;
    return { ptr, len: bytes.length };
  }

  /** The NUL-terminated UTF-8 string at `ptr`. */
  function readCString(ptr) {
    const heap = new Uint8Array(memory.buffer);
    const end = heap.indexOf(0, ptr);
    assert.ok(end >= ptr, 'result is not NUL-terminated');
    return decoder.decode(heap.subarray(ptr, end));
  }

  /**
   * One filter call. `record === null` passes a null pointer with `nullLen` as its length,
   * as Fluent Bit does when it could not copy the record. Returns the result pointer, its
   * text, and whether it is the input record's own pointer.
   */
  function call(fn, tag, timeS, record, { timeNs = 0, nullLen = 0 } = {}) {
    const tagCopy = copyIn(tag);
    const recordCopy = record === null ? { ptr: 0, len: nullLen } : copyIn(record);
    const result = instance.exports[fn](
      tagCopy.ptr,
      tagCopy.len,
      timeS,
      timeNs,
      recordCopy.ptr,
      recordCopy.len,
    );
    assert.notEqual(result, 0, `${fn} returned a null pointer`);
    const text = readCString(result);
    free(tagCopy.ptr);
    if (recordCopy.ptr !== 0) free(recordCopy.ptr);
    const isInput = record !== null && result === recordCopy.ptr;
    // The input is the host's own record (always an object in Fluent Bit); anything else the
    // module returns must be "" or an object.
    if (isInput) assert.equal(text, record, 'the input came back altered');
    else if (text !== '') assertJsonObject(text, `${fn}'s result`);
    return { text, isInput };
  }

  return {
    call,
    /** The module's linear memory, in bytes: everything it holds lives there. */
    memoryBytes() {
      return memory.buffer.byteLength;
    },
    stderr() {
      return readFileSync(stderrPath, 'utf8');
    },
    close() {
      closeSync(stderrFd);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Feeds `lines` as kmsg records one second apart from `startS`; returns every result. */
function feed(filterInstance, fn, lines, startS = T0_S) {
  return lines.map((line, i) => filterInstance.call(fn, TAG, startS, kmsgRecord(line, i)));
}

/** Sends ticks `stepS` apart until one returns "" and returns the events they released. */
function drainWithTicks(filterInstance, fn, fromS, stepS = 10) {
  const events = [];
  for (let i = 1; i <= 100; i += 1) {
    const { text } = filterInstance.call(fn, TICK, fromS + i * stepS, '{"tick":1}');
    if (text === '') return events;
    events.push(text);
  }
  assert.fail('ticks never drained the outbox');
}


/** Drains the module's outbox with ticks and checks that what it emitted for `records` is
 * what the native `oomlens filter` emits: the events (and, with `passedToo`, the records
 * passed). */
function drainAndCompareWithCli(fb, log, records, outputs, { passedToo = false } = {}) {
  outputs.push(...drainWithTicks(fb, 'oomlens_filter', T0_S + 3600));
  const cli = runNative(['filter'], ndjson(records));
  if (passedToo) {
    const passed = (lines) => lines.filter((line) => records.includes(line));
    assert.deepEqual(passed(outputs), passed(cli), `${log.name}: passed records`);
  }
  assert.deepEqual(
    splitPassedAndEvents(records, outputs),
    splitPassedAndEvents(records, cli),
    `${log.name}: events`,
  );
}

describe('provenance in the Fluent Bit module', () => {
  // Fluent Bit's systemd input keeps journald's fields (Lowercase and Strip_Underscores rename
  // them); its kmsg input keeps only the level, so there a kernel-claimed line is unverified.
  test('forged records before every corpus line: the same events as the CLI without them', () => {
    for (const log of corpusLogs()) {
      const fb = instantiate();
      try {
        // All at one time, as `feed` gives them: the CLI's reference has no timeouts either.
        const records = log.lines.map(kmsgRecord);
        const outputs = [];
        records.forEach((record, i) => {
          const forged = forgedRecord(i, forgedTexts[i % forgedTexts.length], 'h1');
          const result = fb.call('oomlens_filter', TAG, T0_S, forged);
          assert.ok(result.isInput, `${log.name}: a forged record did not pass: ${forged}`);
          const { text } = fb.call('oomlens_filter', TAG, T0_S, record);
          if (text !== '') outputs.push(text);
        });
        drainAndCompareWithCli(fb, log, records, outputs);
      } finally {
        fb.close();
      }
    }
  });

  test('kmsg-input records say provenance unverified', () => {
    const fb = instantiate();
    try {
      const results = feed(fb, 'oomlens_filter', rhel7.lines.slice(0, killIndex + 1));
      const event = JSON.parse(results[killIndex].text);
      assert.equal(event.oom.provenance, 'unverified');
    } finally {
      fb.close();
    }
  });
});

describe('Fluent Bit module', () => {
  test('exports the filter presets and malloc/free for the host', () => {
    const names = WebAssembly.Module.exports(wasmModule).map((e) => e.name);
    for (const name of [
      'oomlens_filter',
      'oomlens_filter_pass',
      'oomlens_filter_embed',
      'malloc',
      'free',
      'memory',
    ]) {
      assert.ok(names.includes(name), `missing export ${name}`);
    }
    assert.ok(!names.includes('_start'), 'a filter module must not be a command');
  });

  // WAMR (wasm_runtime_instantiate) prints "a module with WASI apis should be either a command
  // or a reactor" to Fluent Bit's stdout for a WASI module exporting neither `_start` nor
  // `_initialize`: the module must be a reactor, whose `_initialize` takes no argument and
  // returns nothing, and which the host calls once.
  test('is a WASI reactor: imports WASI, exports _initialize () -> ()', () => {
    const imports = WebAssembly.Module.imports(wasmModule);
    assert.ok(imports.some((i) => i.module === 'wasi_snapshot_preview1'), 'imports WASI');
    const init = WebAssembly.Module.exports(wasmModule).find((e) => e.name === '_initialize');
    assert.equal(init?.kind, 'function', 'missing export _initialize');
    const wasi = new WASI({ version: 'preview1', args: [], env: {}, returnOnExit: true });
    const instance = new WebAssembly.Instance(wasmModule, wasi.getImportObject());
    assert.equal(instance.exports._initialize.length, 0, '_initialize takes no parameter');
    // wasi.initialize calls _initialize (and throws if there were a _start); a second call
    // by a careless host must do nothing rather than run the constructors again.
    wasi.initialize(instance);
    assert.equal(instance.exports._initialize(), undefined, '_initialize returns nothing');
  });

  test('the example configs name exported functions and a heartbeat the filter sees', () => {
    const exported = WebAssembly.Module.exports(wasmModule).map((e) => e.name);
    for (const file of ['fluent-bit.conf', 'fluent-bit.yaml']) {
      const text = readFileSync(join(repoRoot, 'examples', 'fluent-bit', file), 'utf8');
      const live = text
        .split('\n')
        .filter((line) => !line.trim().startsWith('#'))
        .join('\n');
      const value = (key) => live.match(new RegExp(`^\\s*-?\\s*${key}[:\\s]\\s*(\\S+)`, 'im'))?.[1];
      assert.ok(exported.includes(value('function_name')), `${file}: Function_Name`);
      assert.equal(value('event_format'), 'json', `${file}: Event_Format`);
      const tags = [...live.matchAll(/^\s*-?\s*tag[:\s]\s*(\S+)/gim)].map((m) => m[1]);
      const tick = tags.find((tag) => tag.endsWith(TICK_SUFFIX));
      assert.ok(tick, `${file}: no heartbeat input`);
      const match = value('match').replace(/^'|'$/g, '');
      const matches = new RegExp(`^${match.replace(/\./g, '\\.').replace(/\*/g, '.*')}$`);
      assert.ok(matches.test(tick), `${file}: the filter does not match ${tick}`);
    }
  });

  test('an ordinary record comes back as the same pointer, same bytes', () => {
    const fb = instantiate();
    try {
      for (const record of ordinaryRecords) {
        const result = fb.call('oomlens_filter', TAG, T0_S, record);
        assert.ok(result.isInput, `not passed through: ${record}`);
        assert.equal(result.text, record);
      }
    } finally {
      fb.close();
    }
  });

  test('a report\'s lines return "", its kill line returns the event', () => {
    const fb = instantiate();
    try {
      const results = feed(fb, 'oomlens_filter', rhel7.lines.slice(0, killIndex + 1));
      assert.equal(results[0].text, '', 'the header line was not folded');
      const kill = results[killIndex];
      assert.ok(!kill.isInput && kill.text !== '', 'the kill line did not return an event');
    } finally {
      fb.close();
    }
  });

  // One output per call means an event emitted together with a passed record waits for the
  // next call that drops its record: the interleaving may differ from the CLI's, but the
  // passed records and the events must each be the CLI's, in the CLI's order.
  test('the corpus as kmsg records: the same records and events as the native CLI', () => {
    for (const log of corpusLogs()) {
      const fb = instantiate();
      try {
        const records = log.lines.map(kmsgRecord);
        const outputs = feed(fb, 'oomlens_filter', log.lines)
          .map((result) => result.text)
          .filter((text) => text !== '');
        drainAndCompareWithCli(fb, log, records, outputs, { passedToo: true });
      } finally {
        fb.close();
      }
    }
  });

  test('a null record pointer returns "" and does not trap; one warning', () => {
    const fb = instantiate();
    try {
      for (let i = 0; i < 3; i += 1) {
        const result = fb.call('oomlens_filter', TAG, T0_S, null, { nullLen: 300_000 });
        assert.equal(result.text, '');
      }
      const warnings = fb.stderr().trim().split('\n');
      assert.equal(warnings.length, 1, fb.stderr());
      assert.match(warnings[0], /^oomlens: .*300000 bytes.*null pointer/);
      assert.ok(fb.call('oomlens_filter', TAG, T0_S, ordinaryRecords[0]).isInput);
    } finally {
      fb.close();
    }
  });

  test('a 200 KB record passes through, with or without OOM text', () => {
    const fb = instantiate();
    try {
      const filler = 'x'.repeat(200_000);
      for (const message of [filler, `${rhel7.lines[0]} ${filler}`]) {
        const record = JSON.stringify({ msg: message, priority: 6 });
        const result = fb.call('oomlens_filter', TAG, T0_S, record);
        assert.ok(result.isInput);
        assert.equal(result.text, record);
      }
    } finally {
      fb.close();
    }
  });

  test('heartbeats are dropped, and release a stale report\'s event after the timeout', () => {
    const fb = instantiate();
    try {
      const tick = (s) => fb.call('oomlens_filter', TICK, s, '{"message":"dummy"}').text;
      const results = feed(fb, 'oomlens_filter', rhel7.lines.slice(0, killIndex));
      assert.ok(results.every((result) => !result.isInput), 'report lines passed through');
      assert.equal(tick(T0_S + 1), '', 'flushed before the 5 s timeout');
      const event = tick(T0_S + 6);
      assert.notEqual(event, '', 'the stale report did not come out');
      assertJsonObject(event);
      assert.equal(tick(T0_S + 7), '');
    } finally {
      fb.close();
    }
  });

  test('a tick is never processed, whatever it says', () => {
    const fb = instantiate();
    try {
      const header = JSON.stringify({ msg: rhel7.lines[0] });
      assert.equal(fb.call('oomlens_filter', TICK, T0_S, header).text, '');
      const second = fb.call('oomlens_filter', TAG, T0_S, kmsgRecord(rhel7.lines[1], 1));
      assert.ok(second.isInput, 'the tick opened a report');
    } finally {
      fb.close();
    }
  });

  test('the pass preset passes every record and the event follows at the next tick', () => {
    const fb = instantiate();
    try {
      const results = feed(fb, 'oomlens_filter_pass', rhel7.lines.slice(0, killIndex + 1));
      assert.ok(results.every((result) => result.isInput), 'a record did not pass');
      const events = drainWithTicks(fb, 'oomlens_filter_pass', T0_S);
      assert.equal(events.length, 1);
    } finally {
      fb.close();
    }
  });

  for (const guestDir of ['.', '/etc/fluent-bit/oomlens']) {
    test(`oomlens.json in the first preopened dir (${guestDir}) sets the configuration`, () => {
      const fb = instantiate({ config: '{"raw_lines":"pass"}', guestDir });
      try {
        const results = feed(fb, 'oomlens_filter', rhel7.lines.slice(0, killIndex + 1));
        assert.ok(results.every((result) => result.isInput), 'a record did not pass');
        assert.equal(fb.stderr(), '');
        assert.equal(drainWithTicks(fb, 'oomlens_filter', T0_S).length, 1);
      } finally {
        fb.close();
      }
    });
  }

  test('message_fields from oomlens.json decide which field is read', () => {
    const fb = instantiate({ config: '{"message_fields":["text"]}' });
    try {
      const asMsg = fb.call('oomlens_filter', TAG, T0_S, JSON.stringify({ msg: rhel7.lines[0] }));
      assert.ok(asMsg.isInput, '`msg` was read though not configured');
      const asText = fb.call('oomlens_filter', TAG, T0_S, JSON.stringify({ text: rhel7.lines[0] }));
      assert.equal(asText.text, '', '`text` was not read');
    } finally {
      fb.close();
    }
  });

  test('schema otel from oomlens.json: the kill line returns an OTLP/JSON logs request', () => {
    const fb = instantiate({ config: '{"schema":"otel"}' });
    try {
      const results = feed(fb, 'oomlens_filter', rhel7.lines.slice(0, killIndex + 1));
      const request = JSON.parse(results[killIndex].text);
      const [record] = request.resourceLogs[0].scopeLogs[0].logRecords;
      const attribute = (key) => record.attributes.find((a) => a.key === key)?.value;
      assert.equal(record.eventName, 'oomlens.oom_kill');
      assert.ok(attribute('oom.cause')?.stringValue, 'no oom.cause attribute');
      assert.match(attribute('process.pid')?.intValue ?? '', /^\d+$/);
      assert.equal(fb.stderr(), '', 'the schema key was refused');
    } finally {
      fb.close();
    }
  });

  for (const [what, config, guestDir] of [
    ['a zero cap', '{"max_open_reports":0}', '.'],
    ['an unknown key', '{"raw_line":"pass"}', '/etc/fluent-bit/oomlens'],
    ['not JSON', 'raw_lines: pass', '/etc/fluent-bit/oomlens/'],
  ]) {
    test(`an invalid oomlens.json (${what}, in ${guestDir}): one stderr line, the defaults`, () => {
      const fb = instantiate({ config, guestDir });
      try {
        const results = feed(fb, 'oomlens_filter', rhel7.lines.slice(0, 3));
        feed(fb, 'oomlens_filter', [ordinaryRecords[0]]);
        const lines = fb.stderr().trim().split('\n');
        assert.equal(lines.length, 1, fb.stderr());
        assert.match(lines[0], /^oomlens: .*oomlens\.json: .*using the defaults$/);
        assert.equal(results[0].text, '', 'the defaults did not fold the header');
      } finally {
        fb.close();
      }
    });
  }

  test('no oomlens.json: the defaults, silently', () => {
    const fb = instantiate();
    try {
      const results = feed(fb, 'oomlens_filter', rhel7.lines.slice(0, 2));
      assert.equal(fb.stderr(), '');
      assert.equal(results[0].text, '');
    } finally {
      fb.close();
    }
  });

  // Fluent Bit only sends objects; the others show that nothing a host sends can trap.
  test('deeply nested and non-object records do not trap', () => {
    const fb = instantiate();
    try {
      const deep = `{"msg":${JSON.stringify(rhel7.lines[0])},"d":${'['.repeat(50_000)}${']'.repeat(50_000)}}`;
      for (const record of [deep, '[1,2]', 'not json', '{"msg":5}']) {
        const result = fb.call('oomlens_filter', TAG, T0_S, record);
        assert.ok(result.isInput || result.text === '', record.slice(0, 40));
      }
    } finally {
      fb.close();
    }
  });
});

describe('Fluent Bit module memory stays within its caps (linear memory size)', () => {
  const header = 'stress invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0';
  const table = '[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name';
  const killed =
    'Out of memory: Killed process 99 (stress) total-vm:9000kB, anon-rss:8000kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:40kB oom_score_adj:0';
  const row = (i) => `[${String(i).padStart(7)}]     0 ${i}    10000    ${i % 9973}    65536        0             0 worker-${i}`;
  const record = (msg, host = 'h0') => JSON.stringify({ msg, host });
  const MiB = 1 << 20;

  /** A module that has already handled one whole report, so one-time set-up is done. */
  function warmed(config) {
    const filter = instantiate({ config });
    for (const line of [header, table, row(1), killed]) filter.call('oomlens_filter', TAG, T0_S, record(line));
    return filter;
  }

  test('100 000 interleaved hosts: at most max_open_reports open, memory flat', (t) => {
    const filter = warmed('{"max_open_reports": 1000}');
    const before = filter.memoryBytes();
    let events = 0;
    for (let host = 0; host < 100_000; host += 1) {
      const { text } = filter.call('oomlens_filter', TAG, T0_S, record(header, `h${host}`));
      if (text !== '') events += 1;
    }
    const grown = filter.memoryBytes() - before;
    t.diagnostic(`linear memory ${before} -> ${before + grown} bytes`);
    filter.close();
    assert.ok(grown <= 16 * MiB, `linear memory grew by ${grown} bytes`);
    assert.ok(events >= 98_000, `evicted reports come out as events (${events})`);
  });

  test('an endless report without a kill line is cut at max_report_lines', (t) => {
    const filter = warmed('{"max_report_lines": 5000}');
    const before = filter.memoryBytes();
    const results = [header, table].concat(Array.from({ length: 50_000 }, (_, i) => row(i)))
      .map((line) => filter.call('oomlens_filter', TAG, T0_S, record(line)).text);
    const grown = filter.memoryBytes() - before;
    t.diagnostic(`linear memory ${before} -> ${before + grown} bytes`);
    filter.close();
    assert.ok(grown <= 2 * MiB, `linear memory grew by ${grown} bytes`);
    const truncated = results.filter((text) => text.includes('"truncated_by":"max_report_lines"'));
    assert.equal(truncated.length, 1, 'the capped report is emitted once, saying why');
  });

  test('100 000 task rows: one event, memory flat', (t) => {
    const filter = warmed();
    const before = filter.memoryBytes();
    const lines = [header, table].concat(Array.from({ length: 100_000 }, (_, i) => row(i)), [killed]);
    const events = lines.map((line) => filter.call('oomlens_filter', TAG, T0_S, record(line)).text).filter((t) => t !== '');
    const grown = filter.memoryBytes() - before;
    t.diagnostic(`linear memory ${before} -> ${before + grown} bytes`);
    filter.close();
    assert.ok(grown <= 2 * MiB, `linear memory grew by ${grown} bytes`);
    assert.equal(events.length, 1);
    assert.equal(JSON.parse(events[0]).oom.complete, true);
  });

  test('a 10 MB record passes through without a copy of its own', (t) => {
    const filter = warmed();
    const huge = record(`invoked oom-killer: ${'x'.repeat(10 * MiB)}`);
    const before = filter.memoryBytes();
    const { isInput } = filter.call('oomlens_filter', TAG, T0_S, huge);
    const grown = filter.memoryBytes() - before;
    t.diagnostic(`linear memory ${before} -> ${before + grown} bytes`);
    filter.close();
    assert.ok(isInput, 'the record comes back as the input pointer');
    // The host's copy of the record lives in linear memory; the module adds at most 1 MiB.
    assert.ok(grown <= huge.length + 2 * MiB, `linear memory grew by ${grown} bytes`);
  });
});
