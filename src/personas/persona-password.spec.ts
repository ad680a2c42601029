import { DEV_PERSONA_SEED_SECRET } from '../config/app-config.js';
import { passwordWeakness } from '../auth/users/password-policy.js';
import { derivePersonaPassword, personaSeedSecret } from './persona-password.js';

// Known answers computed outside this code: `printf '<email>' | openssl dgst -sha256 -hmac '<secret>'
// -binary | base64`, then [A-Za-z0-9] kept and cut to 32 characters by hand.
const VECTORS = [
  {
    email: 'persona.anna@mana.test',
    secret: 'mana-personas-dev-seed-secret',
    base64: '/WYKsq2D3Yep1pXRNw1aUgVwkL16+bmd3uSoHk5zALE=',
    password: 'WYKsq2D3Yep1pXRNw1aUgVwkL16bmd3u',
  },
  {
    email: 'persona.maya@mana.test',
    secret: 'another-secret-0123456789',
    base64: 'rphGpcKSH6KX6U+NUelqQaihbhYp7bdPNGsbDiGBeNE=',
    password: 'rphGpcKSH6KX6UNUelqQaihbhYp7bdPN',
  },
  {
    email: 'persona.ben@mana.test',
    secret: 'mana-personas-dev-seed-secret',
    base64: 'fKmsP53Q2JBIR4uJKWziVCzQQ98YhRHcI0q9SlPNlwQ=',
    password: 'fKmsP53Q2JBIR4uJKWziVCzQQ98YhRHc',
  },
];

describe(derivePersonaPassword.name, () => {
  it.each(VECTORS)('should derive the known answer for $email', ({ email, secret, password }) => {
    expect(derivePersonaPassword(email, secret)).toBe(password);
  });

  it('should drop the + and / of the base64 form before cutting to 32 characters', () => {
    // the first vector's base64 starts with '/' and has a '+' inside the first 32 characters
    expect(VECTORS[0].base64.slice(0, 33)).toContain('+');
    expect(derivePersonaPassword(VECTORS[0].email, VECTORS[0].secret)).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it('should lower-case and trim the email before hashing', () => {
    expect(derivePersonaPassword('  Persona.Ben@MANA.test ', 'mana-personas-dev-seed-secret')).toBe(
      'fKmsP53Q2JBIR4uJKWziVCzQQ98YhRHc',
    );
  });

  it('should give a different password for a different secret', () => {
    expect(derivePersonaPassword('persona.anna@mana.test', 'some-other-secret-value')).not.toBe(
      VECTORS[0].password,
    );
  });

  it('should derive passwords that pass the sign-up password policy', () => {
    for (let i = 0; i < 200; i += 1) {
      const email = `persona.p${i}@mana.test`;
      expect(passwordWeakness(derivePersonaPassword(email, DEV_PERSONA_SEED_SECRET), email)).toBeUndefined();
    }
  });

  it('should refuse an empty secret', () => {
    expect(() => derivePersonaPassword('persona.anna@mana.test', '')).toThrow(/empty/);
  });
});

describe(personaSeedSecret.name, () => {
  it('should refuse the development secret in production', () => {
    expect(() =>
      personaSeedSecret({ nodeEnv: 'production', personaSeedSecret: DEV_PERSONA_SEED_SECRET }),
    ).toThrow(/development fallback/);
  });

  it('should accept the development secret outside production', () => {
    expect(personaSeedSecret({ nodeEnv: 'development', personaSeedSecret: DEV_PERSONA_SEED_SECRET })).toBe(
      DEV_PERSONA_SEED_SECRET,
    );
  });

  it('should accept a real secret in production', () => {
    expect(personaSeedSecret({ nodeEnv: 'production', personaSeedSecret: 'a-real-production-secret' })).toBe(
      'a-real-production-secret',
    );
  });
});
