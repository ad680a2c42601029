import { bootRunnerApp, parkAllPersonas, personaRow } from '../runner/runner.fixtures.js';
import { FakeAnthropic } from './fake-anthropic.js';
import type { TestApp } from './test-app.js';

/**
 * A runner app whose personas think with the Anthropic brain, pointed at a fresh fake Messages API
 * (test key, the fake's URL); `env` adds to it (model, prices, budgets, limits).
 */
export async function bootAnthropicRunner(
  env: Record<string, string> = {},
): Promise<{ t: TestApp; fake: FakeAnthropic }> {
  const fake = await FakeAnthropic.start();
  const t = await bootRunnerApp({
    PERSONA_BRAIN: 'anthropic',
    ANTHROPIC_API_KEY: 'sk-ant-test-key',
    ANTHROPIC_BASE_URL: fake.url,
    ...env,
  });
  return { t, fake };
}

/**
 * The end of a runner suite: parks every persona (so the next suite ticks only its own), closes the
 * app, then the fake Messages API if there is one.
 */
export async function closeRunnerApp(t: TestApp, fake?: FakeAnthropic): Promise<void> {
  await parkAllPersonas(t);
  await t.close();
  await fake?.close();
}

/**
 * Asserts that the persona is backed off after its `failures`-th failure in a row: due again in
 * 2^(failures - 1) minutes from its failure (a few seconds less by now).
 */
export async function expectBackedOff(t: TestApp, personaId: string, failures: number): Promise<void> {
  const wait = 60 * 2 ** (failures - 1);
  const row = await personaRow(t, personaId);
  expect(row.consecutive_failures).toBe(failures);
  expect(Number(row.due_in_s)).toBeGreaterThan(wait - 5);
  expect(Number(row.due_in_s)).toBeLessThanOrEqual(wait);
}
