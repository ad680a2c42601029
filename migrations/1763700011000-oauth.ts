import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sign-in for people's MCP clients (src/oauth) and personal access tokens (src/auth):
 * - `oauth_clients`: dynamically registered clients (RFC 7591); a confidential client's secret is
 *   kept only as its SHA-256 hash, the registered metadata as answered at registration.
 * - `oauth_authorizations`: one row per authorization request, from the authorize page to the code
 *   exchange. `browser_hash`/`csrf_hash` bind the sign-in and consent forms to the browser that
 *   started it; `code_hash` is set at consent, and `consumed_at` makes the code single-use (one
 *   conditional UPDATE wins). Its id doubles as the refresh-token family of the tokens it issued, so
 *   a replayed code revokes them.
 * - `refresh_tokens` gains the client and resource an OAuth refresh token was issued for (NULL for
 *   password logins); rotation and reuse detection stay the table's existing family rule.
 * - `personal_access_tokens`: named, expiring, revocable bearer tokens, stored as SHA-256 hashes.
 */
export class OAuth1763700011000 implements MigrationInterface {
  name = 'OAuth1763700011000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE oauth_clients (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        secret_hash text,
        secret_expires_at timestamptz,
        metadata jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_oauth_clients_metadata CHECK (jsonb_typeof(metadata) = 'object')
      )`);
    await q.query(`
      CREATE TABLE oauth_authorizations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        client_id uuid NOT NULL REFERENCES oauth_clients(id) ON DELETE CASCADE,
        redirect_uri text NOT NULL,
        code_challenge text NOT NULL,
        state text,
        scopes text NOT NULL DEFAULT '',
        resource text NOT NULL,
        browser_hash text NOT NULL,
        csrf_hash text NOT NULL,
        user_id uuid REFERENCES users(id) ON DELETE CASCADE,
        code_hash text,
        expires_at timestamptz NOT NULL,
        consumed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_oauth_authorizations_code_user CHECK (code_hash IS NULL OR user_id IS NOT NULL)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX ux_oauth_authorizations_code ON oauth_authorizations (code_hash) WHERE code_hash IS NOT NULL`,
    );
    await q.query(`CREATE INDEX ix_oauth_authorizations_expires ON oauth_authorizations (expires_at)`);
    await q.query(`
      ALTER TABLE refresh_tokens
        ADD COLUMN client_id uuid REFERENCES oauth_clients(id) ON DELETE CASCADE,
        ADD COLUMN resource text`);
    await q.query(`CREATE INDEX ix_refresh_tokens_family ON refresh_tokens (family_id)`);
    await q.query(`
      CREATE TABLE personal_access_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name text NOT NULL,
        token_hash text NOT NULL,
        expires_at timestamptz NOT NULL,
        last_used_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_personal_access_tokens_name CHECK (char_length(name) BETWEEN 1 AND 100),
        CONSTRAINT ck_personal_access_tokens_expiry CHECK (
          expires_at > created_at AND expires_at <= created_at + interval '366 days')
      )`);
    await q.query(
      `CREATE UNIQUE INDEX ux_personal_access_tokens_hash ON personal_access_tokens (token_hash)`,
    );
    await q.query(
      `CREATE INDEX ix_personal_access_tokens_user ON personal_access_tokens (user_id, created_at DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE personal_access_tokens`);
    await q.query(`DROP INDEX ix_refresh_tokens_family`);
    await q.query(`ALTER TABLE refresh_tokens DROP COLUMN resource, DROP COLUMN client_id`);
    await q.query(`DROP TABLE oauth_authorizations`);
    await q.query(`DROP TABLE oauth_clients`);
  }
}
