// The page on a whole boot log: a generated 10 MB dmesg (boot chatter with seven real corpus
// reports spliced in, one kill after another) pasted into the single-file page in Debian's
// chromium; times the analysis (the component's `analyze`, as the page calls it) and the
// analysis with the drawing of every report, beside the native CLI on the same file. The
// page must show the CLI's events, or the run fails.
//
//   web/build.sh && cargo build --release --bin oomlens && node bench/page.mjs [--mb 10] [--runs 5]
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  launchBrowser,
  nativeCli,
  nativeEvents,
  openPage,
  repoRoot,
  requireBuilt,
  shownReports,
  singleFileUrl,
} from '../web/test/browser.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (i % 2 === 0 ? [...pairs, [arg.replace(/^--/, ''), all[i + 1]]] : pairs), []),
);
const megabytes = Number(args.mb ?? 10);
const runs = Number(args.runs ?? 5);
requireBuilt();

/** Seven corpus reports printed with dmesg's [uptime] prefix, as the chatter is. */
const REPORTS = [
  'corpus/004-frag-order3-xorg-nvidia-4.7.log',
  'corpus/009-docker-v1-tmux-paste-dup-4.4.log',
  'corpus/011-docker-v1-tomcat-path-wrapped-4.15-azure.log',
  'corpus/018-k8s-pod-parent-oomgroup-grep-6.x.log',
  'extra/x01-memcg-own-leaker-5.2-lkml.log',
  'extra/x03-host-oom-arch-6.x-rg-grep-filtered.log',
  'extra/x06-frag-order9-pagealloc-ttm-amdgpu-5.10.log',
];

/** Ordinary boot and runtime lines, with a dmesg uptime prefix each. */
const CHATTER = [
  'e1000e 0000:00:19.0 eth0: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx',
  'EXT4-fs (sda1): mounted filesystem with ordered data mode. Opts: (null)',
  'audit: type=1400 audit(1700000000.123:42): apparmor="STATUS" operation="profile_load" profile="unconfined" name="/usr/bin/man" pid=812 comm="apparmor_parser"',
  'IPv6: ADDRCONF(NETDEV_CHANGE): veth3f2a1b0: link becomes ready',
  'docker0: port 3(veth3f2a1b0) entered forwarding state',
  'nf_conntrack: default automatic helper assignment has been turned off for security reasons',
  'usb 1-1: new high-speed USB device number 2 using xhci_hcd',
  'systemd[1]: Started Journal Service.',
  'TCP: request_sock_TCP: Possible SYN flooding on port 443. Sending cookies.',
  'ata1.00: configured for UDMA/133',
  'random: crng init done',
  'cgroup: fork rejected by pids controller in /system.slice/cron.service',
];

function bootLog(targetBytes) {
  const reports = REPORTS.map((name) => readFileSync(join(repoRoot, 'tests', 'fixtures', name), 'utf8'));
  const reportBytes = reports.reduce((sum, text) => sum + text.length, 0);
  const lineBytes = CHATTER.reduce((sum, line) => sum + line.length + 16, 0) / CHATTER.length;
  const chatterPerGap = Math.ceil((targetBytes - reportBytes) / lineBytes / (reports.length + 1));
  const parts = [];
  let line = 0;
  const chatter = () => {
    for (let i = 0; i < chatterPerGap; i += 1, line += 1) {
      const seconds = (line / 1000).toFixed(6).padStart(12);
      parts.push(`[${seconds}] ${CHATTER[line % CHATTER.length]}\n`);
    }
  };
  for (const report of reports) {
    chatter();
    parts.push(report.endsWith('\n') ? report : `${report}\n`);
  }
  chatter();
  return parts.join('');
}

const out = join(repoRoot, 'target', 'bench');
mkdirSync(out, { recursive: true });
const path = join(out, `boot-${megabytes}mb.log`);
const text = bootLog(megabytes * 1_000_000);
writeFileSync(path, text);
const lines = text.split('\n').length - 1;

const native = nativeEvents(path);
const nativeMs = [];
for (let i = 0; i < runs; i += 1) {
  const started = process.hrtime.bigint();
  const run = spawnSync(nativeCli, ['analyze', path], { encoding: 'utf8', maxBuffer: 1 << 28 });
  nativeMs.push(Number(process.hrtime.bigint() - started) / 1e6);
  assert.equal(run.status, 0);
}

const { browser, close } = await launchBrowser();
const analyzeMs = [];
const totalMs = [];
try {
  const { page, problems, requestsAfterLoad } = await openPage(browser, singleFileUrl);
  // The text is put into #log once, untimed (moving 10 MB into the page is the harness's
  // cost, not the page's); each run then times, inside the page, the click on #analyze to
  // the frame after every report is drawn.
  await page.$eval('#log', (area, logText) => {
    area.value = logText;
  }, text);
  for (let i = 0; i < runs; i += 1) {
    const timing = await page.evaluate(
      () =>
        new Promise((done) => {
          const started = performance.now();
          document.addEventListener(
            'oomlens:analyzed',
            (event) => requestAnimationFrame(() => done({ analyze: event.detail.ms, total: performance.now() - started })),
            { once: true },
          );
          document.querySelector('#analyze').click();
        }),
    );
    analyzeMs.push(timing.analyze);
    totalMs.push(timing.total);
  }
  const shown = await shownReports(page);
  assert.deepEqual(
    shown.map((r) => [r.cause, r.victimPid]),
    native.map((e) => [e.oom.cause, e.process?.pid ?? null]),
    'the page shows the CLI events',
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(requestsAfterLoad, []);
} finally {
  await close();
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const spread = (values) => `${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))}`;
const row = {
  bytes: text.length,
  lines,
  events: native.length,
  runs,
  page_analyze_ms: Math.round(median(analyzeMs)),
  page_total_ms: Math.round(median(totalMs)),
  native_cli_ms: Math.round(median(nativeMs)),
  load_average: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
};
writeFileSync(join(out, 'page.json'), `${JSON.stringify(row)}\n`);
console.log(
  `boot log ${(row.bytes / 1e6).toFixed(1)} MB, ${row.lines} lines, ${row.events} events; median of ${runs}:\n` +
    `  page, component analyze       ${row.page_analyze_ms} ms (runs ${spread(analyzeMs)})\n` +
    `  page, click to reports drawn  ${row.page_total_ms} ms (runs ${spread(totalMs)})\n` +
    `  native CLI, analyze FILE      ${row.native_cli_ms} ms (runs ${spread(nativeMs)}, process start included)\n` +
    `  load average ${row.load_average}`,
);
