import { faultParameterProblems } from '../config/fault-spec.js';
import type { FaultSpec } from '../config/fault-spec.js';
import { findDefect } from './fault-catalog.js';
import type { FaultDefect } from './fault-catalog.js';

/**
 * Problems with a spec for a known defect, one sentence each naming the field (empty: fine): the
 * ranges every defect shares (src/config/fault-spec.ts), and `delayMs` on slow defects only.
 */
export function faultSpecProblems(defect: FaultDefect, spec: Omit<FaultSpec, 'defect'>): string[] {
  const { probability, delayMs, note } = spec;
  const delay =
    delayMs !== undefined && !defect.parameters.delayMs
      ? [`delayMs does not apply to ${defect.id} (only slow defects take a delay)`]
      : faultParameterProblems({ delayMs });
  return [...faultParameterProblems({ probability }), ...delay, ...faultParameterProblems({ note })];
}

/**
 * `FAULTS` checked against the catalog. The config parsed it as syntax only (and any problem there
 * stops the boot first, so `specs` are its entries in order); here every id must name a defect and
 * its parameters must fit it. The problems read like the config's (`FAULTS entry 0: unknown defect
 * "…"`): main.ts and FaultsService throw them as a ConfigError.
 */
export function bootFaultProblems(specs: readonly FaultSpec[]): string[] {
  return specs.flatMap((spec, i) => {
    const defect = findDefect(spec.defect);
    if (!defect) {
      return [`FAULTS entry ${i}: unknown defect "${spec.defect}" (GET /api/v1/faults/catalog lists them)`];
    }
    return faultSpecProblems(defect, spec).map((p) => `FAULTS entry ${i} (${defect.id}): ${p}`);
  });
}
