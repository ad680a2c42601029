import type {
  DuePersonaDto,
  ModuleFeedbackDto,
  PersonaActionDto,
  PersonaDetailRecordDto,
  PersonaListItemDto,
  PersonaResponseDto,
  PersonaTargetDto,
  PersonaTickDto,
} from './api/persona-responses.dto.js';
import type {
  ActionView,
  ModuleFeedbackRow,
  PersonaListRow,
  PersonaTargetRef,
  PersonaView,
  TickView,
} from './personas.repository.js';
import type { PersonaScheduleState } from './schedule/not-ticking.service.js';

/**
 * Rows → response DTOs, written once: every persona answer of the admin and internal APIs goes
 * through here, so what a response holds (and that no hash or lease column leaks) is decided in one
 * place.
 */
export const PersonaMapper = {
  /** The persona as the due list shows it (the full record without its timestamps). */
  toDue(v: PersonaView): DuePersonaDto {
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
    };
  },

  toResponse(v: PersonaView): PersonaResponseDto {
    return {
      ...PersonaMapper.toDue(v),
      target: targetRef(v.target),
      targetHeaderNames: v.targetHeaderNames,
      createdAt: v.createdAt.toISOString(),
      updatedAt: v.updatedAt.toISOString(),
    };
  },

  /** The detail's record: nextDueAt as the runner will use it, and why it will not tick (if so). */
  toDetailRecord(v: PersonaView, schedule: PersonaScheduleState | undefined): PersonaDetailRecordDto {
    return {
      ...PersonaMapper.toResponse(v),
      nextDueAt: schedule ? schedule.nextDueAt : iso(v.nextDueAt),
      notTicking: schedule?.notTicking ?? null,
    };
  },

  toListItem(r: PersonaListRow, schedule: PersonaScheduleState | undefined): PersonaListItemDto {
    return {
      userId: r.userId,
      email: r.email,
      name: r.name,
      archetype: r.archetype,
      moduleMix: r.moduleMix,
      tickCadence: r.tickCadence,
      timezone: r.timezone,
      lastActiveAt: iso(r.lastActiveAt),
      nextDueAt: schedule ? schedule.nextDueAt : iso(r.nextDueAt),
      notTicking: schedule?.notTicking ?? null,
      target: targetRef(r.target),
      createdAt: r.createdAt.toISOString(),
      actions7d: r.actions7d,
      errors7d: r.errors7d,
      avgRating7d: r.avgRating7d,
      lastTick:
        r.lastTickStatus && r.lastTickAt
          ? { status: r.lastTickStatus, at: r.lastTickAt.toISOString() }
          : null,
    };
  },

  toAction(a: ActionView): PersonaActionDto {
    return {
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
      origin: a.origin,
      createdAt: a.createdAt.toISOString(),
    };
  },

  toModuleFeedback(f: ModuleFeedbackRow): ModuleFeedbackDto {
    return { module: f.module, avgRating: f.avgRating, count: f.count, lastNotes: f.lastNotes };
  },

  toTick(t: TickView): PersonaTickDto {
    return {
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
    };
  },
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The target as answers name it: id, name and kind only (its address and secrets are the targets API's). */
const targetRef = (t: PersonaTargetRef | null): PersonaTargetDto | null =>
  t ? { id: t.id, name: t.name, kind: t.kind } : null;
