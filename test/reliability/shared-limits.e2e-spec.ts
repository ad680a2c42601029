import { createHash } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source.options.js';
import { RateLimiterFactory } from '../../src/database/rate-limits/rate-limiter.factory.js';
import { embeddedDb } from '../support/test-app.js';
import { http } from '../support/http.js';
import type { HttpResult } from '../support/http.js';
import { TEST_PASSWORD, uniqueEmail } from '../support/factories.js';
import { startReplicas } from '../support/server-process.js';
import type { Replicas } from '../support/server-process.js';
import { waitFor } from '../support/wait-for.js';

/** The row key a budget stores for `key` (SharedRateLimiter hashes keys; the prefix names the terms). */
const rowKey = (name: string, points: number, windowMs: number, key: string) =>
  `${name}/${points}/${windowMs}:${createHash('sha256').update(key).digest('base64url')}`;

describe(`${RateLimiterFactory.name} on the suite's database`, () => {
  let dataSource: DataSource;
  let limits: RateLimiterFactory;

  beforeAll(async () => {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error('the jest global setup did not provide DATABASE_URL');
    dataSource = new DataSource(dataSourceOptions({ url, embedded: embeddedDb() }));
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    limits = new RateLimiterFactory(dataSource);
  });
  afterAll(async () => {
    if (dataSource.isInitialized) await dataSource.destroy();
  });

  const points = async (row: string): Promise<number | undefined> =>
    (await dataSource.query(`SELECT points FROM rate_limits WHERE key = $1`, [row]))[0]?.points;

  it('should count one budget for every limiter built with the same terms and refuse the attempt past it', async () => {
    const terms = { name: 'test-shared', points: 3, windowMs: 60_000 };
    const [a, b] = [limits.create(terms), new RateLimiterFactory(dataSource).create(terms)];
    const key = uniqueEmail('shared');
    const verdicts = [];
    for (const limiter of [a, b, a, b]) verdicts.push(await limiter.take(key));
    expect(verdicts.map((v) => v.allowed)).toEqual([true, true, true, false]);
    expect(verdicts.map((v) => v.remaining)).toEqual([2, 1, 0, 0]);
    expect(verdicts[3].msBeforeReset).toBeGreaterThan(0);
    expect(verdicts[3].msBeforeReset).toBeLessThanOrEqual(60_000);
    // other terms are another budget; the table holds the key's hash, never the email
    expect((await limits.create({ ...terms, points: 4 }).take(key)).allowed).toBe(true);
    expect(await points(rowKey('test-shared', 3, 60_000, key))).toBe(4);
    const leaked = await dataSource.query(`SELECT count(*)::int AS n FROM rate_limits WHERE key LIKE $1`, [
      `%${key}%`,
    ]);
    expect(leaked).toEqual([{ n: 0 }]);
  });

  it("should open a new window once the key's window has ended", async () => {
    const limiter = limits.create({ name: 'test-window', points: 1, windowMs: 1000 });
    const key = uniqueEmail('window');
    expect((await limiter.take(key)).allowed).toBe(true);
    const refused = await limiter.take(key);
    expect(refused.allowed).toBe(false);
    expect(refused.msBeforeReset).toBeLessThanOrEqual(1000);
    await waitFor('a new window for the key', async () => (await limiter.take(key)).allowed, 5000, 100);
  });

  it('should sweep the rows whose window has ended and keep the others', async () => {
    const ended = limits.create({ name: 'test-sweep-ended', points: 5, windowMs: 1000 });
    const live = limits.create({ name: 'test-sweep-live', points: 5, windowMs: 600_000 });
    const key = uniqueEmail('sweep');
    await ended.take(key);
    await live.take(key);
    const endedRow = rowKey('test-sweep-ended', 5, 1000, key);
    const [{ expire }] = await dataSource.query(`SELECT expire FROM rate_limits WHERE key = $1`, [endedRow]);
    await waitFor('the short window to end', async () => Date.now() > Number(expire), 5000);
    expect(await limits.sweep()).toBeGreaterThanOrEqual(1);
    expect(await points(endedRow)).toBeUndefined();
    expect(await points(rowKey('test-sweep-live', 5, 600_000, key))).toBe(1);
  });

  it('should keep counting in the database after its connection is replaced', async () => {
    // the embedded database keeps one session behind every connection: a statement prepared under a
    // name on the old connection would collide with the same name on the new one
    const limiter = limits.create({ name: 'test-reconnect', points: 5, windowMs: 60_000 });
    const key = uniqueEmail('reconnect');
    await limiter.take(key);
    await dataSource.destroy();
    // the embedded database's socket server takes one connection and may not have seen the old one go
    await waitFor(
      'a new connection',
      () =>
        dataSource.initialize().then(
          () => true,
          () => false,
        ),
      10_000,
      100,
    );
    await limiter.take(key);
    expect(await points(rowKey('test-reconnect', 5, 60_000, key))).toBe(2);
  });

  it("should count in the instance's memory while the database does not answer", async () => {
    const own = new DataSource(dataSourceOptions({ url: process.env.DATABASE_URL!, embedded: embeddedDb() }));
    // never connected (the embedded database takes one connection, held by the suite's): every
    // statement of this factory fails, as every statement fails while the database is gone
    const limiter = new RateLimiterFactory(own).create({ name: 'test-down', points: 2, windowMs: 60_000 });
    const key = uniqueEmail('down');
    const verdicts = [];
    for (let i = 0; i < 3; i++) verdicts.push(await limiter.take(key));
    expect(verdicts.map((v) => v.allowed)).toEqual([true, true, false]);
    expect(verdicts[2].msBeforeReset).toBeGreaterThan(0);
    expect(await new RateLimiterFactory(own).sweep()).toBe(0);
  });
});

// Two processes on one database: the embedded database serves one process only (its data directory
// is locked, one connection), so this part runs on PostgreSQL, which CI always sets.
const describeOnPostgres = embeddedDb() ? describe.skip : describe;

const PER_EMAIL = 4;
const PER_IP = 6;
const TOOL_LIMIT = 3;
const WINDOW_MS = 120_000;

describeOnPostgres('rate limits of two server instances on one PostgreSQL database', () => {
  const clients: Client[] = [];
  let replicas: Replicas | undefined;
  let urls: { a: string; b: string };
  let nextAddress = 1;
  /** A client address of its own (TRUST_PROXY is on): each case starts with fresh per-address budgets. */
  const address = () => `198.51.100.${nextAddress++}`;

  beforeAll(async () => {
    replicas = await startReplicas('mana_limits', 2, () => ({
      TRUST_PROXY: 'true',
      AUTH_RATE_LIMIT_PER_EMAIL: String(PER_EMAIL),
      AUTH_RATE_LIMIT_PER_IP: String(PER_IP),
      AUTH_RATE_WINDOW_MS: String(WINDOW_MS),
      TOOL_RATE_LIMIT: String(TOOL_LIMIT),
      TOOL_RATE_WINDOW_MS: String(WINDOW_MS),
    }));
    urls = { a: replicas.servers[0].url, b: replicas.servers[1].url };
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.close()));
    await replicas?.stop();
  });

  /**
   * Makes attempts in turn on `targets` (round robin) until one is refused; answers its number and
   * the refusal, and checks that the next attempt, on the next target, is refused as well.
   */
  async function firstRefusal<T extends { refused: boolean }>(
    targets: string[],
    attempt: (url: string, n: number) => Promise<T>,
  ): Promise<{ n: number; refusal: T }> {
    for (let n = 1; n <= 20; n++) {
      const answer = await attempt(targets[(n - 1) % targets.length], n);
      if (answer.refused) {
        expect((await attempt(targets[n % targets.length], n + 1)).refused).toBe(true);
        return { n, refusal: answer };
      }
    }
    throw new Error(`no attempt was refused on ${targets.join(', ')}`);
  }

  const post = (url: string, path: string, from: string, body: unknown, token?: string) =>
    http(url, 'POST', path, { body, token, headers: { 'x-forwarded-for': from } });
  const refusedHttp = (res: HttpResult) => Object.assign(res, { refused: res.status === 429 });

  const signUp = async (from = address()) => {
    const res = await post(urls.a, '/api/v1/auth/register', from, {
      email: uniqueEmail('limits'),
      password: TEST_PASSWORD,
    });
    if (res.status !== 201) throw new Error(`sign-up failed: ${res.status} ${res.text}`);
    return { id: res.body.user.id as string, token: res.body.accessToken as string };
  };

  const expect429 = (res: HttpResult, message: RegExp) => {
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_MS / 1000);
    expect(res.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringMatching(message),
      requestId: expect.any(String),
    });
  };

  it('should refuse failed logins for one email at the same attempt across two instances as on one', async () => {
    const loginAs = (email: string, from: string) => (url: string) =>
      post(url, '/api/v1/auth/login', from, { email, password: 'wrong-guess' }).then(refusedHttp);
    const one = await firstRefusal([urls.a], loginAs(uniqueEmail('one'), address()));
    // each attempt from its own address: only the email's budget can refuse
    const email = uniqueEmail('spread');
    const two = await firstRefusal([urls.a, urls.b], (url) => loginAs(email, address())(url));
    expect(one.n).toBe(PER_EMAIL + 1);
    expect(two.n).toBe(one.n);
    expect429(two.refusal, /^Too many sign-in or sign-up attempts; try again in \d+ s$/);
  });

  it('should refuse one client address at the same attempt across two instances as on one', async () => {
    const spray = (from: string) => (url: string) =>
      post(url, '/api/v1/auth/login', from, { email: uniqueEmail('spray'), password: 'wrong-guess' }).then(
        refusedHttp,
      );
    const one = await firstRefusal([urls.a], spray(address()));
    const two = await firstRefusal([urls.a, urls.b], spray(address()));
    expect(one.n).toBe(PER_IP + 1);
    expect(two.n).toBe(one.n);
    expect429(two.refusal, /^Too many sign-in or sign-up attempts; try again in \d+ s$/);
    expect(two.refusal.headers.get('ratelimit-policy')).toBe(`${PER_IP};w=${WINDOW_MS / 1000}`);
  });

  it("should refuse the vault's password checks of one account at the same attempt across two instances", async () => {
    const exportKey = (token: string) => (url: string) =>
      post(url, '/api/v1/me/encryption-vault/key', address(), { password: 'wrong-guess' }, token).then(
        refusedHttp,
      );
    const one = await firstRefusal([urls.a], exportKey((await signUp()).token));
    const two = await firstRefusal([urls.a, urls.b], exportKey((await signUp()).token));
    expect(one.n).toBe(PER_EMAIL + 1);
    expect(two.n).toBe(one.n);
    expect429(two.refusal, /^Too many vault attempts \(key export, zero-knowledge\); try again in \d+ s$/);
  });

  /** An MCP SDK client session on `url` with `token`. */
  async function mcpSession(url: string, token: string): Promise<Client> {
    const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    });
    const client = new Client({ name: 'mana-limits-test', version: '1.0.0' });
    clients.push(client);
    await client.connect(transport);
    return client;
  }

  it("should refuse one user's calls of a tool at the same call across two instances as on one", async () => {
    const callsOf = async (targets: string[]) => {
      const { token } = await signUp();
      const sessions = new Map<string, Client>();
      for (const url of targets) sessions.set(url, await mcpSession(url, token));
      return async (url: string) => {
        const result = (await sessions
          .get(url)!
          .callTool({ name: 'habits.list', arguments: {} })) as CallToolResult;
        return Object.assign(result, { refused: result.isError === true });
      };
    };
    const one = await firstRefusal([urls.a], await callsOf([urls.a]));
    const two = await firstRefusal([urls.a, urls.b], await callsOf([urls.a, urls.b]));
    expect(one.n).toBe(TOOL_LIMIT + 1);
    expect(two.n).toBe(one.n);
    expect(two.refusal._meta?.['mana/error']).toEqual({ kind: 'rate_limited', code: 'RATE_LIMITED' });
    const text = two.refusal.content[0]?.type === 'text' ? two.refusal.content[0].text : '';
    expect(text).toMatch(
      new RegExp(
        `^Rate limit reached: at most ${TOOL_LIMIT} calls of habits\\.list per 2 minutes per user; try again in \\d+ s$`,
      ),
    );
  });
});
