// What the page tests share: the built page, a loopback server for web/dist/, Debian's
// chromium driven by puppeteer-core (no browser download), and the native CLI whose events
// every page must show.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';

export const here = dirname(fileURLToPath(import.meta.url));
export const webDir = resolve(here, '..');
export const repoRoot = resolve(webDir, '..');
export const distDir = join(webDir, 'dist');
const targetDir = process.env.CARGO_TARGET_DIR ? resolve(process.env.CARGO_TARGET_DIR) : join(repoRoot, 'target');
export const nativeCli = join(targetDir, 'release', 'oomlens');
export const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Fails with the fix when something the tests need is missing. */
export function requireBuilt() {
  for (const [path, fix] of [
    [join(distDir, 'index.html'), 'run web/build.sh'],
    [join(distDir, 'oomlens.html'), 'run web/build.sh'],
    [nativeCli, 'run cargo build --release --bin oomlens'],
    [chromiumPath, 'run apt-get install -y chromium'],
  ]) {
    assert.ok(existsSync(path), `${path} is missing: ${fix}`);
  }
}

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** Serves web/dist/ on 127.0.0.1 (a free port); resolves to { url, close }. */
export function serveDist() {
  const server = createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(distDir, path === '/' ? 'index.html' : path);
    if (!file.startsWith(distDir) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    response.end(readFileSync(file));
  });
  return new Promise((done) => {
    server.listen(0, '127.0.0.1', () => {
      done({ url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((closed) => server.close(closed)) });
    });
  });
}

/** The single-file build's address on disk. */
export const singleFileUrl = pathToFileURL(join(distDir, 'oomlens.html')).href;

/** Headless chromium with a fresh profile and nothing that would reach the network itself. */
export async function launchBrowser() {
  const profile = mkdtempSync(join(tmpdir(), 'oomlens-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
    ],
  });
  const close = async () => {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { browser, close };
}

/**
 * Opens `url` in a new tab and waits until the component is loaded. Records console errors,
 * page errors, and every request made after the load.
 */
export async function openPage(browser, url, { viewport = { width: 1100, height: 900 }, colorScheme = 'light' } = {}) {
  const page = await browser.newPage();
  await page.setViewport(viewport);
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: colorScheme }]);
  const problems = [];
  const requestsAfterLoad = [];
  let loaded = false;
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    if (loaded) requestsAfterLoad.push(request.url());
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('html[data-ready="true"]', { timeout: 30_000 });
  loaded = true;
  return { page, problems, requestsAfterLoad };
}

/**
 * Puts `text` into #log as a paste does (the text lands in the field, then an input event)
 * and presses #analyze; resolves when the page has drawn its reports.
 */
export async function analyzeInPage(page, text) {
  return page.evaluate(
    (logText) =>
      new Promise((done) => {
        const area = document.querySelector('#log');
        area.focus();
        area.value = logText;
        area.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste' }));
        document.addEventListener('oomlens:analyzed', (event) => done(event.detail), { once: true });
        document.querySelector('#analyze').click();
      }),
    text,
  );
}

/** What each article shows: the contract's attributes and the texts a reader sees. */
export async function shownReports(page) {
  return page.$$eval('article.report', (articles) =>
    articles.map((article) => ({
      cause: article.dataset.cause,
      confidence: article.dataset.confidence,
      victimPid: article.dataset.victimPid === undefined ? null : Number(article.dataset.victimPid),
      sentence: article.querySelector('.sentence')?.textContent ?? '',
      causeCode: article.querySelector('.cause-code')?.textContent ?? '',
      evidence: [...article.querySelectorAll('.evidence li')].map((li) => li.textContent),
      commands: [...article.querySelectorAll('.remediation pre code')].map((code) => code.textContent),
      copyButtons: article.querySelectorAll('.remediation button.copy').length,
      facts: article.querySelector('.facts')?.textContent ?? '',
      diagrams: [...article.querySelectorAll('figure.diagram')].map((figure) => figure.dataset.diagram),
      unnamedSvgs: [...article.querySelectorAll('svg')].filter((svg) => !svg.querySelector('title')?.textContent).length,
    })),
  );
}

/** The native CLI's events for a file: `oomlens analyze FILE`. */
export function nativeEvents(path) {
  const run = spawnSync(nativeCli, ['analyze', path], { encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(run.status, 0, `oomlens analyze ${path} failed: ${run.stderr}`);
  return run.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

/** The events `oomlens filter` emits for NDJSON `input`: its outputs that are not input records. */
export function nativeFilterEvents(input) {
  const run = spawnSync(nativeCli, ['filter'], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.equal(run.status, 0, `oomlens filter failed: ${run.stderr}`);
  const records = new Set(input.split('\n'));
  return run.stdout.split('\n').filter((line) => line && !records.has(line)).map((line) => JSON.parse(line));
}
