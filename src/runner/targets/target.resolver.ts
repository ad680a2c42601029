import { Injectable } from '@nestjs/common';
import type { ClaimedPersona } from '../../personas/persona-schedule.types.js';
import { BUILT_IN_TARGET } from './target.js';
import type { Target } from './target.js';

/**
 * Which server a persona's tick plays against: the built-in app, unless this process was told to
 * point every persona at one external target (`npm run check --target/--stdio`).
 */
@Injectable()
export class TargetResolver {
  private forAll: Target = BUILT_IN_TARGET;

  /** Every persona of this process plays `target` from its next tick on. */
  useForAll(target: Target): void {
    this.forAll = target;
  }

  targetOf(_claim: ClaimedPersona): Target {
    return this.forAll;
  }
}
