// A dependency-free SVG line chart: average rating (1–5) per module per bucket, regressions marked.
import { h, s } from './dom.js';

const PALETTE = [
  '#2563eb',
  '#16a34a',
  '#9333ea',
  '#ea580c',
  '#0891b2',
  '#ca8a04',
  '#db2777',
  '#4b5563',
  '#65a30d',
  '#7c3aed',
];
const W = 720;
const H = 280;
const PAD = { left: 34, right: 14, top: 14, bottom: 34 };

export function colorOf(index) {
  return PALETTE[index % PALETTE.length];
}

/**
 * @param {{ bucketStarts: string[], items: Array<{ module: string, buckets: Array<{ start: string, avgRating: number|null, ratingCount: number }>, regression: { regressed: boolean, last7: { from: string } } }> }} report
 * @returns {HTMLElement} a figure holding the SVG and an HTML legend
 */
export function ratingsChart(report) {
  const starts = report.bucketStarts;
  const n = Math.max(starts.length, 1);
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const x = (i) => PAD.left + (n === 1 ? innerW / 2 : (i * innerW) / (n - 1));
  const y = (rating) => PAD.top + ((5 - rating) * innerH) / 4;
  const index = new Map(starts.map((start, i) => [start, i]));

  const svg = s('svg', {
    viewBox: `0 0 ${W} ${H}`,
    class: 'chart',
    role: 'img',
    'aria-label': 'Average rating per module over time',
  });

  // the last-7-days band of the regression rule
  const recentFrom = report.items[0]?.regression?.last7?.from;
  if (recentFrom) {
    const day = recentFrom.slice(0, 10);
    let first = starts.findIndex(
      (start, i) => start <= day && (starts[i + 1] === undefined || starts[i + 1] > day),
    );
    if (first < 0) first = starts.length - 1;
    const bandX = first <= 0 ? PAD.left : (x(first - 1) + x(first)) / 2;
    svg.append(
      s('rect', {
        x: bandX,
        y: PAD.top,
        width: Math.max(W - PAD.right - bandX, 4),
        height: innerH,
        class: 'chart-band',
      }),
      s(
        'text',
        { x: W - PAD.right - 4, y: PAD.top + 12, 'text-anchor': 'end', class: 'chart-band-label' },
        'last 7 days',
      ),
    );
  }

  for (let r = 1; r <= 5; r++) {
    svg.append(
      s('line', { x1: PAD.left, x2: W - PAD.right, y1: y(r), y2: y(r), class: 'chart-grid' }),
      s('text', { x: PAD.left - 8, y: y(r) + 4, 'text-anchor': 'end', class: 'chart-axis' }, String(r)),
    );
  }
  const every = Math.max(1, Math.ceil(n / 8));
  starts.forEach((start, i) => {
    if (i % every !== 0 && i !== n - 1) return;
    const anchor = n > 1 && i === n - 1 ? 'end' : n > 1 && i === 0 ? 'start' : 'middle';
    svg.append(s('text', { x: x(i), y: H - 12, 'text-anchor': anchor, class: 'chart-axis' }, start.slice(5)));
  });

  const legend = h('ul', { class: 'legend' });
  report.items.forEach((item, k) => {
    const color = colorOf(k);
    const regressed = item.regression.regressed;
    const points = item.buckets
      .filter((b) => b.avgRating !== null && index.has(b.start))
      .map((b) => ({ i: index.get(b.start), v: b.avgRating, n: b.ratingCount, start: b.start }))
      .sort((a, b) => a.i - b.i);
    // a gap (a bucket without ratings) breaks the line
    let d = '';
    points.forEach((p, j) => {
      const joined = j > 0 && points[j - 1].i === p.i - 1;
      d += `${joined ? 'L' : 'M'}${x(p.i).toFixed(1)},${y(p.v).toFixed(1)} `;
    });
    const group = s('g', { class: regressed ? 'series regressed' : 'series', 'data-module': item.module });
    if (d) group.append(s('path', { d, fill: 'none', stroke: color, 'stroke-width': regressed ? 3 : 2 }));
    for (const p of points) {
      group.append(
        s(
          'circle',
          { cx: x(p.i), cy: y(p.v), r: 3.5, fill: color },
          s(
            'title',
            {},
            `${item.module} · ${report.bucket === 'day' ? '' : 'week of '}${p.start}: ${p.v.toFixed(2)} (${p.n} ratings)`,
          ),
        ),
      );
    }
    const last = points[points.length - 1];
    if (regressed && last) {
      const cx = x(last.i);
      const cy = y(last.v);
      group.append(
        s(
          'path',
          { d: `M${cx - 7},${cy + 9} L${cx + 7},${cy + 9} L${cx},${cy + 20} Z`, class: 'regression-marker' },
          s('title', {}, `${item.module} regressed`),
        ),
      );
    }
    svg.append(group);
    legend.append(
      h(
        'li',
        { class: regressed ? 'regressed' : null },
        h('span', { class: 'swatch', style: `background:${color}` }),
        item.module,
        regressed ? h('span', { class: 'badge badge-bad' }, '▼ regressed') : null,
      ),
    );
  });

  return h('figure', { class: 'chart-figure' }, svg, legend);
}
