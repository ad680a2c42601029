import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { MEMORY_DIST, app, check, checkWorkspace, report } from './check-support.js';

describe('npm run check against server-memory (stdio), nobody here wrote it: clean, and a broken contract', () => {
  const ws = checkWorkspace();

  it('should give an unmodified server-memory (stdio) no finding, call every tool, and write reports that parse', async () => {
    const json = join(ws.work, 'memory.json');
    const junit = join(ws.work, 'memory.xml');
    const run = await check([
      ...ws.stdioArgs(join(MEMORY_DIST, 'index.js'), 'clean'),
      '--personas',
      ws.personas,
      '--days',
      '2',
      '--json',
      json,
      '--junit',
      junit,
    ]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const r = report(json);
    expect(app(r)).toEqual([]);
    expect(r).toMatchObject({ ticks: 4, failedTicks: 0, exitCode: 0 });
    expect(r.tools.filter((t) => t.calls === 0)).toEqual([]);
    expect(run.stdout).toContain('0 new, 0 accepted, 0 flaky, 0 stale → exit 0');
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(
      readFileSync(junit, 'utf8'),
    );
    expect(xml.testsuites).toMatchObject({ tests: '9', failures: '0' });
    // the personas marked what they wrote: each row is its writer's
    const stored = readFileSync(join(ws.work, 'clean.jsonl'), 'utf8');
    expect(stored).toMatch(/p-[0-9a-z]{7}/);
  }, 300_000);

  it('should find a search that drops a field its output schema requires (contract), and fail the run', async () => {
    const script = ws.memoryWith(
      'search-drops-type',
      'const filteredGraph = {\n            entities: filteredEntities,',
      'const filteredGraph = {\n            entities: filteredEntities.map(({ entityType, ...e }) => e),',
    );
    const json = join(ws.work, 'drops.json');
    const sarif = join(ws.work, 'drops.sarif');
    const run = await check([
      ...ws.stdioArgs(script, 'drops'),
      '--personas',
      ws.personas,
      '--json',
      json,
      '--sarif',
      sarif,
    ]);
    expect(run.code).toBe(1);
    expect(app(report(json))).toContain('search_nodes contract contract.output-schema');
    expect(report(json).findings.every((f) => f.tool === 'search_nodes')).toBe(true);
    const log = JSON.parse(readFileSync(sarif, 'utf8'));
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0].results[0]).toMatchObject({ ruleId: 'contract.output-schema', level: 'error' });
  }, 300_000);
});
