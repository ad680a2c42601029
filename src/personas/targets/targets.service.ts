import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, QueryFailedError } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { decodeKeysetCursor, encodeKeysetCursor } from '../../common/keyset-cursor.js';
import { CREATED_KEY, DEFAULT_LIST_LIMIT } from '../personas.service.js';
import { draftFromCreate, draftFromPatch } from './target-draft.js';
import type { TargetFields } from './target-draft.js';
import { TargetSecretsCodec } from './target-secrets.codec.js';
import type { TargetDraft, TargetRow } from './target.types.js';
import { TargetErrorCode, TargetException } from './targets.exception.js';
import { TargetsRepository } from './targets.repository.js';
import type { TargetListDto, TargetResponseDto } from './targets.dto.js';

/**
 * The targets admin API: external MCP servers personas may play. Secrets (header and environment
 * values) are sealed before they are stored and are never answered or logged: answers and log lines
 * carry their names only.
 */
@Injectable()
export class TargetsService {
  private readonly logger = new Logger(TargetsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(TargetsRepository) private readonly repo: TargetsRepository,
    @Inject(TargetSecretsCodec) private readonly codec: TargetSecretsCodec,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  async create(body: TargetFields): Promise<TargetResponseDto> {
    const draft = this.valid(draftFromCreate(body));
    if (draft.kind === 'stdio') this.ensureStdioAllowed('create a stdio target');
    const id = randomUUID();
    await this.nameFree(draft.name, () => this.repo.insert(id, draft, this.codec.sealTarget(id, draft)));
    this.logger.log(`target ${id} "${draft.name}" created (${describe(draft)})`);
    return this.detail(id);
  }

  /** One page, newest first; `nextCursor` null on the last. */
  async list(limit = DEFAULT_LIST_LIMIT, cursor?: string): Promise<TargetListDto> {
    const after = cursor === undefined ? undefined : decodeKeysetCursor(cursor, CREATED_KEY);
    if (cursor !== undefined && !after)
      throw this.invalid('cursor is not valid: pass the nextCursor of the previous page unchanged');
    const rows = await this.repo.listPage(limit + 1, after && { createdKey: after.key, id: after.id });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => toResponse(r)),
      nextCursor:
        rows.length > limit && last ? encodeKeysetCursor({ key: last.createdKey, id: last.id }) : null,
    };
  }

  async detail(id: string): Promise<TargetResponseDto> {
    const row = await this.repo.find(this.repo.manager, id);
    if (!row) throw notFound(id);
    return toResponse(row);
  }

  /**
   * PATCH in one transaction, the row locked: given fields replace (headers and env as whole maps),
   * `null` clears, omitted fields (secrets included) are kept. Making a target stdio, or changing
   * the command a stdio target starts, needs TARGETS_STDIO_ENABLED.
   */
  async update(id: string, patch: TargetFields): Promise<TargetResponseDto> {
    await this.nameFree(patch.name, () =>
      this.dataSource.transaction(async (m) => {
        const row = await this.repo.find(m, id, true);
        if (!row) throw notFound(id);
        const current = { ...row, ...this.codec.openTarget(id, row.secrets) };
        const draft = this.valid(draftFromPatch(current, patch));
        const startsSomethingNew =
          row.kind !== 'stdio' ||
          patch.command !== undefined ||
          patch.args !== undefined ||
          patch.env !== undefined;
        if (draft.kind === 'stdio' && startsSomethingNew)
          this.ensureStdioAllowed('make or change a stdio target');
        await this.repo.update(m, id, draft, this.codec.sealTarget(id, draft));
        this.logger.log(`target ${id} "${draft.name}" updated (${describe(draft)})`);
      }),
    );
    return this.detail(id);
  }

  /** Deletes a target no persona plays; 409 naming how many do. */
  async remove(id: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      // the row lock waits for any persona being pointed at it (that takes FOR SHARE) to commit
      const row = await this.repo.find(m, id, true);
      if (!row) throw notFound(id);
      if (row.personas > 0) {
        throw new TargetException(
          TargetErrorCode.IN_USE,
          `target "${row.name}" is played by ${row.personas} persona${row.personas === 1 ? '' : 's'}; point ${row.personas === 1 ? 'it' : 'them'} at another target (or null) first`,
        );
      }
      await this.repo.delete(m, id);
      this.logger.log(`target ${id} "${row.name}" deleted`);
    });
  }

  private ensureStdioAllowed(what: string): void {
    if (!this.config.targetsStdioEnabled) {
      throw new TargetException(
        TargetErrorCode.STDIO_DISABLED,
        `cannot ${what}: stdio targets (a command this server starts) are off (TARGETS_STDIO_ENABLED is false, its default in production); set TARGETS_STDIO_ENABLED=true to allow them`,
      );
    }
  }

  /** Runs `write`; a second target of the same name (ignoring case) is a 409 naming it. */
  private async nameFree(name: string | undefined, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      const driver =
        error instanceof QueryFailedError
          ? (error.driverError as { code?: string; constraint?: string })
          : undefined;
      if (driver?.code === '23505' && driver.constraint === 'ux_targets_name') {
        throw new TargetException(
          TargetErrorCode.NAME_TAKEN,
          `name: a target named "${name?.trim() ?? ''}" already exists (names are unique, ignoring case)`,
        );
      }
      throw error;
    }
  }

  private valid(draft: TargetDraft | string): TargetDraft {
    if (typeof draft === 'string') throw this.invalid(draft);
    return draft;
  }

  private invalid(message: string): TargetException {
    return new TargetException(TargetErrorCode.INVALID_INPUT, message);
  }
}

function notFound(id: string): TargetException {
  return new TargetException(TargetErrorCode.NOT_FOUND, `No target with id ${id}`);
}

/** For a log line: where the target is and the names of its secrets, never their values. */
function describe(d: TargetDraft): string {
  const names = Object.keys(d.kind === 'http' ? d.headers : d.env);
  const where = d.kind === 'http' ? `http ${d.url}` : `stdio ${d.command}`;
  return `${where}${names.length > 0 ? `; ${d.kind === 'http' ? 'headers' : 'env'}: ${names.join(', ')}` : ''}`;
}

/** The explicit map to the wire: names of secrets, never values; the row's sealed column stays here. */
function toResponse(r: TargetRow): TargetResponseDto {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    url: r.url,
    command: r.command,
    args: r.args,
    headerNames: r.headerNames,
    envNames: r.envNames,
    semanticsTools: r.semantics ? Object.keys(r.semantics.tools).sort() : [],
    personas: r.personas,
    createdAt: new Date(r.createdAt).toISOString(),
    updatedAt: new Date(r.updatedAt).toISOString(),
  };
}
