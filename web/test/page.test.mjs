// The page in a real browser (Debian's chromium, headless), served from web/dist/ and opened
// as the single file from disk: every fixture log pasted into #log must show exactly the
// native CLI's events, with no console error and no request after load.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import {
  analyzeInPage,
  distDir,
  launchBrowser,
  nativeCli,
  nativeEvents,
  nativeFilterEvents,
  openPage,
  repoRoot,
  requireBuilt,
  serveDist,
  shownReports,
  singleFileUrl,
} from './browser.mjs';

requireBuilt();

const fixtureDirs = ['corpus', 'extra'].map((dir) => join(repoRoot, 'tests', 'fixtures', dir));
const fixtures = fixtureDirs.flatMap((dir) =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.log'))
    .sort()
    .map((name) => ({ name, path: join(dir, name) })),
);
const screenshots = join(distDir, 'screenshots');
mkdirSync(screenshots, { recursive: true });

/** A screenshot of the page from `selector` down, `height` pixels tall, for a person to look at. */
async function screenshotFrom(page, selector, name, height = 1600) {
  const top = await page.$eval(selector, (element) => element.getBoundingClientRect().top + window.scrollY);
  const width = await page.evaluate(() => document.documentElement.clientWidth);
  await page.screenshot({
    path: join(screenshots, name),
    clip: { x: 0, y: Math.max(0, top - 8), width, height },
    captureBeyondViewport: true,
  });
}

/** Asserts the page's articles say what the CLI's events say, report by report. */
function assertSameReports(shown, events, what) {
  assert.equal(shown.length, events.length, `${what}: ${shown.length} reports shown, the CLI has ${events.length}`);
  events.forEach((event, i) => {
    const report = shown[i];
    const at = `${what}, report ${i + 1}`;
    assert.equal(report.cause, event.oom.cause, `${at}: cause`);
    assert.equal(report.causeCode, event.oom.cause, `${at}: cause shown`);
    assert.equal(report.confidence, event.oom.confidence, `${at}: confidence`);
    assert.equal(report.victimPid, event.process?.pid ?? null, `${at}: victim pid`);
    assert.equal(report.sentence, event.message, `${at}: sentence`);
    assert.deepEqual(report.evidence, event.oom.evidence ?? [], `${at}: evidence`);
    const commands = (event.oom.remediation ?? []).map((r) => r.command).filter(Boolean);
    assert.deepEqual(report.commands, commands, `${at}: remediation commands`);
    assert.equal(report.copyButtons, commands.length, `${at}: one copy button per command`);
    if (event.process?.name) assert.ok(report.facts.includes(event.process.name), `${at}: victim name shown`);
    assert.equal(report.unnamedSvgs, 0, `${at}: every diagram has a text name`);
  });
}

let browser;
let server;
before(async () => {
  browser = await launchBrowser();
  server = await serveDist();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

for (const variant of ['served from web/dist/', 'single file from disk']) {
  describe(`the page ${variant}`, () => {
    let opened;
    before(async () => {
      opened = await openPage(browser.browser, variant.startsWith('served') ? server.url : singleFileUrl);
    });
    after(async () => {
      await opened?.page.close();
    });

    for (const fixture of fixtures) {
      test(fixture.name, async () => {
        const detail = await analyzeInPage(opened.page, readFileSync(fixture.path, 'utf8'));
        const shown = await shownReports(opened.page);
        assert.equal(detail.events, shown.length);
        assertSameReports(shown, nativeEvents(fixture.path), fixture.name);
      });
    }

    test('journald NDJSON records show the events `oomlens filter` emits', async () => {
      const fixture = fixtures.find((f) => f.name.startsWith('006-'));
      const lines = readFileSync(fixture.path, 'utf8').split('\n').filter(Boolean);
      const ndjson = lines
        .map((line, i) => `${JSON.stringify({ MESSAGE: line, _HOSTNAME: 'node-7', _TRANSPORT: 'kernel', __CURSOR: `c${i}` })}\n`)
        .join('');
      await analyzeInPage(opened.page, ndjson);
      const events = nativeFilterEvents(ndjson);
      assert.ok(events.length > 0, 'the CLI found the report in the records');
      assertSameReports(await shownReports(opened.page), events, 'journald NDJSON');
    });

    test('no console error, no page error, no request after load', () => {
      assert.deepEqual(opened.problems, []);
      assert.deepEqual(opened.requestsAfterLoad, []);
    });
  });
}

describe('reading and using the page', () => {
  let opened;
  before(async () => {
    opened = await openPage(browser.browser, singleFileUrl);
  });
  after(async () => {
    await opened?.page.close();
  });

  test('Japanese: the frame and labels change, the event message stays English', async () => {
    const { page } = opened;
    const fixture = fixtures.find((f) => f.name.startsWith('x19-'));
    await analyzeInPage(page, readFileSync(fixture.path, 'utf8'));
    const before = await shownReports(page);
    await page.select('#lang', 'ja');
    const after = await shownReports(page);
    assert.equal(await page.$eval('html', (html) => html.lang), 'ja');
    assert.match(await page.$eval('#analyze', (b) => b.textContent), /解析/);
    assert.match(await page.$eval('article.report h3', (e) => e.textContent), /レポート 1/);
    assert.match(await page.$eval('article.report .cause-badge', (e) => e.textContent), /原因/);
    assert.deepEqual(
      after.map((r) => [r.cause, r.confidence, r.victimPid, r.sentence]),
      before.map((r) => [r.cause, r.confidence, r.victimPid, r.sentence]),
    );
    await screenshotFrom(page, '#results', 'ja-host-oomgroup.png');
    await page.select('#lang', 'en');
  });

  test('several reports get a timeline whose marks lead to each report', async () => {
    const { page } = opened;
    const fixture = fixtures.find((f) => f.name.startsWith('x18-'));
    await analyzeInPage(page, readFileSync(fixture.path, 'utf8'));
    const marks = await page.$$eval('.diagram-timeline a.mark', (links) => links.map((a) => a.getAttribute('href')));
    const reports = await page.$$eval('article.report', (articles) => articles.map((a) => `#${a.id}`));
    assert.ok(reports.length > 1);
    assert.deepEqual(marks, reports);
    await screenshotFrom(page, '#results', 'timeline-k8s-oomgroup.png');
  });

  test('keyboard only: Tab goes from the settings to #log, then #analyze; Enter runs it; copy buttons are buttons', async () => {
    const { page } = opened;
    const fixture = fixtures.find((f) => f.name.startsWith('006-'));
    await page.$eval('#log', (area, text) => {
      area.value = text;
    }, readFileSync(fixture.path, 'utf8'));
    await page.$eval('#results', (results) => results.replaceChildren());
    // From the last setting in the header, the keyboard goes to the log, then to the button.
    await page.focus('#theme');
    const order = [];
    for (let i = 0; i < 2; i += 1) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName));
    }
    assert.deepEqual(order, ['log', 'analyze']);
    const analyzed = page.evaluate(
      () => new Promise((done) => document.addEventListener('oomlens:analyzed', (e) => done(e.detail), { once: true })),
    );
    await page.keyboard.press('Enter');
    assert.equal((await analyzed).events, nativeEvents(fixture.path).length);
    const copyTags = await page.$$eval('.remediation .copy', (buttons) => buttons.map((b) => b.tagName));
    assert.ok(copyTags.length > 0 && copyTags.every((tag) => tag === 'BUTTON'));
  });

  test('a file opened with the file button, or dropped on the page, is analysed', async () => {
    const { page } = opened;
    const fixture = fixtures.find((f) => f.name.startsWith('x20-'));
    const expected = nativeEvents(fixture.path).map((e) => [e.oom.cause, e.process?.pid ?? null]);
    const whenAnalyzed = () =>
      page.evaluate(() => new Promise((done) => document.addEventListener('oomlens:analyzed', done, { once: true })));
    await page.$eval('#log', (area) => {
      area.value = '';
    });
    let analyzed = whenAnalyzed();
    const input = await page.$('#file');
    await input.uploadFile(fixture.path);
    await analyzed;
    assert.deepEqual((await shownReports(page)).map((r) => [r.cause, r.victimPid]), expected);
    assert.equal(await page.$eval('#log', (area) => area.value), readFileSync(fixture.path, 'utf8'));

    const other = fixtures.find((f) => f.name.startsWith('x21-'));
    analyzed = whenAnalyzed();
    await page.evaluate((text) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], 'kern.log', { type: 'text/plain' }));
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, readFileSync(other.path, 'utf8'));
    await analyzed;
    assert.deepEqual(
      (await shownReports(page)).map((r) => [r.cause, r.victimPid]),
      nativeEvents(other.path).map((e) => [e.oom.cause, e.process?.pid ?? null]),
    );
  });

  test('a copy button copies its command and says so', async () => {
    const { page } = opened;
    const fixture = fixtures.find((f) => f.name.startsWith('004-'));
    await analyzeInPage(page, readFileSync(fixture.path, 'utf8'));
    // Record what the page hands the clipboard: through the Clipboard API, or through the
    // copy command on a selected textarea where the API is refused.
    await page.evaluate(() => {
      window.copiedTexts = [];
      const writeText = navigator.clipboard.writeText.bind(navigator.clipboard);
      navigator.clipboard.writeText = (text) => {
        window.copiedTexts.push(text);
        return writeText(text);
      };
      document.addEventListener('copy', () => {
        const area = document.activeElement;
        if (area?.tagName === 'TEXTAREA') window.copiedTexts.push(area.value.slice(area.selectionStart, area.selectionEnd));
      });
    });
    const command = await page.$eval('.remediation pre code', (code) => code.textContent);
    await page.click('.remediation button.copy');
    await page.waitForFunction(() => document.querySelector('.remediation button.copy').textContent !== 'Copy');
    assert.equal(await page.$eval('.remediation button.copy', (b) => b.textContent), 'Copied');
    assert.equal(await page.evaluate(() => window.copiedTexts.at(-1)), command);

    // "Copy the events" hands out the component's events byte for byte: the CLI's output.
    await page.click('#copy-events');
    const cli = spawnSync(nativeCli, ['analyze', fixture.path], { encoding: 'utf8' });
    assert.equal(await page.evaluate(() => window.copiedTexts.at(-1)), cli.stdout);
  });

  test('text without a report, garbage, forged markup and a cut report: what the CLI says, no error', async () => {
    const { page } = opened;
    const head = readFileSync(fixtures.find((f) => f.name.startsWith('004-')).path, 'utf8').split('\n').slice(0, 40).join('\n');
    const inputs = [
      '',
      'e1000e: eth0 NIC Link is Up 1000 Mbps Full Duplex\nEXT4-fs (sda1): mounted filesystem\n',
      '\u0000\u0001\ufffd\ufffd{"not": "json"\n'.repeat(500),
      '<img src=x onerror="window.forged=1"> invoked oom-killer: gfp_mask=0x0, order=0\nKilled process 1 (<b>x</b>)\n',
      `${'x'.repeat(300_000)}\n${head}`,
    ];
    for (const [i, input] of inputs.entries()) {
      const path = join(distDir, `input-${i}.log`);
      writeFileSync(path, input);
      await analyzeInPage(page, input);
      const shown = await shownReports(page);
      assertSameReports(shown, nativeEvents(path), `input ${i}`);
      rmSync(path);
      if (shown.length === 0) assert.equal(await page.$$eval('#results .none', (e) => e.length), 1);
    }
    assert.equal(await page.evaluate(() => window.forged), undefined, 'log text never becomes markup');
    assert.equal(await page.$$eval('article.report img, article.report b', (e) => e.length), 0);
  });

  test('screenshots of a few reports, light and dark', async () => {
    const { page } = opened;
    for (const [prefix, scheme] of [
      ['004-', 'light'],
      ['x12-', 'light'],
      ['006-', 'dark'],
      ['x04-', 'dark'],
    ]) {
      const fixture = fixtures.find((f) => f.name.startsWith(prefix));
      await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
      await analyzeInPage(page, readFileSync(fixture.path, 'utf8'));
      await screenshotFrom(page, 'article.report', `${fixture.name.replace(/\.log$/, '')}-${scheme}.png`, 2400);
    }
  });

  test('no console error, no page error, no request after load', () => {
    assert.deepEqual(opened.problems, []);
    assert.deepEqual(opened.requestsAfterLoad, []);
  });
});
