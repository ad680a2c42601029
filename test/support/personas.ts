import { randomUUID } from 'node:crypto';
import { derivePersonaPassword } from '../../src/personas/persona-password.js';
import { createAdmin, login } from './factories.js';
import type { TestUser } from './factories.js';
import { http } from './http.js';
import type { TestApp } from './test-app.js';

/** The admin persona API: create-or-update is `POST` here (see personas-admin.controller.ts). */
export const ADMIN_BASE = '/api/v1/personas/admin';

const PROMPT =
  'You are a test persona who checks things methodically and writes short, clear notes about them.';

/** A valid create-or-update body at the persona domain, with the derived password. */
export function personaBody(t: TestApp, overrides: Record<string, unknown> = {}) {
  const email =
    (overrides.email as string | undefined) ??
    `persona.t${randomUUID().slice(0, 8)}@${t.config.personaEmailDomain}`;
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

/** One admin per app for the suites that create personas without an admin of their own. */
const defaultAdmins = new WeakMap<TestApp, Promise<TestUser>>();

function defaultAdmin(t: TestApp): Promise<TestUser> {
  let admin = defaultAdmins.get(t);
  if (!admin) {
    admin = createAdmin(t);
    defaultAdmins.set(t, admin);
  }
  return admin;
}

/**
 * The one persona factory: creates a persona the way an operator does, `POST /api/v1/personas/admin`
 * with an admin's JWT (sign-up, persona stamp, personal space, persona row). `overrides` replace
 * fields of {@link personaBody}; `admin` defaults to an admin made once per app.
 */
export async function createPersona(
  t: TestApp,
  overrides: Record<string, unknown> = {},
  admin?: TestUser,
): Promise<CreatedPersona> {
  const body = personaBody(t, overrides);
  const token = (admin ?? (await defaultAdmin(t))).accessToken;
  const res = await http(t.url, 'POST', ADMIN_BASE, { token, body });
  if (res.status !== 201) throw new Error(`persona create failed: ${res.status} ${res.text}`);
  return { userId: res.body.userId, email: body.email, password: body.password };
}

export async function loginPersona(t: TestApp, p: CreatedPersona): Promise<TestUser> {
  return { id: p.userId, email: p.email, password: p.password, ...(await login(t, p.email, p.password)) };
}
