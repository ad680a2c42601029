import { ReportsController } from '../../src/reports/reports.controller.js';
import { createAdmin } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { http } from '../support/http.js';
import { insertAction, insertFeedback, insertFinding, insertTick } from '../support/persona-rows.js';
import { createPersona } from '../support/personas.js';
import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';

describe(`${ReportsController.name} said-vs-did and the persona's own mistakes`, () => {
  let t: TestApp;
  let admin: TestUser;
  let personaId: string;

  beforeAll(async () => {
    t = await bootTestApp();
    admin = await createAdmin(t);
    personaId = (await createPersona(t, { moduleMix: { todo: 1 }, timezone: 'UTC' }, admin)).userId;
    // tick A: 2 todo calls, the failed one the persona's own invalid input; rated 5
    const a = await insertTick(t, personaId, { status: 'ok', startedAt: { ago: '2 hours' } });
    await insertAction(t, personaId, a, { seq: 1, tool: 'todo.list' });
    await insertAction(t, personaId, a, { seq: 2, tool: 'todo.create', errorKind: 'tool' });
    await insertFinding(t, personaId, a, { seq: 2, tool: 'todo.create', personaMistake: true });
    await insertFeedback(t, personaId, a, { module: 'todo', rating: 5 });
    // tick B: the same calls, but the failure was the app's; rated 5 on notes
    const b = await insertTick(t, personaId, { status: 'ok', startedAt: { ago: '1 hour' } });
    await insertAction(t, personaId, b, { seq: 1, tool: 'notes.search' });
    await insertAction(t, personaId, b, { seq: 2, tool: 'notes.create', errorKind: 'tool' });
    await insertFinding(t, personaId, b, { seq: 2, tool: 'notes.create' });
    await insertFeedback(t, personaId, b, { module: 'notes', rating: 5 });
  });
  afterAll(() => t.close());

  it('should not flag a high rating whose only failures were the persona’s own invalid input', async () => {
    const res = await http(t.url, 'GET', `/api/v1/reports/said-vs-did?persona=${personaId}`, {
      token: admin.accessToken,
    });
    expect(res.status).toBe(200);
    const byModule = Object.fromEntries(
      res.body.items.map((i: { module: string }) => [i.module, i]),
    ) as Record<string, { errors: number; personaMistakes: number; flags: Record<string, number> }>;
    expect(byModule.todo).toMatchObject({
      calls: 2,
      errors: 0,
      personaMistakes: 1,
      errorRate: 0,
      flags: { ratedHighButFailing: 0 },
    });
    expect(byModule.notes).toMatchObject({
      calls: 2,
      errors: 1,
      personaMistakes: 0,
      errorRate: 0.5,
      flags: { ratedHighButFailing: 1 },
    });
  });
});
