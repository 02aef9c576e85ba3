// The dashboard's shell: client-side routes, the login gate and the polling
// loop the live views share.
import * as api from './api.js';
import { announce, errorBox, refreshTimes, replace } from './dom.js';
import { loginView } from './view-login.js';
import { thingsView } from './view-things.js';
import { groupsView } from './view-groups.js';
import { firmwareView } from './view-firmware.js';
import { jobsView } from './view-jobs.js';
import { newJobView } from './view-job-new.js';
import { jobView } from './view-job.js';

// Kept in step with is_app_route() in server/dashboard/dashboard.cc.
const routes = [
  [/^\/login$/, loginView, { public: true }],
  [/^\/things$/, thingsView],
  [/^\/groups$/, groupsView],
  [/^\/firmware$/, firmwareView],
  [/^\/jobs$/, jobsView],
  [/^\/jobs\/new$/, newJobView],
  [/^\/jobs\/([A-Za-z0-9_-]{1,64})$/, jobView],
];

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const logout = document.getElementById('logout');
let current = null;  // AbortController of the view on screen

export function navigate(path, { replace: replaceEntry = false } = {}) {
  if (replaceEntry) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  setInterval(() => { if (!document.hidden) refreshTimes(main); }, 5000);
render();
}

// Runs fn now and then every `ms` while the view is shown; pauses while the
// tab is hidden so a forgotten tab does not keep polling otterd.
export function every(ms, fn, signal) {
  let timer = null;
  const tick = async () => {
    timer = null;
    if (signal.aborted) return;
    if (!document.hidden) {
      try { await fn(); } catch (e) { if (!signal.aborted) console.warn('poll failed:', e.message); }
    }
    if (!signal.aborted) timer = setTimeout(tick, ms);
  };
  const wake = () => { if (!document.hidden && timer !== null) { clearTimeout(timer); tick(); } };
  document.addEventListener('visibilitychange', wake, { signal });
  signal.addEventListener('abort', () => { if (timer !== null) clearTimeout(timer); });
  tick();
}

function render() {
  if (current) current.abort();
  current = new AbortController();
  const { pathname, search } = window.location;
  const signedIn = Boolean(api.token());
  nav.hidden = !signedIn;
  logout.hidden = !signedIn;
  for (const a of nav.querySelectorAll('a')) {
    if (pathname === a.getAttribute('href') || pathname.startsWith(`${a.getAttribute('href')}/`)) {
      a.setAttribute('aria-current', 'page');
    } else {
      a.removeAttribute('aria-current');
    }
  }
  if (pathname === '/') { navigate(signedIn ? '/jobs' : '/login', { replace: true }); return; }
  const match = routes.find(([pattern]) => pattern.test(pathname));
  if (!match) {
    replace(main, errorBox(`No page at ${pathname}.`));
    return;
  }
  const [pattern, view, options = {}] = match;
  if (!options.public && !signedIn) {
    navigate(`/login?next=${encodeURIComponent(pathname + search)}`, { replace: true });
    return;
  }
  const params = pattern.exec(pathname).slice(1).map(decodeURIComponent);
  const query = new URLSearchParams(search);
  replace(main);
  // Focus moves to the new content (a view may then focus its first field).
  main.focus({ preventScroll: true });
  const ctx = { params, query, signal: current.signal, navigate, every };
  Promise.resolve(view(main, ctx)).catch((e) => {
    if (!ctx.signal.aborted) replace(main, errorBox(e.message));
  }).finally(() => announce(document.title));
}

// Links marked data-link stay in the app; modified clicks open tabs as usual.
document.addEventListener('click', (event) => {
  const a = event.target.closest('a[data-link]');
  if (!a || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey ||
      event.altKey) return;
  event.preventDefault();
  navigate(a.getAttribute('href'));
});
window.addEventListener('popstate', render);

logout.addEventListener('click', () => {
  // Forget everything this tab kept: the token and the rollout samples.
  sessionStorage.clear();
  navigate('/login', { replace: true });
});

api.whenUnauthorized(() => {
  api.clearToken();
  const { pathname, search } = window.location;
  navigate(`/login?next=${encodeURIComponent(pathname + search)}&expired=1`, { replace: true });
});

setInterval(() => { if (!document.hidden) refreshTimes(main); }, 5000);
render();
