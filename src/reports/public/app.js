// The admin dashboard: sign-in, hash routing, one view at a time. No framework, no build step.
import { ApiError, currentUser, onSignedOut, signIn, signOut } from './api.js';
import { h, replace } from './dom.js';
import { clearNotice, refreshBanner, showPlanted } from './banner.js';
import * as overview from './view-overview.js';
import * as findings from './view-findings.js';
import * as faults from './view-faults.js';
import * as modules from './view-modules.js';
import * as tools from './view-tools.js';
import * as saidVsDid from './view-said-vs-did.js';
import * as personas from './view-personas.js';
import * as ticks from './view-ticks.js';

const $ = (id) => document.getElementById(id);

/** [pattern, nav key, render(root, params, query)] — first match wins. */
const ROUTES = [
  [/^\/overview$/, 'overview', overview.render],
  [/^\/findings$/, 'findings', findings.render],
  [/^\/modules$/, 'modules', modules.render],
  [/^\/tools$/, 'tools', tools.render],
  [/^\/said-vs-did$/, 'said-vs-did', saidVsDid.render],
  [/^\/personas$/, 'personas', personas.renderList],
  [/^\/personas\/(?<id>[0-9a-fA-F-]{36})$/, 'personas', personas.renderDetail],
  [/^\/ticks$/, 'ticks', ticks.renderList],
  [/^\/ticks\/(?<id>[0-9a-fA-F-]{36})$/, 'ticks', ticks.renderDetail],
  [/^\/faults$/, 'faults', faults.render],
];

/** Views that set the fault banner from their own data; every other view re-reads it. */
const SETS_BANNER = new Set(['overview', 'faults']);

let renderSeq = 0;

function showSignIn(message) {
  showPlanted([]);
  clearNotice();
  $('topbar').hidden = true;
  $('view').hidden = true;
  replace($('view'));
  $('signin').hidden = false;
  $('signin-error').textContent = message ?? '';
  $('password').value = '';
  $('email').focus();
}

function showApp() {
  $('signin').hidden = true;
  $('topbar').hidden = false;
  $('view').hidden = false;
  const user = currentUser();
  $('who').textContent = user ? user.email : '';
}

async function route() {
  if (!currentUser()) return showSignIn();
  showApp();
  const raw = location.hash.replace(/^#/, '') || '/overview';
  const [path, search = ''] = raw.split('?');
  const match = ROUTES.map(([re, key, render]) => ({ m: re.exec(path), key, render })).find((r) => r.m);
  if (!match) {
    location.replace('#/overview');
    return;
  }
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.route === match.key) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const seq = ++renderSeq;
  // each view renders into its own detached container; only the newest one is shown
  const root = h('div', { class: 'page', 'data-route': match.key });
  replace($('view'), h('p', { class: 'loading' }, 'Loading…'));
  if (!SETS_BANNER.has(match.key)) refreshBanner();
  try {
    await match.render(root, match.m.groups ?? {}, new URLSearchParams(search));
    if (seq === renderSeq) replace($('view'), root);
  } catch (error) {
    if (seq !== renderSeq) return;
    if (error instanceof ApiError && (error.status === 401 || error.status === 403) && !currentUser()) return;
    replace(
      $('view'),
      h(
        'div',
        { class: 'error-box', role: 'alert' },
        h(
          'strong',
          {},
          error instanceof ApiError && error.status === 404 ? 'Not found: ' : 'Could not load this page: ',
        ),
        error.message,
      ),
    );
  }
}

onSignedOut((reason) => {
  const messages = {
    expired: 'Your session has ended. Sign in again.',
    forbidden: 'This account is not an admin. The dashboard needs an admin account.',
  };
  showSignIn(messages[reason]);
});

$('signin-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const email = $('email').value.trim();
  const password = $('password').value;
  if (!email || !password) {
    $('signin-error').textContent = 'Enter your email and password.';
    return;
  }
  $('signin-submit').disabled = true;
  $('signin-error').textContent = '';
  try {
    await signIn(email, password);
    $('password').value = '';
    await route();
  } catch (error) {
    $('signin-error').textContent =
      error instanceof ApiError ? error.message : 'The server could not be reached.';
  } finally {
    $('signin-submit').disabled = false;
  }
});

$('sign-out').addEventListener('click', () => signOut());
window.addEventListener('hashchange', () => route());
route();
