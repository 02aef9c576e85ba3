// Building the page without innerHTML: every value from otterd becomes text,
// so a thing name or a device's failure reason can never inject markup.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

export function link(href, text, attrs = {}) { return h('a', { href, 'data-link': true, ...attrs }, text); }

const number = new Intl.NumberFormat('en');
export function count(n) { return number.format(n); }

export function bytes(n) {
  if (n === undefined || n === null) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}

// Seconds since the epoch -> "2026-11-27 06:31:04 UTC".
export function time(seconds) {
  if (!seconds) return '';
  return new Date(seconds * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

export function ago(seconds, now = Date.now() / 1000) {
  if (!seconds) return 'never';
  const d = Math.max(0, Math.round(now - seconds));
  if (d < 5) return 'just now';
  if (d < 90) return `${d} s ago`;
  if (d < 90 * 60) return `${Math.round(d / 60)} min ago`;
  if (d < 36 * 3600) return `${Math.round(d / 3600)} h ago`;
  return `${Math.round(d / 86400)} days ago`;
}

// <time> with the exact moment as its tooltip and machine-readable value.
export function when(seconds) {
  if (!seconds) return h('span', { class: 'muted' }, 'never');
  return h('time', { datetime: new Date(seconds * 1000).toISOString(), title: time(seconds), dataset: { ago: seconds } },
    ago(seconds));
}

export function badge(status) {
  return h('span', { class: `badge s-${String(status).toLowerCase()}` }, String(status).replace('_', ' '));
}

export function announce(message) {
  const el = document.getElementById('announcer');
  if (el) el.textContent = message;
}

// An error box the screen reader reads out.
export function errorBox(message) { return h('p', { class: 'error', role: 'alert' }, message); }

// "receive": "25/74" -> {done: 25, total: 74}, or null.
export function receiveProgress(details) {
  const m = /^(\d+)\/(\d+)$/.exec((details && details.receive) || '');
  if (!m) return null;
  const done = Number(m[1]);
  const total = Number(m[2]);
  return total > 0 ? { done: Math.min(done, total), total } : null;
}

export function progressBar(value, max, label) {
  return h('progress', { value, max, 'aria-label': label }, `${Math.round((100 * value) / max)}%`);
}

export function table(caption, headers, rows, attrs = {}) {
  return h('div', { class: 'table-wrap', role: 'region', 'aria-label': caption, tabindex: '0' },
    h('table', attrs,
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', {}, h('tr', {}, headers.map((text) => h('th', { scope: 'col' }, text)))),
      h('tbody', {}, rows)));
}

// performance.mark('otter:first-render') once per page load, when the first
// view has its data on screen (the browser test reads it).
let firstRender = false;
export function markFirstRender() {
  if (firstRender) return;
  firstRender = true;
  performance.mark('otter:first-render');
}

// Relative times age while a view waits for data that did not change.
export function refreshTimes(root = document) {
  for (const el of root.querySelectorAll('time[data-ago]')) el.textContent = ago(Number(el.dataset.ago));
}
