import { randomUUID } from 'node:crypto';
import { UsersService } from '../../src/auth/users/users.service.js';
import { http } from './http.js';
import type { TestApp } from './test-app.js';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

export const uniqueEmail = (prefix = 'user') => `${prefix}.${randomUUID().slice(0, 8)}@example.com`;
export const TEST_PASSWORD = 'Tr0ub4dor&3-horse';

/** Signs a user up through the real HTTP endpoint. */
export async function registerUser(
  t: TestApp,
  email = uniqueEmail(),
  password = TEST_PASSWORD,
): Promise<TestUser> {
  const res = await http(t.url, 'POST', '/api/v1/auth/register', { body: { email, password } });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`);
  return { id: res.body.user.id, email: res.body.user.email, password, ...pickTokens(res.body) };
}

/** An admin made through the same service the boot-time bootstrap uses, then logged in over HTTP. */
export async function createAdmin(t: TestApp, email = uniqueEmail('admin')): Promise<TestUser> {
  const { user } = await t.app.get(UsersService).ensureAdmin(email, TEST_PASSWORD);
  return {
    id: user.id,
    email: user.email,
    password: TEST_PASSWORD,
    ...(await login(t, email, TEST_PASSWORD)),
  };
}

export async function login(t: TestApp, email: string, password: string) {
  const res = await http(t.url, 'POST', '/api/v1/auth/login', { body: { email, password } });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
  return pickTokens(res.body);
}

function pickTokens(body: { accessToken: string; refreshToken: string }) {
  return { accessToken: body.accessToken, refreshToken: body.refreshToken };
}
