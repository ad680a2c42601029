import { Inject, Injectable } from '@nestjs/common';
import { hkdfSync } from 'node:crypto';
import { AppConfig } from '../../config/app-config.js';
import { FieldCipher } from '../../crypto/field-cipher.js';
import type { FieldLocation } from '../../crypto/field-location.js';
import type { TargetSecrets } from './target.types.js';

/** HKDF-SHA256 `info` of the targets' key: a key for this purpose only, derived from MASTER_KEK. */
export const TARGETS_KEY_INFO = 'mana/targets/v1';

/** A stored secret map that is not what was sealed (never quoting it). */
export class TargetSecretsError extends Error {}

/**
 * Seals and opens the targets' secrets with the project's field encryption (enc:1, AES-256-GCM)
 * under a 32-byte key derived from MASTER_KEK by HKDF-SHA256 (info `mana/targets/v1`), so the key
 * encryption key itself never encrypts data and no other purpose shares this key. Each ciphertext is
 * bound to where it lives: a target's `{ headers, env }` to (targets, secrets, target id); a
 * persona's own headers to (personas, target_secrets, persona id + target id), so they open only
 * for the target they were given for: pointed elsewhere, a persona never sends them to another server.
 */
@Injectable()
export class TargetSecretsCodec {
  private readonly key: Buffer;

  constructor(
    @Inject(AppConfig) config: AppConfig,
    @Inject(FieldCipher) private readonly cipher: FieldCipher,
  ) {
    // one Buffer for the process: FieldCipher keeps its prepared key by the Buffer's identity
    this.key = Buffer.from(hkdfSync('sha256', config.masterKek, Buffer.alloc(0), TARGETS_KEY_INFO, 32));
  }

  sealTarget(targetId: string, secrets: TargetSecrets): string {
    return this.cipher.encrypt(
      this.key,
      JSON.stringify({ headers: secrets.headers, env: secrets.env }),
      targetAt(targetId),
    );
  }

  openTarget(targetId: string, wire: string): TargetSecrets {
    const at = targetAt(targetId);
    const value = this.open(wire, at);
    if (!isRecord(value) || !isStringMap(value.headers) || !isStringMap(value.env)) throw malformed(at);
    return { headers: value.headers, env: value.env };
  }

  sealPersonaHeaders(personaId: string, targetId: string, headers: Record<string, string>): string {
    return this.cipher.encrypt(this.key, JSON.stringify(headers), personaAt(personaId, targetId));
  }

  openPersonaHeaders(personaId: string, targetId: string, wire: string): Record<string, string> {
    const at = personaAt(personaId, targetId);
    const value = this.open(wire, at);
    if (!isStringMap(value)) throw malformed(at);
    return value;
  }

  /** Throws FieldDecryptionError (where, never what) or TargetSecretsError. */
  private open(wire: string, at: FieldLocation): unknown {
    const text = this.cipher.decrypt(this.key, wire, at);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // JSON.parse's own message quotes the text: never passed on
      throw malformed(at);
    }
  }
}

const targetAt = (targetId: string): FieldLocation => ({
  table: 'targets',
  column: 'secrets',
  rowId: targetId,
});

const personaAt = (personaId: string, targetId: string): FieldLocation => ({
  table: 'personas',
  column: 'target_secrets',
  rowId: `${personaId}/${targetId}`,
});

const malformed = (at: FieldLocation) =>
  new TargetSecretsError(`${at.table}.${at.column} of row ${at.rowId} does not hold a secret map`);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isStringMap = (value: unknown): value is Record<string, string> =>
  isRecord(value) && Object.values(value).every((v) => typeof v === 'string');
