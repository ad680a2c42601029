import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MEMORY_DIST, app, check, checkWorkspace, report } from './check-support.js';

describe('npm run check against server-memory with planted defects: baselines, semantics, flaky', () => {
  const ws = checkWorkspace();

  it('should find a read-only search that writes (read-only.changed), accept it through a baseline, and call it stale once fixed', async () => {
    const script = ws.memoryWith(
      'search-writes',
      'async searchNodes(query) {\n        const graph = await this.loadGraph();',
      'async searchNodes(query) {\n        const graph = await this.loadGraph();\n' +
        '        graph.entities.forEach((e) => e.observations.push(`searched ${query}`));\n' +
        '        await this.saveGraph(graph);',
    );
    const baseline = join(ws.work, 'baseline.json');
    const first = await check([
      ...ws.stdioArgs(script, 'writes'),
      '--personas',
      ws.personas,
      '--baseline',
      baseline,
      '--update-baseline',
    ]);
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/NEW\s+search_nodes wrong_result read-only\.changed/);
    const accepted = JSON.parse(readFileSync(baseline, 'utf8'));
    expect(accepted.findings.map((f: { fingerprint: string }) => f.fingerprint)).toContain(
      'search_nodes|wrong_result|read-only.changed',
    );

    const again = await check([
      ...ws.stdioArgs(script, 'writes-2'),
      '--personas',
      ws.personas,
      '--baseline',
      baseline,
    ]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/accepted\s+search_nodes wrong_result read-only\.changed/);

    const fixed = [
      ...ws.stdioArgs(join(MEMORY_DIST, 'index.js'), 'fixed'),
      '--personas',
      ws.personas,
      '--baseline',
      baseline,
    ];
    expect((await check(fixed)).code).toBe(0);
    const strict = await check([...fixed, '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/STALE\s+search_nodes wrong_result read-only\.changed/);
  }, 600_000);

  it('should, with its semantics file, find a delete that keeps the entities and a search that became case-sensitive, and nothing on the unmodified server', async () => {
    const semantics = ['--semantics', 'examples/server-memory.semantics.json'];
    const run = async (script: string, tag: string): Promise<{ code: number; found: string[] }> => {
      const json = join(ws.work, `${tag}.json`);
      const r = await check([
        ...ws.stdioArgs(script, tag),
        '--personas',
        ws.personas,
        ...semantics,
        '--json',
        json,
      ]);
      return { code: r.code, found: app(report(json)) };
    };
    expect(await run(join(MEMORY_DIST, 'index.js'), 'semantics-clean')).toEqual({ code: 0, found: [] });

    const keeps = ws.memoryWith(
      'delete-keeps',
      'graph.entities = graph.entities.filter(e => !entityNames.includes(e.name));',
      'graph.entities = graph.entities.filter(() => true);',
    );
    const kept = await run(keeps, 'semantics-keeps');
    expect(kept.code).toBe(1);
    expect(kept.found).toContain('read_graph wrong_result use-after-delete.read_graph');
    expect(kept.found.every((f) => f.includes('use-after-delete'))).toBe(true);

    const sensitive = ws.memoryWith(
      'case-sensitive',
      'const filteredEntities = graph.entities.filter(e => e.name.toLowerCase().includes(query.toLowerCase()) ||\n' +
        '            e.entityType.toLowerCase().includes(query.toLowerCase()) ||\n' +
        '            e.observations.some(o => o.toLowerCase().includes(query.toLowerCase())));',
      'const filteredEntities = graph.entities.filter(e => e.name.includes(query) ||\n' +
        '            e.entityType.includes(query) || e.observations.some(o => o.includes(query)));',
    );
    const cased = await run(sensitive, 'semantics-case');
    expect(cased.code).toBe(1);
    expect(cased.found).toEqual(['search_nodes wrong_result read-your-writes.search_nodes']);
  }, 400_000);

  it('should mark a finding that only one of --repeat 3 runs saw as flaky, and not fail the build on it', async () => {
    // the defect fires on the first search with a hit the server ever answers for this memory file:
    // in the first run only (the runs share the file, as repeated CI runs share a server)
    const script = ws.memoryWith(
      'first-search-drops-type',
      'const filteredGraph = {\n            entities: filteredEntities,',
      'const filteredGraph = {\n            entities: filteredEntities.length > 0 &&\n' +
        "                await fs.writeFile(this.memoryFilePath + '.searched', '', { flag: 'wx' }).then(() => true, () => false)\n" +
        '                ? filteredEntities.map(({ entityType, ...e }) => e) : filteredEntities,',
    );
    const json = join(ws.work, 'repeat.json');
    const run = await check([
      ...ws.stdioArgs(script, 'repeat'),
      '--personas',
      ws.personas,
      '--repeat',
      '3',
      '--json',
      json,
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/FLAKY\s+search_nodes contract contract\.output-schema/);
    expect(run.stdout).toMatch(/× 3 run\(s\)/);
    const r = report(json);
    expect(r.findings).toEqual([
      expect.objectContaining({ tool: 'search_nodes', check: 'contract.output-schema', flaky: true }),
    ]);
  }, 400_000);
});
