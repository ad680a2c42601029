import { FAULT_CATALOG } from '../faults/fault-catalog.js';
import type { DefectSignature } from './findings.repository.js';

/**
 * Each plantable defect's (module, tool, class), the key a finding group must share to match a
 * planted fault. The catalog is a pure constant of src/faults, read here and never written.
 */
export function defectSignatures(): DefectSignature[] {
  return FAULT_CATALOG.map((d) => ({ defect: d.id, module: d.module, tool: d.tool, findingClass: d.class }));
}
