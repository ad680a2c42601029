import { bootTestApp } from '../support/test-app.js';
import type { TestApp } from '../support/test-app.js';
import { registerUser } from '../support/factories.js';
import { closeAllMcpClients, connectMcp, dataOf } from './mcp-client.js';
import type { McpTestClient } from './mcp-client.js';

const CALLS = 50;

describe('McpGateway under concurrency', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootTestApp({ TOOL_RATE_LIMIT: '1000' });
  });
  afterAll(async () => {
    await closeAllMcpClients();
    await t.close();
  });

  it('should deliver every response of two users x 50 parallel calls with colliding JSON-RPC ids to its own caller', async () => {
    const alice = await registerUser(t);
    const bob = await registerUser(t);
    const clients: Array<[string, McpTestClient]> = [
      ['alice', await connectMcp(t, { token: alice.accessToken })],
      ['bob', await connectMcp(t, { token: bob.accessToken })],
    ];
    const personal: Record<string, string> = {};
    for (const [who, c] of clients) personal[who] = dataOf(await c.call('spaces.list')).activeSpaceId;
    expect(personal.alice).not.toBe(personal.bob);

    // Both SDK clients number their requests the same way (0, 1, 2, ...), so the ids of the two
    // users' calls collide; record the ids actually sent to prove it.
    const sentIds: Record<string, Array<string | number>> = { alice: [], bob: [] };
    for (const [who, c] of clients) {
      const send = c.transport.send.bind(c.transport);
      c.transport.send = (message, options) => {
        if ('id' in message && 'method' in message && message.method === 'tools/call')
          sentIds[who].push(message.id);
        return send(message, options);
      };
    }

    const calls = clients.flatMap(([who, c]) =>
      Array.from({ length: CALLS }, async (_, i) => {
        // even: a write whose answer carries the caller's text; odd: a read naming the caller's space
        if (i % 2 === 0) {
          const task = dataOf(await c.call('todo.create', { title: `${who} task ${i}` })).task;
          return { who, i, got: task.title as string, want: `${who} task ${i}` };
        }
        const spaces = dataOf(await c.call('spaces.list'));
        return { who, i, got: spaces.activeSpaceId as string, want: personal[who] };
      }),
    );
    const results = await Promise.all(calls);

    expect(results).toHaveLength(2 * CALLS);
    for (const r of results) expect(r.got).toBe(r.want);
    const shared = sentIds.alice.filter((id) => sentIds.bob.includes(id));
    expect(shared.length).toBe(CALLS);

    // and each user's space holds exactly that user's 25 tasks
    for (const [who, c] of clients) {
      const titles = dataOf(await c.call('todo.list', { status: 'all', limit: 100 })).items.map(
        (task: { title: string }) => task.title,
      );
      expect(titles).toHaveLength(CALLS / 2);
      expect(titles.every((title: string) => title.startsWith(`${who} task `))).toBe(true);
    }
  });
});
