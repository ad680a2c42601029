import { AnthropicBrain } from '../../src/runner/brains/anthropic.brain.js';
import { PersonaMemoryService } from '../../src/personas/audit/persona-memory.service.js';
import { message, text, toolUse } from '../support/fake-anthropic.js';
import type { FakeAnthropic, RecordedRequest } from '../support/fake-anthropic.js';
import type { TestApp } from '../support/test-app.js';
import { createPersona } from '../support/personas.js';
import { feedbackOf, parkAllPersonas, runner, runnerPersona, ticksOf } from './runner.fixtures.js';
import { bootAnthropicRunner, closeRunnerApp } from '../support/runner-app.js';

const PRICES = { input: 3, output: 15, write: 1.25, read: 0.1 };

/** Every block of a request that carries cache_control, named by where it sits. */
function breakpoints(request: RecordedRequest): string[] {
  const found: string[] = [];
  const body = request.body;
  body.tools?.forEach((tool: { cache_control?: unknown }, i: number) => {
    if (tool.cache_control) found.push(`tools[${i}]`);
  });
  if (Array.isArray(body.system)) {
    body.system.forEach((block: { cache_control?: unknown }, i: number) => {
      if (block.cache_control) found.push(`system[${i}]`);
    });
  }
  body.messages.forEach((m: { content: unknown }, i: number) => {
    if (!Array.isArray(m.content)) return;
    m.content.forEach((block: { cache_control?: unknown }, j: number) => {
      if (block.cache_control) found.push(`messages[${i}][${j}]`);
    });
  });
  return found;
}

const systemText = (request: RecordedRequest): string =>
  request.body.system.map((b: { text: string }) => b.text).join('\n');

describe(`${AnthropicBrain.name} prompt caching and memory`, () => {
  let fake: FakeAnthropic;
  let t: TestApp;

  beforeAll(async () => {
    ({ t, fake } = await bootAnthropicRunner({
      ANTHROPIC_MODEL: 'claude-test-model',
      ANTHROPIC_PRICE_IN_PER_MTOK: String(PRICES.input),
      ANTHROPIC_PRICE_OUT_PER_MTOK: String(PRICES.output),
      TICK_TIMEOUT_MS: '20000', // no tick here is meant to time out: room for a loaded machine
      // this suite is about prompt caching and memory: the oracle engine's own calls would only
      // stretch a tick toward its 5 s limit on a loaded machine
      ORACLE_MAX_PROBES: '0',
    }));
  });
  afterAll(() => closeRunnerApp(t, fake));
  beforeEach(async () => {
    fake.reset();
    await parkAllPersonas(t);
  });

  it('should send cache_control on the last tool, the system prompt and the latest turn, and price cache reads and writes', async () => {
    const persona = await createPersona(t, runnerPersona());
    fake.computeUsage = true;
    fake.script(
      message([toolUse('todo_create', { title: 'Ship the invoice module' })], {
        usage: { input_tokens: 0, output_tokens: 40 },
      }),
      message([toolUse('todo_list', {})], { usage: { input_tokens: 0, output_tokens: 30 } }),
      message([text('Made a task and checked my list.')], { usage: { input_tokens: 0, output_tokens: 20 } }),
      message([text(JSON.stringify({ ratings: [{ module: 'todo', rating: 4, notes: 'quick' }] }))], {
        usage: { input_tokens: 0, output_tokens: 30 },
      }),
    );
    const [result] = (await runner(t).runDue()).results;
    expect(result).toMatchObject({ status: 'ok', toolCalls: 2, ratings: 1 });

    const requests = fake.messageRequests();
    expect(requests).toHaveLength(4);
    const lastTool = `tools[${requests[0].body.tools.length - 1}]`;
    for (const request of requests) {
      const last = request.body.messages.length - 1;
      const lastBlock = request.body.messages[last].content.length - 1;
      // the stable prefix (tools, system) and exactly the latest turn; never more than 4
      expect(breakpoints(request)).toEqual([lastTool, 'system[0]', `messages[${last}][${lastBlock}]`]);
      expect(request.body.system[0].cache_control).toEqual({ type: 'ephemeral' });
    }
    // the second turn read what the first one wrote: the whole first request
    const [first, second] = fake.usages;
    expect(first.cache_read_input_tokens).toBe(0);
    expect(first.cache_creation_input_tokens).toBeGreaterThan(1024);
    expect(second.cache_read_input_tokens).toBe(first.cache_creation_input_tokens);
    expect(second.cache_creation_input_tokens).toBeGreaterThan(0);

    // the tick stores cache reads and writes and bills each at its own price
    const sum = (pick: (u: (typeof fake.usages)[number]) => number) =>
      fake.usages.reduce((n, u) => n + pick(u), 0);
    const input = sum((u) => u.input_tokens);
    const writes = sum((u) => u.cache_creation_input_tokens);
    const reads = sum((u) => u.cache_read_input_tokens);
    const output = sum((u) => u.output_tokens);
    const [tick] = await ticksOf(t, persona.userId);
    expect(tick.cache_read_tokens).toBe(reads);
    expect(tick.cache_write_tokens).toBe(writes);
    expect(tick.tokens_in).toBe(input + writes + reads);
    expect(tick.tokens_out).toBe(output);
    const expected =
      ((input + writes * PRICES.write + reads * PRICES.read) * PRICES.input + output * PRICES.output) / 1e6;
    expect(Number(tick.cost_usd)).toBeCloseTo(expected, 6);
    // …which is well below the same tokens at the full input price
    expect(Number(tick.cost_usd)).toBeLessThan(((input + writes + reads) * PRICES.input) / 1e6);
  });

  it("should start the second day with a memory of the first that names what this persona did, and nothing of another's", async () => {
    const memories = t.app.get(PersonaMemoryService);
    const ann = await createPersona(t, runnerPersona({ name: 'Ann Memory' }));
    fake.script(
      message([toolUse('todo_create', { title: 'Call the plumber about the boiler' })]),
      message([toolUse('notes_create', { title: 'Boiler', content: 'Plumber comes Thursday.' })]),
      message([text('Sorted the boiler.')]),
      message([
        text(
          JSON.stringify({
            ratings: [
              { module: 'notes', rating: 3, notes: 'note title felt cramped' },
              { module: 'todo', rating: 5, notes: 'quick and painless' },
            ],
          }),
        ),
      ]),
    );
    const [annDay1] = (await runner(t).runDue()).results;
    expect(annDay1).toMatchObject({ status: 'ok', toolCalls: 2, ratings: 2 });
    // the first day started without a memory
    expect(fake.messageRequests()[0].body.system).toHaveLength(1);

    const bob = await createPersona(t, runnerPersona({ name: 'Bob Other', moduleMix: { journal: 1 } }));
    fake.reset();
    fake.script(
      message([toolUse('journal_add', { content: 'Bob private journal line.' })]),
      message([text('Wrote in my journal.')]),
      message([
        text(JSON.stringify({ ratings: [{ module: 'journal', rating: 2, notes: 'bob secret gripe' }] })),
      ]),
    );
    const [bobDay1] = (await runner(t).runDue()).results;
    expect(bobDay1).toMatchObject({ personaId: bob.userId, status: 'ok', ratings: 1 });
    expect(await feedbackOf(t, bobDay1.tickId!)).toHaveLength(1);

    // Ann's second day
    await t.dataSource.query(
      `UPDATE personas SET next_due_at = now() - interval '1 second' WHERE user_id = $1`,
      [ann.userId],
    );
    fake.reset();
    fake.script(message([text('Nothing new today.')]));
    const [annDay2] = (await runner(t).runDue()).results;
    expect(annDay2).toMatchObject({ personaId: ann.userId, status: 'ok' });
    const [request] = fake.messageRequests();
    // the memory is its own cached block of the system prompt, after the persona's prompt
    expect(request.body.system).toHaveLength(2);
    expect(request.body.system[1].cache_control).toEqual({ type: 'ephemeral' });
    const memoryText = request.body.system[1].text as string;
    expect(memoryText).toContain('todo.create ok×1');
    expect(memoryText).toContain('notes.create');
    expect(memoryText).toContain('quick and painless');
    expect(memoryText).toContain('note title felt cramped');
    expect(systemText(request)).not.toMatch(/journal\.add|bob secret gripe|Bob private/);

    // the structured days the scripted brain uses: Ann's first day only
    const memory = await memories.recall(ann.userId);
    // the second day did nothing (no calls, no ratings): only the first is a day to remember
    expect(memory?.days).toHaveLength(1);
    const [day1] = memory!.days;
    expect(day1.modules).toEqual(['notes', 'todo']);
    expect(day1.calls).toEqual([
      { tool: 'todo.create', ok: true },
      { tool: 'notes.create', ok: true },
    ]);
    expect(day1.ratings).toEqual([
      { module: 'notes', rating: 3, notes: 'note title felt cramped' },
      { module: 'todo', rating: 5, notes: 'quick and painless' },
    ]);
    const bobMemory = await memories.recall(bob.userId);
    expect(JSON.stringify(bobMemory)).not.toMatch(/plumber|quick and painless|todo/i);
  });
});
