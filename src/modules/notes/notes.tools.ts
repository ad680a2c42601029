import { Inject, Injectable } from '@nestjs/common';
import { Tool } from '../../tool-contract/tool.decorator.js';
import type { ToolContext, ToolInput } from '../../tool-contract/tool.types.js';
import { NotesService } from './notes.service.js';
import {
  NOTES_SEARCH_WINDOW,
  archiveNoteInput,
  createNoteInput,
  deleteNoteInput,
  noteDeletedOutput,
  noteResultOutput,
  noteSearchOutput,
  searchNotesInput,
  updateNoteInput,
} from './notes.schemas.js';

/** The notes tools. Title and content are stored encrypted with the space key. */
@Injectable()
export class NotesTools {
  constructor(@Inject(NotesService) private readonly notes: NotesService) {}

  @Tool({
    name: 'notes.create',
    module: 'notes',
    scope: 'user-space',
    policy: 'write',
    description: 'Create a note with a title and content (up to 20,000 characters).',
    input: createNoteInput,
    output: noteResultOutput,
    semantics: {
      effect: 'create',
      entity: 'note',
      result: 'note',
      // the title is trimmed, the content stored as sent
      echo: [
        { input: 'title', compare: 'text' },
        { input: 'content', compare: 'exact' },
      ],
      idempotent: false,
    },
  })
  async create(input: ToolInput<typeof createNoteInput>, ctx: ToolContext) {
    return { note: await this.notes.create(ctx, input) };
  }

  @Tool({
    name: 'notes.search',
    module: 'notes',
    scope: 'user-space',
    policy: 'read',
    description: `Find notes whose title or content contains the query (case-insensitive, literal text), newest first. Searches the newest ${NOTES_SEARCH_WINDOW} notes.`,
    input: searchNotesInput,
    output: noteSearchOutput,
    semantics: {
      effect: 'search',
      entity: 'note',
      list: {
        items: 'items',
        limit: { input: 'limit', default: 10 },
        // newest first; the id tie-break of the SQL is not visible in millisecond createdAt values
        order: { fixed: [{ field: 'createdAt', direction: 'desc' }] },
        // includeArchived false (the default) admits active notes only, true admits every note
        filters: [
          {
            kind: 'one-of',
            input: 'includeArchived',
            field: 'archived',
            values: { false: [false], true: null },
          },
        ],
        // complete over the newest NOTES_SEARCH_WINDOW notes (windowFull says when older ones were skipped)
        complete: true,
        unreadableFlag: 'decryptionFailed',
        scan: {
          scanned: 'scanned',
          unreadable: 'unreadable',
          windowFull: { field: 'windowFull', window: NOTES_SEARCH_WINDOW },
        },
      },
      // the query is trimmed before it is matched
      search: { query: 'query', fields: ['title', 'content'], match: 'substring-casefold' },
      derived: [{ field: 'count', rule: 'count', of: 'items' }],
      idempotent: true,
    },
  })
  search(input: ToolInput<typeof searchNotesInput>, ctx: ToolContext) {
    return this.notes.search(ctx, input);
  }

  @Tool({
    name: 'notes.update',
    module: 'notes',
    scope: 'user-space',
    policy: 'write',
    description: "Change a note's title and/or content.",
    input: updateNoteInput,
    output: noteResultOutput,
    semantics: {
      effect: 'update',
      entity: 'note',
      idInput: 'id',
      result: 'note',
      echo: [
        { input: 'title', compare: 'text' },
        { input: 'content', compare: 'exact' },
      ],
      idempotent: true,
    },
  })
  async update(input: ToolInput<typeof updateNoteInput>, ctx: ToolContext) {
    return { note: await this.notes.update(ctx, input) };
  }

  @Tool({
    name: 'notes.archive',
    module: 'notes',
    scope: 'user-space',
    policy: 'write',
    description: 'Archive a note (search skips it unless includeArchived); archived: false restores it.',
    input: archiveNoteInput,
    output: noteResultOutput,
    semantics: {
      effect: 'update',
      entity: 'note',
      idInput: 'id',
      result: 'note',
      echo: [{ input: 'archived', compare: 'exact' }],
      idempotent: true,
    },
  })
  async archive(input: ToolInput<typeof archiveNoteInput>, ctx: ToolContext) {
    return { note: await this.notes.archive(ctx, input) };
  }

  @Tool({
    name: 'notes.delete',
    module: 'notes',
    scope: 'user-space',
    policy: 'destructive',
    description: 'Permanently delete a note. Prefer notes.archive.',
    input: deleteNoteInput,
    output: noteDeletedOutput,
    semantics: { effect: 'delete', entity: 'note', idInput: 'id', result: 'id', idempotent: false },
  })
  delete(input: ToolInput<typeof deleteNoteInput>, ctx: ToolContext) {
    return this.notes.delete(ctx, input.id);
  }
}
