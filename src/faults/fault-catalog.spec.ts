import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/app-config.js';
import { ConfigError } from '../config/config.error.js';
import {
  FAULT_CATALOG,
  FAULT_CLASSES,
  faultSpecProblems,
  findDefect,
  parseFaultSpecs,
} from './fault-catalog.js';

/** Every source file of an app module, concatenated (to find the code paths that name a defect). */
function moduleSource(module: string): string {
  const dir = join(process.cwd(), 'src', 'modules', module);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

describe('FAULT_CATALOG', () => {
  it('should have unique ids', () => {
    const ids = FAULT_CATALOG.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('should hold at least 14 defects over at least 6 modules', () => {
    expect(FAULT_CATALOG.length).toBeGreaterThanOrEqual(14);
    expect(new Set(FAULT_CATALOG.map((d) => d.module)).size).toBeGreaterThanOrEqual(6);
  });

  it.each(FAULT_CLASSES)('should have at least two %s defects', (cls) => {
    expect(FAULT_CATALOG.filter((d) => d.class === cls).length).toBeGreaterThanOrEqual(2);
  });

  it.each(FAULT_CATALOG.map((d) => [d.id, d] as const))(
    'should name a real tool of its module and a code path in it: %s',
    (id, defect) => {
      expect(defect.tool.startsWith(`${defect.module}.`)).toBe(true);
      expect(id.startsWith(`${defect.tool}.`)).toBe(true);
      const source = moduleSource(defect.module);
      expect(source).toContain(`name: '${defect.tool}'`);
      expect(source).toContain(`'${id}'`);
    },
  );

  it('should give a delay parameter to slow defects only, with the documented default', () => {
    for (const d of FAULT_CATALOG) {
      const delay = (d.parameters as { delayMs?: { default: number } }).delayMs;
      expect(delay !== undefined).toBe(d.class === 'slow');
      if (delay) expect(delay.default).toBe(3000);
      expect(d.parameters.probability.default).toBeGreaterThan(0);
      expect(d.parameters.probability.default).toBeLessThanOrEqual(1);
    }
  });
});

describe(parseFaultSpecs.name, () => {
  it('should accept a list of ids and of objects', () => {
    const { specs, problems } = parseFaultSpecs(
      '["todo.list.drops-newest", {"defect": "todo.list.slow", "delayMs": 250, "probability": 0.5}]',
    );
    expect(problems).toEqual([]);
    expect(specs).toEqual([
      { defect: 'todo.list.drops-newest' },
      { defect: 'todo.list.slow', delayMs: 250, probability: 0.5 },
    ]);
  });

  it('should name the unknown defect, the bad parameter and the unknown field', () => {
    const { specs, problems } = parseFaultSpecs(
      '["todo.nope", {"defect": "todo.list.drops-newest", "delayMs": 10}, {"defect": "mood.recent.slow", "probability": 2}, {"defect": "todo.list.slow", "when": 1}]',
    );
    expect(specs).toEqual([]);
    expect(problems).toEqual([
      expect.stringContaining('unknown defect "todo.nope"'),
      expect.stringContaining('delayMs does not apply to todo.list.drops-newest'),
      expect.stringContaining('probability must be a number from 0 to 1'),
      expect.stringContaining('unknown fields: when'),
    ]);
  });

  it('should refuse what is not a JSON list', () => {
    expect(parseFaultSpecs('todo.list.slow').problems).toEqual([expect.stringContaining('JSON list')]);
    expect(parseFaultSpecs('{"defect":"todo.list.slow"}').problems).toEqual([
      expect.stringContaining('JSON list'),
    ]);
  });
});

describe(faultSpecProblems.name, () => {
  it('should bound delayMs and note', () => {
    const slow = findDefect('todo.list.slow')!;
    expect(faultSpecProblems(slow, { delayMs: 60_001 })).toEqual([expect.stringContaining('delayMs')]);
    expect(faultSpecProblems(slow, { delayMs: 1.5 })).toEqual([expect.stringContaining('delayMs')]);
    expect(faultSpecProblems(slow, { note: 'x'.repeat(501) })).toEqual([expect.stringContaining('note')]);
    expect(faultSpecProblems(slow, { delayMs: 0, probability: 0, note: 'ok' })).toEqual([]);
  });
});

describe('FAULTS in the configuration', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'mana-faults-config-'));
  const configError = (env: Record<string, string>): ConfigError => {
    try {
      loadConfig({ DATA_DIR: dataDir, ...env });
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
    throw new Error('loadConfig accepted the environment');
  };

  it('should plant nothing, poll every 2 s and be on outside production by default', () => {
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(config.faultsAtBoot).toEqual([]);
    expect(config.faultsPollMs).toBe(2000);
    expect(config.faultsEnabled).toBe(true);
  });

  it('should parse FAULTS into the specs to plant at boot', () => {
    const config = loadConfig({ DATA_DIR: dataDir, FAULTS: '["notes.create.not-persisted"]' });
    expect(config.faultsAtBoot).toEqual([{ defect: 'notes.create.not-persisted' }]);
  });

  it('should fail the boot on an unknown defect, naming FAULTS and the id', () => {
    const error = configError({ FAULTS: '["todo.list.drops-oldest"]' });
    expect(error.problems).toEqual([
      expect.stringMatching(/^FAULTS .*unknown defect "todo.list.drops-oldest"/),
    ]);
  });

  it('should refuse FAULTS when the lab is off, and a bad FAULTS_POLL_MS', () => {
    const error = configError({
      FAULTS: '["todo.list.slow"]',
      FAULTS_ENABLED: 'false',
      FAULTS_POLL_MS: '10',
    });
    const named = error.problems.map((p) => p.split(' ')[0]).sort();
    expect(named).toEqual(['FAULTS', 'FAULTS_POLL_MS']);
  });
});
