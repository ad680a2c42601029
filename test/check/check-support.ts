/** Shared by the `npm run check` suites (split in files so jest's workers run them side by side). */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { builtFile } from '../support/test-app.js';

export interface CheckRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface JsonReport {
  ticks: number;
  failedTicks: number;
  tools: Array<{ name: string; calls: number }>;
  skipped: Array<{ name: string; why: string }>;
  findings: Array<{ tool: string; class: string; check: string; status: string; flaky?: boolean }>;
  stale: unknown[];
  exitCode: number;
}

export const MEMORY_DIST = 'node_modules/@modelcontextprotocol/server-memory/dist';
export const EVERYTHING = 'node_modules/@modelcontextprotocol/server-everything/dist/index.js';

/** `npm run check` as its own process: the compiled CLI, from the project folder. */
export function check(args: string[], timeout = 240_000): Promise<CheckRun> {
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

export const report = (path: string): JsonReport => JSON.parse(readFileSync(path, 'utf8')) as JsonReport;
export const app = (r: JsonReport) => r.findings.map((f) => `${f.tool} ${f.class} ${f.check}`);

/** A suite's working folder, its two-persona catalog, and copies of server-memory with a defect each. */
export interface CheckWorkspace {
  work: string;
  personas: string;
  /** A copy of the memory server with `from` replaced by `to` in its code. */
  memoryWith(name: string, from: string, to: string): string;
  stdioArgs(script: string, tag: string): string[];
}

/** Makes the workspace before the suite's tests and removes it after them. */
export function checkWorkspace(): CheckWorkspace {
  /** Copies of server-memory inside the project so their imports resolve; one folder per suite. */
  const copies = resolve(`.test-build/memory-defects-${process.pid}-${process.env.JEST_WORKER_ID ?? '1'}`);
  const ws: CheckWorkspace = {
    work: '',
    personas: '',
    memoryWith: (name, from, to) => {
      const dir = join(copies, name);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      cpSync(MEMORY_DIST, dir, { recursive: true });
      const file = join(dir, 'index.js');
      const code = readFileSync(file, 'utf8');
      if (!code.includes(from))
        throw new Error(`the memory server no longer contains ${JSON.stringify(from)}`);
      writeFileSync(file, code.replace(from, to));
      return file;
    },
    stdioArgs: (script, tag) => [
      '--stdio',
      `node ${script}`,
      '--env',
      `MEMORY_FILE_PATH=${join(ws.work, `${tag}.jsonl`)}`,
    ],
  };
  beforeAll(() => {
    ws.work = mkdtempSync(join(tmpdir(), 'mana-check-e2e-'));
    // two catalog personas keep each run short; the catalog's schema and rules apply as ever
    const catalog = JSON.parse(readFileSync('catalog/personas.json', 'utf8')) as {
      personas: Array<{ email: string }>;
      spaces: unknown[];
    };
    ws.personas = join(ws.work, 'personas.json');
    writeFileSync(
      ws.personas,
      JSON.stringify({ ...catalog, $schema: undefined, personas: catalog.personas.slice(0, 2), spaces: [] }),
    );
  });
  afterAll(() => {
    rmSync(ws.work, { recursive: true, force: true });
    rmSync(copies, { recursive: true, force: true });
  });
  return ws;
}
