import { RunnerService } from '../../src/runner/runner.service.js';
import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';

/** Env every runner e2e test starts from: no schedule, fast logins, loopback only. */
export const RUNNER_TEST_ENV: Record<string, string> = {
  RUNNER_ENABLED: 'false',
  RUNNER_DEMO: 'false',
  AUTH_RATE_LIMIT_PER_IP: '100000',
  AUTH_RATE_LIMIT_PER_EMAIL: '100000',
  TOOL_RATE_LIMIT: '100000',
  // two suites share two cores in CI: a pause of a second or more there is the machine's, not the app's
  FINDING_SLOW_RELATIVE_MS: '1500',
};

export function bootRunnerApp(env: Record<string, string> = {}): Promise<TestApp> {
  return bootTestApp({ ...RUNNER_TEST_ENV, ...env });
}

const PROMPT =
  'You are a freelance developer who plans the week on Mondays and keeps terse notes of everything.';

/**
 * The body of a runner test persona, for `createPersona(t, runnerPersona({ … }))`: the brain's
 * prompt and the tools it may call follow these fields, so runner tests start from one shape.
 */
export function runnerPersona(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'Runner Test',
    systemPrompt: PROMPT,
    moduleMix: { todo: 3, notes: 2, journal: 1 },
    tickCadence: 'daily',
    timezone: 'UTC',
    ...overrides,
  };
}

/**
 * Takes every persona that exists so far out of the queue (the suite shares one database, and other
 * test files leave personas behind), so a test's runDue() ticks only the personas it makes itself.
 * Called again when a file is done, so the personas it leaves behind are not due for the next one.
 */
export async function parkAllPersonas(t: TestApp): Promise<void> {
  await t.dataSource.query(`UPDATE personas SET next_due_at = now() + interval '3650 days'`);
}

export const runner = (t: TestApp) => t.app.get(RunnerService);

export async function personaRow(t: TestApp, userId: string) {
  const rows = await t.dataSource.query(
    `SELECT *, next_due_at > now() AS due_in_future, extract(epoch FROM next_due_at - now()) AS due_in_s
       FROM personas WHERE user_id = $1`,
    [userId],
  );
  return rows[0];
}

export function ticksOf(t: TestApp, userId: string) {
  return t.dataSource.query(`SELECT * FROM persona_ticks WHERE persona_id = $1 ORDER BY started_at`, [
    userId,
  ]);
}

export function actionsOf(t: TestApp, tickId: string) {
  return t.dataSource.query(`SELECT * FROM persona_actions WHERE tick_id = $1 ORDER BY seq`, [tickId]);
}

export function feedbackOf(t: TestApp, tickId: string) {
  return t.dataSource.query(`SELECT * FROM persona_feedback WHERE tick_id = $1 ORDER BY module`, [tickId]);
}
