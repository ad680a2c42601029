import { addTokens, billedInputTokens, costUsd, roundUsd, tokensOfUsage, totalInput } from './llm-pricing.js';
import type { LlmPrices } from './llm-pricing.js';

const SONNET: LlmPrices = {
  inputPerMTok: 3,
  outputPerMTok: 15,
  cacheWriteMultiplier: 1.25,
  cacheReadMultiplier: 0.1,
};

describe('llm pricing', () => {
  it('should bill uncached input, cache writes and cache reads each at its own price', () => {
    const tokens = tokensOfUsage({
      input_tokens: 1_000,
      cache_creation_input_tokens: 2_000,
      cache_read_input_tokens: 10_000,
      output_tokens: 500,
    });
    // 1000×1 + 2000×1.25 + 10000×0.1 = 4500 input-price tokens
    expect(billedInputTokens(tokens, SONNET)).toBe(4_500);
    // 4500 × $3/M + 500 × $15/M
    expect(costUsd(tokens, SONNET)).toBeCloseTo(0.0135 + 0.0075, 10);
    expect(totalInput(tokens)).toBe(13_000);
  });

  it('should read null or missing cache fields as no cache tokens', () => {
    const tokens = tokensOfUsage({
      input_tokens: 1_000,
      output_tokens: 50,
      cache_creation_input_tokens: null,
      cache_read_input_tokens: null,
    });
    expect(tokens).toEqual({ input: 1_000, cacheWrite: 0, cacheRead: 0, output: 50 });
    expect(costUsd(tokens, SONNET)).toBeCloseTo((1_000 * 3 + 50 * 15) / 1e6, 10);
    expect(tokensOfUsage(undefined)).toEqual({ input: 0, cacheWrite: 0, cacheRead: 0, output: 0 });
  });

  it('should follow configured multipliers', () => {
    const tokens = { input: 0, cacheWrite: 1_000_000, cacheRead: 1_000_000, output: 0 };
    expect(costUsd(tokens, { ...SONNET, cacheWriteMultiplier: 2, cacheReadMultiplier: 0.5 })).toBeCloseTo(
      7.5,
      10,
    );
  });

  it('should add usage of several calls field by field and round USD to 6 decimals', () => {
    const a = { input: 1, cacheWrite: 2, cacheRead: 3, output: 4 };
    expect(addTokens(a, a)).toEqual({ input: 2, cacheWrite: 4, cacheRead: 6, output: 8 });
    expect(roundUsd(0.12345678)).toBe(0.123457);
  });
});
