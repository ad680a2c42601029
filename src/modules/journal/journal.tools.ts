import { Inject, Injectable } from '@nestjs/common';
import { Tool } from '../../tool-contract/tool.decorator.js';
import type { ToolContext, ToolInput } from '../../tool-contract/tool.types.js';
import { JournalService } from './journal.service.js';
import {
  addJournalInput,
  journalListOutput,
  journalResultOutput,
  listJournalInput,
} from './journal.schemas.js';

/** The journal tools. Title and content are stored encrypted with the space key. */
@Injectable()
export class JournalTools {
  constructor(@Inject(JournalService) private readonly journal: JournalService) {}

  @Tool({
    name: 'journal.add',
    module: 'journal',
    scope: 'user-space',
    policy: 'write',
    description:
      'Write a journal entry for a day (default today), with an optional title, mood (great|good|okay|low|bad) and up to 10 tags. The word count is computed.',
    input: addJournalInput,
    output: journalResultOutput,
  })
  async add(input: ToolInput<typeof addJournalInput>, ctx: ToolContext) {
    return { entry: await this.journal.add(ctx, input) };
  }

  @Tool({
    name: 'journal.list',
    module: 'journal',
    scope: 'user-space',
    policy: 'read',
    description: 'List journal entries, newest date first, optionally between two dates (at most 50).',
    input: listJournalInput,
    output: journalListOutput,
  })
  async list(input: ToolInput<typeof listJournalInput>, ctx: ToolContext) {
    const items = await this.journal.list(ctx, input);
    return { items, count: items.length };
  }
}
