// The dashboard's only way to the server.
//
// Where the sign-in lives: the access and refresh tokens are kept in this tab's sessionStorage (and
// in this module's memory), never in localStorage, cookies or URLs. Chosen over a refresh token in
// an httpOnly SameSite=Strict cookie because it needs no change to the auth API (login, refresh and
// logout already speak JSON tokens) and keeps the dashboard's API calls free of ambient credentials,
// so no CSRF defence is needed. A reload keeps you signed in; closing the tab, or signing out, ends
// it. The price: a script running in the page could read the tokens, which is why the page runs
// only its own scripts (CSP script-src 'self') and writes every piece of data as text. A 401
// refreshes once (one refresh at a time: refresh tokens rotate, and presenting a spent one revokes
// the whole family); a tab duplicated by the browser copies the session, and the second tab to
// refresh signs both out, which fails closed.

const STORAGE_KEY = 'mana.admin.session';

let session = readStoredSession(); // { accessToken, refreshToken, user }
const listeners = new Set();

function readStoredSession() {
  try {
    const stored = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null');
    if (stored && typeof stored.accessToken === 'string' && stored.user?.role === 'admin') return stored;
  } catch {
    // unreadable or blocked storage: start signed out
  }
  forgetStoredSession();
  return null;
}

function keepSession(next) {
  session = next;
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  } catch {
    // storage blocked (e.g. a privacy mode): the session lives in memory until a reload
  }
}

function forgetStoredSession() {
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // nothing stored
  }
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function currentUser() {
  return session?.user ?? null;
}

/** Called with (reason) when the session ends (sign-out, expiry, a 403 that says we are not admin). */
export function onSignedOut(listener) {
  listeners.add(listener);
}

function endSession(reason) {
  session = null;
  forgetStoredSession();
  for (const listener of listeners) listener(reason);
}

async function readBody(res) {
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function messageOf(body, fallback) {
  if (body && typeof body === 'object' && typeof body.message === 'string') return body.message;
  return fallback;
}

/**
 * Signs in with the normal login endpoint. Only admin accounts get a session: any other account's
 * tokens are dropped on the spot and the caller gets an ApiError(403).
 */
export async function signIn(email, password) {
  const res = await fetch('/api/v1/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const body = await readBody(res);
  if (!res.ok) throw new ApiError(res.status, messageOf(body, `Sign-in failed (${res.status})`));
  if (body?.user?.role !== 'admin') {
    // not ours to keep: log the refresh token out and forget both
    fetch('/api/v1/auth/logout', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: body?.refreshToken ?? '' }),
    }).catch(() => undefined);
    throw new ApiError(403, 'This account is not an admin. The dashboard needs an admin account.');
  }
  keepSession({ accessToken: body.accessToken, refreshToken: body.refreshToken, user: body.user });
  return session.user;
}

export async function signOut() {
  const refreshToken = session?.refreshToken;
  endSession('signed-out');
  if (refreshToken) {
    await fetch('/api/v1/auth/logout', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    }).catch(() => undefined);
  }
}

let refreshing = null;

/** One refresh at a time: every caller that met a 401 meanwhile waits for the same answer. */
function refresh() {
  refreshing ??= refreshOnce().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function refreshOnce() {
  const spent = session;
  if (!spent?.refreshToken) return false;
  const res = await fetch('/api/v1/auth/refresh', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refreshToken: spent.refreshToken }),
  }).catch(() => null);
  if (!res?.ok || session !== spent) return false;
  const body = await readBody(res);
  if (body?.user?.role !== 'admin') return false;
  keepSession({ accessToken: body.accessToken, refreshToken: body.refreshToken, user: body.user });
  return true;
}

/**
 * Sends one authorized request and answers the Response. A 401 tries one token refresh (or, when
 * another call refreshed meanwhile, the newer token), then ends the session; a 403 ends it too (the
 * account lost its admin role), unless `keepOn403` says this API answers 403 for a reason of its own
 * (the fault lab is off in production). Other errors throw ApiError with the server's message.
 */
async function send(method, path, { query, body, keepOn403 = false } = {}) {
  if (!session) throw new ApiError(401, 'Not signed in');
  const qs = query
    ? new URLSearchParams(
        Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ''),
      ).toString()
    : '';
  const url = qs ? `${path}?${qs}` : path;
  const attempt = (token) =>
    fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  const used = session.accessToken;
  let res = await attempt(used);
  if (res.status === 401 && session && (session.accessToken !== used || (await refresh())) && session) {
    res = await attempt(session.accessToken);
  }
  if (res.status === 401) {
    endSession('expired');
    throw new ApiError(401, 'Your session has ended: sign in again.');
  }
  if (res.status === 403 && !keepOn403) {
    endSession('forbidden');
    throw new ApiError(403, messageOf(await readBody(res), 'This account is not an admin.'));
  }
  if (!res.ok) {
    throw new ApiError(
      res.status,
      messageOf(await readBody(res), `${method} ${path} failed (${res.status})`),
    );
  }
  return res;
}

/** Calls an admin API with the bearer token and answers the parsed JSON (or the text). */
export async function api(method, path, options) {
  return readBody(await send(method, path, options));
}

/**
 * GETs a file from an admin API (it needs the bearer token, so a plain link cannot) and hands it to
 * the browser as a download through a short-lived blob: URL. The name is the server's
 * (Content-Disposition) when it gives one, else `fallbackName`.
 */
export async function download(path, query, fallbackName) {
  const res = await send('GET', path, { query });
  const blob = await res.blob();
  const given = /filename="?([^";]+)"?/i.exec(res.headers.get('content-disposition') ?? '')?.[1];
  const name = (given ?? fallbackName).replace(/[^\w.-]+/g, '_');
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // the click has handed the file over; some browsers still read the URL a moment later
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
  return name;
}

export const get = (path, query, options) => api('GET', path, { ...options, query });
export const post = (path, body, options) => api('POST', path, { ...options, body });
export const del = (path, options) => api('DELETE', path, options);
