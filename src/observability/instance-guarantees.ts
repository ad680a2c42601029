import type { AppConfig } from '../config/app-config.js';

/** What GET /health says about running this server as one of several instances. */
export interface InstanceGuarantees {
  /** `shared` when every instance on this database keeps the promises below; else `this-instance-only`. */
  scope: 'shared' | 'this-instance-only';
  /** What every instance on the same database shares, and how quickly a change reaches the others. */
  shared: string[];
  /** What holds for this process alone (empty when nothing does beyond the metrics). */
  instanceLocal: string[];
}

/**
 * The multi-instance guarantees of this configuration. With an outside PostgreSQL (DATABASE_URL)
 * the state is in the database: MCP sessions and their event streams, rate-limit counters,
 * revocations, leases and the daily budget; what stays in a process is a cache bounded by
 * AUTH_USER_CACHE_MS, and the Prometheus metrics. The embedded database serves one process only,
 * and secrets generated into DATA_DIR differ between replicas: both are named when they apply.
 */
export function instanceGuarantees(
  config: Pick<AppConfig, 'databaseUrl' | 'authUserCacheMs' | 'generatedSecrets'>,
): InstanceGuarantees {
  const shared = [
    'MCP sessions: any instance serves a session opened on another (no sticky sessions needed); streams resume with Last-Event-ID on any instance',
    'rate limits (sign-in and sign-up per address and per email, OAuth sign-in, vault password checks, tool calls per user) are counted in the database',
    `revocation (logout, logout-all, a revoked OAuth grant, a disabled account) reaches every instance within ${config.authUserCacheMs} ms (AUTH_USER_CACHE_MS); a deleted personal access token at once`,
    'runner claims, leases and ticks: each due persona ticks once, whichever instance or remote runner claims it; the daily budget counts every runner',
  ];
  const instanceLocal = ['/metrics counts this process only: scrape every instance'];
  if (config.databaseUrl === undefined) {
    instanceLocal.unshift(
      'everything: the embedded database serves this process only; replicas need DATABASE_URL (one PostgreSQL)',
    );
  }
  if (config.generatedSecrets.length > 0) {
    instanceLocal.push(
      `${config.generatedSecrets.join(', ')} generated into DATA_DIR (development fallback): a replica with another DATA_DIR refuses this instance's tokens and cannot read its encrypted data; set them to the same values on every replica`,
    );
  }
  const scope =
    config.databaseUrl === undefined || config.generatedSecrets.length > 0 ? 'this-instance-only' : 'shared';
  return { scope, shared: scope === 'shared' ? shared : [], instanceLocal };
}
