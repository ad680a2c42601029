import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { ConfigError } from '../config/config.error.js';
import type { FaultSpec } from '../config/fault-spec.js';
import { FAULT_CATALOG, findDefect } from './fault-catalog.js';
import { bootFaultProblems, faultSpecProblems } from './fault-checks.js';
import type { DefectId, FaultDefect } from './fault-catalog.js';
import type { FaultEntity } from './fault.entity.js';
import type { FaultCatalogDto, FaultDefectDto, FaultDto, FaultListDto, PlantFaultDto } from './faults.dto.js';
import { FaultsErrorCode, FaultsException } from './faults.exception.js';
import { FaultsRepository } from './faults.repository.js';

/** A planted defect as the lab applies it: the parameters in effect, defaults filled in. */
export interface ActiveFault {
  id: string;
  defect: FaultDefect;
  probability: number;
  /** The delay in ms for slow defects, else null. */
  delayMs: number | null;
  plantedAt: Date;
}

/**
 * The fault lab. Admins plant and clear catalog defects (stored in `faults`); every instance keeps
 * the active ones in memory, re-read every FAULTS_POLL_MS, so a plant made through any instance
 * applies on all of them within seconds. FaultInterceptor asks, per tool call, which plants on that
 * tool apply (`appliesTo`): a synchronous map lookup and a coin per plant, no query per call.
 *
 * With the lab off (production without FAULTS_ENABLED=true) nothing is read or applied and the
 * admin API answers 403.
 */
@Injectable()
export class FaultsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(FaultsService.name);
  private byDefect = new Map<string, ActiveFault>();
  /** The same plants by tool, in catalog order. */
  private byTool = new Map<string, ActiveFault[]>();
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  private pollFailing = false;
  /** Decides the per-call coin of `probability`; replaceable for tests. */
  random: () => number = Math.random;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(FaultsRepository) private readonly faults: FaultsRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // main.ts checks FAULTS right after loading the config; this covers apps built with createApp
    const problems = bootFaultProblems(this.config.faultsAtBoot);
    if (problems.length > 0) throw new ConfigError(problems);
    if (!this.config.faultsEnabled) return;
    for (const spec of this.config.faultsAtBoot) {
      const row = await this.faults.insertUnlessActive(spec);
      if (row) this.logger.warn(`fault ${row.defect} planted at boot by FAULTS (fault ${row.id})`);
    }
    await this.refresh();
    this.timer = setInterval(() => void this.poll(), this.config.faultsPollMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  // ---- for the interceptor

  /** The active plant of this defect, if any (the lab being off means none). */
  active(defectId: DefectId): ActiveFault | undefined {
    return this.byDefect.get(defectId);
  }

  /** The plants on this tool that apply to this call (each within its probability), in catalog order. */
  appliesTo(tool: string): ActiveFault[] {
    const planted = this.byTool.get(tool);
    if (!planted) return [];
    return planted.filter((fault) => this.random() < fault.probability);
  }

  /** The delay of a slow plant for one call, in ms: jittered ones vary by ±50 %. */
  delayFor(fault: ActiveFault): number {
    const base = fault.delayMs ?? 0;
    return Math.round(fault.defect.parameters.delayMs?.jitter ? base * (0.5 + this.random()) : base);
  }

  // ---- for the admin API

  catalog(): FaultCatalogDto {
    this.ensureEnabled();
    return { items: FAULT_CATALOG.map(toDefectDto) };
  }

  async list(): Promise<FaultListDto> {
    this.ensureEnabled();
    const items = (await this.faults.all()).flatMap((row) => this.toDto(row) ?? []);
    return { items, active: items.filter((f) => f.active).length };
  }

  async plant(adminId: string, dto: PlantFaultDto): Promise<FaultDto> {
    this.ensureEnabled();
    const defect = findDefect(dto.defect);
    if (!defect) {
      throw new FaultsException(
        FaultsErrorCode.UNKNOWN_DEFECT,
        `defect "${dto.defect}" is not in the catalog (GET /api/v1/faults/catalog lists them)`,
      );
    }
    const spec: FaultSpec = {
      defect: defect.id,
      probability: dto.probability,
      delayMs: dto.delayMs,
      note: dto.note,
    };
    const problems = faultSpecProblems(defect, spec);
    if (problems.length > 0)
      throw new FaultsException(FaultsErrorCode.INVALID_PARAMETER, problems.join('; '));
    const row = await this.faults.insert(spec, adminId);
    this.logger.warn(`fault ${row.defect} planted by admin ${adminId} (fault ${row.id})`);
    await this.refresh();
    return this.toDto(row)!;
  }

  /** Clears a planted fault; clearing a cleared one answers it unchanged (idempotent). */
  async clear(adminId: string, id: string): Promise<FaultDto> {
    this.ensureEnabled();
    const result = await this.faults.clear(id, adminId);
    if (!result) throw new FaultsException(FaultsErrorCode.NOT_FOUND, `no fault ${id}`);
    if (result.cleared) {
      this.logger.warn(`fault ${result.row.defect} cleared by admin ${adminId} (fault ${id})`);
    }
    await this.refresh();
    const dto = this.toDto(result.row);
    if (!dto) throw new FaultsException(FaultsErrorCode.NOT_FOUND, `no fault ${id}`);
    return dto;
  }

  // ---- state

  /** Re-reads the active faults now (the poll calls it; plant and clear too, for this instance). */
  async refresh(): Promise<void> {
    if (!this.config.faultsEnabled) return;
    const next = new Map<string, ActiveFault>();
    for (const row of await this.faults.active()) {
      const defect = findDefect(row.defect);
      // rows are oldest first: the newest plant of a defect sets its parameters
      if (defect) next.set(defect.id, toActive(row, defect));
    }
    const byTool = new Map<string, ActiveFault[]>();
    for (const defect of FAULT_CATALOG) {
      const fault = next.get(defect.id);
      if (fault) byTool.set(defect.tool, [...(byTool.get(defect.tool) ?? []), fault]);
    }
    this.byDefect = next;
    this.byTool = byTool;
  }

  private async poll(): Promise<void> {
    if (this.inFlight) return;
    this.inFlight = this.refresh()
      .then(() => {
        if (this.pollFailing) this.logger.log('reading the planted faults works again');
        this.pollFailing = false;
      })
      .catch((error: unknown) => {
        // keep the last known faults; say so once per outage, not every poll
        if (!this.pollFailing) {
          this.logger.warn(`could not read the planted faults (keeping the last known): ${String(error)}`);
        }
        this.pollFailing = true;
      })
      .finally(() => {
        this.inFlight = undefined;
      });
    await this.inFlight;
  }

  private ensureEnabled(): void {
    if (!this.config.faultsEnabled) {
      throw new FaultsException(
        FaultsErrorCode.LAB_DISABLED,
        'The fault lab is off in production; set FAULTS_ENABLED=true to use it',
      );
    }
  }

  private toDto(row: FaultEntity): FaultDto | undefined {
    const defect = findDefect(row.defect);
    if (!defect) return undefined;
    const applied = toActive(row, defect);
    return {
      id: row.id,
      defect: defect.id,
      class: defect.class,
      module: defect.module,
      tool: defect.tool,
      probability: applied.probability,
      delayMs: applied.delayMs,
      note: row.note,
      plantedBy: row.plantedBy,
      plantedAt: row.plantedAt.toISOString(),
      clearedBy: row.clearedBy,
      clearedAt: row.clearedAt ? row.clearedAt.toISOString() : null,
      active: row.clearedAt === null,
    };
  }
}

function toActive(row: FaultEntity, defect: FaultDefect): ActiveFault {
  const delay = defect.parameters.delayMs;
  return {
    id: row.id,
    defect,
    probability: row.probability ?? defect.parameters.probability.default,
    delayMs: delay ? (row.delayMs ?? delay.default) : null,
    plantedAt: row.plantedAt,
  };
}

function toDefectDto(defect: FaultDefect): FaultDefectDto {
  return {
    id: defect.id,
    class: defect.class,
    module: defect.module,
    tool: defect.tool,
    description: defect.description,
    parameters: { ...defect.parameters },
  };
}
