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
  })
  recent(input: ToolInput<typeof recentMoodInput>, ctx: ToolContext) {
    return this.mood.recent(ctx, input);
  }
}
