import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig, loadConfig, loadPersonaSeedConfig } from './app-config.js';
import { ConfigError } from './config.error.js';

const p256Pem = () =>
  generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();

/** Runs loadConfig and returns the ConfigError it throws (fails the test if it does not throw one). */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
}

describe(loadConfig.name, () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mana-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const productionSecrets = () => ({
    JWT_PRIVATE_KEY: p256Pem(),
    MANA_SERVICE_KEY: randomBytes(32).toString('base64url'),
    MASTER_KEK: randomBytes(32).toString('base64'),
    PERSONA_SEED_SECRET: randomBytes(24).toString('hex'),
  });

  describe('production', () => {
    it('should refuse every development fallback at once, naming each variable', () => {
      const dataDir = join(dir, 'never-created');
      const error = configError({ NODE_ENV: 'production', DATA_DIR: dataDir });
      const named = error.problems.map((p) => p.split(' ')[0]);
      expect(named).toEqual(
        expect.arrayContaining(['JWT_PRIVATE_KEY', 'MANA_SERVICE_KEY', 'MASTER_KEK', 'PERSONA_SEED_SECRET']),
      );
      expect(error.problems).toHaveLength(4);
      for (const name of ['JWT_PRIVATE_KEY', 'MANA_SERVICE_KEY', 'MASTER_KEK']) {
        expect(error.message).toContain(
          `${name} is required when NODE_ENV=production (no development fallback)`,
        );
      }
      expect(error.message).toContain(
        'PERSONA_SEED_SECRET must be set to your own secret when NODE_ENV=production',
      );
      // no development secret was written anywhere
      expect(existsSync(dataDir)).toBe(false);
    });

    it('should refuse the well-known development persona secret given explicitly', () => {
      const error = configError({
        NODE_ENV: 'production',
        ...productionSecrets(),
        PERSONA_SEED_SECRET: 'mana-personas-dev-seed-secret',
      });
      expect(error.problems).toEqual([
        'PERSONA_SEED_SECRET must be set to your own secret when NODE_ENV=production',
      ]);
    });

    it('should load when every secret is given, and write nothing to disk', () => {
      const dataDir = join(dir, 'prod');
      const secrets = productionSecrets();
      const config = loadConfig({ NODE_ENV: 'production', DATA_DIR: dataDir, ...secrets });
      expect(config).toBeInstanceOf(AppConfig);
      expect(config.isProduction).toBe(true);
      expect(config.serviceKey).toBe(secrets.MANA_SERVICE_KEY);
      expect(config.masterKek).toEqual(Buffer.from(secrets.MASTER_KEK, 'base64'));
      expect(existsSync(dataDir)).toBe(false);
    });

    it('should leave demo mode and the fault lab off and make no first admin by default', () => {
      const config = loadConfig({
        NODE_ENV: 'production',
        DATA_DIR: join(dir, 'prod'),
        ...productionSecrets(),
      });
      expect(config).toMatchObject({
        runnerDemo: false,
        faultsEnabled: false,
        targetsStdioEnabled: false,
        adminEmail: undefined,
        host: '127.0.0.1',
        trustProxy: false,
        shutdownGraceMs: 10_000,
      });
      // asked for explicitly, demo mode is allowed
      expect(
        loadConfig({ NODE_ENV: 'production', RUNNER_DEMO: 'true', ...productionSecrets() }).runnerDemo,
      ).toBe(true);
      // and so are stdio targets
      expect(
        loadConfig({ NODE_ENV: 'production', TARGETS_STDIO_ENABLED: 'true', ...productionSecrets() })
          .targetsStdioEnabled,
      ).toBe(true);
    });
  });

  describe(loadPersonaSeedConfig.name, () => {
    it('should need only the persona secret under NODE_ENV=production, and write nothing', () => {
      const dataDir = join(dir, 'cli');
      const secret = randomBytes(24).toString('hex');
      expect(
        loadPersonaSeedConfig({ NODE_ENV: 'production', DATA_DIR: dataDir, PERSONA_SEED_SECRET: secret }),
      ).toEqual({ nodeEnv: 'production', personaSeedSecret: secret, personaEmailDomain: 'mana.test' });
      expect(existsSync(dataDir)).toBe(false);
    });

    it('should refuse the development persona secret in production, and nothing else', () => {
      let error: unknown;
      try {
        loadPersonaSeedConfig({ NODE_ENV: 'production' });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([
        'PERSONA_SEED_SECRET must be set to your own secret when NODE_ENV=production',
      ]);
    });
  });

  describe('bad values', () => {
    it('should report every bad value in one error with a clear message', () => {
      const error = configError({ DATA_DIR: dir, PORT: 'abc', RUNNER_CRON: 'nonsense', LOG_LEVEL: 'loud' });
      expect(error.problems).toHaveLength(3);
      expect(error.message).toContain('PORT must be a whole number from 0 to 65535 (got "abc")');
      expect(error.message).toMatch(/RUNNER_CRON is not a valid cron expression \(.+\)/);
      expect(error.message).toContain(
        'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
      );
      expect(error.message.startsWith('Invalid configuration:\n  - ')).toBe(true);
    });

    it.each([
      ['PORT', '70000', 'PORT must be a whole number from 0 to 65535 (got "70000")'],
      ['PORT', '3.5', 'PORT must be a whole number'],
      ['NODE_ENV', 'staging', 'NODE_ENV must be one of development, production, test (got "staging")'],
      [
        'JWT_TTL',
        '10',
        'JWT_TTL must be a duration like 900, 15m, 12h or 30d between 30s and 86400s (got "10")',
      ],
      ['JWT_TTL', 'forever', 'JWT_TTL must be a duration'],
      ['RUNNER_ENABLED', 'maybe', 'RUNNER_ENABLED must be true or false (got "maybe")'],
      ['TARGETS_STDIO_ENABLED', 'sometimes', 'TARGETS_STDIO_ENABLED must be true or false (got "sometimes")'],
      [
        'DATABASE_URL',
        'mysql://root@localhost/db',
        'DATABASE_URL must use postgres: or postgresql: (got mysql:)',
      ],
      ['DATABASE_URL', 'not a url', 'DATABASE_URL is not a valid URL'],
      ['BODY_LIMIT', 'huge', 'BODY_LIMIT must be a size like 512kb or 1mb (got "huge")'],
      ['MASTER_KEK', 'c2hvcnQ=', 'MASTER_KEK must be 32 bytes, as base64 or 64 hex characters'],
      ['PERSONA_SEED_SECRET', 'short', 'PERSONA_SEED_SECRET must be at least 16 characters'],
      ['PERSONA_BRAIN', 'anthropic', 'PERSONA_BRAIN is anthropic but ANTHROPIC_API_KEY is not set'],
      ['ADMIN_EMAIL', 'root@localhost', 'ADMIN_EMAIL must be an email address (got "root@localhost")'],
      ['ANTHROPIC_BASE_URL', 'ftp://x.example', 'ANTHROPIC_BASE_URL must use http: or https: (got ftp:)'],
      // revocations reach every instance within 5 s only while this cache is short
      [
        'AUTH_USER_CACHE_MS',
        '60000',
        'AUTH_USER_CACHE_MS must be a whole number from 0 to 4000 (got "60000")',
      ],
      [
        'MCP_EVENT_RETENTION_MS',
        '5',
        'MCP_EVENT_RETENTION_MS must be a whole number from 10000 to 604800000 (got "5")',
      ],
      ['MCP_SSE_RETRY_MS', 'soon', 'MCP_SSE_RETRY_MS must be a whole number from 10 to 60000 (got "soon")'],
      ['MCP_RESUME_WAIT_MS', '0', 'MCP_RESUME_WAIT_MS must be a whole number from 1000 to 3600000 (got "0")'],
    ])('should explain a bad %s (%s)', (name, value, message) => {
      const error = configError({ DATA_DIR: dir, [name]: value });
      expect(error.problems.join('\n')).toContain(message);
    });

    it('should insist that ADMIN_EMAIL and ADMIN_PASSWORD come together', () => {
      expect(configError({ DATA_DIR: dir, ADMIN_EMAIL: 'boss@example.com' }).problems).toEqual([
        'ADMIN_PASSWORD ADMIN_EMAIL and ADMIN_PASSWORD go together',
      ]);
      expect(configError({ DATA_DIR: dir, ADMIN_PASSWORD: 'Sup3r-secret-pw' }).problems).toEqual([
        'ADMIN_EMAIL ADMIN_EMAIL and ADMIN_PASSWORD go together',
      ]);
    });

    it('should never echo a secret value in its messages', () => {
      const serviceKey = 'too-short-service-key';
      const error = configError({
        DATA_DIR: dir,
        MANA_SERVICE_KEY: serviceKey,
        JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nnot-really-a-key\n-----END PRIVATE KEY-----',
        MASTER_KEK: 'tooshortkek',
      });
      expect(error.message).toContain('MANA_SERVICE_KEY must be at least 32 characters');
      expect(error.message).toContain('JWT_PRIVATE_KEY is not a readable PEM private key');
      expect(error.message).not.toContain(serviceKey);
      expect(error.message).not.toContain('not-really-a-key');
      expect(error.message).not.toContain('tooshortkek');
    });

    it('should refuse a private key that is not P-256', () => {
      const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString();
      expect(configError({ DATA_DIR: dir, JWT_PRIVATE_KEY: rsa }).problems).toEqual([
        'JWT_PRIVATE_KEY must be a P-256 (ES256) EC private key in PEM',
      ]);
    });
  });

  describe('defaults and development fallbacks', () => {
    it('should boot from an empty environment with the documented defaults', () => {
      const config = loadConfig({ DATA_DIR: dir });
      expect(config).toMatchObject({
        nodeEnv: 'development',
        port: 3000,
        host: '127.0.0.1',
        databaseUrl: undefined,
        logLevel: 'info',
        bodyLimit: '1mb',
        jwtIssuer: 'mana-personas',
        jwtAudience: 'mana',
        jwtTtlSeconds: 900,
        refreshTtlSeconds: 30 * 86_400,
        authUserCacheMs: 2000,
        authRateLimitPerIp: 300,
        authRateLimitPerEmail: 20,
        authRateWindowMs: 60_000,
        runnerEnabled: true,
        runnerCron: '0 * * * * *',
        // development: demo mode and the fault lab are on
        runnerDemo: true,
        faultsEnabled: true,
        targetsStdioEnabled: true,
        shutdownGraceMs: 10_000,
        personaBrain: 'auto',
        mcpEventRetentionMs: 15 * 60_000,
        mcpSseRetryMs: 1000,
        mcpResumeWaitMs: 60_000,
      });
      expect(loadConfig({ DATA_DIR: dir, NODE_ENV: 'test' }).runnerDemo).toBe(false);
      expect(config.isProduction).toBe(false);
      expect(config.serviceKey.length).toBeGreaterThanOrEqual(32);
      expect(config.masterKek).toHaveLength(32);
      expect(config.publicUrl()).toBe('http://127.0.0.1:3000');
    });

    it('should generate development secrets once and reuse them on the next boot', () => {
      const first = loadConfig({ DATA_DIR: dir });
      const second = loadConfig({ DATA_DIR: dir });
      expect(second.jwtPrivateKeyPem).toBe(first.jwtPrivateKeyPem);
      expect(second.serviceKey).toBe(first.serviceKey);
      expect(second.masterKek.equals(first.masterKek)).toBe(true);
      const other = loadConfig({ DATA_DIR: join(dir, 'elsewhere') });
      expect(other.serviceKey).not.toBe(first.serviceKey);
    });

    it('should accept durations, hex keys, one-line PEMs, and treat blank values as unset', () => {
      const pem = p256Pem();
      const kek = randomBytes(32);
      const config = loadConfig({
        DATA_DIR: dir,
        JWT_TTL: '1h',
        REFRESH_TOKEN_TTL: '7d',
        MASTER_KEK: kek.toString('hex'),
        JWT_PRIVATE_KEY: pem.replace(/\n/g, '\\n'),
        PORT: '   ',
        HOST: '0.0.0.0',
        LOG_LEVEL: ' warn ',
      });
      expect(config.jwtTtlSeconds).toBe(3600);
      expect(config.refreshTtlSeconds).toBe(7 * 86_400);
      expect(config.masterKek.equals(kek)).toBe(true);
      expect(config.jwtPrivateKeyPem.trim()).toBe(pem.trim());
      expect(config.port).toBe(3000);
      expect(config.logLevel).toBe('warn');
      expect(config.publicUrl(4000)).toBe('http://127.0.0.1:4000');
    });
  });
});
