import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { DashboardController } from '../../src/reports/dashboard.controller.js';
import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';
import { http } from '../support/http.js';
import { chromiumExecutable } from '../support/chromium.js';
import { createAdmin, registerUser, TEST_PASSWORD } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { createPersona } from '../support/personas.js';
import { insertFeedback, insertTick } from '../support/persona-rows.js';
import { underLease } from '../support/leases.js';

/*
 * The /admin dashboard in Chromium (playwright-core, headless; see chromiumExecutable), against the real app with a
 * real scripted-brain tick run through the runner's run-now endpoint. Screenshots go to
 * test/artifacts/dashboard-*.png.
 */
const ARTIFACTS = 'test/artifacts';
const DAY = 86_400_000;
const LAPTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 740 };

/** The module whose ratings this suite seeds with a drop in the last week. */
const REGRESSED = 'dashboard_notes';

describe(DashboardController.name, () => {
  let t: TestApp;
  let admin: TestUser;
  let human: TestUser;
  let browser: Browser;
  let personaId: string;
  let personaEmail: string;
  let tickId: string;
  const pageErrors: string[] = [];

  async function open(viewport = LAPTOP): Promise<Page> {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      // a refused sign-in is an expected 401/403 in the network log; anything else is a bug
      if (m.type() === 'error' && !/status of 40[13]/.test(m.text())) pageErrors.push(`console: ${m.text()}`);
    });
    await page.goto(`${t.url}/admin`);
    return page;
  }

  async function signIn(page: Page, email: string, password: string): Promise<void> {
    await page.fill('#email', email);
    await page.fill('#password', password);
    await page.click('#signin-submit');
  }

  async function signedIn(viewport = LAPTOP): Promise<Page> {
    const page = await open(viewport);
    await signIn(page, admin.email, TEST_PASSWORD);
    await page.waitForSelector('#overview-cards');
    return page;
  }

  // page.evaluate takes strings here: this file is compiled without the DOM lib
  const noHorizontalOverflow = (page: Page) =>
    page.evaluate<boolean>('document.documentElement.scrollWidth <= document.documentElement.clientWidth');
  const goHash = (page: Page, hash: string) => page.evaluate(`location.hash = ${JSON.stringify(hash)}`);

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await bootTestApp();
    admin = await createAdmin(t);
    human = await registerUser(t);

    const created = await createPersona(
      t,
      {
        email: `persona.dash${randomUUID().slice(0, 8)}@mana.test`,
        name: 'Dana <b>Dashboard</b>',
        systemPrompt: 'You are a solo developer who keeps todos and notes <script>alert(1)</script> tidy.',
        moduleMix: { todo: 2, notes: 1 },
        timezone: 'UTC',
      },
      admin,
    );
    personaEmail = created.email;
    personaId = created.userId;

    // a real tick: login, MCP session, scripted brain, recorded actions and ratings
    const run = await http(t.url, 'POST', `/api/v1/personas/admin/${personaId}/tick`, {
      token: admin.accessToken,
    });
    if (run.status !== 200) {
      throw new Error(
        `POST /api/v1/personas/admin/:id/tick (the runner's run-now) answered ${run.status} ${run.text}`,
      );
    }
    expect(run.body).toMatchObject({ status: 'ok', brain: 'scripted' });
    tickId = run.body.tickId;

    // four weeks of earlier ratings so the module chart has a history, with a regression on a module
    // only this suite rates (the chart sums every persona's ratings: other suites' ratings of
    // `notes` in the same database must not decide whether it regressed)
    for (let week = 4; week >= 1; week--) {
      for (let k = 0; k < 3; k++) {
        const at = new Date(Date.now() - week * 7 * DAY + k * DAY + 3_600_000);
        const id = await insertTick(t, personaId, { status: 'ok', startedAt: at, finishedAt: at });
        const rating = week === 1 ? 2 : 5;
        await insertFeedback(t, personaId, id, { module: REGRESSED, rating, notes: 'seeded', createdAt: at });
        await insertFeedback(t, personaId, id, { module: 'todo', rating: 4, createdAt: at });
      }
    }

    browser = await chromium.launch({
      executablePath: await chromiumExecutable(),
      headless: true,
      // Playwright gives every launch a fresh, empty user-data-dir of its own
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-quic',
        '--no-first-run',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  afterEach(() => {
    const errors = pageErrors.splice(0);
    expect(errors).toEqual([]);
  });

  it('should serve the dashboard files publicly and nothing else under /admin', async () => {
    const index = await http(t.url, 'GET', '/admin');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/text\/html/);
    expect(index.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const js = await http(t.url, 'GET', '/admin/app.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/text\/javascript/);
    expect((await http(t.url, 'GET', '/admin/nope.js')).status).toBe(404);
    expect((await http(t.url, 'GET', '/admin/..%2Fpackage.json')).status).toBe(404);
  });

  it('should show the server’s error for a wrong password', async () => {
    const page = await open();
    await signIn(page, admin.email, 'not-the-password-1');
    await page.waitForSelector('#signin-error:has-text("Email or password is wrong")');
    expect(await page.isVisible('#overview-cards')).toBe(false);
    await page.context().close();
  });

  it('should refuse a non-admin account with a clear message', async () => {
    const page = await open();
    await signIn(page, human.email, TEST_PASSWORD);
    await page.waitForSelector('#signin-error:has-text("not an admin")');
    expect(await page.isVisible('#topbar')).toBe(false);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-refused.png` });
    await page.context().close();
  });

  it('should sign in and show the overview with the numbers of the real tick', async () => {
    const page = await signedIn();
    const overview = (await http(t.url, 'GET', '/api/v1/reports/overview', { token: admin.accessToken }))
      .body;
    expect(overview.ticksToday).toBeGreaterThanOrEqual(1);
    expect(overview.toolCallsToday).toBeGreaterThanOrEqual(1);
    const card = (id: string) => page.textContent(`#${id} .card-value`);
    expect(await card('card-personas')).toBe(String(overview.personas));
    expect(await card('card-ticks')).toBe(String(overview.ticksToday));
    const pct = overview.errorRateToday * 100;
    expect(await card('card-errors')).toBe(`${pct.toFixed(pct > 0 && pct < 10 ? 1 : 0)}%`);
    expect(await card('card-cost')).toMatch(/^\$\d/);
    expect(await page.textContent('#card-errors .card-note')).toContain(
      `of ${overview.toolCallsToday} tool calls`,
    );
    // the persona's name is shown as text, never as markup
    expect(await page.textContent('.page')).toContain('Dana <b>Dashboard</b>');
    expect(await page.locator('.page b').count()).toBe(0);
    expect(await page.isVisible(`a[href="#/ticks/${tickId}"]`)).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-overview.png`, fullPage: true });
    await page.context().close();
  });

  it('should open a tick’s trajectory: each call with latency and outcome, then the ratings', async () => {
    const detail = (await http(t.url, 'GET', `/api/v1/reports/ticks/${tickId}`, { token: admin.accessToken }))
      .body;
    expect(detail.actions.length).toBeGreaterThanOrEqual(1);
    const page = await signedIn();
    await page.click(`a[href="#/ticks/${tickId}"]`);
    await page.waitForSelector('#trajectory');
    const steps = page.locator('#trajectory li');
    expect(await steps.count()).toBe(detail.actions.length);
    const first = await steps.nth(0).textContent();
    expect(first).toContain(detail.actions[0].tool);
    expect(first).toMatch(/\d+ ms|—/);
    expect(first).toMatch(detail.actions[0].result === 'ok' ? /ok/ : /error/);
    expect(await page.locator('#ratings li').count()).toBe(detail.ratings.length);
    expect(await page.textContent('#tick-facts')).toContain(personaEmail);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-tick.png`, fullPage: true });
    await page.context().close();
  });

  it('should pause and resume the runner with the switch', async () => {
    const page = await signedIn();
    const runner = page.locator('#runner');
    await page.waitForSelector('#runner-switch');
    expect(await runner.getAttribute('data-paused')).toBe('false');
    await page.click('#runner-switch');
    await page.waitForSelector('#runner[data-paused="true"]');
    const paused = await http(t.url, 'GET', '/api/v1/personas/admin/runner', { token: admin.accessToken });
    expect(paused.body.paused).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-runner-paused.png` });
    await page.click('#runner-switch');
    await page.waitForSelector('#runner[data-paused="false"]');
    const resumed = await http(t.url, 'GET', '/api/v1/personas/admin/runner', { token: admin.accessToken });
    expect(resumed.body.paused).toBe(false);
    await page.context().close();
  });

  it('should draw the module chart with the regression marked, the tool table and the persona page', async () => {
    const page = await signedIn();
    await page.click('#nav a[data-route="modules"]');
    await page.waitForSelector('#modules-chart svg');
    await page.waitForSelector(`#modules-chart .series[data-module="${REGRESSED}"]`);
    expect(await page.locator(`#modules-chart .series.regressed[data-module="${REGRESSED}"]`).count()).toBe(
      1,
    );
    expect(await page.textContent('#regression-rule')).toContain("Welch's t >= 2");
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-modules.png`, fullPage: true });

    await page.click('#nav a[data-route="tools"]');
    await page.waitForSelector('#tools-table table');
    expect(await page.locator('#tools-table tbody tr').count()).toBeGreaterThanOrEqual(1);
    expect(await page.textContent('#coverage')).toMatch(/user-space tools were not called/);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-tools.png`, fullPage: true });

    await page.context().close();

    // a deep link: sign-in first, then the page the link named
    const direct = await open();
    await direct.goto(`${t.url}/admin#/personas/${personaId}`);
    await signIn(direct, admin.email, TEST_PASSWORD);
    await direct.waitForSelector('#persona-prompt');
    expect(await direct.textContent('#persona-prompt')).toContain('<script>alert(1)</script>');
    expect(await direct.textContent('#persona-mix')).toMatch(/todo[\s\S]*67%/);
    await direct.waitForSelector(`.tick-list a[href="#/ticks/${tickId}"]`);
    await direct.screenshot({ path: `${ARTIFACTS}/dashboard-persona.png`, fullPage: true });
    await direct.context().close();
  });

  it('should plant a defect in the Fault lab, list the finding it causes and link it to the call in the trajectory', async () => {
    const defect = 'todo.list.drops-newest';
    const page = await signedIn();
    expect(await page.isVisible('#fault-banner')).toBe(false);
    // Findings sits right after Overview in the nav; the Fault lab is in it too
    const nav = await page.evaluate<string[]>(
      "Array.from(document.querySelectorAll('#nav a'), (a) => a.dataset.route)",
    );
    expect(nav.slice(0, 2)).toEqual(['overview', 'findings']);
    expect(nav).toContain('faults');

    await page.click('#nav a[data-route="faults"]');
    const form = page.locator(`#fault-catalog form[data-defect="${defect}"]`);
    await form.waitFor();
    await form.locator('input[name="probability"]').fill('2');
    await form.locator('button[type="submit"]').click();
    // the server's 400 names the field, shown next to the form
    await page.waitForSelector(`#fault-catalog form[data-defect="${defect}"] .error:has-text("probability")`);
    // that 400 was asked for: drop it from the console errors the suite fails on
    pageErrors.splice(0, pageErrors.length, ...pageErrors.filter((e) => !/status of 400/.test(e)));
    await form.locator('input[name="probability"]').fill('1');
    await form.locator('input[name="note"]').fill('<i>browser</i> test');
    await form.locator('button[type="submit"]').click();
    await page.waitForSelector(`#planted-faults code:has-text("${defect}")`);
    await page.waitForSelector('#fault-banner:not([hidden])');
    expect(await page.textContent('#fault-banner')).toContain(defect);
    expect(await page.textContent('#planted-faults')).toContain('<i>browser</i> test');
    expect(await page.locator('#planted-faults i').count()).toBe(0);
    const planted = await http(t.url, 'GET', '/api/v1/faults', { token: admin.accessToken });
    const fault = planted.body.items.find(
      (f: { defect: string; active: boolean }) => f.defect === defect && f.active,
    );
    expect(fault).toBeDefined();
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-fault-lab.png`, fullPage: true });

    // a real tick with the defect planted, and the finding of the call that showed it (recorded
    // through the internal API, the path a runner uses, so the test does not rest on the oracles)
    const run = await http(t.url, 'POST', `/api/v1/personas/admin/${personaId}/tick`, {
      token: admin.accessToken,
    });
    expect(run.status).toBe(200);
    const planTick: string = run.body.tickId;
    const detail = (
      await http(t.url, 'GET', `/api/v1/reports/ticks/${planTick}`, { token: admin.accessToken })
    ).body;
    expect(detail.actions.length).toBeGreaterThanOrEqual(1);
    const call = detail.actions.find((a: { tool: string }) => a.tool === 'todo.list') ?? detail.actions[0];
    const recorded = await underLease(t, personaId, [planTick], (leaseToken) =>
      http(t.url, 'POST', `/api/v1/personas/internal/${personaId}/findings`, {
        headers: { 'x-service-key': t.config.serviceKey },
        body: {
          leaseToken,
          findings: [
            {
              tickId: planTick,
              seq: call.seq,
              module: 'todo',
              tool: 'todo.list',
              class: 'wrong_result',
              check: 'dashboard.read-your-writes',
              expected: 'my newest task <b>listed</b>',
              got: 'it was missing',
              source: 'oracle',
            },
          ],
        },
      }),
    );
    expect(recorded.status).toBe(200);

    // the banner follows every view; the overview counts the open finding
    await page.click('#nav a[data-route="overview"]');
    await page.waitForSelector('#card-findings');
    expect(Number(await page.textContent('#card-findings .card-value'))).toBeGreaterThanOrEqual(1);
    expect(await page.isVisible('#fault-banner')).toBe(true);

    await page.click('#nav a[data-route="findings"]');
    const row = page.locator('#findings-table tr[data-tool="todo.list"][data-class="wrong_result"]');
    await row.waitFor();
    expect(await row.getAttribute('data-state')).toBe('open');
    const text = await row.textContent();
    expect(text).toContain(defect);
    expect(text).toContain('my newest task <b>listed</b>');
    expect(await page.locator('#findings-table b').count()).toBe(0);
    expect(await page.isVisible('#fault-banner')).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-findings.png`, fullPage: true });

    await row.locator(`a[href="#/ticks/${planTick}?seq=${call.seq}"]`).first().click();
    await page.waitForSelector('#trajectory li.marked');
    const marked = page.locator('#trajectory li.marked');
    expect(await marked.count()).toBe(1);
    expect(await marked.getAttribute('data-seq')).toBe(String(call.seq));
    expect(await marked.getAttribute('aria-current')).toBe('step');
    expect(await marked.textContent()).toContain('dashboard.read-your-writes');
    expect(await page.locator('#trajectory > li').count()).toBe(detail.actions.length);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-finding-trajectory.png`, fullPage: true });

    // clear it from the Fault lab: the banner goes
    await page.click('#nav a[data-route="faults"]');
    await page.click(`#planted-faults button[data-fault-id="${fault.id}"]`);
    await page.waitForSelector(`#fault-history code:has-text("${defect}")`);
    await page.waitForSelector('#fault-banner', { state: 'hidden' });
    const cleared = await http(t.url, 'GET', '/api/v1/faults', { token: admin.accessToken });
    expect(cleared.body.items.find((f: { id: string }) => f.id === fault.id).active).toBe(false);
    await page.context().close();
  });

  it('should keep the token out of storage and URLs and ask again after a reload', async () => {
    const page = await signedIn();
    const stored = await page.evaluate(
      '({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie, url: location.href })',
    );
    expect(stored).toEqual({ local: 0, session: 0, cookie: '', url: expect.not.stringContaining('eyJ') });
    await page.reload();
    await page.waitForSelector('#signin-form');
    expect(await page.isVisible('#topbar')).toBe(false);
    await page.context().close();
  });

  it('should fit a phone-width screen without horizontal overflow', async () => {
    const page = await signedIn(PHONE);
    expect(await noHorizontalOverflow(page)).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-phone-overview.png`, fullPage: true });
    for (const [hash, selector] of [
      [`#/ticks/${tickId}`, '#trajectory'],
      ['#/tools', '#tools-table'],
      ['#/modules', '#modules-chart svg'],
      [`#/personas/${personaId}`, '#persona-prompt'],
      ['#/said-vs-did', 'h1'],
      ['#/findings', '#findings-table'],
      ['#/faults', '#fault-catalog'],
    ]) {
      await goHash(page, hash);
      await page.waitForSelector(selector);
      expect({ hash, fits: await noHorizontalOverflow(page) }).toEqual({ hash, fits: true });
    }
    await goHash(page, `#/ticks/${tickId}`);
    await page.waitForSelector('#trajectory');
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-phone-tick.png`, fullPage: true });
    await page.context().close();
  });
});
