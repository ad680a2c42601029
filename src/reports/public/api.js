// The dashboard's only way to the server. The access token lives in this module's memory and nowhere
// else: not in localStorage, cookies or URLs, so a reload asks to sign in again.

let session = null; // { accessToken, refreshToken, user }
const listeners = new Set();

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
  session = { accessToken: body.accessToken, refreshToken: body.refreshToken, user: body.user };
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

async function refresh() {
  if (!session?.refreshToken) return false;
  const res = await fetch('/api/v1/auth/refresh', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refreshToken: session.refreshToken }),
  });
  if (!res.ok) return false;
  const body = await readBody(res);
  if (body?.user?.role !== 'admin') return false;
  session = { accessToken: body.accessToken, refreshToken: body.refreshToken, user: body.user };
  return true;
}

/**
 * Calls an admin API with the bearer token. A 401 tries one token refresh, then ends the session;
 * a 403 ends it too (the account lost its admin role), unless `keepOn403` says this API answers 403
 * for a reason of its own (the fault lab is off in production). Other errors throw ApiError with the
 * server's message.
 */
export async function api(method, path, { query, body, keepOn403 = false } = {}) {
  if (!session) throw new ApiError(401, 'Not signed in');
  const qs = query
    ? new URLSearchParams(
        Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ''),
      ).toString()
    : '';
  const url = qs ? `${path}?${qs}` : path;
  const send = () =>
    fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${session.accessToken}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  let res = await send();
  if (res.status === 401 && (await refresh())) res = await send();
  const data = await readBody(res);
  if (res.status === 401) {
    endSession('expired');
    throw new ApiError(401, 'Your session has ended: sign in again.');
  }
  if (res.status === 403 && !keepOn403) {
    endSession('forbidden');
    throw new ApiError(403, messageOf(data, 'This account is not an admin.'));
  }
  if (!res.ok) throw new ApiError(res.status, messageOf(data, `${method} ${path} failed (${res.status})`));
  return data;
}

export const get = (path, query, options) => api('GET', path, { ...options, query });
export const post = (path, body, options) => api('POST', path, { ...options, body });
export const del = (path, options) => api('DELETE', path, options);
