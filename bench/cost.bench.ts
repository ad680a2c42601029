/**
 * bench:cost — what prompt caching saves on one persona's day with the anthropic brain.
 *
 *   npm run bench:cost
 *
 * Boots the app in-process (createApp; runner not scheduled) on a dedicated database on
 * DATABASE_URL's server (dropped at the end), or on the embedded Postgres in a temp dir, with the
 * anthropic brain pointed at the fake Messages server of test/support/fake-anthropic.ts. The fake
 * computes usage as the API documents it (PromptCacheModel there: prefix = tools → system →
 * messages up to and including a cache_control block; a repeat of a stored prefix within its TTL is
 * a read, a new one a write; 1024-token minimum; 20-block lookback; a changed tool_choice
 * invalidates the message blocks), with tokens estimated as JSON characters / 4.
 *
 * The same fixed day runs twice, once with ANTHROPIC_PROMPT_CACHE=false and once with it on (each
 * with a fresh persona and an empty cache): 14 turns that each call a real tool over /mcp, a 15th
 * that closes the day, then the rating turn (16 requests). Measured per tick: input tokens by kind,
 * billed input-token equivalents (uncached ×1, writes ×ANTHROPIC_CACHE_WRITE_MULTIPLIER, reads
 * ×ANTHROPIC_CACHE_READ_MULTIPLIER), USD at the configured prices, and what the tick row stored.
 * `ratio` = cached ÷ uncached billed input (goal ≤ 0.35). Writes bench/results/cost.json.
 */
import { DataSource } from 'typeorm';
import { derivePersonaPassword } from '../src/personas/persona-password.js';
import { PersonasService } from '../src/personas/personas.service.js';
import { RunnerService } from '../src/runner/runner.service.js';
import { billedInputTokens, costUsd, pricesOf } from '../src/runner/cost/llm-pricing.js';
import type { LlmTokens } from '../src/runner/cost/llm-pricing.js';
import { FakeAnthropic, message, text, toolUse } from '../test/support/fake-anthropic.js';
import type { FakeReply } from '../test/support/fake-anthropic.js';
import { benchDatabase, bootBenchApp, round, runBench, say, writeResult } from './bench-support.js';

const DAY_TURNS = 15;
const PROMPT =
  'You are Mara, a freelance illustrator who juggles three clients. You keep a running todo list, ' +
  'jot notes after every call and write a short journal entry at night. You are quick, a bit ' +
  'impatient with slow software, and you rate honestly.';

/** The fixed day: 14 tool calls (todo, notes, journal), a closing line, then the rating. */
function fixedDay(): FakeReply[] {
  const calls: Array<[string, Record<string, unknown>]> = [
    ['todo_create', { title: 'Send sketches to Client A' }],
    ['notes_create', { title: 'Client A call', content: 'Wants warmer colours, deadline Friday.' }],
    ['todo_list', {}],
    ['todo_create', { title: 'Invoice Client B for March' }],
    ['notes_search', { query: 'Client A' }],
    ['journal_add', { content: 'Busy morning, two client calls, sketches nearly done.' }],
    ['todo_create', { title: 'Order new brush pens' }],
    ['notes_create', { title: 'Brush pens', content: 'The 0.3 mm ones, not the 0.5.' }],
    ['todo_list', {}],
    ['notes_search', { query: 'brush' }],
    ['todo_create', { title: 'Book studio for Saturday' }],
    ['notes_create', { title: 'Client C idea', content: 'Could reuse the fox character.' }],
    ['todo_list', {}],
    ['journal_add', { content: 'Evening: invoices out, studio booked, tired but fine.' }],
  ];
  const usage = { input_tokens: 0, output_tokens: 80 };
  return [
    ...calls.map(([name, input], i) =>
      message([text(`Turn ${i + 1}: next I will use ${name}.`), toolUse(name, input)], { usage }),
    ),
    message([text('Sketches sent, invoices out, studio booked, notes and journal written.')], { usage }),
    message(
      [
        text(
          JSON.stringify({
            ratings: [
              { module: 'journal', rating: 4, notes: 'quick to write' },
              { module: 'notes', rating: 4, notes: 'search found things' },
              { module: 'todo', rating: 5, notes: 'fast' },
            ],
          }),
        ),
      ],
      { usage: { input_tokens: 0, output_tokens: 120 } },
    ),
  ];
}

interface RunFigures {
  caching: boolean;
  requests: number;
  status: string;
  toolCalls: number;
  ratings: number;
  tokens: LlmTokens & { totalInput: number };
  billedInputTokens: number;
  usdPerTick: number;
  storedCostUsd: number;
  storedCacheReadTokens: number;
  storedCacheWriteTokens: number;
  perRequest: Array<{ input: number; cacheWrite: number; cacheRead: number }>;
}

async function main(): Promise<void> {
  const db = await benchDatabase('cost', {
    describe: {
      embedded: 'embedded Postgres (PGlite, one connection)',
      server: 'PostgreSQL server from DATABASE_URL (dedicated database)',
    },
  });
  const fake = await FakeAnthropic.start();
  fake.computeUsage = true;
  const runs: RunFigures[] = [];
  try {
    for (const caching of [false, true]) {
      const bench = await bootBenchApp(db, {
        PERSONA_BRAIN: 'anthropic',
        ANTHROPIC_API_KEY: 'sk-ant-bench',
        ANTHROPIC_BASE_URL: fake.url,
        ANTHROPIC_PROMPT_CACHE: String(caching),
        TICK_MAX_TURNS: String(DAY_TURNS),
        // the whole day is measured: no tick budget stop
        TICK_BUDGET_USD: '1000',
        TOOL_RATE_LIMIT: '1000000',
      });
      try {
        const { app, config } = bench;
        const email = `persona.cost.${caching ? 'cached' : 'uncached'}@${config.personaEmailDomain}`;
        const { persona } = await app.get(PersonasService).upsert({
          email,
          name: 'Cost Bench',
          password: derivePersonaPassword(email, config.personaSeedSecret),
          archetype: 'freelancer',
          systemPrompt: PROMPT,
          moduleMix: { todo: 3, notes: 2, journal: 1 },
          tickCadence: 'daily',
          timezone: 'UTC',
        });
        fake.cache.clear();
        fake.usages.length = 0;
        fake.requests.length = 0;
        fake.script(...fixedDay());
        const summary = await app.get(RunnerService).runNow(persona.userId);
        const [row] = (await app
          .get(DataSource)
          .query(`SELECT cost_usd, cache_read_tokens, cache_write_tokens FROM persona_ticks WHERE id = $1`, [
            summary.tickId,
          ])) as Array<{ cost_usd: string; cache_read_tokens: number; cache_write_tokens: number }>;
        const tokens = fake.usages.reduce<LlmTokens>(
          (t, u) => ({
            input: t.input + u.input_tokens,
            cacheWrite: t.cacheWrite + u.cache_creation_input_tokens,
            cacheRead: t.cacheRead + u.cache_read_input_tokens,
            output: t.output + u.output_tokens,
          }),
          { input: 0, cacheWrite: 0, cacheRead: 0, output: 0 },
        );
        const prices = pricesOf(config);
        const figures: RunFigures = {
          caching,
          requests: fake.messageRequests().length,
          status: summary.status,
          toolCalls: summary.toolCalls,
          ratings: summary.ratings,
          tokens: { ...tokens, totalInput: tokens.input + tokens.cacheWrite + tokens.cacheRead },
          billedInputTokens: round(billedInputTokens(tokens, prices), 1),
          usdPerTick: round(costUsd(tokens, prices), 6),
          storedCostUsd: Number(row.cost_usd),
          storedCacheReadTokens: row.cache_read_tokens,
          storedCacheWriteTokens: row.cache_write_tokens,
          perRequest: fake.usages.map((u) => ({
            input: u.input_tokens,
            cacheWrite: u.cache_creation_input_tokens,
            cacheRead: u.cache_read_input_tokens,
          })),
        };
        runs.push(figures);
        say(
          `caching ${caching ? 'on ' : 'off'}: ${figures.requests} requests, status ${figures.status}, ` +
            `${figures.toolCalls} tool calls, input ${figures.tokens.totalInput} tokens ` +
            `(uncached ${tokens.input}, written ${tokens.cacheWrite}, read ${tokens.cacheRead}), ` +
            `billed ${figures.billedInputTokens} input-token equivalents, $${figures.usdPerTick} per tick ` +
            `(stored $${figures.storedCostUsd})`,
        );
      } finally {
        await bench.close();
      }
    }
  } finally {
    await fake.close();
    await db.drop();
  }
  const [off, on] = runs;
  const ratio = round(on.billedInputTokens / off.billedInputTokens, 3);
  const usdRatio = round(on.usdPerTick / off.usdPerTick, 3);
  const config = {
    minCacheableTokens: fake.cache.options.minCacheableTokens,
    lookbackBlocks: fake.cache.options.lookbackBlocks,
    tokenEstimate: 'JSON characters / 4',
  };
  writeResult('cost', {
    bench: 'cost',
    at: new Date().toISOString(),
    database: db.description,
    dayTurns: DAY_TURNS,
    fake: config,
    uncached: off,
    cached: on,
    ratio,
    usdRatio,
    goal: 'ratio ≤ 0.35',
    met: ratio <= 0.35,
  });
  say(
    `bench:cost ratio ${ratio} (billed input, cached ÷ uncached; goal ≤ 0.35 ${ratio <= 0.35 ? 'met' : 'NOT met'}), ` +
      `USD per tick ${off.usdPerTick} → ${on.usdPerTick} (×${usdRatio})`,
  );
}

runBench('cost', main);
