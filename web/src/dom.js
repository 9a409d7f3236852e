// Building elements without HTML strings: every text from a log goes in as a text node, so
// a forged log line can never become markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

function build(element, attrs, children) {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of [children].flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** An HTML element. */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** An SVG element. */
export function s(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

/** Bytes in binary units with one decimal (`1.5 GiB`), as `oomlens analyze --pretty` prints. */
export function human(bytes) {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes)) return '?';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit + 1 < units.length) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** A table: a header row and body rows of cells. */
export function table(caption, head, rows) {
  return h(
    'table',
    { class: 'figures' },
    h('caption', null, caption),
    h('thead', null, h('tr', null, head.map((cell) => h('th', { scope: 'col' }, cell)))),
    h(
      'tbody',
      null,
      rows.map((row) => h('tr', null, row.map((cell, i) => (i === 0 ? h('th', { scope: 'row' }, cell) : h('td', null, cell))))),
    ),
  );
}
