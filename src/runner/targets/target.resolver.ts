import { Inject, Injectable, Optional } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import type { ClaimedPersona } from '../../personas/schedule/persona-schedule.types.js';
import { PersonaTargetsService } from '../../personas/targets/persona-targets.service.js';
import { BUILT_IN_TARGET } from './target.js';
import type { Target } from './target.js';

/** A persona's stored target may not be played here (a stdio target while stdio is off). */
export class TargetRefusedError extends Error {}

/**
 * Which server a persona's tick plays against. When this process was told to point every persona at
 * one target (`npm run check --target/--stdio`), that one; otherwise the persona's own target (the
 * personas module opens its secrets), or the built-in app when it has none. A stdio target stored
 * through the admin API is started only while TARGETS_STDIO_ENABLED allows it; `npm run check
 * --stdio` is a command the user runs on their own machine and is not held to that switch.
 */
@Injectable()
export class TargetResolver {
  private forAll: Target | undefined;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    /** Absent where there is no database (a remote runner's module does not provide this resolver). */
    @Optional() @Inject(PersonaTargetsService) private readonly personas?: PersonaTargetsService,
  ) {}

  /** Every persona of this process plays `target` from its next tick on. */
  useForAll(target: Target): void {
    this.forAll = target;
  }

  async targetOf(claim: ClaimedPersona): Promise<Target> {
    if (this.forAll) return this.forAll;
    // the claim says whether the persona had a target: the built-in app costs no query
    if (!claim.targetId || !this.personas) return BUILT_IN_TARGET;
    // read now, not at the claim: an admin's change since the claim (a new token) applies at once
    const target = (await this.personas.targetOf(claim.userId)) ?? BUILT_IN_TARGET;
    if (target.kind === 'stdio' && !this.config.targetsStdioEnabled) {
      throw new TargetRefusedError(
        'the persona plays a stdio target, and stdio targets are off (TARGETS_STDIO_ENABLED is false): its command was not started',
      );
    }
    return target;
  }
}
