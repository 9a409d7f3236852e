// The component (oomlens_component.wasm, transpiled by jco) driven from JavaScript the way a
// host such as a Vector-style pipeline would: its outputs must equal the native CLI's on the
// same records, pass-through must be byte-identical, and bad input must never trap.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import {
  artifacts,
  assertJsonObject,
  corpusLogs,
  forgedRecord,
  forgedTexts,
  hasVictim,
  journaldRecord,
  kmsgRecord,
  ndjson,
  ordinaryRecords,
  recordTimeMs,
  repoRoot,
  requireArtifact,
  runNative,
  splitPassedAndEvents,
  stdoutLines,
  stormRecords,
  withForgeries,
} from './helpers.mjs';

requireArtifact(artifacts.transpiled);
const { filter } = await import(artifacts.transpiled);

const logs = corpusLogs();
const shapes = { journald: journaldRecord, kmsg: kmsgRecord };

/** Everything a transform emits for `records`, then `finish()`, as a host at EOF would. */
function runTransform(records, configJson = '{}') {
  const transform = filter.Transform.fromJson(configJson);
  const outputs = [];
  records.forEach((record, i) => {
    outputs.push(...transform.process(record, '', BigInt(recordTimeMs(i))));
  });
  outputs.push(...transform.finish());
  return { outputs, counters: transform.counters() };
}

/** Asserts `run` throws the typed `config-error` (a ComponentError with a message). */
function assertConfigError(run, what) {
  assert.throws(
    run,
    (error) => {
      assert.equal(error.constructor.name, 'ComponentError', `${what}: not a typed error`);
      assert.equal(typeof error.payload?.message, 'string', `${what}: no message`);
      assert.ok(error.payload.message.length > 0, `${what}: empty message`);
      return true;
    },
    what,
  );
}

describe('corpus through the transform equals the native CLI', () => {
  for (const [shape, toRecord] of Object.entries(shapes)) {
    for (const log of logs) {
      test(`${shape}: ${log.name}`, () => {
        const records = log.lines.map(toRecord);
        const { outputs, counters } = runTransform(records);
        assert.deepEqual(outputs, runNative(['filter'], ndjson(records)));
        splitPassedAndEvents(records, outputs);
        assert.equal(counters.recordsIn, BigInt(records.length));
        // Out counts events too: records passed through plus records folded is every record in.
        assert.equal(counters.recordsOut - counters.events + counters.recordsFolded, counters.recordsIn);
      });
    }
  }

  test('raw_lines pass: the CLI with --raw-lines pass agrees, and every record comes out', () => {
    const log = logs.find(hasVictim);
    const records = log.lines.map(journaldRecord);
    const { outputs } = runTransform(records, '{"raw_lines":"pass"}');
    assert.deepEqual(outputs, runNative(['filter', '--raw-lines', 'pass'], ndjson(records)));
    const passed = outputs.filter((output) => records.includes(output));
    assert.deepEqual(passed, records);
  });

  test('message and stream fields from options agree with the CLI', () => {
    const log = logs.find(hasVictim);
    const records = log.lines.map((line, i) =>
      JSON.stringify({ text: line, node: 'n7', seq: i }),
    );
    const config = '{"message_fields":["text"],"stream_fields":["node"]}';
    const { outputs } = runTransform(records, config);
    const cli = ['filter', '--message-field', 'text', '--stream-field', 'node'];
    assert.deepEqual(outputs, runNative(cli, ndjson(records)));
  });
});

describe('events', () => {
  for (const log of logs.filter(hasVictim)) {
    test(`a log with a kill yields an event: ${log.name}`, () => {
      const records = log.lines.map(journaldRecord);
      const events = splitPassedAndEvents(records, runTransform(records).outputs);
      assert.ok(events.length >= 1, 'no event');
    });
  }

  test('a report cut short comes out at flush after the timeout, not before', () => {
    const header = logs
      .flatMap((log) => log.lines)
      .find((line) => line.includes('invoked oom-killer:'));
    const transform = filter.Transform.fromJson('{"flush_timeout_ms":1000}');
    assert.equal(transform.nextFlushMs(), undefined, 'no report open');
    assert.deepEqual(transform.process(journaldRecord(header, 0), '', 10_000n), []);
    assert.equal(transform.nextFlushMs(), 11_000n, 'due a timeout after its line');
    assert.deepEqual(transform.flush(10_999n), []);
    const flushed = transform.flush(11_001n);
    assert.equal(flushed.length, 1);
    assertJsonObject(flushed[0]);
    assert.equal(transform.nextFlushMs(), undefined, 'nothing left to wait for');
    assert.deepEqual(transform.finish(), []);
  });

  test('finish emits the open report', () => {
    const header = logs
      .flatMap((log) => log.lines)
      .find((line) => line.includes('invoked oom-killer:'));
    const transform = filter.Transform.fromJson('{}');
    assert.deepEqual(transform.process(journaldRecord(header, 0), '', 1n), []);
    const finished = transform.finish();
    assert.equal(finished.length, 1);
    assertJsonObject(finished[0]);
  });

  for (const log of logs.filter(hasVictim)) {
    test(`analyze equals "oomlens analyze FILE": ${log.name}`, () => {
      const events = filter.analyze(log.text);
      assert.deepEqual(events, runNative(['analyze', log.path]));
      assert.ok(events.length >= 1, 'no event');
      events.forEach((event) => assertJsonObject(event));
    });
  }
});

describe('pass-through', () => {
  test('ordinary records come back byte-identical, in order', () => {
    const { outputs, counters } = runTransform(ordinaryRecords);
    assert.deepEqual(outputs, ordinaryRecords);
    assert.equal(counters.recordsIn, BigInt(ordinaryRecords.length));
  });

  test('process-batch equals process record by record', () => {
    const records = logs.flatMap((log) => log.lines).map(kmsgRecord);
    const batched = filter.Transform.fromJson('{}');
    const single = filter.Transform.fromJson('{}');
    const now = 5_000n;
    const one = records.flatMap((record) => single.process(record, 'kmsg', now));
    assert.deepEqual(batched.processBatch(records, 'kmsg', now), one);
    assert.deepEqual(batched.finish(), single.finish());
    assert.deepEqual(batched.counters(), single.counters());
  });

  const header = 'a invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0';
  const nested = (depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
  // Records the transform cannot read (documented: they pass through unchanged).
  const unreadable = {
    'not JSON': 'not json',
    'not JSON, OOM text': `not json ${header}`,
    'an array': '[1,2]',
    'a number message': '{"message": 5}',
    'a null message': '{"message": null, "MESSAGE": ["x"]}',
    'deep nesting': `{"message":"eth0: link up","deep":${nested(100_000)}}`,
    'deep nesting, no object': nested(100_000),
    'truncated JSON': `{"message":"${header}`,
    'a lone surrogate escape': `{"message":"\\ud800 ${header}"}`,
    'a message over max_line_bytes (5 MB)': JSON.stringify({
      message: `${header} ${'x'.repeat(5 << 20)}`,
    }),
    'an empty string': '',
  };
  for (const [what, record] of Object.entries(unreadable)) {
    test(`a bad record passes through unchanged: ${what}`, () => {
      const transform = filter.Transform.fromJson('{}');
      assert.deepEqual(transform.process(record, '', 1n), [record]);
      assert.deepEqual(transform.finish(), []);
      assert.equal(transform.counters().recordsIn, 1n);
    });
  }

  // Records a parser may or may not read: whatever it decides, no trap, and the record either
  // passes through unchanged or is folded into a report whose event is a JSON object.
  const ambiguous = {
    'deep nesting after an OOM message': `{"message":"${header}","deep":${nested(100_000)}}`,
    'duplicate message keys': `{"message":"x","message":"${header}"}`,
  };
  for (const [what, record] of Object.entries(ambiguous)) {
    test(`an odd record does not trap: ${what}`, () => {
      const transform = filter.Transform.fromJson('{}');
      const outputs = [...transform.process(record, '', 1n), ...transform.finish()];
      splitPassedAndEvents([record], outputs);
      assert.ok(outputs.length >= 1, 'the record vanished without an event');
    });
  }
});

describe('configuration', () => {
  test('default-config equals config-from-json of {} and builds a transform', () => {
    const defaults = filter.defaultConfig();
    assert.deepEqual(filter.configFromJson('{}'), defaults);
    assert.equal(defaults.rawLines, 'drop');
    assert.ok(defaults.messageFields.includes('message'));
    filter.Transform.fromConfig(defaults);
  });

  test('the example oomlens.json is valid and spells out the defaults', () => {
    const example = readFileSync(join(repoRoot, 'examples', 'fluent-bit', 'oomlens.json'), 'utf8');
    assert.deepEqual(filter.configFromJson(example), filter.defaultConfig());
  });

  test('the schema key: ecs by default, otel when asked, anything else refused', () => {
    assert.equal(filter.defaultConfig().schema, 'ecs');
    const otel = filter.configFromJson('{"schema":"otel"}');
    assert.equal(otel.schema, 'otel');
    filter.Transform.fromConfig(otel);
    // The same corpus log through an ecs and an otel transform: one request per event.
    const log = logs.find((l) => l.lines.some((line) => line.includes('Killed process')));
    const records = log.lines.map(kmsgRecord);
    const ecsEvents = runTransform(records).outputs.filter((o) => JSON.parse(o).oom);
    const requests = runTransform(records, '{"schema":"otel"}')
      .outputs.map((o) => JSON.parse(o))
      .filter((o) => o.resourceLogs);
    assert.ok(ecsEvents.length > 0);
    assert.equal(requests.length, ecsEvents.length);
    assertConfigError(() => filter.configFromJson('{"schema":"otlp"}'), 'an unknown schema');
  });

  test('config-from-json reads snake_case keys', () => {
    const config = filter.configFromJson('{"raw_lines":"embed","max_open_reports":3}');
    assert.equal(config.rawLines, 'embed');
    assert.equal(config.maxOpenReports, 3n);
  });

  const badJson = {
    'a zero cap': '{"max_open_reports":0}',
    'an unknown key': '{"max_open_report":10}',
    'not JSON': 'not json',
    'a wrong type': '{"raw_lines":"keep"}',
    'no message field': '{"message_fields":[]}',
  };
  for (const [what, json] of Object.entries(badJson)) {
    test(`from-json refuses ${what} with a typed error`, () => {
      assertConfigError(() => filter.Transform.fromJson(json), what);
      assertConfigError(() => filter.NdjsonFilter.fromJson(json), what);
      assertConfigError(() => filter.configFromJson(json), what);
    });
  }

  test('from-config refuses a zero cap and an empty message-fields with a typed error', () => {
    const defaults = filter.defaultConfig();
    assertConfigError(
      () => filter.Transform.fromConfig({ ...defaults, maxReportLines: 0n }),
      'zero max-report-lines',
    );
    assertConfigError(
      () => filter.Transform.fromConfig({ ...defaults, messageFields: [] }),
      'empty message-fields',
    );
  });

  test('a transform still works after refused configurations', () => {
    assertConfigError(() => filter.Transform.fromJson('{"max_line_bytes":0}'), 'zero cap');
    const transform = filter.Transform.fromJson('{}');
    assert.deepEqual(transform.process(ordinaryRecords[0], '', 1n), [ordinaryRecords[0]]);
  });
});

describe('ndjson-filter: NDJSON bytes in chunks', () => {
  const encoder = new TextEncoder();

  /**
   * `bytes` pushed in chunks of `size`, then finished, all at one moment (as the CLI reading
   * a file sees them): the output bytes and the counters.
   */
  function runNdjson(bytes, size, configJson = '{}') {
    const ndjsonFilter = filter.NdjsonFilter.fromJson(configJson);
    const now = BigInt(recordTimeMs(0));
    const outputs = [];
    for (let at = 0; at < bytes.length; at += size) {
      outputs.push(ndjsonFilter.push(bytes.subarray(at, at + size), '', now));
    }
    outputs.push(ndjsonFilter.finish('', now));
    return { output: Buffer.concat(outputs), counters: ndjsonFilter.counters() };
  }

  for (const [shape, toRecord] of Object.entries(shapes)) {
    test(`${shape}: the whole corpus, cut into chunks of every size, equals the native CLI`, () => {
      const records = logs.flatMap((log) => log.lines.map(toRecord));
      const input = encoder.encode(ndjson(records));
      const expected = runNative(['filter'], ndjson(records));
      for (const size of [input.length, 65_536, 4_096, 1_000, 7]) {
        const { output, counters } = runNdjson(input, size);
        assert.deepEqual(stdoutLines(output.toString('utf8')), expected, `chunks of ${size}`);
        assert.equal(counters.recordsIn, BigInt(records.length));
      }
    });
  }

  test('bytes that are not UTF-8, NULs and CRs pass through byte-identical', () => {
    const input = Buffer.concat([
      Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a]),
      Buffer.from('{"message":"\xc3\x28 eth0 up"}\r\n'),
      Buffer.from([0x80, 0x0a]),
    ]);
    for (const size of [1, 2, 3, input.length]) {
      assert.deepEqual(runNdjson(input, size).output, input, `chunks of ${size}`);
    }
  });

  test('a last record without its newline comes out at finish', () => {
    const ndjsonFilter = filter.NdjsonFilter.fromJson('{}');
    const record = ordinaryRecords[0];
    assert.equal(ndjsonFilter.push(encoder.encode(record), '', 1n).length, 0);
    assert.equal(Buffer.from(ndjsonFilter.finish('', 2n)).toString(), `${record}\n`);
    assert.equal(ndjsonFilter.counters().recordsIn, 1n);
  });

  test('a 5 MB record passes through, whole', () => {
    const record = JSON.stringify({ message: `invoked oom-killer ${'x'.repeat(5 << 20)}` });
    const input = encoder.encode(`${record}\n${ordinaryRecords[0]}\n`);
    const { output } = runNdjson(input, 65_536);
    assert.deepEqual(output, Buffer.from(input));
  });

  test('a report cut short comes out at flush after the timeout, not before', () => {
    const header = logs
      .flatMap((log) => log.lines)
      .find((line) => line.includes('invoked oom-killer:'));
    const ndjsonFilter = filter.NdjsonFilter.fromJson('{"flush_timeout_ms":1000}');
    const opening = journaldRecord(header, 0);
    assert.equal(ndjsonFilter.push(encoder.encode(`${opening}\n`), '', 10_000n).length, 0);
    assert.equal(ndjsonFilter.nextFlushMs(), 11_000n, 'due a timeout after its line');
    assert.equal(ndjsonFilter.flush(10_500n).length, 0);
    const [event] = stdoutLines(Buffer.from(ndjsonFilter.flush(11_001n)).toString());
    assert.equal(assertJsonObject(event).oom.complete, false);
  });
});

describe('provenance and storms in the component', () => {
  test('forged records alone give no event and are counted', () => {
    const records = [];
    for (let n = 0; n < 11; n += 1) for (const text of forgedTexts) records.push(forgedRecord(n, text));
    const { outputs, counters } = runTransform(records);
    assert.deepEqual(outputs, records, 'every forged record passes through, nothing else');
    assert.equal(counters.notKernel, BigInt(records.length));
    assert.equal(counters.events, 0n);
  });

  test('a forged record before every line of every corpus log changes no event', () => {
    for (const log of logs) {
      const records = log.lines.map(journaldRecord);
      const cli = runNative(['filter'], ndjson(records));
      const reference = splitPassedAndEvents(records, cli);
      const forged = withForgeries(records);
      const { outputs } = runTransform(forged);
      assert.deepEqual(outputs, runNative(['filter'], ndjson(forged)), `${log.name}: the CLI`);
      const events = splitPassedAndEvents(forged, outputs);
      assert.deepEqual(events, reference, `${log.name}: events`);
      // Every forged record (one per line) passes, besides what passed without them.
      const passed = (out, evs) => out.length - evs.length;
      assert.equal(passed(outputs, events), passed(cli, reference) + records.length, log.name);
    }
  });

  test('require_kernel_provenance: kernel-proven journald records still make events', () => {
    const log = logs.find(hasVictim);
    const records = log.lines.map(journaldRecord);
    const { outputs } = runTransform(records, '{"require_kernel_provenance":true}');
    const events = splitPassedAndEvents(records, outputs).map((e) => JSON.parse(e));
    assert.ok(events.length > 0);
    assert.ok(events.every((e) => e.oom.provenance === 'kernel'));
    const plain = log.lines.map((line) => JSON.stringify({ message: line }));
    const unverified = runTransform(plain, '{"require_kernel_provenance":true}');
    assert.deepEqual(unverified.outputs, plain, 'unverified lines pass untouched');
  });

  test('a storm folds as in the native CLI, in process and in ndjson-filter', () => {
    const records = stormRecords(500);
    const cli = runNative(['filter'], ndjson(records));
    const { outputs, counters } = runTransform(records);
    assert.deepEqual(outputs, cli);
    const events = splitPassedAndEvents(records, outputs).map((e) => JSON.parse(e));
    assert.ok(events.length >= 2 && events.length < 10, `${events.length} events for 500 reports`);
    const repeats = events.reduce((sum, e) => sum + (e.oom.repeats ?? 1), 0);
    assert.equal(repeats, 500, 'every report is the first event or folded into a follow-up');
    assert.equal(counters.stormFolded, 500n - BigInt(events.filter((e) => !e.oom.repeats).length));
    const ndjsonFilter = filter.NdjsonFilter.fromJson('{}');
    const bytes = new TextEncoder().encode(ndjson(records));
    let out = '';
    for (let at = 0; at < bytes.length; at += 4096) {
      out += new TextDecoder().decode(ndjsonFilter.push(bytes.subarray(at, at + 4096), '', BigInt(recordTimeMs(at >> 8))));
    }
    out += new TextDecoder().decode(ndjsonFilter.finish('', BigInt(recordTimeMs(bytes.length))));
    assert.deepEqual(stdoutLines(out), cli, 'ndjson-filter equals the CLI');
    const framed = splitPassedAndEvents(records, stdoutLines(out)).map((e) => JSON.parse(e));
    assert.equal(framed.reduce((sum, e) => sum + (e.oom.repeats ?? 1), 0), 500);
  });
});
