import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadCatalog } from '../../src/personas/catalog/catalog.js';
import { derivePersonaPassword } from '../../src/personas/persona-password.js';
import { http } from '../support/http.js';
import type { TestApp } from '../support/test-app.js';
import { builtFile } from '../support/test-app.js';
import { createAdmin, registerUser } from '../support/factories.js';
import type { TestUser } from '../support/factories.js';
import { createPersona } from '../support/personas.js';
import { bootPersonasApp, rowCounts } from './personas-support.js';

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a compiled CLI as its own process, the way `npm run seed:personas` does. */
function runCli(
  script: string,
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<CliRun> {
  const childEnv: Record<string, string | undefined> = { ...process.env, MANA_ADMIN_JWT: undefined, ...env };
  for (const k of Object.keys(childEnv)) if (childEnv[k] === undefined) delete childEnv[k];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [builtFile(`scripts/${script}.js`), ...args],
      { env: childEnv as NodeJS.ProcessEnv, cwd: process.cwd(), timeout: 50_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('seed-personas CLI', () => {
  let t: TestApp;
  let admin: TestUser;
  const catalog = loadCatalog();
  const emails = catalog.personas.map((p) => p.email);

  beforeAll(async () => {
    t = await bootPersonasApp();
    admin = await createAdmin(t);
  });
  afterAll(() => t.close());

  const snapshot = async () => ({
    counts: await rowCounts(t, ['users', 'personas', 'spaces', 'space_members']),
    users: await t.dataSource.query(
      `SELECT u.id, u.updated_at, u.password_hash, p.updated_at AS persona_updated_at
         FROM users u JOIN personas p ON p.user_id = u.id WHERE u.email = ANY($1) ORDER BY u.email`,
      [emails],
    ),
  });

  /** Seeds the catalog (idempotent): the tests that need it seeded start with it, in any order. */
  const seeded = async () => {
    const run = await runCli('seed-personas', [`--api=${t.url}`, `--jwt=${admin.accessToken}`]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  };

  it('should seed all 10 personas and the 5 shared spaces with both members', async () => {
    const run = await runCli('seed-personas', [`--api=${t.url}`, `--jwt=${admin.accessToken}`]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    for (const email of emails)
      expect(run.stdout).toMatch(new RegExp(`${email.replace(/\./g, '\\.')}\\s+(created|updated|unchanged)`));

    const personas = await t.dataSource.query(
      `SELECT u.email, u.kind, u.tier, u.email_verified, p.archetype, p.tick_cadence, p.timezone
         FROM users u JOIN personas p ON p.user_id = u.id WHERE u.email = ANY($1) ORDER BY u.email`,
      [emails],
    );
    expect(personas).toHaveLength(10);
    for (const row of personas) {
      const entry = catalog.personas.find((p) => p.email === row.email)!;
      expect(row).toEqual({
        email: entry.email,
        kind: 'persona',
        tier: 'founder',
        email_verified: true,
        archetype: entry.archetype,
        tick_cadence: entry.tickCadence,
        timezone: entry.timezone,
      });
    }
    for (const space of catalog.spaces) {
      const members = await t.dataSource.query(
        `SELECT u.email, m.role FROM spaces s
           JOIN space_members m ON m.space_id = s.id JOIN users u ON u.id = m.user_id
          WHERE s.name = $1 AND s.type = $2 ORDER BY m.role DESC, u.email`,
        [space.name, space.type],
      );
      expect(members).toEqual([
        { email: space.owner, role: 'owner' },
        ...space.members.map((email) => ({ email, role: 'member' })),
      ]);
    }
  });

  it('should change nothing when run a second time', async () => {
    await seeded();
    const before = await snapshot();
    const run = await runCli('seed-personas', [`--auth=${t.url}`], { MANA_ADMIN_JWT: admin.accessToken });
    expect(run.code).toBe(0);
    for (const email of emails)
      expect(run.stdout).toMatch(new RegExp(`${email.replace(/\./g, '\\.')}\\s+unchanged\\s`));
    for (const space of catalog.spaces)
      expect(run.stdout).toContain(`"${space.name}" (${space.type}) unchanged`);
    expect(await snapshot()).toEqual(before);
  });

  it('should run under NODE_ENV=production with only PERSONA_SEED_SECRET (no MASTER_KEK, no server secret, no file written), and be refused by a server whose secret differs', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'mana-cli-prod-')), 'data');
    const secret = 'operator-laptop-secret-0123456789';
    try {
      const run = await runCli('seed-personas', [`--api=${t.url}`, `--jwt=${admin.accessToken}`], {
        NODE_ENV: 'production',
        DATA_DIR: dataDir,
        PERSONA_SEED_SECRET: secret,
        MASTER_KEK: undefined,
        JWT_PRIVATE_KEY: undefined,
        MANA_SERVICE_KEY: undefined,
      });
      // the CLI ran on the operator's secret alone (no server secret asked for, no file written) …
      expect(run.stderr).toBe('');
      expect(existsSync(dataDir)).toBe(false);
      // … and the server refused every persona, saying why: its runner derives passwords from its own
      // PERSONA_SEED_SECRET, so personas seeded from another secret could never sign in to tick
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('password must be left out (the server derives it)');
      const login = await http(t.url, 'POST', '/api/v1/auth/login', {
        body: { email: emails[0], password: derivePersonaPassword(emails[0], secret) },
      });
      expect(login.status).toBe(401);
      // and the development fallback is still refused there, naming the variable
      const refused = await runCli('seed-personas', [`--api=${t.url}`, `--jwt=${admin.accessToken}`], {
        NODE_ENV: 'production',
        DATA_DIR: dataDir,
        PERSONA_SEED_SECRET: undefined,
      });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('PERSONA_SEED_SECRET must be set to your own secret');
      expect(refused.stderr).not.toMatch(/MASTER_KEK|JWT_PRIVATE_KEY|MANA_SERVICE_KEY/);
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      // back to the server's own secret, so the runner and other suites can sign the personas in
      const restore = await runCli('seed-personas', [`--api=${t.url}`, `--jwt=${admin.accessToken}`]);
      expect(restore.code).toBe(0);
      rmSync(dirname(dataDir), { recursive: true, force: true });
    }
  });

  it('should write nothing anywhere on --dry-run: no file in its DATA_DIR, in development or production', async () => {
    for (const nodeEnv of ['development', 'production']) {
      const dataDir = mkdtempSync(join(tmpdir(), 'mana-cli-dry-'));
      try {
        const run = await runCli('seed-personas', ['--api=http://127.0.0.1:9', '--dry-run'], {
          NODE_ENV: nodeEnv,
          DATA_DIR: dataDir,
          MASTER_KEK: undefined,
          PERSONA_SEED_SECRET: undefined,
        });
        expect({ nodeEnv, code: run.code, stderr: run.stderr }).toEqual({ nodeEnv, code: 0, stderr: '' });
        expect(readdirSync(dataDir)).toEqual([]);
        const cleanup = await runCli('seed-cleanup', ['--api=http://127.0.0.1:9', '--dry-run', '--jwt=x'], {
          NODE_ENV: nodeEnv,
          DATA_DIR: dataDir,
        });
        // nothing listens there: it fails to list, and still writes nothing
        expect(cleanup.code).toBe(1);
        expect(readdirSync(dataDir)).toEqual([]);
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  });

  it('should send no request at all on --dry-run and need no token', async () => {
    let requests = 0;
    const server: Server = createServer((_req, res) => {
      requests += 1;
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const run = await runCli('seed-personas', [`--api=http://127.0.0.1:${port}`, '--dry-run']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('dry run: nothing is sent');
      for (const email of emails) expect(run.stdout).toContain(email);
      expect(run.stdout).toContain('"Clay & Crumb Launch" (brand) owned by persona.paul@mana.test');
      const viaEnv = await runCli('seed-personas', ['--dry-run'], {
        MANA_API_URL: `http://127.0.0.1:${port}`,
      });
      expect(viaEnv.code).toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(requests).toBe(0);
  });

  it('should exit 2 with the usage on an unknown flag or a missing token', async () => {
    const unknown = await runCli('seed-personas', ['--frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown flag --frobnicate');
    expect(unknown.stderr).toContain('Usage: npm run seed:personas');
    const noToken = await runCli('seed-personas', [`--api=${t.url}`]);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/admin token is needed/);
    const cleanupUnknown = await runCli('seed-cleanup', ['--force']);
    expect(cleanupUnknown.code).toBe(2);
  });

  it('should exit 1 naming the persona and the reason when one fails, and seed the others', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seed-cli-'));
    try {
      const human = await registerUser(t, `persona.human${Date.now()}@mana.test`);
      const custom = JSON.parse(readFileSync('catalog/personas.json', 'utf8'));
      custom.personas = [
        { ...custom.personas[0], email: human.email },
        { ...custom.personas[1], email: `persona.extra${Date.now()}@mana.test` },
      ];
      custom.spaces = [];
      const file = join(dir, 'catalog.json');
      writeFileSync(file, JSON.stringify(custom));
      const run = await runCli('seed-personas', [
        `--api=${t.url}`,
        `--jwt=${admin.accessToken}`,
        `--catalog=${file}`,
      ]);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(
        new RegExp(`${human.email.replace(/\./g, '\\.')}\\s+FAILED .*409.*existing human account`),
      );
      expect(run.stdout).toMatch(new RegExp(`${custom.personas[1].email.replace(/\./g, '\\.')}\\s+created`));
      const [row] = await t.dataSource.query(`SELECT kind FROM users WHERE id = $1`, [human.id]);
      expect(row.kind).toBe('human');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should exit 1 with the entry and field when the catalog is invalid', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seed-cli-'));
    try {
      const custom = JSON.parse(readFileSync('catalog/personas.json', 'utf8'));
      custom.personas[3].tickCadence = 'monthly';
      const file = join(dir, 'catalog.json');
      writeFileSync(file, JSON.stringify(custom));
      const run = await runCli('seed-personas', ['--dry-run', `--catalog=${file}`]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('personas[3] (persona.lena@mana.test).tickCadence: must be one of');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should list live personas, mark drift and delete nothing without --yes', async () => {
    await seeded();
    const stray = await createPersona(t, {}, admin);
    const before = await rowCounts(t);
    const run = await runCli('seed-cleanup', [`--api=${t.url}`, `--jwt=${admin.accessToken}`]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(`${stray.email.replace(/\./g, '\\.')}\\s+${stray.userId}\\s+DRIFT`),
    );
    expect(run.stdout).toMatch(/persona\.anna@mana\.test\s+\S+\s+in catalog/);
    expect(run.stdout).toMatch(/nothing deleted \(pass --yes to delete them\)/);
    const dry = await runCli('seed-cleanup', [
      `--api=${t.url}`,
      `--jwt=${admin.accessToken}`,
      '--yes',
      '--dry-run',
    ]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/nothing deleted \(dry run\)/);
    expect(await rowCounts(t)).toEqual(before);
  });

  it('should delete the live personas with --yes', async () => {
    await seeded();
    const run = await runCli('seed-cleanup', [`--api=${t.url}`, `--jwt=${admin.accessToken}`, '--yes']);
    expect(run.code).toBe(0);
    for (const email of emails) expect(run.stdout).toContain(`deleted ${email}`);
    const [left] = await t.dataSource.query(`SELECT count(*)::int AS n FROM personas`);
    expect(left.n).toBe(0);
    const [spaces] = await t.dataSource.query(`SELECT count(*)::int AS n FROM spaces WHERE name = ANY($1)`, [
      catalog.spaces.map((s) => s.name),
    ]);
    expect(spaces.n).toBe(0);
  });
});
