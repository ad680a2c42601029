import { createHmac } from 'node:crypto';
import { DEV_PERSONA_SEED_SECRET } from '../config/app-config.js';
import type { NodeEnv } from '../config/app-config.js';
import { passwordWeakness } from '../auth/users/password-policy.js';

/** Length of a derived persona password (characters of [A-Za-z0-9]). */
export const PERSONA_PASSWORD_LENGTH = 32;

/**
 * The one password derivation shared by the seed CLI, the in-process seed, the runner and the tests:
 * HMAC-SHA256(key = secret, message = lower-cased trimmed email) → base64 → keep [A-Za-z0-9] →
 * first 32 characters. Persona passwords are never stored anywhere but as the normal argon2 hash;
 * whoever holds the secret can re-derive them.
 */
export function derivePersonaPassword(email: string, secret: string): string {
  if (secret.length === 0) throw new Error('the persona seed secret is empty');
  const normalized = email.trim().toLowerCase();
  const password = createHmac('sha256', secret)
    .update(normalized, 'utf8')
    .digest('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, PERSONA_PASSWORD_LENGTH);
  // 43 base64 characters minus a few '+' and '/' always leave 32; the policy check is a guard, not a hope
  const weakness =
    password.length < PERSONA_PASSWORD_LENGTH ? 'too short' : passwordWeakness(password, normalized);
  if (weakness)
    throw new Error(`the derived password for ${normalized} fails the password policy (${weakness})`);
  return password;
}

/**
 * The secret to derive persona passwords with, refusing the development fallback in production
 * (loadConfig refuses it too; this guards every caller that got its secret some other way).
 */
export function personaSeedSecret(config: { nodeEnv: NodeEnv; personaSeedSecret: string }): string {
  if (config.nodeEnv === 'production' && config.personaSeedSecret === DEV_PERSONA_SEED_SECRET) {
    throw new Error(
      'PERSONA_SEED_SECRET is the development fallback; set your own secret when NODE_ENV=production',
    );
  }
  if (config.personaSeedSecret.length === 0) throw new Error('PERSONA_SEED_SECRET is empty');
  return config.personaSeedSecret;
}
