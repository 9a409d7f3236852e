// Prints the benchmark's Markdown tables from the result rows bench/run.sh collected: one row
// per face and host (records/s, MB/s, ns per non-OOM record, peak memory, throughput against
// the native reference and against the naive baseline), then, when a second, larger run is
// given, each face's memory at both sizes.
//
//   node bench/table.mjs DIR [LARGER_DIR]
// Each DIR holds `native.json` (the native benchmark's `--json`: { workload, rows }) and one
// JSON row per other face and host.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ORDER = [
  'native-core',
  'native-ndjson',
  'naive',
  'native-cli',
  'floor-native',
  'component-process',
  'component-batch',
  'component-process-hoisted',
  'component-batch-hoisted',
  'component-ndjson',
  'floor-jco',
  'fluent-bit',
  'jco-run',
  'wasmtime-run',
  'floor-wasmtime',
];

/** The rows of one run directory, in ORDER, and the workload facts. */
function loadRun(dir) {
  const native = JSON.parse(readFileSync(join(dir, 'native.json'), 'utf8'));
  const rows = [...native.rows];
  for (const name of readdirSync(dir)) {
    if (name.endsWith('.json') && name !== 'native.json') {
      rows.push(JSON.parse(readFileSync(join(dir, name), 'utf8')));
    }
  }
  rows.sort((a, b) => ORDER.indexOf(a.id) - ORDER.indexOf(b.id));
  return { workload: native.workload, rows, byId: new Map(rows.map((row) => [row.id, row])) };
}

/**
 * How a table reads time: by the wall clock (what a user waits), or by CPU time (what stays
 * comparable when other work shares the machine).
 */
const CLOCKS = {
  wall: {
    name: 'wall-clock',
    total: (row) => row.seconds,
    chatter: (row) => row.chatter_seconds,
  },
  cpu: {
    name: 'CPU',
    total: (row) => row.cpu_seconds,
    chatter: (row) => row.chatter_cpu_seconds,
  },
};

function formatCount(value) {
  return Math.round(value).toLocaleString('en-US');
}

function formatBytes(bytes) {
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
  return `${Math.round(bytes / 1024)} KiB`;
}

function formatRatio(ratio) {
  return ratio >= 10 ? `${ratio.toFixed(0)}×` : `${ratio.toFixed(2)}×`;
}

function nsPerChatter(row, clock) {
  const seconds = clock.chatter(row);
  if (!row.chatter_records || seconds === null || seconds === undefined) return '-';
  return formatCount((seconds * 1e9) / row.chatter_records);
}

function memoryText(row) {
  if (!row.memory?.length) return '-';
  return row.memory.map(({ what, bytes }) => `${formatBytes(bytes)} ${what}`).join('; ');
}

function throughputTable({ rows, byId }, clock) {
  const perSecond = (row) => row.records / clock.total(row);
  const naive = byId.get('naive');
  const lines = [
    '| face | host | records/s | MB/s | ns per non-OOM record | peak memory | vs native ' +
      '| vs naive |',
    '|---|---|---:|---:|---:|---|---:|---:|',
  ];
  for (const row of rows) {
    const reference = byId.get(row.reference);
    const vsNative =
      row.id === row.reference
        ? '1 (reference)'
        : reference
          ? `${formatRatio(perSecond(row) / perSecond(reference))} ${reference.id}`
          : '-';
    const vsNaive = naive ? formatRatio(perSecond(row) / perSecond(naive)) : '-';
    lines.push(
      `| ${row.face} | ${row.host} | ${formatCount(perSecond(row))} | ` +
        `${(row.bytes / 1e6 / clock.total(row)).toFixed(1)} | ${nsPerChatter(row, clock)} | ` +
        `${memoryText(row)} | ${vsNative} | ${vsNaive} |`,
    );
  }
  return lines.join('\n');
}

/** Whether the face's own memory (its first measure) grew from the smaller run to the larger. */
function memoryTable(small, large) {
  const lines = [
    `| face | host | ${formatCount(small.workload.records)} records | ` +
      `${formatCount(large.workload.records)} records | grows with records? |`,
    '|---|---|---:|---:|---|',
  ];
  for (const row of small.rows) {
    const other = large.byId.get(row.id);
    const [mine] = row.memory ?? [];
    const theirs = other?.memory?.find((measure) => measure.what === mine?.what);
    if (!mine || !theirs) continue;
    // Allow a little noise (RSS is sampled; allocators round): growth means more than a
    // quarter and more than 1 MiB.
    const grows = theirs.bytes > mine.bytes * 1.25 && theirs.bytes - mine.bytes > 1 << 20;
    lines.push(
      `| ${row.face} | ${row.host} | ${formatBytes(mine.bytes)} ${mine.what} | ` +
        `${formatBytes(theirs.bytes)} | ${grows ? 'YES' : 'no'} |`,
    );
  }
  return lines.join('\n');
}

const [smallDir, largeDir] = process.argv.slice(2);
if (!smallDir) throw new Error('usage: node bench/table.mjs DIR [LARGER_DIR]');
const small = loadRun(smallDir);
const { workload } = small;
const core = small.byId.get('native-core');
console.log(
  `Workload: ${formatCount(workload.records)} journald records, ` +
    `${(workload.bytes / 1e6).toFixed(1)} MB, of which ${formatCount(workload.oom_lines)} ` +
    `records are lines of OOM reports (${formatCount(core?.events ?? 0)} events).\n`,
);
for (const clock of [CLOCKS.wall, CLOCKS.cpu]) {
  console.log(`By ${clock.name} time:\n`);
  console.log(`${throughputTable(small, clock)}\n`);
}
if (core) {
  console.log(
    `Byte scan alone (the opening markers over the record, native): ` +
      `${core.byte_scan_ns.toFixed(0)} ns per non-OOM record ` +
      `(${core.byte_scan_cpu_ns.toFixed(0)} ns of CPU). ` +
      `Allocations per non-OOM record (native core): ${core.allocations_per_non_oom_record}.`,
  );
}
const eventCounts = small.rows
  .filter((row) => Number.isInteger(row.events))
  .map((row) => `${row.face} in ${row.host}: ${row.events}`);
console.log(
  `\nEvents emitted (the same reports must give the same count): ${eventCounts.join('; ')}.`,
);
if (largeDir) {
  console.log(`\nPeak memory against the number of records:\n`);
  console.log(memoryTable(small, loadRun(largeDir)));
}
