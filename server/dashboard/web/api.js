// Talking to otterd's REST API. The token lives in sessionStorage (this tab
// only, gone when it closes) and travels only in the Authorization header;
// it is never put in a URL, a cookie or the page.
const TOKEN_KEY = 'otter.apiToken';

export const stats = { requests: 0, notModified: 0 };

export function token() { return sessionStorage.getItem(TOKEN_KEY); }
export function setToken(value) { sessionStorage.setItem(TOKEN_KEY, value); }
export function clearToken() { sessionStorage.removeItem(TOKEN_KEY); }

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// Called when otterd refuses the token (set by the app: back to the login page).
let onUnauthorized = () => {};
export function whenUnauthorized(fn) { onUnauthorized = fn; }

// Last answer per URL, for conditional GETs: polling an unchanged resource
// costs otterd a 304 without a body.
const cache = new Map();

async function request(method, path, { body, headers = {}, conditional = false, auth = token() } = {}) {
  const h = { Accept: 'application/json', ...headers };
  if (auth) h.Authorization = `Bearer ${auth}`;
  let payload = body;
  if (body !== undefined && !(body instanceof FormData)) {
    h['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const cached = conditional ? cache.get(path) : undefined;
  if (cached) h['If-None-Match'] = cached.etag;
  stats.requests++;
  let response;
  try {
    response = await fetch(path, { method, headers: h, body: payload, cache: 'no-store', credentials: 'omit' });
  } catch (e) {
    throw new ApiError(0, `otterd cannot be reached (${e.message}); is it running?`);
  }
  if (response.status === 304 && cached) {
    stats.notModified++;
    return { data: cached.data, changed: false };
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = { error: text }; }
  }
  if (!response.ok) {
    const message = (data && data.error) || `${method} ${path} failed with HTTP ${response.status}`;
    if (response.status === 401 && auth && auth === token()) onUnauthorized();
    throw new ApiError(response.status, message);
  }
  const etag = response.headers.get('ETag');
  if (conditional && etag) cache.set(path, { etag, data });
  return { data, changed: true };
}

export async function get(path) { return (await request('GET', path)).data; }
// { data, changed }: changed is false when otterd answered 304.
export function poll(path) { return request('GET', path, { conditional: true }); }
export async function post(path, body) { return (await request('POST', path, { body })).data; }

// Checks a token before keeping it.
export async function verifyToken(candidate) {
  await request('GET', '/api/v1/dashboard/things?limit=1', { auth: candidate });
}

// Every page of a list route (for small lists: groups, signing profiles).
export async function getAll(path, key) {
  const out = [];
  let offset = 0;
  for (;;) {
    const sep = path.includes('?') ? '&' : '?';
    const page = await get(`${path}${sep}offset=${offset}&limit=1000`);
    out.push(...page[key]);
    if (page.nextOffset === undefined) return out;
    offset = page.nextOffset;
  }
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}
