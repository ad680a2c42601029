import type { AppConfig } from '../../config/app-config.js';
import type { ClaimedPersona } from '../../personas/schedule/persona-schedule.types.js';
import type { PersonaTargetsService } from '../../personas/targets/persona-targets.service.js';
import type { Target } from '../../tool-contract/mcp-target.js';
import { TargetRefusedError, TargetResolver } from './target.resolver.js';

const claim = (targetId?: string | null): ClaimedPersona => ({
  userId: '6a1f0c56-3a2e-4f0e-9b39-0a1f6c7d8e90',
  email: 'persona.a@mana.test',
  archetype: 'solo-dev',
  systemPrompt: 'prompt',
  moduleMix: { todo: 1 },
  cadence: 'daily',
  timezone: 'UTC',
  consecutiveFailures: 0,
  leaseToken: '1b7f2f84-0b7a-4d8c-9a3e-2e1f0c9d8b7a',
  claimedAt: new Date(),
  leaseExpiresAt: new Date(),
  targetId,
});

const HTTP: Target = { kind: 'http', url: 'https://mcp.example.com/mcp', headers: { A: 'b' } };
const STDIO: Target = { kind: 'stdio', command: 'node', args: ['s.js'], env: {} };

/** The personas module's answer, and who asked for it. */
function personas(answer: Target | null) {
  const asked: string[] = [];
  const service = {
    targetOf: async (personaId: string) => {
      asked.push(personaId);
      return answer;
    },
  } as unknown as PersonaTargetsService;
  return { service, asked };
}

const config = (targetsStdioEnabled: boolean) => ({ targetsStdioEnabled }) as AppConfig;

describe(TargetResolver.name, () => {
  it('should play the built-in app, without a query, for a persona that has no target', async () => {
    const p = personas(HTTP);
    const resolver = new TargetResolver(config(true), p.service);
    expect(await resolver.targetOf(claim(null))).toEqual({ kind: 'built-in' });
    expect(await resolver.targetOf(claim(undefined))).toEqual({ kind: 'built-in' });
    expect(p.asked).toEqual([]);
  });

  it('should play the persona’s own target, read at the tick', async () => {
    const p = personas(HTTP);
    const resolver = new TargetResolver(config(true), p.service);
    expect(await resolver.targetOf(claim('c0ffee00-0000-4000-8000-000000000001'))).toBe(HTTP);
    expect(p.asked).toEqual([claim().userId]);
  });

  it('should fall back to the built-in app when the target was taken away since the claim', async () => {
    const resolver = new TargetResolver(config(true), personas(null).service);
    expect(await resolver.targetOf(claim('c0ffee00-0000-4000-8000-000000000001'))).toEqual({
      kind: 'built-in',
    });
  });

  it('should let the target of npm run check win over every persona’s own', async () => {
    const p = personas(HTTP);
    const resolver = new TargetResolver(config(false), p.service);
    resolver.useForAll(STDIO);
    expect(await resolver.targetOf(claim('c0ffee00-0000-4000-8000-000000000001'))).toBe(STDIO);
    expect(p.asked).toEqual([]);
  });

  it('should refuse to start a stored stdio target while TARGETS_STDIO_ENABLED is false', async () => {
    const off = new TargetResolver(config(false), personas(STDIO).service);
    await expect(off.targetOf(claim('c0ffee00-0000-4000-8000-000000000001'))).rejects.toThrow(
      new TargetRefusedError(
        'the persona plays a stdio target, and stdio targets are off (TARGETS_STDIO_ENABLED is false): its command was not started',
      ),
    );
    const on = new TargetResolver(config(true), personas(STDIO).service);
    expect(await on.targetOf(claim('c0ffee00-0000-4000-8000-000000000001'))).toBe(STDIO);
  });
});
