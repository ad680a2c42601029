import { createPrivateKey, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';
import type { TestUser } from '../support/factories.js';

export const INTERNAL_BASE = '/api/v1/personas/internal';

/** The real app (tool modules included: a module mix may only name modules that have tools). */
export function bootPersonasApp(env: Record<string, string> = {}): Promise<TestApp> {
  return bootTestApp(env);
}

/** An admin token signed with the app's key that expired a minute ago. */
export function expiredToken(t: TestApp, admin: TestUser): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ email: admin.email, kind: 'human', tier: 'public', role: 'admin' })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
    .setSubject(admin.id)
    .setIssuer(t.config.jwtIssuer)
    .setAudience(t.config.jwtAudience)
    .setIssuedAt(now - 600)
    .setExpirationTime(now - 60)
    .setJti(randomUUID())
    .sign(createPrivateKey(t.config.jwtPrivateKeyPem));
}

export const PERSONA_TABLES = [
  'users',
  'personas',
  'persona_ticks',
  'persona_actions',
  'persona_feedback',
  'spaces',
  'space_members',
] as const;

export async function rowCounts(t: TestApp, tables: readonly string[] = PERSONA_TABLES) {
  const out: Record<string, number> = {};
  for (const table of tables) {
    const [row] = await t.dataSource.query(`SELECT count(*)::int AS n FROM ${table}`);
    out[table] = row.n;
  }
  return out;
}
