import { Inject, Injectable } from '@nestjs/common';
import { PersonaAuditService } from '../../personas/audit/persona-audit.service.js';
import { PersonaMemoryService } from '../../personas/audit/persona-memory.service.js';
import { PersonaScheduleService } from '../../personas/schedule/persona-schedule.service.js';
import type {
  ClaimedPersona,
  OpenedTick,
  TickOutcome,
} from '../../personas/schedule/persona-schedule.types.js';
import type { BrainPause } from '../brains/anthropic-llm.client.js';
import type { BrainUsage, PersonaMemory } from '../brains/brain.js';
import { DailyBudgetService } from '../cost/daily-budget.service.js';
import type { TickAudit, TickStore } from './tick-store.js';

/** The in-process adapter of the TickStore port: this server's own schedule, audit, memory and budget. */
@Injectable()
export class InProcessTickStore implements TickStore {
  constructor(
    @Inject(PersonaScheduleService) private readonly schedule: PersonaScheduleService,
    @Inject(PersonaAuditService) private readonly auditService: PersonaAuditService,
    @Inject(PersonaMemoryService) private readonly memory: PersonaMemoryService,
    @Inject(DailyBudgetService) private readonly daily: DailyBudgetService,
  ) {}

  begin(claim: ClaimedPersona, brain: string, model: string | null): Promise<OpenedTick | null> {
    return this.schedule.beginTick(claim, brain, model);
  }

  passwordOf(claim: ClaimedPersona): string {
    return this.schedule.passwordOf(claim);
  }

  audit(claim: ClaimedPersona): TickAudit {
    const { leaseToken } = claim;
    return {
      recordActions: (personaId, actions) => this.auditService.recordActions(personaId, leaseToken, actions),
      recordFeedback: (personaId, feedback) =>
        this.auditService.recordFeedback(personaId, leaseToken, feedback),
      recordFinding: (personaId, finding) => this.auditService.recordFinding(personaId, leaseToken, finding),
    };
  }

  async finish(claim: ClaimedPersona, tickId: string, outcome: TickOutcome): Promise<boolean> {
    return (await this.schedule.finish(claim, tickId, outcome)) !== null;
  }

  memoryOf(claim: ClaimedPersona, tickId: string): Promise<PersonaMemory | undefined> {
    return this.memory.recall(claim.userId, tickId);
  }

  async dailyBudget(): Promise<BrainPause | undefined> {
    await this.daily.refresh();
    return this.daily.paused;
  }

  countUsage(usage: BrainUsage): void {
    this.daily.count(usage);
  }
}
