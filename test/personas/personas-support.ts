import { createPrivateKey, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { derivePersonaPassword } from '../../src/personas/persona-password.js';
import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';
import { http } from '../support/http.js';
import { login } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';

export const ADMIN_BASE = '/api/v1/personas/admin';
export const INTERNAL_BASE = '/api/v1/personas/internal';

/** The real app (tool modules included: a module mix may only name modules that have tools). */
export function bootPersonasApp(env: Record<string, string> = {}): Promise<TestApp> {
  return bootTestApp(env);
}

const PROMPT =
  'You are a test persona who checks things methodically and writes short, clear notes about them.';

/** A valid create-or-update body at the persona domain, with the derived password. */
export function personaBody(t: TestApp, overrides: Record<string, unknown> = {}) {
  const email = (overrides.email as string | undefined) ?? `persona.t${randomUUID().slice(0, 8)}@mana.test`;
  return {
    email,
    name: 'Test Persona',
    password: derivePersonaPassword(email, t.config.personaSeedSecret),
    archetype: 'solo-dev',
    systemPrompt: PROMPT,
    moduleMix: { todo: 2, notes: 1 },
    tickCadence: 'daily',
    timezone: 'Europe/Berlin',
    ...overrides,
  };
}

export interface CreatedPersona {
  userId: string;
  email: string;
  password: string;
}

export async function createPersona(
  t: TestApp,
  admin: TestUser,
  overrides: Record<string, unknown> = {},
): Promise<CreatedPersona> {
  const body = personaBody(t, overrides);
  const res = await http(t.url, 'POST', ADMIN_BASE, { token: admin.accessToken, body });
  if (res.status !== 201) throw new Error(`persona create failed: ${res.status} ${res.text}`);
  return { userId: res.body.userId, email: body.email, password: body.password };
}

export async function loginPersona(t: TestApp, p: CreatedPersona): Promise<TestUser> {
  return { id: p.userId, email: p.email, password: p.password, ...(await login(t, p.email, p.password)) };
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
