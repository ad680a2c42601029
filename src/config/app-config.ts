import { DevSecrets } from './dev-secrets.js';
import { ConfigError } from './config.error.js';
import { EnvReader } from './env-reader.js';
import { parseFaultSpecs } from './fault-spec.js';
import { readTracingConfig } from './tracing.config.js';
import type { TracingConfig } from './tracing.config.js';
import type { FaultSpec } from './fault-spec.js';

export type NodeEnv = 'development' | 'production' | 'test';
export type BrainChoice = 'auto' | 'anthropic' | 'scripted';

/** Dev-only fallback for the persona password secret; refused when NODE_ENV=production. */
export const DEV_PERSONA_SEED_SECRET = 'mana-personas-dev-seed-secret';

/**
 * The longest AUTH_USER_CACHE_MS: revocations are promised on every instance within 5 s, and an
 * instance may answer from its cache for this long, plus the time a request takes.
 */
export const AUTH_USER_CACHE_MAX_MS = 4000;

/**
 * The whole typed configuration, parsed and validated once at boot from the environment.
 * Nothing else in src/ reads process.env: inject AppConfig instead.
 */
export class AppConfig {
  readonly nodeEnv!: NodeEnv;
  readonly port!: number;
  readonly host!: string;
  /** Set when an outside PostgreSQL is used; undefined means the embedded database. */
  readonly databaseUrl?: string;
  readonly dataDir!: string;
  readonly logLevel!: string;
  /** `pretty`: human-readable lines; `json`: one JSON object a line; `auto`: pretty on a terminal outside production. */
  readonly logFormat!: 'auto' | 'pretty' | 'json';
  /** Log every HTTP request (default: only failed and slow ones). */
  readonly logRequests!: boolean;
  /** A request slower than this (ms) is logged even when LOG_REQUESTS is off. */
  readonly logSlowMs!: number;
  /** OpenTelemetry traces; undefined (the default) when no OTLP endpoint is set. */
  readonly tracing?: TracingConfig;
  readonly bodyLimit!: string;
  readonly trustProxy!: boolean;
  /** `PUBLIC_URL`: where people's MCP clients reach this server (OAuth issuer, the /mcp resource). */
  readonly publicBaseUrl?: string;

  readonly jwtPrivateKeyPem!: string;
  readonly jwtIssuer!: string;
  readonly jwtAudience!: string;
  readonly jwtTtlSeconds!: number;
  readonly refreshTtlSeconds!: number;
  /**
   * How long an instance trusts its last read of an account or of a grant's liveness (0: read on
   * every request). At most AUTH_USER_CACHE_MAX_MS, so a revocation made on any instance (logout-all,
   * a disabled account, a revoked grant) reaches every instance within 5 s.
   */
  readonly authUserCacheMs!: number;

  readonly serviceKey!: string;
  /** 32-byte key-encryption key for the per-space data keys. */
  readonly masterKek!: Buffer;

  readonly adminEmail?: string;
  readonly adminPassword?: string;

  readonly authRateLimitPerIp!: number;
  readonly authRateLimitPerEmail!: number;
  readonly authRateWindowMs!: number;

  readonly personaSeedSecret!: string;
  readonly personaEmailDomain!: string;

  readonly mcpAllowedOrigins!: string[];
  readonly mcpAllowedHosts!: string[];
  readonly mcpSessionIdleMs!: number;
  readonly mcpMaxSessionsPerUser!: number;
  /** Events of MCP streams (for resumes) and closed session rows are kept this long. */
  readonly mcpEventRetentionMs!: number;
  /** The `retry` an MCP stream's priming event tells clients to wait before they resume. */
  readonly mcpSseRetryMs!: number;
  /** How long a resumed MCP stream waits for an answer still being worked on. */
  readonly mcpResumeWaitMs!: number;
  readonly toolRateLimit!: number;
  readonly toolRateWindowMs!: number;

  readonly runnerEnabled!: boolean;
  readonly runnerPaused!: boolean;
  readonly runnerCron!: string;
  readonly runnerDemo!: boolean;
  readonly personaConcurrency!: number;
  readonly personaBrain!: BrainChoice;
  readonly personaSeed!: string;
  readonly tickTimeoutMs!: number;
  readonly tickMaxTurns!: number;
  /** A tool call slower than this is a `slow` finding of the call itself. */
  readonly findingSlowMs!: number;
  /** Probe calls the oracle engine may add to one tick (read-backs, refusals, boundaries); 0 = none. */
  readonly oracleMaxProbes!: number;
  /** `slow.relative` speaks for calls above this (and 10× their tool's median), up to FINDING_SLOW_MS. */
  readonly findingSlowRelativeMs!: number;
  /** A recorded call keeps at most this many bytes of its input and of its answer (JSON, cut with a marker). */
  readonly trajectoryMaxBytes!: number;
  /** Inputs and answers of calls older than this many days are pruned (the audit rows stay). */
  readonly trajectoryRetentionDays!: number;
  readonly leaseMs!: number;
  readonly shutdownGraceMs!: number;

  readonly anthropicApiKey?: string;
  readonly anthropicBaseUrl!: string;
  readonly anthropicModel!: string;
  readonly anthropicMaxRetries!: number;
  /** First backoff step of the Anthropic retry loop (doubles per retry, with jitter). */
  readonly anthropicRetryBaseMs!: number;
  /** USD per million tokens, input and output, for the configured model. */
  readonly anthropicPriceInPerMTok!: number;
  readonly anthropicPriceOutPerMTok!: number;
  /** Cache writes and reads as multiples of the input price (API list prices: 1.25× and 0.1×). */
  readonly anthropicCacheWriteMultiplier!: number;
  readonly anthropicCacheReadMultiplier!: number;
  /** Send `cache_control` breakpoints (the stable prefix and the latest turn). */
  readonly anthropicPromptCache!: boolean;
  /** A tick stops (`budget_exceeded`) before an LLM call that would pass this much spend. */
  readonly tickBudgetUsd!: number;
  /** Part of TICK_BUDGET_USD the day turns leave for the rating turn. */
  readonly tickBudgetReserveUsd!: number;
  /** Spend of all personas per day (database clock, UTC) after which the anthropic brain pauses; undefined: no cap. */
  readonly dailyBudgetUsd?: number;
  /** The memory of earlier days a persona starts with is kept within about this many tokens. */
  readonly personaMemoryTokens!: number;

  /** The fault lab is open (default: outside production only). */
  readonly faultsEnabled!: boolean;
  /** How often each instance re-reads the planted faults. */
  readonly faultsPollMs!: number;
  /** `FAULTS`: defects planted at boot, parsed as syntax (the fault lab checks them against its catalog). */
  readonly faultsAtBoot!: FaultSpec[];

  /**
   * Admins may store stdio targets (a command this server starts for each persona session) and the
   * runner may start them (default: outside production only).
   */
  readonly targetsStdioEnabled!: boolean;
  /**
   * Secrets taken from the development fallback (generated into DATA_DIR, so they differ between
   * replicas with their own DATA_DIR): a token signed by one such replica is refused by another.
   */
  readonly generatedSecrets!: readonly string[];

  constructor(values: Omit<AppConfig, 'isProduction' | 'publicUrl' | 'externalUrl' | 'mcpResourceUrl'>) {
    Object.assign(this, values);
  }

  get isProduction(): boolean {
    return this.nodeEnv === 'production';
  }

  /** The address this server reaches itself on (the runner's login and /mcp calls). */
  publicUrl(port = this.port): string {
    const host = this.host === '0.0.0.0' || this.host === '::' ? '127.0.0.1' : this.host;
    return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  /** PUBLIC_URL, else publicUrl(): the OAuth issuer, and with `/mcp` the resource tokens are bound to. */
  externalUrl(): string {
    return this.publicBaseUrl ?? this.publicUrl();
  }

  /** The resource (RFC 8707) OAuth clients' access tokens for /mcp are issued for: their `aud`. */
  mcpResourceUrl(): string {
    return `${this.externalUrl()}/mcp`;
  }
}

/** PERSONA_SEED_SECRET, refusing the development fallback in production. */
function readPersonaSeedSecret(r: EnvReader, production: boolean): string {
  const secret = r.string('PERSONA_SEED_SECRET', DEV_PERSONA_SEED_SECRET);
  if (production && secret === DEV_PERSONA_SEED_SECRET) {
    r.fail('PERSONA_SEED_SECRET', 'must be set to your own secret when NODE_ENV=production');
    return '';
  }
  if (secret.length < 16) r.fail('PERSONA_SEED_SECRET', 'must be at least 16 characters');
  return secret;
}

/** What the persona CLIs (scripts/seed-personas.ts) need of the configuration. */
export interface PersonaSeedConfig {
  nodeEnv: NodeEnv;
  personaSeedSecret: string;
  personaEmailDomain: string;
}

/**
 * The CLIs' configuration: only the persona password secret and domain, read and checked like
 * loadConfig does. No server secret is asked for or generated, so no key file is written and a
 * missing MASTER_KEK or JWT_PRIVATE_KEY under NODE_ENV=production is not an error on a laptop.
 */
export function loadPersonaSeedConfig(env: Record<string, string | undefined>): PersonaSeedConfig {
  const r = new EnvReader(env);
  const nodeEnv = r.oneOf('NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const personaSeedSecret = readPersonaSeedSecret(r, nodeEnv === 'production');
  const personaEmailDomain = r.string('PERSONA_EMAIL_DOMAIN', 'mana.test').toLowerCase();
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return { nodeEnv, personaSeedSecret, personaEmailDomain };
}

/**
 * Builds the configuration from an environment record. Every problem is collected and reported at
 * once in a ConfigError, so a bad deployment is fixed in one round.
 */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const r = new EnvReader(env);
  const nodeEnv = r.oneOf('NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const production = nodeEnv === 'production';
  const dataDir = r.string('DATA_DIR', './.data');
  const port = r.int('PORT', 3000, 0, 65535);
  const host = r.string('HOST', '127.0.0.1');
  const secrets = new DevSecrets(dataDir);

  const generatedSecrets: string[] = [];
  const devFallback = <T>(name: string, value: T | undefined, make: () => T): T | undefined => {
    if (value !== undefined) return value;
    if (production) {
      r.fail(name, 'is required when NODE_ENV=production (no development fallback)');
      return undefined;
    }
    generatedSecrets.push(name);
    return make();
  };

  const jwtPrivateKeyPem = devFallback('JWT_PRIVATE_KEY', r.pem('JWT_PRIVATE_KEY'), () =>
    secrets.jwtPrivateKey(),
  );
  const serviceKey = devFallback('MANA_SERVICE_KEY', r.secret('MANA_SERVICE_KEY', 32), () =>
    secrets.text('service-key', 32),
  );
  const masterKek = devFallback('MASTER_KEK', r.key32('MASTER_KEK'), () => secrets.key32('master-kek'));
  const personaSeedSecret = readPersonaSeedSecret(r, production);

  const adminEmail = r.optionalEmail('ADMIN_EMAIL');
  const adminPassword = r.optionalString('ADMIN_PASSWORD');
  if ((adminEmail === undefined) !== (adminPassword === undefined)) {
    r.fail(adminEmail ? 'ADMIN_PASSWORD' : 'ADMIN_EMAIL', 'ADMIN_EMAIL and ADMIN_PASSWORD go together');
  }

  const apiKey = r.optionalString('ANTHROPIC_API_KEY');
  const brain = r.oneOf('PERSONA_BRAIN', ['auto', 'anthropic', 'scripted'] as const, 'auto');
  if (brain === 'anthropic' && !apiKey)
    r.fail('PERSONA_BRAIN', 'is anthropic but ANTHROPIC_API_KEY is not set');
  const faultsEnabled = r.bool('FAULTS_ENABLED', !production);
  const faultsJson = r.optionalString('FAULTS');
  const faults = faultsJson === undefined ? { specs: [], problems: [] } : parseFaultSpecs(faultsJson);
  for (const problem of faults.problems) r.fail('FAULTS', problem);
  if (faults.specs.length > 0 && !faultsEnabled) {
    r.fail(
      'FAULTS',
      'plants defects, but the fault lab is off (NODE_ENV=production needs FAULTS_ENABLED=true)',
    );
  }
  const selfOrigins = [`http://127.0.0.1:${port}`, `http://localhost:${port}`];

  const config = new AppConfig({
    nodeEnv,
    port,
    host,
    databaseUrl: r.optionalUrl('DATABASE_URL', ['postgres:', 'postgresql:']),
    dataDir,
    logLevel: r.oneOf(
      'LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      'info',
    ),
    logFormat: r.oneOf('LOG_FORMAT', ['auto', 'pretty', 'json'] as const, 'auto'),
    logRequests: r.bool('LOG_REQUESTS', false),
    logSlowMs: r.int('LOG_SLOW_MS', 1000, 1, 3_600_000),
    tracing: readTracingConfig(r),
    bodyLimit: r.size('BODY_LIMIT', '1mb'),
    trustProxy: r.bool('TRUST_PROXY', false),
    publicBaseUrl: r.optionalUrl('PUBLIC_URL', ['http:', 'https:'])?.replace(/\/+$/, ''),
    jwtPrivateKeyPem: jwtPrivateKeyPem ?? '',
    jwtIssuer: r.string('JWT_ISSUER', 'mana-personas'),
    jwtAudience: r.string('JWT_AUDIENCE', 'mana'),
    jwtTtlSeconds: r.duration('JWT_TTL', '15m', 30, 86_400),
    refreshTtlSeconds: r.duration('REFRESH_TOKEN_TTL', '30d', 300, 365 * 86_400),
    authUserCacheMs: r.int('AUTH_USER_CACHE_MS', 2000, 0, AUTH_USER_CACHE_MAX_MS),
    serviceKey: serviceKey ?? '',
    masterKek: masterKek ?? Buffer.alloc(32),
    adminEmail,
    adminPassword,
    authRateLimitPerIp: r.int('AUTH_RATE_LIMIT_PER_IP', 300, 1, 1_000_000),
    authRateLimitPerEmail: r.int('AUTH_RATE_LIMIT_PER_EMAIL', 20, 1, 1_000_000),
    authRateWindowMs: r.int('AUTH_RATE_WINDOW_MS', 60_000, 1000, 86_400_000),
    personaSeedSecret,
    personaEmailDomain: r.string('PERSONA_EMAIL_DOMAIN', 'mana.test').toLowerCase(),
    mcpAllowedOrigins: r.list('MCP_ALLOWED_ORIGINS', selfOrigins),
    mcpAllowedHosts: r.list('MCP_ALLOWED_HOSTS', [`127.0.0.1:${port}`, `localhost:${port}`]),
    mcpSessionIdleMs: r.int('MCP_SESSION_IDLE_MS', 30 * 60_000, 1000, 86_400_000),
    mcpMaxSessionsPerUser: r.int('MCP_MAX_SESSIONS_PER_USER', 10, 1, 1000),
    mcpEventRetentionMs: r.int('MCP_EVENT_RETENTION_MS', 15 * 60_000, 10_000, 7 * 86_400_000),
    mcpSseRetryMs: r.int('MCP_SSE_RETRY_MS', 1000, 10, 60_000),
    mcpResumeWaitMs: r.int('MCP_RESUME_WAIT_MS', 60_000, 1000, 3_600_000),
    toolRateLimit: r.int('TOOL_RATE_LIMIT', 30, 1, 1_000_000),
    toolRateWindowMs: r.int('TOOL_RATE_WINDOW_MS', 60_000, 1000, 86_400_000),
    runnerEnabled: r.bool('RUNNER_ENABLED', true),
    runnerPaused: r.bool('RUNNER_PAUSED', false),
    runnerCron: r.cron('RUNNER_CRON', '0 * * * * *'),
    // demo mode seeds and ticks the catalog (and spends LLM money when a key is set): development only
    runnerDemo: r.bool('RUNNER_DEMO', nodeEnv === 'development'),
    personaConcurrency: r.int('PERSONA_CONCURRENCY', 2, 1, 64),
    personaBrain: brain,
    personaSeed: r.string('PERSONA_SEED', 'mana'),
    tickTimeoutMs: r.int('TICK_TIMEOUT_MS', 10 * 60_000, 1000, 3_600_000),
    tickMaxTurns: r.int('TICK_MAX_TURNS', 15, 1, 100),
    findingSlowMs: r.int('FINDING_SLOW_MS', 2000, 1, 3_600_000),
    oracleMaxProbes: r.int('ORACLE_MAX_PROBES', 40, 0, 1000),
    findingSlowRelativeMs: r.int('FINDING_SLOW_RELATIVE_MS', 250, 1, 3_600_000),
    trajectoryMaxBytes: r.int('TRAJECTORY_MAX_BYTES', 4096, 256, 65_536),
    trajectoryRetentionDays: r.int('TRAJECTORY_RETENTION_DAYS', 30, 1, 3650),
    leaseMs: r.int('RUNNER_LEASE_MS', 15 * 60_000, 5000, 86_400_000),
    shutdownGraceMs: r.int('RUNNER_SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    anthropicApiKey: apiKey,
    anthropicBaseUrl: r.optionalUrl('ANTHROPIC_BASE_URL', ['http:', 'https:']) ?? 'https://api.anthropic.com',
    anthropicModel: r.string('ANTHROPIC_MODEL', 'claude-sonnet-5-5'),
    anthropicMaxRetries: r.int('ANTHROPIC_MAX_RETRIES', 4, 0, 10),
    anthropicRetryBaseMs: r.int('ANTHROPIC_RETRY_BASE_MS', 1000, 1, 60_000),
    anthropicPriceInPerMTok: r.number('ANTHROPIC_PRICE_IN_PER_MTOK', 3, 0, 1000),
    anthropicPriceOutPerMTok: r.number('ANTHROPIC_PRICE_OUT_PER_MTOK', 15, 0, 1000),
    anthropicCacheWriteMultiplier: r.number('ANTHROPIC_CACHE_WRITE_MULTIPLIER', 1.25, 0, 10),
    anthropicCacheReadMultiplier: r.number('ANTHROPIC_CACHE_READ_MULTIPLIER', 0.1, 0, 10),
    anthropicPromptCache: r.bool('ANTHROPIC_PROMPT_CACHE', true),
    tickBudgetUsd: r.number('TICK_BUDGET_USD', 0.5, 0, 1000),
    tickBudgetReserveUsd: r.number('TICK_BUDGET_RESERVE_USD', 0.05, 0, 1000),
    dailyBudgetUsd:
      r.optionalString('DAILY_BUDGET_USD') === undefined
        ? undefined
        : r.number('DAILY_BUDGET_USD', 0, 0, 1_000_000),
    personaMemoryTokens: r.int('PERSONA_MEMORY_TOKENS', 800, 0, 20_000),
    faultsEnabled,
    faultsPollMs: r.int('FAULTS_POLL_MS', 2000, 100, 600_000),
    faultsAtBoot: faults.specs,
    // a stdio target runs an admin-given command on this host: off in production unless asked for
    targetsStdioEnabled: r.bool('TARGETS_STDIO_ENABLED', !production),
    generatedSecrets,
  });
  if (config.leaseMs <= config.tickTimeoutMs) {
    r.fail(
      'RUNNER_LEASE_MS',
      `must be longer than TICK_TIMEOUT_MS (${config.tickTimeoutMs} ms), or a live tick's lease could lapse and a second runner take the persona over (got ${config.leaseMs})`,
    );
  }
  if (config.tickBudgetReserveUsd >= config.tickBudgetUsd && config.tickBudgetUsd > 0) {
    r.fail(
      'TICK_BUDGET_RESERVE_USD',
      `must be less than TICK_BUDGET_USD (${config.tickBudgetUsd}), or no day turn would fit (got ${config.tickBudgetReserveUsd})`,
    );
  }
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}
