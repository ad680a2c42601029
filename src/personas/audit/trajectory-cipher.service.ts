import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { FieldCipher } from '../../crypto/field-cipher.js';
import { FieldDecryptionError } from '../../crypto/field-decryption.error.js';
import { SpaceKeysService } from '../../crypto/space-keys.service.js';
import { VaultErrorCode, VaultException } from '../../crypto/vault.exception.js';
import type { ActionRow } from '../persona-records.js';
import { cutText, redactKeptText } from './trajectory-content.js';

/** Room for the cut marker a runner already added (`…[cut: 65536 of 1234567 bytes]`). */
const MARKER_SLACK_BYTES = 64;
const TABLE = 'persona_actions';
/** PostgreSQL's SQLSTATE for a foreign key violation. */
const FOREIGN_KEY_VIOLATION = '23503';

/** A call's kept input and answer as the admin reads them. */
export interface OpenedTrajectory {
  input: string | null;
  output: string | null;
}

/**
 * Seals and opens what a recorded call keeps of its input and of the app's answer. Sealing takes
 * secret-shaped text out once more (a runner on another host is not trusted to have done it), cuts
 * the text to TRAJECTORY_MAX_BYTES, and encrypts it with the persona's own key, as the app stores
 * the persona's content (field-cipher wire format, AAD = persona_actions/<column>/<action id>), so
 * a database dump shows none of it. A persona whose key the server no longer holds (zero-knowledge)
 * keeps no content at all; a text that fails to decrypt is answered as null.
 */
@Injectable()
export class TrajectoryCipher {
  private readonly logger = new Logger(TrajectoryCipher.name);

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(SpaceKeysService) private readonly keys: SpaceKeysService,
    @Inject(FieldCipher) private readonly cipher: FieldCipher,
  ) {}

  /**
   * The key a batch of the persona's calls is sealed with: null when the batch keeps no content, there
   * is no such account (the write is refused later, under the persona's lock) or the server does not
   * hold its key. Fetched before the audit transaction opens, never inside it (a second connection);
   * the key cache answers every call after a persona's first, so a call costs no extra query.
   */
  async keyFor(personaId: string, rows: readonly ActionRow[]): Promise<Buffer | null> {
    if (!rows.some((r) => r.input !== null || r.output !== null)) return null;
    return this.keyOf(personaId);
  }

  /** The rows as stored: input and answer redacted once more, cut, encrypted with `key` (none without one). */
  seal(key: Buffer | null, rows: ActionRow[]): ActionRow[] {
    return rows.map((row) => {
      const input = key ? this.sealOne(key, row.id, 'input', row.input) : null;
      const output = key ? this.sealOne(key, row.id, 'output', row.output) : null;
      return {
        ...row,
        input: input?.text ?? null,
        output: output?.text ?? null,
        inputTruncated: input !== null && (row.inputTruncated || input.truncated),
        outputTruncated: output !== null && (row.outputTruncated || output.truncated),
      };
    });
  }

  /** The kept texts of one persona's calls, by action id, in the clear. */
  async open(
    personaId: string,
    rows: ReadonlyArray<{ id: string; input: string | null; output: string | null }>,
  ): Promise<Map<string, OpenedTrajectory>> {
    const out = new Map<string, OpenedTrajectory>();
    const kept = rows.filter((r) => r.input !== null || r.output !== null);
    const key = kept.length > 0 ? await this.keyOf(personaId) : null;
    for (const row of rows) {
      out.set(row.id, {
        input: key ? this.openOne(key, row.id, 'input', row.input) : null,
        output: key ? this.openOne(key, row.id, 'output', row.output) : null,
      });
    }
    return out;
  }

  private sealOne(
    key: Buffer,
    rowId: string,
    column: 'input' | 'output',
    text: string | null,
  ): { text: string; truncated: boolean } | null {
    if (text === null) return null;
    const clean = redactKeptText(text);
    const limit = this.config.trajectoryMaxBytes;
    const cut =
      Buffer.byteLength(clean, 'utf8') <= limit + MARKER_SLACK_BYTES
        ? { text: clean, truncated: false }
        : cutText(clean, limit);
    return {
      text: this.cipher.encrypt(key, cut.text, { table: TABLE, column, rowId }),
      truncated: cut.truncated,
    };
  }

  private openOne(
    key: Buffer,
    rowId: string,
    column: 'input' | 'output',
    stored: string | null,
  ): string | null {
    if (stored === null) return null;
    try {
      return this.cipher.decrypt(key, stored, { table: TABLE, column, rowId });
    } catch (error) {
      if (!(error instanceof FieldDecryptionError)) throw error;
      this.logger.warn(`trajectory decryption failed: ${TABLE}.${column} of row ${rowId} (${error.reason})`);
      return null;
    }
  }

  /**
   * The persona's own key, or null when the server does not hold it (zero-knowledge) or there is no
   * such account (creating its key row broke the foreign key to users).
   */
  private async keyOf(personaId: string): Promise<Buffer | null> {
    try {
      return await this.keys.personalKey(personaId);
    } catch (error) {
      if (error instanceof VaultException && error.code === VaultErrorCode.ZERO_KNOWLEDGE) return null;
      if ((error as { code?: unknown }).code === FOREIGN_KEY_VIOLATION) return null;
      throw error;
    }
  }
}
