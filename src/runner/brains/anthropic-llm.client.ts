import { Inject, Injectable, Logger } from '@nestjs/common';
import Anthropic, { APIConnectionError, APIError } from '@anthropic-ai/sdk';
import type {
  Message,
  MessageCreateParamsNonStreaming,
} from '@anthropic-ai/sdk/resources/messages/messages.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppConfig } from '../../config/app-config.js';
import { BrainPausedError, LlmCallError } from './brain.js';
import { RetryPolicy } from './retry-policy.js';
import { llmTurnSpan } from '../../observability/tick-spans.js';
import type { LlmErrorFacts } from './retry-policy.js';

export interface BrainPause {
  reason: string;
  since: Date;
}

/** The longest single wait between retries (a larger Retry-After is cut to this). */
const MAX_RETRY_DELAY_MS = 60_000;

/**
 * The Anthropic Messages API behind a port, with our own retry loop: the SDK runs with
 * `maxRetries: 0` so the retry policy (what is retried, how long to wait, when to give up) and the
 * abort signal are ours. A refused key or an exhausted spend limit pauses this client: every later
 * call fails fast with BrainPausedError until an admin resumes it.
 */
@Injectable()
export class AnthropicLlmClient {
  private readonly logger = new Logger(AnthropicLlmClient.name);
  private client?: Anthropic;
  private pause?: BrainPause;
  readonly policy: RetryPolicy;

  constructor(@Inject(AppConfig) private readonly config: AppConfig) {
    this.policy = new RetryPolicy({
      maxRetries: config.anthropicMaxRetries,
      baseDelayMs: config.anthropicRetryBaseMs,
      maxDelayMs: MAX_RETRY_DELAY_MS,
    });
  }

  get paused(): BrainPause | undefined {
    return this.pause;
  }

  resume(): boolean {
    const was = this.pause !== undefined;
    this.pause = undefined;
    return was;
  }

  /** One brain turn (all its retries), traced as a GenAI `chat` span when tracing is on. */
  create(params: MessageCreateParamsNonStreaming, signal: AbortSignal): Promise<Message> {
    return llmTurnSpan('anthropic', params, () => this.createWithRetries(params, signal));
  }

  private async createWithRetries(
    params: MessageCreateParamsNonStreaming,
    signal: AbortSignal,
  ): Promise<Message> {
    for (let attempt = 0; ; attempt += 1) {
      if (this.pause) throw new BrainPausedError('anthropic', this.pause.reason);
      signal.throwIfAborted();
      try {
        return await this.sdk().messages.create(params, { signal, maxRetries: 0 });
      } catch (error) {
        if (signal.aborted) throw signal.reason ?? error;
        const action = this.policy.classify(facts(error));
        if (action.kind === 'pause') {
          this.pause ??= { reason: action.reason, since: new Date() };
          this.logger.error(`anthropic brain paused until an admin resumes it: ${action.reason}`);
          throw new BrainPausedError('anthropic', action.reason);
        }
        if (action.kind === 'fail' || attempt >= this.policy.maxRetries) {
          const tries = attempt + 1;
          throw new LlmCallError(
            `anthropic: ${action.reason}${tries > 1 ? ` (gave up after ${tries} attempts)` : ''}`,
          );
        }
        const delay = this.policy.delayMs(
          attempt + 1,
          action.kind === 'retry' ? action.retryAfterMs : undefined,
        );
        this.logger.warn(
          `anthropic: ${action.reason}; retry ${attempt + 1}/${this.policy.maxRetries} in ${delay} ms`,
        );
        try {
          await sleep(delay, undefined, { signal });
        } catch {
          throw signal.reason ?? error;
        }
      }
    }
  }

  private sdk(): Anthropic {
    this.client ??= new Anthropic({
      apiKey: this.config.anthropicApiKey ?? 'missing-key',
      baseURL: this.config.anthropicBaseUrl,
      maxRetries: 0,
      timeout: this.config.tickTimeoutMs,
      logLevel: 'off',
      openTelemetry: false,
    });
    return this.client;
  }
}

function facts(error: unknown): LlmErrorFacts {
  if (error instanceof APIConnectionError) return { connection: true, message: error.message };
  if (error instanceof APIError) {
    const body = error.error as { error?: { type?: string; message?: string } } | undefined;
    return {
      status: error.status,
      type: error.type ?? body?.error?.type ?? null,
      errorCode: error.errorCode,
      message: error.apiMessage ?? body?.error?.message ?? error.message,
      headers: error.headers ?? null,
    };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}
