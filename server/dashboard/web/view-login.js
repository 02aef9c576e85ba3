// The login page: the API token otterd wrote to <data dir>/api-token.
import * as api from './api.js';
import { errorBox, h, replace } from './dom.js';

// Where to go after signing in: a path of this app only (never another site).
function safeNext(next) {
  return typeof next === 'string' && /^\/[A-Za-z0-9/_:?=&%.,-]*$/.test(next) && !next.startsWith('//')
    ? next : '/jobs';
}

export function loginView(main, { query, navigate }) {
  document.title = 'Sign in · Otter';
  const input = h('input', {
    id: 'token', name: 'token', type: 'password', required: true, autocomplete: 'off', spellcheck: 'false',
    'aria-describedby': 'token-help',
  });
  const status = h('div', { id: 'login-status' });
  const button = h('button', { type: 'submit' }, 'Sign in');
  // No action and CSP form-action 'none': even without this script the
  // browser cannot submit the token as a query string.
  const form = h('form', { class: 'card narrow', 'aria-labelledby': 'login-title', novalidate: true },
    h('h1', { id: 'login-title' }, 'Sign in to Otter'),
    query.get('expired') ? errorBox('otterd did not accept the stored token; sign in again.') : null,
    h('label', { for: 'token' }, 'API token'),
    input,
    h('p', { id: 'token-help', class: 'hint' },
      'The token is in ', h('code', {}, '<data dir>/api-token'),
      ' on the otterd host. It stays in this browser tab only and is sent as an Authorization header.'),
    button,
    status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const candidate = input.value.trim();
    if (!candidate) {
      replace(status, errorBox('Enter the API token.'));
      input.focus();
      return;
    }
    button.disabled = true;
    replace(status, h('p', { class: 'muted' }, 'Checking the token…'));
    try {
      await api.verifyToken(candidate);
      api.setToken(candidate);
      input.value = '';
      navigate(safeNext(query.get('next')), { replace: true });
    } catch (e) {
      replace(status, errorBox(e.status === 401 ? 'otterd does not accept this token.' : e.message));
      button.disabled = false;
      input.focus();
      input.select();
    }
  });
  replace(main, form);
  input.focus();
}
