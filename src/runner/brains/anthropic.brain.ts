import { Inject, Injectable } from '@nestjs/common';
import type {
  ContentBlock,
  ContentBlockParam,
  Message,
  MessageParam,
  Tool,
  ToolResultBlockParam,
} from '@anthropic-ai/sdk/resources/messages/messages.js';
import { AppConfig } from '../../config/app-config.js';
import { AnthropicLlmClient } from './anthropic-llm.client.js';
import type { Brain, BrainDay, BrainUsage, DayContext } from './brain.js';
import { dayOpening, daySystemPrompt } from './day-prompts.js';
import { ToolNameMap } from './tool-name-map.js';
import { clip } from '../../common/text.js';

const MAX_TOKENS = 2048;
/** A tool's answer as the model sees it is cut to this many characters. */
const TOOL_RESULT_MAX = 8000;

/**
 * The Anthropic brain: the persona's day as one Messages API conversation with tool use. MCP tools
 * are offered with their JSON Schemas under API-safe names and mapped back before the call, so the
 * audit trail keeps the real dotted names.
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
  private readonly system: string;
  private readonly messages: MessageParam[] = [];
  private readonly totals = { tokensIn: 0, tokensOut: 0 };
  /** tool_use ids the model asked for in a turn where tools were not run (they need an answer). */
  private unanswered: string[] = [];

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
    this.system = daySystemPrompt(context);
  }

  async play(): Promise<void> {
    this.messages.push({ role: 'user', content: dayOpening(this.context) });
    for (let turn = 1; turn <= this.context.maxTurns; turn += 1) {
      const message = await this.send(false);
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
    const message = await this.send(true);
    return message.content
      .filter((block) => block.type === 'text')
      .map((block) => block.text)
      .join('\n');
  }

  usage(): BrainUsage {
    const costUsd =
      (this.totals.tokensIn / 1_000_000) * this.config.anthropicPriceInPerMTok +
      (this.totals.tokensOut / 1_000_000) * this.config.anthropicPriceOutPerMTok;
    return { ...this.totals, costUsd: Math.round(costUsd * 1e6) / 1e6 };
  }

  private async send(rating: boolean): Promise<Message> {
    const message = await this.llm.create(
      {
        model: this.config.anthropicModel,
        max_tokens: MAX_TOKENS,
        system: this.system,
        messages: this.messages,
        ...(this.tools.length > 0 ? { tools: this.tools } : {}),
        ...(rating && this.tools.length > 0 ? { tool_choice: { type: 'none' as const } } : {}),
      },
      this.context.signal,
    );
    const usage = message.usage;
    this.totals.tokensIn +=
      (usage?.input_tokens ?? 0) +
      (usage?.cache_creation_input_tokens ?? 0) +
      (usage?.cache_read_input_tokens ?? 0);
    this.totals.tokensOut += usage?.output_tokens ?? 0;
    this.messages.push({ role: 'assistant', content: toParams(message.content) });
    // every tool_use needs a tool_result in the next user message, run or not
    this.unanswered = message.content.filter((b) => b.type === 'tool_use').map((b) => b.id);
    return message;
  }
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
