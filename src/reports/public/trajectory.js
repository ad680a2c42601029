// One tick's trajectory, call by call: what the persona (or the oracle) sent, what the app answered,
// and what was found at that call. Inputs and answers are third-party text: they reach the page only
// as text nodes (dom.js), pretty-printed when they are JSON.
import { badge, fmtMs, h } from './dom.js';

const NOT_KEPT = 'not kept (older than the retention period)';
const PREVIEW = 90;

/** The text pretty-printed when it is a JSON object or array, else as it came (a JSON string decoded). */
export function prettyText(text) {
  try {
    const value = JSON.parse(text);
    if (value !== null && typeof value === 'object') return JSON.stringify(value, null, 2);
    if (typeof value === 'string') return value;
  } catch {
    // not JSON (or cut short): shown as it is
  }
  return text;
}

/** One finding; a `div` inside a trajectory step (whose list counts only calls), else an `li`. */
export function findingItem(f, tag = 'li') {
  return h(
    tag,
    { class: `finding${f.personaMistake ? ' mistake' : ''}`, 'data-check': f.check },
    badge(f.personaMistake ? `persona mistake · ${f.class}` : f.class, f.personaMistake ? 'neutral' : 'bad'),
    ' ',
    h('code', {}, f.check),
    ' ',
    h('span', { class: 'muted' }, `${f.tool} · ${f.source}`),
    h(
      'div',
      { class: 'expected-got' },
      h('span', { class: 'muted' }, 'expected '),
      h('span', { class: 'expected' }, f.expected),
      h('span', { class: 'muted' }, ' · got '),
      h('span', { class: 'got' }, f.got),
    ),
  );
}

/**
 * The input or the answer of a call: pretty JSON or text, a visible "cut" marker when the server
 * kept only the first TRAJECTORY_MAX_BYTES, and a plain statement when nothing was kept.
 */
function ioBlock(label, kind, text, truncated) {
  if (text === null || text === undefined) {
    return h(
      'div',
      { class: `io io-${kind}` },
      h('div', { class: 'io-label' }, label),
      h('p', { class: 'io-missing muted' }, text === null ? NOT_KEPT : 'not recorded by this server'),
    );
  }
  return h(
    'div',
    { class: `io io-${kind}${truncated ? ' cut' : ''}` },
    h(
      'div',
      { class: 'io-label' },
      label,
      truncated
        ? [
            ' ',
            h(
              'span',
              { class: 'badge badge-warn cut-marker', title: 'Longer than the trajectory limit' },
              '✂ cut',
            ),
          ]
        : null,
    ),
    h('pre', { class: `io-body call-${kind}` }, prettyText(text)),
    truncated
      ? h('p', { class: 'cut-note muted' }, '✂ cut here: the rest was longer than the trajectory keeps.')
      : null,
  );
}

/** The folded input and answer of one call: one click on the summary opens it. */
function callIo(a, open) {
  const preview = typeof a.input === 'string' ? a.input.replace(/\s+/g, ' ').slice(0, PREVIEW) : null;
  const cut = a.inputTruncated || a.outputTruncated;
  return h(
    'details',
    { class: 'call-io', 'data-seq': a.seq, open },
    h(
      'summary',
      {},
      'Input and answer',
      cut ? [' ', badge('✂ cut', 'warn')] : null,
      preview
        ? h('code', { class: 'io-preview muted' }, preview.length < a.input.length ? `${preview}…` : preview)
        : null,
    ),
    ioBlock('Input', 'input', a.input, a.inputTruncated === true),
    ioBlock(
      a.result === 'ok' ? 'Answer' : 'Answer (an error)',
      'output',
      a.output,
      a.outputTruncated === true,
    ),
  );
}

/** One call of the trajectory, with the findings it showed under it. `marked`: the call a link named. */
export function stepItem(a, findings, marked) {
  const oracle = a.origin === 'oracle';
  return h(
    'li',
    {
      class: `step ${a.result}${oracle ? ' oracle' : ''}${marked ? ' marked' : ''}${findings.length ? ' has-findings' : ''}`,
      id: `step-${a.seq}`,
      'data-seq': a.seq,
      'data-origin': a.origin ?? 'brain',
      'aria-current': marked ? 'step' : null,
    },
    h('span', { class: 'step-seq' }, `#${a.seq}`),
    h(
      'span',
      { class: 'step-name' },
      h('code', { class: 'step-tool' }, a.tool),
      oracle
        ? [
            ' ',
            h(
              'span',
              {
                class: 'badge badge-info origin-oracle',
                title: 'A probe of the oracle engine, checking the app; not a call the persona chose',
              },
              'oracle probe',
            ),
          ]
        : null,
    ),
    badge(
      a.result === 'ok' ? 'ok' : `error · ${a.errorKind ?? 'unknown'}`,
      a.result === 'ok' ? 'good' : 'bad',
    ),
    h('span', { class: 'step-latency' }, fmtMs(a.latencyMs)),
    a.errorMessage ? h('div', { class: 'step-error' }, a.errorMessage) : null,
    callIo(a, marked),
    findings.length
      ? h(
          'div',
          { class: 'step-findings' },
          findings.map((f) => findingItem(f, 'div')),
        )
      : null,
  );
}

/** "In the persona's words": the tick's first-person lines, or what would fill the block. */
export function wordsPanel(words) {
  const lines = Array.isArray(words) ? words.filter((w) => typeof w === 'string' && w.trim()) : [];
  return h(
    'section',
    { class: 'panel', id: 'persona-words' },
    h('h2', {}, 'In the persona’s words'),
    lines.length
      ? h(
          'blockquote',
          { class: 'words' },
          lines.map((line) => h('p', {}, line)),
        )
      : h(
          'p',
          { class: 'empty' },
          'No words for this tick. They are the persona’s own text turns (LLM brain), or its day told from what it did (scripted brain); a tick recorded before they were kept has none.',
        ),
  );
}

/** A button that unfolds (or folds again) every call of the trajectory. */
export function unfoldAllButton(list) {
  const button = h(
    'button',
    {
      type: 'button',
      class: 'btn btn-small',
      id: 'unfold-all',
      onclick: () => {
        const all = [...list.querySelectorAll('details.call-io')];
        const open = !all.every((d) => d.open);
        for (const d of all) d.open = open;
        button.textContent = open ? 'Fold all' : 'Unfold all';
      },
    },
    'Unfold all',
  );
  return button;
}
