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
    semantics: {
      effect: 'create',
      entity: 'journal-entry',
      result: 'entry',
      // the title is trimmed, the content stored as sent; tags are trimmed, lower-cased and deduplicated
      echo: [
        { input: 'title', compare: 'text' },
        { input: 'content', compare: 'exact' },
        { input: 'entryDate', compare: 'exact' },
        { input: 'mood', compare: 'exact' },
        { input: 'tags', compare: 'set' },
      ],
      // words: runs of letters or digits, with inner apostrophes and hyphens (countWords)
      derived: [{ field: 'entry.wordCount', rule: 'word-count', of: 'content' }],
      idempotent: false,
    },
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
    semantics: {
      effect: 'list',
      entity: 'journal-entry',
      list: {
        items: 'items',
        limit: { input: 'limit', default: 10 },
        // the SQL's last tie-break (id) is not visible in millisecond createdAt values
        order: {
          fixed: [
            { field: 'entryDate', direction: 'desc' },
            { field: 'createdAt', direction: 'desc' },
          ],
        },
        filters: [
          { kind: 'min', input: 'from', field: 'entryDate' },
          { kind: 'max', input: 'to', field: 'entryDate' },
        ],
        complete: true,
        unreadableFlag: 'decryptionFailed',
      },
      derived: [{ field: 'count', rule: 'count', of: 'items' }],
      idempotent: true,
    },
  })
  async list(input: ToolInput<typeof listJournalInput>, ctx: ToolContext) {
    const items = await this.journal.list(ctx, input);
    return { items, count: items.length };
  }
}
