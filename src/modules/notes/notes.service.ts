import { Inject, Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { ToolError } from '../../tool-contract/tool.error.js';
import type { Decrypted } from '../../crypto/entity-cipher.service.js';
import { SpaceDataRepository } from '../common/space-data.repository.js';
import type { SpaceScope } from '../common/space-data.repository.js';
import { containsFolded } from '../common/tool-schemas.js';
import { NoteEntity } from './note.entity.js';
import { NOTES_SEARCH_WINDOW } from './notes.schemas.js';
import type {
  ArchiveNoteInput,
  CreateNoteInput,
  NoteOutput,
  SearchNotesInput,
  UpdateNoteInput,
} from './notes.schemas.js';

@Injectable()
export class NotesService {
  constructor(@Inject(SpaceDataRepository) private readonly data: SpaceDataRepository) {}

  async create(scope: SpaceScope, input: CreateNoteInput): Promise<NoteOutput> {
    return map(
      await this.data.insert(NoteEntity, scope, {
        title: input.title.trim(),
        content: input.content,
        archivedAt: null,
      }),
    );
  }

  /**
   * Title and content are encrypted, so the database cannot search them: the newest
   * NOTES_SEARCH_WINDOW notes are decrypted and matched in memory (literal, case-insensitive).
   */
  async search(scope: SpaceScope, input: SearchNotesInput) {
    const notes = await this.data.find(NoteEntity, scope, {
      where: input.includeArchived ? {} : { archivedAt: IsNull() },
      order: { createdAt: 'DESC', id: 'ASC' },
      take: NOTES_SEARCH_WINDOW,
    });
    const query = input.query.trim();
    const matches = notes.filter((n) => containsFolded(n.title, query) || containsFolded(n.content, query));
    const items = matches.slice(0, input.limit).map(map);
    return {
      items,
      count: items.length,
      scanned: notes.length,
      windowFull: notes.length === NOTES_SEARCH_WINDOW,
      unreadable: notes.filter((n) => n.unreadableFields.length > 0).length,
    };
  }

  async update(scope: SpaceScope, input: UpdateNoteInput): Promise<NoteOutput> {
    const patch: Partial<NoteEntity> = {};
    if (input.title !== undefined) patch.title = input.title.trim();
    if (input.content !== undefined) patch.content = input.content;
    return map(found(await this.data.update(NoteEntity, scope, input.id, patch), input.id));
  }

  async archive(scope: SpaceScope, input: ArchiveNoteInput): Promise<NoteOutput> {
    const current = found(await this.data.findById(NoteEntity, scope, input.id), input.id);
    if (input.archived === (current.archivedAt !== null)) return map(current);
    const patch = { archivedAt: input.archived ? new Date() : null };
    return map(found(await this.data.update(NoteEntity, scope, input.id, patch), input.id));
  }

  async delete(scope: SpaceScope, id: string): Promise<{ deleted: true; id: string }> {
    if (!(await this.data.delete(NoteEntity, scope, id))) throw notFound(id);
    return { deleted: true, id };
  }
}

function map(n: Decrypted<NoteEntity>): NoteOutput {
  return {
    id: n.id,
    title: n.title,
    content: n.content,
    archived: n.archivedAt !== null,
    createdAt: n.createdAt.toISOString(),
    updatedAt: n.updatedAt.toISOString(),
    decryptionFailed: n.unreadableFields.length > 0,
    unreadableFields: n.unreadableFields,
  };
}

function found<T>(row: T | null, id: string): T {
  if (!row) throw notFound(id);
  return row;
}

function notFound(id: string): ToolError {
  return new ToolError(`Note ${id} not found in this space`, 'NOT_FOUND');
}
