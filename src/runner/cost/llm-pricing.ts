import type { AppConfig } from '../../config/app-config.js';

/**
 * Token counts of LLM calls, split the way the Messages API bills them: `input` is only the part
 * after the last cache breakpoint (usage.input_tokens), `cacheWrite` the part written to the prompt
 * cache (usage.cache_creation_input_tokens), `cacheRead` the part read from it
 * (usage.cache_read_input_tokens). The three together are everything the model read.
 */
export interface LlmTokens {
  input: number;
  cacheWrite: number;
  cacheRead: number;
  output: number;
}

/** USD per million tokens, and the cache's prices as multiples of the input price. */
export interface LlmPrices {
  inputPerMTok: number;
  outputPerMTok: number;
  cacheWriteMultiplier: number;
  cacheReadMultiplier: number;
}

export const NO_TOKENS: Readonly<LlmTokens> = Object.freeze({
  input: 0,
  cacheWrite: 0,
  cacheRead: 0,
  output: 0,
});

export function pricesOf(config: AppConfig): LlmPrices {
  return {
    inputPerMTok: config.anthropicPriceInPerMTok,
    outputPerMTok: config.anthropicPriceOutPerMTok,
    cacheWriteMultiplier: config.anthropicCacheWriteMultiplier,
    cacheReadMultiplier: config.anthropicCacheReadMultiplier,
  };
}

/** The API's `usage` object (null or missing cache fields count as 0). */
export function tokensOfUsage(
  usage:
    | {
        input_tokens?: number | null;
        output_tokens?: number | null;
        cache_creation_input_tokens?: number | null;
        cache_read_input_tokens?: number | null;
      }
    | null
    | undefined,
): LlmTokens {
  return {
    input: usage?.input_tokens ?? 0,
    cacheWrite: usage?.cache_creation_input_tokens ?? 0,
    cacheRead: usage?.cache_read_input_tokens ?? 0,
    output: usage?.output_tokens ?? 0,
  };
}

export function addTokens(a: LlmTokens, b: LlmTokens): LlmTokens {
  return {
    input: a.input + b.input,
    cacheWrite: a.cacheWrite + b.cacheWrite,
    cacheRead: a.cacheRead + b.cacheRead,
    output: a.output + b.output,
  };
}

/** Every input token the model read (uncached + written + read): what persona_ticks.tokens_in holds. */
export function totalInput(t: LlmTokens): number {
  return t.input + t.cacheWrite + t.cacheRead;
}

/** Input as billed, in input-price token equivalents: uncached ×1, writes ×write multiplier, reads ×read multiplier. */
export function billedInputTokens(t: LlmTokens, p: LlmPrices): number {
  return t.input + t.cacheWrite * p.cacheWriteMultiplier + t.cacheRead * p.cacheReadMultiplier;
}

/** What the tokens cost in USD, unrounded. */
export function costUsd(t: LlmTokens, p: LlmPrices): number {
  return (billedInputTokens(t, p) * p.inputPerMTok + t.output * p.outputPerMTok) / 1_000_000;
}

/** USD rounded to the 6 decimals persona_ticks.cost_usd keeps. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}
