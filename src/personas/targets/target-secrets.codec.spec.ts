import { hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import type { AppConfig } from '../../config/app-config.js';
import { FieldCipher } from '../../crypto/field-cipher.js';
import { FieldDecryptionError } from '../../crypto/field-decryption.error.js';
import { TARGETS_KEY_INFO, TargetSecretsCodec, TargetSecretsError } from './target-secrets.codec.js';

const codecWith = (masterKek: Buffer, cipher = new FieldCipher()) =>
  new TargetSecretsCodec({ masterKek } as AppConfig, cipher);

describe(TargetSecretsCodec.name, () => {
  const kek = randomBytes(32);
  const codec = codecWith(kek);
  const targetId = randomUUID();
  const personaId = randomUUID();
  const secrets = { headers: { Authorization: 'Bearer s3cr3t-token' }, env: { API_KEY: 's3cr3t-key' } };

  it('should seal a target’s headers and env into one enc:1 value that holds no plaintext, and open it', () => {
    const wire = codec.sealTarget(targetId, secrets);
    expect(wire).toMatch(/^enc:1:[A-Za-z0-9+/]+=*\.[A-Za-z0-9+/]+=*$/);
    expect(wire).not.toMatch(/s3cr3t|Authorization|API_KEY/);
    expect(codec.openTarget(targetId, wire)).toEqual(secrets);
    // a fresh IV each time: equal secrets never look equal at rest
    expect(codec.sealTarget(targetId, secrets)).not.toBe(wire);
  });

  it('should bind a target’s value to its row: another target id cannot open it', () => {
    const wire = codec.sealTarget(targetId, secrets);
    expect(() => codec.openTarget(randomUUID(), wire)).toThrow(FieldDecryptionError);
  });

  it('should bind a persona’s headers to the persona and the target they were given for', () => {
    const wire = codec.sealPersonaHeaders(personaId, targetId, { 'X-User': 's3cr3t-user' });
    expect(codec.openPersonaHeaders(personaId, targetId, wire)).toEqual({ 'X-User': 's3cr3t-user' });
    expect(() => codec.openPersonaHeaders(personaId, randomUUID(), wire)).toThrow(/authentication failed/);
    expect(() => codec.openPersonaHeaders(randomUUID(), targetId, wire)).toThrow(/authentication failed/);
    // nor is it a target's value (another column)
    expect(() => codec.openTarget(targetId, wire)).toThrow(FieldDecryptionError);
  });

  it('should use a key derived from MASTER_KEK by HKDF-SHA256 (info mana/targets/v1), not MASTER_KEK itself', () => {
    const wire = codec.sealTarget(targetId, secrets);
    const cipher = new FieldCipher();
    const at = { table: 'targets', column: 'secrets', rowId: targetId };
    const derived = Buffer.from(hkdfSync('sha256', kek, Buffer.alloc(0), TARGETS_KEY_INFO, 32));
    expect(JSON.parse(cipher.decrypt(derived, wire, at))).toEqual(secrets);
    expect(() => cipher.decrypt(kek, wire, at)).toThrow(FieldDecryptionError);
    // another MASTER_KEK cannot open it
    expect(() => codecWith(randomBytes(32)).openTarget(targetId, wire)).toThrow(FieldDecryptionError);
  });

  it('should refuse a sealed value that is not a secret map, without quoting it', () => {
    const cipher = new FieldCipher();
    const derived = Buffer.from(hkdfSync('sha256', kek, Buffer.alloc(0), TARGETS_KEY_INFO, 32));
    const at = { table: 'targets', column: 'secrets', rowId: targetId };
    for (const plaintext of [
      's3cr3t-not-json {',
      JSON.stringify({ headers: { A: 1 }, env: {} }),
      '"s3cr3t"',
    ]) {
      const wire = cipher.encrypt(derived, plaintext, at);
      let error: unknown;
      try {
        codec.openTarget(targetId, wire);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TargetSecretsError);
      expect((error as Error).message).toBe(`targets.secrets of row ${targetId} does not hold a secret map`);
    }
  });
});
