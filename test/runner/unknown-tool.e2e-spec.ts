import { TickCallRecorder } from '../../src/runner/tick/tick-call.recorder.js';
import { message, text, toolUse } from '../support/fake-anthropic.js';
import type { FakeAnthropic } from '../support/fake-anthropic.js';
import { http } from '../support/http.js';
import { createAdmin } from '../support/factories.js';
import type { TestApp } from '../support/test-app.js';
import { createPersona } from '../support/personas.js';
import { actionsOf, parkAllPersonas, runner, runnerPersona } from './runner.fixtures.js';
import { bootAnthropicRunner, closeRunnerApp } from '../support/runner-app.js';

describe(`${TickCallRecorder.name} (a tool name the model made up)`, () => {
  let fake: FakeAnthropic;
  let t: TestApp;

  beforeAll(async () => {
    ({ t, fake } = await bootAnthropicRunner({
      ANTHROPIC_MODEL: 'claude-test-model',
      TICK_TIMEOUT_MS: '20000', // no tick here is meant to time out: room for a loaded machine
      // the made-up call's own seq among the model's: no oracle probes between them
      ORACLE_MAX_PROBES: '0',
    }));
  });
  afterAll(() => closeRunnerApp(t, fake));

  it('should record the call with its own seq and error kind unknown_tool, raise no finding, and show it in the reports', async () => {
    await parkAllPersonas(t);
    const persona = await createPersona(t, runnerPersona({ moduleMix: { todo: 1 } }));
    fake.script(
      message([toolUse('todo_list', {}), toolUse('todo_teleport', { where: 'mars' })]),
      message([toolUse('todo_list', {})]),
      message([text('That was my day.')]),
      message([text(JSON.stringify({ ratings: [{ module: 'todo', rating: 4, notes: 'ok' }] }))]),
    );
    const summary = await runner(t).runDue();
    const result = summary.results.find((r) => r.personaId === persona.userId)!;
    expect(result).toMatchObject({ status: 'ok', ratings: 1 });

    const actions = await actionsOf(t, result.tickId!);
    expect(
      actions.map((a: { seq: number; tool_name: string; result: string; error_kind: string | null }) => [
        a.seq,
        a.tool_name,
        a.result,
        a.error_kind,
      ]),
    ).toEqual([
      [1, 'todo.list', 'ok', null],
      [2, 'todo_teleport', 'error', 'unknown_tool'],
      [3, 'todo.list', 'ok', null],
    ]);
    expect(actions[1].error_message).toBe('There is no tool named "todo_teleport".');
    expect(actions[1].latency_ms).toBe(0);

    // the model was told, with the call's number
    const toolResults = fake.messageRequests()[1].body.messages.at(-1).content;
    expect(toolResults[1]).toMatchObject({ is_error: true });
    expect(toolResults[1].content).toContain('[call 2] There is no tool named "todo_teleport"');

    // the model's confusion is not an app defect: no finding for it
    const findings = await t.dataSource.query(`SELECT seq, class FROM persona_findings WHERE tick_id = $1`, [
      result.tickId,
    ]);
    expect(findings.filter((f: { seq: number }) => f.seq === 2)).toEqual([]);
    // the only module rated is the one really used
    expect(fake.messageRequests()[3].body.messages.at(-1).content).not.toContain('todo_teleport');

    // the reports label it by its kind
    const admin = await createAdmin(t);
    const tools = await http(t.url, 'GET', '/api/v1/reports/tools?limit=100', { token: admin.accessToken });
    expect(tools.status).toBe(200);
    const row = tools.body.items.find((i: { tool: string }) => i.tool === 'todo_teleport');
    expect(row).toMatchObject({ errors: 1, errorsByKind: { unknown_tool: 1, tool: 0, protocol: 0 } });
    expect(row.lastError).toMatchObject({ kind: 'unknown_tool' });
  });
});
