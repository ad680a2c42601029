import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { AuthErrorCode, AuthException } from '../auth/auth.exception.js';
import { UsersService } from '../auth/users.service.js';
import { SpacesService } from '../spaces/spaces.service.js';
import { AppConfig } from '../config/app-config.js';
import { ToolRegistry } from '../tools/tool.registry.js';
import type { ModuleMix, TickCadence } from './persona.entity.js';
import { validateActions, validateFeedback } from './persona-records.js';
import type { ActionInput, ActionRow, FeedbackInput, FeedbackRow, RecordResult } from './persona-records.js';
import { PersonaErrorCode, PersonaException } from './personas.exception.js';
import { PersonasRepository } from './personas.repository.js';
import type { PersonaFields, PersonaListRow, PersonaView } from './personas.repository.js';
import type {
  DeletePersonaResultDto,
  DuePersonaDto,
  PersonaDetailDto,
  PersonaListDto,
  PersonaListItemDto,
  PersonaResponseDto,
} from './personas.dto.js';

export type { ActionInput, FeedbackInput, RecordResult } from './persona-records.js';

/** What create-or-update is given (the admin DTO, the in-process seed). */
export interface UpsertPersonaInput {
  email: string;
  name?: string;
  password: string;
  archetype: string;
  systemPrompt: string;
  moduleMix: Record<string, unknown>;
  tickCadence?: TickCadence;
  timezone?: string;
}

export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

export const DEFAULT_LIST_LIMIT = 50;
export const DEFAULT_DUE_LIMIT = 20;
const MODULE_KEY = /^[a-z][a-z0-9_]{0,63}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Personas: real accounts (kind persona) plus their role-play descriptor, audit trail and ratings.
 * The admin API, the internal API and the in-process runner all go through these methods.
 */
@Injectable()
export class PersonasService {
  private readonly logger = new Logger(PersonasService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PersonasRepository) private readonly repo: PersonasRepository,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(SpacesService) private readonly spaces: SpacesService,
    @Inject(ToolRegistry) private readonly tools: ToolRegistry,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  /**
   * Create-or-update by email, in one transaction. A new email signs up through the normal
   * registration path and is stamped a persona; an existing persona is brought to the given state
   * (its password reset only when it no longer matches); a human's email is refused with 409 and the
   * account is not touched. Repeating a call changes nothing and answers `unchanged`.
   */
  async upsert(input: UpsertPersonaInput): Promise<{ persona: PersonaResponseDto; outcome: UpsertOutcome }> {
    const email = input.email.trim().toLowerCase();
    const domain = this.config.personaEmailDomain;
    if (!email.endsWith(`@${domain}`)) {
      throw this.invalid(`email must be an address at the persona domain @${domain} (got ${email})`);
    }
    const fields: PersonaFields = {
      archetype: input.archetype,
      systemPrompt: input.systemPrompt,
      moduleMix: this.checkModuleMix(input.moduleMix),
      tickCadence: input.tickCadence ?? 'daily',
      timezone: await this.checkTimezone(input.timezone ?? 'UTC'),
    };
    const name = input.name?.trim() || undefined;
    // a concurrent create of the same email loses the unique index race: run once more as an update
    for (let attempt = 1; ; attempt += 1) {
      try {
        const result = await this.dataSource.transaction((m) =>
          this.upsertIn(m, email, name, input.password, fields),
        );
        if (result.outcome !== 'unchanged') this.logger.log(`persona ${email} ${result.outcome}`);
        return result;
      } catch (error) {
        if (attempt === 1 && error instanceof AuthException && error.code === AuthErrorCode.EMAIL_TAKEN)
          continue;
        throw error;
      }
    }
  }

  private async upsertIn(
    m: EntityManager,
    email: string,
    name: string | undefined,
    password: string,
    fields: PersonaFields,
  ): Promise<{ persona: PersonaResponseDto; outcome: UpsertOutcome }> {
    let outcome: UpsertOutcome = 'unchanged';
    let user = await this.users.findByEmail(email, m);
    if (!user) {
      user = await this.users.register({ email, password, name }, m);
      await this.users.stampPersona(user.id, m);
      await this.repo.insert(m, user.id, fields);
      outcome = 'created';
    } else {
      if (user.kind !== 'persona') {
        throw new PersonaException(
          PersonaErrorCode.HUMAN_EMAIL,
          `${email} belongs to an existing ${user.kind} account; it cannot be turned into a persona`,
        );
      }
      if (user.tier !== 'founder' || !user.emailVerified) {
        await this.users.stampPersona(user.id, m);
        outcome = 'updated';
      }
      if (name !== undefined && name !== user.name) {
        await this.users.setName(user.id, name, m);
        outcome = 'updated';
      }
      if (!(await this.users.verifyPassword(user, password))) {
        await this.users.setPassword(user.id, password, m);
        outcome = 'updated';
      }
      const current = await this.repo.findFields(m, user.id);
      if (!current) {
        await this.repo.insert(m, user.id, fields);
        outcome = 'updated';
      } else if (!sameFields(current, fields)) {
        await this.repo.update(m, user.id, fields);
        outcome = 'updated';
      }
    }
    const view = await this.repo.findView(m, user.id);
    if (!view) throw new Error(`persona ${user.id} vanished inside its own transaction`);
    return { persona: this.toResponse(view), outcome };
  }

  /** One page of personas, newest first, with their 7-day activity; `nextCursor` null on the last. */
  async list(limit = DEFAULT_LIST_LIMIT, cursor?: string): Promise<PersonaListDto> {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const rows = await this.repo.listPage(limit + 1, after);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => this.toListItem(r)),
      nextCursor: rows.length > limit && last ? encodeCursor(last.createdKey, last.userId) : null,
    };
  }

  async detail(userId: string): Promise<PersonaDetailDto> {
    const view = await this.repo.findView(this.repo.manager, userId);
    if (!view) throw this.notFound(userId);
    const [actions, feedback, ticks] = await Promise.all([
      this.repo.recentActions(userId, 20),
      this.repo.feedbackByModule(userId),
      this.repo.recentTicks(userId, 20),
    ]);
    return {
      persona: this.toResponse(view),
      recentActions: actions.map((a) => ({
        id: a.id,
        tickId: a.tickId,
        seq: a.seq,
        toolName: a.toolName,
        module: a.module,
        inputHash: a.inputHash,
        result: a.result,
        errorKind: a.errorKind,
        errorMessage: a.errorMessage,
        latencyMs: a.latencyMs,
        createdAt: a.createdAt.toISOString(),
      })),
      feedbackByModule: feedback.map((f) => ({
        module: f.module,
        avgRating: f.avgRating,
        count: f.count,
        lastNotes: f.lastNotes,
      })),
      recentTicks: ticks.map((t) => ({
        id: t.id,
        status: t.status,
        brain: t.brain,
        model: t.model,
        startedAt: t.startedAt.toISOString(),
        finishedAt: iso(t.finishedAt),
        toolCalls: t.toolCalls,
        tokensIn: t.tokensIn,
        tokensOut: t.tokensOut,
        costUsd: Number(t.costUsd),
        error: t.error,
      })),
    };
  }

  /**
   * Hard delete in one transaction: spaces the persona owns alone (with their rows), ownership of
   * shared spaces it owned handed to the longest-standing remaining member, then the account, which
   * cascades to the persona row, ticks, actions, feedback, memberships and tokens. A non-persona
   * account is refused (400) and nothing is deleted.
   */
  async remove(userId: string): Promise<DeletePersonaResultDto> {
    return this.dataSource.transaction(async (m) => {
      const user = await this.users.lockForUpdate(userId, m);
      if (!user) throw this.notFound(userId);
      if (user.kind !== 'persona') {
        throw new PersonaException(
          PersonaErrorCode.NOT_A_PERSONA,
          `${userId} is a ${user.kind} account, not a persona; only personas can be deleted here`,
        );
      }
      const spaces = await this.spaces.releaseOwnedBy(userId, m);
      await this.users.hardDelete(userId, m);
      this.logger.log(
        `persona ${user.email} deleted (${spaces.deleted} spaces deleted, ${spaces.transferred} handed over)`,
      );
      return {
        userId,
        email: user.email,
        spacesDeleted: spaces.deleted,
        spacesTransferred: spaces.transferred,
      };
    });
  }

  /** Personas due now by the database's clock, not leased; oldest due first. */
  async dueNow(limit = DEFAULT_DUE_LIMIT): Promise<DuePersonaDto[]> {
    const rows = await this.repo.due(Math.max(1, Math.min(200, Math.floor(limit))));
    return rows.map((v) => ({
      userId: v.userId,
      email: v.email,
      name: v.name,
      archetype: v.archetype,
      systemPrompt: v.systemPrompt,
      moduleMix: v.moduleMix,
      tickCadence: v.tickCadence,
      timezone: v.timezone,
      lastActiveAt: iso(v.lastActiveAt),
      nextDueAt: iso(v.nextDueAt),
      consecutiveFailures: v.consecutiveFailures,
    }));
  }

  /**
   * Appends tool calls. Ids are `{tickId}-{seq}-{toolName}`: a row whose id exists with the same
   * payload counts as a duplicate and writes nothing; the same id with a different payload is
   * refused with 422 naming it, and then the whole batch is rolled back (nothing of it is written),
   * so a runner that retries a corrected batch never leaves half of the wrong one behind.
   */
  async recordActions(personaId: string, actions: ActionInput[]): Promise<RecordResult> {
    const rows = validateActions(actions);
    return this.recordBatch(personaId, rows, 'actions', {
      insert: (m, sorted) => this.repo.insertActions(m, personaId, sorted),
      find: (m, ids) => this.repo.findActions(m, ids),
      differences: (stored, row) =>
        diffFields(stored, row, [
          'tickId',
          'seq',
          'toolName',
          'module',
          'inputHash',
          'result',
          'errorKind',
          'errorMessage',
          'latencyMs',
        ]),
    });
  }

  /** Appends ratings; ids are `{tickId}-{module}`, with the same duplicate and mismatch rules. */
  async recordFeedback(personaId: string, feedback: FeedbackInput[]): Promise<RecordResult> {
    const rows = validateFeedback(feedback);
    return this.recordBatch(personaId, rows, 'feedback', {
      insert: (m, sorted) => this.repo.insertFeedback(m, personaId, sorted),
      find: (m, ids) => this.repo.findFeedback(m, ids),
      differences: (stored, row) => diffFields(stored, row, ['tickId', 'module', 'rating', 'notes']),
    });
  }

  private async recordBatch<R extends ActionRow | FeedbackRow, S extends { personaId: string }>(
    personaId: string,
    rows: R[],
    field: string,
    ops: {
      insert: (m: EntityManager, rows: R[]) => Promise<Set<string>>;
      find: (m: EntityManager, ids: string[]) => Promise<Map<string, S>>;
      differences: (stored: S, row: R) => string[];
    },
  ): Promise<RecordResult> {
    if (!UUID.test(personaId)) throw this.notFound(personaId);
    // one lock order for every writer: two batches sharing ids can wait on each other, never deadlock
    const sorted = [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return this.dataSource.transaction(async (m) => {
      if (!(await this.repo.lockExisting(m, personaId))) throw this.notFound(personaId);
      const inserted = await ops.insert(m, sorted);
      const seen = rows.filter((r) => !inserted.has(r.id));
      if (seen.length > 0) {
        const stored = await ops.find(
          m,
          seen.map((r) => r.id),
        );
        for (const row of seen) {
          const existing = stored.get(row.id);
          const diff = existing
            ? [...(existing.personaId === personaId ? [] : ['persona']), ...ops.differences(existing, row)]
            : ['row'];
          if (diff.length > 0) {
            throw new PersonaException(
              PersonaErrorCode.PAYLOAD_MISMATCH,
              `${field}[${rows.indexOf(row)}]: id ${row.id} was already recorded with a different ` +
                `${diff.join(', ')}; the stored row is unchanged and nothing of this batch was written`,
            );
          }
        }
      }
      return { inserted: inserted.size, duplicates: rows.length - inserted.size };
    });
  }

  toResponse(v: PersonaView): PersonaResponseDto {
    return {
      userId: v.userId,
      email: v.email,
      name: v.name,
      archetype: v.archetype,
      systemPrompt: v.systemPrompt,
      moduleMix: v.moduleMix,
      tickCadence: v.tickCadence,
      timezone: v.timezone,
      lastActiveAt: iso(v.lastActiveAt),
      nextDueAt: iso(v.nextDueAt),
      consecutiveFailures: v.consecutiveFailures,
      createdAt: v.createdAt.toISOString(),
      updatedAt: v.updatedAt.toISOString(),
    };
  }

  private toListItem(r: PersonaListRow): PersonaListItemDto {
    return {
      userId: r.userId,
      email: r.email,
      name: r.name,
      archetype: r.archetype,
      moduleMix: r.moduleMix,
      tickCadence: r.tickCadence,
      timezone: r.timezone,
      lastActiveAt: iso(r.lastActiveAt),
      nextDueAt: iso(r.nextDueAt),
      createdAt: r.createdAt.toISOString(),
      actions7d: r.actions7d,
      errors7d: r.errors7d,
      avgRating7d: r.avgRating7d,
      lastTick:
        r.lastTickStatus && r.lastTickAt
          ? { status: r.lastTickStatus, at: r.lastTickAt.toISOString() }
          : null,
    };
  }

  /** Keys must be modules that have user-space tools; weights finite and ≥ 0, at least one > 0. */
  private checkModuleMix(mix: Record<string, unknown>): ModuleMix {
    const known = this.tools.modules();
    const problems: string[] = [];
    const out: ModuleMix = {};
    for (const [key, weight] of Object.entries(mix)) {
      if (!MODULE_KEY.test(key) || !known.includes(key)) {
        problems.push(`moduleMix.${key} is not a module with tools (known: ${known.join(', ') || 'none'})`);
      } else if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
        problems.push(`moduleMix.${key} must be a finite number ≥ 0`);
      } else {
        out[key] = weight;
      }
    }
    if (problems.length === 0 && !Object.values(out).some((w) => w > 0)) {
      problems.push('moduleMix needs at least one module with a weight above 0');
    }
    if (problems.length > 0) throw this.invalid(problems.join('; '));
    return out;
  }

  /** A real IANA zone that both Node (due rules) and PostgreSQL (due query) understand; canonical spelling. */
  private async checkTimezone(zone: string): Promise<string> {
    const bad = () =>
      this.invalid(`timezone must be an IANA time zone such as Europe/Berlin (got "${zone}")`);
    if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)) throw bad();
    let canonical: string;
    try {
      canonical = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
    } catch {
      throw bad();
    }
    if (!(await this.repo.databaseKnowsTimezone(canonical))) throw bad();
    return canonical;
  }

  private invalid(message: string): PersonaException {
    return new PersonaException(PersonaErrorCode.INVALID_INPUT, message);
  }

  private notFound(id: string): PersonaException {
    return new PersonaException(PersonaErrorCode.NOT_FOUND, `No persona with id ${id}`);
  }
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function sameFields(a: PersonaFields, b: PersonaFields): boolean {
  return (
    a.archetype === b.archetype &&
    a.systemPrompt === b.systemPrompt &&
    a.tickCadence === b.tickCadence &&
    a.timezone === b.timezone &&
    sameMix(a.moduleMix, b.moduleMix)
  );
}

function sameMix(a: ModuleMix, b: ModuleMix): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

function diffFields<S, R>(stored: S, row: R, fields: Array<keyof S & keyof R>): string[] {
  return fields.filter((f) => (stored[f] ?? null) !== (row[f] ?? null)).map(String);
}

function encodeCursor(createdKey: string, userId: string): string {
  return Buffer.from(JSON.stringify([createdKey, userId]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { createdKey: string; userId: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      /^\d{4}-\d\d-\d\d[ T][\d:.]+([+-]\d\d(:?\d\d)?|Z)?$/.test(value[0]) &&
      typeof value[1] === 'string' &&
      UUID.test(value[1])
    ) {
      return { createdKey: value[0], userId: value[1] };
    }
  } catch {
    // fall through to the 400 below
  }
  throw new PersonaException(
    PersonaErrorCode.INVALID_INPUT,
    'cursor is not valid: pass the nextCursor of the previous page unchanged',
  );
}
