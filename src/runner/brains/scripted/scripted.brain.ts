import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config.js';
import type { Brain, BrainDay, BrainUsage, DayContext } from '../brain.js';
import { SeededRandom } from '../seeded-random.js';
import { DayActor } from './day-actor.js';
import { moduleShare, planDay } from './day-planner.js';
import { exploreServer } from './explore.js';
import { rateDay } from './day-ratings.js';
import type { DayRating } from './day-ratings.js';
import { PLAYBOOKS } from './playbooks/playbook.js';

/**
 * The offline brain: no network, no API key, deterministic from (PERSONA_SEED, persona id, the
 * persona's local date). It plans today's modules by the persona's weights and plays each module's
 * playbook with content in the archetype's voice; the overwhelmed newbie slips now and then (its
 * failures are its own mistakes). It only plays: the oracle engine checks every call of the tick,
 * and the ratings follow what happened (failed and slow calls, and the tick's findings). This is
 * what `npm start` runs with no API key.
 */
@Injectable()
export class ScriptedBrain implements Brain {
  readonly name = 'scripted' as const;
  readonly model = null;

  constructor(@Inject(AppConfig) private readonly config: AppConfig) {}

  startDay(context: DayContext): BrainDay {
    return new ScriptedDay(context, this.config.personaSeed);
  }
}

export class ScriptedDay implements BrainDay {
  private readonly rng: SeededRandom;
  private readonly actor: DayActor;

  constructor(
    private readonly context: DayContext,
    seed: string,
  ) {
    // the e-mail, not the id: the same persona plays the same day on every fresh database
    this.rng = new SeededRandom(`${seed}|${context.persona.email}|${context.today.date}`);
    this.actor = new DayActor(context, this.rng);
  }

  /** Today's modules, drawn by the persona's weights among those it can play (the first draws of the day). */
  plannedModules(): string[] {
    const listed = new Set(this.context.tools.map((t) => t.module));
    const playable = new Set(PLAYBOOKS.map((p) => p.module).filter((m) => listed.has(m)));
    return planDay(
      {
        mix: this.context.persona.moduleMix,
        playable,
        cadence: this.context.persona.cadence,
        confused: this.actor.confused,
      },
      this.rng,
    );
  }

  async play(): Promise<void> {
    // a server none of the playbooks knows (a third-party MCP server): explore it from its schemas
    if (!this.context.tools.some((t) => PLAYBOOKS.some((p) => p.module === t.module))) {
      await exploreServer(this.actor, this.context.tools);
      return;
    }
    const modules = this.plannedModules();
    // a glance at its spaces on the way in, now and then
    if (this.rng.chance(0.15) && !modules.includes('spaces')) await this.actor.call('spaces.list', {});
    for (const [index, module] of modules.entries()) {
      if (this.actor.dayTurnsLeft() <= 0) break;
      const playbook = PLAYBOOKS.find((p) => p.module === module);
      if (!playbook) continue;
      this.actor.startModule(moduleShare(this.actor.dayTurnsLeft(), modules.length - index));
      await playbook.play(this.actor);
    }
    this.actor.startModule(Number.POSITIVE_INFINITY);
  }

  async reply(_prompt: string): Promise<string> {
    return JSON.stringify({ ratings: this.ratings() });
  }

  usage(): BrainUsage {
    return { tokensIn: 0, tokensOut: 0, costUsd: 0 };
  }

  /** Each module it used, rated 1–5 from what happened, with notes in the persona's words. */
  ratings(): DayRating[] {
    return rateDay(this.actor.records, this.context.findings(), this.actor.voice, this.rng);
  }
}
