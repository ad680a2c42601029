/**
 * What a recorded call keeps of its input and of the app's answer (persona_actions.input / output):
 * JSON text, secrets taken out, cut to TRAJECTORY_MAX_BYTES with a marker saying so.
 *
 * Secrets are taken out twice, because a tool's arguments are the persona's own content but may
 * still hold what nobody should read back in a report:
 * - by name: the value of any object key that names a secret (password, token, secret, api key,
 *   authorization, cookie, credential, private key, a bare `key`) becomes `[redacted]`, at any depth;
 * - by shape, in every string (and again on the JSON text, so a runner on another host cannot store
 *   one either): `Bearer …`, JWTs, this app's personal access tokens (`mana_pat_…`), `sk-…` API
 *   keys, GitHub and AWS access keys, PEM private keys, and the password of a `user:password@` URL.
 */

export const REDACTED = '[redacted]';

/** Object keys whose values are never kept (matched on the key with `-`/`_` removed, any case). */
const SECRET_KEY =
  /^(key|keys)$|pass(word|phrase|wd)?$|secret|token|apikey|accesskey|privatekey|signingkey|encryptionkey|authori[sz]ation|cookie|credential|sessionid|otp$/i;

/** Secret-shaped substrings of any text. Each replacement keeps what tells a reader what it was. */
const SECRET_SHAPES: ReadonlyArray<[RegExp, string]> = [
  [
    /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
    `-----${REDACTED}-----`,
  ],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, REDACTED],
  [/\bmana_pat_[A-Za-z0-9_-]+/g, `mana_pat_${REDACTED}`],
  [/\bsk-[A-Za-z0-9_-]{16,}/g, `sk-${REDACTED}`],
  [/\bgh[pousr]_[A-Za-z0-9]{20,}/g, REDACTED],
  [/\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, REDACTED],
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi, `$1${REDACTED}@`],
];

/** Default of TRAJECTORY_MAX_BYTES. */
export const TRAJECTORY_MAX_BYTES_DEFAULT = 4096;
/** The longest text a runner may send for one input or output (the server cuts it to its own limit). */
export const TRAJECTORY_WIRE_MAX_CHARS = 256 * 1024;

/** One kept input or answer: the text as stored, and whether it was cut. */
export interface TrajectoryText {
  text: string;
  truncated: boolean;
}

/** Takes the secret-shaped substrings out of a text. */
export function redactText(text: string): string {
  let out = text;
  for (const [shape, replacement] of SECRET_SHAPES) out = out.replace(shape, replacement);
  return out;
}

/** A JSON member `"key": "value"` (also inside a text cut mid-way), for redactKeptText. */
const JSON_STRING_MEMBER = /"((?:[^"\\]|\\.){1,200})"(\s*:\s*)"((?:[^"\\]|\\.)*)("?)/g;

/**
 * The server's pass over a kept text a runner sent: secret-shaped substrings out, and the string
 * value of every JSON member whose key names a secret (the text may be cut, so it is not parsed).
 */
export function redactKeptText(text: string): string {
  return redactText(text).replace(JSON_STRING_MEMBER, (whole, key: string, colon: string, _v, end: string) =>
    isSecretKey(key) ? `"${key}"${colon}"${REDACTED}${end}` : whole,
  );
}

/** A copy of `value` with secret-named keys' values and secret-shaped strings replaced. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 64) return REDACTED; // deeper than any real answer; nothing below is kept
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    out[key] = isSecretKey(key) && v !== null && v !== undefined ? REDACTED : redactValue(v, depth + 1);
  }
  return out;
}

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key.replace(/[-_\s]/g, ''));
}

/**
 * The text kept for one input or answer: a string is kept as the app answered it, anything else as
 * JSON; null when there is nothing (undefined) or it cannot be written as JSON.
 */
export function trajectoryText(value: unknown, maxBytes: number): TrajectoryText | null {
  if (value === undefined) return null;
  let text: string;
  try {
    const redacted = redactValue(value);
    text = typeof redacted === 'string' ? redacted : JSON.stringify(redacted);
  } catch {
    return null; // a cycle or a BigInt: not JSON, nothing to show
  }
  if (typeof text !== 'string') return null;
  return cutText(text, maxBytes);
}

/**
 * `text` within `maxBytes` of UTF-8 (never splitting a character), the cut marked at its end:
 * `…[cut: 4096 of 10234 bytes]`. A text that was cut before (a runner's) is not cut again unless
 * it is still too long.
 */
export function cutText(text: string, maxBytes: number): TrajectoryText {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= maxBytes) return { text, truncated: false };
  const head = Buffer.from(text, 'utf8')
    .subarray(0, maxBytes)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
  return { text: `${head}…[cut: ${maxBytes} of ${bytes} bytes]`, truncated: true };
}
