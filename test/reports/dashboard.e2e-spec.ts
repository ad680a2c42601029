import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { DashboardController } from '../../src/reports/dashboard.controller.js';
import { derivePersonaPassword } from '../../src/personas/persona-password.js';
import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';
import { http } from '../support/http.js';
import { chromiumExecutable } from '../support/chromium.js';
import { createAdmin, registerUser, TEST_PASSWORD } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';

/*
 * The /admin dashboard in Chromium (playwright-core, headless; see chromiumExecutable), against the real app with a
 * real scripted-brain tick run through the runner's run-now endpoint. Screenshots go to
 * test/artifacts/dashboard-*.png.
 */
const ARTIFACTS = 'test/artifacts';
const DAY = 86_400_000;
const LAPTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 740 };

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

    personaEmail = `persona.dash${randomUUID().slice(0, 8)}@mana.test`;
    const created = await http(t.url, 'POST', '/api/v1/personas/admin', {
      token: admin.accessToken,
      body: {
        email: personaEmail,
        name: 'Dana <b>Dashboard</b>',
        password: derivePersonaPassword(personaEmail, t.config.personaSeedSecret),
        archetype: 'solo-dev',
        systemPrompt: 'You are a solo developer who keeps todos and notes <script>alert(1)</script> tidy.',
        moduleMix: { todo: 2, notes: 1 },
      },
    });
    if (created.status !== 201) throw new Error(`persona create: ${created.status} ${created.text}`);
    personaId = created.body.userId;

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

    // four weeks of earlier ratings so the module chart has a history, with a regression on notes
    for (let week = 4; week >= 1; week--) {
      for (let k = 0; k < 3; k++) {
        const at = new Date(Date.now() - week * 7 * DAY + k * DAY + 3_600_000);
        const id = randomUUID();
        await t.dataSource.query(
          `INSERT INTO persona_ticks (id, persona_id, status, brain, started_at, finished_at)
           VALUES ($1, $2, 'ok', 'scripted', $3, $3)`,
          [id, personaId, at],
        );
        await t.dataSource.query(
          `INSERT INTO persona_feedback (id, persona_id, tick_id, module, rating, notes, created_at)
           VALUES ($1::text || '-notes', $2, $1::uuid, 'notes', $3, 'seeded', $4),
                  ($1::text || '-todo', $2, $1::uuid, 'todo', 4, NULL, $4)`,
          [id, personaId, week === 1 ? 2 : 5, at],
        );
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
    expect(await page.locator('#modules-chart .series.regressed[data-module="notes"]').count()).toBe(1);
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
