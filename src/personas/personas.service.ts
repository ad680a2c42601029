import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { AuthErrorCode, AuthException } from '../auth/auth.exception.js';
import { UsersService } from '../auth/users/users.service.js';
import { SpacesService } from '../spaces/spaces.service.js';
import { AppConfig } from '../config/app-config.js';
import { decodeKeysetCursor, encodeKeysetCursor } from '../common/keyset-cursor.js';
import type { ModuleMix, TickCadence } from './schedule/persona-schedule.types.js';
import { PersonaFieldsValidator } from './persona-fields.validator.js';
import { derivePersonaPassword, personaSeedSecret } from './persona-password.js';
import { PersonaMapper } from './persona.mapper.js';
import { NotTickingService } from './schedule/not-ticking.service.js';
import { PersonaErrorCode, PersonaException } from './personas.exception.js';
import { PersonasRepository } from './personas.repository.js';
import type { PersonaFields } from './personas.repository.js';
import { PersonaTargetsService } from './targets/persona-targets.service.js';
import type { PersonaTargetChange } from './targets/persona-targets.service.js';
import type {
  DeletePersonaResultDto,
  DuePersonaDto,
  PersonaDetailDto,
  PersonaListDto,
  PersonaResponseDto,
} from './api/persona-responses.dto.js';

/** What create-or-update is given (the admin DTO, the in-process seed). */
export interface UpsertPersonaInput {
  email: string;
  name?: string;
  /** Optional: the server derives it (PERSONA_SEED_SECRET); a different one is refused. */
  password?: string;
  archetype: string;
  systemPrompt: string;
  moduleMix: Record<string, unknown>;
  tickCadence?: TickCadence;
  timezone?: string;
  /** A target id, null for the built-in app; omitted: kept (see PersonaTargetChange). */
  target?: string | null;
  /** The persona's own headers for its target; null clears; omitted: kept while the target stays. */
  targetHeaders?: Record<string, string> | null;
}

export type UpsertOutcome = 'created' | 'updated' | 'unchanged';

export const DEFAULT_LIST_LIMIT = 50;
export const DEFAULT_DUE_LIMIT = 20;
/** created_at as Postgres prints it, the sort key of the persona list's keyset cursor. */
export const CREATED_KEY = /^\d{4}-\d\d-\d\d[ T][\d:.]+([+-]\d\d(:?\d\d)?|Z)?$/;

/**
 * Persona records: real accounts (kind persona) plus their role-play descriptor: create-or-update,
 * list, detail, delete and the due list. The audit trail is PersonaAuditService's; claims and leases
 * are PersonaScheduleService's.
 */
@Injectable()
export class PersonasService {
  private readonly logger = new Logger(PersonasService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PersonasRepository) private readonly repo: PersonasRepository,
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(SpacesService) private readonly spaces: SpacesService,
    @Inject(PersonaFieldsValidator) private readonly check: PersonaFieldsValidator,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(PersonaTargetsService) private readonly targets: PersonaTargetsService,
    @Inject(NotTickingService) private readonly schedules: NotTickingService,
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
    const password = this.passwordFor(email, input.password);
    const fields: PersonaFields = {
      archetype: input.archetype,
      systemPrompt: input.systemPrompt,
      moduleMix: this.check.moduleMix(input.moduleMix),
      tickCadence: input.tickCadence ?? 'daily',
      timezone: await this.check.timezone(input.timezone ?? 'UTC'),
    };
    const name = input.name?.trim() || undefined;
    const target: PersonaTargetChange = { target: input.target, headers: input.targetHeaders };
    // a concurrent create of the same email loses the unique index race: run once more as an update
    for (let attempt = 1; ; attempt += 1) {
      try {
        const result = await this.dataSource.transaction((m) =>
          this.upsertIn(m, email, name, password, fields, target),
        );
        if (result.outcome !== 'unchanged') this.logger.debug(`persona ${email} ${result.outcome}`);
        return result;
      } catch (error) {
        if (attempt === 1 && error instanceof AuthException && error.code === AuthErrorCode.EMAIL_TAKEN)
          continue;
        throw error;
      }
    }
  }

  /**
   * The persona's password is the one the runner signs in with, derived from its email and
   * PERSONA_SEED_SECRET (persona-password.ts); an admin need not send one. One that differs would make
   * every tick fail at login, so it is refused, saying why.
   */
  private passwordFor(email: string, given: string | undefined): string {
    const derived = derivePersonaPassword(email, personaSeedSecret(this.config));
    if (given !== undefined && given !== derived) {
      throw this.invalid(
        'password must be left out (the server derives it): the runner signs personas in with the password ' +
          `derived from the email and PERSONA_SEED_SECRET, so any other password would make every tick of ${email} ` +
          'fail at login. `npm run seed:personas` sends the derived one.',
      );
    }
    return derived;
  }

  private async upsertIn(
    m: EntityManager,
    email: string,
    name: string | undefined,
    password: string,
    fields: PersonaFields,
    target: PersonaTargetChange,
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
    if ((await this.targets.assign(m, user.id, target)) && outcome === 'unchanged') outcome = 'updated';
    const view = await this.repo.findView(m, user.id);
    if (!view) throw new Error(`persona ${user.id} vanished inside its own transaction`);
    return { persona: PersonaMapper.toResponse(view), outcome };
  }

  /** One page of personas, newest first, with their 7-day activity; `nextCursor` null on the last. */
  async list(limit = DEFAULT_LIST_LIMIT, cursor?: string): Promise<PersonaListDto> {
    const after = cursor === undefined ? undefined : this.decodeCursor(cursor);
    const rows = await this.repo.listPage(limit + 1, after);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const schedules = await this.schedules.explain(page.map((r) => r.userId));
    return {
      items: page.map((r) => PersonaMapper.toListItem(r, schedules.get(r.userId))),
      nextCursor:
        rows.length > limit && last ? encodeKeysetCursor({ key: last.createdKey, id: last.userId }) : null,
    };
  }

  async detail(userId: string): Promise<PersonaDetailDto> {
    const view = await this.repo.findView(this.repo.manager, userId);
    if (!view) throw this.notFound(userId);
    const [actions, feedback, ticks, schedules] = await Promise.all([
      this.repo.recentActions(userId, 20),
      this.repo.feedbackByModule(userId),
      this.repo.recentTicks(userId, 20),
      this.schedules.explain([userId]),
    ]);
    return {
      persona: PersonaMapper.toDetailRecord(view, schedules.get(userId)),
      recentActions: actions.map((a) => PersonaMapper.toAction(a)),
      feedbackByModule: feedback.map((f) => PersonaMapper.toModuleFeedback(f)),
      recentTicks: ticks.map((t) => PersonaMapper.toTick(t)),
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
    return rows.map((v) => PersonaMapper.toDue(v));
  }

  private decodeCursor(cursor: string): { createdKey: string; userId: string } {
    const position = decodeKeysetCursor(cursor, CREATED_KEY);
    if (!position)
      throw this.invalid('cursor is not valid: pass the nextCursor of the previous page unchanged');
    return { createdKey: position.key, userId: position.id };
  }

  private invalid(message: string): PersonaException {
    return new PersonaException(PersonaErrorCode.INVALID_INPUT, message);
  }

  private notFound(id: string): PersonaException {
    return new PersonaException(PersonaErrorCode.NOT_FOUND, `No persona with id ${id}`);
  }
}

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
