// One report: an <article class="report"> holding what the event says, in the language
// chosen, with its diagrams. The contract for tests and users' scripts: data-cause,
// data-confidence and, when known, data-victim-pid, one article per event in log order.
import { buddyDiagram, cgroupDiagram, hierarchyDiagram, swapDiagram, tasksDiagram, zonesDiagram } from './diagrams.js';
import { h, human } from './dom.js';

/** Copies `text`, telling on the button how it went. */
async function copy(button, text, t) {
  let done = false;
  try {
    await navigator.clipboard.writeText(text);
    done = true;
  } catch {
    // The clipboard API is refused without focus or permission: a selected textarea and
    // execCommand still work there.
    const area = h('textarea', { class: 'offscreen', readonly: true });
    area.value = text;
    document.body.append(area);
    area.select();
    done = document.execCommand('copy');
    area.remove();
  }
  button.textContent = done ? t('copied') : t('copyFailed');
  setTimeout(() => {
    button.textContent = t('copy');
  }, 1500);
}

function copyButton(text, t, what) {
  const button = h('button', { type: 'button', class: 'copy', 'aria-label': `${t('copy')}: ${what}` }, t('copy'));
  button.addEventListener('click', () => copy(button, text, t));
  return button;
}

function victimText(event, t) {
  const process = event.process;
  if (!process) return null;
  const victim = event.oom?.victim ?? {};
  const parts = [`${process.name ?? '?'} (${t('pid', { pid: process.pid })})`];
  for (const [label, key] of [['anon-rss', 'anon_rss_bytes'], ['file-rss', 'file_rss_bytes'], ['shmem-rss', 'shmem_rss_bytes'], ['total-vm', 'total_vm_bytes']]) {
    if (typeof victim[key] === 'number') parts.push(`${label} ${human(victim[key])}`);
  }
  if (process.user?.id) parts.push(`uid ${process.user.id}`);
  if (typeof victim.oom_score_adj === 'number') parts.push(`oom_score_adj ${victim.oom_score_adj}`);
  const others = (event.oom?.victims ?? []).slice(1).map((v) => `${v.comm ?? '?'} (${t('pid', { pid: v.pid })})`);
  if (others.length > 0) parts.push(`+ ${others.join(', ')}`);
  return parts.join(' · ');
}

function triggerText(oom, t) {
  const trigger = oom.trigger;
  if (!trigger) return null;
  const parts = [];
  if (trigger.comm) parts.push(trigger.pid !== undefined ? `${trigger.comm} (${t('pid', { pid: trigger.pid })})` : trigger.comm);
  if (trigger.order === -1) parts.push(t('orderManual'));
  else if (Number.isInteger(trigger.order)) parts.push(t('order', { order: trigger.order }));
  if (trigger.gfp_mask) parts.push(`gfp_mask ${trigger.gfp_mask}${trigger.gfp_flags ? ` (${trigger.gfp_flags.join('|')})` : ''}`);
  if (trigger.nodemask) parts.push(`nodemask ${trigger.nodemask}`);
  if (trigger.mems_allowed) parts.push(`mems_allowed ${trigger.mems_allowed}`);
  return parts.length > 0 ? parts.join(' · ') : null;
}

function facts(event, t) {
  const oom = event.oom ?? {};
  const entries = [
    [t('victim'), victimText(event, t)],
    [t('trigger'), triggerText(oom, t)],
    [t('cgroupLimiting'), oom.cgroup?.limiting],
    [t('cgroupTask'), oom.cgroup?.task !== oom.cgroup?.limiting ? oom.cgroup?.task : null],
    [t('pod'), event.kubernetes?.pod?.uid ? `${event.kubernetes.pod.uid}${event.kubernetes.pod.qos_class ? ` (${event.kubernetes.pod.qos_class})` : ''}` : null],
    [t('container'), event.container?.id ? `${event.container.id}${event.container.runtime ? ` (${event.container.runtime})` : ''}` : null],
    [t('constraint'), oom.constraint],
    [t('kernel'), [oom.kernel?.release, oom.kernel?.hardware].filter(Boolean).join(' · ') || null],
  ].filter(([, value]) => value);
  return h('dl', { class: 'facts' }, entries.map(([term, value]) => [h('dt', null, term), h('dd', { class: 'mono' }, value)]));
}

function heading(event, n, t) {
  const oom = event.oom ?? {};
  const kind = oom.kind === 'allocation_failure' ? t('allocationFailure') : t('oomKill');
  const where = [
    event.host?.name ? t('on', { host: event.host.name }) : null,
    event['@timestamp'] ? t('at', { time: event['@timestamp'] }) : null,
    typeof event.host?.uptime === 'number' ? t('uptime', { seconds: event.host.uptime }) : null,
  ].filter(Boolean);
  return h('h3', { id: `report-${n}-title` }, `${t('reportTitle', { n })}: ${kind}`, where.length ? h('span', { class: 'where' }, ` ${where.join(' · ')}`) : null);
}

/** The article for event number `n` (1-based). */
export function renderReport(event, n, t) {
  const oom = event.oom ?? {};
  const cause = oom.cause ?? 'unknown';
  const confidence = oom.confidence ?? 'low';
  const [causeName, causeMeaning] = t.cause(cause);
  const article = h('article', {
    class: `report cause-${cause}`,
    id: `report-${n}`,
    tabindex: -1,
    'aria-labelledby': `report-${n}-title`,
    'data-cause': cause,
    'data-confidence': confidence,
    'data-victim-pid': event.process?.pid,
  });
  const parts = [
    heading(event, n, t),
    h(
      'p',
      { class: 'verdict' },
      h('span', { class: 'cause-badge' }, `${t('causeLabel')}: ${causeName}`),
      ' ',
      h('code', { class: 'cause-code' }, cause),
      ' ',
      h('span', { class: `confidence confidence-${confidence}` }, t('confidence', { level: t.confidence(confidence) })),
    ),
    h('p', { class: 'cause-meaning' }, causeMeaning),
    oom.complete === false ? h('p', { class: 'incomplete', role: 'note' }, t('incomplete', { why: oom.truncated_by ?? t('incompleteNoWhy') })) : null,
    h('p', { class: 'sentence', lang: 'en', title: t('sentence') }, event.message ?? ''),
    facts(event, t),
  ];
  article.append(...parts.filter(Boolean));
  if ((oom.evidence ?? []).length > 0) {
    article.append(
      h('section', { class: 'evidence' }, h('h4', null, t('evidence')), h('ul', { lang: 'en' }, oom.evidence.map((line) => h('li', { class: 'mono' }, line)))),
    );
  }
  if ((oom.remediation ?? []).length > 0) {
    article.append(
      h(
        'section',
        { class: 'remediation' },
        h('h4', null, t('remediation')),
        h(
          'ol',
          { lang: 'en' },
          oom.remediation.map((item) =>
            h(
              'li',
              null,
              h('p', null, item.action ?? ''),
              item.command ? h('div', { class: 'command' }, h('pre', null, h('code', null, item.command)), copyButton(item.command, t, item.command)) : null,
            ),
          ),
        ),
      ),
    );
  }
  const diagrams = [
    zonesDiagram(oom, t),
    buddyDiagram(oom, t),
    cgroupDiagram(oom, t),
    hierarchyDiagram(event, t),
    tasksDiagram(event, t),
    swapDiagram(oom, t),
  ].filter(Boolean);
  article.append(
    h('section', { class: 'diagrams' }, h('h4', { class: 'visually-hidden' }, t('diagrams')), diagrams.length ? diagrams : h('p', { class: 'muted' }, t('diagramsNone'))),
  );
  return article;
}
