import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { builtFile } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';
import { freePort } from '../../src/common/free-port.js';

interface CheckRun {
  code: number;
  stdout: string;
  stderr: string;
}

interface JsonReport {
  ticks: number;
  failedTicks: number;
  tools: Array<{ name: string; calls: number }>;
  skipped: Array<{ name: string; why: string }>;
  findings: Array<{ tool: string; class: string; check: string; status: string; flaky?: boolean }>;
  stale: unknown[];
  exitCode: number;
}

const MEMORY_DIST = 'node_modules/@modelcontextprotocol/server-memory/dist';
const EVERYTHING = 'node_modules/@modelcontextprotocol/server-everything/dist/index.js';

/** `npm run check` as its own process: the compiled CLI, from the project folder. */
function check(args: string[], timeout = 240_000): Promise<CheckRun> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [builtFile('scripts/check.js'), ...args],
      {
        cwd: process.cwd(),
        timeout,
        env: { ...process.env, PERSONA_SEED: 'check-e2e', CHECK_LOG_LEVEL: 'error' },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

const report = (path: string): JsonReport => JSON.parse(readFileSync(path, 'utf8')) as JsonReport;
const app = (r: JsonReport) => r.findings.map((f) => `${f.tool} ${f.class} ${f.check}`);

describe('npm run check against MCP servers nobody here wrote', () => {
  let work: string;
  let personas: string;
  /** Copies of server-memory with one defect each, inside the project so their imports resolve. */
  const copies = resolve('.test-build/memory-defects');

  /** A copy of the memory server with `from` replaced by `to` in its code. */
  const memoryWith = (name: string, from: string, to: string): string => {
    const dir = join(copies, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    cpSync(MEMORY_DIST, dir, { recursive: true });
    const file = join(dir, 'index.js');
    const code = readFileSync(file, 'utf8');
    if (!code.includes(from)) throw new Error(`the memory server no longer contains ${JSON.stringify(from)}`);
    writeFileSync(file, code.replace(from, to));
    return file;
  };
  const stdioArgs = (script: string, tag: string) => [
    '--stdio',
    `node ${script}`,
    '--env',
    `MEMORY_FILE_PATH=${join(work, `${tag}.jsonl`)}`,
  ];

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'mana-check-e2e-'));
    // two catalog personas keep each run short; the catalog's schema and rules apply as ever
    const catalog = JSON.parse(readFileSync('catalog/personas.json', 'utf8')) as {
      personas: Array<{ email: string }>;
      spaces: unknown[];
    };
    personas = join(work, 'personas.json');
    writeFileSync(
      personas,
      JSON.stringify({ ...catalog, $schema: undefined, personas: catalog.personas.slice(0, 2), spaces: [] }),
    );
  });
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(copies, { recursive: true, force: true });
  });

  it('should give an unmodified server-memory (stdio) no finding, call every tool, and write reports that parse', async () => {
    const json = join(work, 'memory.json');
    const junit = join(work, 'memory.xml');
    const run = await check([
      ...stdioArgs(join(MEMORY_DIST, 'index.js'), 'clean'),
      '--personas',
      personas,
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
    const stored = readFileSync(join(work, 'clean.jsonl'), 'utf8');
    expect(stored).toMatch(/p-[0-9a-z]{7}/);
  }, 300_000);

  it('should find a search that drops a field its output schema requires (contract), and fail the run', async () => {
    const script = memoryWith(
      'search-drops-type',
      'const filteredGraph = {\n            entities: filteredEntities,',
      'const filteredGraph = {\n            entities: filteredEntities.map(({ entityType, ...e }) => e),',
    );
    const json = join(work, 'drops.json');
    const sarif = join(work, 'drops.sarif');
    const run = await check([
      ...stdioArgs(script, 'drops'),
      '--personas',
      personas,
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

  it('should find a read-only search that writes (read-only.changed), accept it through a baseline, and call it stale once fixed', async () => {
    const script = memoryWith(
      'search-writes',
      'async searchNodes(query) {\n        const graph = await this.loadGraph();',
      'async searchNodes(query) {\n        const graph = await this.loadGraph();\n' +
        '        graph.entities.forEach((e) => e.observations.push(`searched ${query}`));\n' +
        '        await this.saveGraph(graph);',
    );
    const baseline = join(work, 'baseline.json');
    const first = await check([
      ...stdioArgs(script, 'writes'),
      '--personas',
      personas,
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
      ...stdioArgs(script, 'writes-2'),
      '--personas',
      personas,
      '--baseline',
      baseline,
    ]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/accepted\s+search_nodes wrong_result read-only\.changed/);

    const fixed = [
      ...stdioArgs(join(MEMORY_DIST, 'index.js'), 'fixed'),
      '--personas',
      personas,
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
      const json = join(work, `${tag}.json`);
      const r = await check([
        ...stdioArgs(script, tag),
        '--personas',
        personas,
        ...semantics,
        '--json',
        json,
      ]);
      return { code: r.code, found: app(report(json)) };
    };
    expect(await run(join(MEMORY_DIST, 'index.js'), 'semantics-clean')).toEqual({ code: 0, found: [] });

    const keeps = memoryWith(
      'delete-keeps',
      'graph.entities = graph.entities.filter(e => !entityNames.includes(e.name));',
      'graph.entities = graph.entities.filter(() => true);',
    );
    const kept = await run(keeps, 'semantics-keeps');
    expect(kept.code).toBe(1);
    expect(kept.found).toContain('read_graph wrong_result use-after-delete.read_graph');
    expect(kept.found.every((f) => f.includes('use-after-delete'))).toBe(true);

    const sensitive = memoryWith(
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
    const script = memoryWith(
      'first-search-drops-type',
      'const filteredGraph = {\n            entities: filteredEntities,',
      'const filteredGraph = {\n            entities: filteredEntities.length > 0 &&\n' +
        "                await fs.writeFile(this.memoryFilePath + '.searched', '', { flag: 'wx' }).then(() => true, () => false)\n" +
        '                ? filteredEntities.map(({ entityType, ...e }) => e) : filteredEntities,',
    );
    const json = join(work, 'repeat.json');
    const run = await check([
      ...stdioArgs(script, 'repeat'),
      '--personas',
      personas,
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

  describe('server-everything over Streamable HTTP', () => {
    let server: ChildProcess;
    let url: string;

    beforeAll(async () => {
      const port = await freePort();
      server = spawn(process.execPath, [EVERYTHING, 'streamableHttp'], {
        env: { ...process.env, PORT: String(port) },
        stdio: 'ignore',
      });
      url = `http://127.0.0.1:${port}/mcp`;
      await waitFor(
        'server-everything to listen',
        async () => (await fetch(url, { method: 'GET' }).catch(() => undefined)) !== undefined || undefined,
        20_000,
      );
    });
    afterAll(async () => {
      server.kill('SIGTERM');
      if (server.exitCode === null) await once(server, 'exit');
    });

    it('should give it no finding, skip the tool that needs task-based execution, and judge its slow tool by its own calls', async () => {
      const json = join(work, 'everything.json');
      const run = await check([
        '--target',
        url,
        '--header',
        'X-Test: 1',
        '--personas',
        personas,
        '--json',
        json,
      ]);
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      const r = report(json);
      expect(app(r)).toEqual([]);
      expect(r.skipped).toEqual([{ name: 'simulate-research-query', why: expect.stringContaining('task') }]);
      expect(r.tools.find((t) => t.name === 'trigger-long-running-operation')?.calls).toBeGreaterThan(0);
      expect(run.stdout).toContain('skipped simulate-research-query');
    }, 300_000);
  });

  describe('exit code 2: usage, connection and authentication problems', () => {
    it.each([
      [['--target', 'not a url'], /--target "not a url" is not a URL/],
      [['--target', 'ftp://example.com/mcp'], /not an http\(s\) URL/],
      [
        ['--target', 'http://127.0.0.1:1/mcp', '--header', 'Authorization Bearer x'],
        /--header: .*not a header line/,
      ],
      [['--stdio', 'node "x.js'], /--stdio: unclosed/],
      [['--env', 'A=1'], /--env needs --stdio/],
      [['--days', '0'], /--days must be a whole number from 1 to 30/],
      [['--brain', 'clever'], /--brain must be scripted or anthropic/],
      [['--unknown'], /Unknown option '--unknown'/],
      [['--update-baseline'], /--update-baseline needs --baseline/],
      [
        ['--stdio', 'node x.js', '--semantics', 'nowhere.json'],
        /cannot read the semantics file nowhere.json/,
      ],
      [['--personas', 'nowhere.json'], /Invalid persona catalog nowhere\.json:\n {2}- cannot be read/],
      [['--personas', 'package.json'], /Invalid persona catalog package\.json/],
    ])('should refuse %j naming the problem', async (args, message) => {
      const run = await check(args as string[], 30_000);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
    });

    it('should say so when the server cannot be reached, or refuses the credentials', async () => {
      const closed = await freePort();
      const refused = await check(['--target', `http://127.0.0.1:${closed}/mcp`], 60_000);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/cannot use http:\/\/127\.0\.0\.1:\d+\/mcp: connection failed/);

      const guard = createServer((_req, res) => {
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
        res.end('{"error":"unauthorized"}');
      }).listen(0, '127.0.0.1');
      await once(guard, 'listening');
      try {
        const port = (guard.address() as AddressInfo).port;
        const denied = await check(
          ['--target', `http://127.0.0.1:${port}/mcp`, '--header', 'Authorization: Bearer wrong-s3cret'],
          60_000,
        );
        expect(denied.code).toBe(2);
        expect(denied.stderr).toMatch(/authentication failed/);
        // the header's name may be shown, never its value
        expect(`${denied.stdout}${denied.stderr}`).not.toContain('wrong-s3cret');
      } finally {
        guard.close();
      }

      const missing = await check(['--stdio', 'definitely-not-a-command-here --x'], 60_000);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/cannot use stdio: definitely-not-a-command-here --x/);
      expect(existsSync(join(work, 'never.json'))).toBe(false);
    }, 180_000);
  });
});
