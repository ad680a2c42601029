import { Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { FieldDecryptionError } from './field-decryption.error.js';

/** Where a ciphertext lives; bound into the ciphertext as additional authenticated data. */
export interface FieldLocation {
  table: string;
  column: string;
  rowId: string;
}

export const FIELD_PREFIX = 'enc:1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * AES-256-GCM field encryption. Wire format, exactly: `enc:1:<base64 iv>.<base64 ciphertext‖tag>`
 * with a 12-byte random IV and a 16-byte tag. The AAD is the JSON array
 * `["mana-field",1,table,column,rowId]` (JSON makes the encoding unambiguous), so a ciphertext
 * copied to another row, column or table fails to decrypt.
 */
@Injectable()
export class FieldCipher {
  encrypt(key: Buffer, plaintext: string, at: FieldLocation): string {
    assertKey(key);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(at));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${FIELD_PREFIX}${iv.toString('base64')}.${body.toString('base64')}`;
  }

  /** Throws FieldDecryptionError (naming table/column/row, never the key or any plaintext). */
  decrypt(key: Buffer, wire: string, at: FieldLocation): string {
    assertKey(key);
    const fail = (reason: string) => new FieldDecryptionError(at, reason);
    if (typeof wire !== 'string' || !wire.startsWith(FIELD_PREFIX)) throw fail('not an enc:1 value');
    const parts = wire.slice(FIELD_PREFIX.length).split('.');
    if (parts.length !== 2) throw fail('malformed enc:1 value');
    const iv = strictBase64(parts[0]);
    const body = strictBase64(parts[1]);
    if (!iv || !body) throw fail('invalid base64');
    if (iv.length !== IV_BYTES) throw fail(`IV must be ${IV_BYTES} bytes`);
    if (body.length < TAG_BYTES) throw fail(`authentication tag must be ${TAG_BYTES} bytes`);
    const tag = body.subarray(body.length - TAG_BYTES);
    const ciphertext = body.subarray(0, body.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(at));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw fail('authentication failed (tampered, moved, or encrypted with another key)');
    }
  }

  isEncrypted(value: unknown): value is string {
    return typeof value === 'string' && value.startsWith(FIELD_PREFIX);
  }
}

function aad(at: FieldLocation): Buffer {
  return Buffer.from(JSON.stringify(['mana-field', 1, at.table, at.column, at.rowId]), 'utf8');
}

function assertKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) throw new Error('field key must be 32 bytes');
}

/** Decodes canonical base64 only: anything that does not re-encode to itself is refused. */
function strictBase64(text: string): Buffer | null {
  if (text.length % 4 !== 0 || !BASE64.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}
