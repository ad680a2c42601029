import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { AdvisoryLock } from '../../database/advisory-lock.js';
import { SpacesService } from '../../spaces/spaces.service.js';
import { UserSettingsService } from '../../tools/settings/user-settings.service.js';
import { ToolRegistry } from '../../tools/tool.registry.js';
import { DEFAULT_CATALOG_PATH, loadCatalog } from './catalog.js';
import type { CatalogPersona, CatalogSpace } from './catalog.js';
import { PersonasService } from '../personas.service.js';
import type { UpsertOutcome } from '../personas.service.js';

export interface SeededPersona {
  email: string;
  userId?: string;
  outcome?: UpsertOutcome;
  error?: string;
}

export interface SeededSpace {
  name: string;
  type: string;
  spaceId?: string;
  /** created, or unchanged when it already existed; membersAdded lists who was added now. */
  outcome?: 'created' | 'unchanged';
  membersAdded: string[];
  error?: string;
}

export interface SeedReport {
  personas: SeededPersona[];
  spaces: SeededSpace[];
  failed: number;
}

/**
 * Seeds the catalog in-process (the runner's demo mode at boot): the same upsert the admin API
 * uses, with derived passwords and the persona's tool settings (the destructive-tools opt-in, as a
 * user sets it), then the shared spaces, made by their owner persona. Idempotent,
 * and one instance at a time (an advisory lock): replicas booting together seed the catalog once.
 * The CLI `npm run seed:personas` does the same over HTTP for a server elsewhere.
 */
@Injectable()
export class PersonaSeedService {
  private readonly logger = new Logger(PersonaSeedService.name);

  constructor(
    @Inject(PersonasService) private readonly personas: PersonasService,
    @Inject(SpacesService) private readonly spaces: SpacesService,
    @Inject(ToolRegistry) private readonly tools: ToolRegistry,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(AdvisoryLock) private readonly lock: AdvisoryLock,
    @Inject(UserSettingsService) private readonly settings: UserSettingsService,
  ) {}

  seedCatalog(path = DEFAULT_CATALOG_PATH): Promise<SeedReport> {
    return this.lock.run('catalogSeed', () => this.seed(path));
  }

  private async seed(path: string): Promise<SeedReport> {
    const catalog = loadCatalog(path, { registry: this.tools, emailDomain: this.config.personaEmailDomain });
    const ids = new Map<string, string>();
    const personas: SeededPersona[] = [];
    for (const p of catalog.personas) {
      try {
        const { persona, outcome } = await this.personas.upsert({
          email: p.email,
          name: p.name,
          archetype: p.archetype,
          systemPrompt: p.systemPrompt,
          moduleMix: p.moduleMix,
          tickCadence: p.tickCadence,
          timezone: p.timezone,
        });
        ids.set(p.email, persona.userId);
        const settingsChanged = await this.applySettings(persona.userId, p);
        personas.push({
          email: p.email,
          userId: persona.userId,
          outcome: settingsChanged && outcome === 'unchanged' ? 'updated' : outcome,
        });
      } catch (error) {
        personas.push({ email: p.email, error: (error as Error).message });
      }
    }
    const spaces: SeededSpace[] = [];
    for (const s of catalog.spaces) spaces.push(await this.seedSpace(s, ids));
    const failed = personas.filter((p) => p.error).length + spaces.filter((s) => s.error).length;
    const changed =
      personas.filter((p) => p.outcome && p.outcome !== 'unchanged').length +
      spaces.filter((s) => s.outcome === 'created' || s.membersAdded.length > 0).length;
    this.logger.log(
      `persona catalog seeded: ${personas.length} personas, ${spaces.length} shared spaces, ${changed} changed, ${failed} failed`,
    );
    for (const p of personas) if (p.error) this.logger.warn(`persona ${p.email} not seeded: ${p.error}`);
    for (const s of spaces) if (s.error) this.logger.warn(`space ${s.name} not seeded: ${s.error}`);
    return { personas, spaces, failed };
  }

  /**
   * The catalog is the persona's settings' source of truth: `destructiveTools: true` opts it into the
   * destructive tools (the server lists them only then), absent or false opts it out. Answers whether
   * anything changed; an unchanged setting is not written again.
   */
  private async applySettings(userId: string, p: CatalogPersona): Promise<boolean> {
    const wanted = p.destructiveTools === true;
    if ((await this.settings.destructiveToolsEnabled(userId)) === wanted) return false;
    await this.settings.update(userId, { destructiveTools: wanted });
    return true;
  }

  private async seedSpace(s: CatalogSpace, ids: Map<string, string>): Promise<SeededSpace> {
    const result: SeededSpace = { name: s.name, type: s.type, membersAdded: [] };
    const ownerId = ids.get(s.owner);
    if (!ownerId) return { ...result, error: `its owner ${s.owner} was not seeded` };
    try {
      const mine = await this.spaces.listMine(ownerId);
      let space = mine.find((x) => x.name === s.name && x.type === s.type && x.role === 'owner');
      result.outcome = space ? 'unchanged' : 'created';
      space ??= await this.spaces.create(ownerId, s.name, s.type);
      result.spaceId = space.id;
      const present = new Set((await this.spaces.members(ownerId, space.id)).map((m) => m.email));
      for (const email of s.members) {
        if (present.has(email)) continue;
        await this.spaces.addMember(ownerId, space.id, email);
        result.membersAdded.push(email);
      }
    } catch (error) {
      result.error = (error as Error).message;
    }
    return result;
  }
}
