import { Inject, Injectable } from '@nestjs/common';
import { ToolRegistry } from '../tools/tool.registry.js';
import type { ModuleMix } from './schedule/persona-schedule.types.js';
import { canonicalTimeZone } from './schedule/persona-timezone.js';
import { PersonaErrorCode, PersonaException } from './personas.exception.js';
import { PersonasRepository } from './personas.repository.js';

const MODULE_KEY = /^[a-z][a-z0-9_]{0,63}$/;

/** The checks of a persona's fields that need the app: which modules have tools, which zones Postgres knows. */
@Injectable()
export class PersonaFieldsValidator {
  constructor(
    @Inject(PersonasRepository) private readonly repo: PersonasRepository,
    @Inject(ToolRegistry) private readonly tools: ToolRegistry,
  ) {}

  /** Keys must be modules that have user-space tools; weights finite and ≥ 0, at least one > 0. */
  moduleMix(mix: Record<string, unknown>): ModuleMix {
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
    if (problems.length > 0) throw invalid(problems.join('; '));
    return out;
  }

  /** A real IANA zone that both Node (due rules) and PostgreSQL (due query) understand; canonical spelling. */
  async timezone(zone: string): Promise<string> {
    const canonical = canonicalTimeZone(zone);
    if (canonical === undefined || !(await this.repo.databaseKnowsTimezone(canonical))) {
      throw invalid(`timezone must be an IANA time zone such as Europe/Berlin (got "${zone}")`);
    }
    return canonical;
  }
}

function invalid(message: string): PersonaException {
  return new PersonaException(PersonaErrorCode.INVALID_INPUT, message);
}
