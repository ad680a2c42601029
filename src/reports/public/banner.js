// The fault-lab banner: shown on every view while any fault is planted, so nobody mistakes a planted
// defect for a real one. Fed by the overview report's `plantedFaults` (or the fault lab's own list).
import { get } from './api.js';
import { h, link, replace } from './dom.js';

const el = () => document.getElementById('fault-banner');

/** Shows (or hides, for an empty list) the banner for these planted defect ids. */
export function showPlanted(defects) {
  const banner = el();
  if (!banner) return;
  if (!defects || defects.length === 0) {
    banner.hidden = true;
    replace(banner);
    banner.dataset.count = '0';
    return;
  }
  replace(
    banner,
    h('strong', {}, `${defects.length} planted ${defects.length === 1 ? 'defect' : 'defects'}: `),
    defects.map((d, i) => [i > 0 ? ', ' : '', h('code', {}, d)]),
    '. The app misbehaves on purpose until it is cleared. ',
    link('#/faults', 'Fault lab →'),
  );
  banner.dataset.count = String(defects.length);
  banner.hidden = false;
}

/** Re-reads what is planted now. Never throws: the banner is a courtesy, not the page. */
export async function refreshBanner() {
  try {
    const overview = await get('/api/v1/reports/overview');
    showPlanted(overview.plantedFaults?.defects ?? []);
  } catch {
    // the view itself reports a failing API or an ended session
  }
}

const noticeEl = () => document.getElementById('notice');

/**
 * A notice under the top bar (e.g. "Tick finished") that stays, across views, until its close
 * button is pressed or another notice replaces it. `parts` are text or nodes, as h() takes them.
 */
export function showNotice(tone, ...parts) {
  const notice = noticeEl();
  if (!notice) return;
  replace(
    notice,
    h('span', { class: 'notice-text' }, ...parts),
    h(
      'button',
      {
        type: 'button',
        class: 'notice-close',
        'aria-label': 'Dismiss',
        title: 'Dismiss',
        onclick: () => clearNotice(),
      },
      '×',
    ),
  );
  notice.className = `notice notice-${tone}`;
  notice.hidden = false;
}

export function clearNotice() {
  const notice = noticeEl();
  if (!notice) return;
  notice.hidden = true;
  replace(notice);
}
