import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ReportsController } from '../../src/reports/reports.controller.js';
import { ToolRegistry } from '../../src/tools/tool.registry.js';
import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';
import { http } from '../support/http.js';
import { createAdmin, registerUser } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { createPersona } from '../support/personas.js';
import { insertAction, insertFeedback, insertTick } from '../support/persona-rows.js';

/*
 * Hand-computed fixtures. Everything report-shaped lives in June 2001 (far from any other test
 * file's "now" data in a shared database), anchored at T = 2001-06-30T00:00Z, a Saturday:
 * the default 28-day window is [2001-06-02, T), the regression windows are
 * prev21 = [06-02, 06-23) and last7 = [06-23, T). Coverage and the overview are "now"-relative.
 */
const T = Date.parse('2001-06-30T00:00:00.000Z');
const H = 3_600_000;
const D = 24 * H;
const at = (ms: number) => new Date(ms);
const iso = (ms: number) => new Date(ms).toISOString();
const R = '/api/v1/reports';
const RANGE = `from=${iso(T - 28 * D)}&to=${iso(T)}`;

/** A persona as the reports name it: its user id and email. */
interface ReportPersona {
  id: string;
  email: string;
}

describe(ReportsController.name, () => {
  let t: TestApp;
  let admin: TestUser;
  let human: TestUser;
  let p1: ReportPersona;
  let p2: ReportPersona;
  let p3: ReportPersona;
  const svd: Record<string, string> = {};

  const get = (path: string, token = admin.accessToken) => http(t.url, 'GET', `${R}${path}`, { token });

  async function makePersona(name: string): Promise<ReportPersona> {
    const persona = await createPersona(
      t,
      {
        name,
        systemPrompt: 'You are a test persona who files reports.',
        moduleMix: { habits: 1 },
        timezone: 'UTC',
      },
      admin,
    );
    return { id: persona.userId, email: persona.email };
  }

  async function tick(
    persona: ReportPersona,
    startedAt: number,
    opts: {
      status?: 'ok' | 'failed';
      cost?: number;
      tokensIn?: number;
      tokensOut?: number;
      id?: string;
    } = {},
  ): Promise<string> {
    return insertTick(t, persona.id, {
      id: opts.id,
      status: opts.status ?? 'ok',
      startedAt: at(startedAt),
      finishedAt: at(startedAt + 90_000),
      tokensIn: opts.tokensIn,
      tokensOut: opts.tokensOut,
      costUsd: opts.cost,
      error: opts.status === 'failed' ? 'the brain gave up' : null,
    });
  }

  async function action(
    persona: ReportPersona,
    tickId: string,
    seq: number,
    tool: string,
    createdAt: number,
    opts: { latency?: number | null; error?: ['protocol' | 'tool' | 'timeout', string] } = {},
  ): Promise<void> {
    await insertAction(t, persona.id, tickId, {
      seq,
      tool,
      inputHash: 'h',
      result: opts.error ? 'error' : 'ok',
      errorKind: opts.error?.[0],
      errorMessage: opts.error?.[1],
      latencyMs: opts.latency === undefined ? 25 : opts.latency,
      createdAt: at(createdAt),
    });
  }

  async function feedback(
    persona: ReportPersona,
    tickId: string,
    module: string,
    rating: number,
    createdAt: number,
    notes: string | null = null,
  ): Promise<void> {
    await insertFeedback(t, persona.id, tickId, { module, rating, notes, createdAt: at(createdAt) });
  }

  /** One tick per rating: the unique (tick_id, module) allows one rating of a module per tick. */
  async function ratings(
    persona: ReportPersona,
    module: string,
    list: Array<[number, number]>,
  ): Promise<void> {
    for (const [when, rating] of list) {
      await feedback(persona, await tick(persona, when - H), module, rating, when, 'noted');
    }
  }

  beforeAll(async () => {
    t = await bootTestApp();
    admin = await createAdmin(t);
    human = await registerUser(t);
    p1 = await makePersona('Ada Report');
    p2 = await makePersona('Bo Report');
    p3 = await makePersona('Cy Report');

    // ---- regression: reg_hit drops clearly, reg_miss drops by 0.53 but with a wide spread ----
    const prevTimes = [T - 20 * D + H, T - 18 * D + H, T - 15 * D + H, T - 12 * D + H, T - 10 * D + H];
    const lastTimes = [T - 3 * D + H, T - 2 * D + H, T - 1 * D + H];
    await ratings(p3, 'reg_hit', [
      ...prevTimes.map((w, i): [number, number] => [w, [5, 5, 4, 5, 4][i]]),
      ...lastTimes.map((w, i): [number, number] => [w, [3, 2, 3][i]]),
      [T, 1], // exactly at `to`: outside every window (ranges are half-open)
    ]);
    await ratings(p3, 'reg_miss', [
      ...prevTimes.map((w, i): [number, number] => [w, [5, 5, 5, 1, 5][i]]),
      ...lastTimes.map((w, i): [number, number] => [w, [5, 1, 5][i]]),
    ]);
    const hitTick = await tick(p3, T - D);
    for (let i = 0; i < 4; i++) {
      await action(p3, hitTick, i, 'reg_hit.go', T - D + 2 * H + i * 1000, {
        error: i === 2 ? ['tool', 'nope'] : undefined,
      });
    }

    // ---- tools: rpt.lat latencies 10,20,30,40,100 with a tool error and a (newer) timeout ----
    const toolTick = await tick(p2, T - 6 * D);
    const lat: Array<[number, number, ['protocol' | 'tool' | 'timeout', string] | undefined]> = [
      [40, T - 6 * D, undefined],
      [10, T - 5 * D, ['tool', 'boom old']],
      [100, T - 2 * D, ['timeout', 'too slow']],
      [30, T - 4 * D, undefined],
      [20, T - 3 * D, undefined],
    ];
    for (const [i, [latency, when, error]] of lat.entries()) {
      await action(p2, toolTick, i, 'rpt.lat', when, { latency, error });
    }
    await action(p2, toolTick, 10, 'rpt.other', T - 6 * D, { latency: 5, error: ['protocol', 'bad json'] });
    await action(p2, toolTick, 11, 'rpt.nolat', T - 6 * D, { latency: null });

    // ---- said vs did (p1, module svd_a) ----
    const s = async (name: string, when: number, status: 'ok' | 'failed' = 'ok') =>
      (svd[name] = await tick(p1, when, { status }));
    await s('S1', T - 9 * D);
    await s('S2', T - 8 * D);
    await s('S3', T - 7 * D);
    await s('S4', T - 6 * D);
    await s('S5', T - 5 * D, 'failed');
    svd.C = await tick(p1, T - 7 * D); // same started_at as S3: the timeline breaks the tie by id
    const calls = async (name: string, n: number, failed: number, module = 'svd_a') => {
      for (let i = 0; i < n; i++) {
        await action(
          p1,
          svd[name],
          (module === 'svd_a' ? 0 : 100) + i,
          `${module}.do`,
          T - 10 * D + i * 1000,
          {
            error: i < failed ? ['tool', `failed ${i}`] : undefined,
          },
        );
      }
    };
    await calls('S1', 3, 1); // 33% failed → a 5 is rated_high_but_failing
    await calls('S1', 2, 2, 'svd_b'); // another module's failures in the same tick do not count
    await calls('S2', 4, 1); // 25%: a 4 is fine
    await calls('S3', 2, 0); // no failure, no notes → a 2 is rated_low_without_cause
    await calls('S4', 1, 0); // a 1 with notes is fine
    await calls('S5', 2, 1); // a 2 with a failure is fine
    await feedback(p1, svd.S1, 'svd_a', 5, T - 9 * D + H);
    await feedback(p1, svd.S2, 'svd_a', 4, T - 8 * D + H);
    await feedback(p1, svd.S3, 'svd_a', 2, T - 7 * D + H, '   ');
    await feedback(p1, svd.S4, 'svd_a', 1, T - 6 * D + H, 'confusing labels');
    await feedback(p1, svd.S5, 'svd_a', 2, T - 5 * D + H);
    await feedback(p1, svd.C, 'svd_c', 3, T - 7 * D + H);
    const p2tick = await tick(p2, T - 4 * D);
    await action(p2, p2tick, 0, 'svd_a.do', T - 4 * D);
    await feedback(p2, p2tick, 'svd_a', 3, T - 4 * D + H);
  });
  afterAll(() => t?.close());

  describe('auth', () => {
    const paths = ['/overview', '/modules', '/tools', '/said-vs-did', '/ticks', `/ticks/${randomUUID()}`];

    it.each(paths)('should answer 401 to an anonymous GET %s', async (path) => {
      const res = await http(t.url, 'GET', `${R}${path}`);
      expect(res.status).toBe(401);
    });

    it.each(paths)('should answer 403 to a non-admin GET %s', async (path) => {
      const res = await get(path, human.accessToken);
      expect(res.status).toBe(403);
      expect(res.body.message).toMatch(/admin/);
    });
  });

  describe('modules', () => {
    it('should give weekly averages, counts, calls and error rates per module', async () => {
      const res = await get(`/modules?to=${iso(T)}`);
      expect(res.status).toBe(200);
      expect(res.body.bucket).toBe('week');
      expect(res.body.from).toBe(iso(T - 28 * D));
      expect(res.body.bucketStarts).toEqual([
        '2001-05-28',
        '2001-06-04',
        '2001-06-11',
        '2001-06-18',
        '2001-06-25',
      ]);
      const hit = res.body.items.find((m: { module: string }) => m.module === 'reg_hit');
      expect(hit.buckets).toEqual([
        { start: '2001-06-04', avgRating: 5, ratingCount: 1, toolCalls: 0, errors: 0, errorRate: null },
        { start: '2001-06-11', avgRating: 4.5, ratingCount: 2, toolCalls: 0, errors: 0, errorRate: null },
        { start: '2001-06-18', avgRating: 4.5, ratingCount: 2, toolCalls: 0, errors: 0, errorRate: null },
        { start: '2001-06-25', avgRating: 2.6667, ratingCount: 3, toolCalls: 4, errors: 1, errorRate: 0.25 },
      ]);
      const rpt = res.body.items.find((m: { module: string }) => m.module === 'rpt');
      // only calls, no ratings: still listed
      expect(rpt.buckets).toEqual([
        // week of 06-18: rpt.lat 40 ok, rpt.other error, rpt.nolat ok (all on Sunday 06-24)
        { start: '2001-06-18', avgRating: null, ratingCount: 0, toolCalls: 3, errors: 1, errorRate: 0.3333 },
        // week of 06-25: rpt.lat 10 error, 30 ok, 20 ok, 100 error
        { start: '2001-06-25', avgRating: null, ratingCount: 0, toolCalls: 4, errors: 2, errorRate: 0.5 },
      ]);
    });

    it('should flag reg_hit as regressed (drop 1.93, t 4.67) and not the near miss reg_miss (t 0.34)', async () => {
      const res = await get(`/modules?${RANGE}`);
      const byName = new Map(res.body.items.map((m: { module: string }) => [m.module, m]));
      expect(res.body.regressionRule).toMatch(/last7.count >= 3 AND prev21.count >= 5/);
      expect((byName.get('reg_hit') as any).regression).toEqual({
        regressed: true,
        reason: 'regressed',
        last7: { from: iso(T - 7 * D), to: iso(T), count: 3, avg: 2.6667 },
        prev21: { from: iso(T - 28 * D), to: iso(T - 7 * D), count: 5, avg: 4.6 },
        drop: 1.9333,
        t: expect.closeTo(4.6737, 3),
      });
      expect((byName.get('reg_miss') as any).regression).toMatchObject({
        regressed: false,
        reason: 't_too_small',
        last7: { count: 3, avg: 3.6667 },
        prev21: { count: 5, avg: 4.2 },
        drop: 0.5333,
        t: expect.closeTo(0.343, 2),
      });
      // svd_a: 4 ratings in last7 but only 2 before
      expect((byName.get('svd_a') as any).regression).toMatchObject({
        regressed: false,
        reason: 'too_few_before',
      });
    });

    it('should anchor the regression windows at `to`: a week earlier reg_hit has too few recent ratings', async () => {
      const res = await get(`/modules?to=${iso(T - 7 * D)}`);
      const hit = res.body.items.find((m: { module: string }) => m.module === 'reg_hit');
      // last7 = [T-14d, T-7d) holds the ratings of T-12d and T-10d only
      expect(hit.regression).toMatchObject({ regressed: false, reason: 'too_few_recent' });
      expect(hit.regression.last7.count).toBe(2);
    });

    it('should bucket by UTC day', async () => {
      const res = await get(`/modules?bucket=day&from=${iso(T - 3 * D)}&to=${iso(T)}`);
      expect(res.body.bucketStarts).toEqual(['2001-06-27', '2001-06-28', '2001-06-29']);
      const hit = res.body.items.find((m: { module: string }) => m.module === 'reg_hit');
      expect(hit.buckets).toEqual([
        { start: '2001-06-27', avgRating: 3, ratingCount: 1, toolCalls: 0, errors: 0, errorRate: null },
        { start: '2001-06-28', avgRating: 2, ratingCount: 1, toolCalls: 0, errors: 0, errorRate: null },
        { start: '2001-06-29', avgRating: 3, ratingCount: 1, toolCalls: 4, errors: 1, errorRate: 0.25 },
      ]);
      expect(hit.regression.regressed).toBe(true);
    });

    it('should page through modules by name with nextCursor', async () => {
      const all = await get(`/modules?${RANGE}&limit=200`);
      const names = all.body.items.map((m: { module: string }) => m.module);
      expect(names).toEqual(['reg_hit', 'reg_miss', 'rpt', 'svd_a', 'svd_b', 'svd_c']);
      expect(all.body.nextCursor).toBeNull();
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await get(
          `/modules?${RANGE}&limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        expect(page.body.items.length).toBeLessThanOrEqual(4);
        seen.push(...page.body.items.map((m: { module: string }) => m.module));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(names);
    });
  });

  describe('tools', () => {
    it('should give calls, error rates by kind, percentile_cont latencies and the newest error', async () => {
      const res = await get(`/tools?${RANGE}`);
      expect(res.status).toBe(200);
      const lat = res.body.items.find((x: { tool: string }) => x.tool === 'rpt.lat');
      expect(lat).toEqual({
        tool: 'rpt.lat',
        module: 'rpt',
        calls: 5,
        errors: 2,
        errorRate: 0.4,
        errorsByKind: { protocol: 0, tool: 1, timeout: 1, unknown_tool: 0 },
        errorRateByKind: { protocol: 0, tool: 0.2, timeout: 0.2, unknown_tool: 0 },
        // sorted 10,20,30,40,100: p50 = 30; p95 at 3.8 → 40 + 0.8·60 = 88; p99 at 3.96 → 97.6
        latencyMs: { p50: 30, p95: 88, p99: 97.6 },
        lastError: { message: 'too slow', kind: 'timeout', at: iso(T - 2 * D) },
      });
      const other = res.body.items.find((x: { tool: string }) => x.tool === 'rpt.other');
      expect(other).toMatchObject({
        calls: 1,
        errorRateByKind: { protocol: 1, tool: 0, timeout: 0 },
        latencyMs: { p50: 5, p95: 5, p99: 5 },
      });
      const nolat = res.body.items.find((x: { tool: string }) => x.tool === 'rpt.nolat');
      expect(nolat).toMatchObject({
        calls: 1,
        errorRate: 0,
        latencyMs: { p50: null, p95: null, p99: null },
        lastError: null,
      });
    });

    it('should sort by a whitelisted key and page with offset and total', async () => {
      const all = await get(`/tools?${RANGE}&sort=tool&limit=200`);
      const names = all.body.items.map((x: { tool: string }) => x.tool);
      expect(names).toEqual([...names].sort());
      expect(all.body.total).toBe(names.length);
      const second = await get(`/tools?${RANGE}&sort=tool&limit=1&offset=1`);
      expect(second.body.items.map((x: { tool: string }) => x.tool)).toEqual([names[1]]);
      expect(second.body.total).toBe(names.length);
      const beyond = await get(`/tools?${RANGE}&sort=tool&limit=1&offset=${names.length + 5}`);
      expect(beyond.body).toMatchObject({ items: [], total: names.length });
      const byP95 = await get(`/tools?${RANGE}&sort=-p95&limit=1`);
      expect(byP95.body.items[0].tool).toBe('rpt.lat');
      const byCalls = await get(`/tools?${RANGE}&sort=-calls`);
      const counts = byCalls.body.items.map((x: { calls: number }) => x.calls);
      expect(counts).toEqual([...counts].sort((a: number, b: number) => b - a));
    });

    it('should list as coverage the user-space tools no persona called in the last 7 days', async () => {
      const registry = t.app.get(ToolRegistry);
      const handler = async () => ({});
      const base = {
        policy: 'read' as const,
        description: 'coverage probe',
        input: z.object({}).strict(),
        output: z.object({ ok: z.boolean().optional() }),
        semantics: { effect: 'read' as const, entity: 'rptcov', result: 'ok', idempotent: true },
      };
      registry.add({ ...base, name: 'rptcov.alpha', module: 'rptcov', scope: 'user-space' }, handler);
      registry.add({ ...base, name: 'rptcov.beta', module: 'rptcov', scope: 'user-space' }, handler);
      registry.add({ ...base, name: 'rptcov.gamma', module: 'rptcov', scope: 'admin' }, handler);
      const now = Date.now();
      const covTick = await tick(p2, now - 9 * D);
      await action(p2, covTick, 0, 'rptcov.alpha', now - 2 * D);
      await action(p2, covTick, 1, 'rptcov.beta', now - 8 * D);
      await action(p2, covTick, 2, 'rptcov.gamma', now - 8 * D);

      const res = await get('/tools');
      const uncalled = res.body.coverage.uncalled.map((x: { tool: string }) => x.tool);
      expect(uncalled).toContain('rptcov.beta');
      expect(uncalled).not.toContain('rptcov.alpha');
      expect(uncalled).not.toContain('rptcov.gamma'); // admin tools are not the personas' business
      expect(res.body.coverage.uncalled).toContainEqual({ tool: 'rptcov.beta', module: 'rptcov' });
      const userSpace = registry.list().filter((x) => x.options.scope === 'user-space').length;
      expect(res.body.coverage.userSpaceTools).toBe(userSpace);
      expect(Date.parse(res.body.coverage.since)).toBeGreaterThan(now - 7 * D - 60_000);
    });
  });

  describe('said-vs-did', () => {
    it('should put each rating next to the same ticks’ error rate and flag both contradictions', async () => {
      const res = await get(`/said-vs-did?${RANGE}&persona=${p1.id}`);
      expect(res.status).toBe(200);
      expect(res.body.total).toBe(2);
      expect(res.body.items[0]).toEqual({
        personaId: p1.id,
        email: p1.email,
        name: 'Ada Report',
        module: 'svd_a',
        ratings: 5,
        avgRating: 2.8, // (5 + 4 + 2 + 1 + 2) / 5
        calls: 12, // 3 + 4 + 2 + 1 + 2 (svd_b's calls in S1 are not svd_a's)
        errors: 3,
        errorRate: 0.25,
        personaMistakes: 0,
        flags: { ratedHighButFailing: 1, ratedLowWithoutCause: 1 },
        flaggedTicks: [
          {
            tickId: svd.S3,
            flag: 'rated_low_without_cause',
            rating: 2,
            calls: 2,
            errors: 0,
            at: iso(T - 7 * D + H),
          },
          {
            tickId: svd.S1,
            flag: 'rated_high_but_failing',
            rating: 5,
            calls: 3,
            errors: 1,
            at: iso(T - 9 * D + H),
          },
        ],
      });
      expect(res.body.items[1]).toMatchObject({
        module: 'svd_c',
        ratings: 1,
        calls: 0,
        errorRate: null,
        flags: { ratedHighButFailing: 0, ratedLowWithoutCause: 0 },
        flaggedTicks: [],
      });
    });

    it('should filter to flagged rows and page with offset', async () => {
      const flagged = await get(`/said-vs-did?${RANGE}&flagged=true`);
      expect(
        flagged.body.items.map((x: { module: string; personaId: string }) => [x.personaId, x.module]),
      ).toEqual([[p1.id, 'svd_a']]);
      const page2 = await get(`/said-vs-did?${RANGE}&persona=${p1.id}&limit=1&offset=1`);
      expect(page2.body).toMatchObject({ total: 2, offset: 1 });
      expect(page2.body.items.map((x: { module: string }) => x.module)).toEqual(['svd_c']);
      const p2rows = await get(`/said-vs-did?${RANGE}&persona=${p2.id}`);
      expect(p2rows.body.items).toEqual([
        expect.objectContaining({
          module: 'svd_a',
          ratings: 1,
          avgRating: 3,
          calls: 1,
          errors: 0,
          errorRate: 0,
        }),
      ]);
    });
  });

  describe('ticks', () => {
    it('should list a persona’s ticks newest first and page by cursor without gaps or repeats', async () => {
      const all = await get(`/ticks?persona=${p1.id}&limit=200`);
      expect(all.status).toBe(200);
      expect(all.body.items).toHaveLength(6);
      expect(all.body.nextCursor).toBeNull();
      const starts = all.body.items.map((x: { startedAt: string }) => x.startedAt);
      expect(starts).toEqual([...starts].sort().reverse());
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await get(`/ticks?persona=${p1.id}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.status).toBe(200);
        ids.push(...page.body.items.map((x: { id: string }) => x.id));
        cursor = page.body.nextCursor;
      } while (cursor && ids.length < 20);
      expect(ids).toEqual(all.body.items.map((x: { id: string }) => x.id));
      expect(new Set(ids)).toEqual(new Set([svd.S1, svd.S2, svd.S3, svd.S4, svd.S5, svd.C]));
    });

    it('should filter by status and by a from/to range and summarise each tick', async () => {
      const failed = await get(`/ticks?persona=${p1.id}&status=failed`);
      expect(failed.body.items).toEqual([
        expect.objectContaining({
          id: svd.S5,
          personaEmail: p1.email,
          personaName: 'Ada Report',
          status: 'failed',
          error: 'the brain gave up',
          errorCount: 1,
          ratingCount: 1,
          avgRating: 2,
          durationMs: 90_000,
        }),
      ]);
      const ranged = await get(`/ticks?persona=${p1.id}&from=${iso(T - 8 * D)}&to=${iso(T - 6 * D)}`);
      expect(new Set(ranged.body.items.map((x: { id: string }) => x.id))).toEqual(
        new Set([svd.S2, svd.S3, svd.C]),
      );
    });

    it('should give one tick’s trajectory: calls in order with latency and outcome, then ratings', async () => {
      const res = await get(`/ticks/${svd.S1}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: svd.S1,
        personaId: p1.id,
        personaEmail: p1.email,
        personaName: 'Ada Report',
      });
      expect(
        res.body.actions.map((a: { seq: number; tool: string; result: string }) => [a.seq, a.tool, a.result]),
      ).toEqual([
        [0, 'svd_a.do', 'error'],
        [1, 'svd_a.do', 'ok'],
        [2, 'svd_a.do', 'ok'],
        [100, 'svd_b.do', 'error'],
        [101, 'svd_b.do', 'error'],
      ]);
      expect(res.body.actions[0]).toEqual({
        seq: 0,
        tool: 'svd_a.do',
        module: 'svd_a',
        result: 'error',
        errorKind: 'tool',
        errorMessage: 'failed 0',
        latencyMs: 25,
        origin: 'brain',
        // a row written without its content (as before trajectories, or after the retention prune)
        input: null,
        output: null,
        inputTruncated: false,
        outputTruncated: false,
        createdAt: iso(T - 10 * D),
      });
      expect(res.body.actionsTruncated).toBe(false);
      expect(res.body.ratings).toEqual([
        { module: 'svd_a', rating: 5, notes: null, createdAt: iso(T - 9 * D + H) },
      ]);
      const s4 = await get(`/ticks/${svd.S4}`);
      expect(s4.body.ratings[0].notes).toBe('confusing labels');
    });

    it('should answer 404 for an unknown or malformed tick id', async () => {
      expect((await get(`/ticks/${randomUUID()}`)).status).toBe(404);
      expect((await get('/ticks/not-a-uuid')).status).toBe(404);
    });
  });

  describe('overview', () => {
    it('should count today (UTC) from ticks and calls', async () => {
      // personas of its own: the other tests' personas keep their ticks as they made them (any order)
      const q1 = await makePersona('Olga Overview');
      const q2 = await makePersona('Otto Overview');
      const before = await get('/overview');
      expect(before.status).toBe(200);
      const now = Date.now();
      const a = await tick(q1, now, { cost: 0.0125, tokensIn: 100, tokensOut: 50 });
      await tick(q2, now, { status: 'failed', cost: 0.001, tokensIn: 10, tokensOut: 5 });
      for (let i = 0; i < 4; i++)
        await action(q1, a, i, 'rpt.today', now, { error: i === 0 ? ['tool', 'x'] : undefined });
      const after = await get('/overview');
      const d = (k: string) => after.body[k] - before.body[k];
      expect(after.body.dayStart).toBe(new Date(new Date().setUTCHours(0, 0, 0, 0)).toISOString());
      expect(after.body.personas).toBeGreaterThanOrEqual(3);
      expect(d('personas')).toBe(0);
      expect(d('ticksToday')).toBe(2);
      expect(d('failedTicksToday')).toBe(1);
      expect(d('toolCallsToday')).toBe(4);
      expect(d('toolErrorsToday')).toBe(1);
      expect(d('costUsdToday')).toBeCloseTo(0.0135, 6);
      expect(d('tokensInToday')).toBe(110);
      expect(d('tokensOutToday')).toBe(55);
      expect(after.body.errorRateToday).toBeCloseTo(
        after.body.toolErrorsToday / after.body.toolCallsToday,
        4,
      );
      expect(Date.parse(after.body.lastTickAt)).toBeGreaterThanOrEqual(now - 1000);
    });
  });

  describe('validation', () => {
    it.each([
      ['/modules?bucket=month', /bucket must be one of week, day/],
      ['/modules?from=yesterday', /from must be an ISO 8601/],
      ['/modules?to=2025-02-30', /to must be an ISO 8601/],
      ['/modules?from=2025-03-02&to=2025-03-01', /from must be before to/],
      ['/modules?from=2024-01-01&to=2025-03-01', /at most 366 days/],
      ['/modules?limit=0', /limit must be at least 1/],
      ['/tools?limit=201', /limit must be at most 200/],
      ['/tools?limit=ten', /limit must be an integer/],
      ['/tools?sort=latency', /sort must be one of/],
      ['/tools?offset=-1', /offset must be at least 0/],
      ['/said-vs-did?persona=bob', /persona must be a persona user id/],
      ['/said-vs-did?flagged=maybe', /flagged must be true or false/],
      ['/ticks?status=done', /status must be one of running, ok, failed, timed_out/],
      ['/ticks?cursor=garbage', /cursor is not valid/],
      ['/ticks?from=2025-03-02&to=2025-03-01', /from must be before to/],
      ['/ticks?colour=red', /property colour should not exist/],
    ])('should answer 400 naming the problem for %s', async (path, message) => {
      const res = await get(path);
      expect(res.status).toBe(400);
      expect(res.body.message).toMatch(message);
    });
  });
});
