import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { chromiumExecutable } from './chromium.js';

export const LAPTOP = { width: 1280, height: 900 };
export const PHONE = { width: 375, height: 740 };

/** The one headless Chromium a dashboard suite drives (see chromiumExecutable). */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
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
}

/**
 * Pages of the /admin dashboard, each in a fresh browser context (its own storage), collecting the
 * page errors and console errors a suite fails on. A refused sign-in, or a 401 the dashboard answers
 * with a token refresh, is an expected 401/403 in the network log; anything else is a bug.
 */
export class DashboardBrowser {
  readonly pageErrors: string[] = [];

  constructor(
    private readonly browser: Browser,
    private readonly baseUrl: string,
  ) {}

  async open(viewport = LAPTOP): Promise<Page> {
    const context = await this.browser.newContext({ viewport });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (e) => this.pageErrors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 40[13]/.test(m.text()))
        this.pageErrors.push(`console: ${m.text()}`);
    });
    await page.goto(`${this.baseUrl}/admin`);
    return page;
  }

  async signIn(page: Page, email: string, password: string): Promise<void> {
    await page.fill('#email', email);
    await page.fill('#password', password);
    await page.click('#signin-submit');
  }

  async signedIn(email: string, password: string, viewport = LAPTOP): Promise<Page> {
    const page = await this.open(viewport);
    await this.signIn(page, email, password);
    await page.waitForSelector('#overview-cards');
    return page;
  }

  /** Drops the console errors a test asked for (e.g. a 400 it provoked on purpose). */
  allow(pattern: RegExp): void {
    this.pageErrors.splice(0, this.pageErrors.length, ...this.pageErrors.filter((e) => !pattern.test(e)));
  }

  /** The errors collected since the last call. */
  take(): string[] {
    return this.pageErrors.splice(0);
  }
}

// page.evaluate takes strings here: the tests are compiled without the DOM lib
export const noHorizontalOverflow = (page: Page) =>
  page.evaluate<boolean>('document.documentElement.scrollWidth <= document.documentElement.clientWidth');
export const goHash = (page: Page, hash: string) => page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
