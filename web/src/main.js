// The page: reads the log (pasted, opened or dropped), hands it to the component, and shows
// one article per event. Nothing is sent anywhere: there is no request after load.
import { Engine } from './engine.js';
import { strings, languages } from './i18n.js';
import { renderReport } from './report.js';
import { timelineDiagram } from './diagrams.js';
import { h } from './dom.js';

const $ = (selector) => document.querySelector(selector);
const logArea = $('#log');
const analyzeButton = $('#analyze');
const fileInput = $('#file');
const statusLine = $('#status');
const results = $('#results');
const langSelect = $('#lang');
const themeSelect = $('#theme');
const copyEventsButton = $('#copy-events');

let lang = initialLanguage();
let t = strings(lang);
let engine = null;
let last = null;

function initialLanguage() {
  const asked = new URLSearchParams(location.search).get('lang');
  if (languages.includes(asked)) return asked;
  try {
    const saved = localStorage.getItem('oomlens.lang');
    if (languages.includes(saved)) return saved;
  } catch {
    // Storage refused (a file:// page in some settings): the browser's language decides.
  }
  return (navigator.language ?? 'en').toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

/** Puts every text of the page's frame in the current language. */
function translateFrame() {
  document.documentElement.lang = lang;
  document.title = t('title');
  for (const element of document.querySelectorAll('[data-i18n]')) {
    element.textContent = t(element.dataset.i18n);
  }
  logArea.placeholder = t('placeholder');
  langSelect.value = lang;
}

function setStatus(text, busy = false) {
  statusLine.textContent = text;
  results.setAttribute('aria-busy', busy ? 'true' : 'false');
}

function show(result) {
  results.replaceChildren();
  copyEventsButton.hidden = result.events.length === 0;
  if (result.events.length === 0) {
    results.append(h('p', { class: 'none' }, t('none')));
  }
  if (result.events.length > 1) results.append(timelineDiagram(result.events, t));
  result.events.forEach((event, i) => results.append(renderReport(event, i + 1, t)));
  setStatus(
    t('found', {
      count: result.events.length,
      lines: result.lines,
      input: t(result.input === 'ndjson' ? 'inputNdjson' : 'inputText'),
      ms: Math.round(result.ms),
    }),
  );
}

function analyze() {
  if (!engine) return;
  setStatus(t('working'), true);
  // Let the status paint before the component takes the thread.
  setTimeout(() => {
    const text = logArea.value;
    const started = performance.now();
    let result;
    try {
      result = engine.analyze(text);
    } catch (error) {
      // The core never panics on any input; if the component trapped anyway, its instance is
      // unusable: say so, show nothing half-done, and load a fresh one.
      results.replaceChildren();
      copyEventsButton.hidden = true;
      setStatus(t('analyzeFailed', { error: error?.message ?? String(error) }));
      engine = null;
      Engine.load(globalThis.oomlensInlinedWasm).then((fresh) => {
        engine = fresh;
      });
      return;
    }
    const ms = performance.now() - started;
    last = { ...result, ms, lines: text === '' ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0) };
    show(last);
    document.dispatchEvent(new CustomEvent('oomlens:analyzed', { detail: { events: result.events.length, ms } }));
  }, 0);
}

async function readFile(file) {
  logArea.value = await file.text();
  analyze();
}

function applyTheme(theme) {
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
}

analyzeButton.addEventListener('click', analyze);
// The events as the component emitted them, one JSON object a line, to attach to a ticket.
copyEventsButton.addEventListener('click', async () => {
  if (!last) return;
  const text = last.texts.map((event) => `${event}\n`).join('');
  try {
    await navigator.clipboard.writeText(text);
    copyEventsButton.textContent = t('copied');
  } catch {
    copyEventsButton.textContent = t('copyFailed');
  }
  setTimeout(() => {
    copyEventsButton.textContent = t('copyAll');
  }, 1500);
});
logArea.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) analyze();
});
fileInput.addEventListener('change', () => {
  if (fileInput.files?.[0]) readFile(fileInput.files[0]);
});
document.addEventListener('dragover', (event) => {
  event.preventDefault();
  document.body.classList.add('dragging');
});
document.addEventListener('dragleave', (event) => {
  if (event.relatedTarget === null) document.body.classList.remove('dragging');
});
document.addEventListener('drop', (event) => {
  event.preventDefault();
  document.body.classList.remove('dragging');
  const file = event.dataTransfer?.files?.[0];
  if (file) readFile(file);
});
langSelect.addEventListener('change', () => {
  lang = langSelect.value;
  t = strings(lang);
  try {
    localStorage.setItem('oomlens.lang', lang);
  } catch {
    // Not kept: the choice still holds for this visit.
  }
  translateFrame();
  if (last) show(last);
  else setStatus(engine ? t('ready') : t('loading'));
});
themeSelect.addEventListener('change', () => applyTheme(themeSelect.value));

translateFrame();
setStatus(t('loading'), true);
analyzeButton.disabled = true;
try {
  engine = await Engine.load(globalThis.oomlensInlinedWasm);
  analyzeButton.disabled = false;
  setStatus(t('ready'));
  document.documentElement.dataset.ready = 'true';
} catch (error) {
  setStatus(t('loadFailed', { error: error?.message ?? String(error) }));
  throw error;
}
