import { Inject, Injectable } from '@nestjs/common';
import { PersonaAuditService } from '../../personas/audit/persona-audit.service.js';
import { PersonaScheduleService } from '../../personas/schedule/persona-schedule.service.js';
import type {
  ClaimedPersona,
  OpenedTick,
  TickOutcome,
} from '../../personas/schedule/persona-schedule.types.js';
import type { TickAudit, TickStore } from './tick-store.js';

/** The in-process adapter of the TickStore port: this server's own schedule and audit services. */
@Injectable()
export class InProcessTickStore implements TickStore {
  constructor(
    @Inject(PersonaScheduleService) private readonly schedule: PersonaScheduleService,
    @Inject(PersonaAuditService) private readonly auditService: PersonaAuditService,
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
}
