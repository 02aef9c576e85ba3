// Execution counts per state over time, as an SVG line chart. The samples are
// what the rollout view saw while polling (kept per job in sessionStorage).
import { count } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';
export const SERIES = [
  ['QUEUED', 'Queued'], ['IN_PROGRESS', 'In progress'], ['SUCCEEDED', 'Succeeded'], ['FAILED', 'Failed'],
  ['REJECTED', 'Rejected'], ['TIMED_OUT', 'Timed out'], ['CANCELED', 'Canceled'], ['REMOVED', 'Removed'],
];

function el(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function clock(ms) { return new Date(ms).toISOString().slice(11, 19); }

// samples: [{t: ms, counts: {STATE: n}}], oldest first.
export function countsChart(samples) {
  const W = 760; const H = 220; const L = 48; const R = 12; const T = 12; const B = 30;
  const latest = samples[samples.length - 1];
  const shown = SERIES.filter(([key]) => samples.some((s) => (s.counts[key] || 0) > 0));
  const summary = shown.map(([key, label]) => `${label} ${count(latest.counts[key] || 0)}`).join(', ');
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img',
    'aria-label': `Executions per state over time; now: ${summary || 'no executions'}` });
  const t0 = samples[0].t;
  const t1 = Math.max(latest.t, t0 + 1000);
  const max = Math.max(1, ...samples.flatMap((s) => shown.map(([key]) => s.counts[key] || 0)));
  const x = (t) => L + ((t - t0) / (t1 - t0)) * (W - L - R);
  const y = (n) => T + (1 - n / max) * (H - T - B);
  for (const n of [0, max / 2, max]) {
    const v = Math.round(n);
    svg.append(el('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: 'grid' }));
    svg.append(el('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' }, count(v)));
  }
  svg.append(el('text', { x: L, y: H - 8, class: 'axis' }, clock(t0)));
  svg.append(el('text', { x: W - R, y: H - 8, 'text-anchor': 'end', class: 'axis' }, clock(t1)));
  for (const [key] of shown) {
    // Steps, not slopes: a count holds until the next sample says otherwise.
    let d = '';
    samples.forEach((s, i) => {
      const px = x(s.t).toFixed(1);
      const py = y(s.counts[key] || 0).toFixed(1);
      d += i === 0 ? `M${px},${py}` : `H${px}V${py}`;
    });
    d += `H${x(t1).toFixed(1)}`;
    svg.append(el('path', { d, class: `line s-${key.toLowerCase()}` }));
  }
  return svg;
}
