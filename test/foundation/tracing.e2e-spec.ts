import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type {
  IExportTraceServiceRequest,
  ISpan,
} from '@opentelemetry/otlp-transformer/build/src/trace/internal-types.js';
import type {
  IAnyValue,
  IKeyValue,
} from '@opentelemetry/otlp-transformer/build/src/common/internal-types.js';
import { TracingService } from '../../src/observability/tracing.service.js';
import { FakeAnthropic, message, text, toolUse } from '../support/fake-anthropic.js';
import { createPersona } from '../support/personas.js';
import type { TestApp } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';
import { bootRunnerApp, parkAllPersonas, runner, runnerPersona } from '../runner/runner.fixtures.js';

/** An OTLP/HTTP receiver (JSON protocol): every ExportTraceServiceRequest it was sent, decoded. */
async function otlpReceiver(): Promise<{ url: string; spans: ISpan[]; server: Server }> {
  const spans: ISpan[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const request = JSON.parse(body) as IExportTraceServiceRequest;
        for (const rs of request.resourceSpans ?? [])
          for (const ss of rs.scopeSpans) spans.push(...(ss.spans ?? []));
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, spans, server };
}

const valueOf = (v: IAnyValue | undefined): unknown =>
  v?.stringValue ?? v?.intValue ?? v?.doubleValue ?? v?.boolValue ?? v?.arrayValue?.values.map(valueOf);
const attr = (kvs: IKeyValue[], key: string): unknown => valueOf(kvs.find((kv) => kv.key === key)?.value);

describe(TracingService.name, () => {
  let fake: FakeAnthropic;
  let receiver: Awaited<ReturnType<typeof otlpReceiver>>;
  let t: TestApp;

  beforeAll(async () => {
    fake = await FakeAnthropic.start();
    receiver = await otlpReceiver();
    t = await bootRunnerApp({
      PERSONA_BRAIN: 'anthropic',
      ANTHROPIC_API_KEY: 'sk-ant-test-key',
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_MODEL: 'claude-test-model',
      PERSONA_CONCURRENCY: '1',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '50',
    });
    await parkAllPersonas(t);
  });
  afterAll(async () => {
    await parkAllPersonas(t);
    await t.close();
    await fake.close();
    receiver.server.close();
  });

  it('should send one trace per tick: tick → brain turns, tool calls → /mcp server spans, the rating turn', async () => {
    const day = () => [
      message([toolUse('todo_list', {})], { usage: { input_tokens: 120, output_tokens: 30 } }),
      message([text('That is it for today.')], { usage: { input_tokens: 150, output_tokens: 10 } }),
      message([text(JSON.stringify({ ratings: [{ module: 'todo', rating: 4, notes: 'fine' }] }))]),
    ];
    fake.script(...day(), ...day());
    await createPersona(t, runnerPersona({ moduleMix: { todo: 1 } }));
    await createPersona(t, runnerPersona({ moduleMix: { todo: 1 } }));
    const summary = await runner(t).runDue();
    expect(summary.ticks).toBe(2);

    const ticks = () => receiver.spans.filter((s) => s.name === 'persona.tick');
    await waitFor(
      'two ticks and their /mcp spans at the receiver',
      async () => ticks().length === 2 && receiver.spans.filter((s) => s.name === 'POST /mcp').length >= 6,
    );
    const traces = new Set(ticks().map((s) => s.traceId));
    expect(traces.size).toBe(2);
    for (const root of ticks()) {
      expect(root.parentSpanId).toBeFalsy();
      expect(attr(root.attributes, 'mana.brain')).toBe('anthropic');
      expect(attr(root.attributes, 'gen_ai.request.model')).toBe('claude-test-model');
      expect(attr(root.attributes, 'mana.tick.status')).toBe('ok');
      expect(attr(root.attributes, 'mana.persona.id')).toEqual(expect.any(String));
      const inTrace = receiver.spans.filter((s) => s.traceId === root.traceId);
      const byId = new Map(inTrace.map((s) => [s.spanId, s]));
      const chats = inTrace.filter((s) => s.name === 'chat claude-test-model');
      expect(chats.length).toBe(3);
      expect(attr(chats[0].attributes, 'gen_ai.system')).toBe('anthropic');
      expect(attr(chats[0].attributes, 'gen_ai.request.model')).toBe('claude-test-model');
      expect(chats.map((c) => attr(c.attributes, 'gen_ai.usage.input_tokens'))).toContain(120);
      expect(chats.map((c) => attr(c.attributes, 'gen_ai.usage.output_tokens'))).toContain(30);
      const tool = inTrace.find((s) => s.name === 'tool todo.list');
      expect(tool).toBeDefined();
      expect(attr(tool!.attributes, 'mana.tool.module')).toBe('todo');
      expect(attr(tool!.attributes, 'mana.tool.outcome')).toBe('ok');
      expect(attr(tool!.attributes, 'mana.tool.latency_ms')).toEqual(expect.any(Number));
      const rating = inTrace.find((s) => s.name === 'persona.rating');
      expect(rating?.parentSpanId).toBe(root.spanId);
      expect(chats.some((c) => c.parentSpanId === rating!.spanId)).toBe(true);
      // the /mcp request of the tool call is a server span whose parent is the runner's tool span
      const servers = inTrace.filter((s) => s.name === 'POST /mcp');
      const call = servers.find((s) => attr(s.attributes, 'gen_ai.tool.name') === 'todo.list');
      expect(call?.parentSpanId).toBe(tool!.spanId);
      expect(attr(call!.attributes, 'http.response.status_code')).toBe(200);
      // every span of the trace hangs from the tick's root
      for (const span of inTrace) {
        let at: ISpan | undefined = span;
        while (at?.parentSpanId) at = byId.get(at.parentSpanId as string);
        expect(at?.spanId).toBe(root.spanId);
      }
    }
  });
});
