import { Inject, Injectable } from '@nestjs/common';
import { Tool } from '../../tool-contract/tool.decorator.js';
import type { ToolContext, ToolInput } from '../../tool-contract/tool.types.js';
import { MoodService } from './mood.service.js';
import { logMoodInput, moodRecentOutput, moodResultOutput, recentMoodInput } from './mood.schemas.js';

/** The mood tools. Notes are stored encrypted with the space key. */
@Injectable()
export class MoodTools {
  constructor(@Inject(MoodService) private readonly mood: MoodService) {}

  @Tool({
    name: 'mood.log',
    module: 'mood',
    scope: 'user-space',
    policy: 'write',
    description: 'Log how you feel now: level 1–10, an emotion, optionally an activity and notes.',
    input: logMoodInput,
    output: moodResultOutput,
    semantics: {
      effect: 'create',
      entity: 'mood-entry',
      result: 'entry',
      // notes are stored as sent; loggedAt is the server's clock
      echo: [
        { input: 'level', compare: 'exact' },
        { input: 'emotion', compare: 'exact' },
        { input: 'activity', compare: 'exact' },
        { input: 'notes', compare: 'exact' },
      ],
      idempotent: false,
    },
  })
  async log(input: ToolInput<typeof logMoodInput>, ctx: ToolContext) {
    return { entry: await this.mood.log(ctx, input) };
  }

  @Tool({
    name: 'mood.recent',
    module: 'mood',
    scope: 'user-space',
    policy: 'read',
    description: 'Mood check-ins of the last N days (at most 90), newest first, with the average level.',
    input: recentMoodInput,
    output: moodRecentOutput,
    semantics: {
      effect: 'list',
      entity: 'mood-entry',
      list: {
        items: 'items',
        limit: { input: 'limit', default: 20 },
        // the id tie-break of the SQL is not visible in millisecond loggedAt values
        order: { fixed: [{ field: 'loggedAt', direction: 'desc' }] },
        // the service keeps loggedAt >= now - days × 24 h: a rolling window, not calendar days
        filters: [{ kind: 'days-back', input: 'days', field: 'loggedAt', rolling: true }],
        complete: true,
        unreadableFlag: 'decryptionFailed',
      },
      derived: [
        { field: 'count', rule: 'count', of: 'items' },
        // Math.round(mean × 10) / 10 over the returned items; null when there are none
        { field: 'averageLevel', rule: 'mean', of: 'items.level', decimals: 1 },
      ],
      idempotent: true,
    },
  })
  recent(input: ToolInput<typeof recentMoodInput>, ctx: ToolContext) {
    return this.mood.recent(ctx, input);
  }
}
