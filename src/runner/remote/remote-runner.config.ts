import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { loadConfig } from '../../config/app-config.js';
import type { AppConfig } from '../../config/app-config.js';
import { ConfigError } from '../../config/config.error.js';

/**
 * The remote runner's configuration: the same typed AppConfig the brains and the pipeline read
 * (PERSONA_BRAIN, PERSONA_CONCURRENCY, TICK_TIMEOUT_MS, TICK_MAX_TURNS, ANTHROPIC_*, PERSONA_SEED_SECRET,
 * RUNNER_SHUTDOWN_GRACE_MS, …), parsed by the one loader so its rules and errors are the server's.
 *
 * A runner host holds no server secrets: MANA_SERVICE_KEY (the internal API's key) and
 * PERSONA_SEED_SECRET (to derive persona passwords) are all it needs. The server-only settings the
 * loader insists on (JWT signing key, MASTER_KEK) are filled with throwaway in-memory values the
 * runner never uses, so nothing is read from or written to DATA_DIR.
 */
export function loadRemoteRunnerConfig(env: Record<string, string | undefined>): AppConfig {
  if (!env.MANA_SERVICE_KEY) {
    throw new ConfigError(["MANA_SERVICE_KEY is required: the server's service key (X-Service-Key)"]);
  }
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return loadConfig({
    ...env,
    JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    MASTER_KEK: randomBytes(32).toString('base64'),
    DATABASE_URL: undefined,
  });
}
