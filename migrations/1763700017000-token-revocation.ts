import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Revocation that reaches every instance within seconds (src/auth/tokens/token-revocation.ts):
 * - `users.token_version`: the account's token generation. Every access token carries the version it
 *   was issued under (claim `ver`); signing out everywhere (POST /api/v1/auth/logout-all) and
 *   disabling the account add one, and a token whose version is below the account's is refused.
 *   A counter, not a timestamp: no clock (of an instance, of the database) and no `iat` second
 *   decides which side of a sign-out a token is on.
 * - `refresh_tokens.token_version`: the same for refresh tokens, so a refresh token inserted by a
 *   login that raced a logout-all (it read the account before the sign-out committed) is refused too.
 * Existing rows start at 0, as do tokens issued before this migration (no `ver` claim reads as 0).
 */
export class TokenRevocation1763700017000 implements MigrationInterface {
  name = 'TokenRevocation1763700017000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE users
        ADD COLUMN token_version integer NOT NULL DEFAULT 0,
        ADD CONSTRAINT ck_users_token_version CHECK (token_version >= 0)`);
    await q.query(`
      ALTER TABLE refresh_tokens
        ADD COLUMN token_version integer NOT NULL DEFAULT 0,
        ADD CONSTRAINT ck_refresh_tokens_token_version CHECK (token_version >= 0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE refresh_tokens DROP CONSTRAINT ck_refresh_tokens_token_version, DROP COLUMN token_version`,
    );
    await q.query(`ALTER TABLE users DROP CONSTRAINT ck_users_token_version, DROP COLUMN token_version`);
  }
}
