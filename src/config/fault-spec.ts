/**
 * `FAULTS`, read as syntax only: which defects to plant at boot and with what parameters. Whether a
 * defect exists, and which parameters it takes, is the fault lab's to say (src/faults: the catalog
 * and `bootFaultProblems`); the config checks what holds for every defect alike.
 */

/** Bounds of the plantable parameters (the API, FAULTS and the `faults` table's CHECKs agree on them). */
export const MAX_DELAY_MS = 60_000;
export const MAX_NOTE_LENGTH = 500;

/** What a plant asks for; omitted parameters take the defect's defaults when applied. */
export interface FaultSpec {
  defect: string;
  probability?: number;
  delayMs?: number;
  note?: string;
}

const FIELDS = ['defect', 'probability', 'delayMs', 'note'];
const NOT_A_LIST = 'must be a JSON list, e.g. ["todo.list.drops-newest"]';

/**
 * Problems with a spec's parameters that do not depend on the defect, one sentence each naming the
 * field (empty: fine): probability 0..1, delayMs a whole number 0..MAX_DELAY_MS, note a short string.
 */
export function faultParameterProblems(spec: Omit<FaultSpec, 'defect'>): string[] {
  const problems: string[] = [];
  const p = spec.probability;
  if (p !== undefined && (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 1)) {
    problems.push('probability must be a number from 0 to 1');
  }
  const d = spec.delayMs;
  if (d !== undefined && (typeof d !== 'number' || !Number.isInteger(d) || d < 0 || d > MAX_DELAY_MS)) {
    problems.push(`delayMs must be a whole number from 0 to ${MAX_DELAY_MS}`);
  }
  const n = spec.note;
  if (n !== undefined && (typeof n !== 'string' || n.length > MAX_NOTE_LENGTH)) {
    problems.push(`note must be a string of at most ${MAX_NOTE_LENGTH} characters`);
  }
  return problems;
}

/**
 * Parses `FAULTS`: a JSON list of defect ids or of `{ defect, probability?, delayMs?, note? }`.
 * Answers the specs and a readable problem for each bad entry (`entry <i>…`). The ids are not looked
 * up here: the lab checks them against its catalog at boot (`bootFaultProblems`), and since any
 * problem here stops the boot, the specs it gets are the entries in order (`entry <i>` agrees).
 */
export function parseFaultSpecs(json: string): { specs: FaultSpec[]; problems: string[] } {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { specs: [], problems: [NOT_A_LIST] };
  }
  if (!Array.isArray(value)) return { specs: [], problems: [NOT_A_LIST] };
  const specs: FaultSpec[] = [];
  const problems: string[] = [];
  value.forEach((entry: unknown, i) => {
    const spec = (typeof entry === 'string' ? { defect: entry } : entry) as Record<string, unknown> | null;
    if (typeof spec !== 'object' || spec === null || Array.isArray(spec) || typeof spec.defect !== 'string') {
      problems.push(`entry ${i} must be a catalog id or an object with a "defect" id`);
      return;
    }
    const extra = Object.keys(spec).filter((k) => !FIELDS.includes(k));
    if (extra.length > 0) problems.push(`entry ${i} has unknown fields: ${extra.join(', ')}`);
    const parsed = spec as unknown as FaultSpec;
    const own = faultParameterProblems(parsed);
    problems.push(...own.map((p) => `entry ${i} (${parsed.defect}): ${p}`));
    if (own.length === 0 && extra.length === 0) specs.push(parsed);
  });
  return { specs, problems };
}
