import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../src/common/free-port.js';
import { waitFor } from '../support/wait-for.js';
import { EVERYTHING, app, check, checkWorkspace, report } from './check-support.js';

describe('npm run check over Streamable HTTP, and its exit code 2', () => {
  const ws = checkWorkspace();

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
      const json = join(ws.work, 'everything.json');
      const run = await check([
        '--target',
        url,
        '--header',
        'X-Test: 1',
        '--personas',
        ws.personas,
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
      expect(existsSync(join(ws.work, 'never.json'))).toBe(false);
    }, 180_000);
  });
});
