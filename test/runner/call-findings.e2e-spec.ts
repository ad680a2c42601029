import { randomUUID } from 'node:crypto';
import { clip } from '../../src/common/text.js';
import { TickCallRecorder } from '../../src/runner/tick/tick-call.recorder.js';
import { FakeAnthropic, message, text, toolUse } from '../support/fake-anthropic.js';
import type { TestApp } from '../support/test-app.js';
import { createPersona } from '../support/personas.js';
import { actionsOf, bootRunnerApp, parkAllPersonas, runner, runnerPersona } from './runner.fixtures.js';

function findingsOf(t: TestApp, tickId: string) {
  return t.dataSource.query(`SELECT * FROM persona_findings WHERE tick_id = $1 ORDER BY seq, check_name`, [
    tickId,
  ]);
}

describe(`${TickCallRecorder.name} call findings`, () => {
  let t: TestApp;
  let fake: FakeAnthropic;

  beforeAll(async () => {
    fake = await FakeAnthropic.start();
    t = await bootRunnerApp({
      PERSONA_BRAIN: 'anthropic',
      ANTHROPIC_API_KEY: 'sk-ant-test',
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_MODEL: 'claude-test-model',
      // the call's own findings, seq by seq: no oracle probes between the model's calls
      ORACLE_MAX_PROBES: '0',
      ANTHROPIC_MAX_RETRIES: '0',
    });
  });
  afterAll(async () => {
    await parkAllPersonas(t);
    await t.close();
    await fake.close();
  });

  it("should record a failed call as an error finding with the call's seq, and an LLM's own invalid input as its mistake", async () => {
    await parkAllPersonas(t);
    const persona = await createPersona(t, runnerPersona({ moduleMix: { todo: 1 } }));
    fake.script(
      message([toolUse('todo_list', {})]),
      message([toolUse('todo_complete', { id: randomUUID() })]),
      message([toolUse('todo_create', {})]),
      message([text('That was my day.')]),
      message([
        text(JSON.stringify({ ratings: [{ module: 'todo', rating: 2, notes: 'could not complete' }] })),
      ]),
    );

    const summary = await runner(t).runNow(persona.userId);
    expect(summary).toMatchObject({ status: 'ok', toolCalls: 3, recorded: true });

    const actions = await actionsOf(t, summary.tickId!);
    expect(actions.map((a: { seq: number; result: string }) => [a.seq, a.result])).toEqual([
      [1, 'ok'],
      [2, 'error'],
      [3, 'error'],
    ]);
    const findings = await findingsOf(t, summary.tickId!);
    expect(findings).toHaveLength(2);
    expect(findings[0]).toMatchObject({
      id: `${summary.tickId}-2-call.failed`,
      persona_id: persona.userId,
      seq: 2,
      module: 'todo',
      tool: 'todo.complete',
      class: 'error',
      check_name: 'call.failed',
      expected: 'a successful answer',
      source: 'call',
      persona_mistake: false,
    });
    expect(findings[0].got).toBe(clip(actions[1].error_message, 200));
    expect(findings[1]).toMatchObject({
      seq: 3,
      tool: 'todo.create',
      class: 'error',
      check_name: 'call.failed',
      persona_mistake: true,
    });
    expect(findings[1].got).toMatch(/^Invalid input for todo\.create/);
  });

  it('should store the findings a model reports in its rating turn, and drop malformed ones without inventing any', async () => {
    await parkAllPersonas(t);
    const persona = await createPersona(t, runnerPersona({ moduleMix: { todo: 1 } }));
    fake.script(
      message([toolUse('todo_create', { title: 'Buy milk' })]),
      message([toolUse('todo_list', {})]),
      message([text('That was my day.')]),
      message([
        text(
          JSON.stringify({
            ratings: [{ module: 'todo', rating: 2, notes: 'my task vanished' }],
            findings: [
              {
                module: 'todo',
                tool: 'todo.list',
                kind: 'lost_write',
                what: "I added 'Buy milk' and my list didn't show it",
                seq: 2,
              },
              { module: 'todo', tool: 'todo.list', kind: 'terrible', what: 'bad kind' },
              { module: 'todo', tool: 'todo.delete', kind: 'error', what: 'never called' },
              { module: 'todo', tool: 'todo.create', kind: 'slow', what: 'wrong seq', seq: 2 },
            ],
          }),
        ),
      ]),
    );

    const summary = await runner(t).runNow(persona.userId);
    expect(summary).toMatchObject({ status: 'ok', toolCalls: 2, ratings: 1, recorded: true });
    const findings = await findingsOf(t, summary.tickId!);
    const reported = findings.filter((f: { source: string }) => f.source === 'llm');
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({
      seq: 2,
      module: 'todo',
      tool: 'todo.list',
      class: 'lost_write',
      got: "I added 'Buy milk' and my list didn't show it",
      persona_mistake: false,
    });
    const metrics = await fetch(`${t.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/persona_findings_dropped_total \d+/);
    expect(Number(/persona_findings_dropped_total (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(3);
  });
});
