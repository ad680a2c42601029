import { Inject, Injectable } from '@nestjs/common';
import type {
  CacheControlEphemeral,
  ContentBlock,
  ContentBlockParam,
  Message,
  MessageCreateParamsNonStreaming,
  MessageParam,
  TextBlockParam,
  Tool,
  ToolResultBlockParam,
} from '@anthropic-ai/sdk/resources/messages/messages.js';
import { AppConfig } from '../../config/app-config.js';
import {
  addTokens,
  costUsd,
  NO_TOKENS,
  pricesOf,
  roundUsd,
  tokensOfUsage,
  totalInput,
} from '../cost/llm-pricing.js';
import type { LlmPrices, LlmTokens } from '../cost/llm-pricing.js';
import { TickBudget } from '../tick/tick-budget.js';
import { AnthropicLlmClient } from './anthropic-llm.client.js';
import { TickBudgetExceededError } from './brain.js';
import type { Brain, BrainDay, BrainUsage, DayContext } from './brain.js';
import { dayMemoryPrompt, dayOpening, daySystemPrompt } from './day-prompts.js';
import { ToolNameMap } from './tool-name-map.js';
import { clip } from '../../common/text.js';

const MAX_TOKENS = 2048;
/** A tool's answer as the model sees it is cut to this many characters. */
const TOOL_RESULT_MAX = 8000;
const EPHEMERAL: CacheControlEphemeral = { type: 'ephemeral' };

/**
 * The Anthropic brain: the persona's day as one Messages API conversation with tool use. MCP tools
 * are offered with their JSON Schemas under API-safe names and mapped back before the call, so the
 * audit trail keeps the real dotted names.
 *
 * Prompt caching (ANTHROPIC_PROMPT_CACHE, on by default): the request is tools → system → messages,
 * and each of its (at most 4) `cache_control` breakpoints caches everything up to it:
 * 1. the last tool definition (the same for every persona of this server);
 * 2. the persona's system prompt (the same every day);
 * 3. the memory of its earlier days (the same all day);
 * 4. the last block of the latest user message, so the next turn reads the whole conversation so far
 *    from the cache and only its own new blocks are written.
 * Usage is priced per kind (uncached input, cache writes, cache reads, output; llm-pricing.ts) and
 * TICK_BUDGET_USD is checked before every call (tick-budget.ts).
 */
@Injectable()
export class AnthropicBrain implements Brain {
  readonly name = 'anthropic' as const;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(AnthropicLlmClient) readonly llm: AnthropicLlmClient,
  ) {}

  get model(): string {
    return this.config.anthropicModel;
  }

  startDay(context: DayContext): BrainDay {
    return new AnthropicDay(context, this.llm, this.config);
  }
}

class AnthropicDay implements BrainDay {
  private readonly names: ToolNameMap;
  private readonly tools: Tool[];
  private readonly system: TextBlockParam[];
  private readonly messages: MessageParam[] = [];
  private readonly prices: LlmPrices;
  private readonly budget: TickBudget;
  private readonly cache: boolean;
  private tokens: LlmTokens = { ...NO_TOKENS };
  private lastCallUsd = 0;
  private budgetStop?: string;
  /** tool_use ids the model asked for in a turn where tools were not run (they need an answer). */
  private unanswered: string[] = [];
  private readonly said: string[] = [];

  constructor(
    private readonly context: DayContext,
    private readonly llm: AnthropicLlmClient,
    private readonly config: AppConfig,
  ) {
    this.names = new ToolNameMap(context.tools.map((t) => t.name));
    this.tools = context.tools.map((tool) => ({
      name: this.names.toApi(tool.name),
      description: tool.description || tool.name,
      input_schema: toInputSchema(tool.inputSchema),
    }));
    this.cache = config.anthropicPromptCache;
    const memory = dayMemoryPrompt(context);
    this.system = [daySystemPrompt(context), ...(memory ? [memory] : [])].map((text) => ({
      type: 'text' as const,
      text,
      ...(this.cache ? { cache_control: EPHEMERAL } : {}),
    }));
    if (this.cache && this.tools.length > 0) {
      this.tools[this.tools.length - 1] = { ...this.tools[this.tools.length - 1], cache_control: EPHEMERAL };
    }
    this.prices = pricesOf(config);
    this.budget = new TickBudget(config.tickBudgetUsd, config.tickBudgetReserveUsd);
  }

  async play(): Promise<void> {
    this.messages.push({ role: 'user', content: dayOpening(this.context) });
    for (let turn = 1; turn <= this.context.maxTurns; turn += 1) {
      if (!this.budget.dayTurnFits(this.spentUsd(), this.lastCallUsd)) {
        // the day ends here; the reserve is left for the rating turn
        this.budgetStop = this.budget.describeStop(this.spentUsd(), `the day stopped before turn ${turn}`);
        return;
      }
      const message = await this.send(false);
      for (const block of message.content) if (block.type === 'text') this.said.push(block.text);
      const toolUses = message.content.filter((block) => block.type === 'tool_use');
      if (message.stop_reason !== 'tool_use' || toolUses.length === 0) return;
      this.unanswered = [];
      const results: ToolResultBlockParam[] = [];
      for (const use of toolUses) {
        const realName = this.names.fromApi(use.name) ?? use.name;
        const input = isRecord(use.input) ? use.input : {};
        const outcome = await this.context.callTool(realName, input);
        results.push({
          type: 'tool_result',
          tool_use_id: use.id,
          // the call's seq, so the rating turn can point a finding at the call that showed it
          content: `[call ${outcome.seq}] ${clip(outcome.text || (outcome.ok ? 'done' : 'failed'), TOOL_RESULT_MAX)}`,
          ...(outcome.ok ? {} : { is_error: true }),
        });
      }
      this.messages.push({ role: 'user', content: results });
    }
  }

  /** What the model wrote in its own words during the day (its text turns; the rating turn aside). */
  words(): string[] {
    return this.said;
  }

  async reply(prompt: string): Promise<string> {
    const pending: ContentBlockParam[] = this.unanswered.map((id) => ({
      type: 'tool_result',
      tool_use_id: id,
      content: 'Not run: the day is over.',
      is_error: true,
    }));
    this.unanswered = [];
    const last = this.messages[this.messages.length - 1];
    if (last?.role === 'user' && Array.isArray(last.content)) {
      // the day ended on tool results: the prompt joins that same user message
      last.content = [...last.content, ...pending, { type: 'text', text: prompt }];
    } else {
      this.messages.push({ role: 'user', content: [...pending, { type: 'text', text: prompt }] });
    }
    if (!this.budget.ratingTurnFits(this.spentUsd(), this.lastCallUsd)) {
      throw new TickBudgetExceededError(
        this.budget.describeStop(this.spentUsd(), 'no room for the rating turn'),
      );
    }
    const message = await this.send(true);
    return message.content
      .filter((block) => block.type === 'text')
      .map((block) => block.text)
      .join('\n');
  }

  usage(): BrainUsage {
    return {
      tokensIn: totalInput(this.tokens),
      tokensOut: this.tokens.output,
      costUsd: roundUsd(this.spentUsd()),
      cacheReadTokens: this.tokens.cacheRead,
      cacheWriteTokens: this.tokens.cacheWrite,
      ...(this.budgetStop ? { budgetStop: this.budgetStop } : {}),
    };
  }

  private spentUsd(): number {
    return costUsd(this.tokens, this.prices);
  }

  /** The request of the next turn: the conversation so far, with the latest turn's breakpoint when caching. */
  private request(rating: boolean): MessageCreateParamsNonStreaming {
    return {
      model: this.config.anthropicModel,
      max_tokens: MAX_TOKENS,
      system: this.system,
      messages: this.cache ? withLatestTurnCached(this.messages) : this.messages,
      ...(this.tools.length > 0 ? { tools: this.tools } : {}),
      ...(rating && this.tools.length > 0 ? { tool_choice: { type: 'none' as const } } : {}),
    };
  }

  private async send(rating: boolean): Promise<Message> {
    const message = await this.llm.create(this.request(rating), this.context.signal);
    const used = tokensOfUsage(message.usage);
    this.tokens = addTokens(this.tokens, used);
    this.lastCallUsd = costUsd(used, this.prices);
    this.messages.push({ role: 'assistant', content: toParams(message.content) });
    // every tool_use needs a tool_result in the next user message, run or not
    this.unanswered = message.content.filter((b) => b.type === 'tool_use').map((b) => b.id);
    return message;
  }
}

/**
 * The conversation with a breakpoint on the last block of its last message (a copy: the stored
 * conversation keeps no markers, so there is only ever this one on the messages).
 */
function withLatestTurnCached(messages: MessageParam[]): MessageParam[] {
  if (messages.length === 0) return messages;
  const last = messages[messages.length - 1];
  const content: ContentBlockParam[] =
    typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : [...last.content];
  const end = content[content.length - 1];
  if (!end || end.type === 'thinking' || end.type === 'redacted_thinking') return messages;
  content[content.length - 1] = { ...end, cache_control: EPHEMERAL };
  return [...messages.slice(0, -1), { ...last, content } as MessageParam];
}

/** The answer's blocks as they go back into the conversation (text and tool calls; nothing else is asked for). */
function toParams(content: ContentBlock[]): ContentBlockParam[] {
  const out: ContentBlockParam[] = [];
  for (const block of content) {
    if (block.type === 'text') out.push({ type: 'text', text: block.text });
    else if (block.type === 'tool_use')
      out.push({ type: 'tool_use', id: block.id, name: block.name, input: block.input });
  }
  return out.length > 0 ? out : [{ type: 'text', text: '(no answer)' }];
}

function toInputSchema(schema: Record<string, unknown>): Tool.InputSchema {
  const rest = Object.fromEntries(Object.entries(schema).filter(([key]) => key !== '$schema'));
  return { ...rest, type: 'object' };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
