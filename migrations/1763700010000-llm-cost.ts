import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a tick's LLM input was made of: `tokens_in` stays every input token the model read; of those,
 * `cache_read_tokens` came from the prompt cache and `cache_write_tokens` were written to it (each
 * billed at its own price, see src/runner/cost/llm-pricing.ts). Uncached input = tokens_in − both.
 * The spend-today read (DAILY_BUDGET_USD) is a range over started_at, served by the existing
 * ix_persona_ticks_started.
 */
export class LlmCost1763700010000 implements MigrationInterface {
  name = 'LlmCost1763700010000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE persona_ticks
         ADD COLUMN cache_read_tokens integer NOT NULL DEFAULT 0,
         ADD COLUMN cache_write_tokens integer NOT NULL DEFAULT 0`,
    );
    await q.query(
      `ALTER TABLE persona_ticks ADD CONSTRAINT ck_persona_ticks_cache_tokens
         CHECK (cache_read_tokens >= 0 AND cache_write_tokens >= 0
                AND cache_read_tokens + cache_write_tokens <= tokens_in)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE persona_ticks DROP CONSTRAINT ck_persona_ticks_cache_tokens`);
    await q.query(`ALTER TABLE persona_ticks DROP COLUMN cache_read_tokens, DROP COLUMN cache_write_tokens`);
  }
}
