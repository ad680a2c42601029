import { randomBytes } from 'node:crypto';
import { FieldCipher } from './field-cipher.js';
import type { FieldLocation } from './field-location.js';
import { FieldDecryptionError } from './field-decryption.error.js';

const AT: FieldLocation = {
  table: 'notes',
  column: 'content',
  rowId: '5b0c7a4e-55c1-4a43-9d41-1e0f5a3c2b11',
};

function parts(wire: string): { iv: Buffer; body: Buffer } {
  const [iv, body] = wire.slice('enc:1:'.length).split('.');
  return { iv: Buffer.from(iv, 'base64'), body: Buffer.from(body, 'base64') };
}

function assemble(iv: Buffer, body: Buffer): string {
  return `enc:1:${iv.toString('base64')}.${body.toString('base64')}`;
}

function flipBit(bytes: Buffer, bit: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[bit >> 3] ^= 1 << (bit & 7);
  return copy;
}

describe(FieldCipher.name, () => {
  const cipher = new FieldCipher();
  const key = randomBytes(32);

  it('should round-trip the empty string, unicode and 1 MiB', () => {
    const big = 'x'.repeat(1024 * 1024 - 7) + 'émoji🙂';
    for (const text of ['', 'héllo wörld – 你好 – 🙂👩‍👩‍👧', big]) {
      const wire = cipher.encrypt(key, text, AT);
      expect(cipher.decrypt(key, wire, AT)).toBe(text);
    }
  });

  it('should write exactly enc:1:<b64 iv>.<b64 ciphertext+tag> with a 12-byte IV and a 16-byte tag', () => {
    const wire = cipher.encrypt(key, 'abc', AT);
    expect(wire).toMatch(/^enc:1:[A-Za-z0-9+/]+={0,2}\.[A-Za-z0-9+/]+={0,2}$/);
    const { iv, body } = parts(wire);
    expect(iv).toHaveLength(12);
    expect(body).toHaveLength(3 + 16);
  });

  it('should use a fresh IV for every encryption', () => {
    const a = cipher.encrypt(key, 'same', AT);
    const b = cipher.encrypt(key, 'same', AT);
    expect(a).not.toBe(b);
    expect(parts(a).iv.equals(parts(b).iv)).toBe(false);
  });

  it('should reject every single-bit flip of the IV, the ciphertext and the tag', () => {
    const wire = cipher.encrypt(key, 'secret words', AT);
    const { iv, body } = parts(wire);
    let rejected = 0;
    for (let bit = 0; bit < iv.length * 8; bit++) {
      expect(() => cipher.decrypt(key, assemble(flipBit(iv, bit), body), AT)).toThrow(FieldDecryptionError);
      rejected++;
    }
    for (let bit = 0; bit < body.length * 8; bit++) {
      expect(() => cipher.decrypt(key, assemble(iv, flipBit(body, bit)), AT)).toThrow(FieldDecryptionError);
      rejected++;
    }
    expect(rejected).toBe((12 + 12 + 16) * 8);
  });

  it('should reject every single-bit flip of the wire text itself (non-canonical base64 included)', () => {
    const wire = cipher.encrypt(key, 'hi', AT);
    const prefix = 'enc:1:'.length;
    for (let i = prefix; i < wire.length; i++) {
      for (let bit = 0; bit < 7; bit++) {
        const flipped =
          wire.slice(0, i) + String.fromCharCode(wire.charCodeAt(i) ^ (1 << bit)) + wire.slice(i + 1);
        expect(() => cipher.decrypt(key, flipped, AT)).toThrow(FieldDecryptionError);
      }
    }
  });

  it('should reject a truncated or missing tag', () => {
    const { iv, body } = parts(cipher.encrypt(key, 'some text', AT));
    for (const cut of [1, 4, 15, 16, body.length]) {
      expect(() => cipher.decrypt(key, assemble(iv, body.subarray(0, body.length - cut)), AT)).toThrow(
        FieldDecryptionError,
      );
    }
    // a tag shorter than 16 bytes is refused before GCM is even asked (GCM would accept short tags)
    const { iv: iv2, body: empty } = parts(cipher.encrypt(key, '', AT));
    expect(() => cipher.decrypt(key, assemble(iv2, empty.subarray(0, 12)), AT)).toThrow(/16 bytes/);
  });

  it('should reject a wrong prefix, a wrong version and malformed values', () => {
    const wire = cipher.encrypt(key, 'x', AT);
    const rest = wire.slice('enc:1:'.length);
    for (const bad of [
      `enc:2:${rest}`,
      `ENC:1:${rest}`,
      `enc:1${rest}`,
      rest,
      '',
      'enc:1:',
      `enc:1:${rest}.AAAA`,
      `enc:1:${rest.replace('.', '')}`,
      `enc:1:${rest.replace('.', '..')}`,
      `${wire} `,
      'plain text',
    ]) {
      expect(() => cipher.decrypt(key, bad, AT)).toThrow(FieldDecryptionError);
    }
  });

  it('should reject a ciphertext moved to another row, column or table', () => {
    const wire = cipher.encrypt(key, 'bound to its place', AT);
    expect(() => cipher.decrypt(key, wire, { ...AT, rowId: '0b4e1c9a-2f7d-4b1e-8a6c-3d9e7f1a2b3c' })).toThrow(
      FieldDecryptionError,
    );
    expect(() => cipher.decrypt(key, wire, { ...AT, column: 'title' })).toThrow(FieldDecryptionError);
    expect(() => cipher.decrypt(key, wire, { ...AT, table: 'tasks' })).toThrow(FieldDecryptionError);
  });

  it('should not confuse locations whose concatenations are equal', () => {
    const wire = cipher.encrypt(key, 'x', { table: 'ab', column: 'c', rowId: 'r' });
    expect(() => cipher.decrypt(key, wire, { table: 'a', column: 'bc', rowId: 'r' })).toThrow(
      FieldDecryptionError,
    );
  });

  it('should reject a wrong key', () => {
    const wire = cipher.encrypt(key, 'mine', AT);
    expect(() => cipher.decrypt(randomBytes(32), wire, AT)).toThrow(FieldDecryptionError);
  });

  it('should name the table, column and row in the error and never the plaintext or key', () => {
    const wire = cipher.encrypt(key, 'very private sentence', AT);
    const { iv, body } = parts(wire);
    try {
      cipher.decrypt(key, assemble(iv, flipBit(body, 0)), AT);
      throw new Error('decrypt should have failed');
    } catch (error) {
      expect(error).toBeInstanceOf(FieldDecryptionError);
      const e = error as FieldDecryptionError;
      expect([e.table, e.column, e.rowId]).toEqual([AT.table, AT.column, AT.rowId]);
      expect(e.message).toContain(`notes.content of row ${AT.rowId}`);
      expect(e.message).not.toContain('private');
      expect(e.message).not.toContain(key.toString('base64'));
      expect(e.message).not.toContain(key.toString('hex'));
    }
  });

  it('should refuse keys that are not 32 bytes', () => {
    expect(() => cipher.encrypt(randomBytes(16), 'x', AT)).toThrow(/32 bytes/);
  });

  describe('decrypted-value cache', () => {
    it('should answer a repeated read from memory and still refuse a moved, altered or foreign ciphertext', () => {
      const local = new FieldCipher();
      const wire = local.encrypt(key, 'read often', AT);
      expect(local.decrypt(key, wire, AT)).toBe('read often');
      expect(local.cachedValues).toBe(1);
      expect(local.decrypt(key, wire, AT)).toBe('read often');
      expect(local.cachedValues).toBe(1);
      expect(() => local.decrypt(key, wire, { ...AT, rowId: 'another-row' })).toThrow(FieldDecryptionError);
      expect(() => local.decrypt(randomBytes(32), wire, AT)).toThrow(FieldDecryptionError);
      const { iv, body } = parts(wire);
      expect(() => local.decrypt(key, assemble(iv, flipBit(body, 3)), AT)).toThrow(FieldDecryptionError);
      expect(local.cachedValues).toBe(1);
    });

    it('should drop the values of a forgotten key only, and decrypt them again afterwards', () => {
      const local = new FieldCipher();
      const other = randomBytes(32);
      const mine = local.encrypt(key, 'mine', AT);
      const theirs = local.encrypt(other, 'theirs', AT);
      local.decrypt(key, mine, AT);
      local.decrypt(other, theirs, AT);
      expect(local.cachedValues).toBe(2);
      local.forget(key);
      expect(local.cachedValues).toBe(1);
      expect(local.decrypt(key, mine, AT)).toBe('mine');
      expect(local.decrypt(other, theirs, AT)).toBe('theirs');
    });

    it('should not keep a large value (a ciphertext over 64 Ki characters)', () => {
      const local = new FieldCipher();
      const wire = local.encrypt(key, 'y'.repeat(300 * 1024), AT);
      expect(local.decrypt(key, wire, AT)).toHaveLength(300 * 1024);
      expect(local.cachedValues).toBe(0);
    });
  });
});
