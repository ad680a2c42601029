import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { builtFile, embeddedDb, freePort } from '../support/test-app.js';
import { waitFor } from '../support/wait-for.js';

const hasScript = spawnSync('script', ['--version']).status === 0;

interface Running {
  child: ChildProcess;
  port: number;
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts the compiled server (this run's private build); through `script` for a pseudo-terminal. */
async function startServer(tty: boolean): Promise<Running> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'mana-console-'));
  const env: Record<string, string | undefined> = {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'auto',
    LOG_REQUESTS: 'false',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    RUNNER_ENABLED: 'false',
    // the suite's embedded database takes one connection: the child makes its own then
    DATABASE_URL: embeddedDb() ? '' : process.env.DATABASE_URL,
  };
  const main = builtFile('src/main.js');
  const child = tty
    ? spawn('script', ['-qfc', `${process.execPath} ${main}`, '/dev/null'], {
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
      })
    : spawn(process.execPath, [main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor('the server to be ready', async () => out.includes('Mana Personas listening'), 60_000);
  return {
    child,
    port,
    output: () => out,
    stop: async () => {
      child.kill('SIGINT');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function call(port: number, method: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(method === 'POST' ? '{}' : undefined);
  });
}

// eslint-disable-next-line no-control-regex -- ANSI colour codes are what is stripped
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').replace(/\r\n/g, '\n');

describe('console format', () => {
  it('should write JSON lines through a pipe: failed requests only, /mcp with its real status code', async () => {
    const server = await startServer(false);
    try {
      expect(await call(server.port, 'GET', '/health')).toBe(200);
      expect(await call(server.port, 'GET', '/api/docs-json')).toBe(200);
      expect(await call(server.port, 'GET', '/api/v1/no-such-route')).toBe(404);
      expect(await call(server.port, 'POST', '/mcp')).toBe(401);
      await waitFor('the request lines', async () => server.output().includes('"statusCode":401'));
      const lines = server
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { res?: { statusCode: number | null }; req?: { url: string } });
      const requests = lines.filter((l) => l.req && l.res);
      expect(requests.map((l) => [l.req?.url, l.res?.statusCode])).toEqual([
        ['/api/v1/no-such-route', 404],
        ['/mcp', 401],
      ]);
      expect(server.output()).not.toContain('\x1b[');
    } finally {
      await server.stop();
    }
  });

  (hasScript ? it : it.skip)('should print readable lines and a framed banner on a terminal', async () => {
    const server = await startServer(true);
    try {
      expect(await call(server.port, 'GET', '/api/docs-json')).toBe(200);
      expect(await call(server.port, 'POST', '/mcp')).toBe(401);
      await waitFor('the /mcp line', async () => /POST \/mcp\S* \S*401/.test(stripAnsi(server.output())));
      const text = stripAnsi(server.output());
      expect(text).toMatch(/─{20,}\n│ Mana Personas listening on http:\/\/127\.0\.0\.1:\d+/);
      expect(text).toMatch(/\d\d:\d\d:\d\d\.\d{3}\] INFO: \[RunnerScheduler\] runner disabled/);
      expect(text).not.toMatch(/\[(NestApplication|RouterExplorer)\]/); // Nest's boot lines are debug
      expect(text).toMatch(/WARN.*POST \/mcp 401 \d+ ms/);
      expect(text).not.toContain('/api/docs-json');
      expect(text).not.toContain('{"level"');
    } finally {
      await server.stop();
    }
  });
});
