import { Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { FieldDecryptionError } from './field-decryption.error.js';
import type { FieldLocation } from './field-location.js';

export const FIELD_PREFIX = 'enc:1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** Decrypted values kept in memory, all keys together (UTF-16 bytes of value and cache key). */
const PLAINTEXT_CACHE_BYTES = 32 * 1024 * 1024;
/**
 * Longer ciphertexts (values over ~48 KiB) are decrypted on every read: they would crowd out the
 * others, and building and hashing a cache key that size costs about what it saves.
 */
const PLAINTEXT_CACHE_MAX_WIRE_CHARS = 64 * 1024;
/** As long as the key cache keeps an unwrapped key (SpaceKeysService). */
const PLAINTEXT_CACHE_TTL_MS = 5 * 60_000;

/**
 * AES-256-GCM field encryption. Wire format, exactly: `enc:1:<base64 iv>.<base64 ciphertext‖tag>`
 * with a 12-byte random IV and a 16-byte tag. The AAD is the JSON array
 * `["mana-field",1,table,column,rowId]` (JSON makes the encoding unambiguous), so a ciphertext
 * copied to another row, column or table fails to decrypt.
 */
@Injectable()
export class FieldCipher {
  /**
   * Per key Buffer (the key cache hands out the same Buffer while it holds a key): its KeyObject (a
   * cipher built from one skips re-validating raw key bytes, ~30% of a short field's cost) and a
   * number naming it in the plaintext cache.
   */
  private readonly keys = new WeakMap<Buffer, { secret: KeyObject; id: number }>();
  private nextKeyId = 1;
  /**
   * Values this process decrypted, by key, location and exact ciphertext: a list or a search reads
   * the same rows again and again (notes.search decrypts its whole window on every call), and
   * AES-GCM setup is most of a read's CPU. Only values that passed authentication are stored, under
   * their (table, column, row id) and the key's number, so a moved, altered or foreign ciphertext
   * still misses and fails. Bounded in bytes; an entry lives no longer than the key cache keeps the
   * key, and `forget` drops a key's values at once (the zero-knowledge switch).
   */
  private readonly plaintexts = new LRUCache<string, string>({
    maxSize: PLAINTEXT_CACHE_BYTES,
    sizeCalculation: (value, key) => (value.length + key.length) * 2 + 64,
    ttl: PLAINTEXT_CACHE_TTL_MS,
  });

  encrypt(key: Buffer, plaintext: string, at: FieldLocation): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.entry(key).secret, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(at));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${FIELD_PREFIX}${iv.toString('base64')}.${body.toString('base64')}`;
  }

  /** Throws FieldDecryptionError (naming table/column/row, never the key or any plaintext). */
  decrypt(key: Buffer, wire: string, at: FieldLocation): string {
    const { secret, id } = this.entry(key);
    if (typeof wire !== 'string' || wire.length > PLAINTEXT_CACHE_MAX_WIRE_CHARS)
      return this.open(secret, wire, at);
    const cacheKey = `${id}\u0000${at.table}\u0000${at.column}\u0000${at.rowId}\u0000${wire}`;
    const cached = this.plaintexts.get(cacheKey);
    if (cached !== undefined) return cached;
    const plaintext = this.open(secret, wire, at);
    this.plaintexts.set(cacheKey, plaintext);
    return plaintext;
  }

  /** How many decrypted values are held (for tests and metrics). */
  get cachedValues(): number {
    return this.plaintexts.size;
  }

  /** Drops what was decrypted with this key (the key is leaving the server, e.g. zero-knowledge mode). */
  forget(key: Buffer): void {
    const entry = this.keys.get(key);
    if (!entry) return;
    this.keys.delete(key);
    const prefix = `${entry.id}\u0000`;
    for (const cacheKey of [...this.plaintexts.keys()]) {
      if (cacheKey.startsWith(prefix)) this.plaintexts.delete(cacheKey);
    }
  }

  private open(secret: KeyObject, wire: string, at: FieldLocation): string {
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
      const decipher = createDecipheriv('aes-256-gcm', secret, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(at));
      decipher.setAuthTag(tag);
      return decipher.update(ciphertext, undefined, 'utf8') + decipher.final('utf8');
    } catch {
      throw fail('authentication failed (tampered, moved, or encrypted with another key)');
    }
  }

  private entry(key: Buffer): { secret: KeyObject; id: number } {
    let entry = this.keys.get(key);
    if (!entry) {
      assertKey(key);
      entry = { secret: createSecretKey(key), id: this.nextKeyId++ };
      this.keys.set(key, entry);
    }
    return entry;
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

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Decodes canonical base64 only (what Buffer#toString('base64') writes): padded to a multiple of 4,
 * and before the padding a last character whose unused low bits are zero, so no two texts decode
 * to the same bytes (a bit flip in the stored text is always detected).
 */
function strictBase64(text: string): Buffer | null {
  if (text.length % 4 !== 0 || !BASE64.test(text)) return null;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  if (padding > 0) {
    const last = ALPHABET.indexOf(text[text.length - padding - 1]);
    if ((last & (padding === 2 ? 0b1111 : 0b11)) !== 0) return null;
  }
  return Buffer.from(text, 'base64');
}
