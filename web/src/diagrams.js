// The SVG diagrams of one event. Each draws figures the event holds, never a figure of its
// own, and comes with a table of the same figures for readers who cannot see it.
import { h, human, s, table } from './dom.js';

const WIDTH = 680;
const LABEL_W = 150;
const TRACK_X = LABEL_W + 10;
const TRACK_W = 340;

/** A figure: title, SVG (an image with a text name), caption and the table of its figures. */
function figure(kind, t, title, caption, svg, figures) {
  const id = `fig-${Math.random().toString(36).slice(2, 10)}`;
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-labelledby', `${id}-title`);
  svg.setAttribute('aria-describedby', `${id}-caption`);
  svg.prepend(s('title', { id: `${id}-title` }, title));
  return h(
    'figure',
    { class: `diagram diagram-${kind}`, 'data-diagram': kind },
    h('h4', null, title),
    svg,
    h('figcaption', { id: `${id}-caption` }, caption),
    h('details', null, h('summary', null, t('figures')), figures),
  );
}

/** `Node 0 Normal`, or `Normal` on kernels without NUMA, as the evidence names zones. */
export function zoneLabel(zone) {
  return Number.isInteger(zone.node) ? `Node ${zone.node} ${zone.zone ?? '?'}` : (zone.zone ?? '?');
}

const isNumber = (value) => typeof value === 'number' && Number.isFinite(value);

/** Each zone's free memory against min/low/high, with the reserve kept from this allocation. */
export function zonesDiagram(oom, t) {
  const zones = (oom.memory?.zones ?? []).filter((z) =>
    ['free_bytes', 'min_bytes', 'low_bytes', 'high_bytes'].every((key) => isNumber(z[key])),
  );
  if (zones.length === 0) return null;
  const rowH = 38;
  const top = 8;
  const svg = s('svg', {
    viewBox: `0 0 ${WIDTH} ${top + zones.length * rowH + 6}`,
    class: 'chart',
  });
  svg.append(
    s(
      'defs',
      null,
      s(
        'pattern',
        { id: 'hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
        s('rect', { width: 6, height: 6, class: 'hatch-bg' }),
        s('line', { x1: 0, y1: 0, x2: 0, y2: 6, class: 'hatch-line' }),
      ),
    ),
  );
  const rows = [];
  zones.forEach((zone, i) => {
    const reserve = isNumber(zone.allocation_reserve_bytes) ? zone.allocation_reserve_bytes : 0;
    // The event leaves the reserve out for a zone the allocation may not use (or one without
    // a lowmem_reserve[] line, told apart by that line).
    const unusable = zone.allocation_reserve_bytes === undefined && (zone.lowmem_reserve_pages ?? []).length > 0;
    const scale = Math.max(zone.free_bytes, zone.high_bytes, zone.min_bytes + reserve, 1) * 1.12;
    const x = (bytes) => TRACK_X + (Math.min(bytes, scale) / scale) * TRACK_W;
    const y = top + i * rowH;
    const state =
      zone.free_bytes <= zone.min_bytes + reserve ? 'below-min' : zone.free_bytes <= zone.low_bytes + reserve ? 'below-low' : 'ok';
    const g = s('g', { class: `zone zone-${unusable ? 'unusable' : state}` });
    g.append(
      s('text', { x: 0, y: y + 17, class: 'label' }, zoneLabel(zone)),
      s('rect', { x: TRACK_X, y: y + 6, width: TRACK_W, height: 14, class: 'track', rx: 2 }),
      s('rect', { x: TRACK_X, y: y + 6, width: Math.max(x(zone.free_bytes) - TRACK_X, 1), height: 14, class: 'bar', rx: 2 }),
    );
    if (reserve > 0) {
      g.append(
        s('rect', {
          x: x(zone.min_bytes),
          y: y + 21,
          width: Math.max(x(zone.min_bytes + reserve) - x(zone.min_bytes), 1),
          height: 5,
          fill: 'url(#hatch)',
          class: 'reserve',
        }),
        s('line', { x1: x(zone.min_bytes + reserve), x2: x(zone.min_bytes + reserve), y1: y + 2, y2: y + 26, class: 'tick tick-reserve' }),
      );
    }
    // Ticks closer than a label's width share one label (a DMA zone's marks all sit at 0).
    const labels = [];
    for (const [key, name] of [['min_bytes', t('min')], ['low_bytes', t('low')], ['high_bytes', t('high')]]) {
      const at = x(zone[key]);
      g.append(s('line', { x1: at, x2: at, y1: y + 2, y2: y + 24, class: `tick tick-${key.split('_')[0]}` }));
      const previous = labels.at(-1);
      if (previous && at - previous.at < 26) previous.names.push(name);
      else labels.push({ at, names: [name] });
    }
    for (const label of labels) {
      g.append(s('text', { x: label.at, y: y + 34, class: 'tick-label', 'text-anchor': 'middle' }, label.names.join('/')));
    }
    const value = `${t('free')} ${human(zone.free_bytes)}${unusable ? ` (${t('notUsableShort')})` : ''}`;
    g.append(s('text', { x: TRACK_X + TRACK_W + 10, y: y + 17, class: 'value' }, value));
    svg.append(g);
    rows.push([
      zoneLabel(zone),
      human(zone.free_bytes),
      human(zone.min_bytes),
      human(zone.low_bytes),
      human(zone.high_bytes),
      zone.allocation_reserve_bytes !== undefined ? human(zone.allocation_reserve_bytes) : unusable ? t('notUsable') : '—',
      (zone.lowmem_reserve_pages ?? []).join(' '),
    ]);
  });
  const figures = table(t('zonesTitle'), [t('zone'), t('free'), t('min'), t('low'), t('high'), t('reserve'), t('reservePages')], rows);
  return figure('zones', t, t('zonesTitle'), t('zonesCaption'), svg, figures);
}

/** The buddy free lists per order, the requested order marked. */
export function buddyDiagram(oom, t) {
  const zones = (oom.memory?.zones ?? []).filter((z) => (z.free_blocks ?? []).length > 0);
  if (zones.length === 0) return null;
  const order = oom.trigger?.order;
  const orders = Math.max(...zones.map((z) => z.free_blocks.length));
  const cellW = 22;
  const chartW = orders * cellW;
  const chartH = 70;
  const panelW = chartW + 20;
  const perRow = Math.max(1, Math.floor(WIDTH / panelW));
  const panelH = chartH + 52;
  const rowsN = Math.ceil(zones.length / perRow);
  // Always the full width, so one zone's panel is drawn at the size of several.
  const svg = s('svg', { viewBox: `0 0 ${WIDTH} ${rowsN * panelH}`, class: 'chart' });
  const largest = Math.max(1, ...zones.flatMap((z) => z.free_blocks.map((b) => b.count ?? 0)));
  const height = (count) => (count > 0 ? (Math.log2(count + 1) / Math.log2(largest + 1)) * chartH : 0);
  const rows = [];
  zones.forEach((zone, i) => {
    const ox = (i % perRow) * panelW;
    const oy = Math.floor(i / perRow) * panelH;
    const g = s('g', { class: 'buddy', transform: `translate(${ox},${oy})` });
    g.append(s('text', { x: 0, y: 12, class: 'label' }, zoneLabel(zone)));
    if (Number.isInteger(order) && order >= 0 && order < orders) {
      g.append(
        s('rect', { x: order * cellW, y: 18, width: (orders - order) * cellW, height: chartH + 2, class: 'requested-span' }),
        s('line', { x1: order * cellW, x2: order * cellW, y1: 16, y2: chartH + 22, class: 'requested-line' }),
      );
    }
    zone.free_blocks.forEach((block, o) => {
      const count = block.count ?? 0;
      const bh = height(count);
      g.append(
        s('rect', {
          x: o * cellW + 3,
          y: 20 + chartH - bh,
          width: cellW - 6,
          height: Math.max(bh, count > 0 ? 1 : 0),
          class: count > 0 ? 'bar' : 'bar empty',
        }),
        s('line', { x1: o * cellW + 2, x2: o * cellW + cellW - 2, y1: 20 + chartH, y2: 20 + chartH, class: 'axis' }),
        s('text', { x: o * cellW + cellW / 2, y: 20 + chartH + 12, class: 'tick-label', 'text-anchor': 'middle' }, o),
      );
    });
    if (Number.isInteger(order) && order >= 0 && order < orders) {
      g.append(s('text', { x: order * cellW + 2, y: 20 + chartH + 24, class: 'requested-text' }, t('requested', { order })));
    }
    svg.append(g);
    for (const [o, block] of zone.free_blocks.entries()) {
      rows.push([
        zoneLabel(zone),
        Number.isInteger(order) && o === order ? `${o} ◀` : o,
        block.block_kb !== undefined ? human(block.block_kb * 1024) : '?',
        block.count ?? '?',
        block.types ?? '',
      ]);
    }
  });
  const figures = table(t('buddyTitle'), [t('zone'), 'order', t('blockSize'), t('blocks'), 'types'], rows);
  return figure('buddy', t, t('buddyTitle'), t('buddyCaption'), svg, figures);
}

/** The limiting cgroup's counters: usage against limit. */
export function cgroupDiagram(oom, t) {
  const memcg = oom.memcg ?? {};
  const counters = [
    ['memory', memcg.memory],
    ['memory+swap', memcg.memory_swap],
    ['swap', memcg.swap],
    ['kmem', memcg.kmem],
  ].filter(([, counter]) => counter && isNumber(counter.usage_bytes));
  if (counters.length === 0) return null;
  const rowH = 30;
  const svg = s('svg', { viewBox: `0 0 ${WIDTH} ${counters.length * rowH + 6}`, class: 'chart' });
  const rows = [];
  // A counter without a limit is drawn on the scale of the largest limit printed beside it.
  const largestLimit = Math.max(0, ...counters.map(([, counter]) => counter.limit_bytes).filter(isNumber));
  counters.forEach(([name, counter], i) => {
    const y = i * rowH + 4;
    const limit = counter.limit_bytes;
    const scale = Math.max(counter.usage_bytes, isNumber(limit) ? limit : largestLimit, 1) * 1.05;
    const x = (bytes) => TRACK_X + (Math.min(bytes, scale) / scale) * TRACK_W;
    const full = isNumber(limit) && counter.usage_bytes >= limit;
    const g = s('g', { class: `counter${full ? ' counter-full' : ''}` });
    g.append(
      s('text', { x: 0, y: y + 14, class: 'label' }, name),
      s('rect', { x: TRACK_X, y: y + 3, width: TRACK_W, height: 14, class: 'track', rx: 2 }),
      s('rect', { x: TRACK_X, y: y + 3, width: Math.max(x(counter.usage_bytes) - TRACK_X, 1), height: 14, class: 'bar', rx: 2 }),
    );
    if (isNumber(limit)) {
      g.append(s('line', { x1: x(limit), x2: x(limit), y1: y, y2: y + 20, class: 'tick tick-limit' }));
    }
    const text = isNumber(limit)
      ? `${human(counter.usage_bytes)} / ${human(limit)}`
      : `${human(counter.usage_bytes)} (${t('unlimited')})`;
    g.append(s('text', { x: TRACK_X + TRACK_W + 10, y: y + 14, class: 'value' }, text));
    svg.append(g);
    rows.push([name, human(counter.usage_bytes), isNumber(limit) ? human(limit) : t('unlimited'), counter.failcnt ?? '']);
  });
  const figures = table(t('cgroupTitle'), [t('counter'), t('usage'), t('limit'), t('failcnt')], rows);
  return figure('cgroup', t, t('cgroupTitle'), t('cgroupCaption'), svg, figures);
}

/** The path's levels from the root: `/a/b` → `/`, `/a`, `/a/b`. */
function levels(path) {
  const parts = path.split('/').filter(Boolean);
  return ['/', ...parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}`)];
}

/**
 * The cgroup hierarchy from the root down to the victim's cgroup, the level whose limit was
 * hit marked, and the pod and container levels named where the event identifies them.
 */
export function hierarchyDiagram(event, t) {
  const cgroup = event.oom?.cgroup ?? {};
  const limiting = cgroup.limiting;
  const task = cgroup.task ?? limiting;
  if (!task || !task.startsWith('/')) return null;
  const chain = levels(task);
  if (limiting && limiting.startsWith('/') && !chain.includes(limiting)) chain.push(limiting);
  // The root alone (a global OOM) has no hierarchy to draw.
  if (chain.length < 2) return null;
  const podUid = event.kubernetes?.pod?.uid;
  const containerId = event.container?.id;
  const roleOf = (path) => {
    const name = path.split('/').pop() ?? '';
    if (containerId && name.includes(containerId)) return t('levelContainer');
    if (podUid && (name.includes(podUid) || name.includes(podUid.replaceAll('-', '_')))) return t('levelPod');
    return '';
  };
  const rowH = 26;
  const svg = s('svg', { viewBox: `0 0 ${WIDTH} ${chain.length * rowH + 4}`, class: 'chart hierarchy' });
  const rows = [];
  chain.forEach((path, depth) => {
    const indent = Math.min(depth, 8) * 14;
    const y = depth * rowH + 2;
    const isLimit = path === limiting;
    const isTask = path === task;
    const name = depth === 0 ? '/' : path.split('/').pop();
    const role = roleOf(path);
    const notes = [role, isLimit ? t('limitHit') : '', isTask ? t('victimHere') : ''].filter(Boolean);
    // Monospace cells: about 6.7 px a character for the name, 6 px (or 10 px a CJK one) for
    // the note; a long name keeps its two ends.
    const noteText = notes.join(' · ');
    const noteW = [...noteText].reduce((w, c) => w + (c.charCodeAt(0) > 0x2e7f ? 10 : 6), 0);
    const room = Math.max(12, Math.floor((WIDTH - indent - 24 - noteW) / 6.7));
    const half = Math.floor((room - 1) / 2);
    const shown = name.length > room ? `${name.slice(0, half)}…${name.slice(-half)}` : name;
    const g = s('g', { class: `level${isLimit ? ' level-limit' : ''}${isTask ? ' level-task' : ''}` });
    if (depth > 0) {
      g.append(s('path', { d: `M${indent - 8} ${y - 12} V${y + 11} H${indent}`, class: 'link' }));
    }
    g.append(
      s('rect', { x: indent, y, width: WIDTH - indent - 2, height: rowH - 4, rx: 3, class: 'box' }),
      s('text', { x: indent + 6, y: y + 15, class: 'path' }, s('title', null, path), shown),
    );
    if (notes.length > 0) {
      g.append(s('text', { x: WIDTH - 8, y: y + 15, class: 'note', 'text-anchor': 'end' }, noteText));
    }
    svg.append(g);
    rows.push([path, notes.join(', ')]);
  });
  const figures = table(t('hierarchyTitle'), ['cgroup', ''], rows);
  return figure('hierarchy', t, t('hierarchyTitle'), t('hierarchyCaption'), svg, figures);
}

/** The largest tasks by rss, the victim marked. */
export function tasksDiagram(event, t) {
  const tasks = (event.oom?.tasks ?? []).filter((task) => isNumber(task.rss_bytes));
  if (tasks.length === 0) return null;
  const shown = [...tasks].sort((a, b) => b.rss_bytes - a.rss_bytes).slice(0, 10);
  const victimPids = new Set(
    [event.process?.pid, ...(event.oom?.victims ?? []).map((v) => v.pid)].filter((pid) => pid !== undefined),
  );
  const largest = Math.max(1, ...shown.map((task) => task.rss_bytes));
  const rowH = 22;
  const svg = s('svg', { viewBox: `0 0 ${WIDTH} ${shown.length * rowH + 4}`, class: 'chart' });
  const rows = [];
  shown.forEach((task, i) => {
    const y = i * rowH + 2;
    const isVictim = victimPids.has(task.pid) || victimPids.has(task.tgid);
    const g = s('g', { class: `task${isVictim ? ' task-victim' : ''}` });
    const label = `${task.name ?? '?'} (${task.tgid ?? task.pid ?? '?'})`;
    g.append(
      s('text', { x: 0, y: y + 14, class: 'label' }, label.length > 24 ? `${label.slice(0, 23)}…` : label),
      s('rect', { x: TRACK_X, y: y + 4, width: Math.max((task.rss_bytes / largest) * TRACK_W, 1), height: 13, class: 'bar', rx: 2 }),
      s('text', { x: TRACK_X + TRACK_W + 10, y: y + 14, class: 'value' }, `${human(task.rss_bytes)}${isVictim ? ' ✕' : ''}`),
    );
    svg.append(g);
    rows.push([
      `${task.name ?? '?'}${isVictim ? ` (${t('victim')})` : ''}`,
      task.pid ?? '',
      task.tgid ?? '',
      human(task.rss_bytes),
      task.oom_score_adj ?? '',
    ]);
  });
  const figures = table(t('tasksTitle'), [t('task'), 'pid', 'tgid', t('rss'), 'oom_score_adj'], rows);
  return figure('tasks', t, t('tasksTitle'), t('tasksCaption'), svg, figures);
}

/** Swap use and the huge page pools, where the report printed them. */
export function swapDiagram(oom, t) {
  const swap = oom.memory?.swap;
  const pools = (oom.memory?.hugepages ?? []).filter((p) => isNumber(p.total_pages) && p.total_pages > 0);
  const hasSwap = swap && isNumber(swap.total_bytes);
  if (!hasSwap && pools.length === 0) return null;
  const items = [];
  if (hasSwap) {
    const used = Math.max(0, swap.total_bytes - (swap.free_bytes ?? 0));
    items.push({
      label: t('swap'),
      value: used,
      scale: swap.total_bytes,
      text: swap.total_bytes > 0 ? `${t('swapUsed')} ${human(used)} / ${human(swap.total_bytes)}` : t('swapNone'),
      row: [t('swap'), human(swap.total_bytes), isNumber(swap.free_bytes) ? human(swap.free_bytes) : '?'],
    });
  }
  for (const pool of pools) {
    const size = isNumber(pool.size_bytes) ? human(pool.size_bytes) : '?';
    const label = t('hugepages', { node: pool.node ?? '?', size });
    const used = pool.total_pages - (pool.free_pages ?? 0);
    items.push({
      label: `hugepages N${pool.node ?? '?'} ${size}`,
      value: used,
      scale: pool.total_pages,
      text: t('hugepagesFree', { free: pool.free_pages ?? '?', total: pool.total_pages }),
      row: [label, pool.total_pages, pool.free_pages ?? '?'],
    });
  }
  const rowH = 26;
  const svg = s('svg', { viewBox: `0 0 ${WIDTH} ${items.length * rowH + 4}`, class: 'chart' });
  items.forEach((item, i) => {
    const y = i * rowH + 2;
    const share = item.scale > 0 ? Math.min(item.value / item.scale, 1) : 0;
    svg.append(
      s(
        'g',
        { class: 'usage' },
        s('text', { x: 0, y: y + 14, class: 'label' }, item.label),
        s('rect', { x: TRACK_X, y: y + 3, width: TRACK_W, height: 14, class: 'track', rx: 2 }),
        s('rect', { x: TRACK_X, y: y + 3, width: Math.max(share * TRACK_W, item.scale > 0 ? 1 : 0), height: 14, class: 'bar', rx: 2 }),
        s('text', { x: TRACK_X + TRACK_W + 10, y: y + 14, class: 'value' }, item.text),
      ),
    );
  });
  const figures = table(t('swapTitle'), ['', t('total'), t('free')], items.map((item) => item.row));
  return figure('swap', t, t('swapTitle'), '', svg, figures);
}

const CAUSES = ['cgroup_limit', 'parent_cgroup_limit', 'host_oom', 'numa_node_oom', 'fragmentation', 'manual', 'unknown'];

/** One mark per report, placed by time, else uptime, else log order; each a link to it. */
export function timelineDiagram(events, t) {
  const times = events.map((e) => Date.parse(e['@timestamp'] ?? ''));
  const uptimes = events.map((e) => e.host?.uptime);
  let axis = 'axisOrder';
  let positions = events.map((_, i) => i);
  if (times.every(Number.isFinite) && new Set(times).size > 1) {
    axis = 'axisTime';
    positions = times;
  } else if (uptimes.every(isNumber) && new Set(uptimes).size > 1) {
    axis = 'axisUptime';
    positions = uptimes;
  }
  const lo = Math.min(...positions);
  const hi = Math.max(...positions);
  const span = hi - lo || 1;
  const left = 20;
  const right = WIDTH - 20;
  const x = (value) => left + ((value - lo) / span) * (right - left);
  const svg = s('svg', { viewBox: `0 0 ${WIDTH} 84`, class: 'chart timeline' });
  svg.append(s('line', { x1: left, x2: right, y1: 40, y2: 40, class: 'axis' }));
  const items = [];
  events.forEach((event, i) => {
    const cause = event.oom?.cause ?? 'unknown';
    const px = x(positions[i]);
    const label = `${t('reportTitle', { n: i + 1 })}: ${t.cause(cause)[0]}${event.process?.name ? `, ${event.process.name}` : ''}`;
    const up = i % 2 === 0;
    svg.append(
      s(
        'a',
        { href: `#report-${i + 1}`, class: `mark cause-${CAUSES.includes(cause) ? cause : 'unknown'}`, 'aria-label': label },
        s('title', null, label),
        s('line', { x1: px, x2: px, y1: 40, y2: up ? 24 : 56, class: 'stem' }),
        s('circle', { cx: px, cy: 40, r: 7, class: 'dot' }),
        s('text', { x: px, y: up ? 18 : 70, 'text-anchor': 'middle', class: 'mark-label' }, i + 1),
      ),
    );
    const when = axis === 'axisTime' ? `${event['@timestamp']}: ` : axis === 'axisUptime' ? `${event.host.uptime} s: ` : '';
    items.push(h('li', null, h('a', { href: `#report-${i + 1}` }, `${when}${label}`)));
  });
  const caption = t('timelineCaption', { axis: t(axis) });
  const id = `timeline-${Math.random().toString(36).slice(2, 8)}`;
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-labelledby', `${id}-title`);
  svg.prepend(s('title', { id: `${id}-title` }, t('timelineTitle')));
  return h(
    'figure',
    { class: 'diagram diagram-timeline', 'data-diagram': 'timeline' },
    h('h2', null, t('timelineTitle')),
    svg,
    h('figcaption', null, caption),
    h('ol', { class: 'timeline-list' }, items),
  );
}
