import { Inject, Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../observability/metrics.service.js';

const WRAP_PREFIX = 'kw:1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** Which key a wrapped blob holds; bound into the wrap as AAD so blobs cannot be swapped between rows. */
export type KeyIdentity = { kind: 'user'; userId: string } | { kind: 'space'; spaceId: string };

/**
 * Wraps 32-byte data keys with MASTER_KEK (AES-256-GCM, random 12-byte IV, 16-byte tag, AAD naming
 * the key). Format: `kw:1:<b64 iv>.<b64 wrapped‖tag>`.
 */
@Injectable()
export class KeyWrapper {
  private readonly unwraps;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(MetricsService) metrics: MetricsService,
  ) {
    this.unwraps = metrics.counter('mana_key_unwraps_total', 'Data keys unwrapped with MASTER_KEK', [
      'kind',
    ] as const);
  }

  generateKey(): Buffer {
    return randomBytes(KEY_BYTES);
  }

  wrap(key: Buffer, id: KeyIdentity): string {
    if (key.length !== KEY_BYTES) throw new Error('data key must be 32 bytes');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.config.masterKek, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(id));
    const body = Buffer.concat([cipher.update(key), cipher.final(), cipher.getAuthTag()]);
    return `${WRAP_PREFIX}${iv.toString('base64')}.${body.toString('base64')}`;
  }

  /** Throws a plain Error naming the key (never its bytes) when the blob is not a valid wrap for `id`. */
  unwrap(wrapped: string, id: KeyIdentity): Buffer {
    this.unwraps.inc({ kind: id.kind });
    const fail = () => new Error(`Cannot unwrap the data key of ${label(id)} (wrong MASTER_KEK or damaged)`);
    if (!wrapped.startsWith(WRAP_PREFIX)) throw fail();
    const [ivText, bodyText, extra] = wrapped.slice(WRAP_PREFIX.length).split('.');
    if (extra !== undefined || !ivText || !bodyText) throw fail();
    const iv = Buffer.from(ivText, 'base64');
    const body = Buffer.from(bodyText, 'base64');
    if (iv.length !== IV_BYTES || body.length !== KEY_BYTES + TAG_BYTES) throw fail();
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.config.masterKek, iv, {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(aad(id));
      decipher.setAuthTag(body.subarray(KEY_BYTES));
      return Buffer.concat([decipher.update(body.subarray(0, KEY_BYTES)), decipher.final()]);
    } catch {
      throw fail();
    }
  }
}

function label(id: KeyIdentity): string {
  return id.kind === 'user' ? `user ${id.userId}` : `space ${id.spaceId}`;
}

function aad(id: KeyIdentity): Buffer {
  return Buffer.from(JSON.stringify(['mana-key', 1, id.kind, id.kind === 'user' ? id.userId : id.spaceId]));
}
