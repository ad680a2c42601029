import { inputHash } from '../../src/runner/canonical-json.js';
import { AnthropicBrain } from '../../src/runner/brains/anthropic.brain.js';
import { apiError, hang, message, text, toolUse } from '../support/fake-anthropic.js';
import type { FakeAnthropic, RecordedRequest } from '../support/fake-anthropic.js';
import { createAdmin } from '../support/factories.js';
import { http } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';
import { createPersona } from '../support/personas.js';
import {
  actionsOf,
  feedbackOf,
  parkAllPersonas,
  personaRow,
  runner,
  runnerPersona,
  ticksOf,
} from './runner.fixtures.js';
import { bootAnthropicRunner, closeRunnerApp, expectBackedOff } from '../support/runner-app.js';

/**
 * Every tick of this file runs under this limit, and the hanging one ends at it: long enough that a
 * normal day (sign-in, MCP session, two model turns and the ratings) never reaches it on a machine
 * running four suites at once (3000 ms did: a CPU-bound run timed a normal day out).
 */
const TICK_TIMEOUT_MS = 8000;
const MODEL = 'claude-test-model';

/** The last user message of a request, as text. */
function lastUserText(request: RecordedRequest): string {
  const last = request.body.messages[request.body.messages.length - 1];
  if (typeof last.content === 'string') return last.content;
  return last.content
    .filter((b: { type: string }) => b.type === 'text')
    .map((b: { text: string }) => b.text)
    .join('\n');
}

/** The system prompt of a request as text (a string, or text blocks when caching). */
function systemText(request: RecordedRequest): string {
  const system = request.body.system;
  return typeof system === 'string' ? system : system.map((b: { text: string }) => b.text).join('\n');
}

const ratingsJson = (ratings: Array<{ module: string; rating: number; notes?: string }>) =>
  JSON.stringify({ ratings });

describe(AnthropicBrain.name, () => {
  let fake: FakeAnthropic;
  let t: TestApp;

  beforeAll(async () => {
    ({ t, fake } = await bootAnthropicRunner({
      ANTHROPIC_MODEL: MODEL,
      ANTHROPIC_MAX_RETRIES: '2',
      ANTHROPIC_RETRY_BASE_MS: '50',
      ANTHROPIC_PRICE_IN_PER_MTOK: '3',
      ANTHROPIC_PRICE_OUT_PER_MTOK: '15',
      TICK_TIMEOUT_MS: String(TICK_TIMEOUT_MS),
    }));
  });
  afterAll(() => closeRunnerApp(t, fake));
  beforeEach(async () => {
    fake.reset();
    runner(t).resume();
    await parkAllPersonas(t);
  });

  /** A day with one todo.list call, then `answers` for the rating turn(s). */
  function dayWithOneCall(...answers: string[]) {
    fake.script(
      message([toolUse('todo_list', {})]),
      message([text('Checked my list, that is it for today.')]),
      ...answers.map((a) => message([text(a)])),
    );
  }

  it('should play a day with tool use, map dotted names back, count tokens and cost, and rate in the same conversation', async () => {
    const persona = await createPersona(
      t,
      runnerPersona({
        archetype: 'ceo-busy',
        moduleMix: { todo: 3, notes: 1 },
        timezone: 'America/New_York',
      }),
    );
    const taskInput = { title: 'Approve Q3 hiring plan', priority: 'high', dueDate: '2031-05-02' };
    const noteInput = { content: 'Decision: hiring — go.', title: 'Decisions log' };
    fake.script(
      message([text('Let me plan.'), toolUse('todo_create', taskInput, 'toolu_task_1')], {
        usage: { input_tokens: 1000, output_tokens: 50 },
      }),
      message([toolUse('notes_create', noteInput)], { usage: { input_tokens: 1200, output_tokens: 40 } }),
      message([text('Done: one task, one note.')], { usage: { input_tokens: 1300, output_tokens: 10 } }),
      message(
        [
          text(
            ratingsJson([
              { module: 'notes', rating: 3, notes: 'fine but plain' },
              { module: 'todo', rating: 5, notes: 'quick' },
            ]),
          ),
        ],
        { usage: { input_tokens: 1500, output_tokens: 60 } },
      ),
    );

    const summary = await runner(t).runDue();
    const [result] = summary.results;
    expect(result).toMatchObject({
      status: 'ok',
      brain: 'anthropic',
      model: MODEL,
      toolCalls: 2,
      ratings: 2,
    });

    // the real dotted names in the audit trail, with the hash of exactly what the model sent
    const audited = await actionsOf(t, result.tickId!);
    const actions = audited.filter((a: { origin: string }) => a.origin === 'brain');
    expect(actions.map((a: { tool_name: string }) => a.tool_name)).toEqual(['todo.create', 'notes.create']);
    // the oracle engine checked the model's writes too: it read each back through its entity's readers
    const probes = audited.filter((a: { origin: string }) => a.origin === 'oracle');
    expect(probes.map((a: { tool_name: string }) => a.tool_name)).toEqual(
      expect.arrayContaining(['todo.list', 'notes.search']),
    );
    expect(actions.every((a: { result: string }) => a.result === 'ok')).toBe(true);
    expect(actions[0].input_hash).toBe(inputHash(taskInput));
    expect(actions[1].input_hash).toBe(inputHash(noteInput));

    const requests = fake.messageRequests();
    expect(requests).toHaveLength(4);
    const first = requests[0];
    expect(first.headers.authorization ?? first.headers['x-api-key']).toContain('sk-ant-test-key');
    expect(first.body.model).toBe(MODEL);
    // tools offered under API-safe names with their JSON Schemas
    const offered = first.body.tools.map((tool: { name: string }) => tool.name);
    expect(offered).toEqual(
      expect.arrayContaining(['todo_create', 'notes_create', 'notes_search', 'journal_add']),
    );
    for (const name of offered) expect(name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    const create = first.body.tools.find((tool: { name: string }) => tool.name === 'todo_create');
    expect(create.input_schema).toMatchObject({ type: 'object', properties: { title: expect.any(Object) } });
    // told who it is, the date in its timezone and its module mix with weights
    expect(systemText(first)).toContain('freelance developer');
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(new Date());
    expect(lastUserText(first)).toContain(today);
    expect(lastUserText(first)).toContain('America/New_York');
    expect(lastUserText(first)).toMatch(/todo \(weight 3, about 75%/);
    expect(lastUserText(first)).toMatch(/notes \(weight 1, about 25%/);

    // the tool's real answer went back to the model as a tool_result
    const toolResult = requests[1].body.messages[2].content[0];
    expect(toolResult).toMatchObject({ type: 'tool_result', tool_use_id: 'toolu_task_1' });
    expect(JSON.stringify(toolResult.content)).toContain('Approve Q3 hiring plan');

    // the rating turn continues the same conversation: it carries the whole day
    const rating = requests[3];
    const history = JSON.stringify(rating.body.messages);
    expect(history).toContain('todo_create');
    expect(history).toContain('notes_create');
    expect(history).toContain('Done: one task, one note.');
    expect(rating.body.messages.length).toBeGreaterThan(requests[2].body.messages.length);
    expect(lastUserText(rating)).toContain('"ratings"');
    expect(rating.body.tool_choice).toEqual({ type: 'none' });

    const feedback = await feedbackOf(t, result.tickId!);
    expect(feedback.map((f: { module: string; rating: number }) => [f.module, f.rating])).toEqual([
      ['notes', 3],
      ['todo', 5],
    ]);

    // tokens and cost of the whole tick (price table 3 / 15 USD per million)
    const [tick] = await ticksOf(t, persona.userId);
    expect(tick.tokens_in).toBe(5000);
    expect(tick.tokens_out).toBe(160);
    expect(Number(tick.cost_usd)).toBeCloseTo((5000 * 3 + 160 * 15) / 1e6, 6);
    expect(tick.model).toBe(MODEL);
    // the persona's own words for the day are the model's text turns (the rating turn aside)
    expect(tick.words).toEqual(['Let me plan.', 'Done: one task, one note.']);
  });

  it('should retry a 429 after its retry-after, and count a day with no tool calls as a tick', async () => {
    const persona = await createPersona(t, runnerPersona());
    fake.script(
      apiError(429, 'rate_limit_error', 'Number of requests has exceeded your rate limit', {
        'retry-after': '1',
      }),
      message([text('Nothing to do in the app today.')]),
    );
    const summary = await runner(t).runDue();
    const [result] = summary.results;
    expect(result).toMatchObject({ status: 'ok', toolCalls: 0, ratings: 0, error: null });
    const [a, b] = fake.messageRequests();
    expect(fake.messageRequests()).toHaveLength(2);
    expect(b.at - a.at).toBeGreaterThanOrEqual(1000);
    expect(JSON.stringify(b.body.messages)).toBe(JSON.stringify(a.body.messages));
    const after = await personaRow(t, persona.userId);
    expect(after.last_active_at).not.toBeNull();
    expect(Number(after.due_in_s)).toBeGreaterThan(23.9 * 3600);
  });

  it('should give up after the bounded retries of 5xx/overloaded and store the error on a failed tick', async () => {
    const persona = await createPersona(t, runnerPersona());
    fake.script(
      apiError(500, 'api_error', 'Internal server error'),
      apiError(529, 'overloaded_error', 'Overloaded'),
      apiError(500, 'api_error', 'Internal server error'),
      message([text('should never be asked for')]),
    );
    const summary = await runner(t).runDue();
    const [result] = summary.results;
    expect(result.status).toBe('failed');
    expect(fake.messageRequests()).toHaveLength(3);
    const [tick] = await ticksOf(t, persona.userId);
    expect(tick.status).toBe('failed');
    expect(tick.error).toContain('500');
    expect(tick.error).toContain('gave up after 3 attempts');
    // a failed tick backs off (1 min for the first failure), it does not re-run every firing
    await expectBackedOff(t, persona.userId, 1);
  });

  it('should end a tick whose LLM call hangs as timed_out within the tick limit', async () => {
    const persona = await createPersona(t, runnerPersona());
    fake.script(message([toolUse('todo_list', {})]), hang());
    const started = Date.now();
    const summary = await runner(t).runDue();
    const elapsed = Date.now() - started;
    const [result] = summary.results;
    expect(result.status).toBe('timed_out');
    expect(elapsed).toBeLessThan(TICK_TIMEOUT_MS + 2500);
    const [tick] = await ticksOf(t, persona.userId);
    expect(tick).toMatchObject({
      status: 'timed_out',
      tool_calls: 1,
      error: `tick timed out after ${TICK_TIMEOUT_MS} ms`,
    });
    expect(await actionsOf(t, tick.id)).toHaveLength(1);
    const after = await personaRow(t, persona.userId);
    expect(after.consecutive_failures).toBe(1);
    expect(after.lease_token).toBeNull();
  });

  it('should take ratings wrapped in prose or in a fenced json block', async () => {
    for (const answer of [
      `Looking back, here is my honest take: ${ratingsJson([{ module: 'todo', rating: 4, notes: 'ok' }])} Thanks!`,
      `\`\`\`json\n${ratingsJson([{ module: 'todo', rating: 2, notes: 'slow' }])}\n\`\`\``,
    ]) {
      await parkAllPersonas(t);
      await createPersona(t, runnerPersona());
      fake.reset();
      dayWithOneCall(answer);
      const [result] = (await runner(t).runDue()).results;
      expect(result).toMatchObject({ status: 'ok', ratings: 1, ratingError: null });
      expect(fake.messageRequests()).toHaveLength(3);
      const feedback = await feedbackOf(t, result.tickId!);
      expect(feedback).toHaveLength(1);
      expect(feedback[0].module).toBe('todo');
    }
  });

  it('should repair an out-of-range rating once in the same conversation', async () => {
    await createPersona(t, runnerPersona());
    dayWithOneCall(
      ratingsJson([{ module: 'todo', rating: 7, notes: 'amazing' }]),
      ratingsJson([{ module: 'todo', rating: 5, notes: 'amazing' }]),
    );
    const [result] = (await runner(t).runDue()).results;
    expect(result).toMatchObject({ status: 'ok', ratings: 1, ratingError: null });
    const requests = fake.messageRequests();
    expect(requests).toHaveLength(4);
    expect(lastUserText(requests[3])).toContain('ratings.0.rating');
    expect(JSON.stringify(requests[3].body.messages)).toContain('"rating\\":7');
    const feedback = await feedbackOf(t, result.tickId!);
    expect(feedback.map((f: { rating: number }) => f.rating)).toEqual([5]);
  });

  it('should record a rating_parse_error instead of inventing a rating when the repair fails too', async () => {
    const persona = await createPersona(t, runnerPersona());
    dayWithOneCall('Everything was great, five stars!', ratingsJson([{ module: 'calendar', rating: 4 }]));
    const [result] = (await runner(t).runDue()).results;
    expect(result.status).toBe('ok');
    expect(fake.messageRequests()).toHaveLength(4);
    const [tick] = await ticksOf(t, persona.userId);
    expect(tick.status).toBe('ok');
    expect(tick.rating_error).toContain('rating_parse_error');
    expect(tick.rating_error).toContain('module "calendar" was not used today');
    expect(await feedbackOf(t, tick.id)).toHaveLength(0);
  });

  it('should pause the brain on 401 without retrying, and claim nothing until resumed', async () => {
    const admin = await createAdmin(t);
    const persona = await createPersona(t, runnerPersona());
    fake.script(apiError(401, 'authentication_error', 'invalid x-api-key'));
    const [result] = (await runner(t).runDue()).results;
    expect(result.status).toBe('failed');
    expect(result.error).toContain('paused');
    expect(fake.messageRequests()).toHaveLength(1);

    const state = await http(t.url, 'GET', '/api/v1/personas/admin/runner', { token: admin.accessToken });
    expect(state.status).toBe(200);
    expect(state.body.brain).toMatchObject({ name: 'anthropic', paused: true });
    expect(state.body.brain.pausedReason).toContain('401');
    const health = await http(t.url, 'GET', '/health');
    expect(health.body.info.runner).toMatchObject({ brainPaused: true });

    // not the persona's fault: no backoff, it keeps its place
    const after = await personaRow(t, persona.userId);
    expect(after.consecutive_failures).toBe(0);
    expect(after.next_due_at).toBeNull();
    expect(after.lease_token).toBeNull();

    const skipped = await runner(t).runDue();
    expect(skipped).toMatchObject({ ticks: 0, skippedReason: 'brain-paused' });
    expect(fake.messageRequests()).toHaveLength(1);

    const resumed = await http(t.url, 'POST', '/api/v1/personas/admin/runner/resume', {
      token: admin.accessToken,
    });
    expect(resumed.body.brain.paused).toBe(false);
    fake.script(message([text('Back again, nothing to do.')]));
    const [again] = (await runner(t).runDue()).results;
    expect(again).toMatchObject({ personaId: persona.userId, status: 'ok' });
  });
});
